//! The clipboard: a Copy button that says when the text is there.

use leptos::prelude::*;

/// Copies `text` to the clipboard; `on_copied` runs once the browser says it is there.
fn copy_to_clipboard(text: &str, on_copied: impl FnOnce() + 'static) {
    let promise = window().navigator().clipboard().write_text(text);
    wasm_bindgen_futures::spawn_local(async move {
        if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
            on_copied();
        }
    });
}

/// A Copy button that says "Copied" for two seconds once the text is on the clipboard.
/// Its name for assistive technology is what it shows followed by `what` it copies
/// ("Copy the key", then "Copied the key"), so the two never disagree.
#[component]
pub fn CopyButton(text: String, what: &'static str) -> impl IntoView {
    let copied = RwSignal::new(false);
    view! {
        <button
            type="button"
            class="button small secondary copy"
            on:click=move |_| {
                copy_to_clipboard(
                    &text,
                    move || {
                        copied.set(true);
                        gloo_timers::callback::Timeout::new(2_000, move || copied.set(false))
                            .forget();
                    },
                )
            }
        >
            <span class="copy-state">{move || if copied.get() { "Copied" } else { "Copy" }}</span>
            <span class="visually-hidden">{format!(" {what}")}</span>
        </button>
    }
}

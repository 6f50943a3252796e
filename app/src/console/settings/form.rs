//! What the settings tabs' forms are made of: a labelled input with its save-time
//! problems beneath it.

use super::Problems;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// A labelled text input bound to `value`, with the problems saved under `key` (and
/// its sub-keys) beneath it.
#[component]
pub(crate) fn TextInput(
    /// What it asks for.
    label: &'static str,
    /// What is typed.
    value: RwSignal<String>,
    /// The form's save-time problems.
    problems: RwSignal<BTreeMap<String, String>>,
    /// Where the server reports this input's problems (`display_name`).
    key: &'static str,
    /// An example of what to type.
    #[prop(optional)]
    placeholder: &'static str,
    /// The label's class: `labelled` in a toolbar form (the default), `field` in a card.
    #[prop(default = "labelled")]
    class: &'static str,
    /// The input's id, when something moves the focus to it.
    #[prop(optional)]
    id: Option<&'static str>,
) -> impl IntoView {
    let ctx = super::context();
    let typed = move |ev| {
        value.set(event_target_value(&ev));
        ctx.fixing(problems, key);
    };
    view! {
        <label class=class>
            <span class="field-label">{label}</span>
            <input
                class="input"
                id=id
                placeholder=placeholder
                prop:value=value
                aria-invalid=move || problems.with(|p| p.keys().any(|k| super::under(k, key))).to_string()
                on:input=typed
            />
            <Problems problems prefix=key />
        </label>
    }
}

//! Desktop alerts: when one of the agent's messages fails, is delivered or gets a reply
//! while the widget is not in front, a browser notification (permission asked on a
//! click, never on load) and, if the agent wants, a sound. What they want is theirs,
//! kept on the server, and set from the menu under their name at the top right.

use super::status::SentMessage;
use crate::api::{my_preferences, save_my_preferences};
use crate::domain::{mask_e164, Alert, AlertLevel, Preferences};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::NotificationPermission;

/// What the alerts need: the agent's preferences and whether the widget is in front.
#[derive(Clone, Copy)]
pub(super) struct Alerts {
    pub(super) preferences: RwSignal<Preferences>,
    focused: RwSignal<bool>,
}

impl Alerts {
    /// Alerts that follow the window's focus (`blur` and `focus` events).
    pub(super) fn new() -> Self {
        let focused = RwSignal::new(document().has_focus().unwrap_or(true));
        for (event, value) in [("blur", false), ("focus", true)] {
            let listener = Closure::<dyn Fn()>::new(move || focused.set(value));
            let _ =
                window().add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
            listener.forget();
        }
        Self {
            preferences: RwSignal::new(Preferences::default()),
            focused,
        }
    }

    /// Tells the agent what happened to `message`, if they want to know and are not
    /// looking at the widget.
    pub(super) fn announce(&self, alert: Alert, message: &SentMessage) {
        let preferences = self.preferences.get_untracked();
        if self.focused.get_untracked() || !preferences.alerts.wants(alert) {
            return;
        }
        if permission() == Some(NotificationPermission::Granted) {
            let (title, body) = words(alert, message);
            let options = web_sys::NotificationOptions::new();
            options.set_body(&body);
            options.set_tag(&format!("{}-{alert:?}", message.uuid));
            let _ = web_sys::Notification::new_with_options(title, &options);
        }
        if preferences.sound {
            if let Ok(audio) = web_sys::HtmlAudioElement::new_with_src("/alert.wav") {
                let _ = audio.play();
            }
        }
    }
}

/// An alert's title and text (the number masked: alerts show on the screen).
fn words(alert: Alert, m: &SentMessage) -> (&'static str, String) {
    let about = format!("{} to {}", m.template_name, mask_e164(&m.to));
    match alert {
        Alert::Failed => (
            "Message failed",
            match &m.error {
                Some(e) => format!("{about}: {}", e.message),
                None => about,
            },
        ),
        Alert::Delivered => ("Message delivered", about),
        Alert::Reply => (
            "Customer replied",
            match m.replies.last() {
                Some(r) => format!("{about}: {}", r.text),
                None => about,
            },
        ),
    }
}

/// The browser's answer to notifications; none where it has no Notifications API.
fn permission() -> Option<NotificationPermission> {
    let api = js_sys::Reflect::get(&window(), &"Notification".into()).ok()?;
    (!api.is_undefined()).then(web_sys::Notification::permission)
}

/// Opens the agent's message history in a new tab, signed in with their token (in the
/// URL's fragment: never sent to a server).
fn open_history(token: &str) {
    let fragment = web_sys::UrlSearchParams::new().expect("URLSearchParams");
    fragment.append("token", token);
    let url = format!("/history#{}", String::from(fragment.to_string()));
    let _ = window().open_with_url_and_target_and_features(&url, "_blank", "noopener");
}

/// The agent menu's button.
const MENU_BUTTON: &str = "an-agent-menu";

/// The agent's name at the top right (their message history beside it), and under it
/// their alert settings.
#[component]
pub(super) fn AgentMenu(
    agent: Signal<Option<String>>,
    token: RwSignal<String>,
    alerts: Alerts,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    // The agent's saved choice, once they are known. The choices wait for it: a click
    // before it arrived would be undone by it (or would overwrite the other choice).
    let ready = RwSignal::new(false);
    Effect::new(move |_| {
        if agent.get().is_none() {
            return;
        }
        let token = token.get_untracked();
        spawn_local(async move {
            if let Ok(saved) = my_preferences(token).await {
                alerts.preferences.set(saved);
            }
            ready.set(true);
        });
    });
    let save = move |change: &dyn Fn(&mut Preferences)| {
        let mut next = alerts.preferences.get_untracked();
        change(&mut next);
        alerts.preferences.set(next);
        let token = token.get_untracked();
        spawn_local(async move {
            match save_my_preferences(token, next).await {
                Ok(_) => problem.set(None),
                Err(e) => problem.set(Some(format!("Not saved: {}", e.message))),
            }
        });
    };
    // Escape closes the menu and gives the focus back to its button; so does the focus
    // leaving the menu for anything else on the page.
    let on_key = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" && open.get_untracked() {
            ev.prevent_default();
            open.set(false);
            crate::ui::focus_by_id(MENU_BUTTON);
        }
    };
    let bar = NodeRef::<leptos::html::Div>::new();
    let on_focus_out = move |ev: web_sys::FocusEvent| {
        use wasm_bindgen::JsCast;
        let to = ev
            .related_target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        let inside = bar.get_untracked().is_some_and(|b| b.contains(to.as_ref()));
        if !inside {
            open.set(false);
        }
    };
    view! {
        // The bar's height is kept from the start: the name arriving moves nothing.
        <div class="agent-bar" node_ref=bar on:keydown=on_key on:focusout=on_focus_out>
            <Show when=move || agent.get().is_some()>
                <button
                    type="button"
                    class="link"
                    title="Opens in a new tab"
                    on:click=move |_| open_history(&token.get_untracked())
                >
                    "History"
                </button>
                <button
                    type="button"
                    class="link agent-name"
                    id=MENU_BUTTON
                    aria-expanded=move || open.get().to_string()
                    aria-controls="an-agent-settings"
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    {move || agent.get().unwrap_or_default()}
                    <span aria-hidden="true">" ▾"</span>
                </button>
                <Show when=move || open.get()>
                    <div id="an-agent-settings" class="agent-settings" role="group" aria-label="Alert settings">
                        <fieldset>
                            <legend class="field-label">"Desktop alerts"</legend>
                            {AlertLevel::CHOICES.map(|(level, words)| view! {
                                <label class="check">
                                    <input
                                        type="radio"
                                        name="an-alerts"
                                        disabled=move || !ready.get()
                                        prop:checked=move || alerts.preferences.get().alerts == level
                                        on:change=move |_| save(&|p| p.alerts = level)
                                    />
                                    {words}
                                </label>
                            }).collect_view()}
                        </fieldset>
                        <label class="check">
                            <input
                                type="checkbox"
                                disabled=move || !ready.get()
                                prop:checked=move || alerts.preferences.get().sound
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    save(&|p| p.sound = on)
                                }
                            />
                            "Play a sound"
                        </label>
                        <AlertPermission />
                        {move || problem.get().map(|p| view! { <p class="hint error" role="alert">{p}</p> })}
                    </div>
                </Show>
            </Show>
        </div>
    }
}

/// Whether the browser lets the widget show desktop alerts, and a button to ask.
#[component]
fn AlertPermission() -> impl IntoView {
    let asked = RwSignal::new(permission());
    let ask = move |_| {
        if let Ok(promise) = web_sys::Notification::request_permission() {
            spawn_local(async move {
                let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
                asked.set(permission());
            });
        }
    };
    view! {
        <p class="hint" data-testid="alert-permission">
            {move || match asked.get() {
                None => "This browser cannot show desktop alerts.",
                Some(NotificationPermission::Granted) => "Alerts show while the widget is not in front.",
                Some(NotificationPermission::Denied) => "This browser blocks alerts for this page: allow them in its site settings.",
                Some(_) => "",
            }}
        </p>
        <Show when=move || matches!(asked.get(), Some(NotificationPermission::Default))>
            <button type="button" class="button small" on:click=ask>"Allow desktop alerts"</button>
        </Show>
    }
}

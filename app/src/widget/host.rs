//! The widget's browser edges: URL parameters, messages to and from the host page
//! (the softphone), live status streams, the clipboard and random keys.

use crate::domain::TemplateId;
use crate::domain::{CallId, Channel, CustomerDetails, NotificationStatus, NotificationView};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// The origins the page shell names as allowed to embed the widget (before any server
/// call, so a cross-origin host can post the token).
pub fn shell_origins() -> Vec<String> {
    window()
        .document()
        .and_then(|d| {
            d.query_selector("meta[name=agent-notify-origins]")
                .ok()
                .flatten()
        })
        .and_then(|m| m.get_attribute("content"))
        .map(|c| c.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The page's own origin (`http://127.0.0.1:3000`).
pub fn own_origin() -> String {
    window().location().origin().unwrap_or_default()
}

/// A message from the host page: `{"type": "agent-notify:prefill", …}` or
/// `{"type": "agent-notify:call", "call_id", "queue_id", "state"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Prefill {
    /// `agent-notify:prefill` or `agent-notify:call`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The caller's number.
    #[serde(default)]
    pub number: Option<String>,
    /// The ISO country to read it in.
    #[serde(default)]
    pub country: Option<String>,
    /// The call's id.
    #[serde(default)]
    pub call_id: Option<String>,
    /// The call's queue (`agent-notify:call`).
    #[serde(default)]
    pub queue_id: Option<String>,
    /// Where the call is (`agent-notify:call`).
    #[serde(default)]
    pub state: Option<crate::domain::CallState>,
    /// What the host knows about the customer.
    #[serde(default)]
    pub customer: Option<CustomerDetails>,
    /// A token, for hosts that pass it this way instead of in the URL.
    #[serde(default)]
    pub token: Option<String>,
}

/// Whether `origin` may talk to the widget: its own origin, or a configured one.
pub fn origin_allowed(origin: &str, allowed: &[String]) -> bool {
    origin == own_origin() || allowed.iter().any(|a| a == origin)
}

/// Calls `on_prefill` for each prefill or call message from an allowed origin. The listener
/// lives as long as the page.
pub fn listen_for_prefill(allowed: Signal<Vec<String>>, on_prefill: impl Fn(Prefill) + 'static) {
    let handler =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            if !origin_allowed(&event.origin(), &allowed.get_untracked()) {
                return;
            }
            let Ok(text) = js_sys::JSON::stringify(&event.data()) else {
                return;
            };
            let Some(text) = text.as_string() else { return };
            if let Ok(prefill) = serde_json::from_slice::<Prefill>(text.as_bytes()) {
                if matches!(
                    prefill.kind.as_str(),
                    "agent-notify:prefill" | "agent-notify:call"
                ) {
                    on_prefill(prefill);
                }
            }
        });
    let _ = window().add_event_listener_with_callback("message", handler.as_ref().unchecked_ref());
    handler.forget();
}

/// What the widget tells its host page (api.md, "Embedding events"): a typed message
/// rather than a JSON value built in place, so the bundle carries no JSON value type.
#[derive(Debug, Serialize)]
#[serde(tag = "type")]
pub enum ToHost<'a> {
    /// The widget listens: the host may post prefills and call changes now.
    #[serde(rename = "agent-notify:ready")]
    Ready,
    /// The server accepted a message.
    #[serde(rename = "agent-notify:sent")]
    Sent {
        uuid: &'a Uuid,
        channel: Channel,
        template_id: &'a TemplateId,
        call_id: Option<&'a CallId>,
    },
    /// A message's status changed.
    #[serde(rename = "agent-notify:status")]
    Status {
        uuid: &'a str,
        status: NotificationStatus,
    },
}

/// Posts `message` to the host page, once per origin it may have: the site's own and
/// each configured one (a message to another origin is dropped by the browser).
/// Nothing is posted when the widget is not embedded.
pub fn post_to_host(message: &ToHost<'_>, allowed: &[String]) {
    let Ok(Some(parent)) = window().parent() else {
        return;
    };
    if parent == window() {
        return;
    }
    let Ok(text) = serde_json::to_string(message) else {
        return;
    };
    let Ok(data) = js_sys::JSON::parse(&text) else {
        return;
    };
    let own = own_origin();
    let targets =
        std::iter::once(own.clone()).chain(allowed.iter().filter(|o| **o != own).cloned());
    for origin in targets {
        let _ = parent.post_message(&data, &origin);
    }
}

/// Follows the event stream at `path` (a call's or a message's), opened with a
/// single-use `ticket` (the token never goes in a URL): `on_update` gets each
/// new state, `on_end` runs once the stream is over (the server ended it because
/// everything it shows is final, or answered 204 because nothing was left). Returns
/// the stream, to be closed when no longer needed.
pub fn follow_events(
    path: &str,
    ticket: &str,
    on_update: impl Fn(NotificationView) + 'static,
    on_end: impl Fn() + 'static,
) -> Option<web_sys::EventSource> {
    // `replies=1`: the stream stays open while a reply may still come.
    let url = format!(
        "{path}?ticket={}&replies=1",
        String::from(js_sys::encode_uri_component(ticket))
    );
    let source = web_sys::EventSource::new(&url).ok()?;
    let status =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            if let Some(view) = event
                .data()
                .as_string()
                // From bytes, as the server functions' answers are read: one decoder of
                // the message's state in the bundle, not two.
                .and_then(|t| serde_json::from_slice(t.as_bytes()).ok())
            {
                on_update(view);
            }
        });
    // A reply comes as its message's state with the replies it has now.
    for event in ["status", "reply"] {
        let _ = source.add_event_listener_with_callback(event, status.as_ref().unchecked_ref());
    }
    status.forget();
    let on_end = std::rc::Rc::new(on_end);
    let ended = {
        let (source, on_end) = (source.clone(), on_end.clone());
        Closure::<dyn Fn(web_sys::Event)>::new(move |_: web_sys::Event| {
            source.close();
            on_end();
        })
    };
    let _ = source.add_event_listener_with_callback("end", ended.as_ref().unchecked_ref());
    ended.forget();
    // A 204 (or a stream the browser gave up on) closes the source without `end`.
    let failed = {
        let source = source.clone();
        Closure::<dyn Fn(web_sys::Event)>::new(move |_: web_sys::Event| {
            if source.ready_state() == web_sys::EventSource::CLOSED {
                on_end();
            }
        })
    };
    let _ = source.add_event_listener_with_callback("error", failed.as_ref().unchecked_ref());
    failed.forget();
    Some(source)
}

/// Now, by the browser's clock.
pub fn browser_now() -> time::OffsetDateTime {
    let seconds = (js_sys::Date::now() / 1000.0) as i64;
    time::OffsetDateTime::from_unix_timestamp(seconds).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// A fresh random key for one send attempt (128 random bits, hex).
pub fn new_attempt_key() -> String {
    let mut key = String::with_capacity(36);
    for _ in 0..4 {
        let part = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
        key.push_str(&format!("{part:08x}"));
    }
    format!("w-{key}")
}

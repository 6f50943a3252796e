//! The call the widget serves, as the host says: its id and queue (URL parameters
//! `call_id` and `queue_id`, or `agent-notify:call` messages) and where it is
//! (`ringing`, `active`, `ended`). Sending stays open while the call lasts and for a
//! grace period after it ends (the server's `embed.call_grace_secs`), the call still
//! shown; then it closes until the next call.

use super::host::Prefill;
use crate::domain::{CallState, WidgetBootstrap};
use crate::ui::query_param;
use leptos::prelude::*;

/// Where the call is, and since when it ended.
#[derive(Clone, Copy)]
pub(super) struct Call {
    /// The call's queue, as the host names it.
    pub queue_id: RwSignal<Option<String>>,
    /// Where the call is (none: the host did not say, sending is open).
    pub state: RwSignal<Option<CallState>>,
    /// When it ended (browser milliseconds).
    ended_at: RwSignal<Option<f64>>,
    /// The browser's clock, moved on every second while a call has ended.
    now: RwSignal<f64>,
}

impl Call {
    /// The call as the page's URL gives it.
    pub(super) fn from_url() -> Self {
        let call = Self {
            queue_id: RwSignal::new(query_param("queue_id")),
            state: RwSignal::new(None),
            ended_at: RwSignal::new(None),
            now: RwSignal::new(js_sys::Date::now()),
        };
        // The page is the whole frame: the clock lives as long as it.
        gloo_timers::callback::Interval::new(1_000, move || {
            if call.ended_at.get_untracked().is_some() {
                call.now.set(js_sys::Date::now());
            }
        })
        .forget();
        call
    }

    /// Takes the host's `agent-notify:call` news: a new call (id) starts afresh.
    pub(super) fn follow_host(&self, call_id: RwSignal<Option<String>>, news: Prefill) {
        let Some(id) = news.call_id.filter(|c| !c.is_empty()) else {
            return;
        };
        if call_id.get_untracked().as_deref() != Some(id.as_str()) {
            call_id.set(Some(id));
            self.ended_at.set(None);
        }
        if news.queue_id != self.queue_id.get_untracked() {
            self.queue_id.set(news.queue_id.filter(|q| !q.is_empty()));
        }
        if let Some(state) = news.state {
            if state == CallState::Ended && self.ended_at.get_untracked().is_none() {
                let now = js_sys::Date::now();
                self.now.set(now);
                self.ended_at.set(Some(now));
            }
            if state != CallState::Ended {
                self.ended_at.set(None);
            }
            self.state.set(Some(state));
        }
    }

    /// Seconds of sending left after the call ended (none while it lasts).
    fn left(&self, grace_secs: u32) -> Option<u32> {
        let ended = self.ended_at.get()?;
        let gone = ((self.now.get() - ended) / 1_000.0).max(0.0);
        Some((f64::from(grace_secs) - gone).max(0.0).ceil() as u32)
    }

    /// Whether sending has closed: the call ended longer ago than the grace period.
    pub(super) fn closed(&self, loaded: Memo<Option<WidgetBootstrap>>) -> bool {
        let grace = loaded.with(|b| b.as_ref().map_or(0, |b| b.call_grace_secs));
        self.left(grace) == Some(0)
    }
}

/// The call the widget is attached to, its queue and where it is; after it ends, how
/// long sending stays open, then that it closed.
#[component]
pub(super) fn CallBar(
    call_id: RwSignal<Option<String>>,
    call: Call,
    loaded: Memo<Option<WidgetBootstrap>>,
) -> impl IntoView {
    let grace = move || loaded.with(|b| b.as_ref().map_or(0, |b| b.call_grace_secs));
    let queue = move || {
        loaded
            .with(|b| b.as_ref().and_then(|b| b.queue_name.clone()))
            .or_else(|| call.queue_id.get())
    };
    let note = move || match call.left(grace()) {
        None => None,
        Some(0) => Some((
            "closed",
            "The call ended: sending is closed until the next call.".to_owned(),
        )),
        Some(left) => Some((
            "grace",
            format!(
                "The call ended: you can still send for {}:{:02}.",
                left / 60,
                left % 60
            ),
        )),
    };
    view! {
        <Show when=move || call_id.get().is_some()>
            <p class="call-bar" data-testid="call-info">
                <span>{move || format!("Call {}", call_id.get().unwrap_or_default())}</span>
                {move || queue().map(|q| view! { <span>{format!(" · Queue {q}")}</span> })}
                {move || call.state.get().map(|s| view! { <span class=format!("call-state {}", s.as_str())>{format!(" · {}", s.label())}</span> })}
            </p>
            {move || note().map(|(kind, text)| view! {
                <p class=format!("hint call-note {kind}") role="status" data-testid="call-note">{text}</p>
            })}
        </Show>
    }
}

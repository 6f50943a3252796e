//! The status corner: each message sent in this call, newest first, with its UUID
//! (copyable), a coloured status badge that updates live, the failure reason and a real
//! Resend; and a Refresh usable once every 15 seconds, with a visible countdown.

use super::host::copy_to_clipboard;
use crate::domain::{NotificationStatus, NotificationView};
use leptos::prelude::*;

/// Seconds between two manual refreshes.
pub const REFRESH_COOLDOWN_SECS: u32 = 15;

/// A message in the corner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage {
    /// Its latest known state.
    pub view: NotificationView,
    /// The template's name, for people.
    pub template_name: String,
}

/// The badge's CSS class for a status.
fn badge_class(status: NotificationStatus) -> String {
    format!("badge badge-{}", status.as_str())
}

/// The status corner.
#[component]
pub fn StatusCorner(
    sent: RwSignal<Vec<SentMessage>>,
    cooldown: RwSignal<u32>,
    on_refresh: Callback<()>,
    on_resend: Callback<NotificationView>,
) -> impl IntoView {
    view! {
        <Show when=move || sent.with(|s| !s.is_empty())>
            <section class="status-corner" aria-label="Sent messages">
                <div class="status-head">
                    <span class="field-label">"Sent in this call"</span>
                    <button
                        class="button small secondary"
                        data-testid="refresh"
                        disabled=move || { cooldown.get() > 0 }
                        on:click=move |_| on_refresh.run(())
                    >
                        {move || match cooldown.get() {
                            0 => "Refresh".to_owned(),
                            s => format!("Refresh in {s}s"),
                        }}
                    </button>
                </div>
                <ul class="sent-list">
                    <For
                        each=move || sent.get()
                        key=|m| (m.view.uuid.clone(), m.view.status, m.view.history.len())
                        children=move |m| {
                            let uuid = m.view.uuid.clone();
                            let copy_uuid = uuid.clone();
                            let failed = m.view.status == NotificationStatus::Failed;
                            let reason = m.view.error.as_ref().map(|e| e.message.clone());
                            let by_sms = m.view.sms_fallback().map(str::to_owned);
                            let view_for_resend = m.view.clone();
                            view! {
                                <li class="sent" data-uuid=uuid.clone() data-status=m.view.status.as_str()>
                                    <div class="sent-row">
                                        <span class=badge_class(m.view.status)>{m.view.status.label()}</span>
                                        <span class="sent-template">
                                            {format!("{} · {}", m.view.channel.label(), m.template_name)}
                                        </span>
                                    </div>
                                    <div class="sent-row">
                                        <code class="uuid" title=uuid.clone()>{uuid.clone()}</code>
                                        <button
                                            class="button small secondary"
                                            aria-label="Copy the message id"
                                            on:click=move |_| copy_to_clipboard(&copy_uuid)
                                        >
                                            "Copy"
                                        </button>
                                    </div>
                                    {by_sms.map(|n| view! { <p class="hint" data-testid="channel-switch">{n}</p> })}
                                    {reason.map(|r| view! { <p class="hint error" data-testid="failure-reason">{r}</p> })}
                                    {failed.then(|| {
                                        let v = view_for_resend.clone();
                                        view! {
                                            <button class="button small" on:click=move |_| on_resend.run(v.clone())>
                                                "Resend"
                                            </button>
                                        }
                                    })}
                                </li>
                            }
                        }
                    />
                </ul>
            </section>
        </Show>
    }
}

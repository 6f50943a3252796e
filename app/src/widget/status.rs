//! The status corner, top right of the widget: the latest message's live status badge
//! and UUID (copyable), announced to screen readers as it changes, with the call's other
//! messages one click away. Below the form, the list of the messages sent in this call,
//! newest first: each with its recipient (masked) and time, its badge, UUID, the failure
//! reason and a Resend where one can succeed, and what the customer replied; and a
//! Refresh usable once every 15 seconds, with a visible countdown. Neither moves the form.

use crate::domain::{
    mask_e164, replies_until, sms_fallback, Accepted, AgentTemplate, Channel, FailureReason,
    HistoryEntry, NotificationStatus, NotificationView, Reply, TemplateId,
};
use crate::ui::{local_time, CopyButton};
use leptos::prelude::*;

/// Seconds between two manual refreshes.
pub const REFRESH_COOLDOWN_SECS: u32 = 15;

/// A message in the corner: what the widget knows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage {
    /// Its UUID.
    pub uuid: String,
    /// The channel.
    pub channel: Channel,
    /// The recipient in E.164.
    pub to: String,
    /// The template used.
    pub template_id: TemplateId,
    /// The template's name, for people.
    pub template_name: String,
    /// Its latest known status.
    pub status: NotificationStatus,
    /// Every status reached so far, oldest first (empty until the server says more).
    pub history: Vec<HistoryEntry>,
    /// Why it failed, when it did.
    pub error: Option<FailureReason>,
    /// What the customer wrote back, oldest first.
    pub replies: Vec<Reply>,
    /// When it was accepted (RFC 3339).
    pub created_at: String,
    /// Whether a reply is linked to it.
    pub expects_reply: bool,
}

impl SentMessage {
    /// A message the server just accepted (queued, nothing more known yet).
    pub fn pending(accepted: &Accepted, template: &AgentTemplate) -> Self {
        Self {
            uuid: accepted.uuid.to_string(),
            channel: accepted.channel,
            to: accepted.to.to_string(),
            template_id: template.id.clone(),
            template_name: template.name.clone(),
            status: accepted.status,
            history: Vec::new(),
            error: None,
            replies: Vec::new(),
            created_at: crate::domain::rfc3339(accepted.created_at),
            // An agent's message always gets its replies.
            expects_reply: true,
        }
    }

    /// A message as the server shows it (after a reload of the widget).
    pub fn from_view(view: NotificationView, template_name: String) -> Self {
        Self {
            uuid: view.uuid,
            channel: view.channel,
            to: view.to,
            template_id: view.template_id,
            template_name,
            status: view.status,
            history: view.history,
            error: view.error,
            replies: view.replies,
            created_at: view.created_at,
            expects_reply: view.expects_reply,
        }
    }

    /// Whether its stream is still worth following at `now`: not final yet, or a reply
    /// may still come.
    pub fn still_live(&self, now: time::OffsetDateTime) -> bool {
        !self.status.is_final_on(self.channel)
            || replies_until(self.expects_reply, self.status, &self.created_at)
                .is_some_and(|until| until > now)
    }

    /// Takes a newer state of the message; out-of-order pushes never move it back.
    /// Returns whether its status changed.
    pub fn advance(&mut self, view: &NotificationView) -> bool {
        // A status announcement does not carry the replies: only more of them count.
        if view.replies.len() > self.replies.len() {
            self.replies = view.replies.clone();
        }
        let newer = self.history.len() < view.history.len() || self.status == view.status;
        let different =
            self.status != view.status || self.history != view.history || self.error != view.error;
        if !(newer && different) {
            return false;
        }
        let changed = self.status != view.status;
        self.status = view.status;
        self.history = view.history.clone();
        self.error = view.error.clone();
        changed
    }
}

/// The badge's CSS class for a status.
fn badge_class(status: NotificationStatus) -> String {
    format!("badge badge-{}", status.as_str())
}

/// Whether a failed message may succeed if sent again (Resend is offered only then).
fn resendable(message: &SentMessage) -> bool {
    message.status == NotificationStatus::Failed
        && message
            .error
            .as_ref()
            .is_none_or(FailureReason::may_succeed_again)
}

/// The id of the list the corner points to.
const LIST_ID: &str = "sent-messages";

/// Brings the list of the call's messages into view, and the keyboard to it.
fn show_list() {
    if let Some(list) = document().get_element_by_id(LIST_ID) {
        list.scroll_into_view();
    }
    crate::ui::focus_by_id(LIST_ID);
}

/// The corner: the latest message at a glance, in the widget's header row.
#[component]
pub fn StatusCorner(sent: RwSignal<Vec<SentMessage>>) -> impl IntoView {
    let latest = Memo::new(move |_| sent.with(|s| s.first().cloned()));
    // The corner is rebuilt for another message only, not on each status change (a
    // "Copied" stays while the status moves on).
    let uuid = Memo::new(move |_| latest.with(|m| m.as_ref().map(|m| m.uuid.clone())));
    let status = move || latest.with(|m| m.as_ref().map(|m| m.status));
    let count = move || sent.with(Vec::len);
    let announcement = move || {
        latest.with(|m| {
            m.as_ref().map_or_else(String::new, |m| {
                format!("Latest message {}: {}", m.template_name, m.status.label())
            })
        })
    };
    view! {
        <p class="visually-hidden" role="status" data-testid="status-announcement">{announcement}</p>
        {move || uuid.get().is_none().then(|| view! {
            <p class="corner-empty">"Nothing sent yet"</p>
        })}
        {move || uuid.get().map(|uuid| {
            view! {
                <section class="status-corner" aria-label="Latest message" data-testid="status-corner">
                    <span
                        class=move || status().map(badge_class)
                        data-testid="corner-status"
                    >
                        {move || status().map(NotificationStatus::label)}
                    </span>
                    <code class="corner-uuid" title=uuid.clone() data-testid="corner-uuid">
                        {format!("{}…", uuid.get(..8).unwrap_or(&uuid))}
                    </code>
                    <CopyButton text=uuid.clone() what="the latest message's id" />
                    <button type="button" class="link corner-all" on:click=move |_| show_list()>
                        {move || match count() {
                            1 => "Details".to_owned(),
                            n => format!("All {n} messages"),
                        }}
                    </button>
                </section>
            }
        })}
    }
}

/// The messages sent in this call, newest first, below the form.
#[component]
pub fn SentList(
    sent: RwSignal<Vec<SentMessage>>,
    cooldown: RwSignal<u32>,
    on_refresh: Callback<()>,
    on_resend: Callback<SentMessage>,
) -> impl IntoView {
    view! {
        <Show when=move || sent.with(|s| !s.is_empty())>
            <section class="sent-messages" id=LIST_ID tabindex="-1" aria-label="Sent in this call">
                <div class="status-head">
                    <h2 class="field-label">"Sent in this call"</h2>
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
                        key=|m| (m.uuid.clone(), m.status, m.history.len(), m.replies.len())
                        children=move |m| view! { <SentItem message=m on_resend=on_resend /> }
                    />
                </ul>
            </section>
        </Show>
    }
}

/// One message of the list.
#[component]
fn SentItem(message: SentMessage, on_resend: Callback<SentMessage>) -> impl IntoView {
    let m = message;
    let uuid = m.uuid.clone();
    let reason = m.error.as_ref().map(|e| e.message.clone());
    let by_sms = sms_fallback(&m.history).map(str::to_owned);
    let resend = resendable(&m).then(|| m.clone());
    let recipient = format!(
        "To {} · {}",
        mask_e164(&m.to),
        local_time(&m.created_at, false)
    );
    view! {
        <li class="sent" data-uuid=uuid.clone() data-status=m.status.as_str()>
            <div class="sent-row">
                <span class=badge_class(m.status)>{m.status.label()}</span>
                <span class="sent-template">
                    {format!("{} · {}", m.channel.label(), m.template_name)}
                </span>
            </div>
            <p class="sent-meta" data-testid="sent-meta">{recipient}</p>
            <div class="sent-row">
                <code class="uuid" title=uuid.clone()>{uuid.clone()}</code>
                <CopyButton text=uuid.clone() what="the message id" />
            </div>
            {by_sms.map(|n| view! { <p class="hint" data-testid="channel-switch">{n}</p> })}
            {reason.map(|r| view! { <p class="hint error" data-testid="failure-reason">{r}</p> })}
            {m.replies.into_iter().map(|r| view! {
                <p class="reply" data-testid="reply">
                    <span class="reply-label">"Customer replied: "</span>
                    <span class="reply-text">{r.text}</span>
                </p>
            }).collect_view()}
            {resend.map(|v| view! {
                <button class="button small" on:click=move |_| on_resend.run(v.clone())>
                    "Resend"
                </button>
            })}
        </li>
    }
}

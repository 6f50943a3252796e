//! The widget's state and what changes it: the configuration for the agent's token, the
//! host page's prefill, the country a typed `+` number names, the chosen template and
//! its field defaults, what Send does, the messages of the call (restored, followed live,
//! refreshed, resent).

use super::host::{browser_now, follow_events, post_to_host, shell_origins, ToHost};
use super::send::{Outgoing, Sender, Sent};
use super::status::{SentMessage, REFRESH_COOLDOWN_SECS};
use crate::api::{get_notification, list_notifications, new_stream_ticket, ApiError};
use crate::domain::{
    AgentTemplate, Alert, Channel, CountryCode, CustomerDetails, NotificationStatus,
    NotificationView, PhoneNumber, PhoneParseError, Recipient, TemplateId, TemplateKind,
    WidgetBootstrap,
};
use crate::ui::{initial_token, query_param};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::{BTreeMap, HashMap};

/// How long the widget waits before following again when a stream could not start.
const STREAM_RETRY_MS: u32 = 2_000;

/// The widget's state, shared by its parts.
#[derive(Clone, Copy)]
pub(super) struct WidgetState {
    pub(super) token: RwSignal<String>,
    pub(super) call_id: RwSignal<Option<String>>,
    pub(super) allowed_origins: RwSignal<Vec<String>>,
    pub(super) sent: RwSignal<Vec<SentMessage>>,
    pub(super) comments_version: RwSignal<u32>,
    /// Open streams by key (none while a stream's ticket is on its way).
    pub(super) streams: StoredValue<HashMap<String, Option<web_sys::EventSource>>, LocalStorage>,
    /// States that came on the call's stream before the send's answer: a message the
    /// provider refuses at once is final on the server before the widget lists it.
    early: StoredValue<HashMap<String, NotificationView>>,
    /// The agent's desktop alerts.
    pub(super) alerts: super::alerts::Alerts,
}

impl WidgetState {
    /// The state the page opens with: the token from the URL fragment (or kept for
    /// this tab), the call from the URL, the origins the page shell names.
    pub(super) fn from_page() -> Self {
        Self {
            token: RwSignal::new(initial_token().unwrap_or_default()),
            call_id: RwSignal::new(query_param("call_id")),
            allowed_origins: RwSignal::new(shell_origins()),
            sent: RwSignal::new(Vec::new()),
            comments_version: RwSignal::new(0),
            streams: StoredValue::new_local(HashMap::new()),
            early: StoredValue::new(HashMap::new()),
            alerts: super::alerts::Alerts::new(),
        }
    }

    /// Records a message's new state; tells the host when the status changed. The state
    /// of a message not listed yet is kept until its send's answer lists it.
    pub(super) fn update(&self, view: NotificationView) {
        if !self
            .sent
            .with_untracked(|list| list.iter().any(|m| m.uuid == view.uuid))
        {
            self.keep_early(view);
            return;
        }
        let mut changed = false;
        let mut news = None;
        self.sent.update(|list| {
            if let Some(m) = list.iter_mut().find(|m| m.uuid == view.uuid) {
                let replies = m.replies.len();
                changed = m.advance(&view);
                let alert = if m.replies.len() > replies {
                    Some(Alert::Reply)
                } else if changed && m.status == NotificationStatus::Failed {
                    Some(Alert::Failed)
                } else if changed && m.status == NotificationStatus::Delivered {
                    Some(Alert::Delivered)
                } else {
                    None
                };
                news = alert.map(|a| (a, m.clone()));
            }
        });
        if let Some((alert, message)) = news {
            self.alerts.announce(alert, &message);
        }
        if changed {
            post_to_host(
                &ToHost::Status {
                    uuid: &view.uuid,
                    status: view.status,
                },
                &self.allowed_origins.get_untracked(),
            );
        }
        if view.status.is_final_on(view.channel) && !view.awaits_reply(browser_now()) {
            self.close_stream(&view.uuid);
        }
    }

    /// Starts following a message's status live: through the call's one stream when
    /// the widget has a call (every message of the call rides on it), else its own.
    pub(super) fn follow(&self, uuid: &str) {
        let (key, path) = match self.call_id.get_untracked() {
            Some(call) => (
                format!("call:{call}"),
                format!(
                    "/api/v1/calls/{}/events",
                    String::from(js_sys::encode_uri_component(&call))
                ),
            ),
            None => (
                uuid.to_owned(),
                format!("/api/v1/notifications/{uuid}/events"),
            ),
        };
        if self.streams.with_value(|s| s.contains_key(&key)) {
            return;
        }
        // Taken while the ticket is on its way, so the stream is opened once.
        self.streams.update_value(|s| {
            s.insert(key.clone(), None);
        });
        let state = *self;
        let token = self.token.get_untracked();
        spawn_local(async move {
            let ticket = match new_stream_ticket(token).await {
                Ok(t) => t.ticket,
                Err(_) => {
                    // Try again later, through a fresh read of what is still on its way.
                    gloo_timers::future::TimeoutFuture::new(STREAM_RETRY_MS).await;
                    state.stream_ended(&key);
                    return;
                }
            };
            if !state.streams.with_value(|s| s.contains_key(&key)) {
                return; // closed meanwhile
            }
            let ended = key.clone();
            let source = follow_events(
                &path,
                &ticket,
                move |view| state.update(view),
                move || state.stream_ended(&ended),
            );
            state.streams.update_value(|s| match source {
                Some(source) => {
                    s.insert(key, Some(source));
                }
                None => {
                    s.remove(&key);
                }
            });
        });
    }

    /// A stream is over: forget it; read again what this widget still thinks is on
    /// its way, and follow again what really is (a message sent just as the call's
    /// stream ended). Reading first keeps a missed last event from reopening streams
    /// the server has nothing for.
    fn stream_ended(&self, key: &str) {
        self.close_stream(key);
        let now = browser_now();
        let pending: Vec<String> = self.sent.with_untracked(|list| {
            list.iter()
                .filter(|m| m.still_live(now))
                .map(|m| m.uuid.clone())
                .collect()
        });
        let state = *self;
        for uuid in pending {
            let token = self.token.get_untracked();
            spawn_local(async move {
                if let Ok(view) = get_notification(token, uuid.clone()).await {
                    let still_pending =
                        !view.status.is_final_on(view.channel) || view.awaits_reply(browser_now());
                    state.update(view);
                    if still_pending {
                        state.follow(&uuid);
                    }
                }
            });
        }
    }

    fn close_stream(&self, key: &str) {
        self.streams.update_value(|s| {
            if let Some(Some(source)) = s.remove(key) {
                source.close();
            }
        });
    }

    /// Keeps the newest state of a message not listed yet (a few at most: one that never
    /// gets listed — sent by another window on the call — does not pile up).
    fn keep_early(&self, view: NotificationView) {
        const MOST_KEPT: usize = 20;
        self.early.update_value(|early| {
            if early.len() >= MOST_KEPT && !early.contains_key(&view.uuid) {
                early.clear();
            }
            early.insert(view.uuid.clone(), view);
        });
    }

    /// A message the server accepted: shown first in the corner, announced to the
    /// host, followed live, and the call's comments reloaded.
    pub(super) fn accepted(&self, sent: Sent) {
        let message = SentMessage::pending(&sent.accepted, &sent.template);
        let uuid = message.uuid.clone();
        self.sent.update(|list| {
            if !list.iter().any(|m| m.uuid == uuid) {
                list.insert(0, message);
            }
        });
        post_to_host(
            &ToHost::Sent {
                uuid: &sent.accepted.uuid,
                channel: sent.accepted.channel,
                template_id: &sent.template.id,
                call_id: sent.call_id.as_ref(),
            },
            &self.allowed_origins.get_untracked(),
        );
        if let Some(view) = self
            .early
            .try_update_value(|early| early.remove(&uuid))
            .flatten()
        {
            self.update(view);
        }
        self.follow(&uuid);
        self.comments_version.update(|v| *v += 1);
    }
}

/// What the agent is choosing: country, number, channel, template.
#[derive(Clone, Copy)]
pub(super) struct Choice {
    pub(super) country: RwSignal<CountryCode>,
    pub(super) number: RwSignal<String>,
    pub(super) channel: RwSignal<Option<Channel>>,
    pub(super) selected: RwSignal<Option<String>>,
}

/// The templates of the chosen channel, and the one the agent picked.
/// (With the WhatsApp window closed, the account's recontact template comes first.)
pub(super) fn chosen_template(
    loaded: Memo<Option<WidgetBootstrap>>,
    choice: Choice,
    recontact: Signal<Option<TemplateId>>,
) -> (Memo<Vec<AgentTemplate>>, Memo<Option<AgentTemplate>>) {
    let channel_templates = Memo::new(move |_| {
        let (Some(b), Some(c)) = (loaded.get(), choice.channel.get()) else {
            return Vec::new();
        };
        let mut list = b
            .templates
            .into_iter()
            .filter(|t| t.channel == c)
            .collect::<Vec<_>>();
        if let Some(first) = recontact.get().filter(|_| c == Channel::Whatsapp) {
            // A stable sort: the recontact template first, the others in the admin's order.
            list.sort_by_key(|t| t.id != first);
        }
        list
    });
    let template = Memo::new(move |_| {
        let id = choice.selected.get()?;
        channel_templates.with(|ts| ts.iter().find(|t| t.id.as_str() == id).cloned())
    });
    (channel_templates, template)
}

/// The values the customer's data gives the chosen template's fields (the host page's
/// customer first, else the CRM's).
pub(super) fn field_defaults(
    loaded: Memo<Option<WidgetBootstrap>>,
    host_customer: RwSignal<Option<CustomerDetails>>,
    template: Memo<Option<AgentTemplate>>,
) -> Memo<BTreeMap<String, String>> {
    Memo::new(move |_| {
        let customer = host_customer
            .get()
            .or_else(|| loaded.get().and_then(|b| b.customer));
        let (Some(c), Some(t)) = (customer, template.get()) else {
            return BTreeMap::new();
        };
        t.fields
            .iter()
            .filter_map(|f| c.value_for_field(f).map(|v| (f.name.clone(), v)))
            .collect()
    })
}

/// What Send does: a static template goes at once, a dynamic one opens the fields
/// pop-up, whose Send goes with the values.
pub(super) fn send_actions(
    check: Memo<Option<Result<PhoneNumber, PhoneParseError>>>,
    template: Memo<Option<AgentTemplate>>,
    sender: Sender,
    dialog_open: RwSignal<bool>,
) -> (Callback<()>, Callback<BTreeMap<String, String>>) {
    let to = move || match check.get_untracked() {
        Some(Ok(n)) => Some(Recipient::E164(n.e164().to_owned())),
        _ => None,
    };
    let send_fields = move |fields: BTreeMap<String, String>| {
        if let (Some(to), Some(template)) = (to(), template.get_untracked()) {
            sender.send(Outgoing {
                to,
                template,
                fields,
                resend_of: None,
            });
        }
    };
    let send_clicked = Callback::new(move |()| match (to(), template.get_untracked()) {
        (Some(_), Some(t)) if t.kind == TemplateKind::Dynamic => dialog_open.set(true),
        _ => send_fields(BTreeMap::new()),
    });
    (send_clicked, Callback::new(send_fields))
}

/// Messages already sent in this call (after a reload), followed live again.
pub(super) fn restore_call_messages(state: WidgetState, loaded: Memo<Option<WidgetBootstrap>>) {
    Effect::new(move |_| {
        let (Some(call_id), token) = (state.call_id.get(), state.token.get()) else {
            return;
        };
        if token.is_empty() {
            return;
        }
        spawn_local(async move {
            let Ok(list) = list_notifications(token, call_id).await else {
                return;
            };
            let names = loaded
                .get_untracked()
                .map(|b| b.templates)
                .unwrap_or_default();
            let restored: Vec<SentMessage> = list
                .into_iter()
                .map(|view| {
                    let name = template_name(&names, &view);
                    SentMessage::from_view(view, name)
                })
                .collect();
            let now = browser_now();
            let pending: Vec<String> = restored
                .iter()
                .filter(|m| m.still_live(now))
                .map(|m| m.uuid.clone())
                .collect();
            state.sent.set(restored);
            for uuid in pending {
                state.follow(&uuid);
            }
        });
    });
}

/// Resends a failed message with the same template (no fields: the server reuses the
/// failed message's values), if the group still has the template.
pub(super) fn resend(loaded: Memo<Option<WidgetBootstrap>>, sender: Sender, failed: SentMessage) {
    let templates = loaded
        .get_untracked()
        .map(|b| b.templates)
        .unwrap_or_default();
    let Some(template) = templates.into_iter().find(|t| t.id == failed.template_id) else {
        sender.error.set(Some(ApiError::new(
            "template_not_allowed",
            "This template is no longer available to your group, so the message cannot be resent.",
        )));
        return;
    };
    sender.send(Outgoing {
        to: Recipient::E164(failed.to),
        template,
        fields: BTreeMap::new(),
        resend_of: Some(failed.uuid),
    });
}

/// Reads every message of the corner again and the comments, then waits out the
/// cool-down before the next manual refresh.
pub(super) fn refresh(state: WidgetState, cooldown: RwSignal<u32>) {
    if cooldown.get_untracked() > 0 {
        return;
    }
    let token = state.token.get_untracked();
    let uuids: Vec<String> = state
        .sent
        .with_untracked(|s| s.iter().map(|m| m.uuid.clone()).collect());
    spawn_local(async move {
        for uuid in uuids {
            if let Ok(view) = get_notification(token.clone(), uuid).await {
                state.update(view);
            }
        }
    });
    state.comments_version.update(|v| *v += 1);
    spawn_local(async move {
        for left in (1..=REFRESH_COOLDOWN_SECS).rev() {
            cooldown.set(left);
            gloo_timers::future::TimeoutFuture::new(1_000).await;
        }
        cooldown.set(0);
    });
}

/// The name of the template a message used, if the group still has it.
pub(super) fn template_name(templates: &[AgentTemplate], view: &NotificationView) -> String {
    templates
        .iter()
        .find(|t| t.id == view.template_id)
        .map(|t| t.name.clone())
        .unwrap_or_else(|| view.template_id.to_string())
}

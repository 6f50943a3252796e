//! Sending from the widget: one attempt key per send (a double click or a network retry
//! reuses it, so the server answers with the first message instead of sending a second),
//! a bounded retry on network failures, and the busy and error state the form shows.

use super::host::new_attempt_key;
use crate::api::{send_notification, ApiError};
use crate::domain::{Accepted, AgentTemplate, CallId, FieldValue, QueueId, Recipient, SendRequest};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;

/// Network failures of one send attempt retried with the same key.
const NETWORK_RETRIES: u32 = 2;

/// What the agent asked to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The recipient.
    pub to: Recipient,
    /// The template.
    pub template: AgentTemplate,
    /// The field values (none for a static template or a resend).
    pub fields: BTreeMap<String, String>,
    /// The failed message this one resends.
    pub resend_of: Option<String>,
}

/// A message the server accepted.
#[derive(Debug, Clone)]
pub struct Sent {
    /// The server's answer.
    pub accepted: Accepted,
    /// The template it used.
    pub template: AgentTemplate,
    /// The call it belongs to.
    pub call_id: Option<CallId>,
}

/// The send state of the widget: whether a send is under way, why the last one was
/// refused, and what to do with an accepted one.
#[derive(Clone, Copy)]
pub struct Sender {
    /// A send is under way (the buttons are disabled).
    pub busy: RwSignal<bool>,
    /// Why the last send was refused.
    pub error: RwSignal<Option<ApiError>>,
    token: RwSignal<String>,
    call_id: RwSignal<Option<String>>,
    queue_id: RwSignal<Option<String>>,
    on_sent: Callback<Sent>,
}

impl Sender {
    /// Sends with the agent's `token`, for the call in `call_id` (from its queue).
    pub fn new(
        token: RwSignal<String>,
        call_id: RwSignal<Option<String>>,
        queue_id: RwSignal<Option<String>>,
        on_sent: Callback<Sent>,
    ) -> Self {
        Self {
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
            token,
            call_id,
            queue_id,
            on_sent,
        }
    }

    /// Sends `outgoing`, unless a send is already under way.
    pub fn send(self, outgoing: Outgoing) {
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        self.error.set(None);
        let call_id = self
            .call_id
            .get_untracked()
            .and_then(|c| CallId::parse(&c).ok());
        let Outgoing {
            to,
            template,
            fields,
            resend_of,
        } = outgoing;
        let request = SendRequest {
            group_id: None,
            data: None,
            expects_reply: true,
            to,
            channel: template.channel,
            template_id: template.id.clone(),
            fields: fields
                .into_iter()
                .map(|(k, v)| (k, FieldValue(v)))
                .collect(),
            call_id: call_id.clone(),
            queue_id: self
                .queue_id
                .get_untracked()
                .and_then(|q| QueueId::parse(&q).ok()),
            resend_of,
        };
        let token = self.token.get_untracked();
        spawn_local(async move {
            let result = send_with_retries(&token, &new_attempt_key(), &request).await;
            self.busy.set(false);
            match result {
                Ok(accepted) => self.on_sent.run(Sent {
                    accepted,
                    template,
                    call_id,
                }),
                Err(e) => self.error.set(Some(e)),
            }
        });
    }
}

/// One send attempt, tried again with the same key while the network fails.
async fn send_with_retries(
    token: &str,
    key: &str,
    request: &SendRequest,
) -> Result<Accepted, ApiError> {
    let mut retries = 0;
    loop {
        let result = send_notification(token.to_owned(), key.to_owned(), request.clone()).await;
        match result {
            Err(e) if e.code == "network_error" && retries < NETWORK_RETRIES => {
                retries += 1;
                gloo_timers::future::TimeoutFuture::new(1_000).await;
            }
            other => return other,
        }
    }
}

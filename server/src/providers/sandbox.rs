//! The sandbox provider: takes every message, then walks it to `sent` and `delivered`
//! over a few seconds, as a real provider's webhooks would. Failures on demand, by the
//! recipient's last four digits:
//!
//! | ends in | what happens |
//! |---|---|
//! | `0000` | taken, then `failed`: the handset is unreachable |
//! | `0001` | refused at once: the customer opted out (permanent) |
//! | `0002` | the provider is down: every attempt fails transiently (retried, then failed) |
//! | `0404` | RCS only: the phone cannot receive RCS, so the message goes by SMS instead |

use app::domain::{Channel, FailureReason, NotificationStatus};
use app::service::{
    now, OutboundMessage, Provider, ProviderError, ProviderReceipt, StatusSink, StatusUpdate,
};
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;

/// The sandbox provider.
pub struct SandboxProvider {
    sink: Arc<dyn StatusSink>,
    sent_after: Duration,
    delivered_after: Duration,
}

impl SandboxProvider {
    /// A sandbox reporting to `sink`, `sent_after` the hand-over and `delivered_after` that.
    pub fn new(sink: Arc<dyn StatusSink>, sent_after: Duration, delivered_after: Duration) -> Self {
        Self {
            sink,
            sent_after,
            delivered_after,
        }
    }
}

fn update(status: NotificationStatus, detail: &str, error: Option<FailureReason>) -> StatusUpdate {
    StatusUpdate {
        status,
        at: now(),
        detail: Some(detail.to_owned()),
        error,
    }
}

#[async_trait]
impl Provider for SandboxProvider {
    fn name(&self) -> &str {
        "sandbox"
    }

    /// Nothing reaches a customer.
    fn deduplicates(&self) -> bool {
        true
    }

    async fn send(&self, message: &OutboundMessage) -> Result<ProviderReceipt, ProviderError> {
        if message.to.ends_with("0001") {
            return Err(ProviderError::Permanent(FailureReason {
                code: "opted_out".into(),
                message: "The customer has opted out of messages from this sender.".into(),
            }));
        }
        if message.channel == Channel::Rcs && message.to.ends_with("0404") {
            return Err(ProviderError::SwitchToSms(
                super::rbm::NOT_RCS_CAPABLE.into(),
            ));
        }
        if message.to.ends_with("0002") {
            return Err(ProviderError::Transient(
                "the sandbox provider is unavailable (503)".into(),
            ));
        }
        let unreachable = message.to.ends_with("0000");
        let (sink, uuid) = (self.sink.clone(), message.uuid);
        let (sent_after, delivered_after) = (self.sent_after, self.delivered_after);
        // The provider's asynchronous reports, as its webhooks would bring them.
        tokio::spawn(async move {
            tokio::time::sleep(sent_after).await;
            sink.report(
                uuid,
                update(NotificationStatus::Sent, "Sent to the carrier", None),
            )
            .await;
            tokio::time::sleep(delivered_after).await;
            let last = if unreachable {
                let reason = FailureReason {
                    code: "unreachable".into(),
                    message: "The customer's phone could not be reached (switched off or out of coverage).".into(),
                };
                update(
                    NotificationStatus::Failed,
                    &reason.message.clone(),
                    Some(reason),
                )
            } else {
                update(
                    NotificationStatus::Delivered,
                    "Delivered to the handset",
                    None,
                )
            };
            sink.report(uuid, last).await;
        });
        Ok(ProviderReceipt {
            provider: "sandbox".into(),
            provider_message_id: format!("sbx-{uuid}"),
            sent: None,
        })
    }
}

impl super::Account for SandboxProvider {}

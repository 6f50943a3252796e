//! One attempt at handing a message to a provider: the hand-off recorded first, the
//! provider called, and what it answered recorded.

use super::*;

/// One delivery attempt's context.
pub(super) struct Attempt<'a> {
    pub(super) services: &'a Services,
    pub(super) recorder: &'a StatusRecorder,
    pub(super) delivery: &'a Delivery,
    /// The message as last read or written.
    pub(super) record: NotificationRecord,
}

impl Attempt<'_> {
    /// Calls the provider for an open hand-off and settles what it answered. The
    /// message moves on, each time in a new hand-off, when the channel cannot reach the
    /// customer (to the SMS accounts), and along the chain when the account refuses it
    /// for a reason of its own or has just gone down (it did not take the message).
    pub(super) async fn hand_over(
        &self,
        group: &GroupId,
        mut route: Route,
        mut handoff: Handoff,
        mut message: OutboundMessage,
    ) -> Result<Outcome, ServiceError> {
        let (services, uuid, key) = (self.services, message.uuid, self.record.key());
        let mut provider = route.provider(services);
        loop {
            let result = provider.send(&message).await;
            let note = match &result {
                Err(ProviderError::SwitchToSms(reason)) if message.channel != Channel::Sms => {
                    route = Route::of(services, group, Channel::Sms).await?;
                    message.channel = Channel::Sms;
                    switch_note(reason)
                }
                Err(ProviderError::Permanent(reason)) if reason.is_the_accounts_own() => {
                    let from = route.current();
                    if !route.advance() {
                        return self.settle(&*provider, &handoff, &message, result).await;
                    }
                    format!(
                        "{from} refused it ({}): handed to {}",
                        reason.message,
                        route.current()
                    )
                }
                Err(ProviderError::Transient(reason)) if route.current_is_down(services) => {
                    let from = route.current();
                    if !route.advance() {
                        return self.settle(&*provider, &handoff, &message, result).await;
                    }
                    format!("{from} is down ({reason}): handed to {}", route.current())
                }
                _ => return self.settle(&*provider, &handoff, &message, result).await,
            };
            // The provider did not take it: this hand-off is over, the next begins.
            services.status.close_handoff(key, handoff.attempt).await?;
            self.recorder.note(uuid, &note).await?;
            provider = route.provider(services);
            provider.wait_turn().await;
            handoff = Handoff {
                at: now(),
                channel: message.channel,
                ..handoff
            };
            if !services
                .status
                .open_handoff(
                    key,
                    HandoffClaim {
                        handoff: &handoff,
                        replacing: None,
                    },
                )
                .await?
            {
                return Ok(Outcome::Retry(services.settings.handoff_lease));
            }
        }
    }

    /// Records what the provider said about hand-off `handoff` and tells the worker
    /// what to do with the job.
    pub(super) async fn settle(
        &self,
        provider: &dyn Provider,
        handoff: &Handoff,
        message: &OutboundMessage,
        result: Result<ProviderReceipt, ProviderError>,
    ) -> Result<Outcome, ServiceError> {
        let (services, recorder, delivery) = (self.services, self.recorder, self.delivery);
        let uuid = message.uuid;
        match result {
            Ok(receipt) => {
                match receipt.sent.clone() {
                    // A provider whose taking the message is its `sent` step.
                    Some(detail) => {
                        record_taken(services, recorder, self.record.clone(), &receipt, detail)
                            .await?
                    }
                    None => keep_provider_ref(services, self.record.key(), &receipt).await?,
                }
                Ok(Outcome::Done)
            }
            Err(ProviderError::Permanent(reason)) => {
                fail(recorder, uuid, reason).await?;
                Ok(Outcome::Done)
            }
            Err(ProviderError::SwitchToSms(reason)) => {
                let reason = FailureReason {
                    code: "unreachable".into(),
                    message: reason,
                };
                fail(recorder, uuid, reason).await?;
                Ok(Outcome::Done)
            }
            Err(ProviderError::Unknown(_)) if !provider.deduplicates() => {
                settle_unknown(services, recorder, provider, message, handoff.at).await
            }
            // Not taken (or, by a provider that drops duplicates, safe to hand over again).
            Err(ProviderError::Transient(reason) | ProviderError::Unknown(reason)) => {
                services
                    .status
                    .close_handoff(self.record.key(), handoff.attempt)
                    .await?;
                if delivery.attempt >= services.settings.max_attempts {
                    let failure = FailureReason {
                        code: "provider_unavailable".into(),
                        message: format!(
                            "The provider could not take the message after {} attempts ({reason}).",
                            delivery.attempt
                        ),
                    };
                    fail(recorder, uuid, failure).await?;
                    return Ok(Outcome::DeadLetter(reason));
                }
                tracing::warn!(notification = %uuid, attempt = delivery.attempt, %reason, "transient provider failure");
                Ok(Outcome::Retry(retry_delay(
                    services.settings.retry_base_delay,
                    delivery.attempt,
                )))
            }
        }
    }
}

//! Delivering one queued job: hand the message to its channel's provider and record
//! what happened. The worker loop (in `server`) calls [`deliver`] and acks, retries or
//! dead-letters the job according to the [`Outcome`].

use super::status::{Applied, StatusRecorder};
use super::{
    now, Delivery, Job, NotificationRecord, OutboundMessage, Provider, ProviderError,
    ProviderReceipt, ServiceError, Services, StatusUpdate, StoreResult, StoredProviderAccount,
};
use crate::domain::{switch_note, Channel, FailureReason, GroupId, NotificationStatus};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// Longest wait between two attempts.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(300);

/// What the worker should do with the job next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Finished (delivered to the provider, failed for good, or nothing left to do): ack.
    Done,
    /// A transient failure: hand the job out again after this delay.
    Retry(Duration),
    /// The job can never succeed: move it to the dead letters with this reason.
    DeadLetter(String),
}

/// Which provider account sends `group`'s messages on `channel`: the account the group
/// chose on its Notification Type tab, else the channel's default account; none means
/// the configured default provider.
pub async fn account_for(
    services: &Services,
    group: &GroupId,
    channel: Channel,
) -> StoreResult<Option<StoredProviderAccount>> {
    let chosen = services
        .admin
        .notification_types(group)
        .await?
        .get(channel)
        .account
        .clone();
    let accounts = services.admin.provider_accounts().await?;
    Ok(match chosen {
        Some(id) => accounts.into_iter().find(|a| a.account.id == id),
        None => accounts
            .into_iter()
            .find(|a| a.account.default && a.account.channel == channel),
    })
}

/// The provider that sends `group`'s messages on `channel`.
async fn provider_for(
    services: &Services,
    group: &GroupId,
    channel: Channel,
) -> StoreResult<Arc<dyn Provider>> {
    let account = account_for(services, group, channel).await?;
    Ok(services.providers.provider(account.as_ref()))
}

/// Handles one delivery of a job.
pub async fn deliver(services: &Services, delivery: &Delivery) -> Result<Outcome, ServiceError> {
    let recorder = &services.recorder();
    let job: &Job = match &delivery.job {
        Ok(job) if job.readable() => job,
        Ok(job) => {
            return Ok(Outcome::DeadLetter(format!(
                "unsupported job version {}",
                job.v
            )))
        }
        Err(reason) => return Ok(Outcome::DeadLetter(format!("unreadable job: {reason}"))),
    };
    let Some(record) = services.status.get(job.uuid).await? else {
        return Ok(Outcome::DeadLetter("no record for this message".into()));
    };
    if let Some(gave_up) = &job.fallback_from {
        return deliver_fallback(services, recorder, delivery, &record, gave_up).await;
    }
    // A redelivered job whose message the provider already took: nothing to do.
    if !record.status.is_pending() || record.provider_message_id.is_some() {
        return Ok(Outcome::Done);
    }
    let provider = provider_for(services, &record.group_id, record.channel).await?;
    let sending = StatusUpdate {
        status: NotificationStatus::Sending,
        at: now(),
        detail: Some(format!(
            "Handed to {} (attempt {})",
            provider.name(),
            delivery.attempt
        )),
        error: None,
    };
    // Moving to `sending` is the claim: a first attempt that finds the message already
    // claimed is a duplicate job (another worker has it), not a retry, and stops here.
    let claimed = recorder.record(job.uuid, &sending).await?;
    if matches!(claimed, Applied::Ignored(_)) && delivery.attempt == 1 {
        return Ok(Outcome::Done);
    }
    let message = outbound(services, &record).await?;
    match provider.send(&message).await {
        Err(ProviderError::SwitchToSms(reason)) if record.channel != Channel::Sms => {
            recorder.note(job.uuid, &switch_note(&reason)).await?;
            send_by_sms(services, recorder, delivery, &record, message).await
        }
        result => settle(services, recorder, delivery, job.uuid, result).await,
    }
}

/// Sends a message by SMS after its own channel's provider gave up on it (an RCS
/// message that expired undelivered), unless that was done already.
async fn deliver_fallback(
    services: &Services,
    recorder: &StatusRecorder,
    delivery: &Delivery,
    record: &NotificationRecord,
    gave_up: &str,
) -> Result<Outcome, ServiceError> {
    // The provider changes once the SMS is taken: a repeated job finds it changed.
    if record.status.is_settled() || record.provider.as_deref() != Some(gave_up) {
        return Ok(Outcome::Done);
    }
    let message = outbound(services, record).await?;
    send_by_sms(services, recorder, delivery, record, message).await
}

async fn send_by_sms(
    services: &Services,
    recorder: &StatusRecorder,
    delivery: &Delivery,
    record: &NotificationRecord,
    message: OutboundMessage,
) -> Result<Outcome, ServiceError> {
    let sms = provider_for(services, &record.group_id, Channel::Sms).await?;
    let message = OutboundMessage {
        channel: Channel::Sms,
        ..message
    };
    let result = sms.send(&message).await;
    settle(services, recorder, delivery, record.uuid, result).await
}

/// What a message looks like to a provider (the template's provider references are
/// read at send time; a template deleted since keeps none).
async fn outbound(
    services: &Services,
    record: &NotificationRecord,
) -> Result<OutboundMessage, ServiceError> {
    let template = services.admin.template(&record.template_id).await?;
    let (language, provider_ref) = template
        .map(|t| (t.language, t.provider_ref))
        .unwrap_or_default();
    Ok(OutboundMessage {
        uuid: record.uuid,
        channel: record.channel,
        to: record.to.clone(),
        body: record.body.clone(),
        template_id: record.template_id.clone(),
        parameters: record.parameters.clone(),
        language,
        provider_ref,
    })
}

/// Records what the provider said and tells the worker what to do with the job.
async fn settle(
    services: &Services,
    recorder: &StatusRecorder,
    delivery: &Delivery,
    uuid: Uuid,
    result: Result<ProviderReceipt, ProviderError>,
) -> Result<Outcome, ServiceError> {
    match result {
        Ok(receipt) => {
            services
                .status
                .set_provider_ref(uuid, &receipt.provider, &receipt.provider_message_id)
                .await?;
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
        Err(ProviderError::Transient(reason))
            if delivery.attempt >= services.settings.max_attempts =>
        {
            let failure = FailureReason {
                code: "provider_unavailable".into(),
                message: format!(
                    "The provider could not take the message after {} attempts ({reason}).",
                    delivery.attempt
                ),
            };
            fail(recorder, uuid, failure).await?;
            Ok(Outcome::DeadLetter(reason))
        }
        Err(ProviderError::Transient(reason)) => {
            tracing::warn!(notification = %uuid, attempt = delivery.attempt, %reason, "transient provider failure");
            Ok(Outcome::Retry(retry_delay(
                services.settings.retry_base_delay,
                delivery.attempt,
            )))
        }
    }
}

async fn fail(
    recorder: &StatusRecorder,
    uuid: Uuid,
    reason: FailureReason,
) -> Result<(), ServiceError> {
    let update = StatusUpdate {
        status: NotificationStatus::Failed,
        at: now(),
        detail: Some(reason.message.clone()),
        error: Some(reason),
    };
    recorder.record(uuid, &update).await.map(|_| ())
}

/// Re-queues messages left `queued` for longer than `stale_after` (a crash between
/// recording a message and queueing it). A duplicate job is harmless: the move to
/// `sending` is the claim. Returns how many were re-queued.
pub async fn sweep_stale(
    services: &Services,
    stale_after: Duration,
) -> Result<usize, ServiceError> {
    let older_than = now() - stale_after;
    let stale = services.status.sweep_stale_queued(older_than, 100).await?;
    for (uuid, channel) in &stale {
        services.queue.enqueue(&Job::new(*uuid, *channel)).await?;
        tracing::warn!(notification = %uuid, "re-queued a message left queued");
    }
    Ok(stale.len())
}

/// Exponential backoff with ±20 % jitter: `base`, `2·base`, `4·base`, … capped at 5 min.
pub fn retry_delay(base: Duration, attempt: u32) -> Duration {
    let exp = base
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
        .min(MAX_RETRY_DELAY);
    // Jitter from a random UUID's bits: good enough to spread retries, no extra crate.
    let unit = (uuid::Uuid::new_v4().as_u128() % 1000) as f64 / 1000.0;
    exp.mul_f64(0.8 + 0.4 * unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_grow_and_stay_capped() {
        let base = Duration::from_secs(2);
        let first = retry_delay(base, 1);
        assert!(first >= Duration::from_millis(1600) && first <= Duration::from_millis(2400));
        let third = retry_delay(base, 3);
        assert!(third >= Duration::from_millis(6400) && third <= Duration::from_millis(9600));
        assert!(retry_delay(base, 40) <= MAX_RETRY_DELAY.mul_f64(1.2));
    }
}

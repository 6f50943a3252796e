//! Delivering one queued job: hand the message to its channel's provider and record
//! what happened. The worker loop (in `server`) calls [`deliver`] and acks, retries or
//! dead-letters the job according to the [`Outcome`].

use super::status::{Applied, StatusRecorder};
use super::{
    now, AlsoWrite, Delivery, Handoff, Job, MessageKey, NotificationRecord, OutboundMessage,
    Provider, ProviderError, ProviderReceipt, ServiceError, Services, StatusUpdate, StoreResult,
    StoredProviderAccount,
};
use crate::domain::{switch_note, Channel, FailureReason, GroupId, NotificationStatus, Sending};
use crate::service::{HandoffClaim, StuckCutoffs};
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use uuid::Uuid;

/// Longest wait between two attempts.
mod attempt;

use attempt::Attempt;

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

pub use super::chain::account_for;
use super::chain::Route;

/// How messages through `account` (none: no account applies) go out.
pub fn sending(services: &Services, account: Option<&StoredProviderAccount>) -> Sending {
    match account {
        Some(a) if a.account.provider == "sandbox" => Sending::Sandbox,
        Some(_) => Sending::Account,
        None => services.settings.without_account,
    }
}

/// The provider that sends `group`'s messages on `channel` now (the first account of
/// its chain that is not down).
async fn provider_for(
    services: &Services,
    group: &GroupId,
    channel: Channel,
) -> StoreResult<Arc<dyn Provider>> {
    Ok(Route::of(services, group, channel)
        .await?
        .provider(services))
}

/// Handles one delivery of a job.
///
/// A hand-off is recorded before each provider call and stays open until its outcome
/// is known, so no provider without idempotency gets a message twice: a later attempt
/// that finds an earlier hand-off open (its worker died, or its answer was lost)
/// repeats it only through a provider that drops duplicates, and otherwise settles it
/// ([`settle_unknown`]) instead of sending again.
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
    let channel = record.handoff.map_or(record.channel, |h| h.channel);
    let route = Route::of(services, &record.group_id, channel).await?;
    let provider = route.provider(services);
    let lease = services.settings.handoff_lease;
    // An open hand-off through a provider that drops duplicates is simply made again.
    if let Some(open) = record.handoff.filter(|_| !provider.deduplicates()) {
        let age = Duration::try_from(now() - open.at).unwrap_or_default();
        if age < lease {
            // Another worker may be calling the provider right now: look again later.
            return Ok(Outcome::Retry(lease - age));
        }
        let message = outbound(services, &record, channel).await?;
        return settle_unknown(services, recorder, &*provider, &message, open.at).await;
    }
    provider.wait_turn().await;
    let handoff = Handoff {
        attempt: delivery.attempt,
        at: now(),
        channel,
    };
    let claimed = claim(services, recorder, &record, provider.name(), handoff).await?;
    let Some(latest) = claimed else {
        // Another worker got there first and is handing the message over.
        return Ok(Outcome::Retry(lease));
    };
    let passed_over = route.passed_over();
    if !passed_over.is_empty() {
        let note = format!(
            "{} is down: handed to {}",
            passed_over.join(", "),
            route.current()
        );
        recorder.note(record.uuid, &note).await?;
    }
    let message = outbound(services, &record, channel).await?;
    let attempt = Attempt {
        services,
        recorder,
        delivery,
        record: latest,
    };
    attempt
        .hand_over(&record.group_id, route, handoff, message)
        .await
}

/// Records `handoff` on the message: the first is claimed with the move to `sending`,
/// in one write; a later one takes over the hand-off `record` shows. None when another
/// worker got there first. Returns the message as written.
async fn claim(
    services: &Services,
    recorder: &StatusRecorder,
    record: &NotificationRecord,
    provider: &str,
    handoff: Handoff,
) -> Result<Option<NotificationRecord>, ServiceError> {
    if record.status == NotificationStatus::Queued {
        let sending = StatusUpdate {
            status: NotificationStatus::Sending,
            at: now(),
            detail: Some(format!(
                "Handed to {provider} (attempt {})",
                handoff.attempt
            )),
            error: None,
        };
        let also = AlsoWrite::OpenHandoff(handoff);
        return Ok(
            match recorder
                .advance_with(record.clone(), &sending, &also)
                .await?
            {
                Applied::Advanced(now) => Some(now),
                _ => None,
            },
        );
    }
    let replacing = record.handoff.map(|h| h.attempt);
    let opened = services
        .status
        .open_handoff(
            record.key(),
            HandoffClaim {
                handoff: &handoff,
                replacing,
            },
        )
        .await?;
    Ok(opened.then(|| NotificationRecord {
        handoff: Some(handoff),
        ..record.clone()
    }))
}

/// Settles a hand-off whose outcome is unknown, through a provider that does not drop
/// duplicates: the provider's own record of it when the provider can be asked (the
/// message is then `sent`), otherwise the message fails as `outcome_unknown` for the
/// agent to decide. Never sends again.
async fn settle_unknown(
    services: &Services,
    recorder: &StatusRecorder,
    provider: &dyn Provider,
    message: &OutboundMessage,
    since: OffsetDateTime,
) -> Result<Outcome, ServiceError> {
    let uuid = message.uuid;
    if let Some(receipt) = provider.lookup(message, since).await {
        let current = services.status.get(uuid).await?.ok_or_else(|| {
            ServiceError::Internal(anyhow::anyhow!("a message vanished while it was sent"))
        })?;
        let detail = format!("Found at {} after its answer was lost", provider.name());
        record_taken(services, recorder, current, &receipt, detail).await?;
        return Ok(Outcome::Done);
    }
    tracing::warn!(notification = %uuid, provider = provider.name(), "hand-off of unknown outcome: failed, not sent again");
    fail(recorder, uuid, outcome_unknown()).await?;
    Ok(Outcome::Done)
}

/// Why a message fails when its provider may have sent it.
pub fn outcome_unknown() -> FailureReason {
    FailureReason {
        code: OUTCOME_UNKNOWN.into(),
        message:
            "The provider may have sent this message. Check with the customer before you resend."
                .into(),
    }
}

/// The failure code of a message its provider may have sent.
pub const OUTCOME_UNKNOWN: &str = "outcome_unknown";

/// A message the provider took is `sent`: the status and the provider's id in one
/// write — or, when a report moved the message on already, the provider's id alone.
async fn record_taken(
    services: &Services,
    recorder: &StatusRecorder,
    current: NotificationRecord,
    receipt: &ProviderReceipt,
    detail: String,
) -> Result<(), ServiceError> {
    let sent = StatusUpdate {
        status: NotificationStatus::Sent,
        at: now(),
        detail: Some(detail),
        error: None,
    };
    let (key, also) = (current.key(), AlsoWrite::ProviderRef(receipt.clone()));
    match recorder.advance_with(current, &sent, &also).await? {
        Applied::Advanced(_) => Ok(()),
        _ => keep_provider_ref(services, key, receipt).await,
    }
}

/// Records the provider's id for a message it took, trying again for a few seconds: a
/// status-store blip must not leave a taken message looking untaken.
async fn keep_provider_ref(
    services: &Services,
    message: MessageKey,
    receipt: &ProviderReceipt,
) -> Result<(), ServiceError> {
    let mut pause = Duration::from_millis(100);
    let mut tries_left = 4;
    loop {
        let stored = services.status.set_provider_ref(message, receipt).await;
        match stored {
            Err(e) if tries_left > 0 => {
                tracing::warn!(notification = %message.uuid, error = %e, "could not record the provider's id; trying again");
                tokio::time::sleep(pause).await;
                pause *= 3;
                tries_left -= 1;
            }
            result => return Ok(result?),
        }
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
    let sms = provider_for(services, &record.group_id, Channel::Sms).await?;
    sms.wait_turn().await;
    let message = outbound(services, record, Channel::Sms).await?;
    let handoff = Handoff {
        attempt: delivery.attempt,
        at: now(),
        channel: Channel::Sms,
    };
    let result = sms.send(&message).await;
    let attempt = Attempt {
        services,
        recorder,
        delivery,
        record: record.clone(),
    };
    attempt.settle(&*sms, &handoff, &message, result).await
}

/// What a message looks like to a provider on `channel` (the template's provider
/// references are read at send time; a template deleted since keeps none).
async fn outbound(
    services: &Services,
    record: &NotificationRecord,
    channel: Channel,
) -> Result<OutboundMessage, ServiceError> {
    let template = services.admin.template(&record.template_id).await?;
    let (language, provider_ref) = template
        .map(|t| (t.language, t.provider_ref))
        .unwrap_or_default();
    // Only messages older than the retention period are erased; none is still sending.
    let to = record.to.clone().ok_or_else(|| {
        ServiceError::Internal(anyhow::anyhow!(
            "message {} was erased by retention before it was sent",
            record.uuid
        ))
    })?;
    Ok(OutboundMessage {
        uuid: record.uuid,
        channel,
        to,
        body: record.body.clone(),
        template_id: record.template_id.clone(),
        parameters: record.parameters.clone(),
        language,
        provider_ref,
    })
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

/// Queues again the messages that look stuck: left `queued` for longer than
/// `queued_after` (a crash between recording a message and queueing it), or `sending`
/// with nothing done to them for longer than `sending_after` (a retry the queue lost:
/// Redis restarted without persistence, say). The job applies the hand-off rules, so
/// a duplicate job is harmless. Returns how many were queued.
pub async fn sweep_stuck(
    services: &Services,
    queued_after: Duration,
    sending_after: Duration,
) -> Result<usize, ServiceError> {
    let now = now();
    let stuck = services
        .status
        .sweep_stuck(StuckCutoffs {
            queued_before: now - queued_after,
            sending_before: now - sending_after,
            limit: 100,
        })
        .await?;
    for (uuid, channel) in &stuck {
        services.queue.enqueue(&Job::new(*uuid, *channel)).await?;
        tracing::warn!(notification = %uuid, "queued a stuck message again");
    }
    Ok(stuck.len())
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
mod tests;

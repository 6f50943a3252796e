//! The ports: what the use cases need from the outside world, as traits. Adapters live
//! in the `server` crate (SQLite/MySQL stores, embedded/Redis queues, providers) and are
//! chosen by configuration; the use cases never know which one they talk to.

mod access;
mod admin;
mod contacts;
mod status;

pub use access::*;
pub use admin::*;
pub use contacts::*;
pub use status::*;

use super::error::StoreError;
use crate::domain::{
    CallId, Channel, Comment, FailureReason, GroupId, NotificationView, ProviderRef, Template,
    TemplateId, E164,
};
use async_trait::async_trait;
use futures::stream::BoxStream;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use uuid::Uuid;

/// Result of a port call.
pub type StoreResult<T> = Result<T, StoreError>;

/// Templates, groups and their channel mappings (SQL: SQLite embedded, MySQL in production).
#[async_trait]
pub trait ConfigStore: Send + Sync {
    /// The channels `group` has enabled, in display order.
    async fn enabled_channels(&self, group: &GroupId) -> StoreResult<Vec<Channel>>;
    /// The templates mapped to `group` for `channel` (if enabled), in the admin's order.
    async fn group_templates(
        &self,
        group: &GroupId,
        channel: Channel,
    ) -> StoreResult<Vec<Template>>;
    /// Whether the store can be reached (readiness).
    async fn ping(&self) -> StoreResult<()>;
}

/// What an idempotency reservation found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reservation {
    /// The caller owns the key now and must finish the work; `response` is the stored
    /// response (ours, or the one of an abandoned attempt we take over).
    Reserved {
        /// The response to give once the work is done.
        response: String,
    },
    /// Another request holds or finished the key.
    Taken {
        /// The fingerprint of that request's body.
        fingerprint: String,
        /// Its response.
        response: String,
        /// Whether its work is done.
        completed: bool,
    },
}

/// A request's claim of its idempotency key ([`IdempotencyStore::reserve`]).
#[derive(Debug, Clone, Copy)]
pub struct IdempotencyClaim<'a> {
    /// Who asks (keys are per caller).
    pub caller: &'a str,
    /// The `Idempotency-Key`.
    pub key: &'a str,
    /// The request body's fingerprint.
    pub fingerprint: &'a str,
    /// The answer to repeat.
    pub response: &'a str,
    /// How long an unfinished claim holds before a request with the same body takes it over.
    pub stale_after: Duration,
}

/// `Idempotency-Key` bookkeeping (SQL).
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims `(caller, key)` for a request with `fingerprint`, storing `response` as the
    /// answer to repeat. A claim left unfinished for longer than `stale_after`, or
    /// abandoned, is taken over by a request with the same fingerprint (all `claim`'s).
    async fn reserve(&self, claim: &IdempotencyClaim<'_>) -> StoreResult<Reservation>;
    /// Marks the claim's work as done.
    async fn complete(&self, caller: &str, key: &str) -> StoreResult<()>;
    /// Forgets keys last touched before `before` (their stored answers hold numbers).
    async fn purge_before(&self, before: OffsetDateTime) -> StoreResult<u64>;
    /// Marks the claim's work as failed part-way, so a retry takes it over at once.
    async fn abandon(&self, caller: &str, key: &str) -> StoreResult<()>;
}

/// A call's comment log (SQL).
#[async_trait]
pub trait CommentStore: Send + Sync {
    /// Appends a comment to a call's log.
    async fn add(&self, call_id: &CallId, group: &GroupId, comment: &Comment) -> StoreResult<()>;
    /// How many comments a call has (every send adds one).
    async fn count_for_call(&self, call_id: &CallId) -> StoreResult<u64>;
    /// The log of a call as `group` sees it, oldest first.
    async fn for_call(
        &self,
        call_id: &CallId,
        group: Option<&GroupId>,
    ) -> StoreResult<Vec<Comment>>;
}

/// The unit of work on the gateway queue. This is the queue contract: every queue
/// adapter stores exactly this, serialised as JSON, and bumps `v` on any change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// Format version (currently [`Job::VERSION`]).
    pub v: u8,
    /// The message to deliver.
    pub uuid: Uuid,
    /// Its channel (lets a queue route by channel without reading the record).
    pub channel: Channel,
    /// A fallback: the provider that gave up on the message (an RCS message that
    /// expired undelivered); the job sends it again by SMS unless it was already.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_from: Option<String>,
}

impl Job {
    /// The current job format version (2 added `fallback_from`).
    pub const VERSION: u8 = 2;

    /// A job for message `uuid`.
    pub fn new(uuid: Uuid, channel: Channel) -> Self {
        Self {
            v: Self::VERSION,
            uuid,
            channel,
            fallback_from: None,
        }
    }

    /// A job sending message `uuid` by SMS after `provider` gave up on it.
    pub fn sms_fallback(uuid: Uuid, channel: Channel, provider: &str) -> Self {
        Self {
            fallback_from: Some(provider.to_owned()),
            ..Self::new(uuid, channel)
        }
    }

    /// Whether a worker of this version can read the job (version 1 is a subset).
    pub fn readable(&self) -> bool {
        (1..=Self::VERSION).contains(&self.v)
    }
}

/// A job handed to a worker, with the queue's bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The queue's id for this entry (to ack or retry it).
    pub receipt: String,
    /// How many times it has been handed out, this time included.
    pub attempt: u32,
    /// The job, or why it could not be read (a poison entry, dead-lettered).
    pub job: Result<Job, String>,
}

/// The gateway queue (embedded SQLite queue, or Redis Streams in production).
#[async_trait]
pub trait JobQueue: Send + Sync {
    /// Adds a job; durable once this returns.
    async fn enqueue(&self, job: &Job) -> StoreResult<()>;
    /// Takes up to `max` jobs, waiting up to `wait` for the first one. A job not acked
    /// or retried within the queue's visibility timeout is handed out again.
    async fn receive(&self, max: usize, wait: Duration) -> StoreResult<Vec<Delivery>>;
    /// Removes a finished job.
    async fn ack(&self, delivery: &Delivery) -> StoreResult<()>;
    /// Hands the job out again after `delay`.
    async fn retry(&self, delivery: &Delivery, delay: Duration) -> StoreResult<()>;
    /// Moves a job that can never succeed aside, with the reason.
    async fn dead_letter(&self, delivery: &Delivery, reason: &str) -> StoreResult<()>;
    /// Jobs waiting (for metrics and readiness).
    async fn depth(&self) -> StoreResult<u64>;
    /// Jobs taken by a worker and not yet settled (for metrics).
    async fn pending(&self) -> StoreResult<u64>;
}

/// A message ready for a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundMessage {
    /// Our id; providers that take a client reference get it, so a redelivered job
    /// cannot make a second customer message.
    pub uuid: Uuid,
    /// The channel.
    pub channel: Channel,
    /// Recipient in E.164.
    pub to: E164,
    /// The rendered text.
    pub body: String,
    /// The template's id.
    pub template_id: TemplateId,
    /// Field values in field order (template parameters).
    pub parameters: Vec<(String, String)>,
    /// The template's language code, when it has one.
    pub language: Option<String>,
    /// The template's references at the providers (WhatsApp name, Content SID, DLT ids).
    pub provider_ref: ProviderRef,
}

/// What a provider said when it took a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderReceipt {
    /// The provider's name (`sandbox`, `twilio`, …).
    pub provider: String,
    /// The provider's id for the message.
    pub provider_message_id: String,
    /// For providers whose taking the message is its `sent` step (no later report
    /// says so): the history line to record it with.
    pub sent: Option<String>,
}

/// Why a provider did not take a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// Rate limited, 5xx, unreachable: the provider did not take it; worth retrying.
    #[error("temporary provider failure: {0}")]
    Transient(String),
    /// No answer after the request went out (a timeout, a dropped connection, an
    /// unreadable acceptance): the provider may have taken the message.
    #[error("the provider may have taken the message: {0}")]
    Unknown(String),
    /// Will never work as sent: fail the message with this reason.
    #[error("provider refused the message: {}", .0.message)]
    Permanent(FailureReason),
    /// This channel cannot reach the customer (not RCS capable): send by SMS instead.
    #[error("the channel cannot reach the customer: {0}")]
    SwitchToSms(String),
}

/// A messaging provider (sandbox, Twilio, Meta, RBM, DLT gateway).
#[async_trait]
pub trait Provider: Send + Sync {
    /// The provider's name, as recorded on messages.
    fn name(&self) -> &str;
    /// Whether the provider drops a second hand-off of the same message (it takes our
    /// UUID as its idempotency key), so a hand-off of unknown outcome can be repeated.
    fn deduplicates(&self) -> bool {
        false
    }
    /// Waits until the provider's send rate allows one more message.
    async fn wait_turn(&self) {}
    /// Hands a message over.
    async fn send(&self, message: &OutboundMessage) -> Result<ProviderReceipt, ProviderError>;
    /// Looks for `message` among those the provider took since `since` (a hand-off whose
    /// answer was lost); none when it finds none or cannot look.
    async fn lookup(
        &self,
        _message: &OutboundMessage,
        _since: OffsetDateTime,
    ) -> Option<ProviderReceipt> {
        None
    }
}

/// The providers behind the accounts (the service decides which account sends a
/// message; see `delivery::account_for`).
pub trait ProviderDirectory: Send + Sync {
    /// The provider that sends through `account`, paced to its rate; the configured
    /// default provider when no account applies.
    fn provider(&self, account: Option<&StoredProviderAccount>) -> Arc<dyn Provider>;

    /// Whether `account` is down: its circuit breaker opened after repeated failures
    /// to reach it, and has not let a trial through since.
    fn is_down(&self, account: &StoredProviderAccount) -> bool {
        let _ = account;
        false
    }
}

/// Which message a provider's report is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageRef {
    /// Our UUID (providers that echo our reference).
    Ours(Uuid),
    /// The provider's id for it.
    Provider(String),
}

/// What a provider's report asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportedChange {
    /// A status change.
    Status(StatusUpdate),
    /// The channel gave up (an RCS message expired undelivered): send it by SMS.
    FallBackToSms(String),
    /// A line for the message's history, its status unchanged (the provider is
    /// switching the message to another of its channels).
    Note(String),
}

/// One event a provider reported about a message (a webhook's status events).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderReport {
    /// The message.
    pub message: MessageRef,
    /// What happened.
    pub change: ReportedChange,
}

/// Where providers report what happened to a message after they took it
/// (webhooks; the sandbox reports directly).
#[async_trait]
pub trait StatusSink: Send + Sync {
    /// Records a status change for message `uuid`.
    async fn report(&self, uuid: Uuid, update: StatusUpdate);
}

/// The customer-details lookup (the CRM's webhook), keyed by call id and number.
#[async_trait]
pub trait CustomerLookup: Send + Sync {
    /// What the CRM knows; `Ok(None)` when it knows nothing, `Err` when it failed or
    /// did not answer in time (the caller carries on without it).
    async fn lookup(
        &self,
        call_id: Option<&CallId>,
        number: Option<&str>,
    ) -> Result<Option<crate::domain::CustomerDetails>, String>;
}

/// Live status changes, for the widget's push updates (SSE): in-process, or shared by
/// every process through Redis.
pub trait StatusFeed: Send + Sync {
    /// Announces a message's new state.
    fn publish(&self, view: &NotificationView);
    /// Every state announced from now on, by any process the feed reaches. A listener
    /// that falls behind misses changes (streams also re-read the store now and then).
    fn subscribe(&self) -> BoxStream<'static, NotificationView>;
}

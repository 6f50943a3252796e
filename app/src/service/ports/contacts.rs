//! The port of the customer's side: the opt-out list, customers' inbound messages (what
//! they wrote, which of our messages it answers) and the last time each wrote.

use super::{AuditRecord, StoreResult};
use crate::domain::{Channel, OptOut, OptOutKey, OptOutSource, Reply, E164};
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

/// A customer's message, as a provider's webhook delivered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMessage {
    /// The customer's number.
    pub from: E164,
    /// The channel it came on.
    pub channel: Channel,
    /// Our number (or sender id, or WhatsApp number id) it was sent to.
    pub to_sender: String,
    /// The provider's id for it (duplicates of a webhook are recorded once).
    pub provider_message_id: String,
    /// What the customer wrote (a button's text for a button press).
    pub text: String,
    /// When the provider says it was sent.
    pub at: OffsetDateTime,
    /// The provider's id of our message it quotes, when the customer replied to one.
    pub replying_to: Option<String>,
}

/// An inbound message as stored: the account it came through and the message of ours
/// it answers, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundRecord {
    /// The message.
    pub message: InboundMessage,
    /// The account's key (`twilio:tw-sms`).
    pub account: String,
    /// Our message it answers.
    pub answers: Option<Uuid>,
}

/// Which opt-outs to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OptOutFilter {
    /// Only this channel's.
    pub channel: Option<Channel>,
    /// Only this number's.
    pub number: Option<E164>,
}

/// The opt-out list and the customers' messages (SQL).
#[async_trait]
pub trait ContactStore: Send + Sync {
    /// The opt-outs, newest first.
    async fn opt_outs(&self, filter: &OptOutFilter) -> StoreResult<Vec<OptOut>>;
    /// Adds `keys` (an entry already there keeps its first source and time), with the
    /// audit entry when an admin did it; all or none. Returns how many were new.
    async fn add_opt_outs(
        &self,
        keys: &[OptOutKey],
        source: OptOutSource,
        audit: Option<&AuditRecord>,
    ) -> StoreResult<u64>;
    /// Removes the entry for exactly `key`; whether there was one.
    async fn remove_opt_out(
        &self,
        key: &OptOutKey,
        audit: Option<&AuditRecord>,
    ) -> StoreResult<bool>;
    /// Whether `number` opted out of `channel`, from every sender or from `sender`.
    async fn opted_out(&self, number: &E164, channel: Channel, sender: &str) -> StoreResult<bool>;
    /// Records a customer's message and, in the same transaction, what it asks of the
    /// opt-out list (`Some((key, true))` adds the key, `Some((key, false))` removes it);
    /// false, and nothing changed, when the same provider message was recorded already
    /// (a webhook delivered twice must not undo a later START or STOP).
    async fn record_inbound(
        &self,
        record: &InboundRecord,
        opt_out: Option<(&OptOutKey, bool)>,
    ) -> StoreResult<bool>;
    /// When `number` last wrote on `channel` (through `account`, when given).
    async fn last_inbound(
        &self,
        number: &E164,
        channel: Channel,
        account: Option<&str>,
    ) -> StoreResult<Option<OffsetDateTime>>;
    /// The replies to each of `messages`, oldest first.
    async fn replies(&self, messages: &[Uuid]) -> StoreResult<Vec<(Uuid, Reply)>>;
    /// Erases what customers wrote before `before` (retention); how many messages.
    async fn erase_inbound_before(&self, before: OffsetDateTime) -> StoreResult<u64>;
}

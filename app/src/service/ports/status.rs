//! The status store's port: messages, their status history and hand-offs.

use super::{ProviderReceipt, StoreResult};
use crate::domain::{
    rfc3339, CallId, Channel, FailureReason, GroupId, HistoryEntry, HistoryFilter,
    NotificationStatus, NotificationView, StatsFilter, StatsRows, TemplateId, UserId, E164,
};
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

/// Where a message is kept: its UUID and the channel it was accepted on. A store may
/// keep each channel's messages apart (MongoDB: a collection each); a message sent on
/// by SMS after its own channel gave up stays with its first channel's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageKey {
    /// The message's id.
    pub uuid: Uuid,
    /// The channel it was accepted on.
    pub channel: Channel,
}

/// A message as the status store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRecord {
    /// The message's id.
    pub uuid: Uuid,
    /// Its channel.
    pub channel: Channel,
    /// Current status.
    pub status: NotificationStatus,
    /// Recipient in E.164; none once erased by retention.
    pub to: Option<E164>,
    /// The template used.
    pub template_id: TemplateId,
    /// The template's name at send time.
    pub template_name: String,
    /// The call it belongs to.
    pub call_id: Option<CallId>,
    /// The sending agent.
    pub agent_id: UserId,
    /// The agent's group.
    pub group_id: GroupId,
    /// The rendered text.
    pub body: String,
    /// The checked field values, in field order.
    pub parameters: Vec<(String, String)>,
    /// The failed message this one resends.
    pub resend_of: Option<Uuid>,
    /// The provider that took it, once one did.
    pub provider: Option<String>,
    /// The provider's id for it.
    pub provider_message_id: Option<String>,
    /// When it was accepted.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
    /// Every status reached, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Why it failed, when it did.
    pub error: Option<FailureReason>,
    /// The hand-off to a provider whose outcome is not recorded yet, if one is open.
    pub handoff: Option<Handoff>,
    /// Whether a customer's reply is linked to it: always for an agent's message, when
    /// asked (`expects_reply`) for a workflow's.
    pub expects_reply: bool,
}

/// What a status change writes besides the status, in the same write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlsoWrite {
    /// Nothing else.
    Nothing,
    /// Opens a hand-off; the change is refused unless none is open and no provider took
    /// the message (the move to `sending` is the claim of the first hand-off).
    OpenHandoff(Handoff),
    /// The provider that took the message, and its id there.
    ProviderRef(ProviderReceipt),
}

/// A hand-off of a message to a provider, recorded before the provider is called and
/// open until its outcome is known: the provider's id recorded, or its call known not to
/// have taken the message. An open hand-off that no worker is still making means the
/// provider may or may not have the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handoff {
    /// The delivery attempt that made it.
    pub attempt: u32,
    /// When it began.
    pub at: OffsetDateTime,
    /// The channel it went out on (an RCS message switched to SMS goes out by SMS).
    pub channel: Channel,
}

impl NotificationRecord {
    /// Where the message is kept.
    pub fn key(&self) -> MessageKey {
        MessageKey {
            uuid: self.uuid,
            channel: self.channel,
        }
    }

    /// The record after a compare-and-set of `update` and `also` (what the stores
    /// write: the status, its history line, the failure or none, the later of the two
    /// times, and `also`).
    pub fn apply(&mut self, update: &StatusUpdate, also: &AlsoWrite) {
        match also {
            AlsoWrite::Nothing => {}
            AlsoWrite::OpenHandoff(handoff) => self.handoff = Some(*handoff),
            AlsoWrite::ProviderRef(receipt) => {
                self.provider = Some(receipt.provider.clone());
                self.provider_message_id = Some(receipt.provider_message_id.clone());
            }
        }
        self.status = update.status;
        self.updated_at = self.updated_at.max(update.at);
        self.error = update.failure().cloned();
        self.history.push(HistoryEntry {
            status: update.status,
            at: rfc3339(update.at),
            detail: update.detail.clone(),
        });
    }

    /// The public view of the record.
    pub fn view(&self) -> NotificationView {
        NotificationView {
            uuid: self.uuid.to_string(),
            channel: self.channel,
            status: self.status,
            to: self
                .to
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            template_id: self.template_id.clone(),
            template_name: self.template_name.clone(),
            call_id: self.call_id.clone(),
            agent_id: self.agent_id.clone(),
            group_id: self.group_id.clone(),
            resend_of: self.resend_of.map(|u| u.to_string()),
            provider: self.provider.clone(),
            created_at: rfc3339(self.created_at),
            updated_at: rfc3339(self.updated_at),
            history: self.history.clone(),
            error: self.error.clone(),
            replies: Vec::new(),
            expects_reply: self.expects_reply,
        }
    }
}

/// A status change reported for a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusUpdate {
    /// The new status.
    pub status: NotificationStatus,
    /// When it happened.
    pub at: OffsetDateTime,
    /// What happened, in plain words (no personal data).
    pub detail: Option<String>,
    /// Why, when the status is `failed`.
    pub error: Option<FailureReason>,
}

impl StatusUpdate {
    /// Why the message failed: the update's error when it is a failure, none otherwise
    /// (a status that proves a failure wrong clears it).
    pub fn failure(&self) -> Option<&FailureReason> {
        self.error
            .as_ref()
            .filter(|_| self.status == NotificationStatus::Failed)
    }
}

/// Which messages to list, newest first (the caller's scope already in `matching`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationFilter {
    /// The messages wanted, and how many.
    pub matching: HistoryFilter,
    /// Whether each comes with its status history (a CSV export needs none).
    pub with_history: bool,
}

/// A compare-and-set of one message's status ([`StatusStore::compare_and_set`]).
#[derive(Debug, Clone, Copy)]
pub struct CompareAndSet<'a> {
    /// The message.
    pub message: MessageKey,
    /// The status it must still have.
    pub expected: NotificationStatus,
    /// The change.
    pub update: &'a StatusUpdate,
    /// What is written with it.
    pub also: &'a AlsoWrite,
}

/// When a message counts as stuck ([`StatusStore::sweep_stuck`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StuckCutoffs {
    /// Still `queued` and created before this.
    pub queued_before: OffsetDateTime,
    /// `sending`, with nothing done to it since this.
    pub sending_before: OffsetDateTime,
    /// At most this many at once.
    pub limit: u32,
}

/// A hand-off to record before a provider is called ([`StatusStore::open_handoff`]).
#[derive(Debug, Clone, Copy)]
pub struct HandoffClaim<'a> {
    /// The hand-off.
    pub handoff: &'a Handoff,
    /// The attempt whose open hand-off it replaces (none: none may be open).
    pub replacing: Option<u32>,
}

/// A line added to a message's history without a status change ([`StatusStore::note`]).
#[derive(Debug, Clone, Copy)]
pub struct Note<'a> {
    /// When.
    pub at: OffsetDateTime,
    /// What happened, in plain words (no personal data).
    pub detail: &'a str,
}

/// Where a customer's reply came from ([`StatusStore::latest_to`]): the number it
/// came from, on which channel, to which account, and since when it may answer.
#[derive(Debug, Clone, Copy)]
pub struct ReplyOrigin<'a> {
    /// The customer's number (the message's `to`).
    pub to: &'a E164,
    /// The channel.
    pub channel: Channel,
    /// The account key the reply came to.
    pub provider: &'a str,
    /// The oldest a message it answers may be.
    pub since: OffsetDateTime,
}

/// Message status and history (SQL embedded, MongoDB in production).
#[async_trait]
pub trait StatusStore: Send + Sync {
    /// Records a new message; recording the same UUID again changes nothing.
    async fn create(&self, record: &NotificationRecord) -> StoreResult<()>;
    /// One message.
    async fn get(&self, uuid: Uuid) -> StoreResult<Option<NotificationRecord>>;
    /// Messages matching `filter`, newest first.
    async fn list(&self, filter: &NotificationFilter) -> StoreResult<Vec<NotificationRecord>>;
    /// The delivery figures of the messages accepted in `filter`'s period.
    async fn stats(&self, filter: &StatsFilter) -> StoreResult<StatsRows>;
    /// Compare-and-set: moves `cas.message` to `cas.update`'s status, with its history
    /// line and error, and writes `cas.also` with it, only if its status is still
    /// `cas.expected` (and `also`'s own condition holds); whether it did. (Which moves are progress is the
    /// service's rule, not the store's.)
    async fn compare_and_set(&self, cas: CompareAndSet<'_>) -> StoreResult<bool>;
    /// Up to `cutoffs.limit` messages that look stuck, and were last swept before the
    /// same cutoff: still `queued` and created before `queued_before`, or `sending` with
    /// no provider id and nothing done to them (no change, no hand-off) since
    /// `sending_before`. Marks them swept now. (The sweeper queues them again.)
    async fn sweep_stuck(&self, cutoffs: StuckCutoffs) -> StoreResult<Vec<(Uuid, Channel)>>;
    /// Records, before a provider is called, that `claim.handoff` hands message `key`
    /// over: only while no provider id is recorded and the open hand-off is the one made
    /// by attempt `claim.replacing` (none: no hand-off open). Whether it did (of two workers,
    /// one does).
    async fn open_handoff(&self, key: MessageKey, claim: HandoffClaim<'_>) -> StoreResult<bool>;
    /// Closes the hand-off made by `attempt`: the provider did not take the message.
    async fn close_handoff(&self, message: MessageKey, attempt: u32) -> StoreResult<()>;
    /// Removes a message that was never accepted (its enqueue failed), with its history.
    async fn withdraw(&self, message: MessageKey) -> StoreResult<()>;
    /// Adds a line to a message's history without changing its status (a channel
    /// switch, say); the record as it is now, or none if there is no such message.
    async fn note(&self, uuid: Uuid, note: Note<'_>) -> StoreResult<Option<NotificationRecord>>;
    /// The newest message expecting a reply that went to `origin.to` on its channel,
    /// taken by the account `origin.provider` at or after `origin.since` (what a
    /// customer's reply answers).
    async fn latest_to(&self, origin: ReplyOrigin<'_>) -> StoreResult<Option<Uuid>>;
    /// The message a provider knows as `provider_message_id` (webhooks that carry only
    /// the provider's id).
    async fn find_by_provider_id(
        &self,
        provider: &str,
        provider_message_id: &str,
    ) -> StoreResult<Option<Uuid>>;
    /// The message a provider knows as `provider_message_id`, with its history: one
    /// round trip where the store can (a status webhook reads nothing else first).
    async fn get_by_provider_id(
        &self,
        provider: &str,
        provider_message_id: &str,
    ) -> StoreResult<Option<NotificationRecord>> {
        match self
            .find_by_provider_id(provider, provider_message_id)
            .await?
        {
            Some(uuid) => self.get(uuid).await,
            None => Ok(None),
        }
    }
    /// Notes which provider took `message` and its id there (`receipt`).
    async fn set_provider_ref(
        &self,
        message: MessageKey,
        receipt: &ProviderReceipt,
    ) -> StoreResult<()>;
    /// Erases the number, body and field values of messages created before `before`
    /// (retention); their UUID, status, history and counts stay. How many it erased.
    async fn erase_before(&self, before: OffsetDateTime) -> StoreResult<u64>;
    /// Whether the store can be reached (readiness).
    async fn ping(&self) -> StoreResult<()>;
}

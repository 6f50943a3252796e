//! Following a message: reading its status, listing messages, the call's comments,
//! and recording the status changes providers report.

use super::{
    AlsoWrite, Caller, Job, MessageRef, NotificationRecord, ProviderReport, ReportedChange, Role,
    ServiceError, Services, StatusFeed, StatusSink, StatusStore, StatusUpdate,
};
use crate::domain::{
    replies_until, switch_note, CallId, Channel, Comment, HistoryFilter, NotificationStatus,
    NotificationView, Transition,
};
use crate::service::{CompareAndSet, Note};
use async_trait::async_trait;
use futures::stream::{BoxStream, StreamExt};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// How long a report waits for the provider's answer to our request to be recorded.
const ANSWER_WAIT: Duration = Duration::from_secs(2);

/// Most messages one list returns.
pub const LIST_LIMIT_MAX: u32 = 200;

fn not_found() -> ServiceError {
    ServiceError::NotFound {
        code: "notification_not_found",
        message: "No such notification.".into(),
    }
}

/// Reads a call id a caller gave (422 `invalid_call_id` naming `call_id`).
pub fn parse_call_id(text: &str) -> Result<CallId, ServiceError> {
    CallId::parse(text).map_err(|e| {
        ServiceError::invalid(
            "invalid_call_id",
            format!("The call id {e}."),
            "call_id",
            e.to_string(),
        )
    })
}

/// Parses a message id from a path; anything that is not a UUID is simply not found.
pub fn parse_uuid(text: &str) -> Result<Uuid, ServiceError> {
    Uuid::parse_str(text).map_err(|_| not_found())
}

/// One message, if the caller may see it (`GET /api/v1/notifications/{uuid}`).
pub async fn get_notification(
    services: &Services,
    caller: &Caller,
    uuid: Uuid,
) -> Result<NotificationView, ServiceError> {
    let record = services.status.get(uuid).await?.ok_or_else(not_found)?;
    if !caller.may_read(&record.agent_id, &record.group_id) {
        return Err(not_found());
    }
    let mut views = [caller.shown(record.view())];
    super::contacts::attach_replies(services, &mut views).await?;
    let [view] = views;
    Ok(view)
}

/// The caller's recent messages, newest first (`GET /api/v1/notifications` without
/// history filters; the widget's list of a call).
pub async fn list_notifications(
    services: &Services,
    caller: &Caller,
    call_id: Option<CallId>,
    limit: Option<u32>,
) -> Result<Vec<NotificationView>, ServiceError> {
    let limit = limit.unwrap_or(50);
    if !(1..=LIST_LIMIT_MAX).contains(&limit) {
        return Err(ServiceError::invalid(
            "invalid_limit",
            format!("limit must be between 1 and {LIST_LIMIT_MAX}."),
            "limit",
            "out of range",
        ));
    }
    let filter = HistoryFilter {
        call_id,
        limit,
        ..HistoryFilter::default()
    };
    Ok(super::history::page_of(services, caller, filter)
        .await?
        .notifications)
}

/// What a live stream starts from and follows.
pub struct Watch {
    /// The messages as they are now.
    pub current: Vec<NotificationView>,
    /// Every later change to them.
    pub changes: BoxStream<'static, NotificationView>,
}

/// A message's current state followed by every change, for its SSE endpoint. The
/// subscription starts before the current state is read, so no change is missed.
pub async fn watch_notification(
    services: &Services,
    caller: &Caller,
    uuid: Uuid,
) -> Result<Watch, ServiceError> {
    let changes = services.feed.subscribe();
    let current = get_notification(services, caller, uuid).await?;
    let wanted = current.uuid.clone();
    let reader = caller.clone();
    Ok(Watch {
        current: vec![current],
        changes: changes
            .filter(move |v| std::future::ready(v.uuid == wanted))
            .map(move |v| reader.shown(v))
            .boxed(),
    })
}

/// Every message of a call the caller may see, followed by every change to them and
/// to messages sent on the call later (one stream per widget).
pub async fn watch_call(
    services: &Services,
    caller: &Caller,
    call_id: CallId,
) -> Result<Watch, ServiceError> {
    let changes = services.feed.subscribe();
    let current = list_notifications(
        services,
        caller,
        Some(call_id.clone()),
        Some(LIST_LIMIT_MAX),
    )
    .await?;
    let reader = caller.clone();
    Ok(Watch {
        current,
        changes: changes
            .filter(move |v| {
                std::future::ready(
                    v.call_id.as_ref() == Some(&call_id)
                        && reader.may_read(&v.agent_id, &v.group_id),
                )
            })
            .map({
                let reader = caller.clone();
                move |v| reader.shown(v)
            })
            .boxed(),
    })
}

/// What a live stream has shown of each message, so that it sends only changes and
/// knows when every message it shows is final on its channel.
#[derive(Debug, Default)]
pub struct LiveSet {
    shown: HashMap<String, Shown>,
}

/// What a stream showed of one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shown {
    status: NotificationStatus,
    history: usize,
    channel: Channel,
    replies: usize,
    /// Until when a reply may come (none: it expects none, or failed).
    replies_until: Option<time::OffsetDateTime>,
}

/// Why a view is news to a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum News {
    /// A message not shown yet, or its status changed (an SSE `status` event).
    Status,
    /// The customer replied (an SSE `reply` event).
    Reply,
}

impl News {
    /// The SSE event's name.
    pub fn event(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Reply => "reply",
        }
    }
}

impl LiveSet {
    /// Whether `view` is news, and why; notes it. A status change announced without
    /// the replies (the status feed does not read them) does not forget them.
    pub fn take(&mut self, view: &NotificationView) -> Option<News> {
        let before = self.shown.get(&view.uuid).copied();
        let now = Shown {
            status: view.status,
            history: view.history.len(),
            channel: view.channel,
            replies: view.replies.len().max(before.map_or(0, |b| b.replies)),
            replies_until: replies_until(view.expects_reply, view.status, &view.created_at),
        };
        self.shown.insert(view.uuid.clone(), now);
        match before {
            Some(b)
                if (b.status, b.history, b.channel) != (now.status, now.history, now.channel) =>
            {
                Some(News::Status)
            }
            Some(b) if b.replies < now.replies => Some(News::Reply),
            Some(_) => None,
            None => Some(News::Status),
        }
    }

    /// Whether every message shown is final on its channel (true for none) and, when
    /// the stream follows replies, none may still get one.
    pub fn settled(&self, follow_replies: bool) -> bool {
        let now = super::now();
        self.shown.values().all(|s| {
            s.status.is_final_on(s.channel)
                && !(follow_replies && s.replies_until.is_some_and(|until| until > now))
        })
    }
}

/// The call's comment log as the caller's group sees it (admins see all of it); an API
/// key, which belongs to no group, reads the lines of its own sends only, as it reads
/// only the messages it sent.
pub async fn call_comments(
    services: &Services,
    caller: &Caller,
    call_id: &CallId,
) -> Result<Vec<Comment>, ServiceError> {
    let mut comments = services
        .comments
        .for_call(call_id, caller.reading_group()?)
        .await?;
    if caller.role == Role::Integrator {
        comments.retain(|c| c.author == caller.id.as_str());
    }
    Ok(comments)
}

/// What recording a status change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// The status moved forward; the record as it is now.
    Advanced(NotificationRecord),
    /// Stale, duplicate or contradicted: nothing changed.
    Ignored(NotificationRecord),
    /// No such message.
    NotFound,
}

/// Records status changes by the forward-only rule (see
/// [`NotificationStatus::transition_to`](crate::domain::NotificationStatus::transition_to))
/// and announces the ones that advance. This is the one place the rule is applied: the
/// stores only compare-and-set, so concurrent or out-of-order updates never move a
/// status back whichever store holds it.
#[derive(Clone)]
pub struct StatusRecorder {
    store: Arc<dyn StatusStore>,
    feed: Arc<dyn StatusFeed>,
}

impl StatusRecorder {
    /// A recorder writing to `store` and announcing on `feed`.
    pub fn new(store: Arc<dyn StatusStore>, feed: Arc<dyn StatusFeed>) -> Self {
        Self { store, feed }
    }

    /// Applies `update` if it is progress; returns what happened.
    pub async fn record(&self, uuid: Uuid, update: &StatusUpdate) -> Result<Applied, ServiceError> {
        match self.store.get(uuid).await? {
            Some(current) => self.advance(current, update).await,
            None => {
                tracing::warn!(notification = %uuid, "status for an unknown message");
                Ok(Applied::NotFound)
            }
        }
    }

    /// Applies `update` to a message last read as `current`, if it is progress.
    pub async fn advance(
        &self,
        current: NotificationRecord,
        update: &StatusUpdate,
    ) -> Result<Applied, ServiceError> {
        self.advance_with(current, update, &AlsoWrite::Nothing)
            .await
    }

    /// Applies `update`, and `also` in the same write, to a message last read as
    /// `current`, if it is progress (and `also`'s condition holds).
    pub async fn advance_with(
        &self,
        mut current: NotificationRecord,
        update: &StatusUpdate,
        also: &AlsoWrite,
    ) -> Result<Applied, ServiceError> {
        let uuid = current.uuid;
        let applied = loop {
            if current.status.transition_to(update.status) == Transition::Ignore {
                break Applied::Ignored(current);
            }
            if self
                .store
                .compare_and_set(CompareAndSet {
                    message: current.key(),
                    expected: current.status,
                    update,
                    also,
                })
                .await?
            {
                // What the compare-and-set wrote, without reading it back.
                current.apply(update, also);
                break Applied::Advanced(current);
            }
            // Someone else changed it since it was read: read again and decide again.
            let Some(now) = self.store.get(uuid).await? else {
                break Applied::NotFound;
            };
            if now.status == current.status && *also != AlsoWrite::Nothing {
                // The status is as read: what refused the change was `also`'s condition.
                break Applied::Ignored(now);
            }
            current = now;
        };
        match &applied {
            Applied::Advanced(record) => {
                tracing::info!(notification = %uuid, status = %record.status, "status advanced");
                self.feed.publish(&record.view());
            }
            Applied::Ignored(record) => {
                tracing::debug!(notification = %uuid, current = %record.status, reported = %update.status, "stale status ignored");
            }
            Applied::NotFound => {
                tracing::warn!(notification = %uuid, "status for an unknown message")
            }
        }
        Ok(applied)
    }

    /// Adds a line to a message's history (its status unchanged) and announces it.
    pub async fn note(&self, uuid: Uuid, detail: &str) -> Result<(), ServiceError> {
        if let Some(record) = self
            .store
            .note(
                uuid,
                Note {
                    at: super::now(),
                    detail,
                },
            )
            .await?
        {
            self.feed.publish(&record.view());
        }
        Ok(())
    }
}

/// What a provider's report did to its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportOutcome {
    /// The message changed (its status advanced, or it was queued to go by SMS).
    Applied,
    /// Nothing changed: a duplicate, stale or uninteresting event.
    Ignored,
    /// No message of ours has that reference.
    Unknown,
}

/// Applies one event a provider reported (a webhook's), by `provider`'s name for the
/// message: a status change by the forward-only rule, or a fallback to SMS.
pub async fn apply_report(
    services: &Services,
    provider: &str,
    report: ProviderReport,
) -> Result<ReportOutcome, ServiceError> {
    let found = match &report.message {
        MessageRef::Ours(uuid) => services.status.get(*uuid).await?,
        MessageRef::Provider(id) => services.status.get_by_provider_id(provider, id).await?,
    };
    let Some(mut current) = found else {
        return Ok(ReportOutcome::Unknown);
    };
    let uuid = current.uuid;
    // A provider may report on a message before its answer to our request is recorded
    // (the hand-off is still open): give that answer a moment to land.
    let deadline = tokio::time::Instant::now() + ANSWER_WAIT;
    while current.provider.is_none()
        && current.handoff.is_some()
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
        match services.status.get(uuid).await? {
            Some(latest) => current = latest,
            None => return Ok(ReportOutcome::Unknown),
        }
    }
    if current.provider.as_deref() != Some(provider) {
        // Sent through another account (or not handed to any yet): not this one's to change.
        tracing::warn!(notification = %current.uuid, "a webhook event about a message this account did not send: ignored");
        return Ok(ReportOutcome::Ignored);
    }
    Ok(match report.change {
        ReportedChange::Status(update) => {
            match services.recorder().advance(current, &update).await? {
                Applied::Advanced(_) => ReportOutcome::Applied,
                Applied::Ignored(_) => ReportOutcome::Ignored,
                Applied::NotFound => ReportOutcome::Unknown,
            }
        }
        ReportedChange::FallBackToSms(reason) => {
            if fall_back_to_sms(services, uuid, provider, &reason).await? {
                ReportOutcome::Applied
            } else {
                ReportOutcome::Ignored
            }
        }
        ReportedChange::Note(text) => {
            // A provider repeating a webhook adds the line once.
            if current
                .history
                .iter()
                .any(|h| h.detail.as_deref() == Some(&text))
            {
                ReportOutcome::Ignored
            } else {
                services.recorder().note(uuid, &text).await?;
                ReportOutcome::Applied
            }
        }
    })
}

/// A provider gave up on delivering message `uuid` on its channel (an RCS message
/// expired undelivered): note why in its history and queue it to go out by SMS.
/// Repeated reports, and messages already delivered, failed or sent by SMS, change
/// nothing. Returns whether a fallback was queued.
pub async fn fall_back_to_sms(
    services: &Services,
    uuid: Uuid,
    provider: &str,
    reason: &str,
) -> Result<bool, ServiceError> {
    let Some(record) = services.status.get(uuid).await? else {
        return Ok(false);
    };
    let note = switch_note(reason);
    let repeated = record
        .history
        .iter()
        .any(|h| h.detail.as_deref() == Some(note.as_str()));
    if record.channel == Channel::Sms
        || record.status.is_settled()
        || repeated
        || record.provider.as_deref() != Some(provider)
    {
        return Ok(false);
    }
    services.recorder().note(uuid, &note).await?;
    services
        .queue
        .enqueue(&Job::sms_fallback(uuid, record.channel, provider))
        .await?;
    Ok(true)
}

#[async_trait]
impl StatusSink for StatusRecorder {
    async fn report(&self, uuid: Uuid, update: StatusUpdate) {
        if let Err(e) = self.record(uuid, &update).await {
            tracing::error!(notification = %uuid, error = %e, "could not record a reported status");
        }
    }
}

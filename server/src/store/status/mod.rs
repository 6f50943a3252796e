//! The status port on SQL (SQLite or MySQL): one row per message plus its history; status changes are
//! compare-and-set, so concurrent or out-of-order updates never move a status back.

mod changes;
mod creates;

use super::group_commit::{rows_of, GroupCommit, InQuery, MOST_PER_BATCH};
use super::records::{read_by_provider_ids, read_by_uuids, ProviderRefAsk};
use super::{store_error, to_ms, Dialect, RowExt, SqlStore, Tx};
use app::domain::time::parse_rfc3339;
use app::domain::{CallId, Channel, HistoryEntry, NotificationStatus, StatsFilter, StatsRows};
use app::service::{
    AlsoWrite, MessageKey, NotificationFilter, NotificationRecord, StatusStore, StatusUpdate,
    StoreResult,
};
use app::service::{CompareAndSet, HandoffClaim, Note, ProviderReceipt, ReplyOrigin, StuckCutoffs};
use async_trait::async_trait;
pub(super) use changes::StatusChange as Change;
use changes::{change_all, StatusChange};
use creates::{create_all, insert_history};
use sqlx::any::AnyRow;
use sqlx::AnyPool;
use time::OffsetDateTime;
use uuid::Uuid;

#[async_trait]
impl StatusStore for SqlStore {
    async fn create(&self, record: &NotificationRecord) -> StoreResult<()> {
        // Messages accepted at the same time are recorded in one transaction.
        let creates = self.writes.creates.get_or_init(|| {
            let (pool, dialect) = (self.pool.clone(), self.dialect);
            GroupCommit::start(MOST_PER_BATCH, move |records| {
                create_all(pool.clone(), dialect, records)
            })
        });
        creates.run(record.clone()).await
    }

    async fn get(&self, uuid: Uuid) -> StoreResult<Option<NotificationRecord>> {
        // Reads made at the same time (webhooks, the worker, the widgets) share one query.
        let reads = self.writes.by_uuid.get_or_init(|| {
            let pool = self.pool.clone();
            GroupCommit::start(MOST_PER_BATCH, move |uuids| {
                read_by_uuids(pool.clone(), uuids)
            })
        });
        reads.run(uuid.to_string()).await
    }

    async fn list(&self, filter: &NotificationFilter) -> StoreResult<Vec<NotificationRecord>> {
        self.list_matching(filter).await
    }

    async fn stats(&self, filter: &StatsFilter) -> StoreResult<StatsRows> {
        self.count_matching(filter).await
    }

    async fn compare_and_set(&self, cas: CompareAndSet<'_>) -> StoreResult<bool> {
        // Changes made at the same time (a provider's webhooks, the worker's) share
        // one transaction.
        let changes = self.writes.changes.get_or_init(|| {
            let pool = self.pool.clone();
            GroupCommit::start(MOST_PER_BATCH, move |changes| {
                change_all(pool.clone(), changes)
            })
        });
        changes
            .run(StatusChange {
                uuid: cas.message.uuid,
                expected: cas.expected,
                update: cas.update.clone(),
                also: cas.also.clone(),
            })
            .await
    }

    async fn sweep_stuck(&self, cutoffs: StuckCutoffs) -> StoreResult<Vec<(Uuid, Channel)>> {
        // One condition, used to find the candidates and again to take each one.
        const STUCK: &str = "((status = 'queued' AND created_at < ?)
              OR (status = 'sending' AND provider_message_id IS NULL
                  AND updated_at < ? AND (handoff_at IS NULL OR handoff_at < ?)))
             AND (swept_at IS NULL OR swept_at < ?)";
        let (queued, sending) = (to_ms(cutoffs.queued_before), to_ms(cutoffs.sending_before));
        let candidates = sqlx::query(&format!(
            "SELECT uuid, channel FROM notifications WHERE {STUCK} ORDER BY created_at LIMIT ?"
        ))
        .bind(queued)
        .bind(sending)
        .bind(sending)
        .bind(queued)
        .bind(i64::from(cutoffs.limit))
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        let mut swept = Vec::with_capacity(candidates.len());
        for row in &candidates {
            let uuid = row.text("uuid")?;
            // Compare-and-set per message: of two sweepers, one takes it.
            let taken = sqlx::query(&format!(
                "UPDATE notifications SET swept_at = ? WHERE uuid = ? AND {STUCK}"
            ))
            .bind(to_ms(app::service::now()))
            .bind(&uuid)
            .bind(queued)
            .bind(sending)
            .bind(sending)
            .bind(queued)
            .execute(&self.pool)
            .await
            .map_err(store_error)?
            .rows_affected()
                == 1;
            if taken {
                let uuid = Uuid::parse_str(&uuid).map_err(anyhow::Error::from)?;
                let channel = row.text("channel")?.parse().map_err(anyhow::Error::from)?;
                swept.push((uuid, channel));
            }
        }
        Ok(swept)
    }

    async fn open_handoff(&self, key: MessageKey, claim: HandoffClaim<'_>) -> StoreResult<bool> {
        let opened = sqlx::query(
            "UPDATE notifications SET handoff_attempt = ?, handoff_at = ?, handoff_channel = ?
             WHERE uuid = ? AND provider_message_id IS NULL
               AND ((? IS NULL AND handoff_attempt IS NULL) OR handoff_attempt = ?)",
        )
        .bind(i64::from(claim.handoff.attempt))
        .bind(to_ms(claim.handoff.at))
        .bind(claim.handoff.channel.as_str())
        .bind(key.uuid.to_string())
        .bind(claim.replacing.map(i64::from))
        .bind(claim.replacing.map(i64::from))
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(opened.rows_affected() == 1)
    }

    async fn close_handoff(&self, message: MessageKey, attempt: u32) -> StoreResult<()> {
        sqlx::query(
            "UPDATE notifications SET handoff_attempt = NULL, handoff_at = NULL, handoff_channel = NULL
             WHERE uuid = ? AND handoff_attempt = ?",
        )
        .bind(message.uuid.to_string())
        .bind(i64::from(attempt))
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn withdraw(&self, message: MessageKey) -> StoreResult<()> {
        // History rows go with the message (ON DELETE CASCADE).
        sqlx::query("DELETE FROM notifications WHERE uuid = ? AND status = 'queued'")
            .bind(message.uuid.to_string())
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn note(&self, uuid: Uuid, note: Note<'_>) -> StoreResult<Option<NotificationRecord>> {
        // The line carries the status the message has as it is written.
        let added = sqlx::query(
            "INSERT INTO notification_history (uuid, status, at, detail)
             SELECT uuid, status, ?, ? FROM notifications WHERE uuid = ?",
        )
        .bind(to_ms(note.at))
        .bind(note.detail)
        .bind(uuid.to_string())
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        if added.rows_affected() == 0 {
            return Ok(None);
        }
        self.get(uuid).await
    }

    async fn erase_before(&self, before: OffsetDateTime) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE notifications SET to_e164 = '', body = '', parameters = '[]'
             WHERE created_at < ? AND to_e164 <> ''",
        )
        .bind(to_ms(before))
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected())
    }

    async fn latest_to(&self, origin: ReplyOrigin<'_>) -> StoreResult<Option<Uuid>> {
        let row = sqlx::query(
            "SELECT uuid FROM notifications
             WHERE to_e164 = ? AND created_at >= ? AND channel = ? AND provider = ?
               AND expects_reply = 1
             ORDER BY created_at DESC LIMIT 1",
        )
        .bind(origin.to.as_str())
        .bind(to_ms(origin.since))
        .bind(origin.channel.as_str())
        .bind(origin.provider)
        .fetch_optional(&self.pool)
        .await
        .map_err(store_error)?;
        uuid_of(row.as_ref())
    }

    async fn find_by_provider_id(
        &self,
        provider: &str,
        provider_message_id: &str,
    ) -> StoreResult<Option<Uuid>> {
        let row = sqlx::query(
            "SELECT uuid FROM notifications WHERE provider = ? AND provider_message_id = ?",
        )
        .bind(provider)
        .bind(provider_message_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(store_error)?;
        uuid_of(row.as_ref())
    }

    async fn get_by_provider_id(
        &self,
        provider: &str,
        provider_message_id: &str,
    ) -> StoreResult<Option<NotificationRecord>> {
        // Lookups made at the same time (a provider's webhooks) share one query.
        let reads = self.writes.by_provider_id.get_or_init(|| {
            let pool = self.pool.clone();
            GroupCommit::start(MOST_PER_BATCH, move |asks| {
                read_by_provider_ids(pool.clone(), asks)
            })
        });
        reads
            .run(ProviderRefAsk {
                provider: provider.to_owned(),
                id: provider_message_id.to_owned(),
            })
            .await
    }

    async fn set_provider_ref(
        &self,
        message: MessageKey,
        receipt: &ProviderReceipt,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE notifications SET provider = ?, provider_message_id = ? WHERE uuid = ?",
        )
        .bind(&receipt.provider)
        .bind(&receipt.provider_message_id)
        .bind(message.uuid.to_string())
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn ping(&self) -> StoreResult<()> {
        self.ping_sql().await
    }
}

/// The message a one-column `uuid` row names, if there is a row.
fn uuid_of(row: Option<&AnyRow>) -> StoreResult<Option<Uuid>> {
    row.map(|r| Ok(Uuid::parse_str(&r.text("uuid")?).map_err(anyhow::Error::from)?))
        .transpose()
}

//! The status port on SQL (SQLite or MySQL): one row per message plus its history; status changes are
//! compare-and-set, so concurrent or out-of-order updates never move a status back.

use super::group_commit::{rows_of, GroupCommit, InQuery, MOST_PER_BATCH};
use super::records::{read_by_provider_ids, read_by_uuids, ProviderRefAsk};
use super::{store_error, to_ms, Dialect, RowExt, SqlStore, Tx};
use app::domain::time::parse_rfc3339;
use app::domain::{
    CallId, Channel, HistoryEntry, NotificationStatus, StatsFilter, StatsRows, E164,
};
use app::service::{
    AlsoWrite, Handoff, MessageKey, NotificationFilter, NotificationRecord, StatusStore,
    StatusUpdate, StoreResult,
};
use async_trait::async_trait;
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

    async fn compare_and_set(
        &self,
        message: MessageKey,
        expected: NotificationStatus,
        update: &StatusUpdate,
        also: &AlsoWrite,
    ) -> StoreResult<bool> {
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
                uuid: message.uuid,
                expected,
                update: update.clone(),
                also: also.clone(),
            })
            .await
    }

    async fn sweep_stuck(
        &self,
        queued_before: OffsetDateTime,
        sending_before: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<(Uuid, Channel)>> {
        // One condition, used to find the candidates and again to take each one.
        const STUCK: &str = "((status = 'queued' AND created_at < ?)
              OR (status = 'sending' AND provider_message_id IS NULL
                  AND updated_at < ? AND (handoff_at IS NULL OR handoff_at < ?)))
             AND (swept_at IS NULL OR swept_at < ?)";
        let (queued, sending) = (to_ms(queued_before), to_ms(sending_before));
        let candidates = sqlx::query(&format!(
            "SELECT uuid, channel FROM notifications WHERE {STUCK} ORDER BY created_at LIMIT ?"
        ))
        .bind(queued)
        .bind(sending)
        .bind(sending)
        .bind(queued)
        .bind(i64::from(limit))
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

    async fn open_handoff(
        &self,
        message: MessageKey,
        handoff: &Handoff,
        replacing: Option<u32>,
    ) -> StoreResult<bool> {
        let opened = sqlx::query(
            "UPDATE notifications SET handoff_attempt = ?, handoff_at = ?, handoff_channel = ?
             WHERE uuid = ? AND provider_message_id IS NULL
               AND ((? IS NULL AND handoff_attempt IS NULL) OR handoff_attempt = ?)",
        )
        .bind(i64::from(handoff.attempt))
        .bind(to_ms(handoff.at))
        .bind(handoff.channel.as_str())
        .bind(message.uuid.to_string())
        .bind(replacing.map(i64::from))
        .bind(replacing.map(i64::from))
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

    async fn note(
        &self,
        uuid: Uuid,
        at: OffsetDateTime,
        detail: &str,
    ) -> StoreResult<Option<NotificationRecord>> {
        // The line carries the status the message has as it is written.
        let added = sqlx::query(
            "INSERT INTO notification_history (uuid, status, at, detail)
             SELECT uuid, status, ?, ? FROM notifications WHERE uuid = ?",
        )
        .bind(to_ms(at))
        .bind(detail)
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

    async fn latest_to(
        &self,
        to: &E164,
        channel: Channel,
        provider: &str,
        since: OffsetDateTime,
    ) -> StoreResult<Option<Uuid>> {
        let row = sqlx::query(
            "SELECT uuid FROM notifications
             WHERE to_e164 = ? AND created_at >= ? AND channel = ? AND provider = ?
               AND expects_reply = 1
             ORDER BY created_at DESC LIMIT 1",
        )
        .bind(to.as_str())
        .bind(to_ms(since))
        .bind(channel.as_str())
        .bind(provider)
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
        provider: &str,
        provider_message_id: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE notifications SET provider = ?, provider_message_id = ? WHERE uuid = ?",
        )
        .bind(provider)
        .bind(provider_message_id)
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

/// A compare-and-set of a message's status: to `update` if it is still `expected`.
pub(super) struct StatusChange {
    uuid: Uuid,
    expected: NotificationStatus,
    update: StatusUpdate,
    also: AlsoWrite,
}

/// Applies status changes made together in one transaction, each compare-and-set in
/// turn (two about one message see each other, as one after the other would), the
/// history lines of those applied in one insert; if it fails, each alone.
async fn change_all(pool: AnyPool, changes: Vec<StatusChange>) -> Vec<StoreResult<bool>> {
    if changes.len() > 1 {
        if let Ok(applied) = change_batch(&pool, &changes).await {
            return applied.into_iter().map(Ok).collect();
        }
    }
    let mut results = Vec::with_capacity(changes.len());
    for change in &changes {
        results.push(change_one(&pool, change).await);
    }
    results
}

async fn change_one(pool: &AnyPool, change: &StatusChange) -> StoreResult<bool> {
    let mut tx = pool.begin().await.map_err(store_error)?;
    if !set_status(&mut tx, change).await? {
        return Ok(false);
    }
    let update = &change.update;
    insert_history(
        &mut tx,
        change.uuid,
        update.status,
        to_ms(update.at),
        update.detail.as_deref(),
    )
    .await?;
    tx.commit().await.map_err(store_error)?;
    Ok(true)
}

async fn change_batch(pool: &AnyPool, changes: &[StatusChange]) -> StoreResult<Vec<bool>> {
    let mut tx = pool.begin().await.map_err(store_error)?;
    let mut applied = Vec::with_capacity(changes.len());
    for change in changes {
        applied.push(set_status(&mut tx, change).await?);
    }
    let lines: Vec<&StatusChange> = changes
        .iter()
        .zip(&applied)
        .filter_map(|(change, applied)| applied.then_some(change))
        .collect();
    if !lines.is_empty() {
        let sql = format!(
            "INSERT INTO notification_history (uuid, status, at, detail) VALUES {}",
            rows_of(lines.len(), 4)
        );
        let mut insert = sqlx::query(&sql);
        for change in lines {
            insert = insert
                .bind(change.uuid.to_string())
                .bind(change.update.status.as_str())
                .bind(to_ms(change.update.at))
                .bind(change.update.detail.as_deref());
        }
        insert.execute(&mut *tx).await.map_err(store_error)?;
    }
    tx.commit().await.map_err(store_error)?;
    Ok(applied)
}

/// The compare-and-set itself: whether the message was still at the expected status
/// (and, opening a hand-off, had none open) and now has the new one.
async fn set_status(tx: &mut Tx, change: &StatusChange) -> StoreResult<bool> {
    let StatusChange {
        uuid,
        expected,
        update,
        also,
    } = change;
    let error = update.failure();
    let at = to_ms(update.at);
    let (set, condition) = match also {
        AlsoWrite::Nothing => ("", ""),
        AlsoWrite::OpenHandoff(_) => (
            ", handoff_attempt = ?, handoff_at = ?, handoff_channel = ?",
            " AND handoff_attempt IS NULL AND provider_message_id IS NULL",
        ),
        AlsoWrite::ProviderRef(_) => (", provider = ?, provider_message_id = ?", ""),
    };
    let sql = format!(
        "UPDATE notifications SET status = ?,
             updated_at = CASE WHEN updated_at > ? THEN updated_at ELSE ? END,
             error_code = ?, error_message = ?{set}
         WHERE uuid = ? AND status = ?{condition}"
    );
    let mut query = sqlx::query(&sql)
        .bind(update.status.as_str())
        .bind(at)
        .bind(at)
        .bind(error.map(|e| e.code.as_str()))
        .bind(error.map(|e| e.message.as_str()));
    query = match also {
        AlsoWrite::Nothing => query,
        AlsoWrite::OpenHandoff(h) => query
            .bind(i64::from(h.attempt))
            .bind(to_ms(h.at))
            .bind(h.channel.as_str()),
        AlsoWrite::ProviderRef(r) => query
            .bind(r.provider.as_str())
            .bind(r.provider_message_id.as_str()),
    };
    let changed = query
        .bind(uuid.to_string())
        .bind(expected.as_str())
        .execute(&mut **tx)
        .await
        .map_err(store_error)?;
    Ok(changed.rows_affected() > 0)
}

/// Records one message and its history (a record whose UUID is already stored is the
/// same message: the first record stands).
async fn create_one(pool: &AnyPool, record: &NotificationRecord) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(store_error)?;
    match insert_records(&mut tx, &[record]).await? {
        Ok(()) => insert_first_lines(&mut tx, &[record]).await?,
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {}
        Err(e) => return Err(store_error(e)),
    }
    tx.commit().await.map_err(store_error)?;
    Ok(())
}

/// Records messages accepted together: one transaction for all (the UUIDs already
/// stored left out, as one at a time would); if it fails, each alone, so that each
/// gets its own answer.
async fn create_all(
    pool: AnyPool,
    dialect: Dialect,
    records: Vec<NotificationRecord>,
) -> Vec<StoreResult<()>> {
    if records.len() > 1 && create_batch(&pool, dialect, &records).await.is_ok() {
        return records.iter().map(|_| Ok(())).collect();
    }
    let mut results = Vec::with_capacity(records.len());
    for record in &records {
        results.push(create_one(&pool, record).await);
    }
    results
}

async fn create_batch(
    pool: &AnyPool,
    dialect: Dialect,
    records: &[NotificationRecord],
) -> StoreResult<()> {
    // It reads before it writes: on SQLite it takes the write lock first, so that it
    // waits for other writers instead of failing when it comes to write.
    let mut tx = match dialect {
        Dialect::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
        Dialect::MySql => pool.begin().await,
    }
    .map_err(store_error)?;
    let uuids: Vec<String> = records.iter().map(|r| r.uuid.to_string()).collect();
    let lookup = InQuery::new(
        "SELECT uuid FROM notifications WHERE uuid IN ({})",
        uuids.iter().map(String::as_str),
    );
    let stored: std::collections::HashSet<String> = lookup
        .query()
        .fetch_all(&mut *tx)
        .await
        .map_err(store_error)?
        .iter()
        .map(|row| row.text("uuid"))
        .collect::<Result<_, _>>()?;
    let new: Vec<&NotificationRecord> = records
        .iter()
        .zip(&uuids)
        .filter(|(_, uuid)| !stored.contains(*uuid))
        .map(|(record, _)| record)
        .collect();
    if !new.is_empty() {
        insert_records(&mut tx, &new).await?.map_err(store_error)?;
        insert_first_lines(&mut tx, &new).await?;
    }
    tx.commit().await.map_err(store_error)?;
    Ok(())
}

/// The rows of `records`, by one statement; the database's answer as it gave it (the
/// caller tells a UUID already stored from other failures).
async fn insert_records(
    tx: &mut Tx,
    records: &[&NotificationRecord],
) -> StoreResult<Result<(), sqlx::Error>> {
    let parameters = records
        .iter()
        .map(|r| serde_json::to_string(&r.parameters))
        .collect::<Result<Vec<_>, _>>()
        .map_err(anyhow::Error::from)?;
    let sql = format!(
        "INSERT INTO notifications (uuid, channel, status, to_e164, template_id, template_name, \
         call_id, agent_id, group_id, body, parameters, resend_of, provider, provider_message_id, \
         error_code, error_message, created_at, updated_at, expects_reply) VALUES {}",
        rows_of(records.len(), 19)
    );
    let mut insert = sqlx::query(&sql);
    for (record, parameters) in records.iter().zip(parameters) {
        insert = insert
            .bind(record.uuid.to_string())
            .bind(record.channel.as_str())
            .bind(record.status.as_str())
            .bind(record.to.as_deref().unwrap_or_default())
            .bind(record.template_id.as_str())
            .bind(&record.template_name)
            .bind(record.call_id.as_ref().map(CallId::as_str))
            .bind(record.agent_id.as_str())
            .bind(record.group_id.as_str())
            .bind(&record.body)
            .bind(parameters)
            .bind(record.resend_of.map(|u| u.to_string()))
            .bind(&record.provider)
            .bind(&record.provider_message_id)
            .bind(record.error.as_ref().map(|e| e.code.clone()))
            .bind(record.error.as_ref().map(|e| e.message.clone()))
            .bind(to_ms(record.created_at))
            .bind(to_ms(record.updated_at))
            .bind(i64::from(record.expects_reply));
    }
    Ok(insert.execute(&mut **tx).await.map(|_| ()))
}

/// The history lines new records come with, by one statement.
async fn insert_first_lines(tx: &mut Tx, records: &[&NotificationRecord]) -> StoreResult<()> {
    let lines: Vec<(Uuid, &HistoryEntry)> = records
        .iter()
        .flat_map(|r| r.history.iter().map(|h| (r.uuid, h)))
        .collect();
    if lines.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO notification_history (uuid, status, at, detail) VALUES {}",
        rows_of(lines.len(), 4)
    );
    let mut insert = sqlx::query(&sql);
    for (uuid, entry) in lines {
        let at = parse_rfc3339(&entry.at).map_err(anyhow::Error::from)?;
        insert = insert
            .bind(uuid.to_string())
            .bind(entry.status.as_str())
            .bind(to_ms(at))
            .bind(entry.detail.as_deref());
    }
    insert.execute(&mut **tx).await.map_err(store_error)?;
    Ok(())
}

async fn insert_history(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    uuid: Uuid,
    status: NotificationStatus,
    at: i64,
    detail: Option<&str>,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO notification_history (uuid, status, at, detail) VALUES (?, ?, ?, ?)")
        .bind(uuid.to_string())
        .bind(status.as_str())
        .bind(at)
        .bind(detail)
        .execute(&mut **tx)
        .await
        .map_err(store_error)?;
    Ok(())
}

/// The message a one-column `uuid` row names, if there is a row.
fn uuid_of(row: Option<&AnyRow>) -> StoreResult<Option<Uuid>> {
    row.map(|r| Ok(Uuid::parse_str(&r.text("uuid")?).map_err(anyhow::Error::from)?))
        .transpose()
}

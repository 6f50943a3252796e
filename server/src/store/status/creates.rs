//! Recording new messages with their first history line, the ones accepted at the same
//! time in one transaction.

use super::*;

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
pub(super) async fn create_all(
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

pub(super) async fn insert_history(
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

//! Compare-and-set status changes, the ones made at the same time written together.

use super::*;

/// A compare-and-set of a message's status: to `update` if it is still `expected`.
pub(in crate::store) struct StatusChange {
    pub(super) uuid: Uuid,
    pub(super) expected: NotificationStatus,
    pub(super) update: StatusUpdate,
    pub(super) also: AlsoWrite,
}

/// Applies status changes made together in one transaction, each compare-and-set in
/// turn (two about one message see each other, as one after the other would), the
/// history lines of those applied in one insert; if it fails, each alone.
pub(super) async fn change_all(
    pool: AnyPool,
    changes: Vec<StatusChange>,
) -> Vec<StoreResult<bool>> {
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

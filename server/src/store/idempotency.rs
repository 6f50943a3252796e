//! The idempotency port on SQL: an insert claims a key; a compare-and-set update takes
//! over an abandoned or stale claim; otherwise the caller learns who has it.

use super::{store_error, RowExt, SqlStore};
use app::service::IdempotencyClaim;
use app::service::{IdempotencyStore, Reservation, StoreResult};
use async_trait::async_trait;

#[async_trait]
impl IdempotencyStore for SqlStore {
    async fn purge_before(&self, before: time::OffsetDateTime) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM idempotency_keys WHERE updated_at < ?")
            .bind(super::to_ms(before))
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(done.rows_affected())
    }

    async fn reserve(&self, claim: &IdempotencyClaim<'_>) -> StoreResult<Reservation> {
        let now = super::to_ms(app::service::now());
        let stale_before = now - i64::try_from(claim.stale_after.as_millis()).unwrap_or(i64::MAX);
        // A new claim, or the takeover of an abandoned/stale one with the same body;
        // a taken-over claim keeps its stored response, so the UUID never changes.
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (caller, `key`, fingerprint, response, state, updated_at)
             VALUES (?, ?, ?, ?, 'pending', ?)",
        )
        .bind(claim.caller)
        .bind(claim.key)
        .bind(claim.fingerprint)
        .bind(claim.response)
        .bind(now)
        .execute(&self.pool)
        .await;
        match inserted {
            Ok(_) => {
                return Ok(Reservation::Reserved {
                    response: claim.response.to_owned(),
                })
            }
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {}
            Err(e) => return Err(store_error(e)),
        }
        let taken_over = sqlx::query(
            "UPDATE idempotency_keys SET state = 'pending', updated_at = ?
             WHERE caller = ? AND `key` = ? AND fingerprint = ?
               AND (state = 'abandoned' OR (state = 'pending' AND updated_at < ?))",
        )
        .bind(now)
        .bind(claim.caller)
        .bind(claim.key)
        .bind(claim.fingerprint)
        .bind(stale_before)
        .execute(&self.pool)
        .await
        .map_err(store_error)?
        .rows_affected()
            == 1;
        let row = sqlx::query(
            "SELECT fingerprint, response, state FROM idempotency_keys WHERE caller = ? AND `key` = ?",
        )
        .bind(claim.caller)
        .bind(claim.key)
        .fetch_one(&self.pool)
        .await
        .map_err(store_error)?;
        let response = row.text("response")?;
        if taken_over {
            return Ok(Reservation::Reserved { response });
        }
        Ok(Reservation::Taken {
            fingerprint: row.text("fingerprint")?,
            response,
            completed: row.text("state")? == "done",
        })
    }

    async fn complete(&self, caller: &str, key: &str) -> StoreResult<()> {
        set_state(self, caller, key, "done").await
    }

    async fn abandon(&self, caller: &str, key: &str) -> StoreResult<()> {
        set_state(self, caller, key, "abandoned").await
    }
}

async fn set_state(store: &SqlStore, caller: &str, key: &str, state: &str) -> StoreResult<()> {
    sqlx::query(
        "UPDATE idempotency_keys SET state = ?, updated_at = ? WHERE caller = ? AND `key` = ?",
    )
    .bind(state)
    .bind(super::to_ms(app::service::now()))
    .bind(caller)
    .bind(key)
    .execute(&store.pool)
    .await
    .map_err(store_error)?;
    Ok(())
}

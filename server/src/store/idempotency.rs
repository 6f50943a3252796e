//! The idempotency port on SQLite: one atomic upsert claims a key, or finds who has it.

use super::{store_error, SqliteStore};
use app::service::{IdempotencyStore, Reservation, StoreResult};
use async_trait::async_trait;
use sqlx::Row;
use std::time::Duration;

#[async_trait]
impl IdempotencyStore for SqliteStore {
    async fn reserve(
        &self,
        caller: &str,
        key: &str,
        fingerprint: &str,
        response: &str,
        stale_after: Duration,
    ) -> StoreResult<Reservation> {
        let now = super::to_ms(app::service::now());
        let stale_before = now - i64::try_from(stale_after.as_millis()).unwrap_or(i64::MAX);
        // Insert a new claim, or take over an abandoned/stale one with the same body;
        // a taken-over claim keeps its stored response, so the UUID never changes.
        let claimed = sqlx::query(
            "INSERT INTO idempotency_keys (caller, key, fingerprint, response, state, updated_at)
             VALUES (?1, ?2, ?3, ?4, 'pending', ?5)
             ON CONFLICT (caller, key) DO UPDATE SET state = 'pending', updated_at = excluded.updated_at
             WHERE idempotency_keys.fingerprint = excluded.fingerprint
               AND (idempotency_keys.state = 'abandoned'
                    OR (idempotency_keys.state = 'pending' AND idempotency_keys.updated_at < ?6))
             RETURNING response",
        )
        .bind(caller)
        .bind(key)
        .bind(fingerprint)
        .bind(response)
        .bind(now)
        .bind(stale_before)
        .fetch_optional(&self.pool)
        .await
        .map_err(store_error)?;
        if let Some(row) = claimed {
            return Ok(Reservation::Reserved {
                response: row.get("response"),
            });
        }
        let row = sqlx::query("SELECT fingerprint, response, state FROM idempotency_keys WHERE caller = ? AND key = ?")
            .bind(caller)
            .bind(key)
            .fetch_one(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(Reservation::Taken {
            fingerprint: row.get("fingerprint"),
            response: row.get("response"),
            completed: row.get::<String, _>("state") == "done",
        })
    }

    async fn complete(&self, caller: &str, key: &str) -> StoreResult<()> {
        set_state(self, caller, key, "done").await
    }

    async fn abandon(&self, caller: &str, key: &str) -> StoreResult<()> {
        set_state(self, caller, key, "abandoned").await
    }
}

async fn set_state(store: &SqliteStore, caller: &str, key: &str, state: &str) -> StoreResult<()> {
    sqlx::query(
        "UPDATE idempotency_keys SET state = ?, updated_at = ? WHERE caller = ? AND key = ?",
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

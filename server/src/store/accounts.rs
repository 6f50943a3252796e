//! The admin-accounts port on SQL.

use super::{store_error, to_ms, Dialect, RowExt, SqlStore};
use app::domain::UserId;
use app::service::{now, AdminAccounts, StoreResult};
use async_trait::async_trait;
use time::OffsetDateTime;

#[async_trait]
impl AdminAccounts for SqlStore {
    async fn password_hash(&self, id: &UserId) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT password_hash FROM admins WHERE id = ?")
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(row.map(|r| r.text("password_hash")).transpose()?)
    }

    async fn upsert_admin(&self, id: &UserId, password_hash: &str) -> StoreResult<()> {
        let upsert = match self.dialect {
            Dialect::Sqlite => {
                "INSERT INTO admins (id, password_hash, created_at) VALUES (?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET password_hash = excluded.password_hash"
            }
            Dialect::MySql => {
                "INSERT INTO admins (id, password_hash, created_at) VALUES (?, ?, ?)
                 ON DUPLICATE KEY UPDATE password_hash = VALUES(password_hash)"
            }
        };
        sqlx::query(upsert)
            .bind(id.as_str())
            .bind(password_hash)
            .bind(to_ms(now()))
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn admin_count(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM admins")
            .fetch_one(&self.pool)
            .await
            .map_err(store_error)?
            .int("n")?;
        Ok(u64::try_from(n).unwrap_or_default())
    }

    async fn open_session(
        &self,
        session: &str,
        admin: &UserId,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO admin_sessions (id, admin_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        )
        .bind(session)
        .bind(admin.as_str())
        .bind(to_ms(now()))
        .bind(to_ms(expires_at))
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn session_active(&self, session: &str) -> StoreResult<bool> {
        let row = sqlx::query(
            "SELECT 1 FROM admin_sessions WHERE id = ? AND revoked = 0 AND expires_at > ?",
        )
        .bind(session)
        .bind(to_ms(now()))
        .fetch_optional(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(row.is_some())
    }

    async fn close_session(&self, session: &str) -> StoreResult<()> {
        sqlx::query("UPDATE admin_sessions SET revoked = 1 WHERE id = ?")
            .bind(session)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }
}

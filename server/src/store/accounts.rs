//! The admin-accounts port on SQL: admins and their sessions, the registered agents'
//! access, revoked token ids and stream tickets.

use super::admin::audit_entry;
use super::{store_error, to_ms, Dialect, RowExt, SqlStore};
use app::domain::{Agent, ApiKey, GroupId, UserId};
use app::service::NewSession;
use app::service::{now, AdminAccounts, AgentAccess, AuditRecord, RegisteredAgent, StoreResult};
use async_trait::async_trait;
use time::OffsetDateTime;

#[async_trait]
impl AdminAccounts for SqlStore {
    async fn password_hash(&self, id: &UserId) -> StoreResult<Option<String>> {
        let query = sqlx::query("SELECT password_hash FROM admins WHERE id = ?").bind(id.as_str());
        self.row(query, |r| r.text("password_hash")).await
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
        let mut tx = self.write().await.map_err(store_error)?;
        sqlx::query(upsert)
            .bind(id.as_str())
            .bind(password_hash)
            .bind(to_ms(now()))
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        // A new password ends every session opened with the old one.
        sqlx::query("UPDATE admin_sessions SET revoked = 1 WHERE admin_id = ?")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        tx.commit().await.map_err(store_error)
    }

    async fn admin_count(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM admins")
            .fetch_one(&self.pool)
            .await
            .map_err(store_error)?
            .int("n")?;
        Ok(u64::try_from(n).unwrap_or_default())
    }

    async fn open_session(&self, session: &NewSession<'_>, audit: &AuditRecord) -> StoreResult<()> {
        let mut tx = self.write().await.map_err(store_error)?;
        sqlx::query(
            "INSERT INTO admin_sessions (id, admin_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        )
        .bind(session.id)
        .bind(session.admin.as_str())
        .bind(to_ms(now()))
        .bind(to_ms(session.expires_at))
        .execute(&mut *tx)
        .await
        .map_err(store_error)?;
        audit_entry(&mut tx, audit).await?;
        tx.commit().await.map_err(store_error)
    }

    async fn session_admin(&self, session: &str) -> StoreResult<Option<UserId>> {
        let row = sqlx::query(
            "SELECT admin_id FROM admin_sessions WHERE id = ? AND revoked = 0 AND expires_at > ?",
        )
        .bind(session)
        .bind(to_ms(now()))
        .fetch_optional(&self.pool)
        .await
        .map_err(store_error)?;
        let Some(row) = row else { return Ok(None) };
        Ok(UserId::parse(&row.text("admin_id")?).ok())
    }

    async fn close_session(&self, session: &str, audit: &AuditRecord) -> StoreResult<()> {
        let mut tx = self.write().await.map_err(store_error)?;
        sqlx::query("UPDATE admin_sessions SET revoked = 1 WHERE id = ?")
            .bind(session)
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        audit_entry(&mut tx, audit).await?;
        tx.commit().await.map_err(store_error)
    }

    async fn agent_access(&self, id: &UserId, token_id: Option<&str>) -> StoreResult<AgentAccess> {
        let version = self.config_version().await?;
        let key = (id.clone(), token_id.map(str::to_owned));
        if let Some(kept) = self.cache.access.get(&key, version) {
            return Ok(kept);
        }
        // One round trip: the agent (if any) and whether the token id is revoked.
        let row = sqlx::query(
            "SELECT a.group_id, a.active,
                    (SELECT COUNT(*) FROM revoked_tokens WHERE jti = ?) AS revoked
             FROM (SELECT 1 AS one) AS probe
             LEFT JOIN agents a ON a.id = ?",
        )
        .bind(token_id.unwrap_or(""))
        .bind(id.as_str())
        .fetch_one(&self.pool)
        .await
        .map_err(store_error)?;
        let agent = match row.opt_text("group_id")? {
            Some(group) => Some(RegisteredAgent {
                group: GroupId::parse(&group).map_err(anyhow::Error::from)?,
                active: row.int("active")? != 0,
            }),
            None => None,
        };
        let access = AgentAccess {
            agent,
            revoked: token_id.is_some() && row.int("revoked")? > 0,
        };
        self.cache.access.put(key, version, access.clone());
        Ok(access)
    }

    async fn register_agent(&self, id: &UserId, group: &GroupId) -> StoreResult<bool> {
        let insert = match self.dialect {
            Dialect::Sqlite => {
                "INSERT OR IGNORE INTO agents (id, name, group_id, active)
                 SELECT ?, ?, id, 1 FROM agent_groups WHERE id = ?"
            }
            Dialect::MySql => {
                "INSERT IGNORE INTO agents (id, name, group_id, active)
                 SELECT ?, ?, id, 1 FROM agent_groups WHERE id = ?"
            }
        };
        let mut tx = self.write().await.map_err(store_error)?;
        let done = sqlx::query(insert)
            .bind(id.as_str())
            .bind(id.as_str())
            .bind(group.as_str())
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        let audit = AuditRecord {
            actor: id.to_string(),
            action: "register",
            entity: "agent",
            entity_id: id.to_string(),
            before: None,
            after: serde_json::to_value(Agent {
                id: id.clone(),
                name: id.to_string(),
                group_id: group.clone(),
                active: true,
            })
            .ok(),
        };
        if done.rows_affected() == 0 {
            // Another request may have registered the agent a moment ago: its write
            // moved the settings' version on, which this process may not know yet.
            self.cache.version.forget();
            return Ok(false);
        }
        self.commit_with(tx, &audit).await?;
        Ok(true)
    }

    async fn revoke_token(&self, token_id: &str, until: OffsetDateTime) -> StoreResult<()> {
        let upsert = match self.dialect {
            Dialect::Sqlite => {
                "INSERT INTO revoked_tokens (jti, expires_at) VALUES (?, ?)
                 ON CONFLICT (jti) DO UPDATE SET expires_at = excluded.expires_at"
            }
            Dialect::MySql => {
                "INSERT INTO revoked_tokens (jti, expires_at) VALUES (?, ?)
                 ON DUPLICATE KEY UPDATE expires_at = VALUES(expires_at)"
            }
        };
        // A revocation moves the settings' version on: every process's kept idea of
        // the token is read again (this one's at once, others' within `RECHECK`).
        let mut tx = self.pool.begin().await.map_err(store_error)?;
        sqlx::query(upsert)
            .bind(token_id)
            .bind(to_ms(until))
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        self.bump_version(tx).await
    }

    async fn put_ticket(
        &self,
        ticket: &str,
        caller: &str,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO stream_tickets (id, caller, expires_at) VALUES (?, ?, ?)")
            .bind(ticket)
            .bind(caller)
            .bind(to_ms(expires_at))
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn take_ticket(&self, ticket: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT caller FROM stream_tickets WHERE id = ? AND expires_at > ?")
            .bind(ticket)
            .bind(to_ms(now()))
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        let Some(row) = row else { return Ok(None) };
        // Whoever deletes it used it: two requests with one ticket get one stream.
        let taken = sqlx::query("DELETE FROM stream_tickets WHERE id = ?")
            .bind(ticket)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        if taken.rows_affected() == 0 {
            return Ok(None);
        }
        Ok(Some(row.text("caller")?))
    }

    async fn purge_expired(&self) -> StoreResult<u64> {
        let at = to_ms(now());
        let mut gone = 0;
        for sql in [
            "DELETE FROM admin_sessions WHERE expires_at <= ? OR revoked = 1",
            "DELETE FROM stream_tickets WHERE expires_at <= ?",
            "DELETE FROM revoked_tokens WHERE expires_at <= ?",
        ] {
            let done = sqlx::query(sql)
                .bind(at)
                .execute(&self.pool)
                .await
                .map_err(store_error)?;
            gone += done.rows_affected();
        }
        Ok(gone)
    }

    async fn api_keys(&self) -> StoreResult<Vec<ApiKey>> {
        self.keys_where("", None).await
    }

    async fn api_key(&self, id: &str) -> StoreResult<Option<ApiKey>> {
        Ok(self.keys_where("WHERE id = ?", Some(id)).await?.pop())
    }

    async fn api_key_by_digest(&self, digest: &str) -> StoreResult<Option<ApiKey>> {
        Ok(self
            .keys_where("WHERE digest = ?", Some(digest))
            .await?
            .pop())
    }

    async fn insert_api_key(
        &self,
        key: &ApiKey,
        digest: &str,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        self.insert_key(key, digest, audit).await
    }

    async fn delete_api_key(&self, id: &str, audit: &AuditRecord) -> StoreResult<bool> {
        self.delete_key(id, audit).await
    }

    async fn touch_api_key(&self, id: &str, at: OffsetDateTime) -> StoreResult<()> {
        self.touch_key(id, at).await
    }
}

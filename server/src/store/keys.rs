//! Integrators' API keys on SQL (the secret only as its digest).

use super::admin::audit_entry;
use super::{from_ms, store_error, to_ms, RowExt, SqlStore};
use app::domain::{rfc3339, ApiKey};
use app::service::{AuditRecord, StoreResult};
use sqlx::any::AnyRow;
use time::OffsetDateTime;

/// The columns a key is read from (`groups` is a reserved word in MySQL).
const COLUMNS: &str = "id, name, prefix, scopes, `groups`, allowed_ips, created_at, last_used_at";

fn key_of(row: &AnyRow) -> anyhow::Result<ApiKey> {
    Ok(ApiKey {
        id: row.text("id")?,
        name: row.text("name")?,
        scopes: serde_json::from_str(&row.text("scopes")?)?,
        groups: serde_json::from_str(&row.text("groups")?)?,
        allowed_ips: serde_json::from_str(&row.text("allowed_ips")?)?,
        prefix: row.text("prefix")?,
        created_at: rfc3339(from_ms(row.int("created_at")?)),
        last_used_at: row.opt_int("last_used_at")?.map(|ms| rfc3339(from_ms(ms))),
    })
}

impl SqlStore {
    pub(super) async fn keys_where(
        &self,
        condition: &str,
        value: Option<&str>,
    ) -> StoreResult<Vec<ApiKey>> {
        let sql =
            format!("SELECT {COLUMNS} FROM api_keys {condition} ORDER BY created_at DESC, id");
        let mut query = sqlx::query(&sql);
        if let Some(value) = value {
            query = query.bind(value.to_owned());
        }
        self.rows(query, key_of).await
    }

    pub(super) async fn insert_key(
        &self,
        key: &ApiKey,
        digest: &str,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let mut tx = self.write().await.map_err(store_error)?;
        sqlx::query(
            "INSERT INTO api_keys (id, name, digest, prefix, scopes, `groups`, allowed_ips, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&key.id)
        .bind(&key.name)
        .bind(digest)
        .bind(&key.prefix)
        .bind(json(&key.scopes))
        .bind(json(&key.groups))
        .bind(json(&key.allowed_ips))
        .bind(to_ms(app::service::now()))
        .execute(&mut *tx)
        .await
        .map_err(store_error)?;
        audit_entry(&mut tx, audit).await?;
        tx.commit().await.map_err(store_error)
    }

    pub(super) async fn delete_key(&self, id: &str, audit: &AuditRecord) -> StoreResult<bool> {
        let mut tx = self.write().await.map_err(store_error)?;
        let gone = sqlx::query("DELETE FROM api_keys WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(store_error)?
            .rows_affected();
        if gone > 0 {
            audit_entry(&mut tx, audit).await?;
        }
        tx.commit().await.map_err(store_error)?;
        Ok(gone > 0)
    }

    pub(super) async fn touch_key(&self, id: &str, at: OffsetDateTime) -> StoreResult<()> {
        sqlx::query("UPDATE api_keys SET last_used_at = ? WHERE id = ?")
            .bind(to_ms(at))
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }
}

/// A list as it is stored: JSON text.
fn json<T: serde::Serialize>(list: &[T]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".to_owned())
}

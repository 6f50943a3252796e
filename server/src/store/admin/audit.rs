//! The audit log on SQL, newest first.

use super::*;

#[async_trait]
impl AuditLog for SqlStore {
    async fn audit(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT * FROM audit_log WHERE (? IS NULL OR entity = ?) AND (? IS NULL OR actor = ?)
             ORDER BY id DESC LIMIT ?",
        )
        .bind(filter.entity.as_deref())
        .bind(filter.entity.as_deref())
        .bind(filter.actor.as_deref())
        .bind(filter.actor.as_deref())
        .bind(i64::from(filter.limit))
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        let parse = |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok());
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: r.int("id")?,
                    at: rfc3339(from_ms(r.int("at")?)),
                    actor: r.text("actor")?,
                    action: r.text("action")?,
                    entity: r.text("entity")?,
                    entity_id: r.text("entity_id")?,
                    before: parse(r.opt_text("before")?),
                    after: parse(r.opt_text("after")?),
                })
            })
            .collect::<anyhow::Result<_>>()
            .map_err(Into::into)
    }
}

//! Call queues on SQL: one row each, the per-channel template lists as JSON.

use super::{store_error, RowExt, SqlStore};
use app::domain::{CallQueue, QueueId};
use app::service::{AuditRecord, QueueStore, StoreResult};
use async_trait::async_trait;
use sqlx::any::AnyRow;

fn queue_from_row(row: &AnyRow) -> anyhow::Result<CallQueue> {
    Ok(CallQueue {
        id: QueueId::parse(&row.text("id")?)?,
        name: row.text("name")?,
        templates: serde_json::from_str(&row.text("templates")?)?,
    })
}

#[async_trait]
impl QueueStore for SqlStore {
    async fn queues(&self) -> StoreResult<Vec<CallQueue>> {
        self.rows(
            sqlx::query("SELECT id, name, templates FROM call_queues ORDER BY id"),
            queue_from_row,
        )
        .await
    }

    async fn queue(&self, id: &QueueId) -> StoreResult<Option<CallQueue>> {
        self.row(
            sqlx::query("SELECT id, name, templates FROM call_queues WHERE id = ?")
                .bind(id.as_str()),
            queue_from_row,
        )
        .await
    }

    /// Replaces the queue's row and writes the audit entry, in one transaction.
    async fn save_queue(&self, queue: &CallQueue, audit: &AuditRecord) -> StoreResult<()> {
        let templates = serde_json::to_string(&queue.templates).map_err(anyhow::Error::from)?;
        let mut tx = self.write().await.map_err(store_error)?;
        sqlx::query("DELETE FROM call_queues WHERE id = ?")
            .bind(queue.id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        sqlx::query("INSERT INTO call_queues (id, name, templates) VALUES (?, ?, ?)")
            .bind(queue.id.as_str())
            .bind(&queue.name)
            .bind(templates)
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        self.commit_with(tx, audit).await
    }

    async fn delete_queue(&self, id: &QueueId, audit: &AuditRecord) -> StoreResult<()> {
        let mut tx = self.write().await.map_err(store_error)?;
        sqlx::query("DELETE FROM call_queues WHERE id = ?")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        self.commit_with(tx, audit).await
    }
}

//! The comment port on SQL: each call's log.

use super::{from_ms, store_error, to_ms, RowExt, SqlStore};
use app::domain::rfc3339;
use app::domain::{CallId, Comment, GroupId};
use app::service::{CommentStore, StoreResult};
use async_trait::async_trait;

#[async_trait]
impl CommentStore for SqlStore {
    async fn add(&self, call_id: &CallId, group: &GroupId, comment: &Comment) -> StoreResult<()> {
        let at = time::OffsetDateTime::parse(
            &comment.at,
            &time::format_description::well_known::Rfc3339,
        )
        .map_err(|e| app::service::StoreError::Internal(e.into()))?;
        sqlx::query(
            "INSERT INTO call_comments (call_id, group_id, author, text, notification_uuid, at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(call_id.as_str())
        .bind(group.as_str())
        .bind(&comment.author)
        .bind(&comment.text)
        .bind(&comment.notification_uuid)
        .bind(to_ms(at))
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn count_for_call(&self, call_id: &CallId) -> StoreResult<u64> {
        let n = sqlx::query("SELECT COUNT(*) AS n FROM call_comments WHERE call_id = ?")
            .bind(call_id.as_str())
            .fetch_one(&self.pool)
            .await
            .map_err(store_error)?
            .int("n")?;
        Ok(u64::try_from(n).unwrap_or_default())
    }

    async fn for_call(
        &self,
        call_id: &CallId,
        group: Option<&GroupId>,
    ) -> StoreResult<Vec<Comment>> {
        let rows = sqlx::query(
            "SELECT author, text, notification_uuid, at FROM call_comments
             WHERE call_id = ? AND (? IS NULL OR group_id = ?) ORDER BY id",
        )
        .bind(call_id.as_str())
        .bind(group.map(GroupId::as_str))
        .bind(group.map(GroupId::as_str))
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        rows.iter()
            .map(|r| {
                Ok(Comment {
                    at: rfc3339(from_ms(r.int("at")?)),
                    author: r.text("author")?,
                    text: r.text("text")?,
                    notification_uuid: r.opt_text("notification_uuid")?,
                })
            })
            .collect::<anyhow::Result<_>>()
            .map_err(Into::into)
    }
}

//! The comment port on SQL: each call's log.

use super::group_commit::{failed_all, rows_of, GroupCommit, InQuery, MOST_PER_BATCH};
use super::{from_ms, store_error, to_ms, RowExt, SqlStore};
use app::domain::rfc3339;
use app::domain::{CallId, Comment, GroupId};
use app::service::{CommentStore, StoreResult};
use async_trait::async_trait;
use sqlx::AnyPool;

#[async_trait]
impl CommentStore for SqlStore {
    async fn add(&self, call_id: &CallId, group: &GroupId, comment: &Comment) -> StoreResult<()> {
        // Comments written at the same time go in one statement.
        let adds = self.writes.comments.get_or_init(|| {
            let pool = self.pool.clone();
            GroupCommit::start(MOST_PER_BATCH, move |comments| {
                add_all(pool.clone(), comments)
            })
        });
        adds.run((call_id.clone(), group.clone(), comment.clone()))
            .await
    }

    async fn count_for_call(&self, call_id: &CallId) -> StoreResult<u64> {
        // Calls asked about at the same time are counted by one query.
        let counts = self.writes.comment_counts.get_or_init(|| {
            let pool = self.pool.clone();
            GroupCommit::start(MOST_PER_BATCH, move |calls| count_all(pool.clone(), calls))
        });
        counts.run(call_id.clone()).await
    }

    async fn for_call(
        &self,
        call_id: &CallId,
        group: Option<&GroupId>,
    ) -> StoreResult<Vec<Comment>> {
        let query = sqlx::query(
            "SELECT author, text, notification_uuid, at FROM call_comments
             WHERE call_id = ? AND (? IS NULL OR group_id = ?) ORDER BY id",
        )
        .bind(call_id.as_str())
        .bind(group.map(GroupId::as_str))
        .bind(group.map(GroupId::as_str));
        self.rows(query, |r| {
            Ok(Comment {
                at: rfc3339(from_ms(r.int("at")?)),
                author: r.text("author")?,
                text: r.text("text")?,
                notification_uuid: r.opt_text("notification_uuid")?,
            })
        })
        .await
    }
}

/// A comment on a call, as its group's log shows it.
pub(super) type CallComment = (CallId, GroupId, Comment);

/// Writes comments made together in one statement; if it fails, each alone (each gets
/// its own answer).
async fn add_all(pool: AnyPool, comments: Vec<CallComment>) -> Vec<StoreResult<()>> {
    if comments.len() > 1 && insert(&pool, &comments).await.is_ok() {
        return comments.iter().map(|_| Ok(())).collect();
    }
    let mut results = Vec::with_capacity(comments.len());
    for comment in &comments {
        results.push(insert(&pool, std::slice::from_ref(comment)).await);
    }
    results
}

async fn insert(pool: &AnyPool, comments: &[CallComment]) -> StoreResult<()> {
    let sql = format!(
        "INSERT INTO call_comments (call_id, group_id, author, text, notification_uuid, at) VALUES {}",
        rows_of(comments.len(), 6)
    );
    let mut insert = sqlx::query(&sql);
    for (call_id, group, comment) in comments {
        let at = time::OffsetDateTime::parse(
            &comment.at,
            &time::format_description::well_known::Rfc3339,
        )
        .map_err(|e| app::service::StoreError::Internal(e.into()))?;
        insert = insert
            .bind(call_id.as_str())
            .bind(group.as_str())
            .bind(&comment.author)
            .bind(&comment.text)
            .bind(&comment.notification_uuid)
            .bind(to_ms(at));
    }
    insert.execute(pool).await.map_err(store_error)?;
    Ok(())
}

/// How many comments each call has, by one query.
async fn count_all(pool: AnyPool, calls: Vec<CallId>) -> Vec<StoreResult<u64>> {
    let lookup = InQuery::new(
        "SELECT call_id, COUNT(*) AS n FROM call_comments WHERE call_id IN ({}) GROUP BY call_id",
        calls.iter().map(CallId::as_str),
    );
    let counted = lookup
        .fetch(&pool, |r| Ok((r.text("call_id")?, r.int("n")?)))
        .await
        .map(|rows| {
            rows.into_iter()
                .collect::<std::collections::HashMap<_, _>>()
        });
    match counted {
        Ok(counts) => calls
            .iter()
            .map(|c| Ok(u64::try_from(counts.get(c.as_str()).copied().unwrap_or(0)).unwrap_or(0)))
            .collect(),
        Err(e) => failed_all(calls.len(), e),
    }
}

//! Listing messages on SQL, newest first, by any of the history's filters: one query
//! built from the filters given (each one an indexable condition), keyset-paginated on
//! (`created_at`, `uuid`), then the status history of the page's messages.

use super::status::record_from_rows;
use super::{store_error, to_ms, RowExt, SqlStore};
use app::domain::HistoryFilter;
use app::service::{NotificationFilter, NotificationRecord, StoreResult};
use sqlx::any::AnyRow;
use std::collections::HashMap;

/// A value bound to a `?`.
enum Value {
    Text(String),
    Int(i64),
}

/// The `WHERE` clause `filter` asks for and its values, in order.
fn conditions(filter: &HistoryFilter) -> (String, Vec<Value>) {
    let mut sql: Vec<&str> = Vec::new();
    let mut values = Vec::new();
    let mut text = |sql: &mut Vec<&str>, condition, value: Option<&str>| {
        if let Some(value) = value {
            sql.push(condition);
            values.push(Value::Text(value.to_owned()));
        }
    };
    text(
        &mut sql,
        "agent_id = ?",
        filter.agent_id.as_ref().map(|a| a.as_str()),
    );
    text(
        &mut sql,
        "group_id = ?",
        filter.group_id.as_ref().map(|g| g.as_str()),
    );
    text(
        &mut sql,
        "call_id = ?",
        filter.call_id.as_ref().map(|c| c.as_str()),
    );
    text(&mut sql, "channel = ?", filter.channel.map(|c| c.as_str()));
    text(&mut sql, "status = ?", filter.status.map(|s| s.as_str()));
    text(
        &mut sql,
        "template_id = ?",
        filter.template_id.as_ref().map(|t| t.as_str()),
    );
    text(
        &mut sql,
        "to_e164 = ?",
        filter.number.as_ref().map(|n| n.as_str()),
    );
    let like = filter
        .uuid_text
        .as_ref()
        .map(|u| format!("%{}%", u.as_str()));
    text(&mut sql, "uuid LIKE ?", like.as_deref());
    if let Some(from) = filter.from {
        sql.push("created_at >= ?");
        values.push(Value::Int(to_ms(from)));
    }
    if let Some(until) = filter.until {
        sql.push("created_at < ?");
        values.push(Value::Int(to_ms(until)));
    }
    if let Some(after) = &filter.after {
        sql.push("(created_at < ? OR (created_at = ? AND uuid < ?))");
        values.push(Value::Int(after.created_ms));
        values.push(Value::Int(after.created_ms));
        values.push(Value::Text(after.uuid.to_string()));
    }
    let clause = if sql.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", sql.join(" AND "))
    };
    (clause, values)
}

impl SqlStore {
    /// The messages `filter` matches, newest first, with their history if asked; the
    /// page and its history read in one transaction, so both see the same snapshot.
    pub(super) async fn list_matching(
        &self,
        filter: &NotificationFilter,
    ) -> StoreResult<Vec<NotificationRecord>> {
        let (clause, values) = conditions(&filter.matching);
        let sql = format!(
            "SELECT * FROM notifications {clause} ORDER BY created_at DESC, uuid DESC LIMIT ?"
        );
        let mut query = sqlx::query(&sql);
        for value in values {
            query = match value {
                Value::Text(t) => query.bind(t),
                Value::Int(i) => query.bind(i),
            };
        }
        let mut tx = self.pool.begin().await.map_err(store_error)?;
        let rows = query
            .bind(i64::from(filter.matching.limit))
            .fetch_all(&mut *tx)
            .await
            .map_err(store_error)?;
        let mut steps: HashMap<String, Vec<AnyRow>> = HashMap::new();
        if filter.with_history && !rows.is_empty() {
            let marks = vec!["?"; rows.len()].join(", ");
            let sql = format!(
                "SELECT uuid, status, at, detail FROM notification_history
                 WHERE uuid IN ({marks}) ORDER BY id"
            );
            let mut query = sqlx::query(&sql);
            for row in &rows {
                query = query.bind(row.text("uuid")?);
            }
            for step in query.fetch_all(&mut *tx).await.map_err(store_error)? {
                steps.entry(step.text("uuid")?).or_default().push(step);
            }
        }
        tx.commit().await.map_err(store_error)?;
        rows.iter()
            .map(|row| {
                let mine = steps.remove(&row.text("uuid")?).unwrap_or_default();
                Ok(record_from_rows(row, &mine)?)
            })
            .collect()
    }
}

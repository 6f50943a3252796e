//! Listing messages on SQL, newest first, by any of the history's filters: one query
//! built from the filters given (each one an indexable condition), keyset-paginated on
//! (`created_at`, `uuid`), then the status history of the page's messages. And counting
//! them for the delivery dashboard, all in the database (nothing listed).

use super::records::record_from_rows;
use super::{store_error, to_ms, RowExt, SqlStore};
use app::domain::stats::TOP_TEMPLATES;
use app::domain::{DeliveryTimes, HistoryFilter, StatsFilter, StatsRows};
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
        // The bound on `created_at` alone lets the index seek to the page's start
        // (with only the OR, SQLite walks the index from the newest message each page).
        sql.push("created_at <= ? AND (created_at < ? OR uuid < ?)");
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
        let mut tx = self.pool.begin().await.map_err(store_error)?;
        let rows = bound(sqlx::query(&sql), &values)
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

/// `query` with `values` bound in order.
fn bound<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    values: &[Value],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for value in values {
        query = match value {
            Value::Text(t) => query.bind(t.clone()),
            Value::Int(i) => query.bind(*i),
        };
    }
    query
}

/// The conditions on the messages (`n`) of `filter`'s period (and group).
fn period(filter: &StatsFilter) -> (String, Vec<Value>) {
    let mut clause = "n.created_at >= ? AND n.created_at < ?".to_owned();
    let mut values = vec![
        Value::Int(to_ms(filter.from)),
        Value::Int(to_ms(filter.until)),
    ];
    if let Some(group) = &filter.group_id {
        clause.push_str(" AND n.group_id = ?");
        values.push(Value::Text(group.as_str().to_owned()));
    }
    (clause, values)
}

impl SqlStore {
    /// The delivery figures of `filter`'s period, read in one transaction.
    pub(super) async fn count_matching(&self, filter: &StatsFilter) -> StoreResult<StatsRows> {
        let (conditions, values) = period(filter);
        let from = format!("FROM notifications n WHERE {conditions}");
        let mut tx = self.pool.begin().await.map_err(store_error)?;
        let mut fetch = async |sql: String, extra: Option<i64>| {
            let mut query = bound(sqlx::query(&sql), &values);
            if let Some(extra) = extra {
                query = query.bind(extra);
            }
            query.fetch_all(&mut *tx).await.map_err(store_error)
        };
        let count = |row: &AnyRow| -> anyhow::Result<u64> { Ok(u64::try_from(row.int("n")?)?) };
        let counts = fetch(
            format!("SELECT n.channel, n.status, n.provider, COUNT(*) AS n {from} GROUP BY n.channel, n.status, n.provider"),
            None,
        )
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.text("channel")?.parse()?,
                row.text("status")?.parse()?,
                row.opt_text("provider")?,
                count(row)?,
            ))
        })
        .collect::<anyhow::Result<_>>()?;
        let failures = fetch(
            format!("SELECT n.error_code, COUNT(*) AS n {from} AND n.status = 'failed' AND n.error_code IS NOT NULL GROUP BY n.error_code"),
            None,
        )
        .await?
        .iter()
        .map(|row| Ok((row.text("error_code")?, count(row)?)))
        .collect::<anyhow::Result<_>>()?;
        let templates = fetch(
            format!("SELECT n.template_id, MAX(n.template_name) AS name, COUNT(*) AS n {from} GROUP BY n.template_id ORDER BY n DESC, n.template_id LIMIT {TOP_TEMPLATES}"),
            None,
        )
        .await?
        .iter()
        .map(|row| Ok((row.text("template_id")?, row.text("name")?, count(row)?)))
        .collect::<anyhow::Result<_>>()?;
        // Acceptance to the first `delivered` line; the percentiles by rank, in the
        // database (never every duration in memory).
        let joined = format!(
            "FROM notifications n JOIN notification_history h
                 ON h.uuid = n.uuid AND h.status = 'delivered' WHERE {conditions}"
        );
        let measured = fetch(format!("SELECT COUNT(*) AS n {joined}"), None).await?;
        let measured = measured.first().map(count).transpose()?.unwrap_or(0);
        let delivery = if measured == 0 {
            None
        } else {
            let mut at_rank = async |share: u64| -> StoreResult<i64> {
                let rank = i64::try_from((measured - 1) * share / 100).unwrap_or(0);
                let rows = fetch(
                    format!(
                        "SELECT h.at - n.created_at AS ms {joined} ORDER BY ms LIMIT 1 OFFSET ?"
                    ),
                    Some(rank),
                )
                .await?;
                Ok(rows.first().map(|r| r.int("ms")).transpose()?.unwrap_or(0))
            };
            Some(DeliveryTimes {
                count: measured,
                p50_ms: at_rank(50).await?,
                p95_ms: at_rank(95).await?,
            })
        };
        tx.commit().await.map_err(store_error)?;
        Ok(StatsRows {
            counts,
            failures,
            templates,
            delivery,
        })
    }
}

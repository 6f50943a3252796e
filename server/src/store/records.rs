//! Messages read back from SQL: lookups made at the same time answered by one query
//! (by UUID, by a provider's id), and a record made from its row and its history's.

use super::group_commit::{failed_all, InQuery};
use super::{from_ms, store_error, stored_number, RowExt};
use anyhow::Context;
use app::domain::rfc3339;
use app::domain::{
    CallId, Channel, FailureReason, GroupId, HistoryEntry, NotificationStatus, TemplateId, UserId,
};
use app::service::{Handoff, NotificationRecord, StoreResult};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyPool};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Messages with their history: a row per history line (the `WHERE` clause follows).
const WITH_HISTORY: &str = "SELECT n.*, h.status AS h_status, h.at AS h_at, \
     h.detail AS h_detail FROM notifications n \
     LEFT JOIN notification_history h ON h.uuid = n.uuid";

/// Runs a [`WITH_HISTORY`] query ordered by message, then history line.
async fn fetch_with_history<'q>(
    query: Query<'q, Any, AnyArguments<'q>>,
    pool: &AnyPool,
) -> StoreResult<Vec<NotificationRecord>> {
    let rows = query.fetch_all(pool).await.map_err(store_error)?;
    Ok(records_with_history(&rows)?)
}

/// Messages asked for by UUID at the same time, each with its history, by one query.
pub(super) async fn read_by_uuids(
    pool: AnyPool,
    uuids: Vec<String>,
) -> Vec<StoreResult<Option<NotificationRecord>>> {
    let lookup = InQuery::new(
        &format!("{WITH_HISTORY} WHERE n.uuid IN ({{}}) ORDER BY n.uuid, h.id"),
        uuids.iter().map(String::as_str),
    );
    match fetch_with_history(lookup.query(), &pool).await {
        Ok(records) => {
            let found: HashMap<String, NotificationRecord> = records
                .into_iter()
                .map(|record| (record.uuid.to_string(), record))
                .collect();
            uuids
                .iter()
                .map(|uuid| Ok(found.get(uuid).cloned()))
                .collect()
        }
        Err(e) => failed_all(uuids.len(), e),
    }
}

/// A message asked for by its provider's id.
pub(super) struct ProviderRefAsk {
    pub(super) provider: String,
    pub(super) id: String,
}

/// Messages asked for by their providers' ids at the same time: one query per provider
/// among them (usually one), each message with its history. An id names one message (if
/// two share it, the lower UUID answers, every time).
pub(super) async fn read_by_provider_ids(
    pool: AnyPool,
    asks: Vec<ProviderRefAsk>,
) -> Vec<StoreResult<Option<NotificationRecord>>> {
    let mut by_provider: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for ask in &asks {
        by_provider.entry(&ask.provider).or_default().push(&ask.id);
    }
    let mut found: HashMap<(&str, String), NotificationRecord> = HashMap::new();
    for (provider, ids) in by_provider {
        let lookup = InQuery::new(
            &format!(
                "{WITH_HISTORY} WHERE n.provider_message_id IN ({{}}) AND n.provider = ? \
                 ORDER BY n.uuid, h.id"
            ),
            ids.into_iter(),
        );
        match fetch_with_history(lookup.query().bind(provider), &pool).await {
            Ok(records) => {
                for record in records {
                    if let Some(id) = record.provider_message_id.clone() {
                        found.entry((provider, id)).or_insert(record);
                    }
                }
            }
            Err(e) => return failed_all(asks.len(), e),
        }
    }
    asks.iter()
        .map(|ask| Ok(found.get(&(ask.provider.as_str(), ask.id.clone())).cloned()))
        .collect()
}

/// Messages read with their history in one query (a row per history line, each
/// message's rows together and in the history's order), in the order they come.
fn records_with_history(rows: &[AnyRow]) -> anyhow::Result<Vec<NotificationRecord>> {
    let mut records = Vec::new();
    let mut rest = rows;
    while let Some(first) = rest.first() {
        let uuid = first.text("uuid")?;
        let mine = rest
            .iter()
            .take_while(|row| row.text("uuid").is_ok_and(|u| u == uuid))
            .count();
        let history = rest[..mine]
            .iter()
            .filter_map(|row| match row.opt_text("h_status") {
                Ok(Some(status)) => Some(history_entry(
                    status,
                    row.int("h_at"),
                    row.opt_text("h_detail"),
                )),
                Ok(None) => None,
                Err(e) => Some(Err(e)),
            })
            .collect::<anyhow::Result<_>>()?;
        records.push(record_with_history(first, history)?);
        rest = &rest[mine..];
    }
    Ok(records)
}

/// A record from its row and the rows of its history (`status`, `at`, `detail`).
pub(super) fn record_from_rows(
    row: &AnyRow,
    history: &[AnyRow],
) -> anyhow::Result<NotificationRecord> {
    let history = history
        .iter()
        .map(|h| history_entry(h.text("status")?, h.int("at"), h.opt_text("detail")))
        .collect::<anyhow::Result<_>>()?;
    record_with_history(row, history)
}

/// One history line from its columns.
fn history_entry(
    status: String,
    at: anyhow::Result<i64>,
    detail: anyhow::Result<Option<String>>,
) -> anyhow::Result<HistoryEntry> {
    Ok(HistoryEntry {
        status: status
            .parse()
            .with_context(|| format!("history status {status}"))?,
        at: rfc3339(from_ms(at?)),
        detail: detail?,
    })
}

/// A record from its row and its history.
fn record_with_history(
    row: &AnyRow,
    history: Vec<HistoryEntry>,
) -> anyhow::Result<NotificationRecord> {
    let uuid = row.text("uuid")?;
    let status = |text: String| {
        text.parse::<NotificationStatus>()
            .with_context(|| format!("status of {uuid}"))
    };
    let error_code = row.opt_text("error_code")?;
    let error_message = row.opt_text("error_message")?;
    Ok(NotificationRecord {
        uuid: Uuid::parse_str(&uuid)?,
        channel: row
            .text("channel")?
            .parse()
            .with_context(|| format!("channel of {uuid}"))?,
        status: status(row.text("status")?)?,
        to: stored_number(&row.text("to_e164")?)
            .map_err(|e| anyhow::anyhow!("to of {uuid}: {e}"))?,
        template_id: TemplateId::parse(&row.text("template_id")?)?,
        template_name: row.text("template_name")?,
        call_id: row
            .opt_text("call_id")?
            .map(|c| CallId::parse(&c))
            .transpose()?,
        agent_id: UserId::parse(&row.text("agent_id")?)?,
        expects_reply: row.int("expects_reply")? != 0,
        group_id: GroupId::parse(&row.text("group_id")?)?,
        body: row.text("body")?,
        parameters: serde_json::from_str(&row.text("parameters")?)?,
        resend_of: row
            .opt_text("resend_of")?
            .map(|u| Uuid::parse_str(&u))
            .transpose()?,
        provider: row.opt_text("provider")?,
        provider_message_id: row.opt_text("provider_message_id")?,
        created_at: from_ms(row.int("created_at")?),
        updated_at: from_ms(row.int("updated_at")?),
        history,
        error: error_code
            .zip(error_message)
            .map(|(code, message)| FailureReason { code, message }),
        handoff: match (row.opt_int("handoff_attempt")?, row.opt_int("handoff_at")?) {
            (Some(attempt), Some(at)) => Some(Handoff {
                attempt: u32::try_from(attempt)?,
                at: from_ms(at),
                channel: row
                    .opt_text("handoff_channel")?
                    .map_or(Ok(Channel::Sms), |c| c.parse())
                    .with_context(|| format!("hand-off channel of {uuid}"))?,
            }),
            _ => None,
        },
    })
}

//! The contacts port on SQL: the opt-out list and the customers' inbound messages.

use super::admin::audit_entry;
use super::group_commit::{failed_all, GroupCommit, InQuery, MOST_PER_BATCH};
use super::{from_ms, store_error, to_ms, Dialect, RowExt, SqlStore, Tx};
use app::domain::{rfc3339, Channel, OptOut, OptOutKey, OptOutSource, Reply, E164};
use app::service::{
    now, AuditRecord, ContactStore, InboundRecord, OptOutFilter, StoreError, StoreResult,
};
use async_trait::async_trait;
use sqlx::AnyPool;
use time::OffsetDateTime;
use uuid::Uuid;

/// Rows per multi-row insert of an import.
const BATCH: usize = 500;

impl SqlStore {
    fn insert_ignore(&self) -> &'static str {
        match self.dialect {
            Dialect::Sqlite => "INSERT OR IGNORE",
            Dialect::MySql => "INSERT IGNORE",
        }
    }
}

/// Deletes exactly `key`'s entry; how many rows went.
async fn delete_opt_out(tx: &mut Tx, key: &OptOutKey) -> StoreResult<u64> {
    Ok(
        sqlx::query("DELETE FROM opt_outs WHERE number = ? AND channel = ? AND sender = ?")
            .bind(key.number.as_str())
            .bind(key.channel.as_str())
            .bind(key.sender.as_str())
            .execute(&mut **tx)
            .await
            .map_err(store_error)?
            .rows_affected(),
    )
}

fn channel_of(text: &str) -> StoreResult<Channel> {
    text.parse()
        .map_err(|e| StoreError::Internal(anyhow::anyhow!("stored channel: {e}")))
}

#[async_trait]
impl ContactStore for SqlStore {
    async fn opt_outs(&self, filter: &OptOutFilter) -> StoreResult<Vec<OptOut>> {
        let query = sqlx::query(
            "SELECT number, channel, sender, source, created_at FROM opt_outs
             WHERE (? IS NULL OR channel = ?) AND (? IS NULL OR number = ?)
             ORDER BY created_at DESC, number",
        )
        .bind(filter.channel.map(Channel::as_str))
        .bind(filter.channel.map(Channel::as_str))
        .bind(filter.number.as_ref().map(E164::as_str))
        .bind(filter.number.as_ref().map(E164::as_str));
        self.rows(query, |r| {
            Ok(OptOut {
                number: E164::parse(&r.text("number")?)
                    .map_err(|e| anyhow::anyhow!("stored number: {e:?}"))?,
                channel: channel_of(&r.text("channel")?)?,
                sender: r.text("sender")?,
                source: OptOutSource::parse(&r.text("source")?).unwrap_or(OptOutSource::Admin),
                at: rfc3339(from_ms(r.int("created_at")?)),
            })
        })
        .await
    }

    async fn add_opt_outs(
        &self,
        keys: &[OptOutKey],
        source: OptOutSource,
        audit: Option<&AuditRecord>,
    ) -> StoreResult<u64> {
        let at = to_ms(now());
        let mut tx = self.write().await.map_err(store_error)?;
        let mut added = 0;
        for batch in keys.chunks(BATCH) {
            let rows = vec!["(?, ?, ?, ?, ?)"; batch.len()].join(", ");
            let sql = format!(
                "{} INTO opt_outs (number, channel, sender, source, created_at) VALUES {rows}",
                self.insert_ignore()
            );
            let mut query = sqlx::query(&sql);
            for key in batch {
                query = query
                    .bind(key.number.as_str())
                    .bind(key.channel.as_str())
                    .bind(key.sender.as_str())
                    .bind(source.as_str())
                    .bind(at);
            }
            added += query
                .execute(&mut *tx)
                .await
                .map_err(store_error)?
                .rows_affected();
        }
        if let Some(audit) = audit {
            audit_entry(&mut tx, audit).await?;
        }
        tx.commit().await.map_err(store_error)?;
        Ok(added)
    }

    async fn remove_opt_out(
        &self,
        key: &OptOutKey,
        audit: Option<&AuditRecord>,
    ) -> StoreResult<bool> {
        let mut tx = self.write().await.map_err(store_error)?;
        let removed = delete_opt_out(&mut tx, key).await?;
        if removed > 0 {
            if let Some(audit) = audit {
                audit_entry(&mut tx, audit).await?;
            }
        }
        tx.commit().await.map_err(store_error)?;
        Ok(removed > 0)
    }

    async fn opted_out(&self, number: &E164, channel: Channel, sender: &str) -> StoreResult<bool> {
        // Numbers asked about at the same time are looked up by one query.
        let asks = self.writes.opt_outs.get_or_init(|| {
            let pool = self.pool.clone();
            GroupCommit::start(MOST_PER_BATCH, move |asks| {
                opted_out_all(pool.clone(), asks)
            })
        });
        asks.run(OptOutAsk {
            number: number.as_str().to_owned(),
            channel: channel.as_str(),
            sender: sender.to_owned(),
        })
        .await
    }

    async fn record_inbound(
        &self,
        record: &InboundRecord,
        opt_out: Option<(&OptOutKey, bool)>,
    ) -> StoreResult<bool> {
        let m = &record.message;
        let sql = format!(
            "{} INTO inbound_messages (account, provider_message_id, from_e164, channel, \
             to_sender, body, received_at, answers) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            self.insert_ignore()
        );
        let mut tx = self.write().await.map_err(store_error)?;
        let inserted = sqlx::query(&sql)
            .bind(record.account.as_str())
            .bind(m.provider_message_id.as_str())
            .bind(m.from.as_str())
            .bind(m.channel.as_str())
            .bind(m.to_sender.as_str())
            .bind(m.text.as_str())
            .bind(to_ms(m.at))
            .bind(record.answers.map(|u| u.to_string()))
            .execute(&mut *tx)
            .await
            .map_err(store_error)?
            .rows_affected();
        if inserted == 0 {
            return Ok(false);
        }
        match opt_out {
            Some((key, true)) => {
                let sql = format!(
                    "{} INTO opt_outs (number, channel, sender, source, created_at) VALUES (?, ?, ?, ?, ?)",
                    self.insert_ignore()
                );
                sqlx::query(&sql)
                    .bind(key.number.as_str())
                    .bind(key.channel.as_str())
                    .bind(key.sender.as_str())
                    .bind(OptOutSource::Customer.as_str())
                    .bind(to_ms(now()))
                    .execute(&mut *tx)
                    .await
                    .map_err(store_error)?;
            }
            Some((key, false)) => {
                delete_opt_out(&mut tx, key).await?;
            }
            None => {}
        }
        tx.commit().await.map_err(store_error)?;
        Ok(true)
    }

    async fn last_inbound(
        &self,
        number: &E164,
        channel: Channel,
        account: Option<&str>,
    ) -> StoreResult<Option<OffsetDateTime>> {
        let row = sqlx::query(
            "SELECT MAX(received_at) AS at FROM inbound_messages
             WHERE from_e164 = ? AND channel = ? AND (? IS NULL OR account = ?)",
        )
        .bind(number.as_str())
        .bind(channel.as_str())
        .bind(account)
        .bind(account)
        .fetch_one(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(row.opt_int("at")?.map(from_ms))
    }

    async fn replies(&self, messages: &[Uuid]) -> StoreResult<Vec<(Uuid, Reply)>> {
        if messages.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; messages.len()].join(", ");
        let sql = format!(
            "SELECT answers, body, received_at FROM inbound_messages
             WHERE answers IN ({marks}) ORDER BY received_at, provider_message_id"
        );
        let mut query = sqlx::query(&sql);
        for uuid in messages {
            query = query.bind(uuid.to_string());
        }
        let rows = query.fetch_all(&self.pool).await.map_err(store_error)?;
        rows.iter()
            .map(|r| {
                let uuid = Uuid::parse_str(&r.text("answers")?).map_err(anyhow::Error::from)?;
                Ok((
                    uuid,
                    Reply {
                        at: rfc3339(from_ms(r.int("received_at")?)),
                        text: r.text("body")?,
                    },
                ))
            })
            .collect()
    }

    async fn erase_inbound_before(&self, before: OffsetDateTime) -> StoreResult<u64> {
        Ok(
            sqlx::query("DELETE FROM inbound_messages WHERE received_at < ?")
                .bind(to_ms(before))
                .execute(&self.pool)
                .await
                .map_err(store_error)?
                .rows_affected(),
        )
    }
}

/// Whether a number opted out of a channel from a sender (or from every sender).
pub(super) struct OptOutAsk {
    number: String,
    channel: &'static str,
    sender: String,
}

/// Answers each question from the opt-outs of all the numbers asked about.
async fn opted_out_all(pool: AnyPool, asks: Vec<OptOutAsk>) -> Vec<StoreResult<bool>> {
    let lookup = InQuery::new(
        "SELECT number, channel, sender FROM opt_outs WHERE number IN ({})",
        asks.iter().map(|ask| ask.number.as_str()),
    );
    let found = lookup
        .fetch(&pool, |r| {
            Ok((r.text("number")?, r.text("channel")?, r.text("sender")?))
        })
        .await;
    match found {
        Ok(rows) => asks
            .iter()
            .map(|ask| {
                // A sender is matched regardless of case (as MySQL's collation does).
                Ok(rows.iter().any(|(number, channel, sender)| {
                    *number == ask.number
                        && channel == ask.channel
                        && (sender.is_empty() || sender.eq_ignore_ascii_case(&ask.sender))
                }))
            })
            .collect(),
        Err(e) => failed_all(asks.len(), e),
    }
}

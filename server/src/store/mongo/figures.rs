//! What the history and the dashboard ask of MongoDB: the query for a history filter
//! and the delivery figures of a period. Only what MongoDB and FerretDB both run: a
//! `$match` and a `$group` (counted with `$sum`) per channel's collection, merged here;
//! the delivery times read from each message's `delivered_at` and ranked here.

use super::document::bson_time;
use super::{mongo_error, MongoStatusStore, StatusDoc};
use app::domain::{Channel, DeliveryTimes, HistoryFilter, StatsFilter, StatsRows};
use app::service::StoreResult;
use futures::TryStreamExt;
use mongodb::bson::{doc, Bson, DateTime, Document};
use mongodb::Collection;

impl MongoStatusStore {
    /// The counts of the messages accepted in `filter`'s period, by channel, status and
    /// provider; the failures by reason; the templates; the delivery times.
    pub(super) async fn figures(&self, filter: &StatsFilter) -> StoreResult<StatsRows> {
        let mut period =
            doc! {"created_at": {"$gte": bson_time(filter.from), "$lt": bson_time(filter.until)}};
        if let Some(group) = &filter.group_id {
            period.insert("group_id", group.as_str());
        }
        let mut rows = StatsRows::default();
        let mut delivery_ms = Vec::new();
        for (channel, collection) in &self.collections {
            // One group per (status, provider, failure, template): few, whatever the volume.
            let groups = aggregate(
                collection,
                vec![
                    doc! {"$match": period.clone()},
                    doc! {"$group": {
                        "_id": {"status": "$status", "provider": "$provider", "code": "$error.code",
                                "template": "$template_id", "name": "$template_name"},
                        "n": {"$sum": 1},
                    }},
                ],
            )
            .await?;
            for g in &groups {
                count_group(&mut rows, *channel, g)?;
            }
            delivery_ms.extend(delivery_times(collection, &period).await?);
        }
        rows.delivery = percentiles(delivery_ms);
        Ok(rows)
    }
}

/// Adds one `$group` answer to `rows`.
fn count_group(rows: &mut StatsRows, channel: Channel, group: &Document) -> anyhow::Result<()> {
    let id = group.get_document("_id")?;
    // A missing field is left out of the key (MongoDB) or null (FerretDB).
    let text = |key: &str| id.get_str(key).ok();
    let n = number(group, "n")?;
    let status = text("status").unwrap_or_default().parse()?;
    let provider = text("provider").map(str::to_owned);
    match rows
        .counts
        .iter_mut()
        .find(|c| (c.0, c.1, &c.2) == (channel, status, &provider))
    {
        Some(c) => c.3 += n,
        None => rows.counts.push((channel, status, provider, n)),
    }
    if let (app::domain::NotificationStatus::Failed, Some(code)) = (status, text("code")) {
        match rows.failures.iter_mut().find(|c| c.0 == code) {
            Some(c) => c.1 += n,
            None => rows.failures.push((code.to_owned(), n)),
        }
    }
    let (template, name) = (
        text("template").unwrap_or_default(),
        text("name").unwrap_or_default(),
    );
    match rows.templates.iter_mut().find(|t| t.0 == template) {
        // A template renamed meanwhile: the greatest name, as MongoDB's `$max` would.
        Some(t) => {
            t.2 += n;
            if name > t.1.as_str() {
                name.clone_into(&mut t.1);
            }
        }
        None => rows
            .templates
            .push((template.to_owned(), name.to_owned(), n)),
    }
    Ok(())
}

/// Acceptance to first delivery, in milliseconds, of the delivered messages `period`
/// matches in `collection` (two dates a message, not its history).
async fn delivery_times(
    collection: &Collection<StatusDoc>,
    period: &Document,
) -> StoreResult<Vec<i64>> {
    let mut delivered = period.clone();
    delivered.insert("delivered_at", doc! {"$ne": Bson::Null});
    let times: Vec<Document> = collection
        .clone_with_type::<Document>()
        .find(delivered)
        .projection(doc! {"_id": 0, "created_at": 1, "delivered_at": 1})
        .await
        .map_err(mongo_error)?
        .try_collect()
        .await
        .map_err(mongo_error)?;
    times
        .iter()
        .map(|t| {
            let (created, delivered) =
                (t.get_datetime("created_at"), t.get_datetime("delivered_at"));
            match (created, delivered) {
                (Ok(c), Ok(d)) => Ok(d.timestamp_millis() - c.timestamp_millis()),
                _ => Err(anyhow::anyhow!("a delivered message without its dates").into()),
            }
        })
        .collect()
}

/// The median and the 95th percentile by rank (the SQL store's rule).
fn percentiles(mut ms: Vec<i64>) -> Option<DeliveryTimes> {
    if ms.is_empty() {
        return None;
    }
    ms.sort_unstable();
    let count = ms.len() as u64;
    let at_rank = |share: u64| ms[usize::try_from((count - 1) * share / 100).unwrap_or(0)];
    Some(DeliveryTimes {
        count,
        p50_ms: at_rank(50),
        p95_ms: at_rank(95),
    })
}

/// The documents an aggregation `pipeline` on `collection` gives.
async fn aggregate(
    collection: &Collection<StatusDoc>,
    pipeline: Vec<Document>,
) -> StoreResult<Vec<Document>> {
    collection
        .aggregate(pipeline)
        .await
        .map_err(mongo_error)?
        .try_collect()
        .await
        .map_err(mongo_error)
}

/// A count from an aggregation (MongoDB gives 32- or 64-bit integers).
fn number(doc: &Document, key: &str) -> anyhow::Result<u64> {
    match doc.get(key) {
        Some(Bson::Int32(n)) => Ok(u64::try_from(*n)?),
        Some(Bson::Int64(n)) => Ok(u64::try_from(*n)?),
        other => anyhow::bail!("{key} is not a count: {other:?}"),
    }
}

/// The query for the messages `filter` matches (its channel chooses the collection).
pub(super) fn matching(filter: &HistoryFilter) -> Document {
    let mut query = Document::new();
    let mut text = |name: &str, value: Option<&str>| {
        if let Some(value) = value {
            query.insert(name, value);
        }
    };
    text("agent_id", filter.agent_id.as_ref().map(|a| a.as_str()));
    text("group_id", filter.group_id.as_ref().map(|g| g.as_str()));
    text("call_id", filter.call_id.as_ref().map(|c| c.as_str()));
    text("status", filter.status.map(|s| s.as_str()));
    text(
        "template_id",
        filter.template_id.as_ref().map(|t| t.as_str()),
    );
    text("to", filter.number.as_ref().map(|n| n.as_str()));
    if let Some(part) = &filter.uuid_text {
        // Hexadecimal digits and dashes only: nothing to escape in the pattern.
        query.insert("_id", doc! {"$regex": part.as_str()});
    }
    let mut created = Document::new();
    if let Some(from) = filter.from {
        created.insert("$gte", bson_time(from));
    }
    if let Some(until) = filter.until {
        created.insert("$lt", bson_time(until));
    }
    if !created.is_empty() {
        query.insert("created_at", created);
    }
    if let Some(after) = &filter.after {
        let at = DateTime::from_millis(after.created_ms);
        let uuid = after.uuid.to_string();
        // The bound on `created_at` alone lets the index seek to the page's start.
        query.insert(
            "$and",
            vec![
                doc! {"created_at": {"$lte": at}},
                doc! {"$or": [{"created_at": {"$lt": at}}, {"_id": {"$lt": uuid}}]},
            ],
        );
    }
    query
}

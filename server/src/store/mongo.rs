//! The status port on MongoDB (official driver): one collection per channel, one
//! document per message keyed by its UUID, holding the current status and the history.
//! A status change is a compare-and-set on the status it was read with, decided by the
//! same forward-only rule as everywhere else, so concurrent or out-of-order updates never
//! move a status back.

use super::stored_number;
use anyhow::Context;
use app::domain::rfc3339;
use app::domain::time::parse_rfc3339;
use app::domain::{
    CallId, Channel, DeliveryTimes, FailureReason, GroupId, HistoryEntry, HistoryFilter,
    NotificationStatus, StatsFilter, StatsRows, TemplateId, UserId, E164,
};
use app::service::{
    AlsoWrite, Handoff, NotificationFilter, NotificationRecord, StatusStore, StatusUpdate,
    StoreError, StoreResult,
};
use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::bson::{doc, DateTime, Document};
use mongodb::error::{ErrorKind, WriteFailure};
use mongodb::options::{ClientOptions, IndexOptions};
use mongodb::{Client, Collection, Database, IndexModel};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// The collection names, per channel.
#[derive(Debug, Clone)]
pub struct MongoCollections {
    /// SMS messages.
    pub sms: String,
    /// WhatsApp messages.
    pub whatsapp: String,
    /// RCS messages.
    pub rcs: String,
}

/// The MongoDB status store.
#[derive(Clone)]
pub struct MongoStatusStore {
    database: Database,
    collections: [(Channel, Collection<StatusDoc>); 3],
}

/// One message as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StatusDoc {
    #[serde(rename = "_id")]
    uuid: String,
    channel: String,
    status: String,
    to: String,
    template_id: String,
    template_name: String,
    call_id: Option<String>,
    agent_id: String,
    group_id: String,
    body: String,
    parameters: Vec<(String, String)>,
    resend_of: Option<String>,
    provider: Option<String>,
    provider_message_id: Option<String>,
    error: Option<FailureReason>,
    created_at: DateTime,
    updated_at: DateTime,
    swept_at: Option<DateTime>,
    /// Left out of an export's reads.
    #[serde(default)]
    history: Vec<HistoryDoc>,
    #[serde(default)]
    handoff: Option<HandoffDoc>,
    /// Missing on messages stored before workflow sends: an agent's, so true.
    #[serde(default = "yes")]
    expects_reply: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct HandoffDoc {
    attempt: u32,
    at: DateTime,
    channel: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct HistoryDoc {
    status: String,
    at: DateTime,
    detail: Option<String>,
}

fn bson_time(at: OffsetDateTime) -> DateTime {
    DateTime::from_millis(super::to_ms(at))
}

fn time_of(at: DateTime) -> OffsetDateTime {
    super::from_ms(at.timestamp_millis())
}

fn parse_time(rfc: &str) -> anyhow::Result<OffsetDateTime> {
    parse_rfc3339(rfc).with_context(|| format!("time {rfc}"))
}

impl StatusDoc {
    fn from_record(r: &NotificationRecord) -> anyhow::Result<Self> {
        Ok(Self {
            uuid: r.uuid.to_string(),
            channel: r.channel.as_str().to_owned(),
            status: r.status.as_str().to_owned(),
            to: r.to.as_ref().map(ToString::to_string).unwrap_or_default(),
            template_id: r.template_id.as_str().to_owned(),
            template_name: r.template_name.clone(),
            call_id: r.call_id.as_ref().map(|c| c.as_str().to_owned()),
            agent_id: r.agent_id.to_string(),
            group_id: r.group_id.as_str().to_owned(),
            body: r.body.clone(),
            parameters: r.parameters.clone(),
            resend_of: r.resend_of.map(|u| u.to_string()),
            provider: r.provider.clone(),
            provider_message_id: r.provider_message_id.clone(),
            error: r.error.clone(),
            created_at: bson_time(r.created_at),
            updated_at: bson_time(r.updated_at),
            swept_at: None,
            expects_reply: r.expects_reply,
            handoff: r.handoff.map(|h| HandoffDoc {
                attempt: h.attempt,
                at: bson_time(h.at),
                channel: h.channel.as_str().to_owned(),
            }),
            history: r
                .history
                .iter()
                .map(|h| {
                    Ok(HistoryDoc {
                        status: h.status.as_str().to_owned(),
                        at: bson_time(parse_time(&h.at)?),
                        detail: h.detail.clone(),
                    })
                })
                .collect::<anyhow::Result<_>>()?,
        })
    }

    fn into_record(self) -> anyhow::Result<NotificationRecord> {
        let uuid = &self.uuid;
        let status = |text: &str| {
            text.parse::<NotificationStatus>()
                .with_context(|| format!("status of {uuid}"))
        };
        Ok(NotificationRecord {
            uuid: Uuid::parse_str(uuid)?,
            channel: self.channel.parse().context("channel")?,
            status: status(&self.status)?,
            to: stored_number(&self.to).map_err(|e| anyhow::anyhow!("to of {uuid}: {e}"))?,
            template_id: TemplateId::parse(&self.template_id)?,
            template_name: self.template_name,
            call_id: self.call_id.as_deref().map(CallId::parse).transpose()?,
            agent_id: UserId::parse(&self.agent_id)?,
            expects_reply: self.expects_reply,
            group_id: GroupId::parse(&self.group_id)?,
            body: self.body,
            parameters: self.parameters,
            resend_of: self.resend_of.as_deref().map(Uuid::parse_str).transpose()?,
            provider: self.provider,
            provider_message_id: self.provider_message_id,
            created_at: time_of(self.created_at),
            updated_at: time_of(self.updated_at),
            history: self
                .history
                .iter()
                .map(|h| {
                    Ok(HistoryEntry {
                        status: status(&h.status)?,
                        at: rfc3339(time_of(h.at)),
                        detail: h.detail.clone(),
                    })
                })
                .collect::<anyhow::Result<_>>()?,
            error: self.error,
            handoff: self
                .handoff
                .map(|h| {
                    Ok::<_, anyhow::Error>(Handoff {
                        attempt: h.attempt,
                        at: time_of(h.at),
                        channel: h.channel.parse().context("hand-off channel")?,
                    })
                })
                .transpose()?,
        })
    }
}

/// How long a request waits for a MongoDB server to answer before it fails.
const SELECTION_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// Maps a driver error onto the port's: unreachable servers are `Unavailable`.
fn mongo_error(e: mongodb::error::Error) -> StoreError {
    match *e.kind {
        ErrorKind::Io(_)
        | ErrorKind::ServerSelection { .. }
        | ErrorKind::ConnectionPoolCleared { .. }
        | ErrorKind::Shutdown => StoreError::Unavailable(e.into()),
        _ => StoreError::Internal(e.into()),
    }
}

fn is_duplicate_key(e: &mongodb::error::Error) -> bool {
    matches!(&*e.kind, ErrorKind::Write(WriteFailure::WriteError(w)) if w.code == 11000)
}

impl MongoStatusStore {
    /// Connects to `url` (its path names the database; `agent_notify` if it has none)
    /// and makes sure the indexes exist.
    pub async fn open(url: &str, names: &MongoCollections) -> anyhow::Result<Self> {
        let mut options = ClientOptions::parse(url)
            .await
            .context("status.url is not a valid mongodb:// url")?;
        // A request fails within seconds when no server answers, not the driver's 30 s
        // (a url's own `serverSelectionTimeoutMS` wins).
        options
            .server_selection_timeout
            .get_or_insert(SELECTION_TIMEOUT);
        options.connect_timeout.get_or_insert(SELECTION_TIMEOUT);
        let client = Client::with_options(options).context("configuring the MongoDB client")?;
        let database = client
            .default_database()
            .unwrap_or_else(|| client.database("agent_notify"));
        let collection = |name: &str| database.collection::<StatusDoc>(name);
        let store = Self {
            collections: [
                (Channel::Sms, collection(&names.sms)),
                (Channel::Whatsapp, collection(&names.whatsapp)),
                (Channel::Rcs, collection(&names.rcs)),
            ],
            database,
        };
        store.create_indexes().await?;
        Ok(store)
    }

    /// Lookups by UUID use `_id`; these serve lookups by call, by agent, by provider
    /// id (webhooks), the sweeper's scan of old `queued` messages and the history.
    async fn create_indexes(&self) -> anyhow::Result<()> {
        let index = |keys: Document, name: &str| {
            IndexModel::builder()
                .keys(keys)
                .options(IndexOptions::builder().name(name.to_owned()).build())
                .build()
        };
        for (_, collection) in &self.collections {
            collection
                .create_indexes([
                    index(doc! {"call_id": 1, "created_at": -1}, "by_call"),
                    index(doc! {"agent_id": 1, "created_at": -1}, "by_agent"),
                    index(
                        doc! {"provider": 1, "provider_message_id": 1},
                        "by_provider_id",
                    ),
                    index(doc! {"status": 1, "created_at": 1}, "by_status"),
                    index(doc! {"to": 1, "created_at": -1}, "by_recipient"),
                    index(doc! {"created_at": -1, "_id": -1}, "by_time"),
                    index(doc! {"group_id": 1, "created_at": -1}, "by_group"),
                ])
                .await
                .context("creating the status indexes")?;
        }
        Ok(())
    }

    fn collection(&self, channel: Channel) -> &Collection<StatusDoc> {
        &self
            .collections
            .iter()
            .find(|(c, _)| *c == channel)
            .expect("a collection per channel")
            .1
    }

    /// Finds a message in whichever channel's collection holds it.
    async fn find(&self, uuid: Uuid) -> StoreResult<Option<StatusDoc>> {
        for (_, collection) in &self.collections {
            let found = collection
                .find_one(doc! {"_id": uuid.to_string()})
                .await
                .map_err(mongo_error)?;
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }
}

#[async_trait]
impl StatusStore for MongoStatusStore {
    async fn create(&self, record: &NotificationRecord) -> StoreResult<()> {
        let doc = StatusDoc::from_record(record)?;
        match self.collection(record.channel).insert_one(doc).await {
            // The same UUID twice is the same message: the first record stands.
            Err(e) if is_duplicate_key(&e) => Ok(()),
            other => other.map(drop).map_err(mongo_error),
        }
    }

    async fn get(&self, uuid: Uuid) -> StoreResult<Option<NotificationRecord>> {
        Ok(self
            .find(uuid)
            .await?
            .map(StatusDoc::into_record)
            .transpose()?)
    }

    async fn list(&self, filter: &NotificationFilter) -> StoreResult<Vec<NotificationRecord>> {
        let query = matching(&filter.matching);
        let limit = i64::from(filter.matching.limit);
        // Each channel's newest, merged: the newest `limit` of all are among them.
        let mut docs = Vec::new();
        for (channel, collection) in &self.collections {
            if filter.matching.channel.is_some_and(|c| c != *channel) {
                continue;
            }
            let mut find = collection
                .find(query.clone())
                .sort(doc! {"created_at": -1, "_id": -1})
                .limit(limit);
            if !filter.with_history {
                find = find.projection(doc! {"history": 0});
            }
            let page: Vec<StatusDoc> = find
                .await
                .map_err(mongo_error)?
                .try_collect()
                .await
                .map_err(mongo_error)?;
            docs.extend(page);
        }
        docs.sort_by(|a, b| (b.created_at, &b.uuid).cmp(&(a.created_at, &a.uuid)));
        docs.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        docs.into_iter()
            .map(|d| Ok(d.into_record()?))
            .collect::<StoreResult<_>>()
    }

    async fn stats(&self, filter: &StatsFilter) -> StoreResult<StatsRows> {
        let mut period =
            doc! {"created_at": {"$gte": bson_time(filter.from), "$lt": bson_time(filter.until)}};
        if let Some(group) = &filter.group_id {
            period.insert("group_id", group.as_str());
        }
        let mut rows = StatsRows::default();
        for (channel, collection) in &self.collections {
            let groups = aggregate(collection, vec![
                doc! {"$match": period.clone()},
                doc! {"$group": {"_id": {"status": "$status", "provider": "$provider"}, "n": {"$sum": 1}}},
            ])
            .await?;
            for g in groups {
                let id = g.get_document("_id").map_err(anyhow::Error::from)?;
                let status = id.get_str("status").map_err(anyhow::Error::from)?;
                rows.counts.push((
                    *channel,
                    status.parse().map_err(anyhow::Error::from)?,
                    id.get_str("provider").ok().map(str::to_owned),
                    number(&g, "n")?,
                ));
            }
            let mut failed = period.clone();
            failed.insert("status", "failed");
            for g in aggregate(
                collection,
                vec![
                    doc! {"$match": failed},
                    doc! {"$group": {"_id": "$error.code", "n": {"$sum": 1}}},
                ],
            )
            .await?
            {
                if let Ok(code) = g.get_str("_id") {
                    add_count(&mut rows.failures, code, number(&g, "n")?);
                }
            }
            for g in aggregate(collection, vec![
                doc! {"$match": period.clone()},
                doc! {"$group": {"_id": "$template_id", "name": {"$max": "$template_name"}, "n": {"$sum": 1}}},
            ])
            .await?
            {
                let id = g.get_str("_id").map_err(anyhow::Error::from)?.to_owned();
                let n = number(&g, "n")?;
                match rows.templates.iter_mut().find(|t| t.0 == id) {
                    Some(t) => t.2 += n,
                    None => rows.templates.push((id, g.get_str("name").unwrap_or_default().to_owned(), n)),
                }
            }
        }
        rows.delivery = self.delivery_times(&period).await?;
        Ok(rows)
    }

    async fn compare_and_set(
        &self,
        uuid: Uuid,
        expected: NotificationStatus,
        update: &StatusUpdate,
        also: &AlsoWrite,
    ) -> StoreResult<bool> {
        let error = update.failure();
        let at = bson_time(update.at);
        let step = HistoryDoc {
            status: update.status.as_str().to_owned(),
            at,
            detail: update.detail.clone(),
        };
        let step = mongodb::bson::to_bson(&step).map_err(anyhow::Error::from)?;
        let error = mongodb::bson::to_bson(&error).map_err(anyhow::Error::from)?;
        let mut compare = doc! {"_id": uuid.to_string(), "status": expected.as_str()};
        let mut fields = doc! {"status": update.status.as_str(), "error": error};
        match also {
            AlsoWrite::Nothing => {}
            AlsoWrite::OpenHandoff(h) => {
                compare.insert("handoff", mongodb::bson::Bson::Null);
                compare.insert("provider_message_id", mongodb::bson::Bson::Null);
                fields.insert(
                    "handoff",
                    doc! {"attempt": h.attempt, "at": bson_time(h.at), "channel": h.channel.as_str()},
                );
            }
            AlsoWrite::ProviderRef(r) => {
                fields.insert("provider", r.provider.as_str());
                fields.insert("provider_message_id", r.provider_message_id.as_str());
            }
        }
        let set = doc! {
            "$set": fields,
            "$max": {"updated_at": at},
            "$push": {"history": step},
        };
        // The message's collection is its channel's; it matches in one of them at most.
        for (_, collection) in &self.collections {
            let changed = collection
                .update_one(compare.clone(), set.clone())
                .await
                .map_err(mongo_error)?;
            if changed.matched_count == 1 {
                return Ok(true);
            }
        }
        Ok(false)
    }

    async fn sweep_stuck(
        &self,
        queued_before: OffsetDateTime,
        sending_before: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<(Uuid, Channel)>> {
        let (queued, sending) = (bson_time(queued_before), bson_time(sending_before));
        let stuck = doc! {
            "$and": [
                {"$or": [
                    {"status": "queued", "created_at": {"$lt": queued}},
                    {"status": "sending", "provider_message_id": null,
                     "updated_at": {"$lt": sending},
                     "$or": [{"handoff": null}, {"handoff.at": {"$lt": sending}}]},
                ]},
                {"$or": [{"swept_at": null}, {"swept_at": {"$lt": queued}}]},
            ]
        };
        let mut swept = Vec::new();
        for (channel, collection) in &self.collections {
            let candidates: Vec<StatusDoc> = collection
                .find(stuck.clone())
                .sort(doc! {"created_at": 1})
                .limit(i64::from(limit))
                .await
                .map_err(mongo_error)?
                .try_collect()
                .await
                .map_err(mongo_error)?;
            for candidate in candidates {
                // Compare-and-set per message: of two sweepers, one takes it.
                let mut claim = stuck.clone();
                claim.insert("_id", &candidate.uuid);
                let taken = collection
                    .update_one(
                        claim,
                        doc! {"$set": {"swept_at": bson_time(app::service::now())}},
                    )
                    .await
                    .map_err(mongo_error)?;
                if taken.modified_count == 1 {
                    let uuid = Uuid::parse_str(&candidate.uuid).map_err(anyhow::Error::from)?;
                    swept.push((uuid, *channel));
                }
            }
        }
        Ok(swept)
    }

    async fn open_handoff(
        &self,
        uuid: Uuid,
        handoff: &Handoff,
        replacing: Option<u32>,
    ) -> StoreResult<bool> {
        let open = match replacing {
            Some(attempt) => doc! {"handoff.attempt": attempt},
            None => doc! {"handoff": null},
        };
        let mut compare = doc! {"_id": uuid.to_string(), "provider_message_id": null};
        compare.extend(open);
        let set = doc! {"$set": {"handoff": {
            "attempt": handoff.attempt,
            "at": bson_time(handoff.at),
            "channel": handoff.channel.as_str(),
        }}};
        // The message is in its channel's collection (an RCS message sent by SMS stays
        // in RCS's); it matches in one of them at most.
        for (_, collection) in &self.collections {
            if collection
                .update_one(compare.clone(), set.clone())
                .await
                .map_err(mongo_error)?
                .matched_count
                == 1
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    async fn close_handoff(&self, uuid: Uuid, attempt: u32) -> StoreResult<()> {
        for (_, collection) in &self.collections {
            collection
                .update_one(
                    doc! {"_id": uuid.to_string(), "handoff.attempt": attempt},
                    doc! {"$set": {"handoff": null}},
                )
                .await
                .map_err(mongo_error)?;
        }
        Ok(())
    }

    async fn withdraw(&self, uuid: Uuid) -> StoreResult<()> {
        for (_, collection) in &self.collections {
            collection
                .delete_one(doc! {"_id": uuid.to_string(), "status": "queued"})
                .await
                .map_err(mongo_error)?;
        }
        Ok(())
    }

    async fn note(
        &self,
        uuid: Uuid,
        at: OffsetDateTime,
        detail: &str,
    ) -> StoreResult<Option<NotificationRecord>> {
        loop {
            let Some(current) = self.find(uuid).await? else {
                return Ok(None);
            };
            let step = HistoryDoc {
                status: current.status.clone(),
                at: bson_time(at),
                detail: Some(detail.to_owned()),
            };
            let step = mongodb::bson::to_bson(&step).map_err(anyhow::Error::from)?;
            let channel: Channel = current.channel.parse().map_err(anyhow::Error::from)?;
            // The line carries the status read; if it changed meanwhile, read again.
            let added = self
                .collection(channel)
                .update_one(
                    doc! {"_id": uuid.to_string(), "status": &current.status},
                    doc! {"$push": {"history": step}},
                )
                .await
                .map_err(mongo_error)?;
            if added.matched_count == 1 {
                return self.get(uuid).await;
            }
        }
    }

    async fn latest_to(
        &self,
        to: &E164,
        channel: Channel,
        provider: &str,
        since: OffsetDateTime,
    ) -> StoreResult<Option<Uuid>> {
        let found = self
            .collection(channel)
            .find_one(doc! {
                "to": to.as_str(),
                "provider": provider,
                "expects_reply": {"$ne": false},
                "created_at": {"$gte": bson_time(since)},
            })
            .sort(doc! {"created_at": -1})
            .await
            .map_err(mongo_error)?;
        found
            .map(|d| Uuid::parse_str(&d.uuid).map_err(|e| StoreError::Internal(e.into())))
            .transpose()
    }

    async fn find_by_provider_id(
        &self,
        provider: &str,
        provider_message_id: &str,
    ) -> StoreResult<Option<Uuid>> {
        for (_, collection) in &self.collections {
            let found = collection
                .find_one(doc! {"provider": provider, "provider_message_id": provider_message_id})
                .await
                .map_err(mongo_error)?;
            if let Some(found) = found {
                return Ok(Some(
                    Uuid::parse_str(&found.uuid).map_err(anyhow::Error::from)?,
                ));
            }
        }
        Ok(None)
    }

    async fn set_provider_ref(
        &self,
        uuid: Uuid,
        provider: &str,
        provider_message_id: &str,
    ) -> StoreResult<()> {
        for (_, collection) in &self.collections {
            let done = collection
                .update_one(
                    doc! {"_id": uuid.to_string()},
                    doc! {"$set": {"provider": provider, "provider_message_id": provider_message_id}},
                )
                .await
                .map_err(mongo_error)?;
            if done.matched_count == 1 {
                break;
            }
        }
        Ok(())
    }

    async fn erase_before(&self, before: OffsetDateTime) -> StoreResult<u64> {
        let mut erased = 0;
        for (_, collection) in &self.collections {
            let done = collection
                .update_many(
                    doc! {"created_at": {"$lt": bson_time(before)}, "to": {"$ne": ""}},
                    doc! {"$set": {"to": "", "body": "", "parameters": []}},
                )
                .await
                .map_err(mongo_error)?;
            erased += done.modified_count;
        }
        Ok(erased)
    }

    async fn ping(&self) -> StoreResult<()> {
        self.database
            .run_command(doc! {"ping": 1})
            .await
            .map_err(mongo_error)?;
        Ok(())
    }
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

/// A count or a duration from an aggregation (MongoDB gives 32- or 64-bit integers).
fn number(doc: &Document, key: &str) -> anyhow::Result<u64> {
    Ok(u64::try_from(signed(doc, key)?)?)
}

fn signed(doc: &Document, key: &str) -> anyhow::Result<i64> {
    match doc.get(key) {
        Some(mongodb::bson::Bson::Int32(n)) => Ok(i64::from(*n)),
        Some(mongodb::bson::Bson::Int64(n)) => Ok(*n),
        #[expect(clippy::cast_possible_truncation, reason = "whole milliseconds")]
        Some(mongodb::bson::Bson::Double(n)) => Ok(*n as i64),
        other => anyhow::bail!("{key} is not a number: {other:?}"),
    }
}

/// Adds `n` to `key`'s count in `counts`.
fn add_count(counts: &mut Vec<(String, u64)>, key: &str, n: u64) {
    match counts.iter_mut().find(|c| c.0 == key) {
        Some(c) => c.1 += n,
        None => counts.push((key.to_owned(), n)),
    }
}

impl MongoStatusStore {
    /// Acceptance to the first `delivered` line of the messages `period` matches, across
    /// the three collections (`$unionWith`, MongoDB 4.4+); the percentiles by rank,
    /// sorted and skipped to in the server.
    async fn delivery_times(&self, period: &Document) -> StoreResult<Option<DeliveryTimes>> {
        let measure = vec![
            doc! {"$match": period.clone()},
            doc! {"$project": {"d": {"$filter": {"input": "$history", "as": "h", "cond": {"$eq": ["$$h.status", "delivered"]}}}, "created_at": 1}},
            doc! {"$match": {"d.0": {"$exists": true}}},
            doc! {"$project": {"ms": {"$subtract": [{"$arrayElemAt": ["$d.at", 0]}, "$created_at"]}}},
        ];
        let [(_, first), rest @ ..] = &self.collections;
        let mut pipeline = measure.clone();
        for (_, other) in rest {
            pipeline.push(doc! {"$unionWith": {"coll": other.name(), "pipeline": measure.clone()}});
        }
        let with = |tail: Vec<Document>| {
            let mut p = pipeline.clone();
            p.extend(tail);
            p
        };
        let counted = aggregate(first, with(vec![doc! {"$count": "n"}])).await?;
        let measured = counted
            .first()
            .map(|d| number(d, "n"))
            .transpose()?
            .unwrap_or(0);
        if measured == 0 {
            return Ok(None);
        }
        let at_rank = async |share: u64| -> StoreResult<i64> {
            let rank = i64::try_from((measured - 1) * share / 100).unwrap_or(0);
            let found = aggregate(
                first,
                with(vec![
                    doc! {"$sort": {"ms": 1}},
                    doc! {"$skip": rank},
                    doc! {"$limit": 1},
                ]),
            )
            .await?;
            Ok(found
                .first()
                .map(|d| signed(d, "ms"))
                .transpose()?
                .unwrap_or(0))
        };
        Ok(Some(DeliveryTimes {
            count: measured,
            p50_ms: at_rank(50).await?,
            p95_ms: at_rank(95).await?,
        }))
    }
}

/// The query for the messages `filter` matches (its channel chooses the collection).
fn matching(filter: &HistoryFilter) -> Document {
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

//! The status port on MongoDB (official driver): one collection per channel, one
//! document per message keyed by its UUID, holding the current status and the history.
//! A status change is a compare-and-set on the status it was read with, decided by the
//! same forward-only rule as everywhere else, so concurrent or out-of-order updates never
//! move a status back.
//!
//! Every query is one that MongoDB and FerretDB (the tests' stand-in) both run: single
//! document updates with a condition, finds, and aggregations of `$match` and `$group`
//! counted with `$sum` (no `$unionWith`, expression operators or transactions); what
//! spans the three collections is asked of each and merged here.

mod document;
mod figures;

use anyhow::Context;
use app::domain::{Channel, NotificationStatus, StatsFilter, StatsRows};
use app::service::{
    AlsoWrite, MessageKey, NotificationFilter, NotificationRecord, StatusStore, StoreError,
    StoreResult,
};
use app::service::{CompareAndSet, HandoffClaim, Note, ProviderReceipt, ReplyOrigin, StuckCutoffs};
use async_trait::async_trait;
use document::{bson_time, HandoffDoc, HistoryDoc, StatusDoc};
use futures::TryStreamExt;
use mongodb::bson::{doc, Bson, Document};
use mongodb::error::{ErrorKind, WriteFailure};
use mongodb::options::{ClientOptions, IndexOptions};
use mongodb::{Client, Collection, Database, IndexModel};
use std::future::IntoFuture;
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
    /// This process's conditional updates of one message go one at a time (a stripe
    /// per message). MongoDB makes each single-document update atomic anyway; a server
    /// that only emulates it (FerretDB reads, then writes) stays correct within a
    /// process. Across processes it is MongoDB's atomicity that counts.
    stripes: std::sync::Arc<[tokio::sync::Mutex<()>]>,
}

/// How many stripes conditional updates are spread over.
const STRIPES: usize = 64;

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
            stripes: (0..STRIPES).map(|_| tokio::sync::Mutex::new(())).collect(),
        };
        store.create_indexes().await?;
        Ok(store)
    }

    /// The indexes every query but a lookup by UUID (`_id`) is served by, by name with
    /// their keys: lookups by call, agent, group, recipient (replies) and provider id
    /// (webhooks), the sweeper's scan of old `queued` and `sending` messages, and the
    /// history's pages newest first (and retention, by age).
    pub const INDEXES: [(&'static str, &'static [(&'static str, i32)]); 7] = [
        ("by_call", &[("call_id", 1), ("created_at", -1)]),
        ("by_agent", &[("agent_id", 1), ("created_at", -1)]),
        ("by_group", &[("group_id", 1), ("created_at", -1)]),
        ("by_recipient", &[("to", 1), ("created_at", -1)]),
        (
            "by_provider_id",
            &[("provider", 1), ("provider_message_id", 1)],
        ),
        ("by_status", &[("status", 1), ("created_at", 1)]),
        ("by_time", &[("created_at", -1), ("_id", -1)]),
    ];

    /// Creates the indexes a collection lacks (asking for only those: FerretDB 1.24
    /// drops the connection when asked again for several that exist).
    async fn create_indexes(&self) -> anyhow::Result<()> {
        for (_, collection) in &self.collections {
            let existing = match collection.list_index_names().await {
                Ok(names) => names,
                // A collection not created yet (MongoDB: NamespaceNotFound) has none.
                Err(e) if matches!(&*e.kind, ErrorKind::Command(c) if c.code == 26) => Vec::new(),
                Err(e) => return Err(e).context("listing the status indexes"),
            };
            let missing: Vec<IndexModel> = Self::INDEXES
                .iter()
                .filter(|(name, _)| !existing.iter().any(|e| e == name))
                .map(|(name, keys)| {
                    let keys: Document = keys
                        .iter()
                        .map(|(k, order)| ((*k).to_owned(), Bson::Int32(*order)))
                        .collect();
                    IndexModel::builder()
                        .keys(keys)
                        .options(IndexOptions::builder().name((*name).to_owned()).build())
                        .build()
                })
                .collect();
            if !missing.is_empty() {
                collection
                    .create_indexes(missing)
                    .await
                    .context("creating the status indexes")?;
            }
        }
        Ok(())
    }

    /// The collection of `channel`'s messages.
    fn collection(&self, channel: Channel) -> &Collection<StatusDoc> {
        &self
            .collections
            .iter()
            .find(|(c, _)| *c == channel)
            .expect("a collection per channel")
            .1
    }

    /// Finds a message by UUID alone (its channel unknown).
    async fn find(&self, uuid: Uuid) -> StoreResult<Option<StatusDoc>> {
        self.find_in_any(doc! {"_id": uuid.to_string()}, None).await
    }

    /// The message `query` finds in whichever collection holds it: asks the three at
    /// once (one round trip's wait), with `projection` if given.
    async fn find_in_any(
        &self,
        query: Document,
        projection: Option<Document>,
    ) -> StoreResult<Option<StatusDoc>> {
        let asks = self.collections.iter().map(|(_, collection)| {
            collection
                .find_one(query.clone())
                .with_options(
                    mongodb::options::FindOneOptions::builder()
                        .projection(projection.clone())
                        .build(),
                )
                .into_future()
        });
        let found = futures::future::try_join_all(asks)
            .await
            .map_err(mongo_error)?;
        Ok(found.into_iter().flatten().next())
    }

    /// Updates `message` if it matches `condition` besides its `_id`; whether it did.
    async fn update(
        &self,
        message: MessageKey,
        mut condition: Document,
        change: Document,
    ) -> StoreResult<bool> {
        condition.insert("_id", message.uuid.to_string());
        let stripe = message.uuid.as_u128() as usize % STRIPES;
        let _one_at_a_time = self.stripes[stripe].lock().await;
        let done = self
            .collection(message.channel)
            .update_one(condition, change)
            .await
            .map_err(mongo_error)?;
        Ok(done.matched_count == 1)
    }

    /// Reads what `query` finds in `collection`, sorted by `sort`, `limit` at most.
    async fn read(
        collection: &Collection<StatusDoc>,
        query: Document,
        sort: Document,
        limit: i64,
        with_history: bool,
    ) -> StoreResult<Vec<StatusDoc>> {
        let mut find = collection.find(query).sort(sort).limit(limit);
        if !with_history {
            find = find.projection(doc! {"history": 0});
        }
        find.await
            .map_err(mongo_error)?
            .try_collect()
            .await
            .map_err(mongo_error)
    }
}

/// A value for a document (the driver's serialisation of our own types cannot fail).
fn bson(value: &impl serde::Serialize) -> StoreResult<Bson> {
    Ok(mongodb::bson::to_bson(value).map_err(anyhow::Error::from)?)
}

fn uuid_of(doc: &StatusDoc) -> StoreResult<Uuid> {
    Ok(Uuid::parse_str(&doc.uuid).map_err(anyhow::Error::from)?)
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
        let query = figures::matching(&filter.matching);
        let limit = i64::from(filter.matching.limit);
        // Each channel's newest, merged: the newest `limit` of all are among them.
        let mut docs = Vec::new();
        for (channel, collection) in &self.collections {
            if filter.matching.channel.is_some_and(|c| c != *channel) {
                continue;
            }
            let newest = doc! {"created_at": -1, "_id": -1};
            docs.extend(
                Self::read(
                    collection,
                    query.clone(),
                    newest,
                    limit,
                    filter.with_history,
                )
                .await?,
            );
        }
        docs.sort_by(|a, b| (b.created_at, &b.uuid).cmp(&(a.created_at, &a.uuid)));
        docs.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        docs.into_iter()
            .map(|d| Ok(d.into_record()?))
            .collect::<StoreResult<_>>()
    }

    async fn stats(&self, filter: &StatsFilter) -> StoreResult<StatsRows> {
        self.figures(filter).await
    }

    async fn compare_and_set(&self, cas: CompareAndSet<'_>) -> StoreResult<bool> {
        let at = bson_time(cas.update.at);
        let step = bson(&HistoryDoc {
            status: cas.update.status.as_str().to_owned(),
            at,
            detail: cas.update.detail.clone(),
        })?;
        let mut compare = doc! {"status": cas.expected.as_str()};
        let mut fields =
            doc! {"status": cas.update.status.as_str(), "error": bson(&cas.update.failure())?};
        match cas.also {
            AlsoWrite::Nothing => {}
            AlsoWrite::OpenHandoff(h) => {
                compare.insert("handoff", Bson::Null);
                compare.insert("provider_message_id", Bson::Null);
                fields.insert("handoff", bson(&HandoffDoc::of(h))?);
            }
            AlsoWrite::ProviderRef(r) => {
                fields.insert("provider", r.provider.as_str());
                fields.insert("provider_message_id", r.provider_message_id.as_str());
            }
        }
        let mut change =
            doc! {"$set": fields, "$max": {"updated_at": at}, "$push": {"history": step}};
        if cas.update.status == NotificationStatus::Delivered {
            // The first delivery's time, which the delivery figures read.
            change.insert("$min", doc! {"delivered_at": at});
        }
        self.update(cas.message, compare, change).await
    }

    async fn sweep_stuck(&self, cutoffs: StuckCutoffs) -> StoreResult<Vec<(Uuid, Channel)>> {
        let (queued, sending) = (
            bson_time(cutoffs.queued_before),
            bson_time(cutoffs.sending_before),
        );
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
            let oldest = doc! {"created_at": 1};
            let candidates = Self::read(
                collection,
                stuck.clone(),
                oldest,
                i64::from(cutoffs.limit),
                false,
            )
            .await?;
            for candidate in candidates {
                // Compare-and-set per message: of two sweepers, one takes it.
                let message = MessageKey {
                    uuid: uuid_of(&candidate)?,
                    channel: *channel,
                };
                let mark = doc! {"$set": {"swept_at": bson_time(app::service::now())}};
                if self.update(message, stuck.clone(), mark).await? {
                    swept.push((message.uuid, *channel));
                }
            }
        }
        Ok(swept)
    }

    async fn open_handoff(&self, key: MessageKey, claim: HandoffClaim<'_>) -> StoreResult<bool> {
        let mut open = match claim.replacing {
            Some(attempt) => doc! {"handoff.attempt": attempt},
            None => doc! {"handoff": null},
        };
        open.insert("provider_message_id", Bson::Null);
        let set = doc! {"$set": {"handoff": bson(&HandoffDoc::of(claim.handoff))?}};
        self.update(key, open, set).await
    }

    async fn close_handoff(&self, message: MessageKey, attempt: u32) -> StoreResult<()> {
        let open = doc! {"handoff.attempt": attempt};
        self.update(message, open, doc! {"$set": {"handoff": null}})
            .await
            .map(drop)
    }

    async fn withdraw(&self, message: MessageKey) -> StoreResult<()> {
        self.collection(message.channel)
            .delete_one(doc! {"_id": message.uuid.to_string(), "status": "queued"})
            .await
            .map_err(mongo_error)?;
        Ok(())
    }

    async fn note(&self, uuid: Uuid, note: Note<'_>) -> StoreResult<Option<NotificationRecord>> {
        loop {
            let Some(current) = self.find(uuid).await? else {
                return Ok(None);
            };
            let step = bson(&HistoryDoc {
                status: current.status.clone(),
                at: bson_time(note.at),
                detail: Some(note.detail.to_owned()),
            })?;
            let message = MessageKey {
                uuid,
                channel: current.channel.parse().map_err(anyhow::Error::from)?,
            };
            // The line carries the status read; if it changed meanwhile, read again.
            let as_read = doc! {"status": &current.status};
            if self
                .update(message, as_read, doc! {"$push": {"history": step}})
                .await?
            {
                // Read back from its own collection (other lines may have joined).
                let now = self
                    .collection(message.channel)
                    .find_one(doc! {"_id": uuid.to_string()})
                    .await
                    .map_err(mongo_error)?;
                return Ok(now.map(StatusDoc::into_record).transpose()?);
            }
        }
    }

    async fn latest_to(&self, origin: ReplyOrigin<'_>) -> StoreResult<Option<Uuid>> {
        let found = self
            .collection(origin.channel)
            .find_one(doc! {
                "to": origin.to.as_str(),
                "provider": origin.provider,
                "expects_reply": {"$ne": false},
                "created_at": {"$gte": bson_time(origin.since)},
            })
            .sort(doc! {"created_at": -1})
            .projection(doc! {"history": 0})
            .await
            .map_err(mongo_error)?;
        found.as_ref().map(uuid_of).transpose()
    }

    async fn find_by_provider_id(
        &self,
        provider: &str,
        provider_message_id: &str,
    ) -> StoreResult<Option<Uuid>> {
        let query = doc! {"provider": provider, "provider_message_id": provider_message_id};
        let found = self.find_in_any(query, Some(doc! {"history": 0})).await?;
        found.as_ref().map(uuid_of).transpose()
    }

    async fn set_provider_ref(
        &self,
        message: MessageKey,
        receipt: &ProviderReceipt,
    ) -> StoreResult<()> {
        let set = doc! {"$set": {"provider": &receipt.provider, "provider_message_id": &receipt.provider_message_id}};
        self.update(message, Document::new(), set).await.map(drop)
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

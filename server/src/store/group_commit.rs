//! Group commit: writes of one kind made at the same time share one transaction (and
//! lookups of one kind asked at the same time share one query).
//!
//! Each caller hands its item to one task and waits for that item's own result. The
//! task takes every item waiting (up to a bound) and handles them together; items that
//! arrive while a batch is in hand form the next one. Nothing waits on a timer: a lone
//! item goes at once, and under load the batches grow by themselves, so the database
//! sees one statement where it saw dozens (the send path's profile:
//! docs/benchmarks.md). A write's result is only given once its batch is committed: a write
//! that returned is as durable as before.

use app::service::{StoreError, StoreResult};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::Any;
use std::future::Future;
use tokio::sync::{mpsc, oneshot};

type Pending<T, R> = (T, oneshot::Sender<StoreResult<R>>);

/// The queue of one kind of write (or lookup, answering `R`).
pub struct GroupCommit<T, R = ()> {
    sender: mpsc::Sender<Pending<T, R>>,
}

impl<T: Send + 'static, R: Send + 'static> GroupCommit<T, R> {
    /// Starts the task (on the current runtime): `handle` gets up to `most` items and
    /// answers one result per item, in their order.
    pub fn start<W, F>(most: usize, handle: W) -> Self
    where
        W: Fn(Vec<T>) -> F + Send + 'static,
        F: Future<Output = Vec<StoreResult<R>>> + Send,
    {
        let (sender, mut receiver) = mpsc::channel::<Pending<T, R>>(most * 16);
        tokio::spawn(async move {
            while let Some(first) = receiver.recv().await {
                let mut batch = vec![first];
                while batch.len() < most {
                    match receiver.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                let (items, replies): (Vec<T>, Vec<_>) = batch.into_iter().unzip();
                let mut results = handle(items).await.into_iter();
                for reply in replies {
                    // A caller that gave up waiting is not told; its item is handled.
                    let _ = reply.send(results.next().unwrap_or_else(|| {
                        Err(StoreError::Internal(anyhow::anyhow!(
                            "a group commit answered fewer results than items"
                        )))
                    }));
                }
            }
        });
        Self { sender }
    }

    /// Handles `item` with whatever else is in hand now; answers once it is done (a
    /// write: committed).
    pub async fn run(&self, item: T) -> StoreResult<R> {
        let stopped =
            || StoreError::Unavailable(anyhow::anyhow!("the store's batching task has stopped"));
        let (reply, answer) = oneshot::channel();
        self.sender
            .send((item, reply))
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// Most items handled together (a multi-row insert of 64 rows of 19 columns stays far
/// below either database's limit on placeholders).
pub const MOST_PER_BATCH: usize = 64;

/// `?, ?, ?` for `n` values.
fn in_list(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// The values of an `IN` list, padded to the next power of two by repeating the last
/// (a value twice in a list changes nothing): the lookups are prepared in a few shapes
/// a connection keeps, instead of one per batch size.
fn padded<'a>(values: impl ExactSizeIterator<Item = &'a str>) -> Vec<&'a str> {
    let size = values.len().next_power_of_two();
    let mut values: Vec<&str> = values.collect();
    if let Some(&last) = values.last() {
        values.resize(size, last);
    }
    values
}

/// A lookup of many values at once: `select` with `{}` where its `IN` list goes.
pub struct InQuery<'a> {
    sql: String,
    values: Vec<&'a str>,
}

impl<'a> InQuery<'a> {
    pub fn new(select: &str, values: impl ExactSizeIterator<Item = &'a str>) -> Self {
        let values = padded(values);
        Self {
            sql: select.replace("{}", &in_list(values.len())),
            values,
        }
    }

    /// The query, its values bound.
    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        self.values
            .iter()
            .fold(sqlx::query(&self.sql), |query, value| query.bind(*value))
    }

    /// Runs the lookup on `pool` and reads each row with `read`.
    pub async fn fetch<T>(
        &self,
        pool: &sqlx::AnyPool,
        read: impl Fn(&sqlx::any::AnyRow) -> anyhow::Result<T>,
    ) -> StoreResult<Vec<T>> {
        let rows = self
            .query()
            .fetch_all(pool)
            .await
            .map_err(super::store_error)?;
        Ok(rows.iter().map(read).collect::<anyhow::Result<_>>()?)
    }
}

/// `count` rows of `width` placeholders, for a multi-row insert: `(?, ?), (?, ?)`.
pub fn rows_of(count: usize, width: usize) -> String {
    vec![format!("({})", in_list(width)); count].join(", ")
}

/// One failure answered to each of `n` callers (a lookup that failed for all of them).
pub fn failed_all<R>(n: usize, error: StoreError) -> Vec<StoreResult<R>> {
    let again = |e: &StoreError| match e {
        StoreError::Unavailable(inner) => StoreError::Unavailable(anyhow::anyhow!("{inner:#}")),
        StoreError::Conflict(message) => StoreError::Conflict(message.clone()),
        StoreError::Internal(inner) => StoreError::Internal(anyhow::anyhow!("{inner:#}")),
    };
    let mut results: Vec<StoreResult<R>> = (1..n).map(|_| Err(again(&error))).collect();
    results.insert(0, Err(error));
    results
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn an_in_list_is_padded_to_a_power_of_two_with_its_last_value() {
        assert_eq!(padded(["a", "b", "c"].into_iter()), ["a", "b", "c", "c"]);
        assert_eq!(padded(["a", "b"].into_iter()), ["a", "b"]);
        assert_eq!(padded(["a"].into_iter()), ["a"]);
    }

    #[tokio::test]
    async fn writes_made_together_share_a_batch_and_each_gets_its_own_result() {
        let batches = Arc::new(Mutex::new(Vec::new()));
        let seen = batches.clone();
        let commit = GroupCommit::<u32>::start(8, move |items: Vec<u32>| {
            seen.lock().expect("lock").push(items.clone());
            async move {
                // Odd items are refused, to tell the results apart.
                items
                    .into_iter()
                    .map(|i| match i % 2 {
                        0 => Ok(()),
                        _ => Err(StoreError::Conflict(format!("{i}"))),
                    })
                    .collect()
            }
        });
        // All twenty are waiting before the task first runs (one poll of all of them).
        let results = futures::future::join_all((0..20u32).map(|i| commit.run(i))).await;
        for (i, result) in (0..20u32).zip(results) {
            match result {
                Ok(()) => assert_eq!(i % 2, 0),
                Err(StoreError::Conflict(which)) => assert_eq!(which, i.to_string()),
                Err(other) => panic!("{i}: {other}"),
            }
        }
        let batches = batches.lock().expect("lock");
        let mut written: Vec<u32> = batches.iter().flatten().copied().collect();
        written.sort_unstable();
        assert_eq!(
            written,
            (0..20).collect::<Vec<_>>(),
            "each item written once"
        );
        assert!(
            batches.iter().all(|b| b.len() <= 8),
            "no batch over the bound"
        );
        let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
        assert_eq!(sizes, [8, 8, 4], "writes waiting together went together");
    }
}

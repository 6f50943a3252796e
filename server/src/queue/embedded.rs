//! The embedded queue: a SQLite file of its own under `data_dir`, durable across
//! restarts. A taken job is invisible until its visibility timeout; a worker that dies
//! without acking simply lets it reappear.

use super::{decode_job, encode_job};
use crate::store::{open_sqlite, store_error, to_ms};
use anyhow::Context;
use app::service::{now, Delivery, Job, JobQueue, StoreResult};
use async_trait::async_trait;
use sqlx::{Row, SqlitePool};
use std::path::Path;
use std::time::Duration;
use tokio::sync::Notify;

/// How often an idle receiver looks for jobs enqueued by other processes.
const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// The SQLite-backed queue.
pub struct EmbeddedQueue {
    pool: SqlitePool,
    visibility: Duration,
    /// Wakes receivers in this process as soon as a job is enqueued here.
    enqueued: Notify,
}

impl EmbeddedQueue {
    /// Opens (creating if needed) the queue database at `path`.
    pub async fn open(path: &Path, visibility: Duration) -> anyhow::Result<Self> {
        let url = format!("sqlite://{}", path.display());
        let pool = open_sqlite(&url, 4).await?;
        sqlx::migrate!("./migrations/queue")
            .run(&pool)
            .await
            .context("migrating the queue database")?;
        Ok(Self {
            pool,
            visibility,
            enqueued: Notify::new(),
        })
    }

    async fn take(&self, max: usize) -> StoreResult<Vec<Delivery>> {
        let now = to_ms(now());
        let until = now + i64::try_from(self.visibility.as_millis()).unwrap_or(i64::MAX / 2);
        let rows = sqlx::query(
            "UPDATE jobs SET attempts = attempts + 1, locked_until = ?1
             WHERE id IN (SELECT id FROM jobs
                          WHERE available_at <= ?2 AND (locked_until IS NULL OR locked_until <= ?2)
                          ORDER BY available_at, id LIMIT ?3)
             RETURNING id, payload, attempts",
        )
        .bind(until)
        .bind(now)
        .bind(i64::try_from(max).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        let mut deliveries: Vec<Delivery> = rows
            .iter()
            .map(|r| Delivery {
                receipt: r.get::<i64, _>("id").to_string(),
                attempt: u32::try_from(r.get::<i64, _>("attempts")).unwrap_or(u32::MAX),
                job: decode_job(r.get("payload")),
            })
            .collect();
        deliveries.sort_by_key(|d| d.receipt.parse::<i64>().unwrap_or_default());
        Ok(deliveries)
    }
}

fn receipt_id(delivery: &Delivery) -> StoreResult<i64> {
    delivery.receipt.parse().map_err(|_| {
        app::service::StoreError::Internal(anyhow::anyhow!("not an embedded-queue receipt"))
    })
}

#[async_trait]
impl JobQueue for EmbeddedQueue {
    async fn enqueue(&self, job: &Job) -> StoreResult<()> {
        let now = to_ms(now());
        sqlx::query(
            "INSERT INTO jobs (payload, attempts, available_at, created_at) VALUES (?, 0, ?, ?)",
        )
        .bind(encode_job(job))
        .bind(now)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        self.enqueued.notify_waiters();
        Ok(())
    }

    async fn receive(&self, max: usize, wait: Duration) -> StoreResult<Vec<Delivery>> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let notified = self.enqueued.notified();
            let taken = self.take(max).await?;
            let now = tokio::time::Instant::now();
            if !taken.is_empty() || now >= deadline {
                return Ok(taken);
            }
            let nap = POLL_INTERVAL.min(deadline - now);
            let _ = tokio::time::timeout(nap, notified).await;
        }
    }

    async fn ack(&self, delivery: &Delivery) -> StoreResult<()> {
        sqlx::query("DELETE FROM jobs WHERE id = ?")
            .bind(receipt_id(delivery)?)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn retry(&self, delivery: &Delivery, delay: Duration) -> StoreResult<()> {
        let at = to_ms(now()) + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 2);
        sqlx::query("UPDATE jobs SET available_at = ?, locked_until = NULL WHERE id = ?")
            .bind(at)
            .bind(receipt_id(delivery)?)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn dead_letter(&self, delivery: &Delivery, reason: &str) -> StoreResult<()> {
        let id = receipt_id(delivery)?;
        let mut tx = self.pool.begin().await.map_err(store_error)?;
        sqlx::query(
            "INSERT OR REPLACE INTO dead_letters (id, payload, attempts, reason, failed_at)
             SELECT id, payload, attempts, ?, ? FROM jobs WHERE id = ?",
        )
        .bind(reason)
        .bind(to_ms(now()))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(store_error)?;
        sqlx::query("DELETE FROM jobs WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        tx.commit().await.map_err(store_error)?;
        Ok(())
    }

    async fn pending(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM jobs WHERE locked_until > ?")
            .bind(to_ms(now()))
            .fetch_one(&self.pool)
            .await
            .map_err(store_error)?
            .get("n");
        Ok(u64::try_from(n).unwrap_or_default())
    }

    async fn depth(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM jobs")
            .fetch_one(&self.pool)
            .await
            .map_err(store_error)?
            .get("n");
        Ok(u64::try_from(n).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::Channel;

    async fn queue(dir: &Path, visibility: Duration) -> EmbeddedQueue {
        EmbeddedQueue::open(&dir.join("queue.db"), visibility)
            .await
            .expect("queue opens")
    }

    #[tokio::test]
    async fn a_job_survives_a_restart_of_the_queue() {
        let dir = tempfile::tempdir().expect("tempdir");
        let job = Job::new(uuid::Uuid::new_v4(), Channel::Sms);
        queue(dir.path(), Duration::from_secs(60))
            .await
            .enqueue(&job)
            .await
            .expect("enqueued");
        let reopened = queue(dir.path(), Duration::from_secs(60)).await;
        let got = reopened
            .receive(10, Duration::from_millis(10))
            .await
            .expect("received");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].job.as_ref().ok(), Some(&job));
        assert_eq!(got[0].attempt, 1);
    }

    #[tokio::test]
    async fn an_unacked_job_reappears_after_the_visibility_timeout_and_an_acked_one_never_does() {
        let dir = tempfile::tempdir().expect("tempdir");
        let q = queue(dir.path(), Duration::from_millis(50)).await;
        q.enqueue(&Job::new(uuid::Uuid::new_v4(), Channel::Rcs))
            .await
            .expect("enqueued");
        let first = q.receive(1, Duration::ZERO).await.expect("received");
        assert_eq!(first.len(), 1);
        assert!(
            q.receive(1, Duration::ZERO)
                .await
                .expect("received")
                .is_empty(),
            "invisible while taken"
        );
        // Waits for the job to fall due, however long the machine takes.
        let again = q
            .receive(1, Duration::from_secs(10))
            .await
            .expect("received");
        assert_eq!(again[0].attempt, 2);
        q.ack(&again[0]).await.expect("acked");
        // Well past the visibility timeout: an acked job would have reappeared by now.
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert!(q
            .receive(1, Duration::ZERO)
            .await
            .expect("received")
            .is_empty());
        assert_eq!(q.depth().await.expect("depth"), 0);
    }

    #[tokio::test]
    async fn a_retried_job_waits_for_its_delay_and_a_dead_letter_leaves_the_queue() {
        let dir = tempfile::tempdir().expect("tempdir");
        let q = queue(dir.path(), Duration::from_secs(60)).await;
        q.enqueue(&Job::new(uuid::Uuid::new_v4(), Channel::Sms))
            .await
            .expect("enqueued");
        let d = q
            .receive(1, Duration::ZERO)
            .await
            .expect("received")
            .remove(0);
        q.retry(&d, Duration::from_millis(100))
            .await
            .expect("retried");
        assert!(q
            .receive(1, Duration::ZERO)
            .await
            .expect("received")
            .is_empty());
        let d = q
            .receive(1, Duration::from_secs(2))
            .await
            .expect("received")
            .remove(0);
        assert_eq!(d.attempt, 2);
        q.dead_letter(&d, "poison").await.expect("dead-lettered");
        assert_eq!(q.depth().await.expect("depth"), 0);
    }
}

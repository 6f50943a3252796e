//! The delivery worker: take jobs from the queue, deliver each through the service
//! layer, then ack, retry or dead-letter it. Shutdown lets in-flight jobs finish.

use crate::metrics::{JobOutcome, Metrics};
use app::service::delivery::{deliver, sweep_stale, Outcome};
use app::service::{Delivery, Services};
use futures::future::join_all;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How long one receive waits for work before checking for shutdown.
const RECEIVE_WAIT: Duration = Duration::from_millis(500);

/// Runs until `shutdown` is cancelled, handling up to `concurrency` jobs at once, and
/// re-queueing messages left `queued` longer than `sweep_after`.
pub async fn run(
    services: Services,
    concurrency: usize,
    sweep_after: Duration,
    metrics: Arc<Metrics>,
    shutdown: CancellationToken,
) {
    tracing::info!(concurrency, "worker started");
    let sweep_every = (sweep_after / 2).clamp(Duration::from_secs(1), Duration::from_secs(30));
    let mut next_sweep = tokio::time::Instant::now() + sweep_every;
    while !shutdown.is_cancelled() {
        if tokio::time::Instant::now() >= next_sweep {
            if let Err(e) = sweep_stale(&services, sweep_after).await {
                tracing::warn!(error = %e, "sweep failed; trying again later");
            }
            next_sweep = tokio::time::Instant::now() + sweep_every;
        }
        let batch = tokio::select! {
            () = shutdown.cancelled() => break,
            batch = services.queue.receive(concurrency.max(1), RECEIVE_WAIT) => batch,
        };
        match batch {
            Ok(deliveries) => {
                join_all(deliveries.iter().map(|d| handle(&services, &metrics, d))).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "queue unavailable; retrying in 1 s");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
    tracing::info!("worker stopped");
}

/// Delivers one job and settles it on the queue. A job whose outcome cannot be
/// settled stays taken and reappears after the visibility timeout.
pub async fn handle(services: &Services, metrics: &Metrics, delivery: &Delivery) {
    let started = std::time::Instant::now();
    let (outcome, settled) = match deliver(services, delivery).await {
        Ok(Outcome::Done) => (JobOutcome::Done, services.queue.ack(delivery).await),
        Ok(Outcome::Retry(delay)) => (
            JobOutcome::Retried,
            services.queue.retry(delivery, delay).await,
        ),
        Ok(Outcome::DeadLetter(reason)) => {
            tracing::warn!(receipt = %delivery.receipt, %reason, "job dead-lettered");
            (
                JobOutcome::DeadLettered,
                services.queue.dead_letter(delivery, &reason).await,
            )
        }
        Err(e) => {
            tracing::error!(receipt = %delivery.receipt, error = %e, "delivery failed; the job will reappear");
            (JobOutcome::Errored, Ok(()))
        }
    };
    metrics.record(outcome, started.elapsed());
    if let Err(e) = settled {
        tracing::error!(receipt = %delivery.receipt, error = %e, "could not settle a job on the queue");
    }
}

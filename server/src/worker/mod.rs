//! The delivery worker: keeps up to `concurrency` jobs in flight, delivering each
//! through the service layer and then acking, retrying or dead-lettering it; a slot is
//! freed the moment its job finishes, and more work is read while others are in
//! flight. Shutdown lets in-flight jobs finish.

use crate::metrics::{JobOutcome, Metrics};
use app::service::delivery::{deliver, retry_delay, sweep_stuck, Outcome};
use app::service::{Delivery, ServiceError, Services};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// How long one receive waits for work before checking for shutdown.
const RECEIVE_WAIT: Duration = Duration::from_millis(500);
/// Most jobs taken in one read from the queue.
const MOST_PER_READ: usize = 64;
/// Deliveries of a job failing with an internal error before it is dead-lettered.
const MOST_DELIVERIES_IN_ERROR: u32 = 10;

/// How a worker runs.
#[derive(Debug, Clone, Copy)]
pub struct WorkerOptions {
    /// Jobs in flight at once.
    pub concurrency: usize,
    /// A message `queued` for longer than this is queued again.
    pub queued_after: Duration,
    /// A message `sending` with nothing done to it for longer than this is queued again.
    pub sending_after: Duration,
}

impl WorkerOptions {
    /// How a worker of a process configured by `settings` runs.
    pub fn of(settings: &crate::config::Settings) -> Self {
        Self {
            concurrency: settings.worker.concurrency,
            queued_after: Duration::from_secs(settings.queue.sweep_after_secs),
            sending_after: Duration::from_secs(settings.queue.stuck_after_secs),
        }
    }
}

/// Runs until `shutdown` is cancelled.
pub async fn run(
    services: Services,
    options: WorkerOptions,
    metrics: Arc<Metrics>,
    shutdown: CancellationToken,
) {
    let concurrency = options.concurrency.max(1);
    tracing::info!(concurrency, "worker started");
    let sweeper = tokio::spawn(sweep(services.clone(), options, shutdown.clone()));
    let slots = Arc::new(Semaphore::new(concurrency));
    let mut in_flight = JoinSet::new();
    while !shutdown.is_cancelled() {
        // Wait for at least one free slot, then take as many as are free.
        let first = tokio::select! {
            () = shutdown.cancelled() => break,
            permit = slots.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
        };
        let mut permits = vec![first];
        while permits.len() < MOST_PER_READ {
            match slots.clone().try_acquire_owned() {
                Ok(p) => permits.push(p),
                Err(_) => break,
            }
        }
        let batch = tokio::select! {
            () = shutdown.cancelled() => break,
            batch = services.queue.receive(permits.len(), RECEIVE_WAIT) => batch,
        };
        match batch {
            Ok(deliveries) => {
                for (delivery, permit) in deliveries.into_iter().zip(permits.drain(..)) {
                    let (services, metrics) = (services.clone(), metrics.clone());
                    in_flight.spawn(async move {
                        handle(&services, &metrics, &delivery).await;
                        drop(permit);
                    });
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "queue unavailable; retrying in 1 s");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        // Reap finished tasks so the set does not grow.
        while in_flight.try_join_next().is_some() {}
    }
    while in_flight.join_next().await.is_some() {}
    let _ = sweeper.await;
    tracing::info!("worker stopped");
}

/// Every so often, queues again the messages that look stuck.
async fn sweep(services: Services, options: WorkerOptions, shutdown: CancellationToken) {
    let every = (options.queued_after / 2).clamp(Duration::from_secs(1), Duration::from_secs(30));
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(every) => {}
        }
        if let Err(e) = sweep_stuck(&services, options.queued_after, options.sending_after).await {
            tracing::warn!(error = %e, "sweep failed; trying again later");
        }
    }
}

/// Delivers one job and settles it on the queue: a delivery that failed (a backend
/// down) is tried again after a backoff; a job that cannot be settled on the queue
/// stays taken and reappears after the visibility timeout.
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
        // Not a backend outage: something that will fail the same way every time (a
        // record that cannot be read). It may not hold the queue forever.
        Err(e @ ServiceError::Internal(_)) if delivery.attempt >= MOST_DELIVERIES_IN_ERROR => {
            tracing::error!(receipt = %delivery.receipt, error = %e, attempt = delivery.attempt, "delivery keeps failing; job dead-lettered");
            (
                JobOutcome::DeadLettered,
                services
                    .queue
                    .dead_letter(delivery, &format!("delivery kept failing: {e:#}"))
                    .await,
            )
        }
        Err(e) => {
            tracing::error!(receipt = %delivery.receipt, error = %e, "delivery failed; the job will be tried again");
            let delay = retry_delay(services.settings.retry_base_delay, delivery.attempt);
            (
                JobOutcome::Errored,
                services.queue.retry(delivery, delay).await,
            )
        }
    };
    metrics.record(outcome, started.elapsed());
    if let Err(e) = settled {
        tracing::error!(receipt = %delivery.receipt, error = %e, "could not settle a job on the queue");
    }
}

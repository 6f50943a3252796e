//! The delivery worker: take jobs from the queue, deliver each through the service
//! layer, then ack, retry or dead-letter it. Shutdown lets in-flight jobs finish.

use app::service::delivery::{deliver, Outcome};
use app::service::status::StatusRecorder;
use app::service::{Delivery, Services};
use futures::future::join_all;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How long one receive waits for work before checking for shutdown.
const RECEIVE_WAIT: Duration = Duration::from_millis(500);

/// Runs until `shutdown` is cancelled, handling up to `concurrency` jobs at once.
pub async fn run(
    services: Services,
    recorder: Arc<StatusRecorder>,
    concurrency: usize,
    shutdown: CancellationToken,
) {
    tracing::info!(concurrency, "worker started");
    while !shutdown.is_cancelled() {
        let batch = tokio::select! {
            () = shutdown.cancelled() => break,
            batch = services.queue.receive(concurrency.max(1), RECEIVE_WAIT) => batch,
        };
        match batch {
            Ok(deliveries) => {
                join_all(deliveries.iter().map(|d| handle(&services, &recorder, d))).await;
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
pub async fn handle(services: &Services, recorder: &StatusRecorder, delivery: &Delivery) {
    let settled = match deliver(services, recorder, delivery).await {
        Ok(Outcome::Done) => services.queue.ack(delivery).await,
        Ok(Outcome::Retry(delay)) => services.queue.retry(delivery, delay).await,
        Ok(Outcome::DeadLetter(reason)) => {
            tracing::warn!(receipt = %delivery.receipt, %reason, "job dead-lettered");
            services.queue.dead_letter(delivery, &reason).await
        }
        Err(e) => {
            tracing::error!(receipt = %delivery.receipt, error = %e, "delivery failed; the job will reappear");
            return;
        }
    };
    if let Err(e) = settled {
        tracing::error!(receipt = %delivery.receipt, error = %e, "could not settle a job on the queue");
    }
}

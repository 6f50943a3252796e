//! Per-account send pacing: a burst over the limit is spread out, never refused. A
//! generic cell rate: each message gets the next slot `1/rate` after the previous one,
//! and up to one second's worth of messages may go at once after a quiet spell. With a
//! shared slot book (the Redis queue's server) every worker process takes its slots
//! from the same schedule, so the limit holds for the account, not per process.

use async_trait::async_trait;
use std::sync::{Arc, Mutex};
use tokio::time::{Duration, Instant};

/// A schedule of send slots shared by every worker process.
#[async_trait]
pub trait SlotBook: Send + Sync {
    /// Takes the next slot of `key` (one every `interval`, up to `burst` early) and
    /// returns how long to wait for it.
    async fn reserve(
        &self,
        key: &str,
        interval: Duration,
        burst: Duration,
    ) -> anyhow::Result<Duration>;
}

/// The pace of one account.
pub struct Pace {
    interval: Duration,
    burst: Duration,
    next: Mutex<Instant>,
    shared: Option<(Arc<dyn SlotBook>, String)>,
}

impl Pace {
    /// At most `rate` messages per second (and a burst of `rate`), kept in this process.
    pub fn per_second(rate: u32) -> Self {
        let rate = rate.max(1);
        let interval = Duration::from_secs(1) / rate;
        Self {
            interval,
            burst: interval * (rate - 1),
            next: Mutex::new(Instant::now()),
            shared: None,
        }
    }

    /// The same pace, its slots taken from `book` under `key` (every process sharing the
    /// book shares the limit); this process's own pace is the fallback if the book
    /// cannot be reached.
    pub fn shared(rate: u32, book: Arc<dyn SlotBook>, key: String) -> Self {
        Self {
            shared: Some((book, key)),
            ..Self::per_second(rate)
        }
    }

    /// Waits for this message's slot.
    pub async fn wait(&self) {
        if let Some((book, key)) = &self.shared {
            match book.reserve(key, self.interval, self.burst).await {
                Ok(wait) => return tokio::time::sleep(wait).await,
                Err(e) => {
                    tracing::warn!(error = %e, "shared send pacing unavailable; pacing this process alone");
                }
            }
        }
        self.wait_here().await;
    }

    /// Waits for this process's next slot.
    async fn wait_here(&self) {
        let start = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            // The slot this message takes; a quiet spell earns at most one burst.
            let slot = (*next).max(now);
            *next = slot + self.interval;
            slot.checked_sub(self.burst).unwrap_or(now).max(now)
        };
        tokio::time::sleep_until(start).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_burst_goes_at_once_up_to_the_rate_then_one_slot_at_a_time() {
        let pace = Pace::per_second(5);
        let start = Instant::now();
        let mut waited = Vec::new();
        for _ in 0..12 {
            pace.wait().await;
            waited.push((Instant::now() - start).as_millis());
        }
        assert_eq!(
            waited,
            [0, 0, 0, 0, 0, 200, 400, 600, 800, 1000, 1200, 1400]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_quiet_spell_earns_one_burst_not_more() {
        let pace = Pace::per_second(2);
        tokio::time::sleep(Duration::from_secs(60)).await;
        let start = Instant::now();
        let mut waited = Vec::new();
        for _ in 0..4 {
            pace.wait().await;
            waited.push((Instant::now() - start).as_millis());
        }
        assert_eq!(waited, [0, 0, 500, 1000]);
    }
}

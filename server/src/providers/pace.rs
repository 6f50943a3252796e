//! Per-account send pacing: a burst over the limit is spread out, never refused. A
//! generic cell rate: each message gets the next slot `1/rate` after the previous one,
//! and up to one second's worth of messages may go at once after a quiet spell.

use std::sync::Mutex;
use tokio::time::{Duration, Instant};

/// The pace of one account.
pub struct Pace {
    interval: Duration,
    burst: Duration,
    next: Mutex<Instant>,
}

impl Pace {
    /// At most `rate` messages per second (and a burst of `rate`).
    pub fn per_second(rate: u32) -> Self {
        let rate = rate.max(1);
        let interval = Duration::from_secs(1) / rate;
        Self {
            interval,
            burst: interval * (rate - 1),
            next: Mutex::new(Instant::now()),
        }
    }

    /// Waits for this message's slot.
    pub async fn wait(&self) {
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

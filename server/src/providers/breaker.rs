//! A provider account's circuit breaker: sends in a row that got no answer open it, and
//! while it is open the account counts as down (a group's fallback chain skips it).
//! After the open time one send is let through: an answer closes the circuit, another
//! failure opens it again at once.

use crate::config::CircuitSettings;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One account's breaker.
pub struct Breaker {
    trips_after: u32,
    open_for: Duration,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    failures_in_a_row: u32,
    open_until: Option<Instant>,
}

impl Breaker {
    /// A closed breaker with `settings`' threshold and open time.
    pub fn new(settings: &CircuitSettings) -> Self {
        Self {
            trips_after: settings.failures.max(1),
            open_for: Duration::from_secs(settings.open_secs),
            state: Mutex::new(State::default()),
        }
    }

    /// Whether the account is down now.
    pub fn is_open(&self) -> bool {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.open_until.is_some_and(|until| Instant::now() < until)
    }

    /// Notes a send the provider answered (whatever it said).
    pub fn answered(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        *state = State::default();
    }

    /// Notes a send that got no answer; returns whether the circuit opened with it.
    pub fn failed(&self) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.failures_in_a_row = state.failures_in_a_row.saturating_add(1);
        if state.failures_in_a_row < self.trips_after {
            return false;
        }
        state.open_until = Some(Instant::now() + self.open_for);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker(open_secs: u64) -> Breaker {
        Breaker::new(&CircuitSettings {
            failures: 3,
            open_secs,
        })
    }

    #[test]
    fn three_failures_in_a_row_open_it_and_an_answer_between_them_does_not() {
        let b = breaker(30);
        assert!(!b.failed() && !b.failed());
        b.answered();
        assert!(!b.failed() && !b.failed());
        assert!(!b.is_open());
        assert!(b.failed());
        assert!(b.is_open());
    }

    #[test]
    fn after_its_open_time_one_trial_goes_through_and_one_more_failure_reopens_it() {
        let b = breaker(0);
        for _ in 0..3 {
            b.failed();
        }
        assert!(!b.is_open(), "an open time of zero has passed already");
        assert!(b.failed(), "the trial failed: open again at once");
        b.answered();
        assert!(!b.failed());
    }
}

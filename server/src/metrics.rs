//! Delivery metrics kept by the worker and served at `/metrics` in the Prometheus text
//! format, next to the queue's depth and pending count read at scrape time.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the processing-latency histogram, in seconds.
const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// What became of a job the worker handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    /// Handed to the provider, or finished for good.
    Done,
    /// A transient failure: retried later.
    Retried,
    /// Moved to the dead letters.
    DeadLettered,
    /// Could not be handled (a backend error); the job reappears.
    Errored,
}

impl JobOutcome {
    const ALL: [Self; 4] = [Self::Done, Self::Retried, Self::DeadLettered, Self::Errored];

    fn label(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Retried => "retried",
            Self::DeadLettered => "dead_lettered",
            Self::Errored => "errored",
        }
    }
}

/// The Prometheus text of `metrics`, with the queue's depth and pending count read now.
pub async fn scrape(metrics: &Metrics, queue: &dyn app::service::JobQueue) -> String {
    let depth = queue.depth().await.ok();
    let pending = queue.pending().await.ok();
    metrics.render(depth, pending)
}

/// Counters and a latency histogram, shared by the worker and the HTTP surface.
#[derive(Default)]
pub struct Metrics {
    outcomes: [AtomicU64; 4],
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
    /// Provider answers by (provider, result).
    answers: Mutex<BTreeMap<(String, &'static str), u64>>,
    /// Webhook events by (provider, result).
    webhooks: Mutex<BTreeMap<(String, &'static str), u64>>,
}

fn bump(
    counters: &Mutex<BTreeMap<(String, &'static str), u64>>,
    provider: &str,
    result: &'static str,
    n: u64,
) {
    let mut counters = counters.lock().unwrap_or_else(|e| e.into_inner());
    *counters.entry((provider.to_owned(), result)).or_default() += n;
}

fn labelled(
    out: &mut String,
    name: &str,
    help: &str,
    counters: &Mutex<BTreeMap<(String, &'static str), u64>>,
) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
    let counters = counters.lock().unwrap_or_else(|e| e.into_inner());
    for ((provider, result), n) in counters.iter() {
        let _ = writeln!(
            out,
            "{name}{{provider=\"{provider}\",result=\"{result}\"}} {n}"
        );
    }
}

impl Metrics {
    /// Counts a provider's answer to a send: `taken`, `retry`, `refused` or `switch`.
    pub fn provider_answer(&self, provider: &str, result: &'static str) {
        bump(&self.answers, provider, result, 1);
    }

    /// Counts `n` webhook events (or requests, for `bad_signature`) of a provider by result.
    pub fn webhook(&self, provider: &str, result: &'static str, n: u64) {
        if n > 0 {
            bump(&self.webhooks, provider, result, n);
        }
    }

    /// Records one handled job and how long it took.
    pub fn record(&self, outcome: JobOutcome, took: Duration) {
        let index = JobOutcome::ALL
            .iter()
            .position(|o| *o == outcome)
            .unwrap_or(0);
        self.outcomes[index].fetch_add(1, Ordering::Relaxed);
        let seconds = took.as_secs_f64();
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            if seconds <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add(
            u64::try_from(took.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// The Prometheus text exposition, with the queue's gauges (none when unreadable).
    pub fn render(&self, depth: Option<u64>, pending: Option<u64>) -> String {
        let mut out = String::new();
        let gauge = |out: &mut String, name: &str, help: &str, value: Option<u64>| {
            if let Some(v) = value {
                let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
            }
        };
        gauge(
            &mut out,
            "agent_notify_queue_depth",
            "Jobs waiting in the gateway queue (including delayed retries).",
            depth,
        );
        gauge(
            &mut out,
            "agent_notify_queue_pending",
            "Jobs taken by a worker and not yet settled.",
            pending,
        );
        let _ = writeln!(
            out,
            "# HELP agent_notify_jobs_total Jobs handled by this process's worker, by outcome."
        );
        let _ = writeln!(out, "# TYPE agent_notify_jobs_total counter");
        for (outcome, counter) in JobOutcome::ALL.iter().zip(&self.outcomes) {
            let _ = writeln!(
                out,
                "agent_notify_jobs_total{{outcome=\"{}\"}} {}",
                outcome.label(),
                counter.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP agent_notify_job_seconds Time to handle one job (provider call included)."
        );
        let _ = writeln!(out, "# TYPE agent_notify_job_seconds histogram");
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            let _ = writeln!(
                out,
                "agent_notify_job_seconds_bucket{{le=\"{bound}\"}} {}",
                bucket.load(Ordering::Relaxed)
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(
            out,
            "agent_notify_job_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            out,
            "agent_notify_job_seconds_sum {sum}\nagent_notify_job_seconds_count {count}"
        );
        labelled(
            &mut out,
            "agent_notify_provider_answers_total",
            "Provider answers to sends from this process (taken, retry, refused, switch).",
            &self.answers,
        );
        labelled(
            &mut out,
            "agent_notify_webhook_events_total",
            "Webhook events received (applied, ignored, unknown; bad_signature counts requests).",
            &self.webhooks,
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_histogram_counts_each_job_in_every_bucket_at_or_above_its_time() {
        let m = Metrics::default();
        m.record(JobOutcome::Done, Duration::from_millis(30));
        m.record(JobOutcome::Retried, Duration::from_secs(3));
        let text = m.render(Some(7), None);
        assert!(text.contains("agent_notify_queue_depth 7"));
        assert!(
            !text.contains("agent_notify_queue_pending"),
            "an unreadable gauge is left out"
        );
        assert!(text.contains("agent_notify_jobs_total{outcome=\"done\"} 1"));
        assert!(text.contains("agent_notify_jobs_total{outcome=\"retried\"} 1"));
        assert!(text.contains("agent_notify_job_seconds_bucket{le=\"0.025\"} 0"));
        assert!(text.contains("agent_notify_job_seconds_bucket{le=\"0.05\"} 1"));
        assert!(text.contains("agent_notify_job_seconds_bucket{le=\"10\"} 2"));
        assert!(text.contains("agent_notify_job_seconds_count 2"));
    }
}

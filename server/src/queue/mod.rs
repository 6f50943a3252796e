//! Gateway queue adapters. The job format itself ([`app::service::Job`]) is the one
//! contract every adapter shares: JSON, versioned.

mod embedded;
mod streams;

pub use embedded::EmbeddedQueue;
pub use streams::RedisQueue;

use app::service::Job;

/// Serialises a job the way every queue stores it.
pub fn encode_job(job: &Job) -> String {
    serde_json::json!(job).to_string()
}

/// Reads a stored job; an unreadable entry is reported, not dropped.
pub fn decode_job(payload: &str) -> Result<Job, String> {
    serde_json::from_str(payload).map_err(|e| e.to_string())
}

//! Keeping personal data no longer than needed: a message's number, body and field
//! values are erased after the retention period (its UUID, status, history and counts
//! stay), and customers' messages deleted; idempotency keys (their stored answers hold numbers) after a day; expired
//! sessions, stream tickets and revocations at once.

use super::{now, ServiceError, Services};
use std::time::Duration;

/// How long each kind of data is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Messages' numbers, bodies and field values.
    pub messages: Duration,
    /// Idempotency keys.
    pub idempotency_keys: Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            messages: Duration::from_secs(90 * 86_400),
            idempotency_keys: Duration::from_secs(86_400),
        }
    }
}

/// What one purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Messages whose personal data was erased.
    pub messages: u64,
    /// Customers' messages deleted.
    pub inbound: u64,
    /// Idempotency keys forgotten.
    pub idempotency_keys: u64,
    /// Expired sessions, tickets and revocations deleted.
    pub expired: u64,
}

/// Erases and deletes what is past its time.
pub async fn purge(services: &Services, keep: Retention) -> Result<Purged, ServiceError> {
    let at = now();
    Ok(Purged {
        messages: services.status.erase_before(at - keep.messages).await?,
        inbound: services
            .contacts
            .erase_inbound_before(at - keep.messages)
            .await?,
        idempotency_keys: services
            .idempotency
            .purge_before(at - keep.idempotency_keys)
            .await?,
        expired: services.accounts.purge_expired().await?,
    })
}

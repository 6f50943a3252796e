//! The service layer (server only): the use cases, and the ports they need.
//!
//! REST handlers and server functions both call these functions, so the two paths
//! behave identically. Each use case takes [`Services`] and a verified [`Caller`].

pub mod access;
pub mod accounts;
pub mod admin;
pub mod auth;
pub mod catalog;
pub mod chain;
pub mod contacts;
pub mod delivery;
pub mod error;
pub mod history;
pub mod keys;
pub mod ports;
pub mod preferences;
pub mod retention;
pub mod send;
pub mod stats;
pub mod status;

pub use auth::{Caller, Role};
pub use error::{ServiceError, StoreError};
pub use ports::*;

use crate::domain::CountryCode;
use status::StatusRecorder;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

/// Settings the use cases need (a slice of the server's configuration).
#[derive(Debug, Clone)]
pub struct ServiceSettings {
    /// The country national numbers are read in unless the caller says otherwise.
    pub default_country: CountryCode,
    /// How long a send waits for a concurrent request with the same idempotency key.
    pub idempotency_wait: Duration,
    /// After how long an unfinished idempotent request may be taken over.
    pub idempotency_stale_after: Duration,
    /// Attempts before a transiently failing message is failed for good.
    pub max_attempts: u32,
    /// The first retry delay; each further attempt doubles it (with jitter).
    pub retry_base_delay: Duration,
    /// How long a hand-off to a provider may be in progress (the provider's timeout
    /// and a margin): an open hand-off older than this is one whose answer was lost.
    pub handoff_lease: Duration,
    /// Origins allowed to embed the widget and receive its events.
    pub embed_origins: Vec<String>,
    /// Where providers reach this server (`https://notify.example.com`): webhook URLs.
    pub public_url: String,
    /// Whether a valid host token for an agent the settings do not hold registers them
    /// (in the token's group) instead of being refused.
    pub register_agents_on_first_use: bool,
    /// The longest a host-signed token may live (revocations are kept this long).
    pub max_token_ttl: Duration,
    /// Most messages (each adds a comment) one call may gather.
    pub comments_per_call: u64,
    /// The words that opt a customer out and back in.
    pub keywords: crate::domain::Keywords,
    /// How a channel with no provider account sends: the sandbox, the HTTP gateway,
    /// or not at all (the channel is not offered).
    pub without_account: crate::domain::Sending,
    /// How long after its call ends the widget still sends, in seconds.
    pub call_grace_secs: u32,
}

impl Default for ServiceSettings {
    fn default() -> Self {
        Self {
            default_country: CountryCode::INDIA,
            idempotency_wait: Duration::from_secs(10),
            idempotency_stale_after: Duration::from_secs(30),
            max_attempts: 5,
            retry_base_delay: Duration::from_secs(2),
            handoff_lease: Duration::from_secs(15),
            embed_origins: Vec::new(),
            public_url: "http://127.0.0.1:3000".into(),
            register_agents_on_first_use: false,
            max_token_ttl: Duration::from_secs(12 * 3600),
            comments_per_call: 200,
            call_grace_secs: 120,
            keywords: crate::domain::Keywords::default(),
            without_account: crate::domain::Sending::Sandbox,
        }
    }
}

/// Every adapter the use cases need, built once at startup.
#[derive(Clone)]
pub struct Services {
    /// Verifies bearer tokens.
    pub auth: Arc<dyn Authenticator>,
    /// Templates and group mappings.
    pub config: Arc<dyn ConfigStore>,
    /// The admin's settings and the audit log.
    pub admin: Arc<dyn AdminStore>,
    /// Admin accounts and sessions, registered agents' access, stream tickets.
    pub accounts: Arc<dyn AdminAccounts>,
    /// Sign-in throttling and the bounded password checks.
    pub sign_in: Arc<accounts::SignInGuard>,
    /// Message status and history.
    pub status: Arc<dyn StatusStore>,
    /// Idempotency keys.
    pub idempotency: Arc<dyn IdempotencyStore>,
    /// Call comment logs.
    pub comments: Arc<dyn CommentStore>,
    /// The opt-out list and customers' messages.
    pub contacts: Arc<dyn ContactStore>,
    /// The gateway queue.
    pub queue: Arc<dyn JobQueue>,
    /// Live status changes.
    pub feed: Arc<dyn StatusFeed>,
    /// Who sends each message.
    pub providers: Arc<dyn ProviderDirectory>,
    /// The customer-details lookup, when one is configured.
    pub crm: Option<Arc<dyn CustomerLookup>>,
    /// Use-case settings.
    pub settings: ServiceSettings,
}

impl Services {
    /// Records status changes in the status store and announces them on the feed.
    pub fn recorder(&self) -> StatusRecorder {
        StatusRecorder::new(self.status.clone(), self.feed.clone())
    }
}

/// The address of the client a request came from, when known (sign-in throttling).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub Option<std::net::IpAddr>);

/// Now, truncated to milliseconds (what the stores keep).
pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    let ms = now.unix_timestamp_nanos() / 1_000_000;
    OffsetDateTime::from_unix_timestamp_nanos(ms * 1_000_000).unwrap_or(now)
}

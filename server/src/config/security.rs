//! The settings of the security boundaries: host tokens, admin sessions' keys,
//! operations endpoints, retention of personal data.

use secrecy::SecretString;
use serde::Deserialize;

/// Token checking and the keys kept under `data_dir`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthSettings {
    /// The HS256 secret the softphone host signs agent tokens with (≥ 32 bytes);
    /// generated and kept under `data_dir` when unset (required with MySQL).
    pub token_secret: Option<SecretString>,
    /// Lifetime of tokens minted by `agent-notify token agent`, in seconds.
    pub token_ttl_secs: u64,
    /// The longest lifetime (`exp` from now) a host token may claim, in seconds.
    pub max_token_ttl_secs: u64,
    /// Register an agent the settings do not hold, in the token's group, on their first
    /// request (for hosts that own the agent list); off: such tokens are refused.
    pub register_agents_on_first_use: bool,
    /// The first admin's password on an empty database (unset: a random one, printed once).
    pub initial_admin_password: Option<SecretString>,
    /// The key provider credentials are sealed with in the database (≥ 32 bytes);
    /// generated and kept under `data_dir` when unset (required with MySQL).
    pub credentials_key: Option<SecretString>,
    /// Keys credentials were sealed with before `credentials_key` (rotation): still
    /// read, never written; each account moves to the new key when it is next saved.
    pub previous_credentials_keys: Vec<SecretString>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            token_secret: None,
            token_ttl_secs: 12 * 3600,
            max_token_ttl_secs: 12 * 3600,
            register_agents_on_first_use: false,
            initial_admin_password: None,
            credentials_key: None,
            previous_credentials_keys: Vec::new(),
        }
    }
}

impl AuthSettings {
    pub(super) fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.max_token_ttl_secs >= 60,
            "auth.max_token_ttl_secs must be at least 60"
        );
        anyhow::ensure!(
            self.token_ttl_secs <= self.max_token_ttl_secs,
            "auth.token_ttl_secs ({}) must not exceed auth.max_token_ttl_secs ({})",
            self.token_ttl_secs,
            self.max_token_ttl_secs
        );
        Ok(())
    }
}

/// Operations endpoints.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OpsSettings {
    /// The bearer token `/metrics` and the readiness details need. Unset: they are
    /// answered only to clients on this machine (loopback).
    pub token: Option<SecretString>,
}

/// How long personal data is kept.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionSettings {
    /// Days after which a message's number, body and field values are erased (its
    /// UUID, status, history and counts stay).
    pub days: u32,
    /// Hours an idempotency key is remembered.
    pub idempotency_hours: u32,
    /// Most comments (so, sends) one call may gather.
    pub comments_per_call: u32,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        Self {
            days: 90,
            idempotency_hours: 24,
            comments_per_call: 200,
        }
    }
}

impl RetentionSettings {
    /// The retention the purge applies.
    pub fn policy(&self) -> app::service::retention::Retention {
        app::service::retention::Retention {
            messages: std::time::Duration::from_secs(u64::from(self.days) * 86_400),
            idempotency_keys: std::time::Duration::from_secs(
                u64::from(self.idempotency_hours) * 3600,
            ),
        }
    }

    pub(super) fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(self.days >= 1, "retention.days must be at least 1");
        anyhow::ensure!(
            self.idempotency_hours >= 1,
            "retention.idempotency_hours must be at least 1"
        );
        anyhow::ensure!(
            self.comments_per_call >= 1,
            "retention.comments_per_call must be at least 1"
        );
        Ok(())
    }
}

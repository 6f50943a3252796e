//! Integrators' API keys as credentials: `ank_` secrets, kept as SHA-256 digests,
//! checked on every request (the key exists, the caller's address is allowed), each
//! use noted to the minute.

use super::auth::KeyGrant;
use super::{now, Caller, Role, ServiceError, Services};
use crate::domain::{ApiKey, IpRange, UserId};
use sha2::{Digest, Sha256};
use std::net::IpAddr;

/// What every API key's secret starts with.
pub const KEY_PREFIX: &str = "ank_";

/// How stale `last_used_at` may get before a use writes it again.
const TOUCH_EVERY: time::Duration = time::Duration::minutes(1);

/// The digest a secret is stored and found under.
pub fn secret_digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new secret: the prefix and 256 random bits.
pub fn new_secret() -> String {
    format!(
        "{KEY_PREFIX}{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

fn unknown_key() -> ServiceError {
    ServiceError::Unauthenticated {
        code: "invalid_api_key",
        message: "This API key is unknown or was revoked.".into(),
    }
}

/// The caller an API key's `secret` stands for, used from `client`.
pub async fn key_caller(
    services: &Services,
    secret: &str,
    client: Option<IpAddr>,
) -> Result<Caller, ServiceError> {
    if secret.len() > 100 {
        return Err(unknown_key());
    }
    let key = services
        .accounts
        .api_key_by_digest(&secret_digest(secret))
        .await?
        .ok_or_else(unknown_key)?;
    if !key.allowed_ips.is_empty() {
        let allowed = client.is_some_and(|ip| {
            key.allowed_ips
                .iter()
                .filter_map(|r| IpRange::parse(r))
                .any(|r| r.contains(ip))
        });
        if !allowed {
            return Err(ServiceError::Forbidden {
                code: "ip_not_allowed",
                message: "This API key may not be used from this address.".into(),
            });
        }
    }
    let stale = key
        .last_used_at
        .as_deref()
        .and_then(|t| crate::domain::time::parse_rfc3339(t).ok())
        .is_none_or(|at| now() - at > TOUCH_EVERY);
    if stale {
        // Best effort: a key that works is not refused because its note failed.
        if let Err(e) = services.accounts.touch_api_key(&key.id, now()).await {
            tracing::warn!(key = %key.id, error = %e, "could not note an API key's use");
        }
    }
    caller_of(&key)
}

/// The caller a key stands for: its sender id, its scopes and groups.
pub fn caller_of(key: &ApiKey) -> Result<Caller, ServiceError> {
    let id = UserId::parse(&key.sender_id()).map_err(|e| ServiceError::Internal(e.into()))?;
    Ok(Caller {
        id,
        role: Role::Integrator,
        group: None,
        session: None,
        token_id: None,
        grant: Some(KeyGrant {
            scopes: key.scopes.clone(),
            groups: key.groups.clone(),
        }),
    })
}

/// A key's caller as its key is now (a stream kept open, a ticket redeemed): 401 once
/// the key is revoked.
pub async fn recheck_key(services: &Services, caller: &Caller) -> Result<Caller, ServiceError> {
    let id = caller
        .id
        .as_str()
        .strip_prefix(crate::domain::keys::API_KEY_SENDER_PREFIX)
        .ok_or_else(unknown_key)?;
    let key = services
        .accounts
        .api_key(id)
        .await?
        .ok_or_else(unknown_key)?;
    caller_of(&key)
}

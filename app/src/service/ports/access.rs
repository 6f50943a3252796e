//! The ports of access: host tokens, admin accounts and sessions, registered agents,
//! revoked tokens and stream tickets.

use super::{AuditRecord, StoreResult};
use crate::domain::{ApiKey, GroupId, UserId};
use crate::service::auth::Role;
use crate::service::error::ServiceError;
use async_trait::async_trait;
use time::OffsetDateTime;

/// What a token minted by the softphone host (or `agent-notify token agent`) claims,
/// once its signature, lifetime and role are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostToken {
    /// The agent's id (`sub`).
    pub id: UserId,
    /// `agent` or `supervisor` (never `admin`).
    pub role: Role,
    /// The group the host believes the agent is in (`grp`), if it says.
    pub group: Option<GroupId>,
    /// The token's id (`jti`), if it has one.
    pub token_id: Option<String>,
}

/// Checks bearer tokens signed by the softphone host (the server implements it with
/// HS256 JWTs).
pub trait Authenticator: Send + Sync {
    /// What a token claims, or 401 (bad signature, expired, a lifetime over the cap,
    /// or a role the host may not grant).
    fn verify(&self, token: &str) -> Result<HostToken, ServiceError>;
}

/// An agent as the settings hold them, for checking a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredAgent {
    /// Their group.
    pub group: GroupId,
    /// Whether they may work (an admin can switch an agent off without deleting them).
    pub active: bool,
}

/// What the settings say about a token's agent and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentAccess {
    /// The agent, if registered.
    pub agent: Option<RegisteredAgent>,
    /// Whether the token's id was revoked.
    pub revoked: bool,
}

/// Admin accounts, sessions, revoked tokens and stream tickets (SQL).
/// A new admin session ([`AdminAccounts::open_session`]).
#[derive(Debug, Clone, Copy)]
pub struct NewSession<'a> {
    /// Its id (the digest of its token).
    pub id: &'a str,
    /// Whose.
    pub admin: &'a UserId,
    /// When it ends.
    pub expires_at: OffsetDateTime,
}

#[async_trait]
pub trait AdminAccounts: Send + Sync {
    /// The stored hash of an admin's password.
    async fn password_hash(&self, id: &UserId) -> StoreResult<Option<String>>;
    /// Creates an admin, or replaces their password and ends their sessions.
    async fn upsert_admin(&self, id: &UserId, password_hash: &str) -> StoreResult<()>;
    /// How many admins exist.
    async fn admin_count(&self) -> StoreResult<u64>;
    /// Records a new session, with its audit entry.
    async fn open_session(&self, session: &NewSession<'_>, audit: &AuditRecord) -> StoreResult<()>;
    /// The admin of a session that exists, is not revoked and has not expired.
    async fn session_admin(&self, session: &str) -> StoreResult<Option<UserId>>;
    /// Revokes a session, with its audit entry.
    async fn close_session(&self, session: &str, audit: &AuditRecord) -> StoreResult<()>;
    /// The registered agent `id` and whether `token_id` was revoked (one round trip).
    async fn agent_access(&self, id: &UserId, token_id: Option<&str>) -> StoreResult<AgentAccess>;
    /// Registers agent `id` in `group` (just in time); false when the group does not exist.
    async fn register_agent(&self, id: &UserId, group: &GroupId) -> StoreResult<bool>;
    /// Refuses token id `token_id` from now until `until` (after which it has expired anyway).
    async fn revoke_token(&self, token_id: &str, until: OffsetDateTime) -> StoreResult<()>;
    /// Keeps a stream ticket (the caller it stands for, serialized) until `expires_at`.
    async fn put_ticket(
        &self,
        ticket: &str,
        caller: &str,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Takes a ticket once: its caller if it exists and has not expired; it is gone after.
    async fn take_ticket(&self, ticket: &str) -> StoreResult<Option<String>>;
    /// Deletes expired sessions, tickets and revocations; how many rows went.
    async fn purge_expired(&self) -> StoreResult<u64>;
    /// Every API key, newest first.
    async fn api_keys(&self) -> StoreResult<Vec<ApiKey>>;
    /// The key `id`.
    async fn api_key(&self, id: &str) -> StoreResult<Option<ApiKey>>;
    /// The key whose secret has this digest.
    async fn api_key_by_digest(&self, digest: &str) -> StoreResult<Option<ApiKey>>;
    /// Stores a new key under its secret's digest, with its audit entry.
    async fn insert_api_key(
        &self,
        key: &ApiKey,
        digest: &str,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    /// Deletes (revokes) a key, with its audit entry; whether it existed.
    async fn delete_api_key(&self, id: &str, audit: &AuditRecord) -> StoreResult<bool>;
    /// Notes that key `id` was used at `at`.
    async fn touch_api_key(&self, id: &str, at: OffsetDateTime) -> StoreResult<()>;
}

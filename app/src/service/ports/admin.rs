//! The settings ports, one per resource the settings page edits; `AdminStore` is all of
//! them (the SQL store implements each).

use super::StoreResult;
use crate::domain::{
    Agent, AuditEntry, CallQueue, Channel, Group, GroupId, NotificationTypes, Preferences,
    ProviderAccount, ProviderAccountId, QueueId, Template, TemplateId, UserId,
};
use async_trait::async_trait;
use std::collections::BTreeMap;

/// A change to record in the audit log along with the change itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// Which admin.
    pub actor: String,
    /// `create`, `update`, `delete`.
    pub action: &'static str,
    /// What kind of thing.
    pub entity: &'static str,
    /// Its id.
    pub entity_id: String,
    /// Before (none on create).
    pub before: Option<serde_json::Value>,
    /// After (none on delete).
    pub after: Option<serde_json::Value>,
}

/// Which audit entries to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only this kind of thing.
    pub entity: Option<String>,
    /// Only this admin's changes.
    pub actor: Option<String>,
    /// At most this many, newest first.
    pub limit: u32,
}

/// A provider account as stored, credentials included (never leaves the server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredProviderAccount {
    /// The public part.
    pub account: ProviderAccount,
    /// Credential name → value.
    pub credentials: BTreeMap<String, String>,
}

/// The templates registry.
#[async_trait]
pub trait TemplateStore: Send + Sync {
    /// Templates, optionally of one channel, by name.
    async fn templates(&self, channel: Option<Channel>) -> StoreResult<Vec<Template>>;
    /// One template.
    async fn template(&self, id: &TemplateId) -> StoreResult<Option<Template>>;
    /// Adds a template (its name is unique on its channel).
    async fn insert_template(&self, template: &Template, audit: &AuditRecord) -> StoreResult<()>;
    /// Replaces a template, keeping its creation time.
    async fn update_template(&self, template: &Template, audit: &AuditRecord) -> StoreResult<()>;
    /// Deletes a template and removes it from every group's mapping.
    async fn delete_template(&self, id: &TemplateId, audit: &AuditRecord) -> StoreResult<()>;
    /// The groups whose mappings use a template.
    async fn template_users(&self, id: &TemplateId) -> StoreResult<Vec<GroupId>>;
}

/// Agent groups and each one's Notification Type tab.
#[async_trait]
pub trait GroupStore: Send + Sync {
    /// Every group, by name.
    async fn groups(&self) -> StoreResult<Vec<Group>>;
    /// One group.
    async fn group(&self, id: &GroupId) -> StoreResult<Option<Group>>;
    /// Adds a group.
    async fn insert_group(&self, group: &Group, audit: &AuditRecord) -> StoreResult<()>;
    /// Renames a group.
    async fn update_group(&self, group: &Group, audit: &AuditRecord) -> StoreResult<()>;
    /// Deletes a group that has no agents (a conflict otherwise).
    async fn delete_group(&self, id: &GroupId, audit: &AuditRecord) -> StoreResult<()>;
    /// A group's Notification Type tab.
    async fn notification_types(&self, id: &GroupId) -> StoreResult<NotificationTypes>;
    /// Replaces a group's tab atomically; the store itself refuses more than five per channel.
    async fn save_notification_types(
        &self,
        id: &GroupId,
        types: &NotificationTypes,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
}

/// Call queues (each routes its calls to a group).
#[async_trait]
pub trait QueueStore: Send + Sync {
    /// Every call queue, by id.
    async fn queues(&self) -> StoreResult<Vec<CallQueue>>;
    /// One call queue.
    async fn queue(&self, id: &QueueId) -> StoreResult<Option<CallQueue>>;
    /// Creates or replaces a call queue.
    async fn save_queue(&self, queue: &CallQueue, audit: &AuditRecord) -> StoreResult<()>;
    /// Deletes a call queue.
    async fn delete_queue(&self, id: &QueueId, audit: &AuditRecord) -> StoreResult<()>;
}

/// Agents.
#[async_trait]
pub trait AgentStore: Send + Sync {
    /// Every agent, by name.
    async fn agents(&self) -> StoreResult<Vec<Agent>>;
    /// One agent.
    async fn agent(&self, id: &UserId) -> StoreResult<Option<Agent>>;
    /// Adds an agent.
    async fn insert_agent(&self, agent: &Agent, audit: &AuditRecord) -> StoreResult<()>;
    /// Changes an agent's name or group.
    async fn update_agent(&self, agent: &Agent, audit: &AuditRecord) -> StoreResult<()>;
    /// Deletes an agent.
    async fn delete_agent(&self, id: &UserId, audit: &AuditRecord) -> StoreResult<()>;
}

/// Each user's own preferences.
#[async_trait]
pub trait PreferenceStore: Send + Sync {
    /// A user's own preferences, if they saved any.
    async fn preferences(&self, user: &UserId) -> StoreResult<Option<Preferences>>;
    /// Saves a user's own preferences (not audited: they are the user's, not settings).
    async fn save_preferences(&self, user: &UserId, preferences: &Preferences) -> StoreResult<()>;
}

/// Provider accounts, credentials included.
#[async_trait]
pub trait ProviderAccountStore: Send + Sync {
    /// Every provider account.
    async fn provider_accounts(&self) -> StoreResult<Vec<StoredProviderAccount>>;
    /// Adds a provider account (a default one takes over its channel's default).
    async fn insert_provider_account(
        &self,
        account: &StoredProviderAccount,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    /// Changes a provider account (likewise for the default).
    async fn update_provider_account(
        &self,
        account: &StoredProviderAccount,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    /// Deletes a provider account.
    async fn delete_provider_account(
        &self,
        id: &ProviderAccountId,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
}

/// The audit log.
#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Audit entries, newest first.
    async fn audit(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditEntry>>;
}

/// The settings store (SQL): every settings port (the SQL store implements each). Every write is one transaction with its audit entry; an
/// insert whose id (or unique name) is taken, and an update or delete of a row that is
/// gone, is a [`StoreError::Conflict`].
pub trait AdminStore:
    TemplateStore
    + GroupStore
    + QueueStore
    + AgentStore
    + PreferenceStore
    + ProviderAccountStore
    + AuditLog
{
}

//! The admin's use cases: the templates registry, agent groups and their Notification
//! Type tab, agents, provider accounts, and the audit log. They are methods of [`Admin`],
//! which only an admin can obtain. The reads (one store call each) are here; the changes,
//! with the rules they check, are in a module per resource. Every change is written
//! together with its audit entry (who, when, what, before and after): creates and
//! updates through `Admin::save`, deletes with their `Admin::record`.

mod agents;
mod groups;
mod keys;
mod opt_outs;
pub mod providers;
mod queues;
mod templates;

use super::{
    AdminStore, AuditFilter, AuditRecord, Caller, ServiceError, Services, StoreError, StoreResult,
    StoredProviderAccount,
};
use crate::domain::{
    Agent, AuditEntry, FieldProblem, Group, GroupId, ProviderAccount, ProviderAccountId, Template,
    TemplateId, UserId,
};
use futures::future::BoxFuture;
use serde::Serialize;

/// What only an admin may do: made by [`Admin::new`], which refuses anyone else, so every
/// use case of this module runs for an admin.
#[derive(Clone, Copy)]
pub struct Admin<'a> {
    services: &'a Services,
    caller: &'a Caller,
}

impl<'a> Admin<'a> {
    /// The admin use cases for `caller`; 403 unless the caller is an admin.
    pub fn new(services: &'a Services, caller: &'a Caller) -> Result<Self, ServiceError> {
        caller.require_admin()?;
        Ok(Self { services, caller })
    }

    /// The settings store.
    fn store(&self) -> &'a dyn AdminStore {
        self.services.admin.as_ref()
    }

    /// The audit record of a change to `id`: a create when nothing was `before`, a
    /// delete when nothing is `after`, an update otherwise.
    fn record(
        &self,
        entity: Entity,
        id: &str,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> AuditRecord {
        let action = match (before.is_some(), after.is_some()) {
            (false, _) => "create",
            (true, false) => "delete",
            (true, true) => "update",
        };
        AuditRecord {
            actor: self.caller.id.to_string(),
            action,
            entity: entity.as_str(),
            entity_id: id.to_owned(),
            before,
            after,
        }
    }

    /// Saves `after`: a create when nothing was `before`, an update otherwise; written
    /// in one transaction with its audit entry.
    async fn save<T: Resource>(&self, before: Option<&T>, after: &T) -> StoreResult<()> {
        let before_view = before.and_then(T::audit_view);
        let audit = self.record(T::ENTITY, after.id(), before_view, after.audit_view());
        let write = if before.is_none() {
            Write::Insert
        } else {
            Write::Update
        };
        after.write(self.store(), &audit, write).await
    }

    /// One template.
    pub async fn get_template(&self, id: &TemplateId) -> Result<Template, ServiceError> {
        found(self.store().template(id).await?, Entity::Template)
    }

    /// Every group.
    pub async fn list_groups(&self) -> Result<Vec<Group>, ServiceError> {
        Ok(self.store().groups().await?)
    }

    /// One group.
    pub async fn get_group(&self, id: &GroupId) -> Result<Group, ServiceError> {
        found(self.store().group(id).await?, Entity::Group)
    }

    /// Every agent.
    pub async fn list_agents(&self) -> Result<Vec<Agent>, ServiceError> {
        Ok(self.store().agents().await?)
    }

    /// One agent.
    pub async fn get_agent(&self, id: &UserId) -> Result<Agent, ServiceError> {
        found(self.store().agent(id).await?, Entity::Agent)
    }

    /// Every provider account (credentials hidden).
    pub async fn list_provider_accounts(&self) -> Result<Vec<ProviderAccount>, ServiceError> {
        let accounts = self.store().provider_accounts().await?;
        Ok(accounts.into_iter().map(|a| a.account).collect())
    }

    /// One provider account (credentials hidden).
    pub async fn get_provider_account(
        &self,
        id: &ProviderAccountId,
    ) -> Result<ProviderAccount, ServiceError> {
        Ok(self.stored_account(id).await?.account)
    }

    /// Each channel's default account and how its messages go out without one.
    pub async fn channel_setups(&self) -> Result<Vec<crate::domain::ChannelSetup>, ServiceError> {
        let accounts = self.store().provider_accounts().await?;
        Ok(crate::domain::Channel::ALL
            .into_iter()
            .map(|channel| {
                let account = accounts
                    .iter()
                    .find(|a| a.account.default && a.account.channel == channel);
                crate::domain::ChannelSetup {
                    channel,
                    account: account.map(|a| a.account.display_name.clone()),
                    sends: crate::service::delivery::sending(self.services, account),
                }
            })
            .collect())
    }

    /// A stored account, or 404.
    async fn stored_account(
        &self,
        id: &ProviderAccountId,
    ) -> Result<StoredProviderAccount, ServiceError> {
        let accounts = self.store().provider_accounts().await?;
        let account = accounts.into_iter().find(|a| &a.account.id == id);
        found(account, Entity::Provider)
    }

    /// The audit log, newest first.
    pub async fn audit_log(&self, filter: AuditFilter) -> Result<Vec<AuditEntry>, ServiceError> {
        if !(1..=500).contains(&filter.limit) {
            return Err(ServiceError::invalid(
                "invalid_limit",
                "limit must be between 1 and 500.",
                "limit",
                "out of range",
            ));
        }
        Ok(self.store().audit(&filter).await?)
    }
}

/// The kinds of things the audit log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entity {
    Template,
    Group,
    NotificationTypes,
    Agent,
    Provider,
    OptOut,
    ApiKey,
    Queue,
}

impl Entity {
    /// The name in the audit log.
    fn as_str(self) -> &'static str {
        match self {
            Self::Template => "template",
            Self::Group => "group",
            Self::NotificationTypes => "notification_types",
            Self::Agent => "agent",
            Self::Provider => "provider",
            Self::OptOut => "opt_out",
            Self::ApiKey => "api_key",
            Self::Queue => "call_queue",
        }
    }

    /// The name in messages for people.
    fn noun(self) -> &'static str {
        match self {
            Self::Template => "template",
            Self::Group | Self::NotificationTypes => "group",
            Self::Agent => "agent",
            Self::Provider => "provider account",
            Self::OptOut => "opt-out",
            Self::ApiKey => "API key",
            Self::Queue => "call queue",
        }
    }
}

/// A thing as the audit log shows it.
fn json<T: Serialize>(value: &T) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

/// Which store write a save is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Write {
    Insert,
    Update,
}

/// A resource the admin creates and changes: how the store writes it, and what its
/// audit entry shows of it.
trait Resource: Sync {
    /// What the audit log calls it.
    const ENTITY: Entity;
    /// Its id.
    fn id(&self) -> &str;
    /// What the audit log shows of it (never a secret).
    fn audit_view(&self) -> Option<serde_json::Value>;
    /// Inserts or updates it, with its audit entry.
    fn write<'a>(
        &'a self,
        store: &'a dyn AdminStore,
        audit: &'a AuditRecord,
        write: Write,
    ) -> BoxFuture<'a, StoreResult<()>>;
}

/// Implements [`Resource`] with the store's insert and update for the type.
macro_rules! resource {
    ($type:ty, $entity:expr, $insert:ident, $update:ident, |$v:ident| $id:expr, $view:expr) => {
        impl Resource for $type {
            const ENTITY: Entity = $entity;
            fn id(&self) -> &str {
                let $v = self;
                $id
            }
            fn audit_view(&self) -> Option<serde_json::Value> {
                let $v = self;
                json($view)
            }
            fn write<'a>(
                &'a self,
                store: &'a dyn AdminStore,
                audit: &'a AuditRecord,
                write: Write,
            ) -> BoxFuture<'a, StoreResult<()>> {
                match write {
                    Write::Insert => store.$insert(self, audit),
                    Write::Update => store.$update(self, audit),
                }
            }
        }
    };
}

resource!(
    Template,
    Entity::Template,
    insert_template,
    update_template,
    |t| t.id.as_str(),
    t
);
resource!(
    Group,
    Entity::Group,
    insert_group,
    update_group,
    |g| g.id.as_str(),
    g
);
resource!(
    Agent,
    Entity::Agent,
    insert_agent,
    update_agent,
    |a| a.id.as_str(),
    a
);
// The audit log shows which credentials are set, never their values.
resource!(
    StoredProviderAccount,
    Entity::Provider,
    insert_provider_account,
    update_provider_account,
    |a| a.account.id.as_str(),
    &a.account
);

/// A conflict while saving means the id is taken.
fn id_taken(entity: Entity) -> impl Fn(StoreError) -> ServiceError {
    move |e| match e {
        StoreError::Conflict(_) => ServiceError::invalid(
            "duplicate_id",
            format!("A {} with this id exists.", entity.noun()),
            "id",
            "taken",
        ),
        other => other.into(),
    }
}

/// 404 for a thing that does not exist.
fn not_found(entity: Entity) -> ServiceError {
    ServiceError::NotFound {
        code: "not_found",
        message: format!("No such {}.", entity.noun()),
    }
}

/// What a lookup found, or 404.
fn found<T>(found: Option<T>, entity: Entity) -> Result<T, ServiceError> {
    found.ok_or_else(|| not_found(entity))
}

/// 422 unless an update names the thing its URL names.
fn same_id(given: &str, url: &str, code: &'static str) -> Result<(), ServiceError> {
    if given == url {
        Ok(())
    } else {
        Err(ServiceError::invalid(
            code,
            "The id cannot change.",
            "id",
            "must match the URL",
        ))
    }
}

impl From<FieldProblem> for ServiceError {
    fn from(p: FieldProblem) -> Self {
        Self::invalid(p.code, p.message, &p.field, p.problem)
    }
}

/// A slug from a name: `Night shift` → `night-shift`.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn slugs_are_lowercase_words_joined_by_dashes() {
        assert_eq!(super::slug("Night shift — Mumbai"), "night-shift-mumbai");
        assert_eq!(super::slug("  A  "), "a");
    }
}

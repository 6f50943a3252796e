//! The admin's use cases, a module per resource: the templates registry, agent groups and
//! their Notification Type tab, agents, provider accounts, and the audit log. Every
//! change is checked here and written together with its audit entry (who, when, what,
//! before and after) through [`audited`].

mod agents;
mod groups;
mod providers;
mod templates;

pub use agents::{delete_agent, get_agent, list_agents, save_agent};
pub use groups::{
    delete_group, get_group, get_notification_types, list_groups, save_group,
    save_notification_types,
};
pub use providers::{delete_provider_account, list_provider_accounts, save_provider_account};
pub use templates::{delete_template, get_template, list_templates, save_template};

use super::{AuditFilter, AuditRecord, Caller, ServiceError, Services, StoreError, StoreResult};
use crate::domain::{AuditEntry, FieldProblem};
use serde::Serialize;
use std::future::Future;

/// The kinds of things the audit log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entity {
    Template,
    Group,
    NotificationTypes,
    Agent,
    Provider,
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
        }
    }

    /// The name in messages for people.
    fn noun(self) -> &'static str {
        match self {
            Self::Template => "template",
            Self::Group | Self::NotificationTypes => "group",
            Self::Agent => "agent",
            Self::Provider => "provider account",
        }
    }
}

/// Writes one change with its audit record: a create when nothing was `before`, a
/// delete when nothing is `after`, an update otherwise. `write` stores the change and
/// the record it is given in one transaction.
async fn audited<T, W, F>(
    caller: &Caller,
    entity: Entity,
    id: &str,
    before: Option<&T>,
    after: Option<&T>,
    write: W,
) -> StoreResult<()>
where
    T: Serialize,
    W: FnOnce(AuditRecord) -> F,
    F: Future<Output = StoreResult<()>>,
{
    let action = match (before.is_some(), after.is_some()) {
        (false, _) => "create",
        (true, false) => "delete",
        (true, true) => "update",
    };
    let json = |value: &T| serde_json::to_value(value).ok();
    write(AuditRecord {
        actor: caller.id.to_string(),
        action,
        entity: entity.as_str(),
        entity_id: id.to_owned(),
        before: before.and_then(json),
        after: after.and_then(json),
    })
    .await
}

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

/// The audit log, newest first.
pub async fn audit_log(
    services: &Services,
    caller: &Caller,
    filter: AuditFilter,
) -> Result<Vec<AuditEntry>, ServiceError> {
    caller.require_admin()?;
    if !(1..=500).contains(&filter.limit) {
        return Err(ServiceError::invalid(
            "invalid_limit",
            "limit must be between 1 and 500.",
            "limit",
            "out of range",
        ));
    }
    Ok(services.admin.audit(&filter).await?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn slugs_are_lowercase_words_joined_by_dashes() {
        assert_eq!(super::slug("Night shift — Mumbai"), "night-shift-mumbai");
        assert_eq!(super::slug("  A  "), "a");
    }
}

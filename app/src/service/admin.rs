//! The admin's use cases: the templates registry, agent groups and their Notification
//! Type tab, agents, provider accounts and the audit log. Every change is checked here,
//! and written together with its audit entry (who, when, what, before and after).

use super::{Caller, ServiceError, Services, StoreResult};
use crate::domain::{
    Agent, AuditEntry, Channel, FieldErrors, Group, GroupId, GroupInput, NotificationTypes,
    ProviderAccount, ProviderAccountInput, ProviderKind, Template, TemplateId, TemplateInput,
    MAX_TEMPLATES_PER_CHANNEL, PROVIDER_KINDS,
};
use async_trait::async_trait;
use serde::Serialize;

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
    pub credentials: std::collections::BTreeMap<String, String>,
}

/// The settings store (SQL), each change written atomically with its audit entry.
#[async_trait]
pub trait AdminStore: Send + Sync {
    /// Templates, optionally of one channel, by name.
    async fn templates(&self, channel: Option<Channel>) -> StoreResult<Vec<Template>>;
    /// One template.
    async fn template(&self, id: &TemplateId) -> StoreResult<Option<Template>>;
    /// Creates (`create`) or replaces a template; a name taken on its channel is a conflict.
    async fn save_template(
        &self,
        template: &Template,
        create: bool,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    /// Deletes a template and removes it from every group's mapping.
    async fn delete_template(&self, id: &TemplateId, audit: &AuditRecord) -> StoreResult<()>;
    /// The groups whose mappings use a template.
    async fn template_users(&self, id: &TemplateId) -> StoreResult<Vec<GroupId>>;

    /// Every group, by name.
    async fn groups(&self) -> StoreResult<Vec<Group>>;
    /// One group.
    async fn group(&self, id: &GroupId) -> StoreResult<Option<Group>>;
    /// Creates or renames a group.
    async fn save_group(&self, group: &Group, create: bool, audit: &AuditRecord)
        -> StoreResult<()>;
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

    /// Every agent, by name.
    async fn agents(&self) -> StoreResult<Vec<Agent>>;
    /// One agent.
    async fn agent(&self, id: &str) -> StoreResult<Option<Agent>>;
    /// Creates or changes an agent.
    async fn save_agent(&self, agent: &Agent, create: bool, audit: &AuditRecord)
        -> StoreResult<()>;
    /// Deletes an agent.
    async fn delete_agent(&self, id: &str, audit: &AuditRecord) -> StoreResult<()>;

    /// Every provider account.
    async fn provider_accounts(&self) -> StoreResult<Vec<StoredProviderAccount>>;
    /// Creates or changes a provider account (one default per channel).
    async fn save_provider_account(
        &self,
        account: &StoredProviderAccount,
        create: bool,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    /// Deletes a provider account.
    async fn delete_provider_account(&self, id: &str, audit: &AuditRecord) -> StoreResult<()>;

    /// Audit entries, newest first.
    async fn audit(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditEntry>>;
}

fn json<T: Serialize>(value: &T) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

/// The audit record of a change: a create when nothing was `before`, a delete when
/// nothing is `after`, an update otherwise.
fn change<B: Serialize, A: Serialize>(
    caller: &Caller,
    entity: &'static str,
    id: &str,
    before: Option<&B>,
    after: Option<&A>,
) -> AuditRecord {
    let action = match (before.is_some(), after.is_some()) {
        (false, _) => "create",
        (true, false) => "delete",
        (true, true) => "update",
    };
    AuditRecord {
        actor: caller.id.to_string(),
        action,
        entity,
        entity_id: id.to_owned(),
        before: before.and_then(json),
        after: after.and_then(json),
    }
}

/// A store conflict on create means the id is taken.
fn id_taken(what: &'static str) -> impl Fn(super::StoreError) -> ServiceError {
    move |e| match e {
        super::StoreError::Conflict(_) => ServiceError::invalid(
            "duplicate_id",
            format!("A {what} with this id exists."),
            "id",
            "taken",
        ),
        other => other.into(),
    }
}

fn not_found(what: &str) -> ServiceError {
    ServiceError::NotFound {
        code: "not_found",
        message: format!("No such {what}."),
    }
}

/// Templates, optionally of one channel and matching a name search.
pub async fn list_templates(
    services: &Services,
    caller: &Caller,
    channel: Option<Channel>,
    search: Option<&str>,
) -> Result<Vec<Template>, ServiceError> {
    caller.require_admin()?;
    let all = services.admin.as_ref().templates(channel).await?;
    let needle = search.map(str::to_lowercase).filter(|s| !s.is_empty());
    Ok(all
        .into_iter()
        .filter(|t| {
            needle
                .as_ref()
                .is_none_or(|n| t.name.to_lowercase().contains(n))
        })
        .collect())
}

/// One template.
pub async fn get_template(
    services: &Services,
    caller: &Caller,
    id: &TemplateId,
) -> Result<Template, ServiceError> {
    caller.require_admin()?;
    services
        .admin
        .as_ref()
        .template(id)
        .await?
        .ok_or_else(|| not_found("template"))
}

/// Creates (`existing` none) or replaces a template after the save checks.
pub async fn save_template(
    services: &Services,
    caller: &Caller,
    input: TemplateInput,
    existing: Option<&TemplateId>,
) -> Result<Template, ServiceError> {
    caller.require_admin()?;
    let store = services.admin.as_ref();
    let id = match (existing, &input.id) {
        (Some(id), _) => id.clone(),
        (None, Some(id)) => id.clone(),
        (None, None) => TemplateId::parse(&format!(
            "t_{}_{}",
            input.channel.as_str(),
            slug(&input.name).replace('-', "_")
        ))
        .map_err(|_| {
            ServiceError::invalid(
                "invalid_template",
                "Give the template an id.",
                "id",
                "required",
            )
        })?,
    };
    let template = Template {
        id,
        name: input.name.trim().to_owned(),
        channel: input.channel,
        body: input.body,
        fields: input.fields,
        language: input.language.filter(|l| !l.trim().is_empty()),
        provider_ref: input.provider_ref,
    };
    let mut problems = template.check().err().unwrap_or_default();
    if input.kind.is_some_and(|k| k != template.kind()) {
        problems.add(
            "kind",
            "does not match the body (placeholders make a template dynamic)",
        );
    }
    if !problems.is_empty() {
        return Err(ServiceError::invalid_fields(
            "invalid_template",
            "The template has problems.",
            "",
            problems,
        ));
    }
    let before = match existing {
        Some(id) => {
            if &template.id != id {
                return Err(ServiceError::invalid(
                    "invalid_template",
                    "The id cannot change.",
                    "id",
                    "must match the URL",
                ));
            }
            Some(
                store
                    .template(id)
                    .await?
                    .ok_or_else(|| not_found("template"))?,
            )
        }
        None => None,
    };
    if let Some(before) = &before {
        if before.channel != template.channel
            && !store.template_users(&template.id).await?.is_empty()
        {
            return Err(ServiceError::Conflict {
                code: "template_in_use",
                message:
                    "Groups use this template; remove it from them before changing its channel."
                        .into(),
            });
        }
    }
    let record = change(
        caller,
        "template",
        template.id.as_str(),
        before.as_ref(),
        Some(&template),
    );
    store
        .save_template(&template, before.is_none(), &record)
        .await
        .map_err(|e| match e {
            super::StoreError::Conflict(_) => {
                let mut fields = FieldErrors::default();
                fields.add(
                    "name",
                    format!(
                        "another {} template has this name (or the id is taken)",
                        template.channel.label()
                    ),
                );
                ServiceError::invalid_fields(
                    "duplicate_name",
                    "A template with this name already exists.",
                    "",
                    fields,
                )
            }
            other => other.into(),
        })?;
    Ok(template)
}

/// Deletes a template. If groups use it, `confirm` must be set; it is then removed from them.
pub async fn delete_template(
    services: &Services,
    caller: &Caller,
    id: &TemplateId,
    confirm: bool,
) -> Result<Vec<GroupId>, ServiceError> {
    caller.require_admin()?;
    let store = services.admin.as_ref();
    let before = store
        .template(id)
        .await?
        .ok_or_else(|| not_found("template"))?;
    let users = store.template_users(id).await?;
    if !users.is_empty() && !confirm {
        let names: Vec<&str> = users.iter().map(GroupId::as_str).collect();
        return Err(ServiceError::Conflict {
            code: "template_in_use",
            message: format!(
                "Groups {} use this template. Confirm to delete it and remove it from them.",
                names.join(", ")
            ),
        });
    }
    let record = change::<_, ()>(caller, "template", id.as_str(), Some(&before), None);
    store.delete_template(id, &record).await?;
    Ok(users)
}

/// Every group.
pub async fn list_groups(services: &Services, caller: &Caller) -> Result<Vec<Group>, ServiceError> {
    caller.require_admin()?;
    Ok(services.admin.as_ref().groups().await?)
}

/// One group.
pub async fn get_group(
    services: &Services,
    caller: &Caller,
    id: &GroupId,
) -> Result<Group, ServiceError> {
    caller.require_admin()?;
    services
        .admin
        .as_ref()
        .group(id)
        .await?
        .ok_or_else(|| not_found("group"))
}

fn check_name(name: &str) -> Result<String, ServiceError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ServiceError::invalid(
            "invalid_name",
            "Give a name of 1 to 100 characters.",
            "name",
            "1 to 100 characters",
        ));
    }
    Ok(name.to_owned())
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

/// Creates (`existing` none) or renames a group.
pub async fn save_group(
    services: &Services,
    caller: &Caller,
    input: GroupInput,
    existing: Option<&GroupId>,
) -> Result<Group, ServiceError> {
    caller.require_admin()?;
    let store = services.admin.as_ref();
    let name = check_name(&input.name)?;
    let (id, before) = match existing {
        Some(id) => (
            id.clone(),
            Some(store.group(id).await?.ok_or_else(|| not_found("group"))?),
        ),
        None => {
            let id = match input.id {
                Some(id) => id,
                None => GroupId::parse(&slug(&name)).map_err(|_| {
                    ServiceError::invalid("invalid_id", "Give the group an id.", "id", "required")
                })?,
            };
            (id, None)
        }
    };
    let group = Group { id, name };
    let record = change(
        caller,
        "group",
        group.id.as_str(),
        before.as_ref(),
        Some(&group),
    );
    store
        .save_group(&group, before.is_none(), &record)
        .await
        .map_err(id_taken("group"))?;
    Ok(group)
}

/// Deletes a group; refused while agents belong to it.
pub async fn delete_group(
    services: &Services,
    caller: &Caller,
    id: &GroupId,
) -> Result<(), ServiceError> {
    caller.require_admin()?;
    let store = services.admin.as_ref();
    let before = store.group(id).await?.ok_or_else(|| not_found("group"))?;
    let members = store
        .agents()
        .await?
        .into_iter()
        .filter(|a| &a.group_id == id)
        .count();
    if members > 0 {
        return Err(ServiceError::Conflict {
            code: "group_has_agents",
            message: format!("{members} agent(s) belong to this group. Move or delete them first."),
        });
    }
    let record = change::<_, ()>(caller, "group", id.as_str(), Some(&before), None);
    Ok(store.delete_group(id, &record).await?)
}

/// A group's Notification Type tab.
pub async fn get_notification_types(
    services: &Services,
    caller: &Caller,
    id: &GroupId,
) -> Result<NotificationTypes, ServiceError> {
    caller.require_admin()?;
    let store = services.admin.as_ref();
    store.group(id).await?.ok_or_else(|| not_found("group"))?;
    Ok(store.notification_types(id).await?)
}

/// Replaces a group's tab: at most five templates per channel, each of that channel,
/// no repeats. Saved atomically.
pub async fn save_notification_types(
    services: &Services,
    caller: &Caller,
    id: &GroupId,
    types: NotificationTypes,
) -> Result<NotificationTypes, ServiceError> {
    caller.require_admin()?;
    let store = services.admin.as_ref();
    store.group(id).await?.ok_or_else(|| not_found("group"))?;
    for channel in Channel::ALL {
        let mapping = types.get(channel);
        let field = format!("{}.templates", channel.as_str());
        if mapping.templates.len() > MAX_TEMPLATES_PER_CHANNEL {
            return Err(ServiceError::invalid(
                "too_many_templates",
                format!(
                    "A group can use at most {MAX_TEMPLATES_PER_CHANNEL} {} templates.",
                    channel.label()
                ),
                &field,
                format!("at most {MAX_TEMPLATES_PER_CHANNEL}"),
            ));
        }
        for (i, template_id) in mapping.templates.iter().enumerate() {
            if mapping.templates[..i].contains(template_id) {
                return Err(ServiceError::invalid(
                    "duplicate_template",
                    format!("{template_id} is listed twice."),
                    &field,
                    "repeated",
                ));
            }
            let template = store.template(template_id).await?.ok_or_else(|| {
                ServiceError::invalid(
                    "unknown_template",
                    format!("There is no template {template_id}."),
                    &field,
                    "unknown template",
                )
            })?;
            if template.channel != channel {
                return Err(ServiceError::invalid(
                    "wrong_channel",
                    format!(
                        "{template_id} is a {} template, not {}.",
                        template.channel.label(),
                        channel.label()
                    ),
                    &field,
                    "wrong channel",
                ));
            }
        }
    }
    let accounts = store.provider_accounts().await?;
    for channel in Channel::ALL {
        let Some(account) = &types.get(channel).account else {
            continue;
        };
        let field = format!("{}.account", channel.as_str());
        match accounts.iter().find(|a| &a.account.id == account) {
            None => {
                return Err(ServiceError::invalid(
                    "unknown_account",
                    format!("There is no provider account {account}."),
                    &field,
                    "unknown account",
                ));
            }
            Some(a) if a.account.channel != channel => {
                return Err(ServiceError::invalid(
                    "wrong_channel",
                    format!(
                        "{account} sends {}, not {}.",
                        a.account.channel.label(),
                        channel.label()
                    ),
                    &field,
                    "wrong channel",
                ));
            }
            Some(_) => {}
        }
    }
    let before = store.notification_types(id).await?;
    let record = change(
        caller,
        "notification_types",
        id.as_str(),
        Some(&before),
        Some(&types),
    );
    store
        .save_notification_types(id, &types, &record)
        .await
        .map_err(|e| match e {
            super::StoreError::Conflict(m) => ServiceError::Conflict {
                code: "too_many_templates",
                message: m,
            },
            other => other.into(),
        })?;
    Ok(types)
}

/// Every agent.
pub async fn list_agents(services: &Services, caller: &Caller) -> Result<Vec<Agent>, ServiceError> {
    caller.require_admin()?;
    Ok(services.admin.as_ref().agents().await?)
}

/// One agent.
pub async fn get_agent(
    services: &Services,
    caller: &Caller,
    id: &str,
) -> Result<Agent, ServiceError> {
    caller.require_admin()?;
    services
        .admin
        .agent(id)
        .await?
        .ok_or_else(|| not_found("agent"))
}

/// Creates (`existing` none) or changes an agent; their group must exist.
pub async fn save_agent(
    services: &Services,
    caller: &Caller,
    agent: Agent,
    existing: Option<&str>,
) -> Result<Agent, ServiceError> {
    caller.require_admin()?;
    let store = services.admin.as_ref();
    let agent = Agent {
        name: check_name(&agent.name)?,
        ..agent
    };
    if store.group(&agent.group_id).await?.is_none() {
        return Err(ServiceError::invalid(
            "unknown_group",
            "There is no such group.",
            "group_id",
            "unknown group",
        ));
    }
    let before = match existing {
        Some(id) => {
            if agent.id.as_str() != id {
                return Err(ServiceError::invalid(
                    "invalid_agent",
                    "The id cannot change.",
                    "id",
                    "must match the URL",
                ));
            }
            Some(store.agent(id).await?.ok_or_else(|| not_found("agent"))?)
        }
        None => None,
    };
    let record = change(
        caller,
        "agent",
        agent.id.as_str(),
        before.as_ref(),
        Some(&agent),
    );
    store
        .save_agent(&agent, before.is_none(), &record)
        .await
        .map_err(id_taken("agent"))?;
    Ok(agent)
}

/// Deletes an agent.
pub async fn delete_agent(
    services: &Services,
    caller: &Caller,
    id: &str,
) -> Result<(), ServiceError> {
    caller.require_admin()?;
    let store = services.admin.as_ref();
    let before = store.agent(id).await?.ok_or_else(|| not_found("agent"))?;
    let record = change::<_, ()>(caller, "agent", id, Some(&before), None);
    Ok(store.delete_agent(id, &record).await?)
}

/// Longest provider account sender (numbers, sender ids, SIDs, agent ids).
pub const SENDER_MAX: usize = 120;

/// Every provider account (credentials hidden).
pub async fn list_provider_accounts(
    services: &Services,
    caller: &Caller,
) -> Result<Vec<ProviderAccount>, ServiceError> {
    caller.require_admin()?;
    Ok(services
        .admin
        .as_ref()
        .provider_accounts()
        .await?
        .into_iter()
        .map(|a| a.account)
        .collect())
}

/// Creates (`existing` none) or changes a provider account. Credentials are write-only:
/// given values replace stored ones, `""` removes one, absent ones are kept.
pub async fn save_provider_account(
    services: &Services,
    caller: &Caller,
    input: ProviderAccountInput,
    existing: Option<&str>,
    public_base_url: &str,
) -> Result<ProviderAccount, ServiceError> {
    caller.require_admin()?;
    let store = services.admin.as_ref();
    let Some(kind) = ProviderKind::named(&input.provider) else {
        let known: Vec<&str> = PROVIDER_KINDS.iter().map(|k| k.name).collect();
        return Err(ServiceError::invalid(
            "unknown_provider",
            format!(
                "Unknown provider type; this build supports: {}.",
                known.join(", ")
            ),
            "provider",
            "unknown",
        ));
    };
    if !kind.channels.contains(&input.channel) {
        return Err(ServiceError::invalid(
            "wrong_channel",
            format!("{} does not send {}.", kind.label, input.channel.label()),
            "channel",
            "not supported by this provider",
        ));
    }
    if input.sender.chars().count() > SENDER_MAX {
        return Err(ServiceError::invalid(
            "invalid_sender",
            format!("The sender is at most {SENDER_MAX} characters."),
            "sender",
            "too long",
        ));
    }
    if let Some(name) = input
        .credentials
        .keys()
        .find(|name| !kind.credentials.contains(&name.as_str()))
    {
        return Err(ServiceError::invalid(
            "unknown_credential",
            format!(
                "{} takes these credentials: {}.",
                kind.label,
                if kind.credentials.is_empty() {
                    "none".to_owned()
                } else {
                    kind.credentials.join(", ")
                }
            ),
            &format!("credentials.{name}"),
            "unknown",
        ));
    }
    let display_name = check_name(&input.display_name)?;
    let accounts = store.provider_accounts().await?;
    let before = match existing {
        Some(id) => Some(
            accounts
                .iter()
                .find(|a| a.account.id == id)
                .cloned()
                .ok_or_else(|| not_found("provider account"))?,
        ),
        None => None,
    };
    let id = match (existing, &input.id) {
        (Some(id), _) => id.to_owned(),
        (None, Some(id)) => id.clone(),
        (None, None) => format!(
            "{}-{}",
            input.provider,
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        ),
    };
    if TemplateId::parse(&id).is_err() {
        return Err(ServiceError::invalid(
            "invalid_id",
            "Ids use letters, digits, - _ . :",
            "id",
            "invalid",
        ));
    }
    let mut credentials = before
        .as_ref()
        .map(|b| b.credentials.clone())
        .unwrap_or_default();
    for (name, value) in input.credentials {
        if value.is_empty() {
            credentials.remove(&name);
        } else {
            credentials.insert(name, value);
        }
    }
    if let Some(missing) = kind
        .credentials
        .iter()
        .find(|name| !credentials.contains_key(**name))
    {
        return Err(ServiceError::invalid(
            "missing_credential",
            format!(
                "{} needs these credentials: {}.",
                kind.label,
                kind.credentials.join(", ")
            ),
            &format!("credentials.{missing}"),
            "required",
        ));
    }
    if let Some(key) = credentials.get("service_account_json") {
        let fields = serde_json::from_str::<serde_json::Value>(key).ok();
        let readable = fields.as_ref().is_some_and(|v| {
            ["client_email", "private_key", "token_uri"]
                .iter()
                .all(|f| v[f].is_string())
        });
        if !readable {
            return Err(ServiceError::invalid(
                "invalid_credential",
                "service_account_json must be the Google service-account key file (JSON with client_email, private_key and token_uri).",
                "credentials.service_account_json",
                "not a service-account key file",
            ));
        }
    }
    if input.sender.trim().is_empty() && kind.name != "sandbox" {
        return Err(ServiceError::invalid(
            "invalid_sender",
            format!("Give the account's sender: {}.", kind.sender),
            "sender",
            "required",
        ));
    }
    let account = ProviderAccount {
        webhook_url: crate::domain::webhook_url(public_base_url, &input.provider, &id),
        id,
        channel: input.channel,
        provider: input.provider,
        display_name,
        sender: input.sender.trim().to_owned(),
        credentials_set: credentials.keys().cloned().collect(),
        default: input.default,
    };
    let stored = StoredProviderAccount {
        account: account.clone(),
        credentials,
    };
    // The audit log shows which credentials are set, never their values.
    let record = change(
        caller,
        "provider",
        &account.id,
        before.as_ref().map(|b| &b.account),
        Some(&account),
    );
    store
        .save_provider_account(&stored, before.is_none(), &record)
        .await
        .map_err(id_taken("provider account"))?;
    Ok(account)
}

/// Deletes a provider account.
pub async fn delete_provider_account(
    services: &Services,
    caller: &Caller,
    id: &str,
) -> Result<(), ServiceError> {
    caller.require_admin()?;
    let store = services.admin.as_ref();
    let before = store
        .provider_accounts()
        .await?
        .into_iter()
        .find(|a| a.account.id == id)
        .ok_or_else(|| not_found("provider account"))?;
    let record = change::<_, ()>(caller, "provider", id, Some(&before.account), None);
    Ok(store.delete_provider_account(id, &record).await?)
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
    Ok(services.admin.as_ref().audit(&filter).await?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn slugs_are_lowercase_words_joined_by_dashes() {
        assert_eq!(super::slug("Night shift — Mumbai"), "night-shift-mumbai");
        assert_eq!(super::slug("  A  "), "a");
    }
}

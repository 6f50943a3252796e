//! Agent groups (create, rename, delete when empty) and each group's Notification Type
//! tab: per channel on/off, the provider account, and at most five templates in order.

use super::{id_taken, json, slug, Admin, Entity};
use crate::domain::{
    display_name, Channel, CountryCode, Group, GroupId, GroupInput, NotificationTypes,
    MAX_TEMPLATES_PER_CHANNEL,
};
use crate::service::{AdminStore, ServiceError, StoreError};

impl Admin<'_> {
    /// Creates (`existing` none) or renames a group.
    pub async fn save_group(
        &self,
        input: GroupInput,
        existing: Option<&GroupId>,
    ) -> Result<Group, ServiceError> {
        let name = display_name(&input.name, "name")?;
        let (id, before) = match existing {
            Some(id) => (id.clone(), Some(self.get_group(id).await?)),
            None => {
                let id = match input.id {
                    Some(id) => id,
                    None => GroupId::parse(&slug(&name)).map_err(|_| {
                        ServiceError::invalid(
                            "invalid_id",
                            "Give the group an id.",
                            "id",
                            "required",
                        )
                    })?,
                };
                (id, None)
            }
        };
        let default_country = match input.default_country.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => Some(crate::service::catalog::parse_country(
                code,
                "default_country",
            )?),
        };
        let group = Group {
            id,
            name,
            default_country,
        };
        let saved = self.save(before.as_ref(), &group).await;
        saved.map_err(id_taken(Entity::Group))?;
        Ok(group)
    }

    /// What an admin should know about a group's tab: each SMS template lacking DLT
    /// ids when the group's agents work with India (the group's country, else the
    /// deployment's), since such a send is refused.
    pub async fn dlt_warnings(
        &self,
        id: &GroupId,
        types: &NotificationTypes,
    ) -> Result<Vec<String>, ServiceError> {
        let group = self.get_group(id).await?;
        let country = group
            .default_country
            .unwrap_or(self.services.settings.default_country);
        if country != CountryCode::INDIA {
            return Ok(Vec::new());
        }
        let mut warnings = Vec::new();
        for template_id in &types.sms.templates {
            let Some(template) = self.store().template(template_id).await? else {
                continue;
            };
            if !template.provider_ref.dlt_missing().is_empty() {
                warnings.push(format!(
                    "SMS template {} lacks its DLT registration ({}): its messages to Indian numbers will be refused.",
                    template.name,
                    template.provider_ref.dlt_missing_words()
                ));
            }
        }
        Ok(warnings)
    }

    /// Deletes a group; refused while agents belong to it.
    pub async fn delete_group(&self, id: &GroupId) -> Result<(), ServiceError> {
        let before = self.get_group(id).await?;
        let agents = self.store().agents().await?;
        let members = agents.iter().filter(|a| &a.group_id == id).count();
        if members > 0 {
            return Err(ServiceError::Conflict {
                code: "group_has_agents",
                message: format!(
                    "{members} agent(s) belong to this group. Move or delete them first."
                ),
            });
        }
        let audit = self.record(Entity::Group, id.as_str(), json(&before), None);
        Ok(self.store().delete_group(id, &audit).await?)
    }

    /// A group's Notification Type tab.
    pub async fn get_notification_types(
        &self,
        id: &GroupId,
    ) -> Result<NotificationTypes, ServiceError> {
        self.get_group(id).await?;
        Ok(self.store().notification_types(id).await?)
    }

    /// Replaces a group's tab: at most five templates per channel, each of that channel,
    /// no repeats, and provider accounts of the channel. Saved atomically.
    pub async fn save_notification_types(
        &self,
        id: &GroupId,
        types: NotificationTypes,
    ) -> Result<NotificationTypes, ServiceError> {
        let before = self.get_notification_types(id).await?;
        for channel in Channel::ALL {
            check_templates(self.store(), &types, channel).await?;
        }
        check_accounts(self.store(), &types).await?;
        let audit = self.record(
            Entity::NotificationTypes,
            id.as_str(),
            json(&before),
            json(&types),
        );
        let saved = self
            .store()
            .save_notification_types(id, &types, &audit)
            .await;
        saved.map_err(|e| match e {
            StoreError::Conflict(detail) => {
                tracing::info!(%detail, "a template mapping conflicted");
                ServiceError::Conflict {
                    code: "too_many_templates",
                    message: "The mapping changed while you saved it, or a template in it no longer exists. Reload and try again.".into(),
                }
            }
            other => other.into(),
        })?;
        Ok(types)
    }
}

/// A channel's templates: at most five, no repeats, each known and of that channel.
async fn check_templates(
    store: &dyn AdminStore,
    types: &NotificationTypes,
    channel: Channel,
) -> Result<(), ServiceError> {
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
    Ok(())
}

/// Most accounts a channel's fallback chain lists (after the first).
pub const MAX_FALLBACKS: usize = 4;

/// Each channel's chosen provider account and fallback accounts exist and send on that
/// channel; a chain names each account once, the first not again, at most
/// [`MAX_FALLBACKS`] of them.
async fn check_accounts(
    store: &dyn AdminStore,
    types: &NotificationTypes,
) -> Result<(), ServiceError> {
    let accounts = store.provider_accounts().await?;
    for channel in Channel::ALL {
        let mapping = types.get(channel);
        let named = mapping
            .account
            .iter()
            .map(|a| (format!("{}.account", channel.as_str()), a))
            .chain(
                mapping
                    .fallback
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (format!("{}.fallback.{i}", channel.as_str()), a)),
            );
        if mapping.fallback.len() > MAX_FALLBACKS {
            return Err(ServiceError::invalid(
                "too_many_fallbacks",
                format!("A channel falls back to at most {MAX_FALLBACKS} accounts."),
                &format!("{}.fallback", channel.as_str()),
                "too many",
            ));
        }
        let mut seen = Vec::new();
        for (field, account) in named {
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
                Some(_) if seen.contains(&account) => {
                    return Err(ServiceError::invalid(
                        "repeated_account",
                        format!("{account} is in the chain twice: list each account once."),
                        &field,
                        "repeated",
                    ));
                }
                Some(_) => seen.push(account),
            }
        }
    }
    Ok(())
}

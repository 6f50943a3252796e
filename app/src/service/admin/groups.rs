//! Agent groups (create, rename, delete when empty) and each group's Notification Type
//! tab: per channel on/off, the provider account, and at most five templates in order.

use super::{audited, found, id_taken, slug, Entity};
use crate::domain::{
    display_name, Channel, Group, GroupId, GroupInput, NotificationTypes, MAX_TEMPLATES_PER_CHANNEL,
};
use crate::service::{Caller, ServiceError, Services, StoreError};

/// Every group.
pub async fn list_groups(services: &Services, caller: &Caller) -> Result<Vec<Group>, ServiceError> {
    caller.require_admin()?;
    Ok(services.admin.groups().await?)
}

/// One group.
pub async fn get_group(
    services: &Services,
    caller: &Caller,
    id: &GroupId,
) -> Result<Group, ServiceError> {
    caller.require_admin()?;
    found(services.admin.group(id).await?, Entity::Group)
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
    let name = display_name(&input.name)?;
    let (id, before) = match existing {
        Some(id) => (
            id.clone(),
            Some(found(store.group(id).await?, Entity::Group)?),
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
    let (after, creating) = (&group, before.is_none());
    audited(
        caller,
        Entity::Group,
        after.id.as_str(),
        before.as_ref(),
        Some(after),
        |audit| async move {
            if creating {
                store.insert_group(after, &audit).await
            } else {
                store.update_group(after, &audit).await
            }
        },
    )
    .await
    .map_err(id_taken(Entity::Group))?;
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
    let before = found(store.group(id).await?, Entity::Group)?;
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
    audited(
        caller,
        Entity::Group,
        id.as_str(),
        Some(&before),
        None,
        |audit| async move { store.delete_group(id, &audit).await },
    )
    .await?;
    Ok(())
}

/// A group's Notification Type tab.
pub async fn get_notification_types(
    services: &Services,
    caller: &Caller,
    id: &GroupId,
) -> Result<NotificationTypes, ServiceError> {
    caller.require_admin()?;
    let store = services.admin.as_ref();
    found(store.group(id).await?, Entity::NotificationTypes)?;
    Ok(store.notification_types(id).await?)
}

/// Replaces a group's tab: at most five templates per channel, each of that channel,
/// no repeats, and provider accounts of the channel. Saved atomically.
pub async fn save_notification_types(
    services: &Services,
    caller: &Caller,
    id: &GroupId,
    types: NotificationTypes,
) -> Result<NotificationTypes, ServiceError> {
    caller.require_admin()?;
    let store = services.admin.as_ref();
    found(store.group(id).await?, Entity::NotificationTypes)?;
    for channel in Channel::ALL {
        check_templates(services, &types, channel).await?;
    }
    check_accounts(services, &types).await?;
    let before = store.notification_types(id).await?;
    let after = &types;
    audited(
        caller,
        Entity::NotificationTypes,
        id.as_str(),
        Some(&before),
        Some(after),
        |audit| async move { store.save_notification_types(id, after, &audit).await },
    )
    .await
    .map_err(|e| match e {
        StoreError::Conflict(m) => ServiceError::Conflict {
            code: "too_many_templates",
            message: m,
        },
        other => other.into(),
    })?;
    Ok(types)
}

/// A channel's templates: at most five, no repeats, each known and of that channel.
async fn check_templates(
    services: &Services,
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
        let template = services.admin.template(template_id).await?.ok_or_else(|| {
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

/// Each channel's chosen provider account exists and sends on that channel.
async fn check_accounts(
    services: &Services,
    types: &NotificationTypes,
) -> Result<(), ServiceError> {
    let accounts = services.admin.provider_accounts().await?;
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
    Ok(())
}

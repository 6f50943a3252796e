//! The templates registry: list and search, create or replace after the save checks,
//! delete (confirmed when groups use the template).

use super::{audited, found, same_id, slug, Entity};
use crate::domain::{Channel, FieldErrors, GroupId, Template, TemplateId, TemplateInput};
use crate::service::{Caller, ServiceError, Services, StoreError};

/// Templates, optionally of one channel and matching a name search.
pub async fn list_templates(
    services: &Services,
    caller: &Caller,
    channel: Option<Channel>,
    search: Option<&str>,
) -> Result<Vec<Template>, ServiceError> {
    caller.require_admin()?;
    let all = services.admin.templates(channel).await?;
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
    found(services.admin.template(id).await?, Entity::Template)
}

/// The template an input describes: its id is the URL's (`existing`), the given one, or
/// one made of the channel and the name.
fn template_of(
    input: TemplateInput,
    existing: Option<&TemplateId>,
) -> Result<Template, ServiceError> {
    let id = match (existing, &input.id) {
        (Some(id), _) | (None, Some(id)) => id.clone(),
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
    Ok(template)
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
    let template = template_of(input, existing)?;
    let before = match existing {
        Some(id) => {
            same_id(template.id.as_str(), id.as_str(), "invalid_template")?;
            Some(found(store.template(id).await?, Entity::Template)?)
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
    let (after, creating) = (&template, before.is_none());
    audited(
        caller,
        Entity::Template,
        after.id.as_str(),
        before.as_ref(),
        Some(after),
        |audit| async move {
            if creating {
                store.insert_template(after, &audit).await
            } else {
                store.update_template(after, &audit).await
            }
        },
    )
    .await
    .map_err(|e| name_taken(e, template.channel))?;
    Ok(template)
}

/// A conflict while saving a template: its name (or id) is taken on its channel.
fn name_taken(e: StoreError, channel: Channel) -> ServiceError {
    match e {
        StoreError::Conflict(_) => {
            let mut fields = FieldErrors::default();
            fields.add(
                "name",
                format!(
                    "another {} template has this name (or the id is taken)",
                    channel.label()
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
    }
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
    let before = found(store.template(id).await?, Entity::Template)?;
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
    audited(
        caller,
        Entity::Template,
        id.as_str(),
        Some(&before),
        None,
        |audit| async move { store.delete_template(id, &audit).await },
    )
    .await?;
    Ok(users)
}

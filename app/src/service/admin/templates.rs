//! The templates registry: list and search, create or replace after the save checks,
//! delete (confirmed when groups use the template).

use super::{json, same_id, slug, Admin, Entity};
use crate::domain::{Channel, FieldErrors, GroupId, Template, TemplateId, TemplateInput};
use crate::service::{ServiceError, StoreError};

impl Admin<'_> {
    /// Templates, optionally of one channel and matching a name search.
    pub async fn list_templates(
        &self,
        channel: Option<Channel>,
        search: Option<&str>,
    ) -> Result<Vec<Template>, ServiceError> {
        let all = self.store().templates(channel).await?;
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

    /// Creates (`existing` none) or replaces a template after the save checks.
    pub async fn save_template(
        &self,
        input: TemplateInput,
        existing: Option<&TemplateId>,
    ) -> Result<Template, ServiceError> {
        let template = template_of(input, existing)?;
        let before = match existing {
            Some(id) => {
                same_id(template.id.as_str(), id.as_str(), "invalid_template")?;
                Some(self.get_template(id).await?)
            }
            None => None,
        };
        if let Some(before) = &before {
            if before.channel != template.channel
                && !self.store().template_users(&template.id).await?.is_empty()
            {
                return Err(ServiceError::Conflict {
                    code: "template_in_use",
                    message:
                        "Groups use this template; remove it from them before changing its channel."
                            .into(),
                });
            }
        }
        let saved = self.save(before.as_ref(), &template).await;
        saved.map_err(|e| name_taken(e, template.channel))?;
        Ok(template)
    }

    /// Deletes a template. If groups use it, `confirm` must be set; it is then removed
    /// from them. Returns the groups it was removed from.
    pub async fn delete_template(
        &self,
        id: &TemplateId,
        confirm: bool,
    ) -> Result<Vec<GroupId>, ServiceError> {
        let before = self.get_template(id).await?;
        let users = self.store().template_users(id).await?;
        if !users.is_empty() && !confirm {
            let groups = self.store().groups().await?;
            let names: Vec<String> = users
                .iter()
                .map(|id| match groups.iter().find(|g| &g.id == id) {
                    Some(g) => format!("{} ({id})", g.name),
                    None => id.to_string(),
                })
                .collect();
            let message = match names.as_slice() {
                [one] => format!("The group {one} uses this template. Delete it anyway, and take it off that group?"),
                many => format!("The groups {} use this template. Delete it anyway, and take it off them?", many.join(", ")),
            };
            return Err(ServiceError::Conflict {
                code: "template_in_use",
                message,
            });
        }
        let audit = self.record(Entity::Template, id.as_str(), json(&before), None);
        self.store().delete_template(id, &audit).await?;
        Ok(users)
    }
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

//! Server functions of the settings page: the same admin use cases as the REST API,
//! each checking the admin's token and session first.

use super::ApiError;
use crate::domain::{
    Agent, AuditEntry, Group, GroupInput, NotificationTypes, ProviderAccount, ProviderAccountInput,
    SignIn, SignedIn, TemplateInput, TemplateView,
};
use leptos::server;

/// Signs an admin in.
#[server(prefix = "/api/fn", endpoint = "admin_sign_in")]
pub async fn admin_sign_in(request: SignIn) -> Result<SignedIn, ApiError> {
    let services = super::services()?;
    Ok(crate::service::accounts::sign_in(&services, &request).await?)
}

/// Ends the admin's session.
#[server(prefix = "/api/fn", endpoint = "admin_sign_out")]
pub async fn admin_sign_out(token: String) -> Result<(), ApiError> {
    let (services, caller) = admin(&token).await?;
    Ok(crate::service::accounts::sign_out(&services, &caller).await?)
}

/// Every template.
#[server(prefix = "/api/fn", endpoint = "admin_templates")]
pub async fn admin_templates(token: String) -> Result<Vec<TemplateView>, ApiError> {
    let (services, caller) = admin(&token).await?;
    let list = crate::service::admin::list_templates(&services, &caller, None, None).await?;
    Ok(list.into_iter().map(TemplateView::from).collect())
}

/// Creates (`existing` none) or replaces a template.
#[server(prefix = "/api/fn", endpoint = "admin_save_template")]
pub async fn admin_save_template(
    token: String,
    input: TemplateInput,
    existing: Option<String>,
) -> Result<TemplateView, ApiError> {
    let (services, caller) = admin(&token).await?;
    let existing = existing
        .map(|id| crate::domain::TemplateId::parse(&id))
        .transpose()
        .map_err(bad_id)?;
    Ok(
        crate::service::admin::save_template(&services, &caller, input, existing.as_ref())
            .await?
            .into(),
    )
}

/// Deletes a template (`confirm` when groups use it).
#[server(prefix = "/api/fn", endpoint = "admin_delete_template")]
pub async fn admin_delete_template(
    token: String,
    id: String,
    confirm: bool,
) -> Result<(), ApiError> {
    let (services, caller) = admin(&token).await?;
    let id = crate::domain::TemplateId::parse(&id).map_err(bad_id)?;
    crate::service::admin::delete_template(&services, &caller, &id, confirm).await?;
    Ok(())
}

/// Every group.
#[server(prefix = "/api/fn", endpoint = "admin_groups")]
pub async fn admin_groups(token: String) -> Result<Vec<Group>, ApiError> {
    let (services, caller) = admin(&token).await?;
    Ok(crate::service::admin::list_groups(&services, &caller).await?)
}

/// Creates (`existing` none) or renames a group.
#[server(prefix = "/api/fn", endpoint = "admin_save_group")]
pub async fn admin_save_group(
    token: String,
    input: GroupInput,
    existing: Option<String>,
) -> Result<Group, ApiError> {
    let (services, caller) = admin(&token).await?;
    let existing = existing
        .map(|id| crate::domain::GroupId::parse(&id))
        .transpose()
        .map_err(bad_id)?;
    Ok(crate::service::admin::save_group(&services, &caller, input, existing.as_ref()).await?)
}

/// Deletes a group without agents.
#[server(prefix = "/api/fn", endpoint = "admin_delete_group")]
pub async fn admin_delete_group(token: String, id: String) -> Result<(), ApiError> {
    let (services, caller) = admin(&token).await?;
    let id = crate::domain::GroupId::parse(&id).map_err(bad_id)?;
    Ok(crate::service::admin::delete_group(&services, &caller, &id).await?)
}

/// A group's Notification Type tab.
#[server(prefix = "/api/fn", endpoint = "admin_notification_types")]
pub async fn admin_notification_types(
    token: String,
    group: String,
) -> Result<NotificationTypes, ApiError> {
    let (services, caller) = admin(&token).await?;
    let group = crate::domain::GroupId::parse(&group).map_err(bad_id)?;
    Ok(crate::service::admin::get_notification_types(&services, &caller, &group).await?)
}

/// Replaces a group's Notification Type tab.
#[server(prefix = "/api/fn", endpoint = "admin_save_notification_types")]
pub async fn admin_save_notification_types(
    token: String,
    group: String,
    types: NotificationTypes,
) -> Result<NotificationTypes, ApiError> {
    let (services, caller) = admin(&token).await?;
    let group = crate::domain::GroupId::parse(&group).map_err(bad_id)?;
    Ok(crate::service::admin::save_notification_types(&services, &caller, &group, types).await?)
}

/// Every agent.
#[server(prefix = "/api/fn", endpoint = "admin_agents")]
pub async fn admin_agents(token: String) -> Result<Vec<Agent>, ApiError> {
    let (services, caller) = admin(&token).await?;
    Ok(crate::service::admin::list_agents(&services, &caller).await?)
}

/// Creates (`existing` none) or changes an agent.
#[server(prefix = "/api/fn", endpoint = "admin_save_agent")]
pub async fn admin_save_agent(
    token: String,
    agent: Agent,
    existing: Option<String>,
) -> Result<Agent, ApiError> {
    let (services, caller) = admin(&token).await?;
    Ok(crate::service::admin::save_agent(&services, &caller, agent, existing.as_deref()).await?)
}

/// Deletes an agent.
#[server(prefix = "/api/fn", endpoint = "admin_delete_agent")]
pub async fn admin_delete_agent(token: String, id: String) -> Result<(), ApiError> {
    let (services, caller) = admin(&token).await?;
    Ok(crate::service::admin::delete_agent(&services, &caller, &id).await?)
}

/// Every provider account (credentials hidden).
#[server(prefix = "/api/fn", endpoint = "admin_providers")]
pub async fn admin_providers(token: String) -> Result<Vec<ProviderAccount>, ApiError> {
    let (services, caller) = admin(&token).await?;
    Ok(crate::service::admin::list_provider_accounts(&services, &caller).await?)
}

/// Creates (`existing` none) or changes a provider account.
#[server(prefix = "/api/fn", endpoint = "admin_save_provider")]
pub async fn admin_save_provider(
    token: String,
    input: ProviderAccountInput,
    existing: Option<String>,
) -> Result<ProviderAccount, ApiError> {
    let (services, caller) = admin(&token).await?;
    let public_url = leptos::prelude::use_context::<PublicUrl>()
        .map(|p| p.0)
        .unwrap_or_default();
    Ok(crate::service::admin::save_provider_account(
        &services,
        &caller,
        input,
        existing.as_deref(),
        &public_url,
    )
    .await?)
}

/// Deletes a provider account.
#[server(prefix = "/api/fn", endpoint = "admin_delete_provider")]
pub async fn admin_delete_provider(token: String, id: String) -> Result<(), ApiError> {
    let (services, caller) = admin(&token).await?;
    Ok(crate::service::admin::delete_provider_account(&services, &caller, &id).await?)
}

/// The audit log, newest first, optionally of one kind of thing.
#[server(prefix = "/api/fn", endpoint = "admin_audit")]
pub async fn admin_audit(
    token: String,
    entity: Option<String>,
) -> Result<Vec<AuditEntry>, ApiError> {
    let (services, caller) = admin(&token).await?;
    let filter = crate::service::admin::AuditFilter {
        entity: entity.filter(|e| !e.is_empty()),
        actor: None,
        limit: 200,
    };
    Ok(crate::service::admin::audit_log(&services, &caller, filter).await?)
}

/// The server's public base URL, provided to server functions (for webhook URLs).
#[derive(Debug, Clone)]
pub struct PublicUrl(pub String);

#[cfg(feature = "ssr")]
fn bad_id(e: crate::domain::IdError) -> ApiError {
    ApiError::new("not_found", format!("No such item: the id {e}."))
}

/// The services and the admin the token proves, whose session is still open.
#[cfg(feature = "ssr")]
async fn admin(
    token: &str,
) -> Result<(crate::service::Services, crate::service::Caller), ApiError> {
    let (services, caller) = super::authenticate(token)?;
    crate::service::accounts::require_admin_session(&services, &caller).await?;
    Ok((services, caller))
}

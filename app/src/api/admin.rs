//! Server functions of the settings page: the same admin use cases as the REST API,
//! each checking the admin's token and session first.

use super::ApiError;
use crate::domain::{
    Agent, ApiKey, ApiKeyInput, AuditEntry, CallQueue, CallQueueInput, Channel, CreatedApiKey,
    Group, GroupInput, NotificationTypes, OptOut, OptOutInput, ProviderAccount,
    ProviderAccountInput, SavedTypes, SignIn, SignedIn, TemplateInput, TemplateView,
};
use leptos::server;
// Arguments travel as JSON, like the answers: one encoding for the browser's calls, and
// no form encoder in the bundles.
use server_fn::codec::Json;

#[cfg(feature = "ssr")]
use {
    super::respond,
    crate::service::{accounts, admin::Admin, AuditFilter, Caller, ServiceError, Services},
};

/// Signs an admin in.
#[server(prefix = "/api/fn", endpoint = "admin_sign_in", input = Json)]
pub async fn admin_sign_in(request: SignIn) -> Result<SignedIn, ApiError> {
    respond(async { accounts::sign_in(&super::services()?, &request, super::client_addr()).await })
        .await
}

/// Ends the admin's session.
#[server(prefix = "/api/fn", endpoint = "admin_sign_out", input = Json)]
pub async fn admin_sign_out(token: String) -> Result<(), ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        accounts::sign_out(&services, &caller).await
    })
    .await
}

/// Every template.
#[server(prefix = "/api/fn", endpoint = "admin_templates", input = Json)]
pub async fn admin_templates(token: String) -> Result<Vec<TemplateView>, ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        let list = Admin::new(&services, &caller)?
            .list_templates(None, None)
            .await?;
        Ok(list.into_iter().map(TemplateView::from).collect())
    })
    .await
}

/// Creates (`existing` none) or replaces a template.
#[server(prefix = "/api/fn", endpoint = "admin_save_template", input = Json)]
pub async fn admin_save_template(
    token: String,
    input: TemplateInput,
    existing: Option<String>,
) -> Result<TemplateView, ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        let existing = existing.as_deref().map(id).transpose()?;
        let saved = Admin::new(&services, &caller)?
            .save_template(input, existing.as_ref())
            .await?;
        Ok(saved.into())
    })
    .await
}

/// Deletes a template (`confirm` when groups use it).
#[server(prefix = "/api/fn", endpoint = "admin_delete_template", input = Json)]
pub async fn admin_delete_template(
    token: String,
    id: String,
    confirm: bool,
) -> Result<(), ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        Admin::new(&services, &caller)?
            .delete_template(&self::id(&id)?, confirm)
            .await?;
        Ok(())
    })
    .await
}

/// Every group.
#[server(prefix = "/api/fn", endpoint = "admin_groups", input = Json)]
pub async fn admin_groups(token: String) -> Result<Vec<Group>, ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        Admin::new(&services, &caller)?.list_groups().await
    })
    .await
}

/// Creates (`existing` none) or renames a group.
#[server(prefix = "/api/fn", endpoint = "admin_save_group", input = Json)]
pub async fn admin_save_group(
    token: String,
    input: GroupInput,
    existing: Option<String>,
) -> Result<Group, ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        let existing = existing.as_deref().map(id).transpose()?;
        Admin::new(&services, &caller)?
            .save_group(input, existing.as_ref())
            .await
    })
    .await
}

/// Deletes a group without agents.
#[server(prefix = "/api/fn", endpoint = "admin_delete_group", input = Json)]
pub async fn admin_delete_group(token: String, id: String) -> Result<(), ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        Admin::new(&services, &caller)?
            .delete_group(&self::id(&id)?)
            .await
    })
    .await
}

/// A group's Notification Type tab.
#[server(prefix = "/api/fn", endpoint = "admin_notification_types", input = Json)]
pub async fn admin_notification_types(
    token: String,
    group: String,
) -> Result<NotificationTypes, ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        Admin::new(&services, &caller)?
            .get_notification_types(&id(&group)?)
            .await
    })
    .await
}

/// Replaces a group's Notification Type tab.
#[server(prefix = "/api/fn", endpoint = "admin_save_notification_types", input = Json)]
pub async fn admin_save_notification_types(
    token: String,
    group: String,
    types: NotificationTypes,
) -> Result<SavedTypes, ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        let admin = Admin::new(&services, &caller)?;
        let group = id(&group)?;
        let types = admin.save_notification_types(&group, types).await?;
        let warnings = admin.dlt_warnings(&group, &types).await?;
        Ok(SavedTypes { types, warnings })
    })
    .await
}

/// Every agent.
#[server(prefix = "/api/fn", endpoint = "admin_agents", input = Json)]
pub async fn admin_agents(token: String) -> Result<Vec<Agent>, ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        Admin::new(&services, &caller)?.list_agents().await
    })
    .await
}

/// Creates (`existing` none) or changes an agent.
#[server(prefix = "/api/fn", endpoint = "admin_save_agent", input = Json)]
pub async fn admin_save_agent(
    token: String,
    agent: Agent,
    existing: Option<String>,
) -> Result<Agent, ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        let existing = existing.as_deref().map(id).transpose()?;
        Admin::new(&services, &caller)?
            .save_agent(agent, existing.as_ref())
            .await
    })
    .await
}

/// Deletes an agent.
#[server(prefix = "/api/fn", endpoint = "admin_delete_agent", input = Json)]
pub async fn admin_delete_agent(token: String, id: String) -> Result<(), ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        Admin::new(&services, &caller)?
            .delete_agent(&self::id(&id)?)
            .await
    })
    .await
}

/// Every call queue.
#[server(prefix = "/api/fn", endpoint = "admin_queues", input = Json)]
pub async fn admin_queues(token: String) -> Result<Vec<CallQueue>, ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        Admin::new(&services, &caller)?.list_queues().await
    })
    .await
}

/// Creates or replaces call queue `id`.
#[server(prefix = "/api/fn", endpoint = "admin_save_queue", input = Json)]
pub async fn admin_save_queue(
    token: String,
    id: String,
    queue: CallQueueInput,
) -> Result<CallQueue, ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        let id = crate::service::catalog::parse_queue_id(&id)?;
        Admin::new(&services, &caller)?.save_queue(id, queue).await
    })
    .await
}

/// Deletes a call queue.
#[server(prefix = "/api/fn", endpoint = "admin_delete_queue", input = Json)]
pub async fn admin_delete_queue(token: String, id: String) -> Result<(), ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        Admin::new(&services, &caller)?
            .delete_queue(&self::id(&id)?)
            .await
    })
    .await
}

/// Each channel's default account and how its messages go out (the sandbox, the
/// gateway, or not at all) when no account applies.
#[server(prefix = "/api/fn", endpoint = "admin_channels", input = Json)]
pub async fn admin_channels(token: String) -> Result<Vec<crate::domain::ChannelSetup>, ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        Admin::new(&services, &caller)?.channel_setups().await
    })
    .await
}

/// Every provider account (credentials hidden).
#[server(prefix = "/api/fn", endpoint = "admin_providers", input = Json)]
pub async fn admin_providers(token: String) -> Result<Vec<ProviderAccount>, ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        Admin::new(&services, &caller)?
            .list_provider_accounts()
            .await
    })
    .await
}

/// Creates (`existing` none) or changes a provider account.
#[server(prefix = "/api/fn", endpoint = "admin_save_provider", input = Json)]
pub async fn admin_save_provider(
    token: String,
    input: ProviderAccountInput,
    existing: Option<String>,
) -> Result<ProviderAccount, ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        let existing = existing.as_deref().map(id).transpose()?;
        Admin::new(&services, &caller)?
            .save_provider_account(input, existing.as_ref())
            .await
    })
    .await
}

/// Deletes a provider account.
#[server(prefix = "/api/fn", endpoint = "admin_delete_provider", input = Json)]
pub async fn admin_delete_provider(token: String, id: String) -> Result<(), ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        Admin::new(&services, &caller)?
            .delete_provider_account(&self::id(&id)?)
            .await
    })
    .await
}

/// Every API key (never their secrets).
#[server(prefix = "/api/fn", endpoint = "admin_api_keys", input = Json)]
pub async fn admin_api_keys(token: String) -> Result<Vec<ApiKey>, ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        Admin::new(&services, &caller)?.list_api_keys().await
    })
    .await
}

/// Creates an API key; its secret is in this answer only.
#[server(prefix = "/api/fn", endpoint = "admin_create_api_key", input = Json)]
pub async fn admin_create_api_key(
    token: String,
    input: ApiKeyInput,
) -> Result<CreatedApiKey, ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        Admin::new(&services, &caller)?.create_api_key(&input).await
    })
    .await
}

/// Revokes an API key.
#[server(prefix = "/api/fn", endpoint = "admin_revoke_api_key", input = Json)]
pub async fn admin_revoke_api_key(token: String, id: String) -> Result<(), ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        Admin::new(&services, &caller)?.revoke_api_key(&id).await
    })
    .await
}

/// The opt-out list, newest first, optionally of one channel.
#[server(prefix = "/api/fn", endpoint = "admin_opt_outs", input = Json)]
pub async fn admin_opt_outs(
    token: String,
    channel: Option<Channel>,
) -> Result<Vec<OptOut>, ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        let filter = crate::service::OptOutFilter {
            channel,
            number: None,
        };
        Admin::new(&services, &caller)?.list_opt_outs(&filter).await
    })
    .await
}

/// Adds a number to the opt-out list.
#[server(prefix = "/api/fn", endpoint = "admin_add_opt_out", input = Json)]
pub async fn admin_add_opt_out(token: String, input: OptOutInput) -> Result<OptOut, ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        Admin::new(&services, &caller)?.add_opt_out(&input).await
    })
    .await
}

/// Takes a number off the opt-out list.
#[server(prefix = "/api/fn", endpoint = "admin_remove_opt_out", input = Json)]
pub async fn admin_remove_opt_out(token: String, input: OptOutInput) -> Result<(), ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        Admin::new(&services, &caller)?.remove_opt_out(&input).await
    })
    .await
}

/// The audit log, newest first, optionally of one kind of thing.
#[server(prefix = "/api/fn", endpoint = "admin_audit", input = Json)]
pub async fn admin_audit(
    token: String,
    entity: Option<String>,
) -> Result<Vec<AuditEntry>, ApiError> {
    respond(async {
        let (services, caller) = admin(&token).await?;
        let filter = AuditFilter {
            entity: entity.filter(|e| !e.is_empty()),
            actor: None,
            limit: 200,
        };
        Admin::new(&services, &caller)?.audit_log(filter).await
    })
    .await
}

/// An id from the page: one that cannot exist is simply not found.
#[cfg(feature = "ssr")]
fn id<T: std::str::FromStr<Err = crate::domain::IdError>>(text: &str) -> Result<T, ServiceError> {
    text.parse().map_err(|e| ServiceError::NotFound {
        code: "not_found",
        message: format!("No such item: the id {e}."),
    })
}

/// The services and the admin whose open session the token is.
#[cfg(feature = "ssr")]
async fn admin(token: &str) -> Result<(Services, Caller), ServiceError> {
    let (services, caller) = super::authenticate(token).await?;
    caller.require_admin()?;
    Ok((services, caller))
}

//! The admin REST endpoints: sign-in, the templates registry, groups and their
//! Notification Type tab, agents, provider accounts, the audit log. Each handler parses
//! the path, calls one admin use case and maps its error.

use super::error::HttpError;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthCaller, ClientAddr};
use super::AppState;
use app::api::ErrorBody;
use app::domain::{
    Agent, AuditEntry, Channel, ChannelSetup, Group, GroupId, GroupInput, IdError,
    NotificationTypes, ProviderAccount, ProviderAccountId, ProviderAccountInput, SignIn, SignedIn,
    TemplateId, TemplateInput, TemplateView, UserId,
};
use app::service::admin::Admin;
use app::service::{access, accounts, AuditFilter, Caller, ServiceError};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use std::str::FromStr;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/login", post(login))
        .route("/api/v1/admin/logout", post(logout))
        .route("/api/v1/admin/revoked-tokens", post(revoke_token))
        .route(
            "/api/v1/admin/templates",
            get(list_templates).post(create_template),
        )
        .route(
            "/api/v1/admin/templates/{id}",
            get(get_template)
                .put(update_template)
                .delete(delete_template),
        )
        .route("/api/v1/admin/groups", get(list_groups).post(create_group))
        .route(
            "/api/v1/admin/groups/{id}",
            get(get_group).put(rename_group).delete(delete_group),
        )
        .route(
            "/api/v1/admin/groups/{id}/notification-types",
            get(get_types).put(put_types),
        )
        .route("/api/v1/admin/agents", get(list_agents).post(create_agent))
        .route(
            "/api/v1/admin/agents/{id}",
            get(get_agent).put(update_agent).delete(delete_agent),
        )
        .route(
            "/api/v1/admin/providers",
            get(list_providers).post(create_provider),
        )
        .route(
            "/api/v1/admin/providers/{id}",
            put(update_provider).delete(delete_provider),
        )
        .route("/api/v1/admin/audit", get(audit))
        .route("/api/v1/admin/channels", get(channels))
}

/// A signed-in admin: a session token whose session is still open.
pub struct AdminCaller(pub Caller);

impl FromRequestParts<AppState> for AdminCaller {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let AuthCaller(caller) = AuthCaller::from_request_parts(parts, state).await?;
        caller.require_admin()?;
        Ok(Self(caller))
    }
}

/// The id a URL names: one that cannot exist is simply not found.
pub(super) fn path_id<T: FromStr<Err = IdError>>(
    text: &str,
    what: &str,
) -> Result<T, ServiceError> {
    text.parse().map_err(|_| ServiceError::NotFound {
        code: "not_found",
        message: format!("No such {what}."),
    })
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/login",
    tag = "admin",
    summary = "Sign in: an admin session token (ans_…), the only source of admin power; throttled per admin id and per client (429 with Retry-After)",
    request_body = SignIn,
    responses((status = 200, description = "Signed in", body = SignedIn))
)]
async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(body): ApiJson<SignIn>,
) -> Result<Json<SignedIn>, HttpError> {
    Ok(Json(
        accounts::sign_in(&state.services, &body, client).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Revocation {
    /// The host token's id.
    jti: String,
}

/// Refuses a host token id everywhere from now on.
#[utoipa::path(
    post,
    path = "/api/v1/admin/revoked-tokens",
    tag = "admin",
    summary = "Refuse a host token id (jti) on every endpoint and stream from now on",
    request_body = Revocation,
    responses((status = 204, description = "Refused from now on")),
    security(("bearer" = []))
)]
async fn revoke_token(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiJson(body): ApiJson<Revocation>,
) -> Result<StatusCode, HttpError> {
    let settings = &state.services.settings;
    access::revoke_token(
        state.services.accounts.as_ref(),
        &body.jti,
        settings.max_token_ttl,
    )
    .await?;
    tracing::info!(admin = %caller.id, "a token id was revoked");
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/logout",
    tag = "admin",
    summary = "End the session, on every endpoint and open stream at once",
    responses((status = 204, description = "Signed out")),
    security(("bearer" = []))
)]
async fn logout(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
) -> Result<StatusCode, HttpError> {
    accounts::sign_out(&state.services, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn template_id(text: &str) -> Result<TemplateId, HttpError> {
    Ok(path_id(text, "template")?)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplateQuery {
    /// Only this channel's templates.
    channel: Option<Channel>,
    /// Names containing this text.
    search: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/templates",
    tag = "admin",
    summary = "Templates (filter by channel, search by name)",
    params(TemplateQuery),
    responses((status = 200, description = "The templates", body = Vec<TemplateView>)),
    security(("bearer" = []))
)]
async fn list_templates(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiQuery(q): ApiQuery<TemplateQuery>,
) -> Result<Json<Vec<TemplateView>>, HttpError> {
    let list = Admin::new(&state.services, &caller)?
        .list_templates(q.channel, q.search.as_deref())
        .await?;
    Ok(Json(list.into_iter().map(TemplateView::from).collect()))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/templates/{id}",
    tag = "admin",
    summary = "One template",
    params(("id" = String, Path, description = "The template's id")),
    responses((status = 200, description = "The template", body = TemplateView)),
    security(("bearer" = []))
)]
async fn get_template(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<TemplateView>, HttpError> {
    let template = Admin::new(&state.services, &caller)?
        .get_template(&template_id(&id)?)
        .await?;
    Ok(Json(template.into()))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/templates",
    tag = "admin",
    summary = "Create a template (checked: placeholders vs fields, DLT rules, WhatsApp length, unique name per channel)",
    request_body = TemplateInput,
    responses((status = 201, description = "Created", body = TemplateView), (status = 409, description = "The id is taken", body = ErrorBody)),
    security(("bearer" = []))
)]
async fn create_template(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiJson(input): ApiJson<TemplateInput>,
) -> Result<(StatusCode, Json<TemplateView>), HttpError> {
    let saved = Admin::new(&state.services, &caller)?
        .save_template(input, None)
        .await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

#[utoipa::path(
    put,
    path = "/api/v1/admin/templates/{id}",
    tag = "admin",
    summary = "Replace a template",
    params(("id" = String, Path, description = "The template's id")),
    request_body = TemplateInput,
    responses((status = 200, description = "Saved", body = TemplateView), (status = 409, description = "The name is taken on the channel", body = ErrorBody)),
    security(("bearer" = []))
)]
async fn update_template(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<TemplateInput>,
) -> Result<Json<TemplateView>, HttpError> {
    let id = template_id(&id)?;
    let saved = Admin::new(&state.services, &caller)?
        .save_template(input, Some(&id))
        .await?;
    Ok(Json(saved.into()))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeleteQuery {
    /// Delete it even if groups use it (it is removed from them).
    #[serde(default)]
    confirm: bool,
}

#[utoipa::path(
    delete,
    path = "/api/v1/admin/templates/{id}",
    tag = "admin",
    summary = "Delete a template; if groups use it, pass confirm=true to delete it and remove it from them",
    params(("id" = String, Path, description = "The template's id"), DeleteQuery),
    responses((status = 204, description = "Deleted"), (status = 409, description = "Groups use it (confirm=true deletes it anyway)", body = ErrorBody)),
    security(("bearer" = []))
)]
async fn delete_template(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> Result<StatusCode, HttpError> {
    Admin::new(&state.services, &caller)?
        .delete_template(&template_id(&id)?, q.confirm)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn group_id(text: &str) -> Result<GroupId, HttpError> {
    Ok(path_id(text, "group")?)
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/groups",
    tag = "admin",
    summary = "Agent groups",
    responses((status = 200, description = "The groups", body = Vec<Group>)),
    security(("bearer" = []))
)]
async fn list_groups(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<Vec<Group>>, HttpError> {
    Ok(Json(
        Admin::new(&state.services, &caller)?.list_groups().await?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/groups/{id}",
    tag = "admin",
    summary = "One group",
    params(("id" = String, Path, description = "The group's id")),
    responses((status = 200, description = "The group", body = Group)),
    security(("bearer" = []))
)]
async fn get_group(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Group>, HttpError> {
    let group = Admin::new(&state.services, &caller)?
        .get_group(&group_id(&id)?)
        .await?;
    Ok(Json(group))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/groups",
    tag = "admin",
    summary = "Create a group (id derived from the name when absent)",
    request_body = GroupInput,
    responses((status = 201, description = "Created", body = Group), (status = 409, description = "The id is taken", body = ErrorBody)),
    security(("bearer" = []))
)]
async fn create_group(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiJson(input): ApiJson<GroupInput>,
) -> Result<(StatusCode, Json<Group>), HttpError> {
    let group = Admin::new(&state.services, &caller)?
        .save_group(input, None)
        .await?;
    Ok((StatusCode::CREATED, Json(group)))
}

#[utoipa::path(
    put,
    path = "/api/v1/admin/groups/{id}",
    tag = "admin",
    summary = "Rename a group or change its default country",
    params(("id" = String, Path, description = "The group's id")),
    request_body = GroupInput,
    responses((status = 200, description = "Saved", body = Group)),
    security(("bearer" = []))
)]
async fn rename_group(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<GroupInput>,
) -> Result<Json<Group>, HttpError> {
    let id = group_id(&id)?;
    let group = Admin::new(&state.services, &caller)?
        .save_group(input, Some(&id))
        .await?;
    Ok(Json(group))
}

#[utoipa::path(
    delete,
    path = "/api/v1/admin/groups/{id}",
    tag = "admin",
    summary = "Delete a group (refused while agents belong to it)",
    params(("id" = String, Path, description = "The group's id")),
    responses((status = 204, description = "Deleted"), (status = 409, description = "Agents belong to it", body = ErrorBody)),
    security(("bearer" = []))
)]
async fn delete_group(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, HttpError> {
    Admin::new(&state.services, &caller)?
        .delete_group(&group_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/groups/{id}/notification-types",
    tag = "admin",
    summary = "The group's Notification Type tab",
    params(("id" = String, Path, description = "The group's id")),
    responses((status = 200, description = "The tab", body = NotificationTypes)),
    security(("bearer" = []))
)]
async fn get_types(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<NotificationTypes>, HttpError> {
    let types = Admin::new(&state.services, &caller)?
        .get_notification_types(&group_id(&id)?)
        .await?;
    Ok(Json(types))
}

#[utoipa::path(
    put,
    path = "/api/v1/admin/groups/{id}/notification-types",
    tag = "admin",
    summary = "Replace the tab atomically: at most 5 templates per channel (422 too_many_templates), each of that channel (422 wrong_channel)",
    params(("id" = String, Path, description = "The group's id")),
    request_body = NotificationTypes,
    responses((status = 200, description = "Saved", body = NotificationTypes)),
    security(("bearer" = []))
)]
async fn put_types(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(types): ApiJson<NotificationTypes>,
) -> Result<Json<NotificationTypes>, HttpError> {
    let id = group_id(&id)?;
    let saved = Admin::new(&state.services, &caller)?
        .save_notification_types(&id, types)
        .await?;
    Ok(Json(saved))
}

fn agent_id(text: &str) -> Result<UserId, HttpError> {
    Ok(path_id(text, "agent")?)
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/agents",
    tag = "admin",
    summary = "Agents",
    responses((status = 200, description = "The agents", body = Vec<Agent>)),
    security(("bearer" = []))
)]
async fn list_agents(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<Vec<Agent>>, HttpError> {
    Ok(Json(
        Admin::new(&state.services, &caller)?.list_agents().await?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/agents/{id}",
    tag = "admin",
    summary = "One agent",
    params(("id" = String, Path, description = "The agent's id")),
    responses((status = 200, description = "The agent", body = Agent)),
    security(("bearer" = []))
)]
async fn get_agent(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Agent>, HttpError> {
    let agent = Admin::new(&state.services, &caller)?
        .get_agent(&agent_id(&id)?)
        .await?;
    Ok(Json(agent))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/agents",
    tag = "admin",
    summary = "Create an agent in an existing group",
    request_body = Agent,
    responses((status = 201, description = "Created", body = Agent), (status = 409, description = "The id is taken", body = ErrorBody)),
    security(("bearer" = []))
)]
async fn create_agent(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiJson(agent): ApiJson<Agent>,
) -> Result<(StatusCode, Json<Agent>), HttpError> {
    let agent = Admin::new(&state.services, &caller)?
        .save_agent(agent, None)
        .await?;
    Ok((StatusCode::CREATED, Json(agent)))
}

#[utoipa::path(
    put,
    path = "/api/v1/admin/agents/{id}",
    tag = "admin",
    summary = "Change an agent",
    params(("id" = String, Path, description = "The agent's id")),
    request_body = Agent,
    responses((status = 200, description = "Saved", body = Agent)),
    security(("bearer" = []))
)]
async fn update_agent(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(agent): ApiJson<Agent>,
) -> Result<Json<Agent>, HttpError> {
    let id = agent_id(&id)?;
    let agent = Admin::new(&state.services, &caller)?
        .save_agent(agent, Some(&id))
        .await?;
    Ok(Json(agent))
}

#[utoipa::path(
    delete,
    path = "/api/v1/admin/agents/{id}",
    tag = "admin",
    summary = "Delete an agent",
    params(("id" = String, Path, description = "The agent's id")),
    responses((status = 204, description = "Deleted")),
    security(("bearer" = []))
)]
async fn delete_agent(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, HttpError> {
    Admin::new(&state.services, &caller)?
        .delete_agent(&agent_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn account_id(text: &str) -> Result<ProviderAccountId, HttpError> {
    Ok(path_id(text, "provider account")?)
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/channels",
    tag = "admin",
    summary = "Each channel's default account, and how its messages go out without one (account, sandbox: test mode, gateway, unavailable: not offered)",
    responses((status = 200, description = "One entry per channel", body = Vec<ChannelSetup>)),
    security(("bearer" = []))
)]
async fn channels(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<Vec<ChannelSetup>>, HttpError> {
    let setups = Admin::new(&state.services, &caller)?
        .channel_setups()
        .await?;
    Ok(Json(setups))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/providers",
    tag = "admin",
    summary = "Provider accounts (credentials are never returned)",
    responses((status = 200, description = "The accounts", body = Vec<ProviderAccount>)),
    security(("bearer" = []))
)]
async fn list_providers(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<Vec<ProviderAccount>>, HttpError> {
    let accounts = Admin::new(&state.services, &caller)?
        .list_provider_accounts()
        .await?;
    Ok(Json(accounts))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/providers",
    tag = "admin",
    summary = "Create a provider account",
    request_body = ProviderAccountInput,
    responses((status = 201, description = "Created", body = ProviderAccount), (status = 409, description = "The id is taken", body = ErrorBody)),
    security(("bearer" = []))
)]
async fn create_provider(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiJson(input): ApiJson<ProviderAccountInput>,
) -> Result<(StatusCode, Json<ProviderAccount>), HttpError> {
    let saved = Admin::new(&state.services, &caller)?
        .save_provider_account(input, None)
        .await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

#[utoipa::path(
    put,
    path = "/api/v1/admin/providers/{id}",
    tag = "admin",
    summary = "Change a provider account (absent credentials are kept; '' removes one)",
    params(("id" = String, Path, description = "The provider account's id")),
    request_body = ProviderAccountInput,
    responses((status = 200, description = "Saved", body = ProviderAccount)),
    security(("bearer" = []))
)]
async fn update_provider(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ProviderAccountInput>,
) -> Result<Json<ProviderAccount>, HttpError> {
    let id = account_id(&id)?;
    let saved = Admin::new(&state.services, &caller)?
        .save_provider_account(input, Some(&id))
        .await?;
    Ok(Json(saved))
}

#[utoipa::path(
    delete,
    path = "/api/v1/admin/providers/{id}",
    tag = "admin",
    summary = "Delete a provider account",
    params(("id" = String, Path, description = "The provider account's id")),
    responses((status = 204, description = "Deleted")),
    security(("bearer" = []))
)]
async fn delete_provider(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, HttpError> {
    Admin::new(&state.services, &caller)?
        .delete_provider_account(&account_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuditQuery {
    /// `template`, `group`, `notification_types`, `agent`, `provider`, `api_key`, …
    entity: Option<String>,
    /// Which admin.
    actor: Option<String>,
    /// How many (default 100).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/audit",
    tag = "admin",
    summary = "The audit log, newest first",
    params(AuditQuery),
    responses((status = 200, description = "The entries", body = Vec<AuditEntry>)),
    security(("bearer" = []))
)]
async fn audit(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, HttpError> {
    let filter = AuditFilter {
        entity: q.entity,
        actor: q.actor,
        limit: q.limit.unwrap_or(100),
    };
    Ok(Json(
        Admin::new(&state.services, &caller)?
            .audit_log(filter)
            .await?,
    ))
}

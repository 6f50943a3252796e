//! The admin REST endpoints: sign-in, the templates registry, groups and their
//! Notification Type tab, agents, provider accounts, the audit log. Each handler parses
//! the path, calls one admin use case and maps its error.

use super::error::HttpError;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthCaller, ClientAddr};
use super::AppState;
use app::domain::{
    Agent, AuditEntry, Channel, Group, GroupId, GroupInput, IdError, NotificationTypes,
    ProviderAccount, ProviderAccountId, ProviderAccountInput, SignIn, SignedIn, TemplateId,
    TemplateInput, TemplateView, UserId,
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
fn path_id<T: FromStr<Err = IdError>>(text: &str, what: &str) -> Result<T, ServiceError> {
    text.parse().map_err(|_| ServiceError::NotFound {
        code: "not_found",
        message: format!("No such {what}."),
    })
}

async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(body): ApiJson<SignIn>,
) -> Result<Json<SignedIn>, HttpError> {
    Ok(Json(
        accounts::sign_in(&state.services, &body, client).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Revocation {
    jti: String,
}

/// Refuses a host token id everywhere from now on.
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateQuery {
    channel: Option<Channel>,
    search: Option<String>,
}

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteQuery {
    #[serde(default)]
    confirm: bool,
}

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

async fn list_groups(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<Vec<Group>>, HttpError> {
    Ok(Json(
        Admin::new(&state.services, &caller)?.list_groups().await?,
    ))
}

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

async fn list_agents(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<Vec<Agent>>, HttpError> {
    Ok(Json(
        Admin::new(&state.services, &caller)?.list_agents().await?,
    ))
}

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

async fn list_providers(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<Vec<ProviderAccount>>, HttpError> {
    let accounts = Admin::new(&state.services, &caller)?
        .list_provider_accounts()
        .await?;
    Ok(Json(accounts))
}

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
    entity: Option<String>,
    actor: Option<String>,
    limit: Option<u32>,
}

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

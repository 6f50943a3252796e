//! The admin REST endpoints: sign-in, the templates registry, groups and their
//! Notification Type tab, agents, provider accounts, the audit log.

use super::error::HttpError;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthCaller};
use super::AppState;
use app::domain::{
    Agent, AuditEntry, Channel, Group, GroupId, GroupInput, NotificationTypes, ProviderAccount,
    ProviderAccountInput, SignIn, SignedIn, TemplateId, TemplateInput, TemplateView,
};
use app::service::accounts;
use app::service::admin::{self, AuditFilter};
use app::service::{Caller, ServiceError};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/login", post(login))
        .route("/api/v1/admin/logout", post(logout))
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
            axum::routing::put(update_provider).delete(delete_provider),
        )
        .route("/api/v1/admin/audit", get(audit))
}

/// A signed-in admin: a valid admin token whose session (if any) is still open.
pub struct AdminCaller(pub Caller);

impl FromRequestParts<AppState> for AdminCaller {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let AuthCaller(caller) = AuthCaller::from_request_parts(parts, state).await?;
        accounts::require_admin_session(&state.services, &caller).await?;
        Ok(Self(caller))
    }
}

fn template_id(text: &str) -> Result<TemplateId, ServiceError> {
    TemplateId::parse(text).map_err(|_| ServiceError::NotFound {
        code: "not_found",
        message: "No such template.".into(),
    })
}

fn group_id(text: &str) -> Result<GroupId, ServiceError> {
    GroupId::parse(text).map_err(|_| ServiceError::NotFound {
        code: "not_found",
        message: "No such group.".into(),
    })
}

async fn login(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<SignIn>,
) -> Result<Json<SignedIn>, HttpError> {
    Ok(Json(accounts::sign_in(&state.services, &body).await?))
}

async fn logout(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
) -> Result<StatusCode, HttpError> {
    accounts::sign_out(&state.services, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
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
    let list =
        admin::list_templates(&state.services, &caller, q.channel, q.search.as_deref()).await?;
    Ok(Json(list.into_iter().map(TemplateView::from).collect()))
}

async fn get_template(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<TemplateView>, HttpError> {
    Ok(Json(
        admin::get_template(&state.services, &caller, &template_id(&id)?)
            .await?
            .into(),
    ))
}

async fn create_template(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiJson(input): ApiJson<TemplateInput>,
) -> Result<(StatusCode, Json<TemplateView>), HttpError> {
    let saved = admin::save_template(&state.services, &caller, input, None).await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

async fn update_template(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<TemplateInput>,
) -> Result<Json<TemplateView>, HttpError> {
    let id = template_id(&id)?;
    Ok(Json(
        admin::save_template(&state.services, &caller, input, Some(&id))
            .await?
            .into(),
    ))
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
    admin::delete_template(&state.services, &caller, &template_id(&id)?, q.confirm).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_groups(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<Vec<Group>>, HttpError> {
    Ok(Json(admin::list_groups(&state.services, &caller).await?))
}

async fn get_group(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Group>, HttpError> {
    Ok(Json(
        admin::get_group(&state.services, &caller, &group_id(&id)?).await?,
    ))
}

async fn create_group(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiJson(input): ApiJson<GroupInput>,
) -> Result<(StatusCode, Json<Group>), HttpError> {
    Ok((
        StatusCode::CREATED,
        Json(admin::save_group(&state.services, &caller, input, None).await?),
    ))
}

async fn rename_group(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<GroupInput>,
) -> Result<Json<Group>, HttpError> {
    let id = group_id(&id)?;
    Ok(Json(
        admin::save_group(&state.services, &caller, input, Some(&id)).await?,
    ))
}

async fn delete_group(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, HttpError> {
    admin::delete_group(&state.services, &caller, &group_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn get_types(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<NotificationTypes>, HttpError> {
    Ok(Json(
        admin::get_notification_types(&state.services, &caller, &group_id(&id)?).await?,
    ))
}

async fn put_types(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(types): ApiJson<NotificationTypes>,
) -> Result<Json<NotificationTypes>, HttpError> {
    Ok(Json(
        admin::save_notification_types(&state.services, &caller, &group_id(&id)?, types).await?,
    ))
}

async fn list_agents(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<Vec<Agent>>, HttpError> {
    Ok(Json(admin::list_agents(&state.services, &caller).await?))
}

async fn get_agent(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Agent>, HttpError> {
    Ok(Json(admin::get_agent(&state.services, &caller, &id).await?))
}

async fn create_agent(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiJson(agent): ApiJson<Agent>,
) -> Result<(StatusCode, Json<Agent>), HttpError> {
    Ok((
        StatusCode::CREATED,
        Json(admin::save_agent(&state.services, &caller, agent, None).await?),
    ))
}

async fn update_agent(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(agent): ApiJson<Agent>,
) -> Result<Json<Agent>, HttpError> {
    Ok(Json(
        admin::save_agent(&state.services, &caller, agent, Some(&id)).await?,
    ))
}

async fn delete_agent(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, HttpError> {
    admin::delete_agent(&state.services, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_providers(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<Vec<ProviderAccount>>, HttpError> {
    Ok(Json(
        admin::list_provider_accounts(&state.services, &caller).await?,
    ))
}

async fn create_provider(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiJson(input): ApiJson<ProviderAccountInput>,
) -> Result<(StatusCode, Json<ProviderAccount>), HttpError> {
    let saved =
        admin::save_provider_account(&state.services, &caller, input, None, &state.public_url)
            .await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

async fn update_provider(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ProviderAccountInput>,
) -> Result<Json<ProviderAccount>, HttpError> {
    Ok(Json(
        admin::save_provider_account(
            &state.services,
            &caller,
            input,
            Some(&id),
            &state.public_url,
        )
        .await?,
    ))
}

async fn delete_provider(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, HttpError> {
    admin::delete_provider_account(&state.services, &caller, &id).await?;
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
        admin::audit_log(&state.services, &caller, filter).await?,
    ))
}

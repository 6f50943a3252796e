//! `/api/v1/admin/agents`: agents and their groups.

use super::{path_id, AdminCaller};
use crate::http::error::HttpError;
use crate::http::extract::{ApiJson, ApiPath};
use crate::http::AppState;
use app::domain::{Agent, UserId};
use app::service::admin;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/agents", get(list).post(create))
        .route(
            "/api/v1/admin/agents/{id}",
            get(one).put(update).delete(delete),
        )
}

fn agent_id(text: &str) -> Result<UserId, HttpError> {
    Ok(path_id(text, "agent")?)
}

async fn list(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<Vec<Agent>>, HttpError> {
    Ok(Json(admin::list_agents(&state.services, &caller).await?))
}

async fn one(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Agent>, HttpError> {
    let agent = admin::get_agent(&state.services, &caller, &agent_id(&id)?).await?;
    Ok(Json(agent))
}

async fn create(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiJson(agent): ApiJson<Agent>,
) -> Result<(StatusCode, Json<Agent>), HttpError> {
    let agent = admin::save_agent(&state.services, &caller, agent, None).await?;
    Ok((StatusCode::CREATED, Json(agent)))
}

async fn update(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(agent): ApiJson<Agent>,
) -> Result<Json<Agent>, HttpError> {
    let id = agent_id(&id)?;
    let agent = admin::save_agent(&state.services, &caller, agent, Some(&id)).await?;
    Ok(Json(agent))
}

async fn delete(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, HttpError> {
    admin::delete_agent(&state.services, &caller, &agent_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

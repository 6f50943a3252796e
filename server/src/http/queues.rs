//! Call queues on the admin API: per channel, the templates their calls may use.

use super::admin::{path_id, AdminCaller};
use super::error::HttpError;
use super::extract::{ApiJson, ApiPath};
use super::AppState;
use app::domain::{CallQueue, CallQueueInput, QueueId};
use app::service::admin::Admin;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/queues", get(list_queues))
        .route(
            "/api/v1/admin/queues/{id}",
            get(get_queue).put(save_queue).delete(delete_queue),
        )
}

fn queue_id(text: &str) -> Result<QueueId, HttpError> {
    Ok(path_id(text, "call queue")?)
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/queues",
    tag = "admin",
    summary = "Call queues and the templates each allows per channel",
    responses((status = 200, description = "The queues", body = Vec<CallQueue>)),
    security(("bearer" = []))
)]
async fn list_queues(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<Vec<CallQueue>>, HttpError> {
    Ok(Json(
        Admin::new(&state.services, &caller)?.list_queues().await?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/queues/{id}",
    tag = "admin",
    summary = "One call queue",
    params(("id" = String, Path, description = "The queue's id, as the softphone sends it")),
    responses((status = 200, description = "The queue", body = CallQueue)),
    security(("bearer" = []))
)]
async fn get_queue(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<CallQueue>, HttpError> {
    Ok(Json(
        Admin::new(&state.services, &caller)?
            .get_queue(&queue_id(&id)?)
            .await?,
    ))
}

#[utoipa::path(
    put,
    path = "/api/v1/admin/queues/{id}",
    tag = "admin",
    summary = "Create or replace a call queue: per channel, the templates its calls may use (a channel left out: the group's templates)",
    params(("id" = String, Path, description = "The queue's id, as the softphone sends it")),
    request_body = CallQueueInput,
    responses((status = 200, description = "The queue as saved", body = CallQueue)),
    security(("bearer" = []))
)]
async fn save_queue(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<CallQueueInput>,
) -> Result<Json<CallQueue>, HttpError> {
    let id = QueueId::parse(&id).map_err(|e| {
        app::service::ServiceError::invalid(
            "invalid_queue_id",
            format!("The queue id {e}."),
            "id",
            e.to_string(),
        )
    })?;
    Ok(Json(
        Admin::new(&state.services, &caller)?
            .save_queue(id, input)
            .await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/api/v1/admin/queues/{id}",
    tag = "admin",
    summary = "Delete a call queue (its calls are offered the group's templates again)",
    params(("id" = String, Path, description = "The queue's id")),
    responses((status = 204, description = "Deleted")),
    security(("bearer" = []))
)]
async fn delete_queue(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, HttpError> {
    Admin::new(&state.services, &caller)?
        .delete_queue(&queue_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

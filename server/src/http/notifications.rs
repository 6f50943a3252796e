//! Sending and reading notifications, and call comments (live status: `streams`).

use super::error::HttpError;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthCaller, IdempotencyHeader};
use super::AppState;
use app::api::ErrorBody;
use app::domain::{Accepted, CallId, Comment, NotificationView, SendRequest};
use app::service::{send, status};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/notifications", get(list).post(send_one))
        .route("/api/v1/notifications/{uuid}", get(get_one))
        .route("/api/v1/calls/{call_id}/comments", get(comments))
}

#[utoipa::path(
    post,
    path = "/api/v1/notifications",
    tag = "notifications",
    summary = "Send a notification",
    params(("Idempotency-Key" = Option<String>, Header, description = "Same key and body from the same caller: the same response, never a second message. Same key, other body: 409.")),
    request_body = SendRequest,
    responses((status = 202, description = "Durably recorded and queued", body = Accepted), (status = 409, description = "The Idempotency-Key was used with another body", body = ErrorBody)),
    security(("bearer" = []))
)]
async fn send_one(
    State(state): State<AppState>,
    AuthCaller(caller): AuthCaller,
    IdempotencyHeader(key): IdempotencyHeader,
    ApiJson(request): ApiJson<SendRequest>,
) -> Result<(StatusCode, Json<Accepted>), HttpError> {
    let accepted = send::send_notification(&state.services, &caller, key.as_ref(), request).await?;
    Ok((StatusCode::ACCEPTED, Json(accepted)))
}

#[utoipa::path(
    get,
    path = "/api/v1/notifications/{uuid}",
    tag = "notifications",
    summary = "One notification with its status history",
    params(("uuid" = String, Path, description = "The message's UUID")),
    responses((status = 200, description = "The notification", body = NotificationView)),
    security(("bearer" = []))
)]
async fn get_one(
    State(state): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath(uuid): ApiPath<String>,
) -> Result<Json<NotificationView>, HttpError> {
    let uuid = status::parse_uuid(&uuid)?;
    Ok(Json(
        status::get_notification(&state.services, &caller, uuid).await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    /// Only the messages of this call.
    #[param(value_type = Option<CallId>)]
    call_id: Option<String>,
    /// How many (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

#[utoipa::path(
    get,
    path = "/api/v1/notifications",
    tag = "notifications",
    summary = "The caller's recent notifications, newest first",
    params(ListQuery),
    responses((status = 200, description = "The notifications", body = Vec<NotificationView>)),
    security(("bearer" = []))
)]
async fn list(
    State(state): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Vec<NotificationView>>, HttpError> {
    let call_id = query.call_id.as_deref().map(parse_call_id).transpose()?;
    Ok(Json(
        status::list_notifications(&state.services, &caller, call_id, query.limit).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/calls/{call_id}/comments",
    tag = "notifications",
    summary = "The call's comment log (every send adds one)",
    params(("call_id" = String, Path, description = "The softphone's call id")),
    responses((status = 200, description = "The comments, oldest first", body = Vec<Comment>)),
    security(("bearer" = []))
)]
async fn comments(
    State(state): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath(call_id): ApiPath<String>,
) -> Result<Json<Vec<Comment>>, HttpError> {
    let call_id = parse_call_id(&call_id)?;
    Ok(Json(
        status::call_comments(&state.services, &caller, &call_id).await?,
    ))
}

pub use app::service::status::parse_call_id;

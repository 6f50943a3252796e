//! Sending and reading notifications, and call comments (live status: `streams`).

use super::error::HttpError;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthCaller, IdempotencyHeader};
use super::AppState;
use app::domain::{Accepted, Comment, NotificationView, SendRequest};
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

async fn send_one(
    State(state): State<AppState>,
    AuthCaller(caller): AuthCaller,
    IdempotencyHeader(key): IdempotencyHeader,
    ApiJson(request): ApiJson<SendRequest>,
) -> Result<(StatusCode, Json<Accepted>), HttpError> {
    let accepted = send::send_notification(&state.services, &caller, key.as_ref(), request).await?;
    Ok((StatusCode::ACCEPTED, Json(accepted)))
}

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    call_id: Option<String>,
    limit: Option<u32>,
}

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

//! `/api/v1/admin/groups`: agent groups and their Notification Type tab.

use super::{path_id, AdminCaller};
use crate::http::error::HttpError;
use crate::http::extract::{ApiJson, ApiPath};
use crate::http::AppState;
use app::domain::{Group, GroupId, GroupInput, NotificationTypes};
use app::service::admin;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/groups", get(list).post(create))
        .route(
            "/api/v1/admin/groups/{id}",
            get(one).put(rename).delete(delete),
        )
        .route(
            "/api/v1/admin/groups/{id}/notification-types",
            get(types).put(save_types),
        )
}

fn group_id(text: &str) -> Result<GroupId, HttpError> {
    Ok(path_id(text, "group")?)
}

async fn list(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<Vec<Group>>, HttpError> {
    Ok(Json(admin::list_groups(&state.services, &caller).await?))
}

async fn one(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Group>, HttpError> {
    let group = admin::get_group(&state.services, &caller, &group_id(&id)?).await?;
    Ok(Json(group))
}

async fn create(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiJson(input): ApiJson<GroupInput>,
) -> Result<(StatusCode, Json<Group>), HttpError> {
    let group = admin::save_group(&state.services, &caller, input, None).await?;
    Ok((StatusCode::CREATED, Json(group)))
}

async fn rename(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<GroupInput>,
) -> Result<Json<Group>, HttpError> {
    let id = group_id(&id)?;
    let group = admin::save_group(&state.services, &caller, input, Some(&id)).await?;
    Ok(Json(group))
}

async fn delete(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, HttpError> {
    admin::delete_group(&state.services, &caller, &group_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn types(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<NotificationTypes>, HttpError> {
    let types = admin::get_notification_types(&state.services, &caller, &group_id(&id)?).await?;
    Ok(Json(types))
}

async fn save_types(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(types): ApiJson<NotificationTypes>,
) -> Result<Json<NotificationTypes>, HttpError> {
    let id = group_id(&id)?;
    let saved = admin::save_notification_types(&state.services, &caller, &id, types).await?;
    Ok(Json(saved))
}

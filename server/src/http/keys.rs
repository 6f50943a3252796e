//! `/api/v1/admin/api-keys`: integrators' API keys (the secret in the creation's answer
//! only).

use super::admin::AdminCaller;
use super::error::HttpError;
use super::extract::{ApiJson, ApiPath};
use super::AppState;
use app::domain::{ApiKey, ApiKeyInput, CreatedApiKey};
use app::service::admin::Admin;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/admin/api-keys",
            get(list_api_keys).post(create_api_key),
        )
        .route("/api/v1/admin/api-keys/{id}", delete(revoke_api_key))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/api-keys",
    tag = "admin",
    summary = "Integrators' API keys (never their secrets)",
    responses((status = 200, description = "The keys", body = Vec<ApiKey>)),
    security(("bearer" = []))
)]
async fn list_api_keys(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<Vec<ApiKey>>, HttpError> {
    let admin = Admin::new(&state.services, &caller)?;
    Ok(Json(admin.list_api_keys().await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/api-keys",
    tag = "admin",
    summary = "Create an API key; the secret is in this answer only",
    request_body = ApiKeyInput,
    responses((status = 201, description = "The key and its secret", body = CreatedApiKey)),
    security(("bearer" = []))
)]
async fn create_api_key(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiJson(input): ApiJson<ApiKeyInput>,
) -> Result<(StatusCode, Json<CreatedApiKey>), HttpError> {
    let admin = Admin::new(&state.services, &caller)?;
    let created = admin.create_api_key(&input).await?;
    tracing::info!(admin = %caller.id, key = %created.key.id, "API key created");
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(
    delete,
    path = "/api/v1/admin/api-keys/{id}",
    tag = "admin",
    summary = "Revoke an API key",
    params(("id" = String, Path, description = "The API key's id")),
    responses((status = 204, description = "Revoked: refused from now on")),
    security(("bearer" = []))
)]
async fn revoke_api_key(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, HttpError> {
    Admin::new(&state.services, &caller)?
        .revoke_api_key(&id)
        .await?;
    tracing::info!(admin = %caller.id, key = %id, "API key revoked");
    Ok(StatusCode::NO_CONTENT)
}

//! `/api/v1/admin/providers`: provider accounts (credentials write-only).

use super::{path_id, AdminCaller};
use crate::http::error::HttpError;
use crate::http::extract::{ApiJson, ApiPath};
use crate::http::AppState;
use app::domain::{ProviderAccount, ProviderAccountId, ProviderAccountInput};
use app::service::admin;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/providers", get(list).post(create))
        .route("/api/v1/admin/providers/{id}", put(update).delete(delete))
}

fn account_id(text: &str) -> Result<ProviderAccountId, HttpError> {
    Ok(path_id(text, "provider account")?)
}

async fn list(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<Vec<ProviderAccount>>, HttpError> {
    let accounts = admin::list_provider_accounts(&state.services, &caller).await?;
    Ok(Json(accounts))
}

async fn create(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiJson(input): ApiJson<ProviderAccountInput>,
) -> Result<(StatusCode, Json<ProviderAccount>), HttpError> {
    let saved = admin::save_provider_account(&state.services, &caller, input, None).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

async fn update(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ProviderAccountInput>,
) -> Result<Json<ProviderAccount>, HttpError> {
    let id = account_id(&id)?;
    let saved = admin::save_provider_account(&state.services, &caller, input, Some(&id)).await?;
    Ok(Json(saved))
}

async fn delete(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, HttpError> {
    admin::delete_provider_account(&state.services, &caller, &account_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

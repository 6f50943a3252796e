//! `/api/v1/admin/templates`: the templates registry.

use super::{path_id, AdminCaller};
use crate::http::error::HttpError;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::AppState;
use app::domain::{Channel, TemplateId, TemplateInput, TemplateView};
use app::service::admin;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/templates", get(list).post(create))
        .route(
            "/api/v1/admin/templates/{id}",
            get(one).put(update).delete(delete),
        )
}

fn template_id(text: &str) -> Result<TemplateId, HttpError> {
    Ok(path_id(text, "template")?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    channel: Option<Channel>,
    search: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<TemplateView>>, HttpError> {
    let list =
        admin::list_templates(&state.services, &caller, q.channel, q.search.as_deref()).await?;
    Ok(Json(list.into_iter().map(TemplateView::from).collect()))
}

async fn one(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<TemplateView>, HttpError> {
    let template = admin::get_template(&state.services, &caller, &template_id(&id)?).await?;
    Ok(Json(template.into()))
}

async fn create(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiJson(input): ApiJson<TemplateInput>,
) -> Result<(StatusCode, Json<TemplateView>), HttpError> {
    let saved = admin::save_template(&state.services, &caller, input, None).await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

async fn update(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<TemplateInput>,
) -> Result<Json<TemplateView>, HttpError> {
    let id = template_id(&id)?;
    let saved = admin::save_template(&state.services, &caller, input, Some(&id)).await?;
    Ok(Json(saved.into()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteQuery {
    #[serde(default)]
    confirm: bool,
}

async fn delete(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> Result<StatusCode, HttpError> {
    admin::delete_template(&state.services, &caller, &template_id(&id)?, q.confirm).await?;
    Ok(StatusCode::NO_CONTENT)
}

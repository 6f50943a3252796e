//! Agent lookups: countries, phone validation, the group's templates.

use super::error::HttpError;
use super::extract::{ApiJson, ApiQuery, AuthCaller};
use super::AppState;
use app::domain::{AgentTemplate, Channel, CountryList, PhoneCheck, PhoneCheckRequest};
use app::service::{catalog, ServiceError};
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/countries", get(countries))
        .route("/api/v1/phone/validate", post(validate_phone))
        .route("/api/v1/templates", get(templates))
}

async fn countries(State(state): State<AppState>, AuthCaller(_): AuthCaller) -> Json<CountryList> {
    Json(catalog::countries(&state.services))
}

async fn validate_phone(
    State(state): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiJson(request): ApiJson<PhoneCheckRequest>,
) -> Result<Json<PhoneCheck>, HttpError> {
    Ok(Json(
        catalog::check_recipient(&state.services, &caller, &request).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateQuery {
    channel: Option<String>,
}

async fn templates(
    State(state): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiQuery(query): ApiQuery<TemplateQuery>,
) -> Result<Json<Vec<AgentTemplate>>, HttpError> {
    let channel = query
        .channel
        .map(|c| {
            c.parse::<Channel>().map_err(|e| {
                ServiceError::invalid("invalid_channel", e.to_string(), "channel", "unknown")
            })
        })
        .transpose()?;
    Ok(Json(
        catalog::agent_templates(&state.services, &caller, channel).await?,
    ))
}

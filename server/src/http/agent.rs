//! Agent lookups: countries, phone validation, the group's templates, and what the
//! widget needs when it opens (the REST twin of its `open_widget` server function).

use super::error::HttpError;
use super::extract::{ApiJson, ApiQuery, AuthCaller};
use super::AppState;
use app::domain::{
    AgentTemplate, Channel, CountryList, PhoneCheck, PhoneCheckRequest, WidgetBootstrap,
};
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
        .route("/api/v1/widget/bootstrap", get(bootstrap))
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BootstrapQuery {
    call_id: Option<String>,
    number: Option<String>,
}

/// Channels, templates, embedding origins, the country numbers are read in and, with a
/// CRM, the customer: what the widget reads when it opens.
async fn bootstrap(
    State(state): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiQuery(query): ApiQuery<BootstrapQuery>,
) -> Result<Json<WidgetBootstrap>, HttpError> {
    let call_id = query
        .call_id
        .as_deref()
        .map(super::notifications::parse_call_id)
        .transpose()?;
    Ok(Json(
        catalog::widget_bootstrap(
            &state.services,
            &caller,
            call_id.as_ref(),
            query.number.as_deref(),
        )
        .await?,
    ))
}

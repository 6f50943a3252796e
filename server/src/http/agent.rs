//! Agent lookups: countries, phone validation, the group's templates, and what the
//! widget needs when it opens (the REST twin of its `widget_bootstrap` server function).

use super::error::HttpError;
use super::extract::{ApiJson, ApiQuery, AuthCaller};
use super::AppState;
use app::domain::{
    AgentTemplate, CallId, Channel, CountryList, PhoneCheck, PhoneCheckRequest, Preferences,
    QueueId, WidgetBootstrap,
};
use app::service::{catalog, preferences, ServiceError};
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/countries", get(countries))
        .route("/api/v1/phone/validate", post(check_recipient))
        .route("/api/v1/templates", get(agent_templates))
        .route("/api/v1/widget/bootstrap", get(widget_bootstrap))
        .route(
            "/api/v1/me/preferences",
            get(my_preferences).put(save_my_preferences),
        )
}

#[utoipa::path(
    get,
    path = "/api/v1/countries",
    tag = "agent",
    summary = "Countries for the picker, with the default selection",
    responses((status = 200, description = "Every country, sorted by name", body = CountryList)),
    security(("bearer" = []))
)]
async fn countries(State(state): State<AppState>, AuthCaller(_): AuthCaller) -> Json<CountryList> {
    Json(catalog::countries(&state.services))
}

#[utoipa::path(
    post,
    path = "/api/v1/phone/validate",
    tag = "agent",
    summary = "Validate a number and convert it to E.164 (with what the customer said to us: opt-outs, the WhatsApp window, a CRM conflict)",
    request_body = PhoneCheckRequest,
    responses((status = 200, description = "The number read, or why it is not one", body = PhoneCheck)),
    security(("bearer" = []))
)]
async fn check_recipient(
    State(state): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiJson(request): ApiJson<PhoneCheckRequest>,
) -> Result<Json<PhoneCheck>, HttpError> {
    Ok(Json(
        catalog::check_recipient(&state.services, &caller, &request).await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplateQuery {
    /// Only this channel's templates.
    #[param(value_type = Option<Channel>)]
    channel: Option<String>,
    /// The call's queue: its rules, if any, narrow the group's templates.
    #[param(value_type = Option<QueueId>)]
    queue_id: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/templates",
    tag = "agent",
    summary = "Templates mapped to the caller's group, in the admin's order",
    params(TemplateQuery),
    responses((status = 200, description = "The templates", body = Vec<AgentTemplate>)),
    security(("bearer" = []))
)]
async fn agent_templates(
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
    let queue = query
        .queue_id
        .as_deref()
        .map(catalog::parse_queue_id)
        .transpose()?;
    Ok(Json(
        catalog::agent_templates(&state.services, &caller, channel, queue.as_ref()).await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct BootstrapQuery {
    /// The call the widget is attached to (the CRM is asked about its customer).
    #[param(value_type = Option<CallId>)]
    call_id: Option<String>,
    /// The caller's number, when the host knows it.
    number: Option<String>,
    /// The call's queue: its rules, if any, narrow the group's templates.
    #[param(value_type = Option<QueueId>)]
    queue_id: Option<String>,
}

/// Channels, templates, embedding origins, the country numbers are read in and, with a
/// CRM, the customer: what the widget reads when it opens.
#[utoipa::path(
    get,
    path = "/api/v1/widget/bootstrap",
    tag = "agent",
    summary = "What the widget reads when it opens (channels, templates, origins, country, the CRM's customer)",
    params(BootstrapQuery),
    responses((status = 200, description = "Everything the widget needs", body = WidgetBootstrap)),
    security(("bearer" = []))
)]
async fn widget_bootstrap(
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
            query
                .queue_id
                .as_deref()
                .map(catalog::parse_queue_id)
                .transpose()?
                .as_ref(),
        )
        .await?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/me/preferences",
    tag = "agent",
    summary = "The caller's own preferences: which desktop alerts they get, and whether with a sound",
    responses((status = 200, description = "The preferences (the defaults until saved)", body = Preferences)),
    security(("bearer" = []))
)]
async fn my_preferences(
    State(state): State<AppState>,
    AuthCaller(caller): AuthCaller,
) -> Result<Json<Preferences>, HttpError> {
    Ok(Json(
        preferences::my_preferences(&state.services, &caller).await?,
    ))
}

#[utoipa::path(
    put,
    path = "/api/v1/me/preferences",
    tag = "agent",
    summary = "Save the caller's own preferences",
    request_body = Preferences,
    responses((status = 200, description = "Saved", body = Preferences)),
    security(("bearer" = []))
)]
async fn save_my_preferences(
    State(state): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiJson(input): ApiJson<Preferences>,
) -> Result<Json<Preferences>, HttpError> {
    Ok(Json(
        preferences::save_my_preferences(&state.services, &caller, input).await?,
    ))
}

//! `/api/v1/admin/opt-outs`: the opt-out list. JSON for one entry at a time; with
//! `Accept: text/csv` the list comes as a file, and a `text/csv` body imports one (all
//! its lines or none).

use super::admin::AdminCaller;
use super::error::HttpError;
use super::extract::{ApiJson, ApiQuery};
use super::AppState;
use app::domain::{opt_outs_csv, Channel, Imported, OptOut, OptOutInput, E164};
use app::service::admin::Admin;
use app::service::{OptOutFilter, ServiceError};
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

/// The largest import accepted (100,000 entries with a sender each fit).
pub const BODY_LIMIT: usize = 8 * 1024 * 1024;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/admin/opt-outs", get(list).post(add).delete(remove))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    /// Only this channel's entries: `sms`, `whatsapp` or `rcs` (empty: every channel).
    #[param(pattern = "^(sms|whatsapp|rcs)?$")]
    channel: Option<String>,
    /// Only this number, in E.164 (empty: every number).
    number: Option<String>,
}

fn wants_csv(headers: &HeaderMap, name: header::HeaderName) -> bool {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("text/csv"))
}

/// The filter a query asks for; a number or channel that cannot be one is a 422.
fn filter_of(query: ListQuery) -> Result<OptOutFilter, ServiceError> {
    let channel = match query.channel.as_deref() {
        None | Some("") => None,
        Some(text) => Some(text.parse::<Channel>().map_err(|e| {
            ServiceError::invalid("invalid_channel", e.to_string(), "channel", "unknown")
        })?),
    };
    let number = match query.number.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(E164::parse(text).map_err(|e| {
            ServiceError::invalid(
                "invalid_phone",
                "Give the number in E.164 form (+ and country code, digits only).",
                "number",
                e.phrase(),
            )
        })?),
    };
    Ok(OptOutFilter { channel, number })
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/opt-outs",
    tag = "admin",
    summary = "The opt-out list, newest first (Accept: text/csv for a file)",
    params(ListQuery),
    responses((status = 200, description = "The entries (JSON), or a CSV file: number,channel,source,created_at,sender", content((Vec<OptOut> = "application/json"), (String = "text/csv")))),
    security(("bearer" = []))
)]
async fn list(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, HttpError> {
    let admin = Admin::new(&state.services, &caller)?;
    let entries: Vec<OptOut> = admin.list_opt_outs(&filter_of(query)?).await?;
    if wants_csv(&headers, header::ACCEPT) {
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"opt-outs.csv\"",
                ),
            ],
            opt_outs_csv(&entries),
        )
            .into_response());
    }
    Ok(Json(entries).into_response())
}

/// One entry (JSON, 201 with the entry as listed), or a CSV import (200 with counts).
#[utoipa::path(
    post,
    path = "/api/v1/admin/opt-outs",
    tag = "admin",
    summary = "Add a number (JSON), or import a CSV file (Content-Type: text/csv; every line or none)",
    request_body(content((OptOutInput = "application/json"), (String = "text/csv"))),
    responses((status = 201, description = "The entry added (JSON body)", body = OptOut), (status = 200, description = "The import: lines read and entries added (CSV body)", body = Imported)),
    security(("bearer" = []))
)]
async fn add(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    request: Request,
) -> Result<Response, HttpError> {
    let admin = Admin::new(&state.services, &caller)?;
    if wants_csv(request.headers(), header::CONTENT_TYPE) {
        let text = String::from_request(request, &state).await.map_err(|_| {
            HttpError::new(
                StatusCode::BAD_REQUEST,
                "malformed_body",
                "The file is not UTF-8 text.",
            )
        })?;
        let imported: Imported = admin.import_opt_outs(&text).await?;
        tracing::info!(admin = %caller.id, read = imported.read, added = imported.added, "opt-outs imported");
        return Ok(Json(imported).into_response());
    }
    let ApiJson(input) = ApiJson::<OptOutInput>::from_request(request, &state).await?;
    let entry = admin.add_opt_out(&input).await?;
    Ok((StatusCode::CREATED, Json(entry)).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/v1/admin/opt-outs",
    tag = "admin",
    summary = "Take a number off the list",
    request_body = OptOutInput,
    responses((status = 204, description = "Removed")),
    security(("bearer" = []))
)]
async fn remove(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiJson(input): ApiJson<OptOutInput>,
) -> Result<StatusCode, HttpError> {
    Admin::new(&state.services, &caller)?
        .remove_opt_out(&input)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

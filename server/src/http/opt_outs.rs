//! `/api/v1/admin/opt-outs`: the opt-out list. JSON for one entry at a time; with
//! `Accept: text/csv` the list comes as a file, and a `text/csv` body imports one (all
//! its lines or none).

use super::admin::AdminCaller;
use super::error::HttpError;
use super::extract::{ApiJson, ApiQuery};
use super::AppState;
use app::domain::{opt_outs_csv, Channel, Imported, OptOut, OptOutInput, E164};
use app::service::admin::Admin;
use app::service::{Caller, OptOutFilter, ServiceError};
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

/// The largest import accepted (100,000 entries with a sender each fit).
pub const BODY_LIMIT: usize = 8 * 1024 * 1024;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/admin/opt-outs",
            get(list_opt_outs).post(add_opt_out).delete(remove_opt_out),
        )
        .route("/api/v1/admin/opt-outs/import", post(import_opt_outs))
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

/// The import's body: a CSV file sent as the request's raw bytes (a file, to the
/// generators that read the document).
struct CsvFile;

impl utoipa::PartialSchema for CsvFile {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .description(Some(
                "A UTF-8 CSV file: a header line naming the columns number and channel (and optionally sender), then one opt-out per line",
            ))
            .into()
    }
}

impl utoipa::ToSchema for CsvFile {}

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
async fn list_opt_outs(
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

/// One entry (JSON, 201 with the entry as listed). A CSV body (`Content-Type:
/// text/csv`) is imported as by `/opt-outs/import`, as it always was here.
#[utoipa::path(
    post,
    path = "/api/v1/admin/opt-outs",
    tag = "admin",
    summary = "Add a number (a CSV file is imported, as by POST /api/v1/admin/opt-outs/import)",
    request_body = OptOutInput,
    responses((status = 201, description = "The entry added", body = OptOut)),
    security(("bearer" = []))
)]
async fn add_opt_out(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    request: Request,
) -> Result<Response, HttpError> {
    if wants_csv(request.headers(), header::CONTENT_TYPE) {
        return import(&state, &caller, request).await;
    }
    let ApiJson(input) = ApiJson::<OptOutInput>::from_request(request, &state).await?;
    let entry = Admin::new(&state.services, &caller)?
        .add_opt_out(&input)
        .await?;
    Ok((StatusCode::CREATED, Json(entry)).into_response())
}

/// A CSV import: every line or none.
#[utoipa::path(
    post,
    path = "/api/v1/admin/opt-outs/import",
    tag = "admin",
    summary = "Import a CSV file of numbers (Content-Type: text/csv): every line or none (422 naming the lines)",
    request_body(content((CsvFile = "text/csv"))),
    responses((status = 200, description = "Lines read and entries added", body = Imported)),
    security(("bearer" = []))
)]
async fn import_opt_outs(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    request: Request,
) -> Result<Response, HttpError> {
    if !wants_csv(request.headers(), header::CONTENT_TYPE) {
        return Err(HttpError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the file as CSV with Content-Type: text/csv.",
        ));
    }
    import(&state, &caller, request).await
}

/// Imports the request's body, a CSV file.
async fn import(
    state: &AppState,
    caller: &Caller,
    request: Request,
) -> Result<Response, HttpError> {
    let admin = Admin::new(&state.services, caller)?;
    let text = String::from_request(request, state).await.map_err(|_| {
        HttpError::new(
            StatusCode::BAD_REQUEST,
            "malformed_body",
            "The file is not UTF-8 text.",
        )
    })?;
    let imported: Imported = admin.import_opt_outs(&text).await?;
    tracing::info!(admin = %caller.id, read = imported.read, added = imported.added, "opt-outs imported");
    Ok(Json(imported).into_response())
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
async fn remove_opt_out(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiJson(input): ApiJson<OptOutInput>,
) -> Result<StatusCode, HttpError> {
    Admin::new(&state.services, &caller)?
        .remove_opt_out(&input)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

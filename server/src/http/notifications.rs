//! Sending and reading notifications, and call comments (live status: `streams`).

use super::error::HttpError;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthCaller, DownloadCaller, IdempotencyHeader};
use super::AppState;
use app::api::ErrorBody;
use app::domain::{
    csv_line, Accepted, CallId, Channel, Comment, DeliveryStats, GroupId, HistoryChoices,
    HistoryQuery, NotificationStatus, NotificationView, SendRequest, StatsQuery, TemplateId,
    UserId, CSV_HEADER,
};
use app::service::{history, send, status, ServiceError};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures::stream::{self, BoxStream, StreamExt};
use serde::Deserialize;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/notifications",
            get(read_history).post(send_notification),
        )
        .route("/api/v1/notifications/{uuid}", get(get_notification))
        .route("/api/v1/calls/{call_id}/comments", get(call_comments))
        .route("/api/v1/history/filters", get(history_filters))
        .route("/api/v1/stats", get(delivery_stats))
}

#[utoipa::path(
    post,
    path = "/api/v1/notifications",
    tag = "notifications",
    summary = "Send a notification",
    params(("Idempotency-Key" = Option<String>, Header, description = "Same key and body from the same caller: the same response, never a second message. Same key, other body: 409.")),
    request_body = SendRequest,
    responses((status = 202, description = "Durably recorded and queued", body = Accepted), (status = 409, description = "The Idempotency-Key was used with another body", body = ErrorBody)),
    security(("bearer" = []))
)]
async fn send_notification(
    State(state): State<AppState>,
    AuthCaller(caller): AuthCaller,
    IdempotencyHeader(key): IdempotencyHeader,
    ApiJson(request): ApiJson<SendRequest>,
) -> Result<(StatusCode, Json<Accepted>), HttpError> {
    let accepted = send::send_notification(&state.services, &caller, key.as_ref(), request).await?;
    Ok((StatusCode::ACCEPTED, Json(accepted)))
}

#[utoipa::path(
    get,
    path = "/api/v1/notifications/{uuid}",
    tag = "notifications",
    summary = "One notification with its status history",
    params(("uuid" = String, Path, description = "The message's UUID")),
    responses((status = 200, description = "The notification", body = NotificationView)),
    security(("bearer" = []))
)]
async fn get_notification(
    State(state): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath(uuid): ApiPath<String>,
) -> Result<Json<NotificationView>, HttpError> {
    let uuid = status::parse_uuid(&uuid)?;
    Ok(Json(
        status::get_notification(&state.services, &caller, uuid).await?,
    ))
}

/// The history's filters (every one optional), the page, and the format.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    /// Accepted at or after: an RFC 3339 time, or a day (`2026-12-01`, UTC).
    from: Option<String>,
    /// Accepted before: an RFC 3339 time, or a day (`2026-12-01`, included whole).
    to: Option<String>,
    /// Only this channel.
    #[param(value_type = Option<Channel>)]
    channel: Option<String>,
    /// Only messages in this status.
    #[param(value_type = Option<NotificationStatus>)]
    status: Option<String>,
    /// Only this template's messages.
    #[param(value_type = Option<TemplateId>)]
    template_id: Option<String>,
    /// Only this agent's messages (agents and API keys: their own only).
    #[param(value_type = Option<UserId>)]
    agent_id: Option<String>,
    /// Only this group's messages (supervisors: their own only).
    #[param(value_type = Option<GroupId>)]
    group_id: Option<String>,
    /// Only the messages of this call.
    #[param(value_type = Option<CallId>)]
    call_id: Option<String>,
    /// Only messages to this number: E.164, or national in the default country.
    number: Option<String>,
    /// Only messages whose UUID contains this (hexadecimal digits and dashes).
    #[param(pattern = "^[0-9A-Fa-f-]{1,36}$")]
    q: Option<String>,
    /// The previous page's `Next-Cursor`.
    cursor: Option<String>,
    /// How many per page (default 50; the CSV export takes every one).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// `csv` for the CSV export (as `Accept: text/csv` does).
    #[param(pattern = "^(json|csv)$")]
    format: Option<String>,
    /// A single-use ticket (`POST /api/v1/stream-tickets`) instead of the
    /// `Authorization` header, for a browser's download.
    #[expect(
        dead_code,
        reason = "read by DownloadCaller; listed so it is not unknown"
    )]
    ticket: Option<String>,
}

impl ListQuery {
    fn history(self) -> HistoryQuery {
        HistoryQuery {
            from: self.from,
            to: self.to,
            channel: self.channel,
            status: self.status,
            template_id: self.template_id,
            agent_id: self.agent_id,
            group_id: self.group_id,
            call_id: self.call_id,
            number: self.number,
            q: self.q,
            cursor: self.cursor,
            limit: self.limit,
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/notifications",
    tag = "notifications",
    summary = "The history the caller may read (an agent's own, a supervisor's group's, an admin's all), filtered, newest first, a page at a time; Accept: text/csv (or format=csv) streams every match as a CSV file",
    params(ListQuery),
    responses((status = 200, description = "A page of notifications (the next page's cursor in Next-Cursor, and a Link rel=next), or the CSV export: uuid,created_at,updated_at,channel,status,to,template_id,template_name,agent_id,group_id,call_id,provider,error_code,error_message,resend_of",
        content((Vec<NotificationView> = "application/json"), (String = "text/csv")),
        headers(("Next-Cursor" = String, description = "Where the next page starts (absent on the last page)"), ("Link" = String, description = "The next page's URL, rel=\"next\"")))),
    security(("bearer" = []))
)]
async fn read_history(
    State(state): State<AppState>,
    DownloadCaller(caller): DownloadCaller,
    headers: HeaderMap,
    uri: Uri,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, HttpError> {
    let csv = match query.format.as_deref() {
        Some("csv") => true,
        Some("json") => false,
        Some(_) => {
            return Err(ServiceError::invalid(
                "invalid_format",
                "format is json or csv.",
                "format",
                "unknown",
            )
            .into())
        }
        None => headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains("text/csv")),
    };
    let query = query.history();
    if csv {
        let batches = history::export(&state.services, &caller, &query).await?;
        return Ok(csv_download(batches));
    }
    let page = history::read_history(&state.services, &caller, &query).await?;
    let mut response = Json(page.notifications).into_response();
    if let Some(cursor) = page.next_cursor {
        let next = next_page(&uri, &cursor);
        for (name, value) in [
            ("next-cursor", cursor),
            ("link", format!("<{next}>; rel=\"next\"")),
        ] {
            if let Ok(value) = HeaderValue::from_str(&value) {
                response.headers_mut().insert(name, value);
            }
        }
    }
    Ok(response)
}

/// The request's own URL with `cursor` set to the next page's.
fn next_page(uri: &Uri, cursor: &str) -> String {
    let mut pairs: Vec<&str> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("cursor=") && !p.starts_with("ticket="))
        .collect();
    let next = format!("cursor={cursor}");
    pairs.push(&next);
    format!("{}?{}", uri.path(), pairs.join("&"))
}

/// The export as a file, written batch by batch as the client reads it (a failure
/// midway ends the body early: the client sees an incomplete download, never a
/// complete-looking file).
fn csv_download(
    batches: BoxStream<'static, Result<Vec<NotificationView>, ServiceError>>,
) -> Response {
    let lines = stream::once(async { Ok(Bytes::from_static(CSV_HEADER.as_bytes())) }).chain(
        batches.map(|batch| match batch {
            Ok(views) => Ok(Bytes::from(views.iter().map(csv_line).collect::<String>())),
            Err(e) => {
                tracing::error!(error = %e, "the CSV export stopped");
                Err(std::io::Error::other("the export stopped"))
            }
        }),
    );
    let today = app::domain::rfc3339(time::OffsetDateTime::now_utc());
    let name = format!(
        "attachment; filename=\"notifications-{}.csv\"",
        today.get(..10).unwrap_or("export")
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        Body::from_stream(lines),
    )
        .into_response()
}

#[utoipa::path(
    get,
    path = "/api/v1/calls/{call_id}/comments",
    tag = "notifications",
    summary = "The call's comment log (every send adds one)",
    params(("call_id" = String, Path, description = "The softphone's call id")),
    responses((status = 200, description = "The comments, oldest first", body = Vec<Comment>)),
    security(("bearer" = []))
)]
async fn call_comments(
    State(state): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath(call_id): ApiPath<String>,
) -> Result<Json<Vec<Comment>>, HttpError> {
    let call_id = parse_call_id(&call_id)?;
    Ok(Json(
        status::call_comments(&state.services, &caller, &call_id).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/history/filters",
    tag = "notifications",
    summary = "What the caller may filter the history by: templates, agents (a supervisor's group's, an admin's all) and groups (an admin's)",
    responses((status = 200, description = "The choices", body = HistoryChoices)),
    security(("bearer" = []))
)]
async fn history_filters(
    State(state): State<AppState>,
    AuthCaller(caller): AuthCaller,
) -> Result<Json<HistoryChoices>, HttpError> {
    Ok(Json(
        history::history_filters(&state.services, &caller).await?,
    ))
}

/// The period and group of the delivery figures.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct StatsParams {
    /// Start: an RFC 3339 time or a day (default: 24 hours before the end).
    from: Option<String>,
    /// End: an RFC 3339 time or a day, included whole (default: now).
    to: Option<String>,
    /// Only this group (a supervisor's is always their own).
    #[param(value_type = Option<GroupId>)]
    group_id: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/stats",
    tag = "notifications",
    summary = "Delivery figures for supervisors and admins: messages by status, channel and provider, delivery rate, time to delivered (p50/p95), failures by reason, top templates",
    params(StatsParams),
    responses((status = 200, description = "The figures", body = DeliveryStats)),
    security(("bearer" = []))
)]
async fn delivery_stats(
    State(state): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiQuery(params): ApiQuery<StatsParams>,
) -> Result<Json<DeliveryStats>, HttpError> {
    let query = StatsQuery {
        from: params.from,
        to: params.to,
        group_id: params.group_id,
    };
    Ok(Json(
        app::service::stats::delivery_stats(&state.services, &caller, &query).await?,
    ))
}

pub use app::service::status::parse_call_id;

//! Sending and following notifications, live status (SSE), and call comments.

use super::error::HttpError;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthCaller, IdempotencyHeader, StreamCaller};
use super::AppState;
use app::domain::{Accepted, CallId, Comment, NotificationView, SendRequest};
use app::service::{send, status, ServiceError};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use axum::{Json, Router};
use futures::stream::{self, Stream, StreamExt};
use serde::Deserialize;
use std::convert::Infallible;
use std::time::Duration;

/// How often a live stream re-reads the store (changes made by other processes).
const SSE_RECHECK: Duration = Duration::from_secs(3);
/// Longest a live stream stays open.
const SSE_MAX_AGE: Duration = Duration::from_secs(30 * 60);

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/notifications", get(list).post(send_one))
        .route("/api/v1/notifications/{uuid}", get(get_one))
        .route("/api/v1/notifications/{uuid}/events", get(events))
        .route("/api/v1/calls/{call_id}/comments", get(comments))
}

async fn send_one(
    State(state): State<AppState>,
    AuthCaller(caller): AuthCaller,
    IdempotencyHeader(key): IdempotencyHeader,
    ApiJson(request): ApiJson<SendRequest>,
) -> Result<(StatusCode, Json<Accepted>), HttpError> {
    let accepted = send::send_notification(&state.services, &caller, key.as_ref(), request).await?;
    Ok((StatusCode::ACCEPTED, Json(accepted)))
}

async fn get_one(
    State(state): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath(uuid): ApiPath<String>,
) -> Result<Json<NotificationView>, HttpError> {
    let uuid = status::parse_uuid(&uuid)?;
    Ok(Json(
        status::get_notification(&state.services, &caller, uuid).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    call_id: Option<String>,
    limit: Option<u32>,
}

async fn list(
    State(state): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Vec<NotificationView>>, HttpError> {
    let call_id = query.call_id.as_deref().map(parse_call_id).transpose()?;
    Ok(Json(
        status::list_notifications(&state.services, &caller, call_id, query.limit).await?,
    ))
}

async fn comments(
    State(state): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath(call_id): ApiPath<String>,
) -> Result<Json<Vec<Comment>>, HttpError> {
    let call_id = parse_call_id(&call_id)?;
    Ok(Json(
        status::call_comments(&state.services, &caller, &call_id).await?,
    ))
}

fn parse_call_id(text: &str) -> Result<CallId, ServiceError> {
    CallId::parse(text).map_err(|e| {
        ServiceError::invalid(
            "invalid_call_id",
            format!("The call id {e}."),
            "call_id",
            e.to_string(),
        )
    })
}

/// `status` events: the current state first, then every change, until the message
/// reaches a final status or the stream gets old. Besides the in-process feed, the
/// store is re-read every few seconds so changes made by other processes show too.
async fn events(
    State(state): State<AppState>,
    StreamCaller(caller): StreamCaller,
    ApiPath(uuid): ApiPath<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, HttpError> {
    let uuid = status::parse_uuid(&uuid)?;
    let (current, changes) = status::watch_notification(&state.services, &caller, uuid).await?;
    let services = state.services.clone();
    let rechecks = stream::unfold((), move |()| {
        let services = services.clone();
        let caller = caller.clone();
        async move {
            tokio::time::sleep(SSE_RECHECK).await;
            let view = status::get_notification(&services, &caller, uuid)
                .await
                .ok();
            Some((view, ()))
        }
    })
    .filter_map(|v| async move { v });
    let updates = stream::select(changes, rechecks);
    let stream = stream::once(async move { current.clone() })
        .chain(updates)
        .scan(
            None::<(app::domain::NotificationStatus, usize)>,
            |last, view| {
                // Emit only real changes; stop after a final status has been sent.
                let key = (view.status, view.history.len());
                let finished = last
                    .is_some_and(|(s, _): (app::domain::NotificationStatus, usize)| s.is_final());
                let changed = last.is_none_or(|l| l != key);
                *last = Some(key);
                async move { (!finished).then_some(changed.then_some(view)) }
            },
        )
        .filter_map(|v| async move { v })
        .map(|view| {
            Ok(Event::default()
                .event("status")
                .json_data(&view)
                .unwrap_or_default())
        })
        .take_until(tokio::time::sleep(SSE_MAX_AGE));
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

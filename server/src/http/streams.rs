//! Live status over Server-Sent Events: one stream per widget (a call's messages) or
//! per message. A stream sends each message's state, then every change, and ends — with
//! an `end` event — once every message it shows is final on its channel (`delivered`
//! is as far as an SMS goes); a stream asked for when nothing is left to follow answers
//! 204, which stops the browser's reconnecting. Streams are capped per caller, end at
//! shutdown, and re-read the store now and then in case the feed missed a change.

use super::error::HttpError;
use super::extract::{query_param, ApiPath, AuthCaller, StreamCaller};
use super::notifications::parse_call_id;
use super::AppState;
use app::domain::{NotificationView, StreamTicket};
use app::service::status::{self, LiveSet, Watch};
use app::service::{access, Caller};
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::future::BoxFuture;
use futures::stream::{self, BoxStream, StreamExt};
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Longest a stream stays open.
const MAX_AGE: Duration = Duration::from_secs(30 * 60);

/// The routes of this module (no request timeout: a stream lasts).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/notifications/{uuid}/events", get(message_events))
        .route("/api/v1/calls/{call_id}/events", get(call_events))
        .route("/api/v1/stream-tickets", post(new_stream_ticket))
}

/// A single-use ticket for the caller's next event stream (`?ticket=`).
#[utoipa::path(
    post,
    path = "/api/v1/stream-tickets",
    tag = "notifications",
    summary = "A single-use ticket for one event-stream request or one CSV download, valid for 60 s: add ?ticket= to its URL",
    responses((status = 201, description = "The ticket", body = StreamTicket)),
    security(("bearer" = []))
)]
async fn new_stream_ticket(
    State(state): State<AppState>,
    AuthCaller(caller): AuthCaller,
) -> Result<(StatusCode, Json<StreamTicket>), HttpError> {
    let ticket = access::issue_stream_ticket(&state.services, &caller).await?;
    Ok((StatusCode::CREATED, Json(ticket)))
}

/// The open streams per caller, and how streams behave.
pub struct StreamSlots {
    open: Mutex<HashMap<String, usize>>,
    /// Most streams one caller may hold open.
    most_per_caller: usize,
    /// How often a stream re-reads the store.
    recheck: Duration,
}

/// One caller's open stream; its slot frees when the stream ends.
pub struct Slot {
    slots: Arc<StreamSlots>,
    caller: String,
}

impl StreamSlots {
    /// No stream open yet.
    pub fn new(most_per_caller: usize, recheck: Duration) -> Self {
        Self {
            open: Mutex::new(HashMap::new()),
            most_per_caller,
            recheck,
        }
    }

    /// A slot for `caller`'s new stream, unless they hold the most already.
    fn admit(self: &Arc<Self>, caller: &Caller) -> Result<Slot, HttpError> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(caller.id.to_string()).or_default();
        if *n >= self.most_per_caller {
            return Err(HttpError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_streams",
                format!(
                    "At most {} event streams may be open at once; close one first.",
                    self.most_per_caller
                ),
            ));
        }
        *n += 1;
        Ok(Slot {
            slots: self.clone(),
            caller: caller.id.to_string(),
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.slots.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.caller) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.caller);
            }
        }
    }
}

/// The query of an event stream (documentation only: read from the URI).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(
    dead_code,
    reason = "the query is read from the URI; this type only documents it"
)]
struct StreamQuery {
    /// A ticket from POST /api/v1/stream-tickets, instead of the Authorization header
    ticket: Option<String>,
    /// 1: stay open while a message may still get a reply (the widget's streams)
    replies: Option<String>,
}

/// Who follows a stream: their place among the open streams, who they are (checked
/// again at each recheck), and whether they follow replies too.
struct Follower {
    slot: Slot,
    holder: Caller,
    replies: bool,
}

impl Follower {
    /// Admits `caller` to one more open stream (refused past the limit).
    fn admit(state: &AppState, caller: &Caller, uri: &Uri) -> Result<Self, HttpError> {
        Ok(Self {
            slot: state.streams.admit(caller)?,
            holder: caller.clone(),
            replies: follows_replies(uri),
        })
    }
}

/// `?replies=1`: the stream also stays open while a message may still get a reply
/// (the widget's), and carries each as a `reply` event.
fn follows_replies(uri: &Uri) -> bool {
    matches!(query_param(uri, "replies"), Some("1" | "true"))
}

#[utoipa::path(
    get,
    path = "/api/v1/notifications/{uuid}/events",
    tag = "notifications",
    summary = "Server-Sent Events for one message",
    description = "Authenticate with the bearer token, or (browsers) a ticket from POST /api/v1/stream-tickets.",
    params(("uuid" = String, Path, description = "The message's UUID"), StreamQuery),
    responses((status = 200, description = "A `status` event (a NotificationView) per change, a `reply` event per customer reply, an `end` event once the message is final on its channel (with replies=1: once no reply may come)", body = String, content_type = "text/event-stream"), (status = 204, description = "Nothing to follow: already final")),
    security(("bearer" = []), ())
)]
async fn message_events(
    State(state): State<AppState>,
    StreamCaller(caller): StreamCaller,
    ApiPath(uuid): ApiPath<String>,
    uri: Uri,
) -> Result<Response, HttpError> {
    let uuid = status::parse_uuid(&uuid)?;
    let follower = Follower::admit(&state, &caller, &uri)?;
    let watch = status::watch_notification(&state.services, &caller, uuid).await?;
    let services = state.services.clone();
    let reread = move || -> BoxFuture<'static, Vec<NotificationView>> {
        let (services, caller) = (services.clone(), caller.clone());
        Box::pin(async move {
            status::get_notification(&services, &caller, uuid)
                .await
                .map(|v| vec![v])
                .unwrap_or_default()
        })
    };
    Ok(live(&state, watch, reread, follower))
}

#[utoipa::path(
    get,
    path = "/api/v1/calls/{call_id}/events",
    tag = "notifications",
    summary = "Server-Sent Events for every message of a call (one stream per widget)",
    description = "Authenticate with the bearer token, or (browsers) a ticket from POST /api/v1/stream-tickets.",
    params(("call_id" = String, Path, description = "The softphone's call id"), StreamQuery),
    responses((status = 200, description = "Each message's state, then a `status` event per change (messages sent on the call later included), a `reply` event per customer reply; an `end` event once all are final", body = String, content_type = "text/event-stream"), (status = 204, description = "Nothing to follow: already final")),
    security(("bearer" = []), ())
)]
async fn call_events(
    State(state): State<AppState>,
    StreamCaller(caller): StreamCaller,
    ApiPath(call_id): ApiPath<String>,
    uri: Uri,
) -> Result<Response, HttpError> {
    let call_id = parse_call_id(&call_id)?;
    let follower = Follower::admit(&state, &caller, &uri)?;
    let watch = status::watch_call(&state.services, &caller, call_id.clone()).await?;
    let services = state.services.clone();
    let reread = move || -> BoxFuture<'static, Vec<NotificationView>> {
        let (services, caller, call_id) = (services.clone(), caller.clone(), call_id.clone());
        Box::pin(async move {
            status::list_notifications(&services, &caller, Some(call_id), None)
                .await
                .unwrap_or_default()
        })
    };
    Ok(live(&state, watch, reread, follower))
}

/// The SSE response for `watch`: 204 when nothing is left to follow. At each recheck
/// the holder's access is checked again: a signed-out session, a revoked token or a
/// switched-off agent ends the stream.
fn live(
    state: &AppState,
    watch: Watch,
    reread: impl Fn() -> BoxFuture<'static, Vec<NotificationView>> + Send + 'static,
    follower: Follower,
) -> Response {
    let Follower {
        slot,
        holder,
        replies: follow_replies,
    } = follower;
    let mut now = LiveSet::default();
    for view in &watch.current {
        let _ = now.take(view);
    }
    if watch.current.is_empty() || now.settled(follow_replies) {
        return StatusCode::NO_CONTENT.into_response();
    }
    let recheck = state.streams.recheck;
    let refused = tokio_util::sync::CancellationToken::new();
    let (services, ended) = (state.services.clone(), refused.clone());
    let rereads = stream::unfold(reread, move |reread| {
        let (services, holder, ended) = (services.clone(), holder.clone(), ended.clone());
        async move {
            tokio::time::sleep(recheck).await;
            if access::recheck(&services, &holder).await.is_err() {
                ended.cancel();
                return None;
            }
            let views = reread().await;
            Some((stream::iter(views), reread))
        }
    })
    .flatten();
    let stream = Live {
        unshown: watch.current.len(),
        views: stream::iter(watch.current)
            .chain(stream::select(watch.changes, rereads))
            .boxed(),
        shown: LiveSet::default(),
        follow_replies,
        end_next: false,
        finished: false,
        _slot: slot,
    };
    let events = stream::unfold(stream, Live::next)
        .map(Ok::<_, Infallible>)
        .take_until(tokio::time::sleep(MAX_AGE))
        .take_until(refused.cancelled_owned())
        .take_until(state.shutdown.clone().cancelled_owned());
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// A stream in progress.
struct Live {
    views: BoxStream<'static, NotificationView>,
    shown: LiveSet,
    /// Whether it stays open for replies.
    follow_replies: bool,
    /// Messages of the first batch (the state at connection) not shown yet: the stream
    /// cannot be over before all of them are.
    unshown: usize,
    /// Everything shown is final: the `end` event comes next.
    end_next: bool,
    /// The `end` event went out.
    finished: bool,
    /// Held for as long as the stream lives.
    _slot: Slot,
}

impl Live {
    /// The next event: a change not shown yet, or `end` after the last one.
    async fn next(mut self) -> Option<(Event, Self)> {
        if self.finished {
            return None;
        }
        if self.end_next {
            self.finished = true;
            return Some((Event::default().event("end").data("settled"), self));
        }
        loop {
            let view = self.views.next().await?;
            if let Some(news) = self.shown.take(&view) {
                self.unshown = self.unshown.saturating_sub(1);
                self.end_next = self.unshown == 0 && self.shown.settled(self.follow_replies);
                let event = Event::default()
                    .event(news.event())
                    .json_data(&view)
                    .unwrap_or_default();
                return Some((event, self));
            }
        }
    }
}

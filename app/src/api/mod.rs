//! Server functions: the browser's way into the service layer. Each one parses its
//! input, authenticates, calls one use case and answers through [`respond`] — the same
//! use cases the REST handlers call, so the widget and the API behave identically.
//!
//! The token travels in the request body: the widget lives in third-party iframes,
//! where cookies are unreliable.

mod error;

pub use error::{ApiError, ErrorBody};

use crate::domain::{
    Accepted, AgentTemplate, Channel, Comment, DeliveryStats, HistoryChoices, HistoryPage,
    HistoryQuery, NotificationView, RecipientState, SendRequest, StatsQuery, StreamTicket,
    WidgetBootstrap,
};
use leptos::server;
// Arguments travel as JSON, like the answers: one encoding for the browser's calls, and
// no form encoder in the bundles.
use server_fn::codec::Json;

/// The templates the agent's group may use for `channel` (all enabled channels if none).
#[server(prefix = "/api/fn", endpoint = "agent_templates", input = Json)]
pub async fn agent_templates(
    token: String,
    channel: Option<Channel>,
    queue_id: Option<String>,
) -> Result<Vec<AgentTemplate>, ApiError> {
    respond(async {
        let (services, caller) = authenticate(&token).await?;
        let queue = queue_id
            .as_deref()
            .map(crate::service::catalog::parse_queue_id)
            .transpose()?;
        crate::service::catalog::agent_templates(&services, &caller, channel, queue.as_ref()).await
    })
    .await
}

/// What the widget needs when it opens (channels, templates, origins, customer).
#[server(name = OpenWidget, prefix = "/api/fn", endpoint = "widget_bootstrap", input = Json)]
pub async fn widget_bootstrap(
    token: String,
    call_id: Option<String>,
    number: Option<String>,
    queue_id: Option<String>,
) -> Result<WidgetBootstrap, ApiError> {
    respond(async {
        let (services, caller) = authenticate(&token).await?;
        let call_id = call_id.as_deref().map(parse_call_id).transpose()?;
        let queue = queue_id
            .as_deref()
            .map(crate::service::catalog::parse_queue_id)
            .transpose()?;
        crate::service::catalog::widget_bootstrap(
            &services,
            &caller,
            call_id.as_ref(),
            number.as_deref(),
            queue.as_ref(),
        )
        .await
    })
    .await
}

/// The caller's own preferences (desktop alerts).
#[server(prefix = "/api/fn", endpoint = "my_preferences", input = Json)]
pub async fn my_preferences(token: String) -> Result<crate::domain::Preferences, ApiError> {
    respond(async {
        let (services, caller) = authenticate(&token).await?;
        crate::service::preferences::my_preferences(&services, &caller).await
    })
    .await
}

/// Saves the caller's own preferences.
#[server(prefix = "/api/fn", endpoint = "save_my_preferences", input = Json)]
pub async fn save_my_preferences(
    token: String,
    preferences: crate::domain::Preferences,
) -> Result<crate::domain::Preferences, ApiError> {
    respond(async {
        let (services, caller) = authenticate(&token).await?;
        crate::service::preferences::save_my_preferences(&services, &caller, preferences).await
    })
    .await
}

/// What a customer (a valid number in E.164) said to us: the WhatsApp window and the
/// channels they opted out of.
#[server(prefix = "/api/fn", endpoint = "check_recipient", input = Json)]
pub async fn check_recipient(
    token: String,
    number: String,
    call_id: Option<String>,
) -> Result<RecipientState, ApiError> {
    respond(async {
        let (services, caller) = authenticate(&token).await?;
        let number = crate::domain::PhoneNumber::parse_e164(&number).map_err(|e| {
            crate::service::ServiceError::invalid(
                "invalid_phone",
                "Give a valid number in E.164 form.",
                "number",
                e.reason.phrase(),
            )
        })?;
        let call_id = call_id.as_deref().map(parse_call_id).transpose()?;
        let whose = crate::service::catalog::Whose {
            call_id: call_id.as_ref(),
            customer_id: None,
        };
        crate::service::catalog::recipient_state(&services, &caller, &number.to_e164(), whose).await
    })
    .await
}

/// Sends a notification; `idempotency_key` makes a retried attempt return the first answer.
#[server(prefix = "/api/fn", endpoint = "send_notification", input = Json)]
pub async fn send_notification(
    token: String,
    idempotency_key: String,
    request: SendRequest,
) -> Result<Accepted, ApiError> {
    respond(async {
        let (services, caller) = authenticate(&token).await?;
        let key = crate::domain::IdempotencyKey::parse(&idempotency_key).map_err(|e| {
            crate::service::ServiceError::invalid_request(
                "invalid_idempotency_key",
                format!("The idempotency key {e}."),
            )
        })?;
        crate::service::send::send_notification(&services, &caller, Some(&key), request).await
    })
    .await
}

/// One of the agent's notifications.
#[server(prefix = "/api/fn", endpoint = "get_notification", input = Json)]
pub async fn get_notification(token: String, uuid: String) -> Result<NotificationView, ApiError> {
    respond(async {
        let (services, caller) = authenticate(&token).await?;
        let uuid = crate::service::status::parse_uuid(&uuid)?;
        crate::service::status::get_notification(&services, &caller, uuid).await
    })
    .await
}

/// The agent's notifications of one call, newest first.
#[server(prefix = "/api/fn", endpoint = "list_notifications", input = Json)]
pub async fn list_notifications(
    token: String,
    call_id: String,
) -> Result<Vec<NotificationView>, ApiError> {
    respond(async {
        let (services, caller) = authenticate(&token).await?;
        let call_id = parse_call_id(&call_id)?;
        crate::service::status::list_notifications(&services, &caller, Some(call_id), Some(20))
            .await
    })
    .await
}

/// The call's comment log.
#[server(prefix = "/api/fn", endpoint = "call_comments", input = Json)]
pub async fn call_comments(token: String, call_id: String) -> Result<Vec<Comment>, ApiError> {
    respond(async {
        let (services, caller) = authenticate(&token).await?;
        let call_id = parse_call_id(&call_id)?;
        crate::service::status::call_comments(&services, &caller, &call_id).await
    })
    .await
}

/// A page of the caller's message history (the history page).
#[server(prefix = "/api/fn", endpoint = "read_history", input = Json)]
pub async fn read_history(token: String, query: HistoryQuery) -> Result<HistoryPage, ApiError> {
    respond(async {
        let (services, caller) = authenticate(&token).await?;
        crate::service::history::read_history(&services, &caller, &query).await
    })
    .await
}

/// What the history page offers its reader to filter by.
#[server(prefix = "/api/fn", endpoint = "history_filters", input = Json)]
pub async fn history_filters(token: String) -> Result<HistoryChoices, ApiError> {
    respond(async {
        let (services, caller) = authenticate(&token).await?;
        crate::service::history::history_filters(&services, &caller).await
    })
    .await
}

/// The delivery dashboard's figures.
#[server(name = ReadDeliveryStats, prefix = "/api/fn", endpoint = "delivery_stats", input = Json)]
pub async fn delivery_stats(token: String, query: StatsQuery) -> Result<DeliveryStats, ApiError> {
    respond(async {
        let (services, caller) = authenticate(&token).await?;
        crate::service::stats::delivery_stats(&services, &caller, &query).await
    })
    .await
}

/// A single-use ticket for the widget's next event stream (the token never goes in
/// the stream's URL).
#[server(prefix = "/api/fn", endpoint = "new_stream_ticket", input = Json)]
pub async fn new_stream_ticket(token: String) -> Result<StreamTicket, ApiError> {
    respond(async {
        let (services, caller) = authenticate(&token).await?;
        crate::service::access::issue_stream_ticket(&services, &caller).await
    })
    .await
}

/// Where a server function's answer is made: a refusal is logged once (internal detail
/// only), answered with the HTTP status `api.md` gives it, and shown without detail.
#[cfg(feature = "ssr")]
async fn respond<T>(
    work: impl std::future::Future<Output = Result<T, crate::service::ServiceError>>,
) -> Result<T, ApiError> {
    work.await.map_err(|e| {
        e.log();
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            let status = http::StatusCode::from_u16(e.status());
            response.set_status(status.unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR));
            if let Some(seconds) = e.retry_after() {
                response.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
            }
        }
        ApiError::from(&e)
    })
}

#[cfg(feature = "ssr")]
fn parse_call_id(text: &str) -> Result<crate::domain::CallId, crate::service::ServiceError> {
    crate::domain::CallId::parse(text).map_err(|e| {
        crate::service::ServiceError::invalid_request(
            "invalid_call_id",
            format!("The call id {e}."),
        )
    })
}

/// The services in context.
#[cfg(feature = "ssr")]
fn services() -> Result<crate::service::Services, crate::service::ServiceError> {
    leptos::prelude::use_context::<crate::service::Services>().ok_or_else(|| {
        crate::service::ServiceError::Internal(anyhow::anyhow!(
            "server functions are mounted without the services in context"
        ))
    })
}

/// The services in context and the caller the token proves, checked against the
/// settings now.
#[cfg(feature = "ssr")]
async fn authenticate(
    token: &str,
) -> Result<(crate::service::Services, crate::service::Caller), crate::service::ServiceError> {
    let services = services()?;
    let caller = crate::service::access::authenticate(&services, token, client_addr()).await?;
    Ok((services, caller))
}

/// The address of the client that sent this server-function request (the server
/// provides it in context).
#[cfg(feature = "ssr")]
fn client_addr() -> Option<std::net::IpAddr> {
    leptos::prelude::use_context::<crate::service::ClientAddress>().and_then(|c| c.0)
}

//! Server functions: the browser's way into the service layer. Each one parses its
//! input, authenticates, calls one use case and maps the error — the same use cases
//! the REST handlers call, so the widget and the API behave identically.
//!
//! The token travels in the request body: the widget lives in third-party iframes,
//! where cookies are unreliable.

pub mod admin;
mod error;

pub use error::{ApiError, ErrorBody};

use crate::domain::{
    Accepted, AgentTemplate, Channel, Comment, NotificationView, SendRequest, WidgetBootstrap,
};
use leptos::server;

/// The templates the agent's group may use for `channel` (all enabled channels if none).
#[server(prefix = "/api/fn", endpoint = "agent_templates")]
pub async fn agent_templates(
    token: String,
    channel: Option<Channel>,
) -> Result<Vec<AgentTemplate>, ApiError> {
    let (services, caller) = authenticate(&token)?;
    Ok(crate::service::catalog::agent_templates(&services, &caller, channel).await?)
}

/// What the widget needs when it opens (channels, templates, origins, customer).
#[server(prefix = "/api/fn", endpoint = "open_widget")]
pub async fn open_widget(
    token: String,
    call_id: Option<String>,
    number: Option<String>,
) -> Result<WidgetBootstrap, ApiError> {
    let (services, caller) = authenticate(&token)?;
    let call_id = call_id.as_deref().map(parse_call_id).transpose()?;
    Ok(crate::service::catalog::widget_bootstrap(
        &services,
        &caller,
        call_id.as_ref(),
        number.as_deref(),
    )
    .await?)
}

/// Sends a notification; `idempotency_key` makes a retried attempt return the first answer.
#[server(prefix = "/api/fn", endpoint = "send_notification")]
pub async fn send_notification(
    token: String,
    idempotency_key: String,
    request: SendRequest,
) -> Result<Accepted, ApiError> {
    let (services, caller) = authenticate(&token)?;
    let key = crate::domain::IdempotencyKey::parse(&idempotency_key).map_err(|e| {
        ApiError::new(
            "invalid_idempotency_key",
            format!("The idempotency key {e}."),
        )
    })?;
    Ok(crate::service::send::send_notification(&services, &caller, Some(&key), request).await?)
}

/// One of the agent's notifications.
#[server(prefix = "/api/fn", endpoint = "notification")]
pub async fn notification(token: String, uuid: String) -> Result<NotificationView, ApiError> {
    let (services, caller) = authenticate(&token)?;
    let uuid = crate::service::status::parse_uuid(&uuid)?;
    Ok(crate::service::status::get_notification(&services, &caller, uuid).await?)
}

/// The agent's notifications of one call, newest first.
#[server(prefix = "/api/fn", endpoint = "call_notifications")]
pub async fn call_notifications(
    token: String,
    call_id: String,
) -> Result<Vec<NotificationView>, ApiError> {
    let (services, caller) = authenticate(&token)?;
    let call_id = parse_call_id(&call_id)?;
    Ok(
        crate::service::status::list_notifications(&services, &caller, Some(call_id), Some(20))
            .await?,
    )
}

/// The call's comment log.
#[server(prefix = "/api/fn", endpoint = "call_comments")]
pub async fn call_comments(token: String, call_id: String) -> Result<Vec<Comment>, ApiError> {
    let (services, caller) = authenticate(&token)?;
    let call_id = parse_call_id(&call_id)?;
    Ok(crate::service::status::call_comments(&services, &caller, &call_id).await?)
}

#[cfg(feature = "ssr")]
fn parse_call_id(text: &str) -> Result<crate::domain::CallId, ApiError> {
    crate::domain::CallId::parse(text)
        .map_err(|e| ApiError::new("invalid_call_id", format!("The call id {e}.")))
}

/// The services in context.
#[cfg(feature = "ssr")]
fn services() -> Result<crate::service::Services, ApiError> {
    leptos::prelude::use_context::<crate::service::Services>().ok_or_else(|| {
        tracing::error!("server functions are mounted without the services in context");
        ApiError::new(
            "internal_error",
            "Something went wrong on our side. It has been logged.",
        )
    })
}

/// The services in context and the caller the token proves.
#[cfg(feature = "ssr")]
fn authenticate(
    token: &str,
) -> Result<(crate::service::Services, crate::service::Caller), ApiError> {
    let services = services()?;
    let caller = services.auth.verify(token)?;
    Ok((services, caller))
}

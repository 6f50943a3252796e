//! `POST /webhooks/{provider}/{account_id}`: providers' delivery reports and customers'
//! messages (replies, STOP and START, which also open the WhatsApp window). The raw body is
//! kept for the signature check; a missing or wrong signature is answered 401 and
//! changes nothing. Each event is applied by the same forward-only rule as everything
//! else, so duplicates and out-of-order events never move a status back. Events for
//! messages we do not know are logged and answered 200, so providers stop retrying.
//! The work done here is one indexed write per event; sending (an SMS fallback) is
//! handed to the queue. `GET` answers Meta's subscription handshake.

use super::error::HttpError;
use super::extract::{ApiPath, ApiQuery};
use super::AppState;
use crate::providers::{Account, WebhookError, WebhookReply, WebhookRequest};
use app::api::ErrorBody;
use app::domain::ProviderAccountId;
use app::service::contacts::{receive_inbound, InboundOutcome};
use app::service::status::{apply_report, ReportOutcome};
use app::service::{MessageRef, ProviderReport};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures::stream::{self, StreamExt};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The largest webhook body accepted (a full Meta batch is a few hundred kilobytes).
pub const BODY_LIMIT: usize = crate::providers::WEBHOOK_BODY_LIMIT;

/// Messages of one request whose events are applied at once (a batch goes through in
/// parallel; one message's events one after the other, in the order sent).
const PARALLEL_EVENTS: usize = 8;

/// `reports` grouped by the message they name, each group in the order sent: a
/// message's events never race each other.
fn by_message(reports: Vec<ProviderReport>) -> Vec<Vec<ProviderReport>> {
    let mut groups: BTreeMap<(bool, String), Vec<ProviderReport>> = BTreeMap::new();
    for report in reports {
        let key = match &report.message {
            MessageRef::Ours(uuid) => (true, uuid.to_string()),
            MessageRef::Provider(id) => (false, id.clone()),
        };
        groups.entry(key).or_default().push(report);
    }
    groups.into_values().collect()
}

/// The webhook routes.
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/webhooks/{provider}/{account_id}",
        get(verify_webhook).post(receive_webhook),
    )
}

/// What a webhook call did (providers only look at the status code).
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub(crate) struct Received {
    /// Events that changed a message.
    applied: u32,
    /// Events that changed nothing (duplicates, stale, uninteresting).
    ignored: u32,
    /// Events about messages we do not know.
    unknown: u32,
    /// Customers' messages recorded.
    inbound: u32,
}

/// The account a webhook URL names (404 when there is none of that type).
struct Named {
    /// The key the messages it sent are recorded under.
    key: String,
    /// Its sender (a customer's STOP applies to it).
    sender: String,
    /// Its provider.
    account: Arc<dyn Account>,
}

async fn account_of(
    state: &AppState,
    provider: &str,
    account_id: &str,
) -> Result<Named, HttpError> {
    let unknown = || {
        HttpError::new(
            StatusCode::NOT_FOUND,
            "unknown_account",
            "There is no provider account of this type with this id.",
        )
    };
    let id = ProviderAccountId::parse(account_id).map_err(|_| unknown())?;
    let (sender, account) = state
        .directory
        .account(provider, &id)
        .await
        .map_err(app::service::ServiceError::from)?
        .ok_or_else(unknown)?;
    Ok(Named {
        key: crate::providers::account_key(provider, &id),
        sender,
        account,
    })
}

#[utoipa::path(
    get,
    path = "/webhooks/{provider}/{account_id}",
    tag = "webhooks",
    summary = "Meta's subscription handshake",
    params(("provider" = String, Path, description = "twilio, meta, rbm, exotel, http"), ("account_id" = String, Path, description = "The provider account's id"), ("hub.mode" = Option<String>, Query), ("hub.verify_token" = Option<String>, Query), ("hub.challenge" = Option<String>, Query)),
    responses(
        (status = 200, description = "The challenge, echoed", body = String, content_type = "text/plain"),
        (status = 403, description = "The verify token does not match", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody)
    )
)]
async fn verify_webhook(
    State(state): State<AppState>,
    ApiPath((provider, account_id)): ApiPath<(String, String)>,
    ApiQuery(query): ApiQuery<BTreeMap<String, String>>,
) -> Result<Response, HttpError> {
    let named = account_of(&state, &provider, &account_id).await?;
    match named.account.verify_subscription(&query) {
        Some(challenge) => Ok(challenge.into_response()),
        None => Err(HttpError::new(
            StatusCode::FORBIDDEN,
            "verification_failed",
            "The verify token does not match this account's.",
        )),
    }
}

#[utoipa::path(
    post,
    path = "/webhooks/{provider}/{account_id}",
    tag = "webhooks",
    summary = "Delivery reports and customers' messages from a provider account",
    description = "The raw body is verified per provider: Twilio X-Twilio-Signature (HMAC-SHA1 over the URL and sorted form parameters), Meta X-Hub-Signature-256 (HMAC-SHA256 over the body), RBM X-Goog-Signature (HMAC-SHA512 over the decoded message.data), Exotel a token in the callback URL. Events never move a status backwards; duplicates change nothing.",
    params(("provider" = String, Path, description = "twilio, meta, rbm, exotel, http"), ("account_id" = String, Path, description = "The provider account's id")),
    request_body(content((String = "application/x-www-form-urlencoded"), (Object = "application/json")), description = "The provider's own callback body"),
    responses(
        (status = 200, description = "What the call did", body = Received),
        (status = 400, description = "The body cannot be read", body = ErrorBody),
        (status = 401, description = "The signature does not verify", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody)
    )
)]
async fn receive_webhook(
    State(state): State<AppState>,
    ApiPath((provider, account_id)): ApiPath<(String, String)>,
    ApiQuery(query): ApiQuery<BTreeMap<String, String>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, HttpError> {
    let Named {
        key,
        sender,
        account,
    } = account_of(&state, &provider, &account_id).await?;
    if body.len() > account.max_webhook_body() {
        return Err(super::error::payload_too_large());
    }
    // The URL as the provider called it: our public base URL, the path and the query.
    let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let url = format!("{}{path}", state.services.settings.public_url);
    let request = WebhookRequest {
        url: &url,
        query: &query,
        headers: &headers,
        body: &body,
    };
    let events = match account.receive(&request) {
        Ok(WebhookReply::Events(events)) => events,
        Ok(WebhookReply::Handshake(answer)) => return Ok(answer.into_response()),
        Err(WebhookError::Signature) => {
            state.metrics.webhook(&provider, "bad_signature", 1);
            tracing::warn!(%provider, account = %account_id, "webhook refused: bad or missing signature");
            return Err(HttpError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_signature",
                "The request's signature is missing or does not match this account.",
            ));
        }
        Err(WebhookError::Malformed(why)) => {
            return Err(HttpError::new(
                StatusCode::BAD_REQUEST,
                "malformed_webhook",
                why,
            ));
        }
        Err(WebhookError::Unsupported) => {
            return Err(HttpError::new(
                StatusCode::NOT_FOUND,
                "no_webhooks",
                "This provider type sends no webhooks.",
            ));
        }
    };
    // Customers' messages first: a reply and the status it follows arrive together.
    let mut received = Received::default();
    for message in events.inbound {
        match receive_inbound(&state.services, &key, &sender, message).await? {
            InboundOutcome::Recorded { .. } => received.inbound += 1,
            InboundOutcome::Duplicate => received.ignored += 1,
        }
    }
    // Only messages this account sent: an event naming another's changes nothing.
    let outcomes: Vec<_> = stream::iter(by_message(events.reports))
        .map(|reports| async {
            let mut outcomes = Vec::with_capacity(reports.len());
            for event in reports {
                outcomes.push(apply_report(&state.services, &key, event).await);
            }
            outcomes
        })
        .buffer_unordered(PARALLEL_EVENTS)
        .collect()
        .await;
    for outcome in outcomes.into_iter().flatten() {
        match outcome? {
            ReportOutcome::Applied => received.applied += 1,
            ReportOutcome::Ignored => received.ignored += 1,
            ReportOutcome::Unknown => received.unknown += 1,
        }
    }
    state
        .metrics
        .webhook(&provider, "applied", received.applied.into());
    state
        .metrics
        .webhook(&provider, "ignored", received.ignored.into());
    state
        .metrics
        .webhook(&provider, "unknown", received.unknown.into());
    state
        .metrics
        .webhook(&provider, "inbound", received.inbound.into());
    if received.unknown > 0 {
        tracing::warn!(%provider, account = %account_id, unknown = received.unknown, "webhook events for unknown messages");
    }
    Ok((StatusCode::OK, Json(received)).into_response())
}

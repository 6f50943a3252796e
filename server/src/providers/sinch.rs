//! Sinch SMS (the SMS REST API): one batch per message, to one recipient, with our UUID
//! as its `client_reference` and a delivery report per recipient. Sinch's callbacks are
//! not signed unless the account manager sets it up per service plan, so — as for
//! Exotel — each batch's `callback_url` carries our UUID and an HMAC of it keyed with
//! the API token, and a report without the right one is refused.

use super::{
    credential, reason, refused, reported, reported_failure, tokened_callback, tokened_url,
    unreachable, webhook_url, Account, Context, TokenedCallback, WebhookError, WebhookReply,
    WebhookRequest,
};
use app::domain::{Channel, FailureReason, NotificationStatus};
use app::service::{InboundMessage, StoredProviderAccount};
use app::service::{OutboundMessage, Provider, ProviderError, ProviderReceipt};
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;

/// A Sinch SMS account (a service plan).
pub struct SinchSms {
    client: reqwest::Client,
    batches_url: String,
    api_token: String,
    sender: String,
    webhook_url: String,
}

impl SinchSms {
    /// The account `stored` (sender: the `from` number or sender ID; credentials
    /// `service_plan_id`, `api_token`).
    pub fn new(context: &Context, stored: &StoredProviderAccount) -> anyhow::Result<Self> {
        Ok(Self {
            client: context.client.clone(),
            batches_url: format!(
                "{}/xms/v1/{}/batches",
                context.endpoints.sinch_sms.trim_end_matches('/'),
                credential(stored, "service_plan_id")?
            ),
            api_token: credential(stored, "api_token")?.to_owned(),
            sender: stored.account.sender.clone(),
            webhook_url: webhook_url(&context.public_url, "sinch", &stored.account.id),
        })
    }
}

#[derive(Deserialize)]
struct Batch {
    id: String,
}

/// Sinch's error body: `{"code": "syntax_invalid_parameter_format", "text": "…"}`.
#[derive(Deserialize)]
struct SinchError {
    code: Option<String>,
    text: Option<String>,
}

/// What a refused batch's error code means for the message.
fn refusal(code: &str, text: &str) -> ProviderError {
    match code {
        "unauthorized" | "forbidden" => refused(
            "credentials_rejected",
            "Sinch rejected the account's service plan ID or API token.",
        ),
        "syntax_invalid_parameter_format" if text.contains("'to'") => refused(
            "invalid_number",
            "Sinch says the number is not a valid phone number.",
        ),
        _ => refused(
            "provider_refused",
            format!("Sinch refused the message: {text}"),
        ),
    }
}

/// What a final delivery-report status means (a non-final one: `None`).
fn failure(status: &str) -> Option<FailureReason> {
    Some(match status {
        "Rejected" => reason(
            "provider_refused",
            "The operator rejected the message (Sinch).",
        ),
        "Expired" => reason(
            "expired",
            "The message expired before the handset could take it.",
        ),
        "Aborted" | "Cancelled" | "Deleted" => reason(
            "provider_failed",
            "Sinch stopped the message before it was delivered.",
        ),
        "Failed" => reason(
            "provider_failed",
            "The operator could not deliver the message.",
        ),
        _ => return None,
    })
}

#[async_trait]
impl Provider for SinchSms {
    fn name(&self) -> &str {
        "sinch"
    }

    async fn send(&self, message: &OutboundMessage) -> Result<ProviderReceipt, ProviderError> {
        // In India the sender is the template's registered DLT header.
        let from = message
            .provider_ref
            .dlt_header
            .clone()
            .filter(|_| message.to.starts_with("+91"))
            .unwrap_or_else(|| self.sender.clone());
        let body = json!({
            "to": [message.to.as_str()],
            "from": from,
            "body": message.body,
            "type": "mt_text",
            "delivery_report": "per_recipient",
            "callback_url": tokened_url(&self.webhook_url, &self.api_token, &message.uuid),
            "client_reference": message.uuid.to_string(),
        });
        let response = self
            .client
            .post(&self.batches_url)
            .bearer_auth(&self.api_token)
            .json(&body)
            .send()
            .await
            .map_err(|e| unreachable("Sinch", &e))?;
        let status = response.status();
        if let Some(busy) = super::busy("Sinch", status) {
            return Err(busy);
        }
        if status.is_success() {
            let batch: Batch = response
                .json()
                .await
                .map_err(|_| ProviderError::Unknown("Sinch's answer had no batch id".into()))?;
            return Ok(super::taken(self.name(), batch.id));
        }
        if matches!(status.as_u16(), 401 | 403) {
            return Err(refusal("unauthorized", ""));
        }
        let error: Option<SinchError> = response.json().await.ok();
        let (code, text) = error
            .map(|e| (e.code.unwrap_or_default(), e.text.unwrap_or_default()))
            .unwrap_or_else(|| (String::new(), format!("error {}", status.as_u16())));
        Err(refusal(&code, &text))
    }
}

/// A Sinch callback: a recipient delivery report or a customer's message (`mo_text`).
#[derive(Deserialize)]
struct Callback {
    #[serde(rename = "type")]
    kind: String,
    status: Option<String>,
    // A customer's message.
    id: Option<String>,
    from: Option<String>,
    to: Option<String>,
    body: Option<String>,
}

fn incoming(callback: Callback) -> Result<InboundMessage, WebhookError> {
    let missing = |name: &str| WebhookError::Malformed(format!("no {name}"));
    Ok(InboundMessage {
        from: super::customer_number(callback.from.as_deref().ok_or_else(|| missing("from"))?)?,
        channel: Channel::Sms,
        to_sender: callback.to.unwrap_or_default(),
        provider_message_id: callback.id.ok_or_else(|| missing("id"))?,
        text: callback.body.unwrap_or_default(),
        at: app::service::now(),
        replying_to: None,
    })
}

impl Account for SinchSms {
    fn receive(&self, request: &WebhookRequest<'_>) -> Result<WebhookReply, WebhookError> {
        let about = tokened_callback(request, &self.api_token)?;
        let callback: Callback = serde_json::from_slice(request.body)
            .map_err(|_| WebhookError::Malformed("not a Sinch callback".into()))?;
        let uuid = match about {
            TokenedCallback::Inbound if callback.kind == "mo_text" => {
                return Ok(WebhookReply::Events(incoming(callback)?.into()))
            }
            TokenedCallback::Inbound => return Ok(WebhookReply::nothing()),
            TokenedCallback::Message(uuid) => uuid,
        };
        if callback.kind != "recipient_delivery_report_sms" {
            return Ok(WebhookReply::nothing());
        }
        let status = callback
            .status
            .ok_or_else(|| WebhookError::Malformed("no status".into()))?;
        let update = match status.as_str() {
            "Dispatched" => reported(NotificationStatus::Sent, "Sent to the operator (Sinch)"),
            "Delivered" => reported(NotificationStatus::Delivered, "Delivered to the handset"),
            other => match failure(other) {
                Some(reason) => reported_failure(reason),
                // Queued, or Unknown (no receipt from the operator): nothing new.
                None => return Ok(WebhookReply::nothing()),
            },
        };
        Ok(WebhookReply::status(uuid, update))
    }
}

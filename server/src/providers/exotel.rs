//! Exotel SMS for India, with TRAI DLT: every message carries the principal entity id
//! (`DltEntityId`), the registered header (`From`) and the DLT content template id
//! (`DltTemplateId`); the body is the registered `{#var#}` text with the values filled
//! in, exactly as the template renders it. Exotel does not sign its callbacks, so each
//! message's `StatusCallback` carries our UUID and an HMAC-SHA256 of it keyed with the
//! API token: a callback without the right one is refused.

use super::{
    credential, refused, reported, reported_failure, tokened_callback, tokened_url, unreachable,
    webhook_url, Account, Context, TokenedCallback, WebhookError, WebhookReply, WebhookRequest,
};
use app::domain::{Channel, FailureReason, NotificationStatus};
use app::service::admin::providers::url_token;
use app::service::{now, OutboundMessage, Provider, ProviderError, ProviderReceipt};
use app::service::{InboundMessage, StoredProviderAccount};
use async_trait::async_trait;
use serde::Deserialize;

/// An Exotel account.
pub struct Exotel {
    client: reqwest::Client,
    send_url: String,
    api_key: String,
    api_token: String,
    header: String,
    webhook_url: String,
}

impl Exotel {
    /// The account `stored` (sender: the DLT header; credentials `account_sid`,
    /// `api_key`, `api_token`).
    pub fn new(context: &Context, stored: &StoredProviderAccount) -> anyhow::Result<Self> {
        Ok(Self {
            client: context.client.clone(),
            send_url: format!(
                "{}/v1/Accounts/{}/Sms/send.json",
                context.endpoints.exotel.trim_end_matches('/'),
                credential(stored, "account_sid")?
            ),
            api_key: credential(stored, "api_key")?.to_owned(),
            api_token: credential(stored, "api_token")?.to_owned(),
            header: stored.account.sender.clone(),
            webhook_url: webhook_url(&context.public_url, "exotel", &stored.account.id),
        })
    }
}

/// The token a status callback for message `uuid` must carry.
pub fn callback_token(api_token: &str, uuid: &str) -> String {
    url_token(api_token, uuid)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    #[serde(rename = "SMSMessage")]
    sms_message: Option<SmsMessage>,
    rest_exception: Option<RestException>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SmsMessage {
    sid: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RestException {
    message: Option<String>,
}

/// What an Exotel detailed status means.
fn failure(detailed: &str) -> FailureReason {
    let (code, message) = match detailed {
        "FAILED_DND" => (
            "dnd",
            "The number is on India's Do Not Disturb registry and this template is promotional.",
        ),
        "FAILED_INVALID_NUMBER" => ("invalid_number", "The number is not a valid phone number."),
        "FAILED_SPAM" => ("filtered", "The operator filtered the message as spam."),
        "FAILED_BLACKLISTED" => ("blocked", "The number is blacklisted by the operator."),
        "FAILED_INVALID_SENDER" => (
            "dlt_header",
            "The DLT header (sender id) is not registered or approved.",
        ),
        "FAILED_DLT_SCRUBBING" | "FAILED_DLT_TEMPLATE" => (
            "dlt_template",
            "The text does not match the DLT template registered for it.",
        ),
        "FAILED_DLT_ENTITY" => ("dlt_entity", "The DLT entity id is not registered."),
        "FAILED_DLT_CONSENT" => (
            "dlt_consent",
            "DLT has no consent from this customer for this template.",
        ),
        _ => (
            "provider_failed",
            "The operator could not deliver the message.",
        ),
    };
    FailureReason {
        code: code.into(),
        message: message.into(),
    }
}

#[async_trait]
impl Provider for Exotel {
    fn name(&self) -> &str {
        "exotel"
    }

    async fn send(&self, message: &OutboundMessage) -> Result<ProviderReceipt, ProviderError> {
        let refs = &message.provider_ref;
        let india = message.to.starts_with("+91");
        let (entity, template) = (
            refs.dlt_entity_id.as_deref(),
            refs.dlt_template_id.as_deref(),
        );
        if india && (entity.is_none() || template.is_none()) {
            return Err(refused(
                "dlt_missing",
                "SMS to India needs the template's DLT entity id and DLT template id; add them to the template's provider references.",
            ));
        }
        let mut form = vec![
            (
                "From",
                refs.dlt_header
                    .clone()
                    .unwrap_or_else(|| self.header.clone()),
            ),
            ("To", message.to.to_string()),
            ("Body", message.body.clone()),
            (
                "StatusCallback",
                tokened_url(&self.webhook_url, &self.api_token, &message.uuid),
            ),
            ("CustomField", message.uuid.to_string()),
        ];
        if let Some(entity) = entity {
            form.push(("DltEntityId", entity.to_owned()));
        }
        if let Some(template) = template {
            form.push(("DltTemplateId", template.to_owned()));
        }
        let response = self
            .client
            .post(&self.send_url)
            .basic_auth(&self.api_key, Some(&self.api_token))
            .form(&form)
            .send()
            .await
            .map_err(|e| unreachable("Exotel", &e))?;
        let status = response.status();
        if let Some(busy) = super::busy("Exotel", status) {
            return Err(busy);
        }
        let answer: Option<Answer> = response.json().await.ok();
        if status.is_success() {
            let sid = answer
                .and_then(|a| a.sms_message)
                .map(|m| m.sid)
                .ok_or_else(|| {
                    ProviderError::Unknown("Exotel's answer had no message sid".into())
                })?;
            return Ok(super::taken(self.name(), sid));
        }
        if let Some(rejected) =
            super::credentials_rejected(status, "Exotel rejected the account's API key or token.")
        {
            return Err(rejected);
        }
        let why = answer
            .and_then(|a| a.rest_exception)
            .and_then(|e| e.message)
            .unwrap_or_else(|| format!("error {}", status.as_u16()));
        Err(refused(
            "provider_refused",
            format!("Exotel refused the message: {why}"),
        ))
    }
}

/// What Exotel's incoming-SMS forward carries (`SmsSid`, `From`, `To`, `Body`).
fn incoming_sms(params: &[(String, String)]) -> Result<InboundMessage, WebhookError> {
    let field = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let missing = |name: &str| WebhookError::Malformed(format!("no {name}"));
    Ok(InboundMessage {
        from: super::customer_number(field("From").ok_or_else(|| missing("From"))?)?,
        channel: Channel::Sms,
        to_sender: field("To").unwrap_or_default().to_owned(),
        provider_message_id: field("SmsSid").ok_or_else(|| missing("SmsSid"))?.to_owned(),
        text: field("Body").unwrap_or_default().to_owned(),
        at: now(),
        replying_to: None,
    })
}

impl Account for Exotel {
    fn receive(&self, request: &WebhookRequest<'_>) -> Result<WebhookReply, WebhookError> {
        let about = tokened_callback(request, &self.api_token)?;
        let params: Vec<(String, String)> = serde_urlencoded::from_bytes(request.body)
            .map_err(|_| WebhookError::Malformed("not a form body".into()))?;
        let uuid = match about {
            TokenedCallback::Inbound => {
                return Ok(WebhookReply::Events(incoming_sms(&params)?.into()))
            }
            TokenedCallback::Message(uuid) => uuid,
        };
        let field = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let status = field("Status").ok_or_else(|| WebhookError::Malformed("no Status".into()))?;
        let update = match status {
            "sent" => reported(NotificationStatus::Sent, "Sent to the operator (Exotel)"),
            "delivered" => reported(NotificationStatus::Delivered, "Delivered to the handset"),
            "failed" | "failed-dnd" | "undelivered" | "expired" => {
                reported_failure(failure(field("DetailedStatus").unwrap_or("")))
            }
            // queued, sending, submitted: nothing new for the agent.
            _ => return Ok(WebhookReply::nothing()),
        };
        Ok(WebhookReply::status(uuid, update))
    }
}

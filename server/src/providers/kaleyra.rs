//! Kaleyra (kaleyra.io): India SMS with TRAI DLT — the registered header as `sender`,
//! the DLT template and entity ids with every message, the registered `{#var#}` text
//! filled in as `body` — and WhatsApp templates (by approved name, the values as quoted
//! comma-separated `params`). Both go to `POST /v1/{SID}/messages` with the `api-key`
//! header. Kaleyra signs nothing: each message's callback URL carries our UUID and an
//! HMAC of it keyed with the API key, and a callback without the right one is refused.

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
use serde_json::Value;

/// A Kaleyra account.
pub struct Kaleyra {
    client: reqwest::Client,
    send_url: String,
    api_key: String,
    sender: String,
    webhook_url: String,
}

impl Kaleyra {
    /// The account `stored` (sender: the DLT header for SMS, the WhatsApp business
    /// number for WhatsApp; credentials `sid`, `api_key`).
    pub fn new(context: &Context, stored: &StoredProviderAccount) -> anyhow::Result<Self> {
        Ok(Self {
            client: context.client.clone(),
            send_url: format!(
                "{}/v1/{}/messages",
                context.endpoints.kaleyra.trim_end_matches('/'),
                credential(stored, "sid")?
            ),
            api_key: credential(stored, "api_key")?.to_owned(),
            sender: stored.account.sender.clone(),
            webhook_url: webhook_url(&context.public_url, "kaleyra", &stored.account.id),
        })
    }

    /// The form of an SMS: DLT ids required for Indian numbers.
    fn sms(&self, message: &OutboundMessage) -> Result<Vec<(&'static str, String)>, ProviderError> {
        let refs = &message.provider_ref;
        let (entity, template) = (refs.dlt_entity_id.clone(), refs.dlt_template_id.clone());
        if message.to.starts_with("+91") && (entity.is_none() || template.is_none()) {
            return Err(refused(
                "dlt_missing",
                "SMS to India needs the template's DLT entity id and DLT template id; add them to the template's provider references.",
            ));
        }
        let callback = serde_json::json!({
            "url": tokened_url(&self.webhook_url, &self.api_key, &message.uuid),
            "method": "POST",
        });
        let mut form = vec![
            ("to", message.to.to_string()),
            (
                "sender",
                refs.dlt_header
                    .clone()
                    .filter(|_| message.to.starts_with("+91"))
                    .unwrap_or_else(|| self.sender.clone()),
            ),
            ("type", "TXN".to_owned()),
            ("body", message.body.clone()),
            ("callback", callback.to_string()),
            ("ref", message.uuid.to_string()),
        ];
        form.extend(template.map(|t| ("template_id", t)));
        form.extend(entity.map(|e| ("entity_id", e)));
        Ok(form)
    }

    /// The form of a WhatsApp template message.
    fn whatsapp(
        &self,
        message: &OutboundMessage,
    ) -> Result<Vec<(&'static str, String)>, ProviderError> {
        let (name, language) = super::whatsapp_template(message)?;
        Ok(vec![
            ("from", self.sender.clone()),
            ("to", message.to.to_string()),
            ("channel", "whatsapp".to_owned()),
            ("type", "template".to_owned()),
            ("template_name", name.to_owned()),
            ("params", params(&message.parameters)),
            ("lang_code", language),
            (
                "callback_url",
                tokened_url(&self.webhook_url, &self.api_key, &message.uuid),
            ),
            ("ref", message.uuid.to_string()),
        ])
    }
}

/// Template values as Kaleyra takes them: each in double quotes, comma-separated (a
/// quote inside a value is escaped with a backslash).
pub fn params(values: &[(String, String)]) -> String {
    values
        .iter()
        .map(|(_, v)| format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect::<Vec<_>>()
        .join(",")
}

/// Kaleyra's error body: `{"error": {"code": "E110", "message": "…"}}`.
#[derive(Deserialize)]
struct KaleyraError {
    error: Option<Value>,
}

/// The message id in an accepted answer: `data[0].message_id`, else `id`.
fn message_id(answer: &Value) -> Option<String> {
    answer["data"][0]["message_id"]
        .as_str()
        .or_else(|| answer["id"].as_str())
        .map(str::to_owned)
}

/// What a failed callback's error says (Kaleyra's words kept for the history).
fn failure(status: &str, error: Option<&str>) -> FailureReason {
    let error = error.unwrap_or("").trim();
    let lowered = error.to_ascii_lowercase();
    let (code, text) = if status == "not-sent" {
        (
            "provider_refused",
            "Kaleyra did not pass the message on to WhatsApp.",
        )
    } else if lowered.contains("dnd") {
        (
            "dnd",
            "The number is on India's Do Not Disturb registry and this template is promotional.",
        )
    } else if lowered.contains("template") || lowered.contains("scrub") {
        (
            "dlt_template",
            "The text does not match the DLT template registered for it.",
        )
    } else if lowered.contains("invalid") && lowered.contains("number") {
        ("invalid_number", "The number is not a valid phone number.")
    } else if status == "expired" {
        (
            "expired",
            "The message expired before the handset could take it.",
        )
    } else {
        (
            "provider_failed",
            "The operator could not deliver the message (Kaleyra).",
        )
    };
    let message = if error.is_empty() {
        text.to_owned()
    } else {
        format!("{text} ({error})")
    };
    reason(code, &message)
}

#[async_trait]
impl Provider for Kaleyra {
    fn name(&self) -> &str {
        "kaleyra"
    }

    async fn send(&self, message: &OutboundMessage) -> Result<ProviderReceipt, ProviderError> {
        let form = match message.channel {
            Channel::Whatsapp => self.whatsapp(message)?,
            _ => self.sms(message)?,
        };
        let response = self
            .client
            .post(&self.send_url)
            .header("api-key", &self.api_key)
            .form(&form)
            .send()
            .await
            .map_err(|e| unreachable("Kaleyra", &e))?;
        let status = response.status();
        if let Some(busy) = super::busy("Kaleyra", status) {
            return Err(busy);
        }
        if status.is_success() {
            let answer: Value = response
                .json()
                .await
                .map_err(|_| ProviderError::Unknown("Kaleyra's answer was not readable".into()))?;
            let id = message_id(&answer).ok_or_else(|| {
                ProviderError::Unknown("Kaleyra's answer had no message id".into())
            })?;
            return Ok(super::taken(self.name(), id));
        }
        if let Some(rejected) =
            super::credentials_rejected(status, "Kaleyra rejected the account's SID or API key.")
        {
            return Err(rejected);
        }
        let error: Option<KaleyraError> = response.json().await.ok();
        let why = error
            .and_then(|e| e.error)
            .and_then(|e| e["message"].as_str().map(str::to_owned))
            .unwrap_or_else(|| format!("error {}", status.as_u16()));
        let lowered = why.to_ascii_lowercase();
        Err(if status.as_u16() == 402 || lowered.contains("balance") {
            refused(
                "account_balance",
                format!("The Kaleyra account cannot pay for the message: {why}"),
            )
        } else if lowered.contains("number") && lowered.contains("invalid") {
            refused("invalid_number", "The number is not a valid phone number.")
        } else {
            refused(
                "provider_refused",
                format!("Kaleyra refused the message: {why}"),
            )
        })
    }
}

/// A callback's fields, from its query and its body (a form or JSON, as the callback
/// profile sends them).
fn fields(request: &WebhookRequest<'_>) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = request
        .query
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "message" | "token"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(request.body) {
        for (k, v) in map {
            let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            fields.push((k, text));
        }
    } else if let Ok(form) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(request.body) {
        fields.extend(form);
    }
    fields
}

fn incoming(fields: &[(String, String)], sender: &str) -> Result<InboundMessage, WebhookError> {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let missing = |name: &str| WebhookError::Malformed(format!("no {name}"));
    let channel = match field("channel") {
        Some(c) if c.eq_ignore_ascii_case("whatsapp") => Channel::Whatsapp,
        _ => Channel::Sms,
    };
    Ok(InboundMessage {
        from: super::customer_number(field("from").ok_or_else(|| missing("from"))?)?,
        channel,
        to_sender: sender.to_owned(),
        provider_message_id: field("id").ok_or_else(|| missing("id"))?.to_owned(),
        text: field("body")
            .or(field("text"))
            .unwrap_or_default()
            .to_owned(),
        at: app::service::now(),
        replying_to: None,
    })
}

impl Account for Kaleyra {
    fn receive(&self, request: &WebhookRequest<'_>) -> Result<WebhookReply, WebhookError> {
        let about = tokened_callback(request, &self.api_key)?;
        let fields = fields(request);
        let uuid = match about {
            TokenedCallback::Inbound => {
                return Ok(WebhookReply::Events(
                    incoming(&fields, &self.sender)?.into(),
                ))
            }
            TokenedCallback::Message(uuid) => uuid,
        };
        let field = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let status = field("status")
            .ok_or_else(|| WebhookError::Malformed("no status".into()))?
            .to_ascii_lowercase();
        let update = match status.as_str() {
            "sent" => reported(NotificationStatus::Sent, "Sent to the operator (Kaleyra)"),
            "delivered" | "delivrd" => {
                reported(NotificationStatus::Delivered, "Delivered to the handset")
            }
            "read" => reported(NotificationStatus::Read, "Read"),
            "failed" | "not-sent" | "undeliv" | "undelivered" | "rejectd" | "rejected"
            | "expired" => reported_failure(failure(&status, field("error").or(field("reason")))),
            // Queued, submitted, awaited: nothing new for the agent.
            _ => return Ok(WebhookReply::nothing()),
        };
        Ok(WebhookReply::status(uuid, update))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_values_are_quoted_and_comma_separated() {
        let values = [
            ("name".to_owned(), "Asha, Jr".to_owned()),
            ("code".to_owned(), "say \"hi\"".to_owned()),
        ];
        assert_eq!(params(&values), r#""Asha, Jr","say \"hi\"""#);
    }
}

//! Meta WhatsApp Cloud API: approved template messages (name, language, header / body /
//! URL-button parameters), the `wamid` as provider id, our UUID as
//! `biz_opaque_callback_data` (echoed in status webhooks). Webhooks are signed with
//! `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with the app
//! secret>`; the GET subscription handshake echoes `hub.challenge` when
//! `hub.verify_token` is the account's.

use super::{
    credential, refused, same_bytes, unreachable, Account, Context, MessageRef, ProviderReport,
    ReportedChange, WebhookError, WebhookEvents, WebhookReply, WebhookRequest,
};
use app::domain::{Channel, FailureReason, NotificationStatus, WhatsappComponent};
use app::service::{now, OutboundMessage, Provider, ProviderError, ProviderReceipt, StatusUpdate};
use app::service::{InboundMessage, StoredProviderAccount};
use async_trait::async_trait;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A WhatsApp Business phone number on the Cloud API.
pub struct Meta {
    client: reqwest::Client,
    messages_url: String,
    access_token: String,
    app_secret: String,
    verify_token: String,
}

impl Meta {
    /// The account `stored` (sender: the phone number id; credentials `access_token`,
    /// `app_secret`, `verify_token`).
    pub fn new(context: &Context, stored: &StoredProviderAccount) -> anyhow::Result<Self> {
        Ok(Self {
            client: context.client.clone(),
            messages_url: format!(
                "{}/{}/messages",
                context.endpoints.meta.trim_end_matches('/'),
                stored.account.sender
            ),
            access_token: credential(stored, "access_token")?.to_owned(),
            app_secret: credential(stored, "app_secret")?.to_owned(),
            verify_token: credential(stored, "verify_token")?.to_owned(),
        })
    }
}

/// The Cloud API request for `message`.
pub fn request_body(message: &OutboundMessage) -> Result<Value, ProviderError> {
    let refs = &message.provider_ref;
    let (name, language) = super::whatsapp_template(message)?;
    let text = |value: &str| json!({"type": "text", "text": value});
    let (mut header, mut body) = (Vec::new(), Vec::new());
    let mut buttons: BTreeMap<u8, Vec<Value>> = BTreeMap::new();
    for (field, value) in &message.parameters {
        match refs
            .whatsapp_component(field)
            .map_err(|e| refused("template_parameters", e))?
        {
            WhatsappComponent::Header => header.push(text(value)),
            WhatsappComponent::Body => body.push(text(value)),
            WhatsappComponent::UrlButton(i) => buttons.entry(i).or_default().push(text(value)),
        }
    }
    let mut components = Vec::new();
    if !header.is_empty() {
        components.push(json!({"type": "header", "parameters": header}));
    }
    if !body.is_empty() {
        components.push(json!({"type": "body", "parameters": body}));
    }
    for (index, parameters) in buttons {
        components.push(json!({
            "type": "button", "sub_type": "url", "index": index.to_string(), "parameters": parameters,
        }));
    }
    Ok(json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": message.to.trim_start_matches('+'),
        "type": "template",
        "template": {"name": name, "language": {"code": language}, "components": components},
        "biz_opaque_callback_data": message.uuid.to_string(),
    }))
}

#[derive(Deserialize)]
struct Sent {
    messages: Vec<SentMessage>,
}

#[derive(Deserialize)]
struct SentMessage {
    id: String,
}

#[derive(Deserialize)]
struct GraphError {
    error: GraphErrorBody,
}

#[derive(Deserialize)]
struct GraphErrorBody {
    code: Option<u64>,
    message: Option<String>,
    error_data: Option<ErrorData>,
}

#[derive(Deserialize)]
struct ErrorData {
    details: Option<String>,
}

/// What a Cloud API error code means for the message: `None` when it is worth retrying.
fn failure(code: u64, details: Option<&str>) -> Option<FailureReason> {
    let (ours, text) = match code {
        4 | 80007 | 130429 | 131056 | 131000 | 131016 => return None,
        190 => (
            "credentials_rejected",
            "Meta rejected the account's access token (expired or revoked).",
        ),
        131026 => (
            "not_on_whatsapp",
            "The number cannot receive WhatsApp messages (not on WhatsApp, or the app is outdated).",
        ),
        131047 => (
            "outside_window",
            "Outside the 24-hour WhatsApp window: only an approved template can be sent.",
        ),
        131049 => (
            "marketing_limit",
            "Meta did not deliver this marketing template to keep the customer's experience healthy.",
        ),
        131050 => (
            "opted_out",
            "The customer has stopped marketing messages from this business.",
        ),
        132000 => (
            "template_parameters",
            "The number of parameters does not match the approved WhatsApp template.",
        ),
        132001 => (
            "template_not_found",
            "The WhatsApp template does not exist in this language (or is not approved yet).",
        ),
        132012 => (
            "template_parameters",
            "A parameter does not have the format the approved WhatsApp template expects.",
        ),
        132015 | 132016 => (
            "template_not_approved",
            "The WhatsApp template is paused or disabled by Meta.",
        ),
        100 | 131008 | 131009 => (
            "invalid_request",
            "Meta refused the request as invalid (a parameter is missing or wrong).",
        ),
        _ => {
            return Some(FailureReason {
                code: format!("meta_{code}"),
                message: match details {
                    Some(d) => format!("WhatsApp refused the message: {d} (error {code})."),
                    None => format!("WhatsApp refused the message (error {code})."),
                },
            })
        }
    };
    Some(FailureReason {
        code: ours.into(),
        message: text.into(),
    })
}

/// The `X-Hub-Signature-256` value for `body`.
pub fn signature(app_secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(app_secret.as_bytes())
        .expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[async_trait]
impl Provider for Meta {
    fn name(&self) -> &str {
        "meta"
    }

    async fn send(&self, message: &OutboundMessage) -> Result<ProviderReceipt, ProviderError> {
        let body = request_body(message)?;
        let response = self
            .client
            .post(&self.messages_url)
            .bearer_auth(&self.access_token)
            .json(&body)
            .send()
            .await
            .map_err(|e| unreachable("Meta", &e))?;
        let status = response.status();
        if status.is_success() {
            let sent: Sent = response
                .json()
                .await
                .map_err(|_| ProviderError::Unknown("Meta's answer had no message id".into()))?;
            let wamid = sent
                .messages
                .into_iter()
                .next()
                .map(|m| m.id)
                .ok_or_else(|| ProviderError::Unknown("Meta's answer had no message id".into()))?;
            return Ok(ProviderReceipt {
                provider: self.name().to_owned(),
                provider_message_id: wamid,
                sent: None,
            });
        }
        let error = response.json::<GraphError>().await.ok().map(|e| e.error);
        let code = error.as_ref().and_then(|e| e.code).unwrap_or(0);
        if status.as_u16() == 429 || status.is_server_error() {
            return Err(ProviderError::Transient(format!(
                "Meta answered {} (error {code})",
                status.as_u16()
            )));
        }
        let details = error.as_ref().and_then(|e| {
            e.error_data
                .as_ref()
                .and_then(|d| d.details.clone())
                .or_else(|| e.message.clone())
        });
        match failure(code, details.as_deref()) {
            None => Err(ProviderError::Transient(format!(
                "Meta is busy (error {code})"
            ))),
            Some(reason) => Err(ProviderError::Permanent(reason)),
        }
    }
}

#[derive(Deserialize)]
struct Notification {
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    changes: Vec<ChangeDoc>,
}

#[derive(Deserialize)]
struct ChangeDoc {
    value: ChangeValue,
}

#[derive(Deserialize)]
struct ChangeValue {
    #[serde(default)]
    statuses: Vec<StatusDoc>,
    #[serde(default)]
    messages: Vec<MessageDoc>,
    metadata: Option<Metadata>,
}

#[derive(Deserialize)]
struct Metadata {
    phone_number_id: Option<String>,
}

/// A customer's message (`value.messages[]`).
#[derive(Deserialize)]
struct MessageDoc {
    from: String,
    id: String,
    timestamp: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    text: Option<TextDoc>,
    button: Option<ButtonDoc>,
    interactive: Option<InteractiveDoc>,
    context: Option<ContextDoc>,
}

#[derive(Deserialize)]
struct TextDoc {
    body: String,
}

#[derive(Deserialize)]
struct ButtonDoc {
    text: Option<String>,
}

#[derive(Deserialize)]
struct InteractiveDoc {
    button_reply: Option<TitleDoc>,
    list_reply: Option<TitleDoc>,
}

#[derive(Deserialize)]
struct TitleDoc {
    title: Option<String>,
}

#[derive(Deserialize)]
struct ContextDoc {
    id: Option<String>,
}

/// Epoch seconds as Meta writes them (now, when absent or unreadable).
fn epoch(timestamp: Option<&str>) -> time::OffsetDateTime {
    timestamp
        .and_then(|t| t.parse::<i64>().ok())
        .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
        .unwrap_or_else(now)
}

/// A customer's message: its text (a button's or list item's title, or `[image]` for
/// media the agent can open in WhatsApp itself).
fn inbound(message: MessageDoc, sender: &str) -> Result<InboundMessage, WebhookError> {
    let text = match (message.text, message.button, message.interactive) {
        (Some(t), _, _) => t.body,
        (_, Some(ButtonDoc { text: Some(t) }), _) => t,
        (_, _, Some(i)) => i
            .button_reply
            .or(i.list_reply)
            .and_then(|r| r.title)
            .unwrap_or_default(),
        _ => format!("[{}]", message.kind.as_deref().unwrap_or("message")),
    };
    Ok(InboundMessage {
        from: super::customer_number(&message.from)?,
        channel: Channel::Whatsapp,
        to_sender: sender.to_owned(),
        provider_message_id: message.id,
        text,
        at: epoch(message.timestamp.as_deref()),
        replying_to: message.context.and_then(|c| c.id),
    })
}

#[derive(Deserialize)]
struct StatusDoc {
    id: String,
    status: String,
    timestamp: Option<String>,
    biz_opaque_callback_data: Option<String>,
    #[serde(default)]
    errors: Vec<StatusError>,
}

#[derive(Deserialize)]
struct StatusError {
    code: Option<u64>,
    error_data: Option<ErrorData>,
}

fn event(status: StatusDoc) -> Option<ProviderReport> {
    let reported = match status.status.as_str() {
        "sent" => NotificationStatus::Sent,
        "delivered" => NotificationStatus::Delivered,
        "read" => NotificationStatus::Read,
        "failed" => NotificationStatus::Failed,
        _ => return None,
    };
    let at = epoch(status.timestamp.as_deref());
    let message = match status
        .biz_opaque_callback_data
        .as_deref()
        .and_then(|d| uuid::Uuid::parse_str(d).ok())
    {
        Some(uuid) => MessageRef::Ours(uuid),
        None => MessageRef::Provider(status.id),
    };
    let update = if reported == NotificationStatus::Failed {
        let first = status.errors.first();
        let code = first.and_then(|e| e.code).unwrap_or(0);
        let details = first.and_then(|e| e.error_data.as_ref().and_then(|d| d.details.clone()));
        let reason = failure(code, details.as_deref()).unwrap_or_else(|| FailureReason {
            code: format!("meta_{code}"),
            message: format!("WhatsApp could not deliver the message (error {code})."),
        });
        StatusUpdate {
            status: reported,
            at,
            detail: Some(reason.message.clone()),
            error: Some(reason),
        }
    } else {
        StatusUpdate {
            status: reported,
            at,
            detail: Some(format!("{} (WhatsApp)", reported.label())),
            error: None,
        }
    };
    Some(ProviderReport {
        message,
        change: ReportedChange::Status(update),
    })
}

impl Account for Meta {
    fn max_webhook_body(&self) -> usize {
        // Up to 1,000 statuses per request.
        super::WEBHOOK_BODY_LIMIT
    }

    fn receive(&self, request: &WebhookRequest<'_>) -> Result<WebhookReply, WebhookError> {
        let given = request
            .headers
            .get("x-hub-signature-256")
            .ok_or(WebhookError::Signature)?;
        let expected = signature(&self.app_secret, request.body);
        if !same_bytes(given.as_bytes(), expected.as_bytes()) {
            return Err(WebhookError::Signature);
        }
        let notification: Notification = serde_json::from_slice(request.body)
            .map_err(|e| WebhookError::Malformed(format!("not a WhatsApp notification: {e}")))?;
        let mut events = WebhookEvents::default();
        for value in notification
            .entry
            .into_iter()
            .flat_map(|e| e.changes)
            .map(|c| c.value)
        {
            let sender = value
                .metadata
                .and_then(|m| m.phone_number_id)
                .unwrap_or_default();
            events
                .reports
                .extend(value.statuses.into_iter().filter_map(event));
            for message in value.messages {
                events.inbound.push(inbound(message, &sender)?);
            }
        }
        Ok(WebhookReply::Events(events))
    }

    fn verify_subscription(&self, query: &BTreeMap<String, String>) -> Option<String> {
        let subscribe = query.get("hub.mode").map(String::as_str) == Some("subscribe");
        let token = query.get("hub.verify_token")?;
        (subscribe && same_bytes(token.as_bytes(), self.verify_token.as_bytes()))
            .then(|| query.get("hub.challenge").cloned())
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// HMAC-SHA256 test case 2 of RFC 4231 (key "Jefe").
    #[test]
    fn signs_with_hmac_sha256_in_hex() {
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}

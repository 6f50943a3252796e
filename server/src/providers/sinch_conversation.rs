//! The Sinch Conversation API for WhatsApp (approved templates, by name) and RCS (the
//! rendered text): OAuth2 client-credentials tokens from Sinch's token endpoint, kept
//! until a minute before they expire; our UUID as the message's metadata, echoed in
//! every delivery report; webhooks signed by Sinch with the webhook's secret
//! (HMAC-SHA256 over `body.nonce.timestamp`, base64), refused when stale or replayed.

use super::{
    credential, refused, reported, reported_failure, same_bytes, unreachable, Account, Context,
    MessageRef, ProviderReport, ReportedChange, WebhookError, WebhookEvents, WebhookReply,
    WebhookRequest,
};
use app::domain::{Channel, FailureReason, NotificationStatus, WhatsappComponent};
use app::service::{InboundMessage, StoredProviderAccount};
use app::service::{OutboundMessage, Provider, ProviderError, ProviderReceipt};
use async_trait::async_trait;
use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How far a signed webhook's timestamp may be from now.
pub const SIGNATURE_WINDOW: Duration = Duration::from_secs(300);

/// A Sinch Conversation API app.
pub struct Conversation {
    client: reqwest::Client,
    send_url: String,
    token_url: String,
    app_id: String,
    key_id: String,
    key_secret: String,
    webhook_secret: String,
    token: tokio::sync::Mutex<Option<(String, Instant)>>,
    nonces: Mutex<Nonces>,
}

impl Conversation {
    /// The account `stored` (sender: the app ID; credentials `project_id`, `key_id`,
    /// `key_secret`, `webhook_secret`).
    pub fn new(context: &Context, stored: &StoredProviderAccount) -> anyhow::Result<Self> {
        Ok(Self {
            client: context.client.clone(),
            send_url: format!(
                "{}/v1/projects/{}/messages:send",
                context.endpoints.sinch_conversation.trim_end_matches('/'),
                credential(stored, "project_id")?
            ),
            token_url: context.endpoints.sinch_auth.clone(),
            app_id: stored.account.sender.clone(),
            key_id: credential(stored, "key_id")?.to_owned(),
            key_secret: credential(stored, "key_secret")?.to_owned(),
            webhook_secret: credential(stored, "webhook_secret")?.to_owned(),
            token: tokio::sync::Mutex::new(None),
            nonces: Mutex::new(Nonces::default()),
        })
    }

    /// An access token, fetched once and reused until a minute before it expires
    /// (`fresh`: fetched anew, after the API refused the kept one).
    async fn access_token(&self, fresh: bool) -> Result<String, ProviderError> {
        let mut cached = self.token.lock().await;
        if let Some((token, until)) = cached.as_ref().filter(|_| !fresh) {
            if Instant::now() < *until {
                return Ok(token.clone());
            }
        }
        let response = self
            .client
            .post(&self.token_url)
            .basic_auth(&self.key_id, Some(&self.key_secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .map_err(|e| unreachable("Sinch's token service", &e))?;
        let status = response.status();
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            return Err(ProviderError::Transient(format!(
                "Sinch's token service answered {}",
                status.as_u16()
            )));
        }
        if !status.is_success() {
            return Err(refused(
                "credentials_rejected",
                "Sinch rejected the account's access key (key ID and secret).",
            ));
        }
        #[derive(Deserialize)]
        struct Token {
            access_token: String,
            expires_in: u64,
        }
        let token: Token = response.json().await.map_err(|_| {
            ProviderError::Transient("Sinch's token answer had no access token".into())
        })?;
        let until = Instant::now() + Duration::from_secs(token.expires_in.saturating_sub(60));
        *cached = Some((token.access_token.clone(), until));
        Ok(token.access_token)
    }

    async fn post(&self, body: &Value, fresh: bool) -> Result<reqwest::Response, ProviderError> {
        let token = self.access_token(fresh).await?;
        self.client
            .post(&self.send_url)
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .map_err(|e| unreachable("Sinch", &e))
    }
}

/// The Conversation API's name for a channel.
fn channel_name(channel: Channel) -> &'static str {
    match channel {
        Channel::Whatsapp => "WHATSAPP",
        Channel::Rcs => "RCS",
        Channel::Sms => "SMS",
    }
}

/// The `messages:send` request for `message` from app `app_id`: a WhatsApp template by
/// its approved name (parameters `body[1]text`, `header[1]text`, `button[0]url[1]text`
/// …), or on RCS the rendered text.
pub fn request_body(app_id: &str, message: &OutboundMessage) -> Result<Value, ProviderError> {
    let channel = channel_name(message.channel);
    let content = match message.channel {
        Channel::Whatsapp => {
            let refs = &message.provider_ref;
            let (name, language) = super::whatsapp_template(message)?;
            let mut parameters = Map::new();
            let (mut header, mut body) = (0, 0);
            let mut buttons: HashMap<u8, u32> = HashMap::new();
            for (field, value) in &message.parameters {
                let key = match refs
                    .whatsapp_component(field)
                    .map_err(|e| refused("template_parameters", e))?
                {
                    WhatsappComponent::Header => {
                        header += 1;
                        format!("header[{header}]text")
                    }
                    WhatsappComponent::Body => {
                        body += 1;
                        format!("body[{body}]text")
                    }
                    WhatsappComponent::UrlButton(i) => {
                        let n = buttons.entry(i).or_default();
                        *n += 1;
                        format!("button[{i}]url[{n}]text")
                    }
                };
                parameters.insert(key, Value::String(value.clone()));
            }
            json!({"template_message": {"channel_template": {"WHATSAPP": {
                "template_id": name, "language_code": language, "parameters": parameters,
            }}}})
        }
        _ => json!({"text_message": {"text": message.body}}),
    };
    Ok(json!({
        "app_id": app_id,
        "recipient": {"identified_by": {"channel_identities": [
            {"channel": channel, "identity": message.to.as_str()}
        ]}},
        "message": content,
        "channel_priority_order": [channel],
        "message_metadata": message.uuid.to_string(),
        "correlation_id": message.uuid.to_string(),
    }))
}

#[derive(Deserialize)]
struct Accepted {
    message_id: String,
}

/// `{"error": {"code": 400, "message": "…", "status": "INVALID_ARGUMENT"}}`.
#[derive(Deserialize)]
struct ApiError {
    error: ApiErrorBody,
}

#[derive(Deserialize)]
struct ApiErrorBody {
    message: Option<String>,
    status: Option<String>,
}

/// What an error answer means for the message.
fn refusal(status: StatusCode, error: Option<ApiErrorBody>) -> ProviderError {
    if let Some(busy) = super::busy("Sinch", status) {
        return busy;
    }
    let (kind, text) = error
        .map(|e| (e.status.unwrap_or_default(), e.message.unwrap_or_default()))
        .unwrap_or_default();
    match (status.as_u16(), kind.as_str()) {
        (401 | 403, _) | (_, "PERMISSION_DENIED" | "UNAUTHENTICATED") => refused(
            "credentials_rejected",
            "Sinch refused the account's access key for this project.",
        ),
        (404, _) | (_, "NOT_FOUND") => refused(
            "provider_misconfigured",
            "Sinch does not know this project or app; check the project ID and the app ID.",
        ),
        _ => refused(
            "provider_refused",
            format!("Sinch refused the message: {text}"),
        ),
    }
}

#[async_trait]
impl Provider for Conversation {
    fn name(&self) -> &str {
        "sinch_conversation"
    }

    async fn send(&self, message: &OutboundMessage) -> Result<ProviderReceipt, ProviderError> {
        let body = request_body(&self.app_id, message)?;
        let mut response = self.post(&body, false).await?;
        if response.status() == StatusCode::UNAUTHORIZED {
            // The kept token may have been revoked: one more try with a new one.
            response = self.post(&body, true).await?;
        }
        let status = response.status();
        if status.is_success() {
            let accepted: Accepted = response
                .json()
                .await
                .map_err(|_| ProviderError::Unknown("Sinch's answer had no message id".into()))?;
            return Ok(super::taken(self.name(), accepted.message_id));
        }
        let error: Option<ApiError> = response.json().await.ok();
        Err(refusal(status, error.map(|e| e.error)))
    }
}

/// The `x-sinch-webhook-signature` for a body, nonce and timestamp.
pub fn signature(secret: &str, body: &[u8], nonce: &str, timestamp: &str) -> String {
    let mut mac =
        Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    mac.update(b".");
    mac.update(nonce.as_bytes());
    mac.update(b".");
    mac.update(timestamp.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The nonces of the signed webhooks taken within [`SIGNATURE_WINDOW`]: one seen again
/// is a replay. (Per process: a replay to another process is still refused once its
/// timestamp leaves the window.)
#[derive(Default)]
struct Nonces {
    seen: HashMap<String, Instant>,
    order: VecDeque<(Instant, String)>,
}

impl Nonces {
    /// Notes `nonce`; false if it was seen already.
    fn first_use(&mut self, nonce: &str) -> bool {
        let now = Instant::now();
        while let Some((at, old)) = self.order.front() {
            if now.duration_since(*at) < SIGNATURE_WINDOW * 2 {
                break;
            }
            self.seen.remove(old);
            self.order.pop_front();
        }
        if self.seen.contains_key(nonce) {
            return false;
        }
        self.seen.insert(nonce.to_owned(), now);
        self.order.push_back((now, nonce.to_owned()));
        true
    }
}

#[derive(Deserialize)]
struct Event {
    message_delivery_report: Option<DeliveryReport>,
    message: Option<InboundDoc>,
}

#[derive(Deserialize)]
struct DeliveryReport {
    message_id: String,
    status: String,
    metadata: Option<String>,
    reason: Option<Reason>,
    channel_identity: Option<ChannelIdentity>,
}

#[derive(Deserialize)]
struct Reason {
    code: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
struct ChannelIdentity {
    channel: Option<String>,
    identity: Option<String>,
}

#[derive(Deserialize)]
struct InboundDoc {
    id: String,
    channel_identity: ChannelIdentity,
    contact_message: Option<Value>,
}

/// What a FAILED report's reason code means.
fn failure(reason: Option<Reason>) -> FailureReason {
    let code = reason
        .as_ref()
        .and_then(|r| r.code.as_deref())
        .unwrap_or("");
    let (ours, text) = match code {
        "RECIPIENT_INVALID_CHANNEL_IDENTITY" | "RECIPIENT_NOT_REACHABLE" => (
            "unreachable",
            "The customer cannot be reached on this channel (no account, or the number is wrong).",
        ),
        "OUTSIDE_ALLOWED_SENDING_WINDOW" => (
            "outside_window",
            "The customer has not written in the last 24 hours: only an approved template can be sent.",
        ),
        "RECIPIENT_NOT_OPTED_IN" => ("opted_out", "The customer has not opted in to these messages."),
        "CHANNEL_BAD_CONFIGURATION" | "CHANNEL_CONFIGURATION_MISSING" => (
            "provider_misconfigured",
            "The Sinch app's channel is not set up for this message.",
        ),
        "MEDIA_TYPE_UNSUPPORTED" | "CHANNEL_REJECT" => (
            "provider_refused",
            "The channel rejected the message (Sinch).",
        ),
        _ => ("provider_failed", "The channel could not deliver the message (Sinch)."),
    };
    let described = reason
        .and_then(|r| r.description)
        .filter(|d| !d.is_empty())
        .map_or(text.to_owned(), |d| format!("{text} ({d})"));
    FailureReason {
        code: ours.into(),
        message: described,
    }
}

fn report(doc: DeliveryReport) -> Option<ProviderReport> {
    let message = match doc.metadata.as_deref().map(uuid::Uuid::parse_str) {
        Some(Ok(uuid)) => MessageRef::Ours(uuid),
        _ => MessageRef::Provider(doc.message_id),
    };
    let change = match doc.status.as_str() {
        "QUEUED_ON_CHANNEL" => ReportedChange::Status(reported(
            NotificationStatus::Sent,
            "Queued on the channel (Sinch)",
        )),
        "DELIVERED" => ReportedChange::Status(reported(
            NotificationStatus::Delivered,
            "Delivered to the customer's phone",
        )),
        "READ" => ReportedChange::Status(reported(NotificationStatus::Read, "Read")),
        "FAILED" => ReportedChange::Status(reported_failure(failure(doc.reason))),
        "SWITCHING_CHANNEL" => {
            let to = doc
                .channel_identity
                .and_then(|c| c.channel)
                .unwrap_or_else(|| "another channel".into());
            // To SMS: our own fallback line, so the widget says it went by SMS.
            ReportedChange::Note(if to == "SMS" {
                app::domain::switch_note("Sinch could not deliver it on its first channel.")
            } else {
                format!("Sinch is switching this message to {to} (channel fallback).")
            })
        }
        _ => return None,
    };
    Some(ProviderReport { message, change })
}

fn inbound(doc: InboundDoc, app_id: &str) -> Result<Option<InboundMessage>, WebhookError> {
    let channel = match doc.channel_identity.channel.as_deref() {
        Some("WHATSAPP") => Channel::Whatsapp,
        Some("RCS") => Channel::Rcs,
        Some("SMS") => Channel::Sms,
        _ => return Ok(None),
    };
    let from = doc
        .channel_identity
        .identity
        .ok_or_else(|| WebhookError::Malformed("no channel identity".into()))?;
    let content = doc.contact_message.unwrap_or_default();
    let text = content["text_message"]["text"]
        .as_str()
        .or_else(|| content["choice_response_message"]["postback_data"].as_str())
        .unwrap_or_default();
    Ok(Some(InboundMessage {
        from: super::customer_number(&from)?,
        channel,
        to_sender: app_id.to_owned(),
        provider_message_id: doc.id,
        text: text.to_owned(),
        at: app::service::now(),
        replying_to: content["reply_to"]["message_id"]
            .as_str()
            .map(str::to_owned),
    }))
}

impl Account for Conversation {
    fn receive(&self, request: &WebhookRequest<'_>) -> Result<WebhookReply, WebhookError> {
        let header = |name: &str| {
            request
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .ok_or(WebhookError::Signature)
        };
        let (timestamp, nonce) = (
            header("x-sinch-webhook-signature-timestamp")?,
            header("x-sinch-webhook-signature-nonce")?,
        );
        let given = header("x-sinch-webhook-signature")?;
        let expected = signature(&self.webhook_secret, request.body, nonce, timestamp);
        if !same_bytes(given.as_bytes(), expected.as_bytes()) {
            return Err(WebhookError::Signature);
        }
        let at = timestamp
            .parse::<i64>()
            .map_err(|_| WebhookError::Signature)?;
        let age = (app::service::now().unix_timestamp() - at).unsigned_abs();
        if age > SIGNATURE_WINDOW.as_secs() {
            return Err(WebhookError::Signature);
        }
        let mut nonces = self.nonces.lock().unwrap_or_else(|e| e.into_inner());
        if !nonces.first_use(nonce) {
            return Err(WebhookError::Signature);
        }
        drop(nonces);
        let event: Event = serde_json::from_slice(request.body)
            .map_err(|_| WebhookError::Malformed("not a Conversation API event".into()))?;
        let mut events = WebhookEvents::default();
        if let Some(doc) = event.message_delivery_report {
            events.reports.extend(report(doc));
        }
        if let Some(doc) = event.message {
            events.inbound.extend(inbound(doc, &self.app_id)?);
        }
        Ok(WebhookReply::Events(events))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_the_body_nonce_and_timestamp_joined_by_dots_in_base64() {
        // Computed independently: printf '%s' '{"a":1}.n1.1700000000' |
        //   openssl dgst -sha256 -hmac secret -binary | base64
        assert_eq!(
            signature("secret", br#"{"a":1}"#, "n1", "1700000000"),
            "OrlDa+7pkB5jTriNoKmWi3McTpnHFdEXgLdkhx7QnkE="
        );
    }

    #[test]
    fn a_nonce_is_taken_once() {
        let mut nonces = Nonces::default();
        assert!(nonces.first_use("a"));
        assert!(nonces.first_use("b"));
        assert!(!nonces.first_use("a"));
    }
}

//! Google RCS Business Messaging. Before sending, a capability check; a number that is
//! not RCS reachable (404) makes the message go by SMS instead. Messages are created
//! with our UUID as `messageId` (the platform ignores a repeated id, so a redelivered job
//! cannot make a second message) and a time to live; `TTL_EXPIRATION_REVOKED` sends the
//! message by SMS. Access tokens come from the service account's key (a signed JWT
//! exchanged at Google's token endpoint — the configured one, never the key file's
//! `token_uri`, which is admin input and could point anywhere). Webhook events are signed with `X-Goog-Signature`:
//! base64 HMAC-SHA512 over the base64-decoded `message.data`, keyed with the client token.

use super::{
    credential, refused, same_bytes, unreachable, Account, Context, MessageRef, ProviderReport,
    ReportedChange, WebhookError, WebhookEvents, WebhookReply, WebhookRequest,
};
use app::domain::{Channel, NotificationStatus};
use app::service::{now, OutboundMessage, Provider, ProviderError, ProviderReceipt, StatusUpdate};
use app::service::{InboundMessage, StoredProviderAccount};
use async_trait::async_trait;
use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::json;
use std::time::{Duration, Instant};

const SCOPE: &str = "https://www.googleapis.com/auth/rcsbusinessmessaging";

/// The parts of a Google service-account key file we use.
#[derive(Deserialize)]
struct ServiceAccount {
    client_email: String,
    private_key: String,
}

/// An RBM agent.
pub struct Rbm {
    client: reqwest::Client,
    base: String,
    agent_id: String,
    key: jsonwebtoken::EncodingKey,
    client_email: String,
    token_uri: String,
    client_token: String,
    ttl: Duration,
    token: tokio::sync::Mutex<Option<(String, Instant)>>,
}

impl Rbm {
    /// The agent `stored` (sender: the agent id; credentials `service_account_json`,
    /// `client_token`).
    pub fn new(context: &Context, stored: &StoredProviderAccount) -> anyhow::Result<Self> {
        let service: ServiceAccount =
            serde_json::from_str(credential(stored, "service_account_json")?).map_err(|_| {
                anyhow::anyhow!("service_account_json is not a Google service-account key file")
            })?;
        let key = jsonwebtoken::EncodingKey::from_rsa_pem(service.private_key.as_bytes())
            .map_err(|_| anyhow::anyhow!("the service account's private_key is not an RSA key"))?;
        Ok(Self {
            client: context.client.clone(),
            base: context.endpoints.rbm.trim_end_matches('/').to_owned(),
            agent_id: stored.account.sender.clone(),
            key,
            client_email: service.client_email,
            token_uri: context.endpoints.google_token.clone(),
            client_token: credential(stored, "client_token")?.to_owned(),
            ttl: context.rcs_ttl,
            token: tokio::sync::Mutex::new(None),
        })
    }

    /// An access token, fetched once and reused until a minute before it expires.
    async fn access_token(&self) -> Result<String, ProviderError> {
        let mut cached = self.token.lock().await;
        if let Some((token, until)) = cached.as_ref() {
            if Instant::now() < *until {
                return Ok(token.clone());
            }
        }
        let issued = now().unix_timestamp();
        let claims = json!({
            "iss": self.client_email, "scope": SCOPE, "aud": self.token_uri,
            "iat": issued, "exp": issued + 3600,
        });
        let assertion = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
            &claims,
            &self.key,
        )
        .map_err(|_| {
            refused(
                "provider_misconfigured",
                "The RBM service-account key cannot sign.",
            )
        })?;
        let response = self
            .client
            .post(&self.token_uri)
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", assertion.as_str()),
            ])
            .send()
            .await
            .map_err(|e| unreachable("Google's token service", &e))?;
        if response.status().is_server_error() || response.status() == StatusCode::TOO_MANY_REQUESTS
        {
            return Err(ProviderError::Transient(format!(
                "Google's token service answered {}",
                response.status().as_u16()
            )));
        }
        if !response.status().is_success() {
            return Err(refused(
                "credentials_rejected",
                "Google rejected the RBM service account (check its key and RBM access).",
            ));
        }
        #[derive(Deserialize)]
        struct Token {
            access_token: String,
            expires_in: u64,
        }
        let token: Token = response.json().await.map_err(|_| {
            ProviderError::Transient("Google's token answer had no access token".into())
        })?;
        let until = Instant::now() + Duration::from_secs(token.expires_in.saturating_sub(60));
        *cached = Some((token.access_token.clone(), until));
        Ok(token.access_token)
    }

    /// Maps an RBM error answer (404 is handled by the caller).
    fn error(status: StatusCode) -> ProviderError {
        match status.as_u16() {
            429 | 500..=599 => {
                ProviderError::Transient(format!("RBM answered {}", status.as_u16()))
            }
            401 | 403 => refused(
                "credentials_rejected",
                "Google refused the RBM agent's credentials (or the agent is not launched).",
            ),
            400 => refused(
                "rcs_unsupported_content",
                "The customer's phone cannot show this RCS message.",
            ),
            other => refused(
                &format!("rbm_{other}"),
                format!("RBM refused the message ({other})."),
            ),
        }
    }
}

/// Why a message goes by SMS when the number has no RCS.
pub const NOT_RCS_CAPABLE: &str = "The customer's phone cannot receive RCS messages.";
/// Why a message goes by SMS when it expired.
pub const EXPIRED: &str = "The RCS message expired before it was delivered.";

/// The `X-Goog-Signature` value for an event's decoded data.
pub fn signature(client_token: &str, data: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha512>::new_from_slice(client_token.as_bytes())
        .expect("HMAC takes any key length");
    mac.update(data);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[async_trait]
impl Provider for Rbm {
    fn name(&self) -> &str {
        "rbm"
    }

    /// RBM ignores a second message with an id it has seen (our UUID).
    fn deduplicates(&self) -> bool {
        true
    }

    async fn send(&self, message: &OutboundMessage) -> Result<ProviderReceipt, ProviderError> {
        let token = self.access_token().await?;
        let phone = format!("{}/v1/phones/{}", self.base, message.to);
        let capabilities = self
            .client
            .get(format!("{phone}/capabilities"))
            .query(&[
                ("requestId", uuid::Uuid::new_v4().to_string()),
                ("agentId", self.agent_id.clone()),
            ])
            .bearer_auth(&token)
            .send()
            .await
            .map_err(|e| unreachable("RBM", &e))?;
        match capabilities.status() {
            s if s.is_success() => {}
            StatusCode::NOT_FOUND => {
                return Err(ProviderError::SwitchToSms(NOT_RCS_CAPABLE.into()))
            }
            s => return Err(Self::error(s)),
        }
        let created = self
            .client
            .post(format!("{phone}/agentMessages"))
            .query(&[
                ("messageId", message.uuid.to_string()),
                ("agentId", self.agent_id.clone()),
            ])
            .bearer_auth(&token)
            .json(&json!({
                "contentMessage": {"text": message.body},
                "ttl": format!("{}s", self.ttl.as_secs()),
            }))
            .send()
            .await
            .map_err(|e| unreachable("RBM", &e))?;
        let detail = match created.status() {
            s if s.is_success() => "Sent by RCS",
            // The id was used before: this is a redelivery of a message already sent.
            StatusCode::CONFLICT => "Sent by RCS earlier",
            StatusCode::NOT_FOUND => {
                return Err(ProviderError::SwitchToSms(NOT_RCS_CAPABLE.into()))
            }
            s => return Err(Self::error(s)),
        };
        // RBM reports no `sent` event: the platform taking the message is that step.
        Ok(ProviderReceipt {
            provider: self.name().to_owned(),
            provider_message_id: message.uuid.to_string(),
            sent: Some(detail.to_owned()),
        })
    }
}

#[derive(Deserialize)]
struct Push {
    message: PushMessage,
}

#[derive(Deserialize)]
struct PushMessage {
    data: String,
}

/// The console's one-time setup request.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Setup {
    client_token: String,
    secret: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Event {
    event_type: Option<String>,
    message_id: Option<String>,
    send_time: Option<String>,
    /// A user message: the sender, and what they wrote or tapped.
    sender_phone_number: Option<String>,
    text: Option<String>,
    suggestion_response: Option<SuggestionResponse>,
    agent_id: Option<String>,
}

#[derive(Deserialize)]
struct SuggestionResponse {
    text: Option<String>,
}

/// When an event says it happened (now, when it does not say).
fn event_time(event: &Event) -> time::OffsetDateTime {
    event
        .send_time
        .as_deref()
        .and_then(|t| {
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
        })
        .unwrap_or_else(now)
}

/// A user message (text, or a suggestion tapped): what the customer wrote to the agent.
fn user_message(event: &Event) -> Result<Option<InboundMessage>, WebhookError> {
    let text = event.text.clone().or_else(|| {
        event
            .suggestion_response
            .as_ref()
            .and_then(|s| s.text.clone())
    });
    let (Some(text), Some(from), Some(id)) = (
        text,
        event.sender_phone_number.as_deref(),
        event.message_id.as_deref(),
    ) else {
        return Ok(None);
    };
    Ok(Some(InboundMessage {
        from: super::customer_number(from)?,
        channel: Channel::Rcs,
        to_sender: event.agent_id.clone().unwrap_or_default(),
        provider_message_id: id.to_owned(),
        text,
        at: event_time(event),
        replying_to: None,
    }))
}

impl Account for Rbm {
    fn receive(&self, request: &WebhookRequest<'_>) -> Result<WebhookReply, WebhookError> {
        // Unsigned: only the console's one-time setup (which proves itself by the token).
        let Some(given) = request.headers.get("x-goog-signature") else {
            let setup = serde_json::from_slice::<Setup>(request.body)
                .map_err(|_| WebhookError::Signature)?;
            return if same_bytes(setup.client_token.as_bytes(), self.client_token.as_bytes()) {
                Ok(WebhookReply::Handshake(setup.secret))
            } else {
                Err(WebhookError::Signature)
            };
        };
        let push: Push =
            serde_json::from_slice(request.body).map_err(|_| WebhookError::Signature)?;
        let data = base64::engine::general_purpose::STANDARD
            .decode(push.message.data.as_bytes())
            .map_err(|_| WebhookError::Signature)?;
        let expected = signature(&self.client_token, &data);
        if !same_bytes(given.as_bytes(), expected.as_bytes()) {
            return Err(WebhookError::Signature);
        }
        let event: Event = serde_json::from_slice(&data)
            .map_err(|e| WebhookError::Malformed(format!("not an RBM event: {e}")))?;
        if let Some(inbound) = user_message(&event)? {
            return Ok(WebhookReply::Events(inbound.into()));
        }
        let Some(message) = event
            .message_id
            .as_deref()
            .and_then(|m| uuid::Uuid::parse_str(m).ok())
            .map(MessageRef::Ours)
        else {
            // Events about messages we did not send.
            return Ok(WebhookReply::Events(WebhookEvents::default()));
        };
        let at = event_time(&event);
        let status = |status: NotificationStatus, detail: &str| {
            ReportedChange::Status(StatusUpdate {
                status,
                at,
                detail: Some(detail.into()),
                error: None,
            })
        };
        let change = match event.event_type.as_deref() {
            Some("DELIVERED") => status(NotificationStatus::Delivered, "Delivered by RCS"),
            Some("READ") => status(NotificationStatus::Read, "Read by the customer (RCS)"),
            Some("TTL_EXPIRATION_REVOKED") => ReportedChange::FallBackToSms(EXPIRED.into()),
            // IS_TYPING, TTL_EXPIRATION_REVOKE_FAILED (delivery uncertain), replies…
            _ => return Ok(WebhookReply::Events(WebhookEvents::default())),
        };
        Ok(WebhookReply::Events(
            vec![ProviderReport { message, change }].into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// HMAC-SHA512 test case 2 of RFC 4231 (key "Jefe"), base64 as Google sends it.
    #[test]
    fn signs_with_hmac_sha512_in_base64() {
        let hex = "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737";
        let expected =
            base64::engine::general_purpose::STANDARD.encode(::hex::decode(hex).expect("hex"));
        assert_eq!(signature("Jefe", b"what do ya want for nothing?"), expected);
    }
}

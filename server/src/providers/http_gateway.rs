//! The generic HTTP gateway provider: for an in-house or aggregator gateway that takes
//! one JSON request per message. Our message UUID is the client reference, so a
//! redelivered job can never become a second customer message.
//!
//! ```text
//! POST {url}                                   Authorization: Bearer {token}
//! {"reference": "<uuid>", "channel": "sms", "to": "+919876543210",
//!  "body": "…", "template_id": "…", "parameters": {"name": "value"},
//!  "dlt": {"entity_id": "…", "template_id": "…", "header": "…"}}   (SMS with DLT ids)
//!
//! 200/201/202 {"id": "…"}   taken (the message becomes `sent`)
//! 409 {"id": "…"}           this reference was taken before: taken, not sent again
//! 429, 5xx, timeout         temporary: retried with backoff
//! other 4xx {"error": {"code": "…", "message": "…"}}   refused: `failed` with that reason
//! ```

use app::domain::{Channel, FailureReason};
use app::service::{OutboundMessage, Provider, ProviderError, ProviderReceipt};
use async_trait::async_trait;
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

/// The HTTP gateway provider.
pub struct HttpGatewayProvider {
    client: reqwest::Client,
    url: String,
    token: Option<SecretString>,
}

#[derive(Deserialize)]
struct Accepted {
    id: String,
}

#[derive(Deserialize)]
struct Refused {
    error: FailureReason,
}

impl HttpGatewayProvider {
    /// A gateway at `url`, answering within `timeout`.
    pub fn new(
        url: String,
        token: Option<SecretString>,
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .pool_max_idle_per_host(super::IDLE_CONNECTIONS)
            .build()?;
        Ok(Self { client, url, token })
    }
}

#[async_trait]
impl Provider for HttpGatewayProvider {
    fn name(&self) -> &str {
        "http"
    }

    /// The gateway answers 409 to a reference (our UUID) it has taken.
    fn deduplicates(&self) -> bool {
        true
    }

    async fn send(&self, message: &OutboundMessage) -> Result<ProviderReceipt, ProviderError> {
        let parameters: serde_json::Map<String, serde_json::Value> = message
            .parameters
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        let mut body = json!({
            "reference": message.uuid.to_string(),
            "channel": message.channel.as_str(),
            "to": message.to,
            "body": message.body,
            "template_id": message.template_id.as_str(),
            "parameters": parameters,
        });
        // India's DLT registration, for a gateway that passes it on to the operators.
        let refs = &message.provider_ref;
        if message.channel == Channel::Sms && refs.dlt_missing().len() < 3 {
            body["dlt"] = json!({
                "entity_id": refs.dlt_entity_id,
                "template_id": refs.dlt_template_id,
                "header": refs.dlt_header,
            });
        }
        let mut request = self.client.post(&self.url).json(&body);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token.expose_secret());
        }
        let response = request.send().await.map_err(|e| {
            ProviderError::Transient(if e.is_timeout() {
                "the gateway did not answer in time".into()
            } else {
                "the gateway could not be reached".into()
            })
        })?;
        let status = response.status();
        if status.is_success() || status == StatusCode::CONFLICT {
            let accepted: Accepted = response.json().await.map_err(|_| {
                ProviderError::Transient("the gateway's answer had no message id".into())
            })?;
            // The gateway's taking it is the `sent` step; a 409 is a redelivery of a
            // message it took before (`sent` again, in case the first was lost with its
            // worker: a repeat is ignored).
            let detail = if status.is_success() {
                "Taken by the gateway"
            } else {
                "Taken by the gateway earlier"
            };
            return Ok(ProviderReceipt {
                provider: self.name().to_owned(),
                provider_message_id: accepted.id,
                sent: Some(detail.to_owned()),
            });
        }
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            return Err(ProviderError::Transient(format!(
                "the gateway answered {}",
                status.as_u16()
            )));
        }
        let reason = match response.json::<Refused>().await {
            Ok(refused) => refused.error,
            Err(_) => FailureReason {
                code: format!("gateway_{}", status.as_u16()),
                message: format!("The gateway refused the message ({}).", status.as_u16()),
            },
        };
        Err(ProviderError::Permanent(reason))
    }
}

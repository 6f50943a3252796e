//! Twilio Programmable Messaging: SMS and WhatsApp (`whatsapp:` addresses; WhatsApp
//! templates as a Content SID with positional `ContentVariables`). Each message's
//! `StatusCallback` is the account's webhook URL with our UUID in the query, so a
//! callback finds its message even before Twilio's SID is stored. Callbacks are signed
//! with `X-Twilio-Signature`: base64 HMAC-SHA1, keyed with the auth token, over the URL
//! followed by every form parameter, sorted by name, as name then value.

use super::{
    credential, refused, same_bytes, unreachable, webhook_url, Account, Context, MessageRef,
    ProviderReport, ReportedChange, WebhookError, WebhookEvents, WebhookReply, WebhookRequest,
};
use app::domain::{Channel, FailureReason, NotificationStatus};
use app::service::{now, OutboundMessage, Provider, ProviderError, ProviderReceipt, StatusUpdate};
use app::service::{InboundMessage, StoredProviderAccount};
use async_trait::async_trait;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use time::format_description::well_known::Rfc2822;
use time::OffsetDateTime;

/// A Twilio account.
pub struct Twilio {
    client: reqwest::Client,
    messages_url: String,
    account_sid: String,
    auth_token: String,
    sender: String,
    webhook_url: String,
}

impl Twilio {
    /// The account `stored` (credentials `account_sid`, `auth_token`).
    pub fn new(context: &Context, stored: &StoredProviderAccount) -> anyhow::Result<Self> {
        let account_sid = credential(stored, "account_sid")?.to_owned();
        Ok(Self {
            client: context.client.clone(),
            messages_url: format!(
                "{}/2010-04-01/Accounts/{account_sid}/Messages.json",
                context.endpoints.twilio.trim_end_matches('/')
            ),
            auth_token: credential(stored, "auth_token")?.to_owned(),
            account_sid,
            sender: stored.account.sender.clone(),
            webhook_url: webhook_url(&context.public_url, "twilio", &stored.account.id),
        })
    }

    fn form(
        &self,
        message: &OutboundMessage,
    ) -> Result<Vec<(&'static str, String)>, ProviderError> {
        let whatsapp = message.channel == Channel::Whatsapp;
        let address = |number: &str| {
            if whatsapp {
                format!("whatsapp:{number}")
            } else {
                number.to_owned()
            }
        };
        let mut form = vec![("To", address(&message.to))];
        if self.sender.starts_with("MG") {
            form.push(("MessagingServiceSid", self.sender.clone()));
        } else {
            form.push(("From", address(&self.sender)));
        }
        match &message.provider_ref.twilio_content_sid {
            Some(sid) => {
                // Content variables are positional: "1" is the first field, and so on.
                let variables: serde_json::Map<String, serde_json::Value> = message
                    .parameters
                    .iter()
                    .enumerate()
                    .map(|(i, (_, value))| ((i + 1).to_string(), value.clone().into()))
                    .collect();
                form.push(("ContentSid", sid.clone()));
                form.push((
                    "ContentVariables",
                    serde_json::Value::Object(variables).to_string(),
                ));
            }
            None if whatsapp => {
                return Err(refused(
                    "template_not_registered",
                    "This WhatsApp template has no Twilio Content SID (HX…); add it to the template's provider references.",
                ))
            }
            None => form.push(("Body", message.body.clone())),
        }
        form.push((
            "StatusCallback",
            format!("{}?message={}", self.webhook_url, message.uuid),
        ));
        Ok(form)
    }
}

/// Twilio's error body.
#[derive(Deserialize)]
struct TwilioError {
    code: Option<u32>,
    message: Option<String>,
}

#[derive(Deserialize)]
struct Created {
    sid: String,
}

/// A page of Twilio's message list (newest first).
#[derive(Deserialize)]
struct MessagePage {
    messages: Vec<Listed>,
}

/// A message as Twilio lists it.
#[derive(Deserialize)]
struct Listed {
    sid: String,
    body: Option<String>,
    /// RFC 2822, as Twilio writes dates.
    date_created: String,
}

/// How far Twilio's clock may be behind ours when a message is looked for.
const CLOCK_SKEW: time::Duration = time::Duration::minutes(1);

impl Twilio {
    /// The message Twilio created for `message` since `since`: the messages to its
    /// recipient created since then (less a clock's skew), matched by body; a template
    /// (whose body Twilio renders) matches only when it is the one candidate.
    async fn find(
        &self,
        message: &OutboundMessage,
        since: OffsetDateTime,
    ) -> Result<Option<String>, String> {
        let to = self
            .form(message)
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|(name, _)| *name == "To")
            .map(|(_, to)| to)
            .unwrap_or_default();
        let response = self
            .client
            .get(&self.messages_url)
            .basic_auth(&self.account_sid, Some(&self.auth_token))
            .query(&[("To", to.as_str()), ("PageSize", "50")])
            .send()
            .await
            // The URL carries the customer's number: never in an error (logs).
            .map_err(|e| e.without_url().to_string())?;
        if !response.status().is_success() {
            return Err(format!("Twilio answered {}", response.status().as_u16()));
        }
        let page: MessagePage = response
            .json()
            .await
            .map_err(|e| e.without_url().to_string())?;
        let recent: Vec<Listed> = page
            .messages
            .into_iter()
            .filter(|m| {
                OffsetDateTime::parse(&m.date_created, &Rfc2822)
                    .is_ok_and(|created| created >= since - CLOCK_SKEW)
            })
            .collect();
        let templated = message.provider_ref.twilio_content_sid.is_some();
        let found = match recent
            .iter()
            .find(|m| m.body.as_deref() == Some(&message.body))
        {
            Some(same) => Some(same.sid.clone()),
            None if templated && recent.len() == 1 => Some(recent[0].sid.clone()),
            None => None,
        };
        Ok(found)
    }
}

/// What a Twilio error code means for the message: `None` when it is worth retrying.
fn failure(code: u32, twilio_message: Option<&str>) -> Option<FailureReason> {
    let (ours, text) = match code {
        20429 | 21611 | 30001 | 63018 | 63119 => return None,
        20003 => (
            "credentials_rejected",
            "Twilio rejected the account's credentials.",
        ),
        21211 | 30005 => ("invalid_number", "The number is not a valid phone number."),
        21610 => (
            "opted_out",
            "The customer has opted out of messages from this sender (replied STOP).",
        ),
        21614 | 21635 | 30006 => (
            "not_mobile",
            "The number cannot receive text messages (a landline or an unreachable carrier).",
        ),
        21612 => ("unroutable", "Twilio cannot route messages to this number."),
        21608 => (
            "unverified_number",
            "The Twilio trial account can only send to verified numbers.",
        ),
        21901 => (
            "dlt_template_invalid",
            "The DLT template id is not valid for this message.",
        ),
        30003 => (
            "unreachable",
            "The customer's phone could not be reached (switched off or out of coverage).",
        ),
        30007 => ("filtered", "The carrier filtered the message as spam."),
        63016 => (
            "outside_window",
            "Outside the 24-hour WhatsApp window: only an approved template can be sent.",
        ),
        63028 => (
            "template_parameters",
            "The number of parameters does not match the approved WhatsApp template.",
        ),
        _ => {
            return Some(FailureReason {
                code: format!("twilio_{code}"),
                message: twilio_message.map_or_else(
                    || format!("Twilio refused the message (error {code})."),
                    |m| format!("Twilio refused the message: {m} (error {code})."),
                ),
            })
        }
    };
    Some(FailureReason {
        code: ours.into(),
        message: text.into(),
    })
}

/// The `X-Twilio-Signature` of a form callback to `url` with `params`.
pub fn signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(auth_token.as_bytes())
        .expect("HMAC takes any key length");
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[async_trait]
impl Provider for Twilio {
    fn name(&self) -> &str {
        "twilio"
    }

    async fn send(&self, message: &OutboundMessage) -> Result<ProviderReceipt, ProviderError> {
        let form = self.form(message)?;
        let response = self
            .client
            .post(&self.messages_url)
            .basic_auth(&self.account_sid, Some(&self.auth_token))
            .form(&form)
            .send()
            .await
            .map_err(|e| unreachable("Twilio", &e))?;
        let status = response.status();
        if status.is_success() {
            let created: Created = response
                .json()
                .await
                .map_err(|_| ProviderError::Unknown("Twilio's answer had no sid".into()))?;
            return Ok(ProviderReceipt {
                provider: self.name().to_owned(),
                provider_message_id: created.sid,
                sent: None,
            });
        }
        if status.as_u16() == 429 || status.is_server_error() {
            return Err(ProviderError::Transient(format!(
                "Twilio answered {}",
                status.as_u16()
            )));
        }
        let error: Option<TwilioError> = response.json().await.ok();
        let code = error.as_ref().and_then(|e| e.code).unwrap_or(0);
        match failure(code, error.as_ref().and_then(|e| e.message.as_deref())) {
            None => Err(ProviderError::Transient(format!(
                "Twilio is busy (error {code})"
            ))),
            Some(reason) => Err(ProviderError::Permanent(reason)),
        }
    }

    async fn lookup(
        &self,
        message: &OutboundMessage,
        since: OffsetDateTime,
    ) -> Option<ProviderReceipt> {
        match self.find(message, since).await {
            Ok(found) => found.map(|sid| ProviderReceipt {
                provider: self.name().to_owned(),
                provider_message_id: sid,
                sent: None,
            }),
            Err(reason) => {
                tracing::warn!(notification = %message.uuid, %reason, "could not look the message up at Twilio");
                None
            }
        }
    }
}

impl Account for Twilio {
    fn receive(&self, request: &WebhookRequest<'_>) -> Result<WebhookReply, WebhookError> {
        let params = signed_params(&self.auth_token, request)?;
        let field = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        // A customer's message (the number's "A message comes in" webhook).
        if field("SmsStatus") == Some("received") && field("MessageStatus").is_none() {
            let from = field("From").ok_or_else(|| WebhookError::Malformed("no From".into()))?;
            let channel = if from.starts_with("whatsapp:") {
                Channel::Whatsapp
            } else {
                Channel::Sms
            };
            let to = field("To").unwrap_or_default();
            return Ok(WebhookReply::Events(
                InboundMessage {
                    from: super::customer_number(from)?,
                    channel,
                    to_sender: to.trim_start_matches("whatsapp:").to_owned(),
                    provider_message_id: field("MessageSid")
                        .or(field("SmsSid"))
                        .ok_or_else(|| WebhookError::Malformed("no MessageSid".into()))?
                        .to_owned(),
                    text: field("Body").unwrap_or_default().to_owned(),
                    at: now(),
                    replying_to: field("OriginalRepliedMessageSid").map(str::to_owned),
                }
                .into(),
            ));
        }
        let message = match request
            .query
            .get("message")
            .and_then(|m| uuid::Uuid::parse_str(m).ok())
        {
            Some(uuid) => MessageRef::Ours(uuid),
            None => MessageRef::Provider(
                field("MessageSid")
                    .or(field("SmsSid"))
                    .ok_or_else(|| WebhookError::Malformed("no MessageSid".into()))?
                    .to_owned(),
            ),
        };
        let reported = field("MessageStatus")
            .or(field("SmsStatus"))
            .ok_or_else(|| WebhookError::Malformed("no MessageStatus".into()))?;
        let (status, detail) = match reported {
            "sent" => (NotificationStatus::Sent, "Sent to the carrier"),
            "delivered" => (NotificationStatus::Delivered, "Delivered to the handset"),
            "read" => (NotificationStatus::Read, "Read by the customer"),
            "failed" | "undelivered" => (NotificationStatus::Failed, ""),
            // queued, accepted, sending, scheduled…: nothing new for the agent.
            _ => return Ok(WebhookReply::Events(WebhookEvents::default())),
        };
        let update = if status == NotificationStatus::Failed {
            let code = field("ErrorCode").and_then(|c| c.parse().ok()).unwrap_or(0);
            let reason = failure(code, None).unwrap_or_else(|| FailureReason {
                code: "provider_failed".into(),
                message: format!("Twilio could not deliver the message (error {code})."),
            });
            StatusUpdate {
                status,
                at: now(),
                detail: Some(reason.message.clone()),
                error: Some(reason),
            }
        } else {
            StatusUpdate {
                status,
                at: now(),
                detail: Some(format!("{detail} (Twilio)")),
                error: None,
            }
        };
        Ok(WebhookReply::Events(
            vec![ProviderReport {
                message,
                change: ReportedChange::Status(update),
            }]
            .into(),
        ))
    }
}

/// `url` with its scheme's standard port added, or removed if it has it.
fn with_port_toggled(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let port = match scheme {
        "https" => ":443",
        "http" => ":80",
        _ => return None,
    };
    let split = rest.find(['/', '?']).unwrap_or(rest.len());
    let (host, path) = rest.split_at(split);
    Some(match host.strip_suffix(port) {
        Some(bare) => format!("{scheme}://{bare}{path}"),
        None => format!("{scheme}://{host}{port}{path}"),
    })
}

/// The form's parameters, once `X-Twilio-Signature` proves Twilio sent them with the
/// account's auth token.
fn signed_params(
    auth_token: &str,
    request: &WebhookRequest<'_>,
) -> Result<Vec<(String, String)>, WebhookError> {
    let given = request
        .headers
        .get("x-twilio-signature")
        .ok_or(WebhookError::Signature)?;
    let params: Vec<(String, String)> =
        serde_urlencoded::from_bytes(request.body).map_err(|_| WebhookError::Signature)?;
    // Proxies differ on whether the standard port is in the URL: accept either form.
    let signed = [Some(request.url.to_owned()), with_port_toggled(request.url)]
        .into_iter()
        .flatten()
        .any(|url| {
            let expected = signature(auth_token, &url, &params);
            same_bytes(given.as_bytes(), expected.as_bytes())
        });
    if signed {
        Ok(params)
    } else {
        Err(WebhookError::Signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(caller: &str) -> Vec<(String, String)> {
        // Deliberately not in sorted order: the signature sorts them.
        [
            ("To", "+18005551212"),
            ("CallSid", "CA1234567890ABCDE"),
            ("Digits", "1234"),
            ("Caller", caller),
            ("From", caller),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    const URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";

    /// The example in Twilio's webhook-security documentation (twilio-ruby sample).
    #[test]
    fn signs_the_documented_example() {
        assert_eq!(
            signature("12345", URL, &example("+12349013030")),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );
    }

    #[test]
    fn the_standard_port_is_added_or_removed() {
        assert_eq!(
            with_port_toggled("https://n.example.com/webhooks/twilio/a?message=1").as_deref(),
            Some("https://n.example.com:443/webhooks/twilio/a?message=1")
        );
        assert_eq!(
            with_port_toggled("http://n.example.com:80/w").as_deref(),
            Some("http://n.example.com/w")
        );
    }

    /// The vector in Twilio's own SDK tests (twilio-csharp RequestValidatorTest).
    #[test]
    fn signs_the_sdk_test_vector() {
        assert_eq!(
            signature("12345", URL, &example("+14158675309")),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        );
    }
}

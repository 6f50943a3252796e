//! What a provider's webhook is to us: the request as it arrived, what it reported,
//! and why one is refused.

use super::*;

/// A webhook request as it arrived, before any parsing.
pub struct WebhookRequest<'a> {
    /// The URL the provider called (the public base URL, path and query).
    pub url: &'a str,
    /// The query parameters.
    pub query: &'a BTreeMap<String, String>,
    /// The headers.
    pub headers: &'a HeaderMap,
    /// The raw body, exactly as received (signatures are computed over it).
    pub body: &'a [u8],
}

/// What a provider made of a webhook request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookReply {
    /// Status events to apply and customers' messages to record (maybe none: typing
    /// indicators).
    Events(WebhookEvents),
    /// A setup handshake: answer 200 with this text.
    Handshake(String),
}

impl WebhookReply {
    /// Nothing new for the agent (a step we do not show, a typing indicator).
    pub fn nothing() -> Self {
        Self::Events(WebhookEvents::default())
    }

    /// One status change of our message `uuid`.
    pub fn status(uuid: uuid::Uuid, update: app::service::StatusUpdate) -> Self {
        Self::Events(
            vec![ProviderReport {
                message: MessageRef::Ours(uuid),
                change: ReportedChange::Status(update),
            }]
            .into(),
        )
    }
}

/// The events of one webhook request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookEvents {
    /// Status changes of messages we sent.
    pub reports: Vec<ProviderReport>,
    /// Customers' messages.
    pub inbound: Vec<InboundMessage>,
}

impl From<Vec<ProviderReport>> for WebhookEvents {
    fn from(reports: Vec<ProviderReport>) -> Self {
        Self {
            reports,
            inbound: Vec::new(),
        }
    }
}

impl From<InboundMessage> for WebhookEvents {
    fn from(message: InboundMessage) -> Self {
        Self {
            reports: Vec::new(),
            inbound: vec![message],
        }
    }
}

/// The customer's number as a provider gives it (`+919876543210`, `919876543210`,
/// `whatsapp:+919876543210`), in E.164; an Indian national number (`09876543210`,
/// Exotel) is read in India.
pub fn customer_number(text: &str) -> Result<app::domain::E164, WebhookError> {
    let bare = text.trim();
    let bare = bare.split_once(':').map_or(bare, |(_, n)| n).trim();
    let international = if bare.starts_with('+') {
        bare.to_owned()
    } else if let Some(national) = bare.strip_prefix('0') {
        format!("+91{national}")
    } else {
        format!("+{bare}")
    };
    // A valid number may be shorter than E.164's usual eight digits (Tokelau).
    app::domain::E164::parse(&international)
        .or_else(|_| app::domain::PhoneNumber::parse_e164(&international).map(|n| n.to_e164()))
        .map_err(|_| WebhookError::Malformed("the sender is not a phone number".into()))
}

/// Why a webhook request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// Missing or wrong signature: 401, nothing changes.
    #[error("missing or invalid signature")]
    Signature,
    /// Signed, but not something we can read: 400.
    #[error("{0}")]
    Malformed(String),
    /// This provider has no delivery webhooks.
    #[error("this provider has no webhooks")]
    Unsupported,
}

//! What providers answer, in our terms: the failures every module maps alike, a
//! receipt, signed callback URLs, reported changes, and a constant-time comparison.

use super::*;

/// A request that got no answer: one that never reached the provider is worth
/// retrying; one that went out and lost its answer (a timeout, a dropped connection)
/// may have been taken.
pub fn unreachable(provider: &str, error: &reqwest::Error) -> ProviderError {
    if error.is_connect() {
        ProviderError::Transient(format!("{provider} could not be reached"))
    } else if error.is_timeout() {
        ProviderError::Unknown(format!("{provider} did not answer in time"))
    } else {
        ProviderError::Unknown(format!("{provider}'s answer was lost"))
    }
}

/// A provider's answer that it is busy or broken (429, 5xx): worth retrying.
pub fn busy(provider: &str, status: reqwest::StatusCode) -> Option<ProviderError> {
    (status.as_u16() == 429 || status.is_server_error())
        .then(|| ProviderError::Transient(format!("{provider} answered {}", status.as_u16())))
}

/// A provider's 401 or 403: the account's credentials were refused (`why` says which).
pub fn credentials_rejected(status: reqwest::StatusCode, why: &str) -> Option<ProviderError> {
    matches!(status.as_u16(), 401 | 403).then(|| refused("credentials_rejected", why))
}

/// What a provider that took a message under id `id` answered (its reports say `sent`).
pub fn taken(provider: &str, id: String) -> ProviderReceipt {
    ProviderReceipt {
        provider: provider.to_owned(),
        provider_message_id: id,
        sent: None,
    }
}

/// A WhatsApp template's approved name and language code (the template's WhatsApp
/// language, else its own, else `en`); a template without a name is refused.
pub fn whatsapp_template(message: &OutboundMessage) -> Result<(&str, String), ProviderError> {
    let refs = &message.provider_ref;
    let name = refs.whatsapp_name.as_deref().ok_or_else(|| {
        refused(
            "template_not_registered",
            "This template has no approved WhatsApp template name; add it to the template's provider references.",
        )
    })?;
    let language = refs
        .whatsapp_language
        .clone()
        .or_else(|| message.language.clone())
        .unwrap_or_else(|| "en".into());
    Ok((name, language))
}

/// A refusal with a stable code and a reason people can act on.
pub fn refused(code: &str, message: impl Into<String>) -> ProviderError {
    ProviderError::Permanent(FailureReason {
        code: code.to_owned(),
        message: message.into(),
    })
}

/// Whom a callback of a provider that signs nothing is about, its URL's token checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenedCallback {
    /// A customer's message (the account's own webhook URL, `?message=inbound`).
    Inbound,
    /// A report about one of our messages.
    Message(uuid::Uuid),
}

/// The callback URL for message `uuid` of a provider that signs nothing: our UUID and
/// an HMAC of it keyed with the account's `secret`.
pub fn tokened_url(webhook_url: &str, secret: &str, uuid: &uuid::Uuid) -> String {
    let uuid = uuid.to_string();
    let token = app::service::admin::providers::url_token(secret, &uuid);
    format!("{webhook_url}?message={uuid}&token={token}")
}

/// Checks the token of a callback of a provider that signs nothing (see
/// [`tokened_url`]): without the right one, nothing in the request is read.
pub fn tokened_callback(
    request: &WebhookRequest<'_>,
    secret: &str,
) -> Result<TokenedCallback, WebhookError> {
    use app::service::admin::providers::{url_token, INBOUND};
    let subject = request
        .query
        .get("message")
        .ok_or(WebhookError::Signature)?;
    let token = request.query.get("token").ok_or(WebhookError::Signature)?;
    if !same_bytes(token.as_bytes(), url_token(secret, subject).as_bytes()) {
        return Err(WebhookError::Signature);
    }
    if subject == INBOUND {
        return Ok(TokenedCallback::Inbound);
    }
    uuid::Uuid::parse_str(subject)
        .map(TokenedCallback::Message)
        .map_err(|_| WebhookError::Signature)
}

/// A status change reported now, with a history line.
pub fn reported(
    status: app::domain::NotificationStatus,
    detail: &str,
) -> app::service::StatusUpdate {
    app::service::StatusUpdate {
        status,
        at: app::service::now(),
        detail: Some(detail.into()),
        error: None,
    }
}

/// A failure reported now, its reason as the history line.
pub fn reported_failure(reason: FailureReason) -> app::service::StatusUpdate {
    app::service::StatusUpdate {
        status: app::domain::NotificationStatus::Failed,
        at: app::service::now(),
        detail: Some(reason.message.clone()),
        error: Some(reason),
    }
}

/// A failure reason.
pub fn reason(code: &str, message: &str) -> FailureReason {
    FailureReason {
        code: code.into(),
        message: message.into(),
    }
}

/// Constant-time comparison of two byte strings (signatures).
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

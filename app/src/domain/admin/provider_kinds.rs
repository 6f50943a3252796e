//! The providers this build can send with, and what each needs.

use super::*;

/// A provider this build can send with, as the settings page offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProviderKind {
    /// The type name (`twilio`), also the webhook path segment.
    pub name: &'static str,
    /// The name people see.
    pub label: &'static str,
    /// The channels it sends on.
    pub channels: &'static [Channel],
    /// What the account's sender is.
    pub sender: &'static str,
    /// The credentials an account needs (all write-only).
    pub credentials: &'static [&'static str],
    /// For a provider that signs nothing: the credential that keys the token each
    /// callback URL carries (an HMAC of the message's UUID).
    pub url_token_key: Option<&'static str>,
}

/// Every provider type, the sandbox first.
pub const PROVIDER_KINDS: &[ProviderKind] = &[
    ProviderKind {
        name: "sandbox",
        label: "Sandbox (no real messages)",
        channels: &[Channel::Sms, Channel::Whatsapp, Channel::Rcs],
        sender: "Any name",
        credentials: &[],
        url_token_key: None,
    },
    ProviderKind {
        name: "twilio",
        label: "Twilio (SMS, WhatsApp)",
        channels: &[Channel::Sms, Channel::Whatsapp],
        sender: "The From number (with + and the country code) or a Messaging Service SID (MG…)",
        credentials: &["account_sid", "auth_token"],
        url_token_key: None,
    },
    ProviderKind {
        name: "meta",
        label: "Meta WhatsApp Cloud API",
        channels: &[Channel::Whatsapp],
        sender: "Phone number ID",
        credentials: &["access_token", "app_secret", "verify_token"],
        url_token_key: None,
    },
    ProviderKind {
        name: "rbm",
        label: "Google RCS Business Messaging",
        channels: &[Channel::Rcs],
        sender: "RBM agent ID",
        credentials: &["service_account_json", "client_token"],
        url_token_key: None,
    },
    ProviderKind {
        name: "exotel",
        label: "Exotel SMS (India DLT)",
        channels: &[Channel::Sms],
        sender: "DLT header (sender ID)",
        credentials: &["account_sid", "api_key", "api_token"],
        url_token_key: Some("api_token"),
    },
    ProviderKind {
        name: "sinch",
        label: "Sinch SMS",
        channels: &[Channel::Sms],
        sender: "The From number (with + and the country code), a short code or a sender name",
        credentials: &["service_plan_id", "api_token"],
        url_token_key: Some("api_token"),
    },
    ProviderKind {
        name: "sinch_conversation",
        label: "Sinch Conversation API (WhatsApp, RCS)",
        channels: &[Channel::Whatsapp, Channel::Rcs],
        sender: "Conversation API app ID",
        credentials: &["project_id", "key_id", "key_secret", "webhook_secret"],
        url_token_key: None,
    },
    ProviderKind {
        name: "kaleyra",
        label: "Kaleyra (India SMS with DLT, WhatsApp)",
        channels: &[Channel::Sms, Channel::Whatsapp],
        sender:
            "The DLT header (SMS) or the WhatsApp business number (with + and the country code)",
        credentials: &["sid", "api_key"],
        url_token_key: Some("api_key"),
    },
];

/// What the settings page calls credential `name` (the key stays the API's).
pub fn credential_label(name: &str) -> &str {
    match name {
        "account_sid" => "Account SID",
        "auth_token" => "Auth token",
        "access_token" => "Access token",
        "app_secret" => "App secret",
        "verify_token" => "Webhook verify token",
        "api_key" => "API key",
        "api_token" => "API token",
        "project_id" => "Project id",
        "key_id" => "Access key id",
        "key_secret" => "Access key secret",
        "webhook_secret" => "Webhook secret",
        "service_account_json" => "Service account key (JSON)",
        "client_token" => "Callback token",
        "service_plan_id" => "Service plan id",
        "sid" => "Account SID",
        other => other,
    }
}

impl ProviderKind {
    /// The provider type called `name`.
    pub fn named(name: &str) -> Option<&'static ProviderKind> {
        PROVIDER_KINDS.iter().find(|k| k.name == name)
    }

    /// The provider type an account names, or why there is none.
    pub fn of(input: &ProviderAccountInput) -> Result<&'static ProviderKind, FieldProblem> {
        Self::named(&input.provider).ok_or_else(|| {
            let known: Vec<&str> = PROVIDER_KINDS.iter().map(|k| k.name).collect();
            FieldProblem::new(
                "unknown_provider",
                format!(
                    "Unknown provider type; this build supports: {}.",
                    known.join(", ")
                ),
                "provider",
                "unknown",
            )
        })
    }

    /// The checks on an account's whole credentials (what was stored, with the input's
    /// changes applied) and its sender: every credential the type needs is set, a
    /// service-account key is a key file, and the sender is given.
    pub fn check_account(
        &self,
        credentials: &BTreeMap<String, String>,
        sender: &str,
    ) -> Result<(), FieldProblem> {
        if let Some(missing) = self
            .credentials
            .iter()
            .find(|name| !credentials.contains_key(**name))
        {
            return Err(FieldProblem::new(
                "missing_credential",
                format!(
                    "{} needs these credentials: {}.",
                    self.label,
                    self.credentials.join(", ")
                ),
                format!("credentials.{missing}"),
                "required",
            ));
        }
        if let Some(key) = credentials.get("service_account_json") {
            let fields = serde_json::from_str::<serde_json::Value>(key).ok();
            let readable = fields.as_ref().is_some_and(|v| {
                ["client_email", "private_key", "token_uri"]
                    .iter()
                    .all(|f| v[f].is_string())
            });
            if !readable {
                return Err(FieldProblem::new(
                    "invalid_credential",
                    "service_account_json must be the Google service-account key file (JSON with client_email, private_key and token_uri).",
                    "credentials.service_account_json",
                    "not a service-account key file",
                ));
            }
        }
        if sender.trim().is_empty() && self.name != "sandbox" {
            return Err(FieldProblem::new(
                "invalid_sender",
                format!("Give the account's sender: {}.", self.sender),
                "sender",
                "required",
            ));
        }
        Ok(())
    }
}

//! `[providers]`: the provider used when no account applies (read at load into
//! [`DefaultProvider`]), the sandbox's pace, the provider APIs' base URLs, send rates, and
//! the accounts kept in configuration.

use app::domain::{ProviderAccountId, ProviderKind, PROVIDER_KINDS};
use secrecy::SecretString;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// Messaging providers.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RawProviderSettings")]
pub struct ProviderSettings {
    /// The provider used when no account applies (`default`, with `[providers.http]`).
    pub default: DefaultProvider,
    /// Whether `default` was set: unset, the sandbox serves the embedded defaults only
    /// (with a production backend a channel with no account is not offered).
    pub default_named: bool,
    /// The sandbox's pace.
    pub sandbox: SandboxSettings,
    /// The provider APIs' base URLs.
    pub endpoints: Endpoints,
    /// Send-rate limits in messages per second, by account id or provider type (an
    /// account id wins); bursts over a limit are spread out, never refused.
    pub rate_per_second: BTreeMap<String, u32>,
    /// How long an RCS message may stay undelivered before it is sent by SMS.
    pub rcs_ttl_secs: u64,
    /// How long one request to a provider may take, in milliseconds.
    pub request_timeout_ms: u64,
    /// When an account counts as down (its messages move to the next account of a
    /// group's fallback chain).
    pub circuit: CircuitSettings,
    /// Provider accounts kept in configuration, by id: written to the settings store at
    /// every start (the configuration wins), then used like the settings page's.
    pub accounts: BTreeMap<ProviderAccountId, ConfiguredAccount>,
}

/// `[providers]` as written: `default` names the provider, `[providers.http]` holds the
/// gateway's settings; read into [`ProviderSettings`] at load.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawProviderSettings {
    default: Option<String>,
    sandbox: SandboxSettings,
    http: HttpGatewaySettings,
    endpoints: Endpoints,
    rate_per_second: BTreeMap<String, u32>,
    rcs_ttl_secs: u64,
    request_timeout_ms: u64,
    circuit: CircuitSettings,
    accounts: BTreeMap<ProviderAccountId, ConfiguredAccount>,
}

impl Default for RawProviderSettings {
    fn default() -> Self {
        let p = ProviderSettings::default();
        Self {
            default: None,
            sandbox: p.sandbox,
            http: HttpGatewaySettings::default(),
            endpoints: p.endpoints,
            rate_per_second: p.rate_per_second,
            rcs_ttl_secs: p.rcs_ttl_secs,
            request_timeout_ms: p.request_timeout_ms,
            circuit: p.circuit,
            accounts: p.accounts,
        }
    }
}

impl TryFrom<RawProviderSettings> for ProviderSettings {
    type Error = String;

    fn try_from(raw: RawProviderSettings) -> Result<Self, String> {
        let default = match raw.default.as_deref().unwrap_or("sandbox") {
            "sandbox" => DefaultProvider::Sandbox,
            "none" => DefaultProvider::None,
            "http" => DefaultProvider::Http(HttpGateway {
                url: raw.http.url.ok_or(
                    "providers.http.url must be set for providers.default = \"http\"",
                )?,
                token: raw.http.token,
                timeout: Duration::from_millis(raw.http.timeout_ms),
            }),
            _ => {
                return Err("providers.default: use `sandbox`, `http` or `none` (provider accounts come from the admin page)".into())
            }
        };
        Ok(Self {
            default,
            default_named: raw.default.is_some(),
            sandbox: raw.sandbox,
            endpoints: raw.endpoints,
            rate_per_second: raw.rate_per_second,
            rcs_ttl_secs: raw.rcs_ttl_secs,
            request_timeout_ms: raw.request_timeout_ms,
            circuit: raw.circuit,
            accounts: raw.accounts,
        })
    }
}

/// A provider account's circuit breaker: after `failures` sends in a row that got no
/// answer (5xx, 429, unreachable, timed out), the account is down for `open_secs`; then
/// one send is let through, and one more failure opens it again.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CircuitSettings {
    /// Failures in a row that open the circuit.
    pub failures: u32,
    /// Seconds it stays open.
    pub open_secs: u64,
}

impl Default for CircuitSettings {
    fn default() -> Self {
        Self {
            failures: 3,
            open_secs: 30,
        }
    }
}

/// Who sends a message no provider account applies to.
#[derive(Debug, Clone)]
pub enum DefaultProvider {
    /// The built-in sandbox: takes every message, sends nothing (`sandbox`).
    Sandbox,
    /// The generic HTTP gateway (`http`).
    Http(HttpGateway),
    /// None (`none`): a channel with no provider account is not offered.
    None,
}

/// The generic HTTP gateway: one JSON POST per message, our UUID as its reference.
#[derive(Debug, Clone)]
pub struct HttpGateway {
    /// Where messages are POSTed.
    pub url: String,
    /// Sent as `Authorization: Bearer …` when set.
    pub token: Option<SecretString>,
    /// How long one request may take.
    pub timeout: Duration,
}

/// The provider APIs' base URLs (overridable for self-hosted proxies and tests).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Endpoints {
    /// Twilio's REST API.
    pub twilio: String,
    /// The Graph API, with its version.
    pub meta: String,
    /// Google RBM.
    pub rbm: String,
    /// Google's OAuth token endpoint (RBM access tokens). Whatever a service-account
    /// key file names as its `token_uri`, only this endpoint is called.
    pub google_token: String,
    /// Exotel's API host (`https://api.in.exotel.com` for the Mumbai cluster).
    pub exotel: String,
    /// Sinch's SMS REST API, with its region (`https://eu.sms.api.sinch.com`).
    pub sinch_sms: String,
    /// Sinch's Conversation API, with its region (`https://eu.conversation.api.sinch.com`).
    pub sinch_conversation: String,
    /// Sinch's OAuth2 token endpoint (Conversation API access tokens).
    pub sinch_auth: String,
    /// Kaleyra's API host, with its pod (`https://api.eu.kaleyra.io`).
    pub kaleyra: String,
}

impl Default for Endpoints {
    fn default() -> Self {
        Self {
            twilio: "https://api.twilio.com".into(),
            meta: "https://graph.facebook.com/v21.0".into(),
            rbm: "https://rcsbusinessmessaging.googleapis.com".into(),
            google_token: "https://oauth2.googleapis.com/token".into(),
            exotel: "https://api.exotel.com".into(),
            sinch_sms: "https://us.sms.api.sinch.com".into(),
            sinch_conversation: "https://us.conversation.api.sinch.com".into(),
            sinch_auth: "https://us.auth.sinch.com/oauth2/token".into(),
            kaleyra: "https://api.in.kaleyra.io".into(),
        }
    }
}

/// Reads a provider type by its name: one of [`PROVIDER_KINDS`].
fn provider_kind<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<&'static ProviderKind, D::Error> {
    let name = String::deserialize(d)?;
    ProviderKind::named(&name).ok_or_else(|| {
        let known: Vec<&str> = PROVIDER_KINDS.iter().map(|k| k.name).collect();
        serde::de::Error::custom(format!(
            "provider `{name}` is not one of {}",
            known.join(", ")
        ))
    })
}

/// A provider account defined in configuration (`[providers.accounts.<id>]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfiguredAccount {
    /// The channel it sends on.
    pub channel: app::domain::Channel,
    /// The provider type (`twilio`, `meta`, `rbm`, `exotel`, `sandbox`, …): one this
    /// build can send with.
    #[serde(deserialize_with = "provider_kind")]
    pub provider: &'static ProviderKind,
    /// A name for people (default: the id).
    #[serde(default)]
    pub display_name: Option<String>,
    /// The sender identity.
    #[serde(default)]
    pub sender: String,
    /// Whether it is the channel's default account.
    #[serde(default)]
    pub default: bool,
    /// The credentials (set them through `NOTIFY_PROVIDERS__ACCOUNTS`, not the file).
    #[serde(default)]
    pub credentials: BTreeMap<String, SecretString>,
}

/// `[providers.http]` as written (see [`HttpGateway`]).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct HttpGatewaySettings {
    url: Option<String>,
    token: Option<SecretString>,
    timeout_ms: u64,
}

impl Default for HttpGatewaySettings {
    fn default() -> Self {
        Self {
            url: None,
            token: None,
            timeout_ms: 10_000,
        }
    }
}

/// How fast the sandbox provider walks a message through its statuses.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SandboxSettings {
    /// Milliseconds from hand-over to `sent`.
    pub sent_after_ms: u64,
    /// Milliseconds from `sent` to `delivered` (or `failed` for numbers ending 0000).
    pub delivered_after_ms: u64,
}

impl Default for ProviderSettings {
    fn default() -> Self {
        Self {
            // Unnamed, as an empty file: `Settings::load` resolves it by the backends.
            default: DefaultProvider::Sandbox,
            default_named: false,
            sandbox: SandboxSettings::default(),
            endpoints: Endpoints::default(),
            // Meta's default per business number; the others are conservative starts.
            rate_per_second: [
                ("meta", 80),
                ("twilio", 100),
                ("rbm", 100),
                ("exotel", 100),
                ("sinch", 30),
                ("sinch_conversation", 20),
                ("kaleyra", 100),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
            rcs_ttl_secs: 3600,
            request_timeout_ms: 10_000,
            circuit: CircuitSettings::default(),
            accounts: BTreeMap::new(),
        }
    }
}

impl Default for SandboxSettings {
    fn default() -> Self {
        Self {
            sent_after_ms: 1500,
            delivered_after_ms: 2500,
        }
    }
}

//! The admin's settings on the wire: groups and their Notification Type tab, agents,
//! provider accounts, the audit log.

use super::channel::Channel;
use super::ids::{GroupId, ProviderAccountId, TemplateId, UserId};
use super::phone::E164;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most templates a group may have per channel.
pub const MAX_TEMPLATES_PER_CHANNEL: usize = 5;

/// An agent group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// Its id (`demo`).
    pub id: GroupId,
    /// Its name.
    pub name: String,
    /// The country its agents' national numbers are read in (none: the deployment's),
    /// unless the CRM gives the customer's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_country: Option<super::CountryCode>,
}

/// Creating or renaming a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    /// The id (on create; derived from the name when absent).
    #[serde(default)]
    pub id: Option<GroupId>,
    /// The name.
    pub name: String,
    /// The ISO code national numbers are read in (absent or empty: the deployment's).
    #[serde(default)]
    pub default_country: Option<String>,
}

/// A saved Notification Type tab and what the admin should know about it (an SMS
/// template without DLT ids in a group that sends to India).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SavedTypes {
    /// The tab as saved.
    pub types: NotificationTypes,
    /// Warnings, for people.
    pub warnings: Vec<String>,
}

/// One channel of a group's Notification Type tab.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChannelMapping {
    /// Whether agents of the group may use the channel.
    #[serde(default)]
    pub enabled: bool,
    /// The templates they may use, in order (at most five).
    #[serde(default)]
    pub templates: Vec<TemplateId>,
    /// The provider account the group sends with on this channel (none: the channel's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<ProviderAccountId>,
    /// The accounts a message moves on to, in order, when the one before is down or
    /// refuses it for a reason of its own (never the customer's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fallback: Vec<ProviderAccountId>,
}

/// A group's Notification Type tab: one mapping per channel.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NotificationTypes {
    /// SMS.
    #[serde(default)]
    pub sms: ChannelMapping,
    /// WhatsApp.
    #[serde(default)]
    pub whatsapp: ChannelMapping,
    /// RCS.
    #[serde(default)]
    pub rcs: ChannelMapping,
}

impl NotificationTypes {
    /// The mapping of one channel.
    pub fn get(&self, channel: Channel) -> &ChannelMapping {
        match channel {
            Channel::Sms => &self.sms,
            Channel::Whatsapp => &self.whatsapp,
            Channel::Rcs => &self.rcs,
        }
    }

    /// The mapping of one channel, to change.
    pub fn get_mut(&mut self, channel: Channel) -> &mut ChannelMapping {
        match channel {
            Channel::Sms => &mut self.sms,
            Channel::Whatsapp => &mut self.whatsapp,
            Channel::Rcs => &mut self.rcs,
        }
    }
}

/// An agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Agent {
    /// The agent's id (the `sub` of their tokens).
    pub id: UserId,
    /// Their name.
    pub name: String,
    /// Their group.
    pub group_id: GroupId,
    /// Whether they may work: a switched-off agent's tokens are refused, their history
    /// kept (default: on).
    #[serde(default = "switched_on")]
    pub active: bool,
}

fn switched_on() -> bool {
    true
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Its sequence number.
    pub id: i64,
    /// When (RFC 3339 UTC).
    pub at: String,
    /// Which admin.
    pub actor: String,
    /// `create`, `update`, `delete`.
    pub action: String,
    /// `template`, `group`, `notification_types`, `agent`, `provider`.
    pub entity: String,
    /// The changed thing's id.
    pub entity_id: String,
    /// Before the change (none on create).
    pub before: Option<serde_json::Value>,
    /// After the change (none on delete).
    pub after: Option<serde_json::Value>,
}

/// A provider account as the settings page sees it: credentials are never shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProviderAccount {
    /// Its id.
    pub id: ProviderAccountId,
    /// The channel it sends on.
    pub channel: Channel,
    /// The provider type (`sandbox`, …).
    pub provider: String,
    /// A name for people.
    pub display_name: String,
    /// Sender identity: number, sender id or WhatsApp phone-number id.
    pub sender: String,
    /// The names of the credentials that are set (values are write-only).
    pub credentials_set: Vec<String>,
    /// Whether it is the channel's default account.
    pub default: bool,
    /// The URL to paste into the provider's console for delivery webhooks.
    pub webhook_url: String,
    /// Allow-list mode (trial and test accounts): only these numbers may receive; none:
    /// every number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_list: Option<Vec<E164>>,
    /// A short unique key (1 to 5 letters and digits, `KAL`), shown to agents beside
    /// the channel when their group sends it through more than one account.
    pub key: AccountKey,
    /// What the account is for, for admins.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// WhatsApp: the approved template agents may send once the customer's 24-hour
    /// window has closed (the widget offers it first then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recontact_template: Option<TemplateId>,
}

/// A provider account's short key: 1 to [`AccountKey::MAX`] ASCII letters and digits,
/// upper-cased (`KAL`, `TW2`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(try_from = "String", into = "String")]
pub struct AccountKey(String);

impl AccountKey {
    /// Longest key.
    pub const MAX: usize = 5;

    /// Reads a key (surrounding spaces ignored, letters upper-cased).
    pub fn parse(text: &str) -> Result<Self, FieldProblem> {
        let key = text.trim().to_ascii_uppercase();
        if key.is_empty()
            || key.len() > Self::MAX
            || !key.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(FieldProblem::new(
                "invalid_key",
                format!(
                    "The account's key is 1 to {} letters and digits (e.g. KAL).",
                    Self::MAX
                ),
                "key",
                "1 to 5 letters and digits",
            ));
        }
        Ok(Self(key))
    }

    /// A key for an account of provider type `provider` that none of `taken` has: the
    /// type's first three letters, then a number if they are taken.
    pub fn suggest(provider: &str, taken: &[AccountKey]) -> Self {
        let stem: String = provider
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(3)
            .collect::<String>()
            .to_ascii_uppercase();
        let stem = if stem.is_empty() {
            "ACC".to_owned()
        } else {
            stem
        };
        std::iter::once(stem.clone())
            .chain((2..).map(|n| format!("{stem}{n}")))
            .map(Self)
            .find(|k| !taken.contains(k))
            .expect("an endless list has a free key")
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for AccountKey {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        Self::parse(&text).map_err(|p| p.message)
    }
}

impl From<AccountKey> for String {
    fn from(key: AccountKey) -> String {
        key.0
    }
}

impl std::fmt::Display for AccountKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Longest account description.
pub const DESCRIPTION_MAX: usize = 500;

/// How a channel's messages go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sending {
    /// Through a real provider account.
    Account,
    /// To the built-in sandbox: test mode, nothing is really sent.
    Sandbox,
    /// Through the deployment's generic HTTP gateway (`providers.default = "http"`).
    Gateway,
    /// Nowhere: no account applies and the deployment has no default provider, so the
    /// channel is not offered.
    Unavailable,
}

impl Sending {
    /// The words the settings page uses.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Account => "sent through this account",
            Self::Sandbox => "the sandbox is in use (test mode: messages are not really sent)",
            Self::Gateway => "sent through the deployment's HTTP gateway",
            Self::Unavailable => "no account: agents are not offered this channel",
        }
    }
}

/// A channel's sending set-up as the settings page shows it: its default account, if
/// any, and how its messages go out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChannelSetup {
    /// The channel.
    pub channel: Channel,
    /// Its default account's name, if it has one (a group may choose another).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// How its messages go out.
    pub sends: Sending,
}

/// A provider account's webhook URL (`{public_url}/webhooks/{provider}/{account_id}`):
/// shown on the settings page and given to providers as their callback address.
pub fn webhook_url(public_url: &str, provider: &str, account_id: &ProviderAccountId) -> String {
    format!(
        "{}/webhooks/{provider}/{account_id}",
        public_url.trim_end_matches('/')
    )
}

/// The key the messages an account took are recorded under (and its customers'
/// messages): its type and id, `twilio:tw-sms`.
pub fn account_key(provider: &str, account: &ProviderAccountId) -> String {
    format!("{provider}:{account}")
}

/// Creating or changing a provider account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProviderAccountInput {
    /// The id (on create; generated when absent).
    #[serde(default)]
    pub id: Option<ProviderAccountId>,
    /// The channel.
    pub channel: Channel,
    /// The provider type.
    pub provider: String,
    /// A name for people.
    pub display_name: String,
    /// Sender identity.
    #[serde(default)]
    pub sender: String,
    /// Credentials to set (a value of `""` removes one; absent ones are kept).
    #[serde(default)]
    pub credentials: BTreeMap<String, String>,
    /// Make it the channel's default account.
    #[serde(default)]
    pub default: bool,
    /// Allow-list mode: only these numbers (international form) may receive; absent or
    /// null: every number.
    #[serde(default)]
    pub allow_list: Option<Vec<String>>,
    /// The short key agents see (absent: kept, or made from the provider type).
    #[serde(default)]
    pub key: Option<String>,
    /// What the account is for (absent: kept; `""` clears it).
    #[serde(default)]
    pub description: Option<String>,
    /// WhatsApp: the template agents may send after the 24-hour window closed (absent
    /// or null: none).
    #[serde(default)]
    pub recontact_template: Option<TemplateId>,
}

impl ProviderAccountInput {
    /// The allow list in E.164, or the numbers that are not numbers by position.
    pub fn parsed_allow_list(&self) -> Result<Option<Vec<E164>>, FieldProblem> {
        let Some(list) = &self.allow_list else {
            return Ok(None);
        };
        let mut numbers = Vec::with_capacity(list.len());
        for (i, text) in list.iter().enumerate() {
            let text = text.trim();
            match super::PhoneNumber::parse(text, super::CountryCode::INDIA) {
                Ok(n) if text.starts_with('+') => numbers.push(n.to_e164()),
                _ => {
                    return Err(FieldProblem::new(
                        "invalid_allow_list",
                        "Give each allowed number in international form (+ and country code).",
                        format!("allow_list.{i}"),
                        "not a number in international form",
                    ))
                }
            }
        }
        numbers.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        numbers.dedup();
        Ok(Some(numbers))
    }
}

/// Creating or replacing a template (`kind` is derived from the body; if given it must agree).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    /// The id (on create; derived from the channel and name when absent).
    #[serde(default)]
    pub id: Option<TemplateId>,
    /// The name agents see (unique per channel).
    pub name: String,
    /// The channel.
    pub channel: Channel,
    /// The text with placeholders.
    pub body: String,
    /// One definition per placeholder.
    #[serde(default)]
    pub fields: Vec<super::template::TemplateField>,
    /// The language code.
    #[serde(default)]
    pub language: Option<String>,
    /// The provider's references.
    #[serde(default)]
    pub provider_ref: super::template::ProviderRef,
    /// `static` or `dynamic`, as read back from GET (checked, not stored).
    #[serde(default)]
    pub kind: Option<super::template::TemplateKind>,
}

/// A template as the settings page sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TemplateView {
    /// The template.
    #[serde(flatten)]
    pub template: super::template::Template,
    /// Static or dynamic.
    pub kind: super::template::TemplateKind,
}

impl From<super::template::Template> for TemplateView {
    fn from(template: super::template::Template) -> Self {
        Self {
            kind: template.kind(),
            template,
        }
    }
}

/// `POST /api/v1/admin/login` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// The admin's id.
    pub id: String,
    /// Their password.
    pub password: String,
}

/// A successful sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SignedIn {
    /// The bearer token for the admin endpoints.
    pub token: String,
    /// When it stops working (RFC 3339 UTC).
    pub expires_at: String,
}

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
        sender: "From number (+E.164) or Messaging Service SID (MG…)",
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
        sender: "From number (+E.164), short code or alphanumeric sender ID",
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
        sender: "DLT header (SMS) or WhatsApp business number (+E.164)",
        credentials: &["sid", "api_key"],
        url_token_key: Some("api_key"),
    },
];

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

/// One problem with what an admin entered: a stable code, a sentence for a person, and
/// the field it is about. The settings page shows it before saving; the server refuses
/// the same input with the same words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// Stable snake_case code.
    pub code: &'static str,
    /// For a person.
    pub message: String,
    /// The field's path (`credentials.auth_token`).
    pub field: String,
    /// The field's problem in a few words.
    pub problem: String,
}

impl FieldProblem {
    /// A problem with one field.
    pub fn new(
        code: &'static str,
        message: impl Into<String>,
        field: impl Into<String>,
        problem: impl Into<String>,
    ) -> Self {
        Self {
            code,
            message: message.into(),
            field: field.into(),
            problem: problem.into(),
        }
    }
}

/// Longest name of a group, agent or provider account.
pub const DISPLAY_NAME_MAX: usize = 100;

/// A name of 1 to [`DISPLAY_NAME_MAX`] characters, trimmed.
pub fn display_name(name: &str) -> Result<String, FieldProblem> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > DISPLAY_NAME_MAX {
        return Err(FieldProblem::new(
            "invalid_name",
            format!("Give a name of 1 to {DISPLAY_NAME_MAX} characters."),
            "name",
            format!("1 to {DISPLAY_NAME_MAX} characters"),
        ));
    }
    Ok(name.to_owned())
}

/// Longest provider account sender (numbers, sender ids, SIDs, agent ids).
pub const SENDER_MAX: usize = 120;

impl ProviderAccountInput {
    /// The checks that need only the input and its provider type: a channel the type
    /// sends, a sender of at most [`SENDER_MAX`] characters, only the type's credentials,
    /// a name. (What needs the stored account is [`ProviderKind::check_account`].)
    pub fn check(&self, kind: &ProviderKind) -> Result<(), FieldProblem> {
        if !kind.channels.contains(&self.channel) {
            return Err(FieldProblem::new(
                "wrong_channel",
                format!("{} does not send {}.", kind.label, self.channel.label()),
                "channel",
                "not supported by this provider",
            ));
        }
        if self.sender.chars().count() > SENDER_MAX {
            return Err(FieldProblem::new(
                "invalid_sender",
                format!("The sender is at most {SENDER_MAX} characters."),
                "sender",
                "too long",
            ));
        }
        if let Some(name) = self
            .credentials
            .keys()
            .find(|name| !kind.credentials.contains(&name.as_str()))
        {
            let takes = if kind.credentials.is_empty() {
                "none".to_owned()
            } else {
                kind.credentials.join(", ")
            };
            return Err(FieldProblem::new(
                "unknown_credential",
                format!("{} takes these credentials: {takes}.", kind.label),
                format!("credentials.{name}"),
                "unknown",
            ));
        }
        if self
            .description
            .as_ref()
            .is_some_and(|d| d.chars().count() > DESCRIPTION_MAX)
        {
            return Err(FieldProblem::new(
                "invalid_description",
                format!("The description is at most {DESCRIPTION_MAX} characters."),
                "description",
                "too long",
            ));
        }
        if self.recontact_template.is_some() && self.channel != Channel::Whatsapp {
            return Err(FieldProblem::new(
                "invalid_recontact_template",
                "Only a WhatsApp account has a recontact template (the 24-hour window is WhatsApp's).",
                "recontact_template",
                "only for WhatsApp",
            ));
        }
        if let Some(key) = &self.key {
            AccountKey::parse(key)?;
        }
        display_name(&self.display_name).map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn twilio(credentials: &[(&str, &str)], sender: &str) -> ProviderAccountInput {
        ProviderAccountInput {
            id: None,
            channel: Channel::Sms,
            provider: "twilio".into(),
            display_name: "Twilio SMS".into(),
            sender: sender.into(),
            credentials: credentials
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            default: false,
            allow_list: None,
            key: None,
            description: None,
            recontact_template: None,
        }
    }

    #[test]
    fn an_account_input_is_refused_by_the_field_at_fault() {
        let kind = ProviderKind::named("twilio").expect("twilio");
        let wrong_channel = ProviderAccountInput {
            channel: Channel::Rcs,
            ..twilio(&[], "+15005550006")
        };
        assert_eq!(
            wrong_channel.check(kind).map_err(|p| p.field),
            Err("channel".into())
        );
        let unknown = twilio(&[("api_key", "x")], "+15005550006");
        assert_eq!(
            unknown.check(kind).map_err(|p| (p.code, p.field)),
            Err(("unknown_credential", "credentials.api_key".into()))
        );
        let long_sender = twilio(&[], &"9".repeat(SENDER_MAX + 1));
        assert_eq!(
            long_sender.check(kind).map_err(|p| p.code),
            Err("invalid_sender")
        );
        assert_eq!(twilio(&[("auth_token", "x")], "+1").check(kind), Ok(()));
    }

    #[test]
    fn an_account_needs_every_credential_of_its_type_and_a_sender() {
        let kind = ProviderKind::named("twilio").expect("twilio");
        let one = twilio(&[("auth_token", "x")], "+1").credentials;
        assert_eq!(
            kind.check_account(&one, "+1").map_err(|p| p.field),
            Err("credentials.account_sid".into())
        );
        let both = twilio(&[("auth_token", "x"), ("account_sid", "AC1")], "").credentials;
        assert_eq!(
            kind.check_account(&both, " ").map_err(|p| p.code),
            Err("invalid_sender")
        );
        assert_eq!(kind.check_account(&both, "+1"), Ok(()));
    }

    #[test]
    fn a_service_account_key_must_be_a_key_file() {
        let kind = ProviderKind::named("rbm").expect("rbm");
        let mut credentials = BTreeMap::from([
            ("service_account_json".to_owned(), "{}".to_owned()),
            ("client_token".to_owned(), "t".to_owned()),
        ]);
        assert_eq!(
            kind.check_account(&credentials, "agent")
                .map_err(|p| p.code),
            Err("invalid_credential")
        );
        credentials.insert(
            "service_account_json".into(),
            r#"{"client_email": "a@b", "private_key": "k", "token_uri": "https://t"}"#.into(),
        );
        assert_eq!(kind.check_account(&credentials, "agent"), Ok(()));
    }

    #[test]
    fn an_account_key_is_one_to_five_letters_and_digits_in_capitals() {
        assert_eq!(
            AccountKey::parse(" kal1 ").map(String::from),
            Ok("KAL1".to_owned())
        );
        for bad in ["", "SIXCHR", "K-1", "ñ"] {
            assert_eq!(
                AccountKey::parse(bad).map_err(|p| p.code),
                Err("invalid_key")
            );
        }
    }

    #[test]
    fn a_suggested_key_is_the_types_first_letters_then_a_free_number() {
        let taken = [
            AccountKey::parse("SIN").expect("key"),
            AccountKey::parse("SIN2").expect("key"),
        ];
        assert_eq!(
            AccountKey::suggest("sinch_conversation", &taken).as_str(),
            "SIN3"
        );
        assert_eq!(AccountKey::suggest("kaleyra", &taken).as_str(), "KAL");
    }
}

//! The admin's settings on the wire: groups and their Notification Type tab, agents,
//! provider accounts, the audit log.

use super::channel::Channel;
use super::ids::{GroupId, TemplateId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most templates a group may have per channel.
pub const MAX_TEMPLATES_PER_CHANNEL: usize = 5;

/// An agent group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// Its id (`demo`).
    pub id: GroupId,
    /// Its name.
    pub name: String,
}

/// Creating or renaming a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    /// The id (on create; derived from the name when absent).
    #[serde(default)]
    pub id: Option<GroupId>,
    /// The name.
    pub name: String,
}

/// One channel of a group's Notification Type tab.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    pub account: Option<String>,
}

/// A group's Notification Type tab: one mapping per channel.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
#[serde(deny_unknown_fields)]
pub struct Agent {
    /// The agent's id (the `sub` of their tokens).
    pub id: UserId,
    /// Their name.
    pub name: String,
    /// Their group.
    pub group_id: GroupId,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
pub struct ProviderAccount {
    /// Its id.
    pub id: String,
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
}

/// A provider account's webhook URL (`{public_url}/webhooks/{provider}/{account_id}`):
/// shown on the settings page and given to providers as their callback address.
pub fn webhook_url(public_url: &str, provider: &str, account_id: &str) -> String {
    format!(
        "{}/webhooks/{provider}/{account_id}",
        public_url.trim_end_matches('/')
    )
}

/// Creating or changing a provider account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderAccountInput {
    /// The id (on create; generated when absent).
    #[serde(default)]
    pub id: Option<String>,
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
}

/// Creating or replacing a template (`kind` is derived from the body; if given it must agree).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// The admin's id.
    pub id: String,
    /// Their password.
    pub password: String,
}

/// A successful sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

/// Every provider type, the sandbox first.
pub const PROVIDER_KINDS: &[ProviderKind] = &[
    ProviderKind {
        name: "sandbox",
        label: "Sandbox (no real messages)",
        channels: &[Channel::Sms, Channel::Whatsapp, Channel::Rcs],
        sender: "Any name",
        credentials: &[],
    },
    ProviderKind {
        name: "twilio",
        label: "Twilio (SMS, WhatsApp)",
        channels: &[Channel::Sms, Channel::Whatsapp],
        sender: "From number (+E.164) or Messaging Service SID (MG…)",
        credentials: &["account_sid", "auth_token"],
    },
    ProviderKind {
        name: "meta",
        label: "Meta WhatsApp Cloud API",
        channels: &[Channel::Whatsapp],
        sender: "Phone number ID",
        credentials: &["access_token", "app_secret", "verify_token"],
    },
    ProviderKind {
        name: "rbm",
        label: "Google RCS Business Messaging",
        channels: &[Channel::Rcs],
        sender: "RBM agent ID",
        credentials: &["service_account_json", "client_token"],
    },
    ProviderKind {
        name: "exotel",
        label: "Exotel SMS (India DLT)",
        channels: &[Channel::Sms],
        sender: "DLT header (sender ID)",
        credentials: &["account_sid", "api_key", "api_token"],
    },
];

impl ProviderKind {
    /// The provider type called `name`.
    pub fn named(name: &str) -> Option<&'static ProviderKind> {
        PROVIDER_KINDS.iter().find(|k| k.name == name)
    }
}

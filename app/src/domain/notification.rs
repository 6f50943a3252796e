//! The shapes of a notification on the wire (REST and server functions alike).

use super::channel::Channel;
use super::ids::{CallId, GroupId, TemplateId, UserId};
use super::phone::E164;
use super::status::NotificationStatus;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// Who a message goes to, as the caller wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum Recipient {
    /// `"+919876543210"`.
    E164(String),
    /// `{"country": "IN", "number": "98765 43210"}`.
    Local {
        /// ISO country code the number is read in.
        #[cfg_attr(feature = "ssr", schema(value_type = super::CountryCode))]
        country: String,
        /// The number as typed.
        number: String,
    },
}

impl<'de> Deserialize<'de> for Recipient {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Local {
            country: String,
            number: String,
        }
        const EXPECTED: &str = r#"`to` must be "+<country code><number>" or {"country": "IN", "number": "98765 43210"}"#;
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ok(Self::E164(s)),
            value @ serde_json::Value::Object(_) => serde_json::from_value::<Local>(value)
                .map(|l| Self::Local {
                    country: l.country,
                    number: l.number,
                })
                .map_err(|e| serde::de::Error::custom(format!("{EXPECTED} ({e})"))),
            _ => Err(serde::de::Error::custom(EXPECTED)),
        }
    }
}

/// A field value: JSON strings, numbers and booleans are all taken as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldValue(pub String);

impl<'de> Deserialize<'de> for FieldValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ok(Self(s)),
            serde_json::Value::Number(n) => Ok(Self(n.to_string())),
            serde_json::Value::Bool(b) => Ok(Self(b.to_string())),
            serde_json::Value::Null => Ok(Self(String::new())),
            _ => Err(serde::de::Error::custom(
                "a field value must be text, a number or a boolean",
            )),
        }
    }
}

/// `POST /api/v1/notifications` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({
    "to": {"country": "IN", "number": "98765 43210"},
    "channel": "sms",
    "template_id": "t_otp",
    "fields": {"code": "482913"},
    "call_id": "c-123"
})))]
#[serde(deny_unknown_fields)]
pub struct SendRequest {
    /// The recipient.
    pub to: Recipient,
    /// The channel.
    pub channel: Channel,
    /// The template, which must be mapped to the caller's group for the channel.
    pub template_id: TemplateId,
    /// Values for the template's fields.
    #[serde(default)]
    pub fields: BTreeMap<String, FieldValue>,
    /// The call the message belongs to.
    #[serde(default)]
    pub call_id: Option<CallId>,
    /// The call queue it is sent from (its rules may narrow the templates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_id: Option<super::QueueId>,
    /// The failed message this one resends, if any.
    #[serde(default)]
    pub resend_of: Option<String>,
    /// The group a workflow send (an API key) is for; an agent's own group otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<GroupId>,
    /// Where fields with a field code take their values when none is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<super::SendData>,
    /// A workflow send's reply is linked to it only when asked (an agent's always is).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub expects_reply: bool,
}

/// `202 Accepted` body of a send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Accepted {
    /// The message's UUID.
    pub uuid: Uuid,
    /// Always `queued` at acceptance.
    pub status: NotificationStatus,
    /// The channel.
    pub channel: Channel,
    /// The recipient in E.164.
    pub to: E164,
    /// When it was accepted (RFC 3339 UTC).
    #[serde(with = "super::time::millis")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
}

/// One step of a message's status history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    /// The status reached.
    pub status: NotificationStatus,
    /// When (RFC 3339 UTC).
    pub at: String,
    /// What happened, in plain words.
    pub detail: Option<String>,
}

/// How the history line of a message sent by SMS instead of its channel ends.
pub const SMS_FALLBACK_NOTE: &str = "Sending by SMS instead.";

/// The history line that says a message is going out by SMS instead, and why.
pub fn switch_note(reason: &str) -> String {
    format!("{reason} {SMS_FALLBACK_NOTE}")
}

/// Why a message went by SMS instead of its channel, if it did (the history line).
pub fn sms_fallback(history: &[HistoryEntry]) -> Option<&str> {
    history
        .iter()
        .rev()
        .filter_map(|h| h.detail.as_deref())
        .find(|d| d.ends_with(SMS_FALLBACK_NOTE))
}

/// Why a message failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FailureReason {
    /// A stable code (`unreachable`, `invalid_number`, …).
    pub code: String,
    /// The provider's reason in plain words.
    pub message: String,
}

impl FailureReason {
    /// Failures about the customer's number that sending again cannot change: they
    /// opted out, or the number cannot get the message (not a number, not a mobile,
    /// unroutable, barred, on the Do Not Disturb registry).
    pub const ABOUT_THE_NUMBER: [&'static str; 6] = [
        "opted_out",
        "invalid_number",
        "not_mobile",
        "unroutable",
        "blocked",
        "dnd",
    ];

    /// Whether sending the same message again may succeed.
    pub fn may_succeed_again(&self) -> bool {
        !Self::ABOUT_THE_NUMBER.contains(&self.code.as_str())
    }

    /// Refusals for a reason of the provider account's own — its credentials, its set-up,
    /// its balance, a template it does not have, a refusal it does not explain — that
    /// another account may not have. (Never the customer's: a number that is not one,
    /// an opt-out, a closed window go nowhere else.)
    pub const THE_ACCOUNTS_OWN: [&'static str; 7] = [
        "credentials_rejected",
        "provider_misconfigured",
        "account_balance",
        "template_not_registered",
        "template_not_found",
        "template_not_approved",
        "provider_refused",
    ];

    /// Whether the next account of a fallback chain may take the message.
    pub fn is_the_accounts_own(&self) -> bool {
        Self::THE_ACCOUNTS_OWN.contains(&self.code.as_str())
    }

    /// What people call the failure `code` on a chart or in a list (the code stays the
    /// API's); an unknown code in words.
    pub fn label_of(code: &str) -> String {
        let known = match code {
            "opted_out" => "Customer opted out",
            "invalid_number" => "Not a valid number",
            "not_mobile" => "Not a mobile number",
            "unroutable" => "Number not reachable by this provider",
            "blocked" => "Number blocked",
            "dnd" => "On the Do Not Disturb registry",
            "unreachable" => "Phone could not be reached",
            "expired" => "Expired before delivery",
            "outside_window" => "WhatsApp window closed",
            "not_on_whatsapp" => "Not on WhatsApp",
            "rcs_unsupported_content" => "Phone cannot show this RCS message",
            "credentials_rejected" => "Provider refused the account's credentials",
            "provider_misconfigured" => "Provider account set up wrongly",
            "account_balance" => "Provider account out of credit",
            "template_not_registered" | "dlt_missing" => "Template not registered (DLT)",
            "dlt_template_invalid" => "DLT template refused",
            "template_not_found" => "Template unknown to the provider",
            "template_not_approved" => "Template not approved yet",
            "marketing_limit" => "Marketing limit reached",
            "provider_refused" => "Refused by the provider",
            "provider_failed" => "Provider failed to send",
            "provider_unavailable" => "Provider unavailable",
            "outcome_unknown" => "Outcome unknown (not sent again)",
            other => return super::in_words(other),
        };
        known.to_owned()
    }
}

/// A message as `GET /api/v1/notifications/{uuid}` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NotificationView {
    /// The message's UUID.
    pub uuid: String,
    /// The channel.
    pub channel: Channel,
    /// The current status.
    pub status: NotificationStatus,
    /// The recipient in E.164.
    pub to: String,
    /// The template used.
    pub template_id: TemplateId,
    /// The template's name when the message was sent.
    #[serde(default)]
    pub template_name: String,
    /// The call it belongs to.
    pub call_id: Option<CallId>,
    /// The agent who sent it.
    pub agent_id: UserId,
    /// The agent's group when it was sent (supervisors read their group's messages).
    pub group_id: GroupId,
    /// The message it resends, if any.
    pub resend_of: Option<String>,
    /// The provider that took it, once one did.
    #[serde(default)]
    pub provider: Option<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// RFC 3339 UTC.
    pub updated_at: String,
    /// Every status reached, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Set when the status is `failed`.
    pub error: Option<FailureReason>,
    /// What the customer wrote back, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replies: Vec<super::Reply>,
    /// Whether the customer's reply is linked to it (an agent's always; a workflow's
    /// when asked).
    #[serde(default)]
    pub expects_reply: bool,
}

impl NotificationView {
    /// Whether a reply may still come and be shown under it: it expects one, did not
    /// fail, and was sent less than the reply window ago.
    pub fn awaits_reply(&self, now: OffsetDateTime) -> bool {
        replies_until(self.expects_reply, self.status, &self.created_at)
            .is_some_and(|until| until > now)
    }
}

/// Until when a message that `expects_reply`, is `status` and was accepted at
/// `created_at` (RFC 3339) may get a reply; none when it may not (it expects none, or
/// failed).
pub fn replies_until(
    expects_reply: bool,
    status: NotificationStatus,
    created_at: &str,
) -> Option<OffsetDateTime> {
    let at = super::time::parse_rfc3339(created_at).ok()?;
    (expects_reply && status != NotificationStatus::Failed)
        .then(|| at + time::Duration::seconds(super::WINDOW_SECS))
}

/// A single-use ticket for one event-stream request (`POST /api/v1/stream-tickets`):
/// browsers' `EventSource` cannot send a header, and tokens never go in a URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StreamTicket {
    /// Goes in the stream's URL as `?ticket=`.
    pub ticket: String,
    /// Seconds before an unused ticket expires.
    pub expires_in: u64,
}

/// One entry of a call's comment log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Comment {
    /// RFC 3339 UTC.
    pub at: String,
    /// Who wrote it (the agent's id).
    pub author: String,
    /// `Notification <uuid> sent via <channel> template <name>`.
    pub text: String,
    /// The message it is about.
    pub notification_uuid: Option<String>,
}

/// The comment a send adds to its call's log.
pub fn send_comment(uuid: &str, channel: Channel, template_name: &str) -> String {
    format!(
        "Notification {uuid} sent via {} template {template_name}",
        channel.label()
    )
}

/// What the CRM knows about the caller (from the customer-details lookup or the host page).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CustomerDetails {
    /// The CRM's id for the customer.
    #[serde(default)]
    pub id: Option<String>,
    /// The customer's name.
    #[serde(default)]
    pub name: Option<String>,
    /// The customer's country (ISO 3166 alpha-2): national numbers are read in it.
    #[serde(default)]
    pub country: Option<String>,
    /// Their known phone numbers, preferred first.
    #[serde(default)]
    pub numbers: Vec<String>,
    /// Values for template fields, by field name.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

impl CustomerDetails {
    /// The value the customer data gives a field: its own entry, else the name for a
    /// field called `name` or `customer_name`.
    pub fn value_for(&self, field: &str) -> Option<String> {
        self.fields.get(field).cloned().or_else(|| match field {
            "name" | "customer_name" => self.name.clone(),
            _ => None,
        })
    }

    /// Whether this and `other` are the same customer: by the CRM's id when both have
    /// one, else by name.
    pub fn same_as(&self, other: &Self) -> bool {
        match (&self.id, &other.id) {
            (Some(a), Some(b)) => a == b,
            _ => self.name.is_some() && self.name == other.name,
        }
    }

    /// How the CRM names the customer (their name, else their id).
    pub fn label(&self) -> String {
        self.name
            .clone()
            .or_else(|| self.id.clone())
            .unwrap_or_else(|| "another customer".to_owned())
    }

    /// The value for a field of `template`: by its field code when it has a `contact.`
    /// one (the CRM's entry of that key, or its name for `contact.name`), else by the
    /// field's own name.
    pub fn value_for_field(&self, field: &super::TemplateField) -> Option<String> {
        let by_code = field
            .source
            .as_deref()
            .and_then(|code| code.strip_prefix("contact."))
            .and_then(|key| self.value_for(key));
        by_code.or_else(|| self.value_for(&field.name))
    }
}

/// Everything the widget needs when it opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WidgetBootstrap {
    /// The agent's id.
    pub agent_id: String,
    /// The ISO code the picker starts on.
    pub default_country: String,
    /// Channels the group has enabled, in display order.
    pub channels: Vec<Channel>,
    /// The group's templates for those channels, in the admin's order.
    pub templates: Vec<super::template::AgentTemplate>,
    /// Origins that may embed the widget and receive its events (empty: same origin).
    pub allowed_origins: Vec<String>,
    /// The customer-details lookup's answer, when one is configured and answered.
    pub customer: Option<CustomerDetails>,
    /// Set when a configured lookup failed or timed out (sending still works).
    pub customer_unavailable: bool,
    /// Channels whose messages go to the sandbox: nothing is really sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub test_mode: Vec<Channel>,
    /// The name of the call's queue, when its rules narrow the templates.
    #[serde(default)]
    pub queue_name: Option<String>,
    /// How long after the call ends the agent may still send, in seconds.
    #[serde(default)]
    pub call_grace_secs: u32,
    /// For each channel the group sends through more than one account (a fallback
    /// chain): the key of the account it starts with, shown beside the channel.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub account_keys: Vec<ChannelKey>,
}

/// A channel and the key of the provider account it goes out through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChannelKey {
    /// The channel.
    pub channel: Channel,
    /// The account's key (`KAL`).
    pub key: String,
}

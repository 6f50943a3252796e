//! Provider accounts as the settings page sees and saves them (credentials never shown).

use super::*;

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
            match crate::domain::PhoneNumber::parse(text, crate::domain::CountryCode::INDIA) {
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
        display_name(&self.display_name, "display_name").map(drop)
    }
}

//! Agent groups, their Notification Type tab, and their agents.

use super::*;

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
    pub default_country: Option<crate::domain::CountryCode>,
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
    #[serde(flatten)]
    pub types: NotificationTypes,
    /// What the admin should know about it, for people (an SMS template without the
    /// DLT ids its account needs, say); absent when there is nothing to say.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
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

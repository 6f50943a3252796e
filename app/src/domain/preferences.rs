//! An agent's own settings: which desktop alerts they want, and whether with a sound.

use serde::{Deserialize, Serialize};

/// Which of their messages' news an agent is alerted to while the widget is not in
/// front.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlertLevel {
    /// A failure, a delivery and a reply.
    All,
    /// A failure or a reply: what needs the agent (the default).
    #[default]
    FailuresAndReplies,
    /// None.
    Off,
}

/// What happened to one of the agent's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alert {
    /// It failed.
    Failed,
    /// It was delivered.
    Delivered,
    /// The customer answered it.
    Reply,
}

impl AlertLevel {
    /// Whether an agent at this level is alerted to `alert`.
    pub fn wants(self, alert: Alert) -> bool {
        match self {
            Self::All => true,
            Self::FailuresAndReplies => alert != Alert::Delivered,
            Self::Off => false,
        }
    }

    /// Every level, in the order the menu shows them, with its words.
    pub const CHOICES: [(Self, &'static str); 3] = [
        (Self::All, "Failures, deliveries and replies"),
        (Self::FailuresAndReplies, "Failures and replies"),
        (Self::Off, "Off"),
    ];
}

/// An agent's preferences (`GET`/`PUT /api/v1/me/preferences`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    /// Which desktop alerts they get.
    #[serde(default)]
    pub alerts: AlertLevel,
    /// Whether an alert also plays a sound.
    #[serde(default)]
    pub sound: bool,
}

impl AlertLevel {
    /// The stored name (`failures_and_replies`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::FailuresAndReplies => "failures_and_replies",
            Self::Off => "off",
        }
    }

    /// From its stored name; an unknown one is the default.
    pub fn from_name(name: &str) -> Self {
        match name {
            "all" => Self::All,
            "off" => Self::Off,
            _ => Self::FailuresAndReplies,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_level_wants_its_alerts() {
        use Alert::*;
        assert!([Failed, Delivered, Reply]
            .iter()
            .all(|a| AlertLevel::All.wants(*a)));
        assert!(AlertLevel::FailuresAndReplies.wants(Failed));
        assert!(AlertLevel::FailuresAndReplies.wants(Reply));
        assert!(!AlertLevel::FailuresAndReplies.wants(Delivered));
        assert!(![Failed, Delivered, Reply]
            .iter()
            .any(|a| AlertLevel::Off.wants(*a)));
        for (level, _) in AlertLevel::CHOICES {
            assert_eq!(AlertLevel::from_name(level.as_str()), level);
        }
    }
}

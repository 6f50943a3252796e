//! The channels a notification can go out on.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// SMS, WhatsApp or RCS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// Plain SMS (GSM-7 or UCS-2).
    Sms,
    /// WhatsApp template messages.
    Whatsapp,
    /// RCS business messaging.
    Rcs,
}

impl Channel {
    /// All channels, in the order the widget shows them.
    pub const ALL: [Self; 3] = [Self::Sms, Self::Whatsapp, Self::Rcs];

    /// The wire name, `"sms"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Whatsapp => "whatsapp",
            Self::Rcs => "rcs",
        }
    }

    /// The name shown to people, `"SMS"`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Sms => "SMS",
            Self::Whatsapp => "WhatsApp",
            Self::Rcs => "RCS",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A channel name that is not `sms`, `whatsapp` or `rcs`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown channel; use sms, whatsapp or rcs")]
pub struct UnknownChannel;

impl FromStr for Channel {
    type Err = UnknownChannel;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "sms" => Ok(Self::Sms),
            "whatsapp" => Ok(Self::Whatsapp),
            "rcs" => Ok(Self::Rcs),
            _ => Err(UnknownChannel),
        }
    }
}

impl<'de> Deserialize<'de> for Channel {
    /// From its wire name only, with a message that lists the choices.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Name;
        impl serde::de::Visitor<'_> for Name {
            type Value = Channel;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a channel: sms, whatsapp or rcs")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Channel, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_any(Name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for c in Channel::ALL {
            assert_eq!(c.as_str().parse::<Channel>(), Ok(c));
            assert_eq!(
                serde_json::to_string(&c).expect("serialises"),
                format!("\"{c}\"")
            );
        }
        assert_eq!("SMS".parse::<Channel>(), Err(UnknownChannel));
    }
}

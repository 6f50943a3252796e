//! Integrators' API keys: what a key may do (scopes), for which agent groups, and from
//! which addresses. The secret is shown once and kept only as its digest.

use super::{display_name, GroupId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// What an API key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ApiKeyScope {
    /// Send notifications for its groups (`POST /api/v1/notifications` with `group_id`).
    #[serde(rename = "notifications:send")]
    Send,
    /// Read the notifications it sent (`GET /api/v1/notifications…`).
    #[serde(rename = "notifications:read")]
    Read,
}

impl ApiKeyScope {
    /// Every scope, in the order the settings page shows them.
    pub const ALL: [Self; 2] = [Self::Send, Self::Read];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Send => "notifications:send",
            Self::Read => "notifications:read",
        }
    }
}

impl fmt::Display for ApiKeyScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An API key as listed (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApiKey {
    /// Its id (`key_…`): also how the messages it sends are recorded (`api-key:<id>`).
    pub id: String,
    /// A name for people ("IVR main menu").
    pub name: String,
    /// What it may do.
    pub scopes: Vec<ApiKeyScope>,
    /// The agent groups it may send for.
    pub groups: Vec<GroupId>,
    /// The addresses (IPs or CIDR ranges) it may be used from; empty: anywhere.
    #[serde(default)]
    pub allowed_ips: Vec<String>,
    /// The secret's first characters, to tell keys apart.
    pub prefix: String,
    /// When it was created (RFC 3339 UTC).
    pub created_at: String,
    /// When it was last used (to the minute), if ever.
    #[serde(default)]
    pub last_used_at: Option<String>,
}

/// What the sender id of an API key starts with (`api-key:key_…`): reserved, no agent or
/// admin id may start with it (a person with that id would read the key's messages).
pub const API_KEY_SENDER_PREFIX: &str = "api-key:";

/// Whether `id` is an API key's sender id, which only a key may act as.
pub fn is_api_key_sender(id: &str) -> bool {
    id.starts_with(API_KEY_SENDER_PREFIX)
}

impl ApiKey {
    /// The sender id the messages it sends are recorded under.
    pub fn sender_id(&self) -> String {
        format!("{API_KEY_SENDER_PREFIX}{}", self.id)
    }
}

/// Creating an API key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApiKeyInput {
    /// A name for people.
    pub name: String,
    /// At least one scope (a missing list is an empty one: the check names it).
    #[serde(default)]
    pub scopes: Vec<ApiKeyScope>,
    /// At least one group (a missing list is an empty one: the check names it).
    #[serde(default)]
    pub groups: Vec<GroupId>,
    /// IPs or CIDR ranges (`10.0.0.0/8`, `2001:db8::/32`); empty: anywhere.
    #[serde(default)]
    pub allowed_ips: Vec<String>,
}

/// A new key and its secret: the only time the secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedApiKey {
    /// The key.
    #[serde(flatten)]
    pub key: ApiKey,
    /// The bearer credential (`ank_…`); store it now, it cannot be shown again.
    pub secret: String,
}

/// An address range an API key may be used from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    base: std::net::IpAddr,
    bits: u8,
}

impl IpRange {
    /// Reads `10.1.2.3`, `10.0.0.0/8` or an IPv6 address or range.
    pub fn parse(text: &str) -> Option<Self> {
        let (addr, bits) = match text.trim().split_once('/') {
            Some((a, b)) => (a, Some(b.parse::<u8>().ok()?)),
            None => (text.trim(), None),
        };
        let base: std::net::IpAddr = addr.parse().ok()?;
        let most = if base.is_ipv4() { 32 } else { 128 };
        let bits = bits.unwrap_or(most);
        (bits <= most).then_some(Self { base, bits })
    }

    /// Whether `ip` is in the range (an IPv4-mapped IPv6 address counts as IPv4).
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        let ip = match ip {
            std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, std::net::IpAddr::V4),
            v4 => v4,
        };
        let (a, b, width) = match (self.base, ip) {
            (std::net::IpAddr::V4(a), std::net::IpAddr::V4(b)) => {
                (u128::from(u32::from(a)), u128::from(u32::from(b)), 32)
            }
            (std::net::IpAddr::V6(a), std::net::IpAddr::V6(b)) => {
                (u128::from(a), u128::from(b), 128)
            }
            _ => return false,
        };
        let shift = width - u32::from(self.bits);
        shift >= 128 || (a >> shift) == (b >> shift)
    }
}

impl ApiKeyInput {
    /// Checks the name, scopes, groups and addresses; problems by field.
    pub fn check(&self) -> Result<(String, Vec<String>), BTreeMap<String, String>> {
        let mut problems = BTreeMap::new();
        let name = display_name(&self.name, "name").map_err(|e| {
            problems.insert("name".to_owned(), e.problem);
        });
        if self.scopes.is_empty() {
            problems.insert("scopes".to_owned(), "at least one scope".to_owned());
        }
        if self.groups.is_empty() {
            problems.insert("groups".to_owned(), "at least one group".to_owned());
        }
        let mut ips = Vec::new();
        for (i, text) in self.allowed_ips.iter().enumerate() {
            match IpRange::parse(text) {
                Some(_) => ips.push(text.trim().to_owned()),
                None => {
                    problems.insert(
                        format!("allowed_ips.{i}"),
                        "not an IP address or CIDR range".to_owned(),
                    );
                }
            }
        }
        match name {
            Ok(name) if problems.is_empty() => Ok((name, ips)),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> std::net::IpAddr {
        text.parse().expect("ip")
    }

    #[test]
    fn a_range_holds_the_addresses_under_its_prefix() {
        let office = IpRange::parse("10.20.0.0/16").expect("range");
        assert!(office.contains(ip("10.20.7.9")));
        assert!(!office.contains(ip("10.21.0.1")));
        assert!(office.contains(ip("::ffff:10.20.1.1")), "IPv4-mapped IPv6");
        let one = IpRange::parse("192.0.2.7").expect("address");
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        assert!(IpRange::parse("0.0.0.0/0")
            .expect("all")
            .contains(ip("8.8.8.8")));
        assert!(IpRange::parse("2001:db8::/32")
            .expect("v6")
            .contains(ip("2001:db8::1")));
        assert!(!IpRange::parse("2001:db8::/32")
            .expect("v6")
            .contains(ip("10.0.0.1")));
        assert_eq!(IpRange::parse("10.0.0.0/33"), None);
        assert_eq!(IpRange::parse("office"), None);
    }

    #[test]
    fn a_key_needs_a_name_a_scope_a_group_and_real_addresses() {
        let input = ApiKeyInput {
            name: " ".into(),
            scopes: vec![],
            groups: vec![],
            allowed_ips: vec!["10.0.0.0/8".into(), "nope".into()],
        };
        let problems = input.check().expect_err("refused");
        assert_eq!(
            problems.keys().collect::<Vec<_>>(),
            ["allowed_ips.1", "groups", "name", "scopes"]
        );
    }
}

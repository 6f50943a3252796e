//! Settings read into what they select at load: which queue and status store
//! (`queue.url`, `status.url`), and the origins allowed to embed the widget.

use serde::{Deserialize, Deserializer};
use std::fmt;

/// Where the gateway queue lives (`queue.url`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueBackend {
    /// A SQLite file under `data_dir` (`embedded`, the default).
    Embedded,
    /// A Redis stream (`redis://…` or `rediss://…`).
    Redis {
        /// The server's URL.
        url: String,
    },
}

/// Reads a backend URL setting: `embedded`, or a URL with one of `schemes`.
fn backend_url<'de, D: Deserializer<'de>, T>(
    d: D,
    embedded: T,
    schemes: &[&str],
    server: fn(String) -> T,
    refusal: &'static str,
) -> Result<T, D::Error> {
    let url = String::deserialize(d)?;
    if url == "embedded" {
        Ok(embedded)
    } else if schemes.iter().any(|s| url.starts_with(s)) {
        Ok(server(url))
    } else {
        Err(serde::de::Error::custom(refusal))
    }
}

impl<'de> Deserialize<'de> for QueueBackend {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let schemes = ["redis://", "rediss://"];
        let redis = |url| Self::Redis { url };
        let refusal = "queue.url: use `embedded` or a redis:// url";
        backend_url(d, Self::Embedded, &schemes, redis, refusal)
    }
}

/// Where message status lives (`status.url`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusBackend {
    /// In the SQL database (`embedded`, the default).
    Sql,
    /// MongoDB (`mongodb://…` or `mongodb+srv://…`; the path names the database,
    /// `agent_notify` when it has none).
    Mongo {
        /// The server's URL.
        url: String,
    },
}

impl<'de> Deserialize<'de> for StatusBackend {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let schemes = ["mongodb://", "mongodb+srv://"];
        let mongo = |url| Self::Mongo { url };
        let refusal = "status.url: use `embedded` or a mongodb:// url";
        backend_url(d, Self::Sql, &schemes, mongo, refusal)
    }
}

/// A web origin: `https://phone.example.com` (scheme, host, optional port; no path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin(String);

impl Origin {
    /// Reads an origin, refusing anything with a path, a query or an odd character.
    pub fn parse(text: &str) -> Result<Self, String> {
        let valid = text.split_once("://").is_some_and(|(scheme, host)| {
            matches!(scheme, "http" | "https")
                && !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        });
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(format!(
                "embed.allowed_origins: `{text}` is not an origin like https://phone.example.com"
            ))
        }
    }

    /// The origin as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Origin {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// Where the SQL database is (`database.url`): a SQLite file (`sqlite://…`, the embedded
/// default) or MySQL/MariaDB (`mysql://…`; `mariadb://…` reads as the same).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite database file.
    Sqlite(String),
    /// A MySQL or MariaDB server, its URL with the `mysql://` scheme.
    MySql(String),
}

impl DatabaseUrl {
    /// Reads a database URL; a scheme other than sqlite, mysql or mariadb is refused.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.starts_with("sqlite:") {
            Ok(Self::Sqlite(text.to_owned()))
        } else if text.starts_with("mysql:") {
            Ok(Self::MySql(text.to_owned()))
        } else if let Some(rest) = text.strip_prefix("mariadb:") {
            Ok(Self::MySql(format!("mysql:{rest}")))
        } else {
            Err("database.url: use a sqlite:// or mysql:// (mariadb://) url".to_owned())
        }
    }

    /// The URL as text.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Sqlite(url) | Self::MySql(url) => url,
        }
    }
}

impl std::str::FromStr for DatabaseUrl {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Self::parse(text)
    }
}

impl<'de> Deserialize<'de> for DatabaseUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

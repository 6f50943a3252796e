//! Identifiers that arrive from outside: parsed once at the edge, then trusted.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a text is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Nothing was given.
    #[error("must not be empty")]
    Empty,
    /// Longer than allowed.
    #[error("must be at most {0} characters")]
    TooLong(usize),
    /// A character outside the allowed set.
    #[error("contains a character that is not allowed")]
    BadCharacter,
}

/// Defines a string newtype whose constructor enforces a length and character rule.
macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident, max = $max:expr, allowed = $allowed:expr, pattern = $pattern:expr, example = $example:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Longest accepted value, in characters.
            pub const MAX_LEN: usize = $max;

            /// Parses `text`, refusing empty, over-long or oddly-charactered values.
            pub fn parse(text: &str) -> Result<Self, IdError> {
                if text.is_empty() {
                    return Err(IdError::Empty);
                }
                if text.chars().count() > Self::MAX_LEN {
                    return Err(IdError::TooLong(Self::MAX_LEN));
                }
                let allowed: fn(char) -> bool = $allowed;
                if !text.chars().all(allowed) {
                    return Err(IdError::BadCharacter);
                }
                Ok(Self(text.to_owned()))
            }

            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(text: &str) -> Result<Self, IdError> {
                Self::parse(text)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }

        #[cfg(feature = "ssr")]
        super::schema::named_schema!($name, super::schema::text(1, $max, $pattern, $example));
    };
}

/// The characters of a slug id, as a pattern.
#[cfg_attr(not(feature = "ssr"), expect(dead_code))]
const SLUG: &str = "^[A-Za-z0-9_.:-]+$";

fn slug_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')
}

string_id!(
    /// A template's id, e.g. `t_otp`.
    TemplateId, max = 64, allowed = slug_char, pattern = SLUG, example = "t_otp"
);
impl TemplateId {
    /// The id a template has before it is saved (editor previews).
    pub fn unsaved() -> Self {
        Self("unsaved".to_owned())
    }
}

string_id!(
    /// A provider account's id, e.g. `twilio-1f2e3d4c`.
    ProviderAccountId, max = 64, allowed = slug_char, pattern = SLUG, example = "twilio-1f2e3d4c"
);
string_id!(
    /// An agent group's id, e.g. `demo`.
    GroupId, max = 64, allowed = slug_char, pattern = SLUG, example = "demo"
);
string_id!(
    /// A user's id (agent or admin), e.g. `demo-agent`.
    UserId, max = 128, allowed = |c| slug_char(c) || c == '@',
    pattern = "^[A-Za-z0-9_.:@-]+$", example = "demo-agent"
);
string_id!(
    /// The softphone's call id, e.g. `c-123`.
    CallId, max = 128, allowed = |c| slug_char(c) || matches!(c, '@' | '/' | '+' | '='),
    pattern = "^[A-Za-z0-9_.:@/+=-]+$", example = "c-123"
);
string_id!(
    /// A call queue's id as the softphone names it, e.g. `billing`.
    QueueId, max = 64, allowed = slug_char, pattern = SLUG, example = "billing"
);
string_id!(
    /// A client's `Idempotency-Key`: up to 100 printable ASCII characters.
    IdempotencyKey, max = 100, allowed = |c| c.is_ascii_graphic(),
    pattern = "^[!-~]+$", example = "order-8812-otp"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_refuse_empty_long_and_strange_text() {
        assert_eq!(TemplateId::parse(""), Err(IdError::Empty));
        assert_eq!(
            TemplateId::parse(&"a".repeat(65)),
            Err(IdError::TooLong(64))
        );
        assert_eq!(TemplateId::parse("t otp"), Err(IdError::BadCharacter));
        assert_eq!(
            TemplateId::parse("t_otp").map(|t| t.to_string()),
            Ok("t_otp".into())
        );
    }

    #[test]
    fn an_idempotency_key_is_up_to_100_printable_ascii_characters() {
        assert!(IdempotencyKey::parse("6f1c-!~").is_ok());
        assert!(IdempotencyKey::parse(&"k".repeat(100)).is_ok());
        assert_eq!(
            IdempotencyKey::parse(&"k".repeat(101)),
            Err(IdError::TooLong(100))
        );
        assert_eq!(
            IdempotencyKey::parse("caf\u{e9}"),
            Err(IdError::BadCharacter)
        );
        assert_eq!(IdempotencyKey::parse("a b"), Err(IdError::BadCharacter));
    }

    #[test]
    fn ids_deserialise_through_their_parser() {
        assert!(serde_json::from_str::<CallId>("\"c-123\"").is_ok());
        assert!(serde_json::from_str::<CallId>("\"\"").is_err());
    }
}

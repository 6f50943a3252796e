//! Times on the wire: RFC 3339 UTC with millisecond precision (`2026-12-01T09:30:00.125Z`),
//! the form every response uses, and the serde adapter for typed times.

use ::time::format_description::well_known::Rfc3339;
use ::time::{OffsetDateTime, UtcOffset};

/// Formats a time as RFC 3339 UTC with millisecond precision.
pub fn rfc3339(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    let ms = at.millisecond();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// Reads an RFC 3339 time (any offset, any precision).
pub fn parse_rfc3339(text: &str) -> Result<OffsetDateTime, ::time::error::Parse> {
    OffsetDateTime::parse(text, &Rfc3339)
}

/// `#[serde(with = "crate::domain::time::millis")]`: a typed time written as
/// [`rfc3339`] and read from any RFC 3339 text.
pub mod millis {
    use super::{parse_rfc3339, rfc3339};
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    /// Writes `at` as RFC 3339 UTC with milliseconds.
    pub fn serialize<S: Serializer>(at: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&rfc3339(*at))
    }

    /// Reads an RFC 3339 time.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let text = String::deserialize(d)?;
        parse_rfc3339(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_in_utc_with_three_fraction_digits_and_read_back() {
        let at = parse_rfc3339("2026-12-01T15:00:00.1+05:30").expect("parses");
        assert_eq!(rfc3339(at), "2026-12-01T09:30:00.100Z");
        assert_eq!(parse_rfc3339(&rfc3339(at)).expect("round trip"), at);
    }
}

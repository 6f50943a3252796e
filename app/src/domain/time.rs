//! Times on the wire: RFC 3339 UTC with millisecond precision (`2026-12-01T09:30:00.125Z`),
//! the form every response uses, and the serde adapter for typed times.

use ::time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

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

/// Text that is not an RFC 3339 time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not an RFC 3339 time, like 2026-12-01T09:30:00Z")]
pub struct NotRfc3339;

/// Reads an RFC 3339 time (`2026-12-01T15:00:00.125+05:30`: any offset, any number of
/// fraction digits, nanoseconds kept; `T` and `Z` in either case). A leap second (`:60`)
/// is refused: nothing writes one.
///
/// Written out rather than with the `time` crate's well-known format, whose parser was
/// 6 KB of the widget's brotli bundle; the tests hold the two to the same answers.
pub fn parse_rfc3339(text: &str) -> Result<OffsetDateTime, NotRfc3339> {
    let b = text.as_bytes();
    let is = |at: usize, allowed: &[u8]| b.get(at).is_some_and(|c| allowed.contains(c));
    let number = |at: usize, len: usize| -> Result<u32, NotRfc3339> {
        let digits = b.get(at..at + len).ok_or(NotRfc3339)?;
        digits.iter().try_fold(0, |n, d| match d {
            b'0'..=b'9' => Ok(n * 10 + u32::from(d - b'0')),
            _ => Err(NotRfc3339),
        })
    };
    let shaped = is(4, b"-") && is(7, b"-") && is(10, b"Tt") && is(13, b":") && is(16, b":");
    if !shaped {
        return Err(NotRfc3339);
    }
    let mut at = 19;
    let mut nanos = 0;
    if is(at, b".") {
        let digits = b[at + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits == 0 {
            return Err(NotRfc3339);
        }
        // The first nine digits are the nanoseconds; more are below what a time holds.
        let kept = digits.min(9);
        nanos = number(at + 1, kept)? * 10_u32.pow((9 - kept) as u32);
        at += 1 + digits;
    }
    let offset = match b.get(at) {
        Some(b'Z' | b'z') if b.len() == at + 1 => 0,
        Some(sign @ (b'+' | b'-')) if b.len() == at + 6 && is(at + 3, b":") => {
            let (hours, minutes) = (number(at + 1, 2)?, number(at + 4, 2)?);
            if hours > 23 || minutes > 59 {
                return Err(NotRfc3339);
            }
            let seconds = (hours * 3600 + minutes * 60) as i32;
            if *sign == b'-' {
                -seconds
            } else {
                seconds
            }
        }
        _ => return Err(NotRfc3339),
    };
    let small = |n: u32| u8::try_from(n).map_err(|_| NotRfc3339);
    let month = Month::try_from(small(number(5, 2)?)?).map_err(|_| NotRfc3339)?;
    let date = Date::from_calendar_date(number(0, 4)? as i32, month, small(number(8, 2)?)?)
        .map_err(|_| NotRfc3339)?;
    let (hour, minute, second) = (number(11, 2)?, number(14, 2)?, number(17, 2)?);
    let time = Time::from_hms_nano(small(hour)?, small(minute)?, small(second)?, nanos)
        .map_err(|_| NotRfc3339)?;
    let offset = UtcOffset::from_whole_seconds(offset).map_err(|_| NotRfc3339)?;
    Ok(PrimitiveDateTime::new(date, time).assume_offset(offset))
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

    use ::time::format_description::well_known::Rfc3339;
    use proptest::prelude::*;

    #[test]
    fn times_are_written_in_utc_with_three_fraction_digits_and_read_back() {
        let at = parse_rfc3339("2026-12-01T15:00:00.1+05:30").expect("parses");
        assert_eq!(rfc3339(at), "2026-12-01T09:30:00.100Z");
        assert_eq!(parse_rfc3339(&rfc3339(at)).expect("round trip"), at);
    }

    #[test]
    fn what_is_not_an_rfc_3339_time_is_refused() {
        for text in [
            "",
            "2026-12-01",
            "2026-12-01T09:30:00",
            "2026-12-01 09:30:00Z",
            "2026-12-01T09:30:00.Z",
            "2026-12-01T09:30:00+0530",
            "2026-12-01T09:30:00+24:00",
            "2026-02-30T09:30:00Z",
            "2026-13-01T09:30:00Z",
            "2026-12-01T24:00:00Z",
            "2026-12-31T23:59:60Z",
            "+2026-12-01T09:30:00Z",
            "2026-12-01T09:30:00Zjunk",
            "２０２６-12-01T09:30:00Z",
        ] {
            assert_eq!(parse_rfc3339(text), Err(NotRfc3339), "{text}");
        }
    }

    /// Text shaped like RFC 3339 with every part drawn from a range a little wider than
    /// the valid one, so that both answers (a time, a refusal) come up often.
    fn near_rfc3339() -> impl Strategy<Value = String> {
        let date = (0..=9999_u32, 0..=13_u32, 0..=32_u32);
        let time = (0..=24_u32, 0..=60_u32, 0..=59_u32);
        let fraction = prop::option::of("[0-9]{1,12}");
        let zone = prop_oneof![
            Just("Z".to_owned()),
            Just("z".to_owned()),
            (prop::bool::ANY, 0..=24_u32, 0..=60_u32).prop_map(|(minus, h, m)| {
                format!("{}{h:02}:{m:02}", if minus { '-' } else { '+' })
            }),
        ];
        let separator = prop::sample::select(vec!['T', 't']);
        (date, separator, time, fraction, zone).prop_map(
            |((y, mo, d), sep, (h, mi, s), fraction, zone)| {
                let fraction = fraction.map(|f| format!(".{f}")).unwrap_or_default();
                format!("{y:04}-{mo:02}-{d:02}{sep}{h:02}:{mi:02}:{s:02}{fraction}{zone}")
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// The `time` crate's parser reads the fraction through a float, so the two may
        /// differ in the last nanoseconds; they agree on everything else.
        #[test]
        fn reads_what_the_time_crate_reads_as_it_reads_it(text in near_rfc3339()) {
            let ours = parse_rfc3339(&text).ok();
            let theirs = OffsetDateTime::parse(&text, &Rfc3339).ok();
            match (ours, theirs) {
                (Some(a), Some(b)) => {
                    prop_assert!((a - b).abs() < ::time::Duration::microseconds(1), "{text}: {a} vs {b}");
                    prop_assert_eq!(a.offset(), b.offset());
                }
                (a, b) => prop_assert_eq!(a.is_some(), b.is_some(), "{}", text),
            }
        }
    }
}

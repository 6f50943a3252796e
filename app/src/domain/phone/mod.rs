//! Phone numbers: parse what a person typed (given a default country) into an E.164
//! [`PhoneNumber`], or say in plain words why it is not one.
//!
//! The same code runs in the browser (instant feedback while typing) and on the server
//! (which never trusts the browser).

use super::country::CountryCode;
use phonenumber::metadata::DATABASE;
use phonenumber::{Mode, ParseError};
use serde::{Deserialize, Serialize};
use std::fmt;

pub mod numbering;

/// Longest input we try to parse; anything longer cannot be a phone number.
const MAX_INPUT_CHARS: usize = 64;

/// A phone number known to be valid, stored in E.164 form (`+919876543210`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber {
    e164: String,
    country: CountryCode,
    international: String,
    kind: NumberType,
}

/// What kind of line a number belongs to, as far as the numbering plan says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NumberType {
    /// A mobile number.
    Mobile,
    /// A fixed (landline) number.
    FixedLine,
    /// The plan does not tell mobile and fixed apart (e.g. the US).
    FixedLineOrMobile,
    /// A toll-free number.
    TollFree,
    /// Any other valid type (VoIP, pager, shared cost, ...).
    Other,
}

/// Why a text is not a valid phone number; the codes are part of the public API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneError {
    /// Empty, or not made of digits and the usual separators.
    NotANumber,
    /// A number with an extension (`0412 345 678 ext. 12`): an extension cannot receive
    /// messages.
    HasExtension,
    /// The `+` prefix names no country, or the chosen country is unknown.
    InvalidCountryCode,
    /// Too few digits for the country.
    TooShort,
    /// Too many digits for the country.
    TooLong,
    /// The right length, but no number of this country looks like it.
    Invalid,
}

impl PhoneError {
    /// The stable snake_case code used in API responses.
    pub fn code(self) -> &'static str {
        match self {
            Self::NotANumber => "not_a_number",
            Self::HasExtension => "has_extension",
            Self::InvalidCountryCode => "invalid_country_code",
            Self::TooShort => "too_short",
            Self::TooLong => "too_long",
            Self::Invalid => "invalid",
        }
    }

    /// A short phrase for per-field error maps (`"too short"`).
    pub fn phrase(self) -> &'static str {
        match self {
            Self::NotANumber => "not a number",
            Self::HasExtension => "has an extension",
            Self::InvalidCountryCode => "unknown country code",
            Self::TooShort => "too short",
            Self::TooLong => "too long",
            Self::Invalid => "not a valid number",
        }
    }

    /// A sentence a person understands, naming the country the number was read for.
    pub fn message(self, country: CountryCode) -> String {
        let name = country.name();
        match self {
            Self::NotANumber => {
                "Enter a phone number using digits (spaces, dashes and brackets are fine)."
                    .to_owned()
            }
            Self::HasExtension => "An extension cannot receive messages: enter the customer's \
                 mobile number, without the extension."
                .to_owned(),
            Self::InvalidCountryCode => {
                "The country code is not recognised. Check the digits after the +.".to_owned()
            }
            Self::TooShort => format!("The number is too short for {name}."),
            Self::TooLong => format!("The number is too long for {name}."),
            Self::Invalid => format!("This is not a valid phone number for {name}."),
        }
    }
}

impl fmt::Display for PhoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.phrase())
    }
}

/// The failure of [`PhoneNumber::parse`]: the reason and the country it was judged for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhoneParseError {
    /// Why the number was refused.
    pub reason: PhoneError,
    /// The country whose numbering plan was applied.
    pub country: CountryCode,
}

impl PhoneParseError {
    /// A sentence for a person (see [`PhoneError::message`]).
    pub fn message(&self) -> String {
        self.reason.message(self.country)
    }
}

impl fmt::Display for PhoneParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for PhoneParseError {}

impl PhoneNumber {
    /// Parses `text` as typed by a person. A number without `+` is read in
    /// `default_country`; a number with `+` and a country code is read in that country
    /// (the result's [`country`](Self::country) tells which).
    pub fn parse(text: &str, default_country: CountryCode) -> Result<Self, PhoneParseError> {
        let fail = |reason, country| PhoneParseError { reason, country };
        let trimmed = text.trim();
        if !looks_like_a_number(trimmed) {
            let reason = match extension_of(trimmed) {
                Some(_) => PhoneError::HasExtension,
                None => PhoneError::NotANumber,
            };
            return Err(fail(reason, default_country));
        }
        // The crate panics on no input we know of, but a digit count beyond any plan
        // is "too long" whatever the country, so we answer before parsing.
        if trimmed.chars().count() > MAX_INPUT_CHARS {
            return Err(fail(PhoneError::TooLong, default_country));
        }
        let parsed = phonenumber::parse(Some(default_country.id()), trimmed).map_err(|e| {
            let reason = match e {
                ParseError::InvalidCountryCode => PhoneError::InvalidCountryCode,
                ParseError::TooShortAfterIdd | ParseError::TooShortNsn => PhoneError::TooShort,
                ParseError::TooLong => PhoneError::TooLong,
                ParseError::NoNumber | ParseError::MalformedInteger(_) => PhoneError::NotANumber,
            };
            fail(reason, country_for_error(trimmed, default_country))
        })?;

        let Some(country) = region_of(&parsed, default_country) else {
            return Err(fail(PhoneError::InvalidCountryCode, default_country));
        };
        let digits = parsed.national().to_string().len();
        if let Some((min, max)) = possible_lengths(country) {
            if digits < min {
                return Err(fail(PhoneError::TooShort, country));
            }
            if digits > max {
                return Err(fail(PhoneError::TooLong, country));
            }
        }
        // Valid is "of a known type" (the crate's `is_valid` is exactly this test, and
        // asking both would match every type's pattern twice per keystroke).
        let kind = match parsed.number_type() {
            phonenumber::Type::Unknown => return Err(fail(PhoneError::Invalid, country)),
            phonenumber::Type::Mobile => NumberType::Mobile,
            phonenumber::Type::FixedLine => NumberType::FixedLine,
            phonenumber::Type::FixedLineOrMobile => NumberType::FixedLineOrMobile,
            phonenumber::Type::TollFree => NumberType::TollFree,
            _ => NumberType::Other,
        };
        Ok(Self {
            e164: parsed.format().mode(Mode::E164).to_string(),
            international: parsed.format().mode(Mode::International).to_string(),
            country,
            kind,
        })
    }

    /// Pays the first parse's cost ahead: loads the numbering data and compiles the
    /// patterns a number of `country` goes through (the answer is not needed).
    pub fn warm_up(country: CountryCode) {
        let _ = Self::parse("98765 43210", country);
    }

    /// Parses a number already in E.164 form (`+` then digits), e.g. from storage.
    pub fn parse_e164(text: &str) -> Result<Self, PhoneParseError> {
        if !text.starts_with('+') {
            return Err(PhoneParseError {
                reason: PhoneError::InvalidCountryCode,
                country: CountryCode::default(),
            });
        }
        Self::parse(text, CountryCode::default())
    }

    /// `+919876543210`.
    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// The country the number belongs to.
    pub fn country(&self) -> CountryCode {
        self.country
    }

    /// The number as dialled inside its country (`098765 43210`).
    ///
    /// Formatted when asked (only the API's number check shows it): a keystroke in the
    /// widget formats the number once, for the international form it shows.
    pub fn national(&self) -> String {
        phonenumber::parse(None, &self.e164)
            .map(|n| n.format().mode(Mode::National).to_string())
            .unwrap_or_else(|_| self.e164.clone())
    }

    /// The number as written for an international reader (`+91 98765 43210`).
    pub fn international(&self) -> &str {
        &self.international
    }

    /// Mobile, fixed line, ...
    pub fn kind(&self) -> NumberType {
        self.kind
    }

    /// The number with all but the last four digits hidden, for logs (`+91******3210`).
    pub fn masked(&self) -> String {
        mask_e164(&self.e164)
    }

    /// The E.164 form alone, as messages keep it.
    pub fn to_e164(&self) -> E164 {
        E164(self.e164.clone())
    }
}

/// A number in E.164 form (`+` and 8 to 15 digits) that was a valid [`PhoneNumber`] when
/// a message was accepted. Messages keep this form: reading one back checks the shape,
/// not the numbering plan of the day, so a stored message always reads.
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct E164(String);

impl E164 {
    /// Reads a stored E.164 number.
    pub fn parse(text: &str) -> Result<Self, PhoneError> {
        let digits = text
            .strip_prefix('+')
            .ok_or(PhoneError::InvalidCountryCode)?;
        if !digits.bytes().all(|b| b.is_ascii_digit()) || digits.starts_with('0') {
            return Err(PhoneError::NotANumber);
        }
        match digits.len() {
            0..=7 => Err(PhoneError::TooShort),
            8..=15 => Ok(Self(text.to_owned())),
            _ => Err(PhoneError::TooLong),
        }
    }

    /// `+919876543210`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// All but the last four digits hidden, for logs.
    pub fn masked(&self) -> String {
        mask_e164(&self.0)
    }
}

impl std::ops::Deref for E164 {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Debug output ends up in logs; never print the whole number.
        f.debug_tuple("E164").field(&self.masked()).finish()
    }
}

impl<'de> Deserialize<'de> for E164 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(|e| serde::de::Error::custom(e.phrase()))
    }
}

/// Hides all but the country code's first two characters and the last four digits.
pub fn mask_e164(e164: &str) -> String {
    let chars: Vec<char> = e164.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Debug output ends up in logs; never print the whole number.
        f.debug_tuple("PhoneNumber").field(&self.masked()).finish()
    }
}

impl Serialize for PhoneNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.e164)
    }
}

impl<'de> Deserialize<'de> for PhoneNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse_e164(&text).map_err(serde::de::Error::custom)
    }
}

/// The shortest and longest national number of any dialable type in `country`.
fn possible_lengths(country: CountryCode) -> Option<(usize, usize)> {
    let d = DATABASE.by_id(country.as_str())?.descriptors();
    let kinds = [
        Some(d.general()),
        d.fixed_line(),
        d.mobile(),
        d.toll_free(),
        d.premium_rate(),
        d.shared_cost(),
        d.personal_number(),
        d.voip(),
        d.pager(),
        d.uan(),
        d.voicemail(),
    ];
    let lengths = kinds
        .into_iter()
        .flatten()
        .flat_map(|k| k.possible_length().iter().copied());
    let (min, max) = lengths.fold((u16::MAX, 0), |(lo, hi), l| (lo.min(l), hi.max(l)));
    (max > 0).then(|| (usize::from(min), usize::from(max)))
}

/// Digits, at most one leading `+`, and the separators people type.
fn looks_like_a_number(text: &str) -> bool {
    let mut digits = 0;
    for (i, c) in text.chars().enumerate() {
        match c {
            '0'..='9' => digits += 1,
            '+' if i == 0 => {}
            ' ' | '-' | '.' | '(' | ')' | '/' | '\u{a0}' => {}
            _ => return false,
        }
    }
    digits > 0
}

/// The extension of a number written with one — `… ext. 12`, `… extension 12`,
/// `… x12`, `… #12`, `…;ext=12` — when what comes before it looks like a number.
fn extension_of(text: &str) -> Option<&str> {
    let lower = text.to_ascii_lowercase();
    ["extension", ";ext=", "ext", "x", "#"]
        .iter()
        .find_map(|marker| {
            let at = lower.rfind(marker)?;
            let (number, rest) = (&text[..at], &text[at + marker.len()..]);
            let extension = rest.trim_start_matches(['.', ':', '=', ' ']).trim_end();
            let number = number.trim().trim_end_matches([',', ';']);
            let is_digits = !extension.is_empty() && extension.chars().all(|c| c.is_ascii_digit());
            (is_digits && looks_like_a_number(number)).then_some(extension)
        })
}

/// For an error on a `+`-prefixed number, the country its code names (if any).
fn country_for_error(text: &str, default_country: CountryCode) -> CountryCode {
    if !text.starts_with('+') {
        return default_country;
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    (1..=3)
        .filter_map(|n| digits.get(..n)?.parse::<u16>().ok())
        .find_map(CountryCode::main_for_dial_code)
        .unwrap_or(default_country)
}

/// The region a parsed number belongs to: the one the metadata picks, else the main
/// region for its dial code (e.g. `+1` numbers outside the known ranges).
fn region_of(
    number: &phonenumber::PhoneNumber,
    default_country: CountryCode,
) -> Option<CountryCode> {
    if let Ok(Some(id)) = number.country().id() {
        return CountryCode::parse(id.as_ref()).ok();
    }
    let code = number.code().value();
    if default_country.dial_code() == code {
        return Some(default_country);
    }
    CountryCode::main_for_dial_code(code)
}

#[cfg(test)]
mod tests;

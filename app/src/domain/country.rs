//! Countries: ISO 3166-1 alpha-2 codes known to the numbering plans, their names and
//! dial codes, for the picker and for reading national numbers.

use super::country_names::country_names;
use phonenumber::country::Id;
use phonenumber::metadata::regions;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A country the phone-number metadata knows, e.g. `IN`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CountryCode(Id);

/// An unknown or malformed country code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a known ISO 3166 country code")]
pub struct UnknownCountry(pub String);

impl CountryCode {
    /// India, the product's default country.
    pub const INDIA: Self = Self(Id::IN);

    /// Parses a two-letter ISO code, in any letter case.
    pub fn parse(text: &str) -> Result<Self, UnknownCountry> {
        let upper = text.trim().to_ascii_uppercase();
        if upper.len() != 2 || !upper.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(UnknownCountry(text.to_owned()));
        }
        upper
            .parse::<Id>()
            .map(Self)
            .map_err(|_| UnknownCountry(text.to_owned()))
    }

    /// Every country of the picker, sorted by name.
    pub fn all() -> Vec<Self> {
        let mut all: Vec<(&str, Self)> = country_names()
            .filter_map(|(iso, name)| Some((name, Self::parse(iso).ok()?)))
            .collect();
        all.sort_by_key(|(name, _)| *name);
        all.into_iter().map(|(_, country)| country).collect()
    }

    /// The main country for a dial code (`1` → US, `44` → GB), if any.
    ///
    /// Read from the regions table every build has (the widget's too, which loads the
    /// numbering data itself only when a number needs it).
    pub fn main_for_dial_code(code: u16) -> Option<Self> {
        let mut of_code = regions().filter(|(_, c, _)| *c == code);
        let first = of_code.clone().next()?;
        let (id, _, _) = of_code.find(|(_, _, main)| *main).unwrap_or(first);
        Self::parse(id).ok()
    }

    /// The ISO code, `"IN"`.
    pub fn as_str(&self) -> &str {
        self.0.as_ref()
    }

    /// The English short name, `"India"`.
    pub fn name(&self) -> &'static str {
        let iso = self.as_str();
        country_names()
            .find(|(code, _)| *code == iso)
            .map_or("this country", |(_, name)| name)
    }

    /// The international dial code, `91`.
    pub fn dial_code(&self) -> u16 {
        let iso = self.as_str();
        regions()
            .find(|(id, _, _)| *id == iso)
            .map_or(0, |(_, code, _)| code)
    }

    /// The crate's identifier, for parsing.
    pub(crate) fn id(&self) -> Id {
        self.0
    }

    /// The picker's view of this country.
    pub fn view(&self) -> Country {
        Country {
            iso2: self.as_str().to_owned(),
            name: self.name().to_owned(),
            dial_code: format!("+{}", self.dial_code()),
        }
    }
}

impl Default for CountryCode {
    fn default() -> Self {
        Self::INDIA
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CountryCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CountryCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// One entry of the country picker (`GET /api/v1/countries`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Country {
    /// `"IN"`.
    pub iso2: String,
    /// `"India"`.
    pub name: String,
    /// `"+91"`.
    pub dial_code: String,
}

/// The picker's list with the default selection (`GET /api/v1/countries`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CountryList {
    /// The ISO code selected when the widget opens.
    pub default: String,
    /// Every country, sorted by name.
    pub countries: Vec<Country>,
    /// The numbering-plan metadata numbers are checked against (`libphonenumber 9.0.33`).
    pub numbering_plan: String,
}

/// The libphonenumber release whose numbering-plan metadata the number check uses
/// (`vendor/phonenumber/assets/PhoneNumberMetadata.xml`).
pub const NUMBERING_PLAN_VERSION: &str = "9.0.33";

impl CountryList {
    /// The full list with `default` selected.
    pub fn with_default(default: CountryCode) -> Self {
        Self {
            default: default.as_str().to_owned(),
            countries: CountryCode::all().iter().map(CountryCode::view).collect(),
            numbering_plan: format!("libphonenumber {NUMBERING_PLAN_VERSION}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn india_is_the_default_with_dial_code_91() {
        let india = CountryCode::default();
        assert_eq!(
            india.view(),
            Country {
                iso2: "IN".into(),
                name: "India".into(),
                dial_code: "+91".into()
            }
        );
    }

    #[test]
    fn codes_parse_in_any_case_and_refuse_garbage() {
        assert_eq!(
            CountryCode::parse("gb").map(|c| c.name()),
            Ok("United Kingdom")
        );
        assert!(CountryCode::parse("ZZ").is_err());
        assert!(CountryCode::parse("India").is_err());
        assert!(CountryCode::parse("").is_err());
    }

    #[test]
    fn the_list_names_every_country_with_a_dial_code() {
        let list = CountryList::with_default(CountryCode::INDIA);
        assert_eq!(list.numbering_plan, "libphonenumber 9.0.33");
        assert!(list.countries.len() > 200);
        assert!(list
            .countries
            .iter()
            .all(|c| c.dial_code.len() > 1 && c.dial_code != "+0"));
        assert!(list.countries.iter().all(|c| c.name != "this country"));
    }

    #[test]
    fn dial_code_one_belongs_to_the_united_states() {
        assert_eq!(
            CountryCode::main_for_dial_code(1).map(|c| c.as_str().to_owned()),
            Some("US".into())
        );
    }

    #[test]
    fn every_region_of_the_numbering_plan_reads_back_as_itself_with_its_dial_code() {
        let geographic = regions().filter(|(id, _, _)| *id != "001");
        for (id, code, _) in geographic {
            let country = CountryCode::parse(id).expect(id);
            assert_eq!((country.as_str(), country.dial_code()), (id, code));
            let lower = id.to_ascii_lowercase();
            assert_eq!(CountryCode::parse(&lower).map(|c| c.0), Ok(country.0));
        }
        for unknown in ["XX", "ZZ", "IND", "I", "001", ""] {
            assert!(CountryCode::parse(unknown).is_err(), "{unknown}");
        }
    }

    #[test]
    fn the_numbering_plan_version_is_the_patched_crates_metadata() {
        let manifest = include_str!("../../../vendor/phonenumber/Cargo.toml");
        let version = format!("+{NUMBERING_PLAN_VERSION}\"");
        assert!(
            manifest
                .lines()
                .any(|l| l.starts_with("version = ") && l.ends_with(&version)),
            "vendor/phonenumber/Cargo.toml carries metadata {NUMBERING_PLAN_VERSION}"
        );
    }
}

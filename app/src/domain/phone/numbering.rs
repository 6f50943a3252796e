//! Which calling codes' numbering data reading a number needs.
//!
//! The server and the console embed every country's numbering data. The widget's bundle
//! embeds none (feature `numbering-on-demand`): it fetches a calling code's data the first
//! time a number needs it (`widget::numbering`), and asks this module which codes that
//! is before it reads the number. Every build knows each region's calling code
//! (`phonenumber::metadata::regions`), so this works before anything is loaded.

use super::super::country::CountryCode;
use phonenumber::metadata::{regions, DATABASE};

/// A fingerprint of the numbering data the server hands out: the widget asks for it by
/// this version, so a cached copy is never one of another release.
pub const DATA_VERSION: &str = phonenumber::metadata::DATA_VERSION;

/// The calling codes reading `text` in `default_country` goes through: the default
/// country's, and the one a `+` or the country's international prefix (`00 44 …`)
/// names. At most two, the default country's first.
pub fn codes_for(text: &str, default_country: CountryCode) -> Vec<u16> {
    let mut codes = vec![default_country.dial_code()];
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let named = if text.trim_start().starts_with('+') {
        code_at_start(&digits)
    } else {
        after_international_prefix(&digits, default_country).and_then(code_at_start)
    };
    codes.extend(named.filter(|code| !codes.contains(code)));
    codes.retain(|code| *code != 0);
    codes
}

/// The codes of [`codes_for`] whose data is not loaded yet: none where the data is
/// embedded.
pub fn missing_for(text: &str, default_country: CountryCode) -> Vec<u16> {
    let mut codes = codes_for(text, default_country);
    codes.retain(|code| !is_loaded(*code));
    codes
}

/// Whether the numbering data of `code` is here (always, where it is embedded).
pub fn is_loaded(code: u16) -> bool {
    DATABASE.by_code(&code).is_some()
}

/// What a widget loads for `code`: every region of the code, encoded for the phone-number
/// library's `load_code` (the server hands it out: `GET /numbering/{version}/{code}`).
#[cfg(not(feature = "numbering-on-demand"))]
pub fn data_of(code: u16) -> Option<Vec<u8>> {
    phonenumber::metadata::export_code(code)
}

/// Whether some region has this calling code.
pub fn is_calling_code(code: u16) -> bool {
    regions().any(|(_, c, _)| c == code)
}

/// The calling code `digits` start with. Calling codes are prefix-free (ITU-T E.164), so
/// the first of the 1-, 2- and 3-digit prefixes that is one is the one.
fn code_at_start(digits: &str) -> Option<u16> {
    (1..=3)
        .filter_map(|n| digits.get(..n)?.parse::<u16>().ok())
        .find(|code| is_calling_code(*code))
}

/// The digits after `default_country`'s international prefix (`00`, `011`, …) when they
/// start with it. Known only once the country's own data is loaded, which
/// [`codes_for`] asks for first.
fn after_international_prefix(digits: &str, default_country: CountryCode) -> Option<&str> {
    let meta = DATABASE.by_id(default_country.as_str())?;
    let found = meta.international_prefix()?.regex().find(digits)?;
    (found.start() == 0).then(|| &digits[found.end()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn country(iso: &str) -> CountryCode {
        CountryCode::parse(iso).expect("a known country")
    }

    #[test]
    fn a_national_number_needs_only_its_countrys_code() {
        assert_eq!(codes_for("098765 43210", country("IN")), vec![91]);
        assert_eq!(codes_for("", country("GB")), vec![44]);
    }

    #[test]
    fn a_number_with_a_plus_also_needs_the_code_it_names() {
        assert_eq!(codes_for("+44 20 7946 0958", country("IN")), vec![91, 44]);
        assert_eq!(codes_for("+1 212 555 0100", country("IN")), vec![91, 1]);
        assert_eq!(codes_for("+880 1712 345678", country("IN")), vec![91, 880]);
        assert_eq!(codes_for("+91 98765 43210", country("IN")), vec![91]);
    }

    #[test]
    fn a_number_after_the_international_prefix_needs_the_code_after_it() {
        assert_eq!(codes_for("00 44 20 7946 0958", country("IN")), vec![91, 44]);
        assert_eq!(codes_for("011 44 20 7946 0958", country("US")), vec![1, 44]);
    }

    #[test]
    fn a_plus_that_names_no_code_needs_only_the_default() {
        assert_eq!(codes_for("+999 1234", country("IN")), vec![91]);
        assert_eq!(codes_for("+", country("IN")), vec![91]);
    }

    #[test]
    fn where_the_data_is_embedded_nothing_is_missing() {
        assert!(missing_for("+44 20 7946 0958", country("IN")).is_empty());
        assert!(is_loaded(44) && !is_loaded(999));
    }
}

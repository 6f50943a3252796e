use super::*;

fn india() -> CountryCode {
    CountryCode::parse("IN").expect("India is a country")
}

fn reason(text: &str) -> PhoneError {
    PhoneNumber::parse(text, india())
        .expect_err("should be refused")
        .reason
}

#[test]
fn a_number_one_digit_longer_than_its_plan_allows_is_refused() {
    // Each is a region's example mobile with one more digit; the start still matches
    // a pattern of the right length for another number shape (vendor/phonenumber).
    for (number, country) in [
        ("611234567", "BA"),
        ("430123457", "BG"),
        ("912345677", "KH"),
        ("921234567", "MM"),
        ("1234567897", "MY"),
        ("6012345677", "RS"),
        ("9012347", "TV"),
    ] {
        let country = CountryCode::parse(country).expect("a country");
        assert!(
            PhoneNumber::parse(number, country).is_err(),
            "{number} in {country:?} is one digit too long"
        );
        let example = &number[..number.len() - 1];
        assert!(
            PhoneNumber::parse(example, country).is_ok(),
            "{example} in {country:?} is the region's example mobile"
        );
    }
}

#[test]
fn a_mobile_whose_national_number_starts_with_0_keeps_it() {
    // Côte d'Ivoire, Benin, Congo: the 0 is part of the number since their plans
    // changed; typed in + form under India it must not be taken for India's prefix.
    for (plus, national, country) in [
        ("+225 01 23 45 67 89", "01 23 45 67 89", "CI"),
        ("+229 01 95 12 34 56", "01 95 12 34 56", "BJ"),
        ("+242 06 123 4567", "06 123 4567", "CG"),
    ] {
        let country = CountryCode::parse(country).expect("a country");
        let typed = PhoneNumber::parse(plus, india()).expect("valid in + form");
        let local = PhoneNumber::parse(national, country).expect("valid in national form");
        assert_eq!(typed.e164(), local.e164());
        assert!(
            typed.e164()[4..].starts_with('0'),
            "{} keeps its 0",
            typed.e164()
        );
        assert_eq!(
            (typed.country(), typed.kind()),
            (country, NumberType::Mobile)
        );
    }
}

#[test]
fn a_kazakh_mobile_starting_with_7_is_not_taken_for_the_country_code() {
    let kz = CountryCode::parse("KZ").expect("a country");
    let number = PhoneNumber::parse("77 1000 9998", kz).expect("a Kazakh mobile");
    assert_eq!(number.e164(), "+77710009998");
    assert_eq!(number.kind(), NumberType::Mobile);
}

#[test]
fn a_stored_e164_number_reads_back_by_its_shape_and_logs_masked() {
    let number = PhoneNumber::parse("98765 43210", india()).expect("valid");
    let stored = number.to_e164();
    assert_eq!(E164::parse(stored.as_str()), Ok(stored.clone()));
    assert_eq!(format!("{stored:?}"), "E164(\"+91******3210\")");
    assert_eq!(
        E164::parse("919876543210"),
        Err(PhoneError::InvalidCountryCode)
    );
    assert_eq!(E164::parse("+91 98765"), Err(PhoneError::NotANumber));
    assert_eq!(E164::parse("+1234567"), Err(PhoneError::TooShort));
    assert_eq!(E164::parse("+1234567890123456"), Err(PhoneError::TooLong));
}

#[test]
fn a_domestic_indian_mobile_is_normalised_to_e164() {
    let n = PhoneNumber::parse("98765 43210", india()).expect("valid");
    assert_eq!(n.e164(), "+919876543210");
    assert_eq!(n.country().as_str(), "IN");
    assert_eq!(n.kind(), NumberType::Mobile);
    assert_eq!(n.international(), "+91 98765 43210");
    assert_eq!(n.national(), "098765 43210");
}

#[test]
fn the_national_form_is_the_number_as_dialled_at_home() {
    for (typed, national) in [
        ("+39 06 1234 5678", "06 1234 5678"),
        ("+1 650 253 0000", "(650) 253-0000"),
        ("+7 701 234 5678", "8 (701) 234 5678"),
        ("+44 20 7031 3000", "020 7031 3000"),
    ] {
        let n = PhoneNumber::parse(typed, india()).expect("valid");
        assert_eq!(n.national(), national, "{typed}");
    }
}

#[test]
fn punctuation_after_the_number_is_ignored() {
    // The numbering library trims what is neither a number, a letter nor `#` from
    // the end (with regex's `\P{N}`/`\P{L}` on the server, Rust's character
    // properties in the widget: PATCHES.md, 7); this test runs on both.
    for typed in [
        "98765 43210.",
        "98765 43210 )",
        "(98765) 43210 -- ",
        "98765-43210/",
    ] {
        let n = PhoneNumber::parse(typed, india()).expect(typed);
        assert_eq!(n.e164(), "+919876543210", "{typed}");
    }
}

#[test]
#[cfg(not(feature = "lite-regex"))]
fn the_numbering_librarys_tel_prefix_is_read_in_any_ascii_case() {
    // PATCHES.md, 10: the scheme is folded as ASCII (our parser never hands the
    // library a `tel:`, so this asks the library itself). Only a URI read as one
    // takes its country from `phone-context`.
    for written in ["tel:", "TEL:", "Tel:", "tEL:"] {
        let uri = format!("{written}2079460958;phone-context=+44");
        let n = phonenumber::parse(None, &uri).expect(&uri);
        assert_eq!(n.country().code(), 44, "{uri}");
    }
    assert!(phonenumber::parse(None, "tél:2079460958;phone-context=+44").is_err());
}

#[test]
#[cfg(feature = "lite-regex")]
fn the_browsers_numbering_library_reads_no_tel_uri() {
    // PATCHES.md, 13: the widget's build leaves the URI reader out (our parser never
    // hands the library a `tel:`); a number as people write it still reads.
    assert!(phonenumber::parse(None, "tel:2079460958;phone-context=+44").is_err());
    let n = phonenumber::parse(None, "+44 20 7946 0958").expect("a written number");
    assert_eq!(n.country().code(), 44);
}

#[test]
fn the_widgets_digit_ranges_are_exactly_unicodes_decimal_digits() {
    // The widget matches with regex-lite, which has no `\p{Nd}`: the numbering
    // library spells the class out (vendor/phonenumber/PATCHES.md, 7).
    let full = regex::Regex::new(r"^\p{Nd}$").expect("compiles");
    let lite = regex_lite::Regex::new(&format!("^[{}]$", phonenumber::DECIMAL_DIGIT_RANGES))
        .expect("compiles");
    let differing: Vec<char> = (0..=0x10FFFF)
        .filter_map(char::from_u32)
        .filter(|c| {
            let c = c.to_string();
            full.is_match(&c) != lite.is_match(&c)
        })
        .collect();
    assert_eq!(differing, Vec::<char>::new());
}

#[test]
fn every_pattern_of_the_numbering_plan_compiles() {
    let patterns = phonenumber::metadata::DATABASE
        .check_patterns()
        .expect("every metadata pattern compiles");
    assert!(patterns > 4_000, "only {patterns} patterns were checked");
}

#[test]
fn the_numbering_library_reads_an_extension_written_in_capitals() {
    // Its extension prefixes match case-insensitively (regex's `unicode-case` on
    // the server, regex-lite's ASCII case folding in the widget: PATCHES.md, 6–7).
    let number = phonenumber::parse(None, "+44 20 7031 3000 EXT. 123").expect("parses");
    assert_eq!(
        number.extension().map(|e| e.to_string()),
        Some("123".into())
    );
}

#[test]
fn a_plus_prefixed_number_switches_the_country() {
    let n = PhoneNumber::parse("+44 7400 123456", india()).expect("valid UK mobile");
    assert_eq!(n.country().as_str(), "GB");
    assert_eq!(n.e164(), "+447400123456");
}

#[test]
fn a_us_number_keeps_its_region() {
    let n = PhoneNumber::parse("+1 (201) 555-0123", india()).expect("valid US number");
    assert_eq!(n.country().as_str(), "US");
}

#[test]
fn each_failure_has_its_reason() {
    assert_eq!(reason(""), PhoneError::NotANumber);
    assert_eq!(reason("call me"), PhoneError::NotANumber);
    assert_eq!(reason("98765abc"), PhoneError::NotANumber);
    assert_eq!(reason("+999 1234 5678"), PhoneError::InvalidCountryCode);
    assert_eq!(reason("98765"), PhoneError::TooShort);
    assert_eq!(reason("9876 5432 1012 3456"), PhoneError::TooLong);
    assert_eq!(reason("55555 55555"), PhoneError::Invalid);
}

#[test]
fn messages_name_the_country() {
    let err = PhoneNumber::parse("98765", india()).expect_err("too short");
    assert_eq!(err.message(), "The number is too short for India.");
}

#[test]
fn debug_output_masks_the_number() {
    let n = PhoneNumber::parse("9876543210", india()).expect("valid");
    assert_eq!(format!("{n:?}"), "PhoneNumber(\"+91******3210\")");
}

#[test]
fn e164_round_trips_through_serde() {
    let n = PhoneNumber::parse("9876543210", india()).expect("valid");
    let json = serde_json::to_string(&n).expect("serialises");
    assert_eq!(json, "\"+919876543210\"");
    let back: PhoneNumber = serde_json::from_str(&json).expect("parses");
    assert_eq!(back, n);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn no_text_makes_the_parser_panic(text in "\\PC{0,80}") {
            let _ = PhoneNumber::parse(&text, india());
        }

        #[test]
        fn no_digit_soup_makes_the_parser_panic(text in "[+]?[0-9 ()./-]{0,40}") {
            let _ = PhoneNumber::parse(&text, india());
        }

        #[test]
        fn any_country_can_be_the_default(
            idx in 0usize..240, text in "[+]?[0-9 ]{0,20}"
        ) {
            let countries = CountryCode::all();
            let country = countries[idx % countries.len()];
            let _ = PhoneNumber::parse(&text, country);
        }

        #[test]
        fn a_valid_number_reparses_to_itself(national in "[6-9][0-9]{9}") {
            if let Ok(n) = PhoneNumber::parse(&national, india()) {
                let again = PhoneNumber::parse(n.e164(), india()).expect("e164 parses");
                prop_assert_eq!(again.e164(), n.e164());
                prop_assert_eq!(again.international(), n.international());
            }
        }
    }
}

#[test]
fn a_number_with_an_extension_is_told_apart_from_one_that_is_not_a_number() {
    for text in [
        "0412 345 678 ext. 12",
        "0412 345 678 ext 12",
        "+61 412 345 678 extension 7",
        "(02) 9876 5432 x123",
        "98765 43210 #45",
        "+919876543210;ext=9",
    ] {
        assert_eq!(reason(text), PhoneError::HasExtension, "{text}");
    }
    for text in [
        "call me",
        "ext. 12",
        "98765abc",
        "0412 345 678 ext.",
        "box 12",
    ] {
        assert_eq!(reason(text), PhoneError::NotANumber, "{text}");
    }
    assert!(PhoneError::HasExtension
        .message(CountryCode::default())
        .starts_with("An extension cannot receive messages"));
}

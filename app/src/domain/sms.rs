//! SMS length accounting: which encoding a text needs and how many parts it takes.
//!
//! GSM-7 carries 160 septets in one message or 153 per part of a concatenated one;
//! characters of the extension table take two septets and are never split across parts.
//! Any character outside GSM-7 forces UCS-2: 70 code units alone, 67 per part, and a
//! surrogate pair is never split.

use serde::{Deserialize, Serialize};

/// The GSM 03.38 basic character set (one septet each).
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// The GSM 03.38 extension table (escape + one septet: two septets each).
const GSM_EXTENSION: &str = "^{}\\[~]|€\u{c}";

/// The character set an SMS is sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsEncoding {
    /// 7-bit default alphabet.
    Gsm7,
    /// 16-bit UCS-2 (UTF-16 code units).
    Ucs2,
}

/// How long an SMS is and how many parts it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsLength {
    /// GSM-7 or UCS-2.
    pub encoding: SmsEncoding,
    /// Septets (GSM-7) or UTF-16 code units (UCS-2) used.
    pub units: usize,
    /// Number of parts (0 for an empty text).
    pub segments: usize,
    /// Units one part holds at this length (160/153 or 70/67).
    pub per_segment: usize,
    /// Units left in the last part before another part is needed.
    pub remaining: usize,
}

/// Septets a character takes in GSM-7, or `None` if it is not in GSM-7.
fn gsm_septets(c: char) -> Option<usize> {
    if GSM_BASIC.contains(c) {
        Some(1)
    } else if GSM_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Measures `text` as an SMS body.
pub fn sms_length(text: &str) -> SmsLength {
    let gsm: Option<Vec<usize>> = text.chars().map(gsm_septets).collect();
    match gsm {
        Some(sizes) => measure(SmsEncoding::Gsm7, &sizes, 160, 153),
        None => {
            let sizes: Vec<usize> = text.chars().map(char::len_utf16).collect();
            measure(SmsEncoding::Ucs2, &sizes, 70, 67)
        }
    }
}

/// Packs indivisible characters of `sizes` units into parts.
fn measure(encoding: SmsEncoding, sizes: &[usize], single: usize, multi: usize) -> SmsLength {
    let units: usize = sizes.iter().sum();
    if units <= single {
        let segments = usize::from(units > 0);
        return SmsLength {
            encoding,
            units,
            segments,
            per_segment: single,
            remaining: single - units,
        };
    }
    let mut segments = 1;
    let mut used = 0;
    for &size in sizes {
        if used + size > multi {
            segments += 1;
            used = 0;
        }
        used += size;
    }
    SmsLength {
        encoding,
        units,
        segments,
        per_segment: multi,
        remaining: multi - used,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_up_to_160_characters_is_one_gsm_part() {
        let m = sms_length(&"a".repeat(160));
        assert_eq!(
            (m.encoding, m.units, m.segments, m.remaining),
            (SmsEncoding::Gsm7, 160, 1, 0)
        );
    }

    #[test]
    fn the_161st_character_makes_two_parts_of_153() {
        let m = sms_length(&"a".repeat(161));
        assert_eq!((m.segments, m.per_segment, m.remaining), (2, 153, 153 - 8));
        assert_eq!(sms_length(&"a".repeat(306)).segments, 2);
        assert_eq!(sms_length(&"a".repeat(307)).segments, 3);
    }

    #[test]
    fn extension_characters_count_twice_and_are_not_split() {
        assert_eq!(sms_length("€").units, 2);
        assert_eq!(sms_length(&"€".repeat(80)).segments, 1);
        // 152 plain septets then an escape pair: the pair moves whole to part two.
        let text = format!("{}{}", "a".repeat(152), "[".repeat(5));
        let m = sms_length(&text);
        assert_eq!((m.units, m.segments), (162, 2));
        assert_eq!(m.remaining, 153 - 10);
    }

    #[test]
    fn a_non_gsm_character_switches_to_ucs2() {
        let m = sms_length("Namaste ₹500");
        assert_eq!(
            (m.encoding, m.units, m.segments, m.per_segment),
            (SmsEncoding::Ucs2, 12, 1, 70)
        );
        assert_eq!(sms_length(&"₹".repeat(71)).segments, 2);
        assert_eq!(sms_length(&"₹".repeat(134)).segments, 2);
        assert_eq!(sms_length(&"₹".repeat(135)).segments, 3);
    }

    #[test]
    fn emoji_take_two_units_and_stay_whole() {
        let m = sms_length("😀");
        assert_eq!((m.encoding, m.units), (SmsEncoding::Ucs2, 2));
        let text = format!("{}😀", "ä₹".repeat(33)); // 66 units, then a pair
        assert_eq!(sms_length(&format!("{text}{text}")).segments, 3);
    }

    #[test]
    fn empty_text_has_no_parts() {
        assert_eq!(sms_length("").segments, 0);
    }
}

//! One field's value checked against its type, length and pattern.

use super::*;

/// The regular expression engine. The widget's bundle matches with regex-lite (feature
/// `lite-regex`): ASCII `\d`/`\w`, no `\p{…}` classes. A pattern only the full engine
/// compiles is left to the server there (`check_value`), which always uses the full one.
#[cfg(not(feature = "lite-regex"))]
use regex as re;
#[cfg(feature = "lite-regex")]
use regex_lite as re;

/// Compiles a field pattern anchored to the whole value.
pub(super) fn compile_pattern(pattern: &str) -> Option<re::Regex> {
    re::RegexBuilder::new(&format!("^(?:{pattern})$"))
        .size_limit(1 << 20)
        .build()
        .ok()
}

impl TemplateField {
    /// Checks one value; returns it cleaned (phone numbers in E.164) or the problem.
    pub fn check_value(&self, value: &str, dlt: bool) -> Result<String, String> {
        let len = value.chars().count();
        let limit = match (self.max_length, dlt) {
            (Some(max), true) => max.min(DLT_VARIABLE_MAX),
            (Some(max), false) => max,
            (None, true) => DLT_VARIABLE_MAX,
            (None, false) => FIELD_VALUE_MAX,
        };
        if len > limit {
            let hint = match self.field_type {
                FieldType::Url => ": use a shorter link",
                _ => "",
            };
            return Err(format!("at most {limit} characters (this has {len}){hint}"));
        }
        if value.chars().any(|c| c.is_control() && c != '\n') {
            return Err("contains control characters".into());
        }
        let clean = match self.field_type {
            FieldType::Text => value.to_owned(),
            FieldType::Number if is_decimal(value, true, None) => value.to_owned(),
            FieldType::Number => return Err("must be a number, like 42 or 3.5".into()),
            FieldType::Currency if is_amount(value) => value.to_owned(),
            FieldType::Currency => {
                return Err("must be an amount, like 1250, 1,250.50 or 1,25,000".into())
            }
            FieldType::Date if is_date(value) => value.to_owned(),
            FieldType::Date => return Err("must be a date written YYYY-MM-DD".into()),
            FieldType::Url if is_url(value) => value.to_owned(),
            FieldType::Url => return Err("must be a link starting with https:// or http://".into()),
            FieldType::Phone => match PhoneNumber::parse(value, CountryCode::default()) {
                Ok(n) => n.e164().to_owned(),
                Err(e) => return Err(format!("must be a phone number ({})", e.reason.phrase())),
            },
        };
        if let Some(pattern) = &self.pattern {
            match compile_pattern(pattern) {
                Some(re) if re.is_match(value) => {}
                Some(_) => {
                    return Err(match describe_pattern(pattern) {
                        Some(expected) => format!("must be {expected}"),
                        None => format!("must match the template's format ({pattern})"),
                    })
                }
                // The widget's regex-lite cannot read every pattern the server can: the
                // server, which checks every value again, has the last word.
                None if cfg!(feature = "lite-regex") => {}
                None => return Err("the template's pattern for this field is broken".into()),
            }
        }
        Ok(clean)
    }
}

/// An amount as people write it: digits with at most two decimals, the whole part
/// optionally grouped with commas in thousands (`1,250.50`) or the Indian way
/// (`1,25,000`).
pub(super) fn is_amount(value: &str) -> bool {
    let (whole, frac) = value.split_once('.').unwrap_or((value, ""));
    let plain: String = whole.chars().filter(|c| *c != ',').collect();
    let number = if frac.is_empty() && !value.ends_with('.') {
        plain
    } else {
        format!("{plain}.{frac}")
    };
    if !is_decimal(&number, false, Some(2)) {
        return false;
    }
    let groups: Vec<&str> = whole.split(',').collect();
    match groups.as_slice() {
        [_] => true,
        [first, rest @ ..] => {
            let (last, middle) = rest.split_last().unwrap_or((&"", &[]));
            let head = (1..=3).contains(&first.len());
            let thousands = middle.iter().all(|g| g.len() == 3);
            let indian = first.len() <= 2 && middle.iter().all(|g| g.len() == 2);
            head && last.len() == 3 && (thousands || indian)
        }
        [] => false,
    }
}

/// What a simple field pattern asks for, in words (`\d{4,8}`: "4–8 digits"); none
/// for patterns too rich to say briefly.
pub fn describe_pattern(pattern: &str) -> Option<String> {
    let p = pattern.trim_start_matches('^').trim_end_matches('$');
    let (class, count) = [
        "\\d",
        "[0-9]",
        "[A-Z]",
        "[A-Za-z]",
        "[A-Z0-9]",
        "[a-zA-Z0-9]",
    ]
    .iter()
    .find_map(|c| p.strip_prefix(c).map(|rest| (*c, rest)))?;
    let what = match class {
        "\\d" | "[0-9]" => "digits",
        "[A-Z]" => "capital letters",
        "[A-Za-z]" => "letters",
        _ => "letters or digits",
    };
    let count = match count {
        "+" => return Some(format!("{what} only")),
        c => c.strip_prefix('{')?.strip_suffix('}')?,
    };
    match count.split_once(',') {
        None => Some(format!("{} {what}", count.parse::<u32>().ok()?)),
        Some((low, "")) => Some(format!("at least {} {what}", low.parse::<u32>().ok()?)),
        Some((low, high)) => Some(format!(
            "{}–{} {what}",
            low.parse::<u32>().ok()?,
            high.parse::<u32>().ok()?
        )),
    }
}

fn is_decimal(value: &str, signed: bool, max_decimals: Option<usize>) -> bool {
    let unsigned = if signed {
        value.strip_prefix('-').unwrap_or(value)
    } else {
        value
    };
    let (whole, frac) = match unsigned.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 15 && s.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && frac.is_none_or(|f| digits(f) && max_decimals.is_none_or(|m| f.len() <= m))
}

fn is_date(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

fn is_url(value: &str) -> bool {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && host.contains('.') && !r.chars().any(char::is_whitespace)
    })
}

//! The customer's side of the conversation: the opt-out list (numbers that said STOP,
//! or that an admin listed), the words that opt out and back in, the replies customers
//! send, and the WhatsApp customer-service window their last message opened.

use super::{Channel, CountryCode, PhoneNumber, E164};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How long an inbound WhatsApp message keeps the customer-service window open.
pub const WINDOW_SECS: i64 = 24 * 60 * 60;

/// The most opt-outs one CSV import may hold.
pub const MOST_IMPORTED: usize = 100_000;

/// A number that may not be sent to on a channel (from one sender, or from any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OptOut {
    /// The customer's number.
    pub number: E164,
    /// The channel it applies to.
    pub channel: Channel,
    /// The sender it applies to (a number, sender id or WhatsApp number id); empty for
    /// every sender of the channel.
    #[serde(default)]
    pub sender: String,
    /// How it got on the list.
    pub source: OptOutSource,
    /// When (RFC 3339 UTC).
    pub at: String,
}

/// How a number got on the opt-out list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OptOutSource {
    /// An admin added it on the settings page or the admin API.
    Admin,
    /// A CSV import.
    Import,
    /// The customer sent an opt-out word (STOP).
    Customer,
}

impl OptOutSource {
    /// The stored and CSV spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Import => "import",
            Self::Customer => "customer",
        }
    }

    /// Reads the stored spelling.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Admin, Self::Import, Self::Customer]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// Adding (or removing) a number on the opt-out list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OptOutInput {
    /// The number in international form (`+919876543210`).
    pub number: String,
    /// The channel.
    pub channel: Channel,
    /// One sender only (empty or absent: every sender of the channel).
    #[serde(default)]
    pub sender: String,
}

/// An opt-out entry's key, checked: what the list is indexed by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptOutKey {
    /// The number.
    pub number: E164,
    /// The channel.
    pub channel: Channel,
    /// The sender, or empty for every sender.
    pub sender: String,
}

/// The longest sender an opt-out may name.
const MOST_SENDER: usize = 100;

impl OptOutInput {
    /// Checks the number (a valid number in international form) and the sender;
    /// problems by field name.
    pub fn parse(&self) -> Result<OptOutKey, BTreeMap<String, String>> {
        let mut problems = BTreeMap::new();
        let text = self.number.trim();
        let number = if text.starts_with('+') {
            // The country is only a fallback: an international number names its own.
            match PhoneNumber::parse(text, CountryCode::INDIA) {
                Ok(n) => Some(n.to_e164()),
                Err(e) => {
                    problems.insert("number".to_owned(), e.reason.phrase().to_owned());
                    None
                }
            }
        } else {
            problems.insert(
                "number".to_owned(),
                "start it with + and the country code, like +91 98765 43210".to_owned(),
            );
            None
        };
        let sender = self.sender.trim();
        if sender.chars().count() > MOST_SENDER || sender.chars().any(char::is_control) {
            problems.insert("sender".to_owned(), "not a sender".to_owned());
        }
        match number {
            Some(number) if problems.is_empty() => Ok(OptOutKey {
                number,
                channel: self.channel,
                sender: sender.to_owned(),
            }),
            _ => Err(problems),
        }
    }
}

/// What an opt-out import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Imported {
    /// Entries the file held.
    pub read: u64,
    /// Entries that were not on the list yet.
    pub added: u64,
}

/// The CSV header of an opt-out export (an import needs `number` and `channel`, and may
/// have `sender`; other columns are ignored).
pub const OPT_OUT_CSV_HEADER: &str = "number,channel,sender,source,at";

/// The opt-out list as CSV (RFC 4180, with a header line).
pub fn opt_outs_csv(entries: &[OptOut]) -> String {
    let mut out = String::with_capacity(64 * (entries.len() + 1));
    out.push_str(OPT_OUT_CSV_HEADER);
    out.push_str("\r\n");
    for e in entries {
        let cells = [
            e.number.as_str(),
            e.channel.as_str(),
            &e.sender,
            e.source.as_str(),
            &e.at,
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// One CSV cell: quoted when it holds a comma, a quote or a line break; a leading
/// `=`, `+`, `-`, `@`, tab or carriage return is not a formula to a spreadsheet (`'`
/// first: OWASP's list — a spreadsheet skips a leading tab or return and reads the
/// formula after it) unless the cell is a number in international form.
pub fn csv_cell(text: &str) -> String {
    let formula = text.starts_with(['=', '-', '@', '\t', '\r'])
        || (text.starts_with('+') && !text[1..].bytes().all(|b| b.is_ascii_digit()));
    let text = if formula {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// Reads an opt-out CSV: a header line naming the columns (`number`, `channel`, and
/// optionally `sender`), then one entry per line. Every line is checked before any is
/// taken: the problems come back by line (`line 3.number`), and nothing is imported.
pub fn parse_opt_out_csv(text: &str) -> Result<Vec<OptOutKey>, BTreeMap<String, String>> {
    let mut rows = csv_rows(text.trim_start_matches('\u{feff}'));
    let header = rows.next().ok_or_else(|| problem("file", "empty"))??;
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(number), Some(channel)) = (column("number"), column("channel")) else {
        return Err(problem(
            "header",
            "needs the columns number and channel (and optionally sender)",
        ));
    };
    let sender = column("sender");
    let mut keys = Vec::new();
    let mut problems = BTreeMap::new();
    for (index, row) in rows.enumerate() {
        let line = index + 2;
        let row = match row {
            Ok(row) => row,
            Err(p) => {
                problems.extend(p.into_values().map(|v| (format!("line {line}"), v)));
                break;
            }
        };
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |i: Option<usize>| {
            i.and_then(|i| row.get(i))
                .map(|c| c.trim().trim_start_matches('\''))
                .unwrap_or("")
                .to_owned()
        };
        let Ok(parsed_channel) = cell(Some(channel)).to_ascii_lowercase().parse::<Channel>() else {
            problems.insert(
                format!("line {line}.channel"),
                "not sms, whatsapp or rcs".into(),
            );
            continue;
        };
        let input = OptOutInput {
            number: cell(Some(number)),
            channel: parsed_channel,
            sender: cell(sender),
        };
        match input.parse() {
            Ok(key) => keys.push(key),
            Err(p) => problems.extend(p.into_iter().map(|(k, v)| (format!("line {line}.{k}"), v))),
        }
        if keys.len() > MOST_IMPORTED {
            return Err(problem(
                "file",
                &format!("more than {MOST_IMPORTED} entries; split it"),
            ));
        }
        if problems.len() >= 20 {
            break;
        }
    }
    if problems.is_empty() {
        Ok(keys)
    } else {
        Err(problems)
    }
}

fn problem(field: &str, text: &str) -> BTreeMap<String, String> {
    BTreeMap::from([(field.to_owned(), text.to_owned())])
}

type Row = Result<Vec<String>, BTreeMap<String, String>>;

/// The records of an RFC 4180 text (quoted cells may hold commas, quotes and breaks).
fn csv_rows(text: &str) -> impl Iterator<Item = Row> + '_ {
    let mut chars = text.chars().peekable();
    std::iter::from_fn(move || {
        chars.peek()?;
        let mut row = Vec::new();
        let mut cell = String::new();
        let mut quoted = false;
        loop {
            let Some(c) = chars.next() else {
                if quoted {
                    return Some(Err(problem("file", "a quoted cell is not closed")));
                }
                row.push(std::mem::take(&mut cell));
                return Some(Ok(row));
            };
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => cell.push(c),
                (false, '"') if cell.is_empty() => quoted = true,
                (false, ',') => row.push(std::mem::take(&mut cell)),
                (false, '\r') if chars.peek() == Some(&'\n') => {}
                (false, '\n') => {
                    row.push(std::mem::take(&mut cell));
                    return Some(Ok(row));
                }
                (false, c) => cell.push(c),
            }
        }
    })
}

/// What a customer's message asks of the opt-out list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    /// Stop sending to me (STOP, UNSUBSCRIBE, …).
    OptOut,
    /// Send to me again (START, UNSTOP).
    OptIn,
}

/// The words that opt out and back in: the whole message, trimmed, in any case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keywords {
    /// Opt-out words.
    pub stop: Vec<String>,
    /// Opt-in words.
    pub start: Vec<String>,
}

impl Default for Keywords {
    fn default() -> Self {
        let words = |w: &[&str]| w.iter().map(|s| (*s).to_owned()).collect();
        Self {
            stop: words(&["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"]),
            start: words(&["START", "UNSTOP"]),
        }
    }
}

impl Keywords {
    /// What `text` asks, if it is one of the words (and nothing else, bar spaces and a
    /// final full stop or exclamation mark).
    pub fn classify(&self, text: &str) -> Option<Keyword> {
        let word = text.trim().trim_end_matches(['.', '!']).trim();
        let same = |w: &String| w.trim().to_lowercase() == word.to_lowercase();
        if self.stop.iter().any(same) {
            Some(Keyword::OptOut)
        } else if self.start.iter().any(same) {
            Some(Keyword::OptIn)
        } else {
            None
        }
    }
}

/// A customer's message that answered one of ours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Reply {
    /// When it arrived (RFC 3339 UTC).
    pub at: String,
    /// What the customer wrote.
    pub text: String,
}

/// The WhatsApp customer-service window for one customer: free-form messages may go out
/// only while it is open, templates at any time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReplyWindow {
    /// Whether the customer wrote in the last 24 hours.
    pub open: bool,
    /// When it closes (RFC 3339 UTC), while it is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// While it is closed: the template the group's WhatsApp account recontacts
    /// customers with (the widget offers it first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recontact: Option<super::TemplateId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(number: &str, channel: Channel, sender: &str) -> OptOutKey {
        OptOutKey {
            number: E164::parse(number).expect("e164"),
            channel,
            sender: sender.to_owned(),
        }
    }

    #[test]
    fn an_opt_out_needs_a_valid_international_number() {
        let input = |n: &str| OptOutInput {
            number: n.into(),
            channel: Channel::Sms,
            sender: String::new(),
        };
        assert_eq!(
            input(" +91 98765 43210 ").parse(),
            Ok(key("+919876543210", Channel::Sms, ""))
        );
        assert!(
            input("98765 43210").parse().expect_err("refused")["number"].contains("country code")
        );
        assert!(input("+9198").parse().is_err());
    }

    #[test]
    fn a_csv_import_reads_the_named_columns_in_any_order_with_quotes() {
        let text = "Channel,Number,Sender,note\r\nsms,+919876543210,,x\n\
                    \"whatsapp\",\"+44 7911 123456\",\"WA-1\",\"a, b\"\n\n";
        assert_eq!(
            parse_opt_out_csv(text),
            Ok(vec![
                key("+919876543210", Channel::Sms, ""),
                key("+447911123456", Channel::Whatsapp, "WA-1"),
            ])
        );
    }

    #[test]
    fn a_csv_import_with_one_bad_line_names_it_and_takes_nothing() {
        let text = "number,channel\n+919876543210,sms\n12345,sms\n+919876543211,fax\n";
        let problems = parse_opt_out_csv(text).expect_err("bad lines");
        assert_eq!(
            problems.keys().collect::<Vec<_>>(),
            ["line 3.number", "line 4.channel"]
        );
        assert!(
            parse_opt_out_csv("phone\n+919876543210\n").expect_err("refused")["header"]
                .contains("number and channel")
        );
        assert!(
            parse_opt_out_csv("number,channel\n\"+91,sms\n").expect_err("refused")["line 2"]
                .contains("not closed")
        );
    }

    #[test]
    fn an_export_reads_back_as_the_same_entries() {
        let entries = vec![OptOut {
            number: E164::parse("+919876543210").expect("e164"),
            channel: Channel::Whatsapp,
            sender: "=HYPERLINK(\"x\")".into(),
            source: OptOutSource::Customer,
            at: "2026-12-02T10:00:00Z".into(),
        }];
        let csv = opt_outs_csv(&entries);
        assert!(csv.starts_with("number,channel,sender,source,at\r\n+919876543210,whatsapp,"));
        assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{csv}");
        let back = parse_opt_out_csv(&csv).expect("reads back");
        assert_eq!(back[0].number, entries[0].number);
    }

    #[test]
    fn stop_and_start_are_whole_messages_in_any_case() {
        let words = Keywords::default();
        assert_eq!(words.classify(" stop "), Some(Keyword::OptOut));
        assert_eq!(words.classify("Unsubscribe."), Some(Keyword::OptOut));
        assert_eq!(words.classify("START"), Some(Keyword::OptIn));
        assert_eq!(words.classify("please stop calling"), None);
        assert_eq!(words.classify("yes"), None);
        let hindi = Keywords {
            stop: vec!["रोकें".into()],
            start: vec![],
        };
        assert_eq!(hindi.classify("रोकें"), Some(Keyword::OptOut));
    }
}

//! The message history: which messages to list, as the history page and
//! `GET /api/v1/notifications` ask (every filter optional text), parsed into a filter
//! of typed values; the keyset cursor between pages; and a page.

use super::contacts::csv_cell;
use super::time::parse_rfc3339;
use super::{
    CallId, Channel, CountryCode, FieldErrors, GroupId, NotificationStatus, NotificationView,
    PhoneNumber, TemplateId, UserId, E164,
};
use ::time::{Date, Duration, OffsetDateTime, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most messages one page holds.
pub const PAGE_MAX: u32 = 200;
/// Messages per page unless asked otherwise.
pub const PAGE_DEFAULT: u32 = 50;

/// A history query as sent: every filter optional, as text. `from` and `to` are RFC 3339
/// times or `YYYY-MM-DD` days (UTC); `from ≤ created_at < to`, and a day given as `to`
/// is included whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryQuery {
    /// Earliest acceptance time.
    pub from: Option<String>,
    /// Acceptance before this time (a day: up to its end).
    pub to: Option<String>,
    /// `sms`, `whatsapp` or `rcs`.
    pub channel: Option<String>,
    /// A status (`queued` … `failed`).
    pub status: Option<String>,
    /// A template id.
    pub template_id: Option<String>,
    /// A sending agent (or API key).
    pub agent_id: Option<String>,
    /// A group (admins).
    pub group_id: Option<String>,
    /// A call id.
    pub call_id: Option<String>,
    /// A number, in E.164 or national form (the default country's).
    pub number: Option<String>,
    /// Part of a message's UUID.
    pub q: Option<String>,
    /// Where the page starts: the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// How many per page (1–200, default 50).
    pub limit: Option<u32>,
}

/// A history query parsed: only typed values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    /// Accepted at or after.
    pub from: Option<OffsetDateTime>,
    /// Accepted before.
    pub until: Option<OffsetDateTime>,
    /// On this channel.
    pub channel: Option<Channel>,
    /// In this status.
    pub status: Option<NotificationStatus>,
    /// From this template.
    pub template_id: Option<TemplateId>,
    /// Sent by this agent.
    pub agent_id: Option<UserId>,
    /// Sent for this group.
    pub group_id: Option<GroupId>,
    /// On this call.
    pub call_id: Option<CallId>,
    /// To this number.
    pub number: Option<E164>,
    /// Whose UUID contains this.
    pub uuid_text: Option<UuidText>,
    /// Older than this position (the next page).
    pub after: Option<Cursor>,
    /// At most this many.
    pub limit: u32,
}

impl HistoryQuery {
    /// The filter it asks for, national numbers read in `country`; every problem at its
    /// parameter.
    pub fn parse(&self, country: CountryCode) -> Result<HistoryFilter, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut field = |name: &str, problem: String| errors.add(name, problem);
        let from = parse_opt(&self.from, |t| instant(t, false), "from", &mut field);
        let until = parse_opt(&self.to, |t| instant(t, true), "to", &mut field);
        if let (Some(from), Some(until)) = (from, until) {
            if from >= until {
                field("to", "must be after the start (From)".into());
            }
        }
        let filter = HistoryFilter {
            from,
            until,
            channel: parse_opt(&self.channel, one_of, "channel", &mut field),
            status: parse_opt(&self.status, one_of, "status", &mut field),
            template_id: parse_opt(
                &self.template_id,
                id(TemplateId::parse),
                "template_id",
                &mut field,
            ),
            agent_id: parse_opt(&self.agent_id, id(UserId::parse), "agent_id", &mut field),
            group_id: parse_opt(&self.group_id, id(GroupId::parse), "group_id", &mut field),
            call_id: parse_opt(&self.call_id, id(CallId::parse), "call_id", &mut field),
            number: parse_opt(
                &self.number,
                |t| {
                    PhoneNumber::parse(t, country)
                        .map(|n| n.to_e164())
                        .map_err(|e| e.message())
                },
                "number",
                &mut field,
            ),
            uuid_text: parse_opt(&self.q, UuidText::parse, "q", &mut field),
            after: parse_opt(&self.cursor, Cursor::parse, "cursor", &mut field),
            limit: match self.limit.unwrap_or(PAGE_DEFAULT) {
                limit @ 1..=PAGE_MAX => limit,
                _ => {
                    field("limit", format!("must be between 1 and {PAGE_MAX}"));
                    PAGE_DEFAULT
                }
            },
        };
        errors.into_result(filter)
    }
}

/// `text` parsed by `parse` when given; a problem recorded at `name` otherwise.
fn parse_opt<T>(
    text: &Option<String>,
    parse: impl FnOnce(&str) -> Result<T, String>,
    name: &str,
    field: &mut impl FnMut(&str, String),
) -> Option<T> {
    match parse(text.as_deref()?.trim()) {
        Ok(value) => Some(value),
        Err(problem) => {
            field(name, problem);
            None
        }
    }
}

fn one_of<T: std::str::FromStr>(text: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("unknown value \"{text}\""))
}

fn id<T, E: std::fmt::Display>(
    parse: impl Fn(&str) -> Result<T, E>,
) -> impl Fn(&str) -> Result<T, String> {
    move |text| parse(text).map_err(|e| e.to_string())
}

/// An RFC 3339 time, or a `YYYY-MM-DD` day's start in UTC (the next day's when `end`).
pub(crate) fn instant(text: &str, end: bool) -> Result<OffsetDateTime, String> {
    if let Ok(at) = parse_rfc3339(text) {
        return Ok(at);
    }
    let bad = || "expected a day (2026-12-02) or an RFC 3339 time".to_owned();
    let mut parts = text.splitn(3, '-');
    let mut number = |digits: usize| {
        parts
            .next()
            .filter(|p| p.len() == digits && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<u16>().ok())
            .ok_or_else(bad)
    };
    let (year, month, day) = (number(4)?, number(2)?, number(2)?);
    let month =
        ::time::Month::try_from(u8::try_from(month).map_err(|_| bad())?).map_err(|_| bad())?;
    let day = Date::from_calendar_date(
        i32::from(year),
        month,
        u8::try_from(day).map_err(|_| bad())?,
    )
    .map_err(|_| bad())?;
    let start = day.with_time(Time::MIDNIGHT).assume_utc();
    Ok(if end { start + Duration::DAY } else { start })
}

/// Part of a message's UUID, as typed to find it: 1 to 36 hexadecimal digits and
/// dashes, kept lowercase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UuidText(String);

impl UuidText {
    /// `text` when it can be part of a UUID.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.is_empty()
            || text.len() > 36
            || !text.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
        {
            return Err("a UUID or part of one: hexadecimal digits and dashes".into());
        }
        Ok(Self(text.to_ascii_lowercase()))
    }

    /// The text (only hexadecimal digits and dashes: safe in a `LIKE` or a regex).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A position in the history, newest first: a message's acceptance time (milliseconds)
/// and UUID (which orders messages accepted in the same millisecond). On the wire:
/// `<ms>_<uuid>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// Acceptance time, Unix milliseconds.
    pub created_ms: i64,
    /// The message's UUID.
    pub uuid: Uuid,
}

impl Cursor {
    /// The position of the message accepted at `created_at` with `uuid`.
    pub fn at(created_at: OffsetDateTime, uuid: Uuid) -> Self {
        let created_ms =
            i64::try_from(created_at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
        Self { created_ms, uuid }
    }

    /// A cursor as sent back.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || "not a cursor this server gave (use next_cursor as it is)".to_owned();
        let (ms, uuid) = text.split_once('_').ok_or_else(bad)?;
        Ok(Self {
            created_ms: ms.parse().map_err(|_| bad())?,
            uuid: Uuid::parse_str(uuid).map_err(|_| bad())?,
        })
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}_{}", self.created_ms, self.uuid)
    }
}

/// One page of the history, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HistoryPage {
    /// The messages.
    pub notifications: Vec<NotificationView>,
    /// Where the next page starts; none on the last page.
    pub next_cursor: Option<String>,
}

/// Who is reading the history: what they may filter by follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Reader {
    /// Their own messages.
    Agent,
    /// Their group's messages.
    Supervisor,
    /// Every message.
    Admin,
}

/// One thing to filter by: its id and what people call it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Choice {
    /// The id the filter takes.
    pub id: String,
    /// Its name.
    pub label: String,
}

/// What the history page offers its reader to filter by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HistoryChoices {
    /// Who is reading.
    pub reader: Reader,
    /// The reader's id (an agent's own messages need no agent filter).
    pub reader_id: String,
    /// Every template, by name.
    pub templates: Vec<Choice>,
    /// The agents whose messages the reader may read (none for an agent).
    pub agents: Vec<Choice>,
    /// The groups (an admin's only).
    pub groups: Vec<Choice>,
}

/// The CSV export's first line: its columns.
pub const CSV_HEADER: &str = "uuid,created_at,updated_at,channel,status,to,template_id,template_name,agent_id,group_id,call_id,provider,error_code,error_message,resend_of\r\n";

/// One message as a line of the CSV export (the columns of [`CSV_HEADER`]).
pub fn csv_line(view: &NotificationView) -> String {
    let error = view.error.as_ref();
    let cells = [
        view.uuid.as_str(),
        &view.created_at,
        &view.updated_at,
        view.channel.as_str(),
        view.status.as_str(),
        &view.to,
        view.template_id.as_str(),
        &view.template_name,
        view.agent_id.as_str(),
        view.group_id.as_str(),
        view.call_id.as_ref().map_or("", |c| c.as_str()),
        view.provider.as_deref().unwrap_or_default(),
        error.map_or("", |e| e.code.as_str()),
        error.map_or("", |e| e.message.as_str()),
        view.resend_of.as_deref().unwrap_or_default(),
    ];
    let mut line = cells.map(csv_cell).join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn india() -> CountryCode {
        CountryCode::parse("IN").expect("India")
    }

    fn query(set: impl FnOnce(&mut HistoryQuery)) -> HistoryQuery {
        let mut q = HistoryQuery::default();
        set(&mut q);
        q
    }

    #[test]
    fn an_empty_query_lists_the_newest_fifty() {
        let filter = HistoryQuery::default().parse(india()).expect("as expected");
        assert_eq!(
            filter,
            HistoryFilter {
                limit: 50,
                ..HistoryFilter::default()
            }
        );
    }

    #[test]
    fn a_day_as_to_includes_that_whole_day() {
        let filter = query(|q| {
            q.from = Some("2026-12-01".into());
            q.to = Some("2026-12-01".into());
        })
        .parse(india())
        .expect("as expected");
        assert_eq!(
            crate::domain::rfc3339(filter.from.expect("as expected")),
            "2026-12-01T00:00:00.000Z"
        );
        assert_eq!(
            crate::domain::rfc3339(filter.until.expect("as expected")),
            "2026-12-02T00:00:00.000Z"
        );
    }

    #[test]
    fn times_with_an_offset_are_read_as_given() {
        let filter = query(|q| q.from = Some("2026-12-01T05:30:00+05:30".into()))
            .parse(india())
            .expect("as expected");
        assert_eq!(
            crate::domain::rfc3339(filter.from.expect("as expected")),
            "2026-12-01T00:00:00.000Z"
        );
    }

    #[test]
    fn a_national_number_is_matched_in_the_default_countrys_e164() {
        let filter = query(|q| q.number = Some("98765 43210".into()))
            .parse(india())
            .expect("as expected");
        assert_eq!(
            filter.number.expect("as expected").as_str(),
            "+919876543210"
        );
    }

    #[test]
    fn every_bad_parameter_is_reported_at_its_name() {
        let errors = query(|q| {
            q.from = Some("yesterday".into());
            q.channel = Some("fax".into());
            q.status = Some("lost".into());
            q.number = Some("12".into());
            q.q = Some("xyz".into());
            q.cursor = Some("page2".into());
            q.limit = Some(500);
        })
        .parse(india())
        .expect_err("refused");
        let names: Vec<&str> = errors.0.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            ["channel", "cursor", "from", "limit", "number", "q", "status"]
        );
        assert_eq!(errors.0["channel"], "unknown value \"fax\"");
    }

    #[test]
    fn a_range_that_ends_before_it_starts_is_refused() {
        let errors = query(|q| {
            q.from = Some("2026-12-02".into());
            q.to = Some("2026-12-01T12:00:00Z".into());
        })
        .parse(india())
        .expect_err("refused");
        assert_eq!(errors.0["to"], "must be after the start (From)");
    }

    #[test]
    fn part_of_a_uuid_is_kept_lowercase_and_anything_else_refused() {
        assert_eq!(
            UuidText::parse("5F2A-9").expect("as expected").as_str(),
            "5f2a-9"
        );
        assert!(UuidText::parse("5f2a%").is_err());
        assert!(UuidText::parse(&"a".repeat(37)).is_err());
    }

    #[test]
    fn a_cell_starting_with_a_tab_or_a_return_before_a_formula_is_defused_too() {
        use crate::domain::contacts::csv_cell;
        assert_eq!(csv_cell("\t=1+1"), "'\t=1+1");
        assert_eq!(
            csv_cell("\r=cmd|' /C calc'!A0"),
            "\"'\r=cmd|' /C calc'!A0\""
        );
        assert_eq!(csv_cell("+919876543210"), "+919876543210");
        assert_eq!(csv_cell("plain text"), "plain text");
    }

    #[test]
    fn a_csv_line_quotes_commas_and_defuses_formulas_but_keeps_numbers() {
        let view: NotificationView = serde_json::from_value(serde_json::json!({
            "uuid": "0b9f8a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "channel": "sms",
            "status": "failed", "to": "+919876543210", "template_id": "t_otp",
            "template_name": "=HYPERLINK(\"x\")", "call_id": "c-1", "agent_id": "asha",
            "group_id": "billing", "resend_of": null, "created_at": "2026-12-02T09:00:00.000Z",
            "updated_at": "2026-12-02T09:00:01.000Z", "history": [],
            "error": {"code": "invalid_number", "message": "Not a number, sorry"}
        }))
        .expect("as expected");
        assert_eq!(
            csv_line(&view),
            "0b9f8a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b,2026-12-02T09:00:00.000Z,2026-12-02T09:00:01.000Z,sms,failed,+919876543210,t_otp,\"'=HYPERLINK(\"\"x\"\")\",asha,billing,c-1,,invalid_number,\"Not a number, sorry\",\r\n"
        );
    }

    #[test]
    fn a_cursor_reads_back_what_it_wrote() {
        let uuid = Uuid::parse_str("0b9f8a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b").expect("as expected");
        let cursor = Cursor {
            created_ms: 1_764_662_400_000,
            uuid,
        };
        assert_eq!(
            cursor.to_string(),
            "1764662400000_0b9f8a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
        );
        assert_eq!(Cursor::parse(&cursor.to_string()), Ok(cursor));
        assert!(Cursor::parse("1764662400000").is_err());
    }
}

//! Delivery figures for the dashboard and `GET /api/v1/stats`: for a period and
//! optionally a group, messages by status and channel, the delivery rate, the time
//! from acceptance to delivery (median and 95th percentile), failures by reason, the
//! most used templates and each provider's answers.

use super::history::instant;
use super::{Channel, FieldErrors, GroupId, NotificationStatus};
use ::time::{Duration, OffsetDateTime};
use serde::{Deserialize, Serialize};

/// The period when none is given: the last 24 hours.
pub const DEFAULT_HOURS: i64 = 24;

/// The figures asked for, as sent: `from` and `to` RFC 3339 times or days (a `to` day
/// included whole), `group_id` (admins; a supervisor's is their own).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsQuery {
    /// Start of the period (default: 24 hours before its end).
    pub from: Option<String>,
    /// End of the period (default: now).
    pub to: Option<String>,
    /// Only this group's messages.
    pub group_id: Option<String>,
}

/// The figures asked for, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsFilter {
    /// Messages accepted at or after.
    pub from: OffsetDateTime,
    /// Messages accepted before.
    pub until: OffsetDateTime,
    /// Only this group's.
    pub group_id: Option<GroupId>,
}

impl StatsQuery {
    /// The filter, its period ending `now` unless given; every problem at its name.
    pub fn parse(&self, now: OffsetDateTime) -> Result<StatsFilter, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut read = |name: &str, text: &Option<String>, end: bool| {
            text.as_deref().and_then(|t| {
                instant(t.trim(), end)
                    .map_err(|problem| errors.add(name, problem))
                    .ok()
            })
        };
        let until = read("to", &self.to, true).unwrap_or(now);
        let from =
            read("from", &self.from, false).unwrap_or(until - Duration::hours(DEFAULT_HOURS));
        let group_id = self.group_id.as_deref().and_then(|g| {
            GroupId::parse(g.trim())
                .map_err(|e| errors.add("group_id", e.to_string()))
                .ok()
        });
        if errors.is_empty() && from >= until {
            errors.add("to", "must be after the start (From)");
        }
        errors.into_result(StatsFilter {
            from,
            until,
            group_id,
        })
    }
}

/// How many messages have some property.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Count {
    /// The property (a status, a failure code, a template id…).
    pub key: String,
    /// What people call it, when it is not the key itself.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// How many.
    pub count: u64,
}

/// What a chart calls a row: its label, else its key.
fn label_or_key<'a>(label: &'a str, key: &'a str) -> &'a str {
    if label.is_empty() {
        key
    } else {
        label
    }
}

impl Count {
    /// What a chart calls it: its label, else its key.
    pub fn name(&self) -> &str {
        label_or_key(&self.label, &self.key)
    }
}

/// One channel's, or one provider's, messages by status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Breakdown {
    /// The channel or the provider (`none`: no provider took them).
    pub key: String,
    /// What people call it, when it is not the key itself.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// How many in all.
    pub total: u64,
    /// How many in each status (statuses with none left out), in the statuses' order.
    pub by_status: Vec<Count>,
}

impl Breakdown {
    /// What a chart calls it: its label, else its key.
    pub fn name(&self) -> &str {
        label_or_key(&self.label, &self.key)
    }
}

/// The time from acceptance to delivery of the period's delivered messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DeliveryTimes {
    /// How many messages it is measured on.
    pub count: u64,
    /// Median, milliseconds.
    pub p50_ms: i64,
    /// 95th percentile, milliseconds.
    pub p95_ms: i64,
}

/// The dashboard's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DeliveryStats {
    /// Start of the period (RFC 3339 UTC).
    pub from: String,
    /// End of the period (RFC 3339 UTC).
    pub to: String,
    /// The group, when the figures are one group's.
    pub group_id: Option<GroupId>,
    /// Messages accepted in the period.
    pub total: u64,
    /// By status.
    pub by_status: Vec<Count>,
    /// By channel, each by status.
    pub by_channel: Vec<Breakdown>,
    /// Delivered (or read) among the messages whose fate is known (delivered, read or
    /// failed), 0–1; none before any is known.
    pub delivery_rate: Option<f64>,
    /// Acceptance to delivery; none before any message is delivered.
    pub time_to_delivered: Option<DeliveryTimes>,
    /// Failures by reason code, most frequent first.
    pub failures: Vec<Count>,
    /// The most used templates, most used first (at most 5).
    pub top_templates: Vec<Count>,
    /// Each provider's messages by status (`none` for those no provider took yet).
    pub providers: Vec<Breakdown>,
}

/// How many messages of a channel are in a status with a provider (none: not taken yet).
pub type StatusCount = (Channel, NotificationStatus, Option<String>, u64);

/// What the stores count, for [`DeliveryStats::from_rows`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatsRows {
    /// Messages per (channel, status, provider).
    pub counts: Vec<StatusCount>,
    /// Failures per reason code.
    pub failures: Vec<(String, u64)>,
    /// Messages per template (id, name).
    pub templates: Vec<(String, String, u64)>,
    /// Acceptance to delivery.
    pub delivery: Option<DeliveryTimes>,
}

/// Most templates listed.
pub const TOP_TEMPLATES: usize = 5;

impl DeliveryStats {
    /// The figures of `filter`'s period from what the store counted.
    pub fn from_rows(filter: &StatsFilter, rows: StatsRows) -> Self {
        let statuses = |of: &dyn Fn(&StatusCount) -> bool| {
            NotificationStatus::ALL
                .iter()
                .filter_map(|s| {
                    let count: u64 = rows
                        .counts
                        .iter()
                        .filter(|r| r.1 == *s && of(r))
                        .map(|r| r.3)
                        .sum();
                    (count > 0).then(|| Count {
                        key: s.as_str().to_owned(),
                        label: String::new(),
                        count,
                    })
                })
                .collect::<Vec<_>>()
        };
        let breakdown = |key: String, label: String, by_status: Vec<Count>| Breakdown {
            key,
            label,
            total: by_status.iter().map(|c| c.count).sum(),
            by_status,
        };
        let by_status = statuses(&|_| true);
        let by_channel = Channel::ALL
            .iter()
            .map(|c| {
                let label = c.label().to_owned();
                breakdown(c.as_str().to_owned(), label, statuses(&|r| r.0 == *c))
            })
            .filter(|b| b.total > 0)
            .collect();
        let mut names: Vec<Option<String>> = rows.counts.iter().map(|r| r.2.clone()).collect();
        names.sort();
        names.dedup();
        let providers = names
            .into_iter()
            .map(|p| {
                let key = p.clone().unwrap_or_else(|| "none".to_owned());
                let label = match p.as_deref() {
                    None => "Not sent to a provider".to_owned(),
                    Some(name) => crate::domain::ProviderKind::named(name)
                        .map_or_else(|| name.to_owned(), |k| k.label.to_owned()),
                };
                breakdown(key, label, statuses(&|r| r.2 == p))
            })
            .collect();
        let count_of = |s: NotificationStatus| {
            by_status
                .iter()
                .find(|c| c.key == s.as_str())
                .map_or(0, |c| c.count)
        };
        let delivered =
            count_of(NotificationStatus::Delivered) + count_of(NotificationStatus::Read);
        let known = delivered + count_of(NotificationStatus::Failed);
        #[expect(clippy::cast_precision_loss, reason = "a rate, counts far below 2^52")]
        let delivery_rate = (known > 0).then(|| delivered as f64 / known as f64);
        let mut failures: Vec<Count> = rows
            .failures
            .into_iter()
            .map(|(key, count)| Count {
                label: crate::domain::FailureReason::label_of(&key),
                key,
                count,
            })
            .collect();
        failures.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
        let mut top_templates: Vec<Count> = rows
            .templates
            .into_iter()
            .map(|(key, label, count)| Count { key, label, count })
            .collect();
        top_templates.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
        top_templates.truncate(TOP_TEMPLATES);
        Self {
            from: super::rfc3339(filter.from),
            to: super::rfc3339(filter.until),
            group_id: filter.group_id.clone(),
            total: by_status.iter().map(|c| c.count).sum(),
            by_status,
            by_channel,
            delivery_rate,
            time_to_delivered: rows.delivery,
            failures,
            top_templates,
            providers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use NotificationStatus::{Delivered, Failed, Read, Sent};

    fn filter() -> StatsFilter {
        StatsQuery {
            from: Some("2026-12-01".into()),
            to: Some("2026-12-01".into()),
            group_id: None,
        }
        .parse(OffsetDateTime::now_utc())
        .expect("a day")
    }

    #[test]
    fn no_period_means_the_last_day() {
        let now = OffsetDateTime::now_utc();
        let f = StatsQuery::default().parse(now).expect("defaults");
        assert_eq!((f.until, f.until - f.from), (now, Duration::hours(24)));
    }

    #[test]
    fn a_bad_period_is_refused_at_its_names() {
        let errors = StatsQuery {
            from: Some("soon".into()),
            to: None,
            group_id: Some("no spaces".into()),
        }
        .parse(OffsetDateTime::now_utc())
        .expect_err("refused");
        assert_eq!(errors.0.keys().collect::<Vec<_>>(), ["from", "group_id"]);
    }

    #[test]
    fn the_figures_add_up_by_status_channel_and_provider_and_the_rate_counts_only_known_fates() {
        let twilio = Some("twilio".to_owned());
        let stats = DeliveryStats::from_rows(
            &filter(),
            StatsRows {
                counts: vec![
                    (Channel::Sms, Delivered, twilio.clone(), 6),
                    (Channel::Sms, Failed, twilio.clone(), 2),
                    (Channel::Whatsapp, Read, Some("meta".into()), 1),
                    (Channel::Whatsapp, Sent, Some("meta".into()), 5),
                    (Channel::Sms, NotificationStatus::Queued, None, 3),
                ],
                failures: vec![("unroutable".into(), 1), ("invalid_number".into(), 1)],
                templates: (0..7)
                    .map(|i| (format!("t{i}"), format!("T{i}"), i))
                    .collect(),
                delivery: None,
            },
        );
        assert_eq!(stats.total, 17);
        let keys = |counts: &[Count]| {
            counts
                .iter()
                .map(|c| (c.key.clone(), c.count))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            keys(&stats.by_status),
            [
                ("queued".into(), 3),
                ("sent".into(), 5),
                ("delivered".into(), 6),
                ("read".into(), 1),
                ("failed".into(), 2)
            ]
        );
        assert_eq!(
            stats
                .by_channel
                .iter()
                .map(|b| (b.key.as_str(), b.total))
                .collect::<Vec<_>>(),
            [("sms", 11), ("whatsapp", 6)]
        );
        assert_eq!(
            stats
                .providers
                .iter()
                .map(|b| (b.key.as_str(), b.total))
                .collect::<Vec<_>>(),
            [("none", 3), ("meta", 6), ("twilio", 8)]
        );
        assert_eq!(stats.delivery_rate, Some(7.0 / 9.0));
        assert_eq!(
            keys(&stats.failures),
            [("invalid_number".into(), 1), ("unroutable".into(), 1)]
        );
        assert_eq!(
            stats
                .top_templates
                .iter()
                .map(|c| c.key.as_str())
                .collect::<Vec<_>>(),
            ["t6", "t5", "t4", "t3", "t2"]
        );
        assert_eq!(stats.from, "2026-12-01T00:00:00.000Z");
    }
}

//! The delivery dashboard (`/dashboard`) for supervisors (their group) and admins (any
//! group or all): for a period, messages by status and channel, the delivery rate, time
//! to delivered (median, 95th percentile), failures by reason, the most used templates
//! and each provider's answers; charts drawn as SVG here, figures refreshed every few
//! seconds while the page is open.

use super::session::{ends_session, reader_token};
use crate::api::{delivery_stats, history_filters, ApiError};
use crate::domain::{Breakdown, Count, DeliveryStats, NotificationStatus, Reader, StatsQuery};
use crate::ui::local_time;
use leptos::prelude::*;

/// How often the figures are read again.
const REFRESH_MS: u32 = 5_000;

/// The periods offered: label and hours back from now.
const PERIODS: [(&str, u32); 4] = [
    ("Last hour", 1),
    ("Last 24 hours", 24),
    ("Last 7 days", 24 * 7),
    ("Last 30 days", 24 * 30),
];

/// The dashboard page.
#[component]
pub fn Dashboard() -> impl IntoView {
    let Some(token) = reader_token() else {
        return view! {
            <main class="history">
                <h1>"Delivery dashboard"</h1>
                <div class="banner error" role="alert">
                    <p>"You are not signed in. Open the dashboard from the settings page, or from your softphone as a supervisor."</p>
                    <p><a href="/admin">"Sign in to the settings"</a></p>
                </div>
            </main>
        }
        .into_any();
    };
    let token = StoredValue::new(token);
    let hours = RwSignal::new(24_u32);
    let group = RwSignal::new(String::new());
    let tick = RwSignal::new(0_u32);
    // The page is the whole tab: the timer lives as long as it.
    gloo_timers::callback::Interval::new(REFRESH_MS, move || tick.update(|t| *t += 1)).forget();
    let choices = LocalResource::new(move || history_filters(token.get_value()));
    let figures = LocalResource::new(move || {
        tick.track();
        let now = js_sys::Date::now();
        let from = js_sys::Date::new(&(now - f64::from(hours.get()) * 3_600_000.0).into());
        let query = StatsQuery {
            from: Some(String::from(from.to_iso_string())),
            to: None,
            group_id: Some(group.get()).filter(|g| !g.is_empty()),
        };
        delivery_stats(token.get_value(), query)
    });
    // The last figures stay on screen while the next are read (no flicker every 5 s).
    let shown = RwSignal::new(None::<Result<DeliveryStats, ApiError>>);
    Effect::new(move |_| {
        if let Some(result) = figures.get() {
            shown.set(Some(result));
        }
    });
    let groups = move || {
        choices
            .get()
            .and_then(Result::ok)
            .filter(|c| c.reader == Reader::Admin)
            .map(|c| c.groups)
    };
    view! {
        <main class="history dashboard">
            <header class="admin-head">
                <h1>"Delivery dashboard"</h1>
                <nav class="row-actions" aria-label="Pages">
                    <a class="button secondary small" href="/history">"Message history"</a>
                    {move || groups().is_some().then(|| view! {
                        <a class="button secondary small" href="/admin">"Settings"</a>
                    })}
                </nav>
            </header>
            <div class="toolbar card">
                <div class="labelled">
                    <label class="field-label" for="d-period">"Period"</label>
                    <select id="d-period" on:change=move |ev| hours.set(event_target_value(&ev).parse().unwrap_or(24))>
                        {PERIODS.map(|(label, h)| view! { <option value=h.to_string() selected=h == 24>{label}</option> }).collect_view()}
                    </select>
                </div>
                {move || groups().map(|groups| view! {
                    <div class="labelled">
                        <label class="field-label" for="d-group">"Group"</label>
                        <select id="d-group" on:change=move |ev| group.set(event_target_value(&ev))>
                            <option value="">"Every group"</option>
                            {groups.into_iter().map(|g| view! { <option value=g.id>{g.label}</option> }).collect_view()}
                        </select>
                    </div>
                })}
            </div>
            {move || match shown.get() {
                None => view! { <p class="hint" role="status">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <StatsProblem error=e /> }.into_any(),
                Some(Ok(stats)) => view! { <Figures stats /> }.into_any(),
            }}
        </main>
    }
    .into_any()
}

/// Figures that did not load: what failed and what to do.
#[component]
fn StatsProblem(error: ApiError) -> impl IntoView {
    let what_to_do = if ends_session(&error) {
        "Sign in again from the settings page or your softphone."
    } else if error.code == "supervisors_only" {
        "Ask an admin or a supervisor for the figures."
    } else {
        "The page tries again every few seconds."
    };
    view! {
        <div class="banner error" role="alert">
            <p>{format!("The figures did not load: {}", error.message)}</p>
            <p>{what_to_do}</p>
        </div>
    }
}

/// `part` of `whole` as a percentage (one decimal).
fn percent(rate: f64) -> String {
    format!("{:.1} %", rate * 100.0)
}

/// A duration in milliseconds, as people read it.
fn duration(ms: i64) -> String {
    match ms {
        ..1_000 => format!("{ms} ms"),
        1_000..60_000 => format!("{:.1} s", ms as f64 / 1_000.0),
        _ => format!("{:.1} min", ms as f64 / 60_000.0),
    }
}

/// A status key's word (`delivered` → "Delivered"); an unknown key as it is.
fn status_word(key: &str) -> &str {
    match key.parse::<NotificationStatus>() {
        Ok(status) => status.label(),
        Err(_) => key,
    }
}

/// The figures of one period.
#[component]
fn Figures(stats: DeliveryStats) -> impl IntoView {
    let times = stats.time_to_delivered;
    let by_status: Vec<Count> = stats
        .by_status
        .iter()
        .map(|c| Count {
            label: status_word(&c.key).to_owned(),
            ..c.clone()
        })
        .collect();
    let channel_label = |key: &str| {
        key.parse::<crate::domain::Channel>()
            .map_or_else(|_| key.to_owned(), |c| c.label().to_owned())
    };
    let by_channel: Vec<Breakdown> = stats
        .by_channel
        .iter()
        .map(|b| Breakdown {
            key: channel_label(&b.key),
            ..b.clone()
        })
        .collect();
    let period = format!(
        "{} – {}",
        local_time(&stats.from, true),
        local_time(&stats.to, true)
    );
    view! {
        <p class="hint" data-testid="period">{period}</p>
        <section class="tiles" aria-label="Key figures">
            <Tile label="Messages" value=stats.total.to_string() testid="total" />
            <Tile label="Delivery rate" value=stats.delivery_rate.map_or("–".to_owned(), percent) testid="rate" />
            <Tile label="Median to delivered" value=times.map_or("–".to_owned(), |t| duration(t.p50_ms)) testid="p50" />
            <Tile label="95 % delivered within" value=times.map_or("–".to_owned(), |t| duration(t.p95_ms)) testid="p95" />
        </section>
        <div class="charts">
            <section class="card" aria-labelledby="c-status">
                <h2 id="c-status">"By status"</h2>
                <Bars rows=by_status />
            </section>
            <section class="card" aria-labelledby="c-channel">
                <h2 id="c-channel">"By channel"</h2>
                <StackedBars rows=by_channel />
            </section>
            <section class="card" aria-labelledby="c-failures">
                <h2 id="c-failures">"Failures by reason"</h2>
                <Bars rows=stats.failures />
            </section>
            <section class="card" aria-labelledby="c-templates">
                <h2 id="c-templates">"Top templates"</h2>
                <Bars rows=stats.top_templates />
            </section>
            <section class="card wide" aria-labelledby="c-providers">
                <h2 id="c-providers">"Providers' answers"</h2>
                <StackedBars rows=stats.providers />
            </section>
        </div>
    }
}

#[component]
fn Tile(label: &'static str, value: String, testid: &'static str) -> impl IntoView {
    view! {
        <div class="tile">
            <span class="tile-label">{label}</span>
            <span class="tile-value" data-testid=testid>{value}</span>
        </div>
    }
}

/// One bar per row, its length the row's share of the largest; the count beside it.
#[component]
fn Bars(rows: Vec<Count>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="hint">"None in this period."</p> }.into_any();
    }
    let most = rows.iter().map(|r| r.count).max().unwrap_or(1).max(1);
    view! {
        <ul class="bars">
            {rows.into_iter().map(|r| {
                let name = r.name().to_owned();
                let width = r.count as f64 * 100.0 / most as f64;
                view! {
                    <li data-key=r.key.clone()>
                        <span class="bar-label" title=name.clone()>{name.clone()}</span>
                        <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label=format!("{name}: {}", r.count)>
                            <rect class=format!("seg seg-{}", r.key) x="0" y="0" height="10" width=format!("{width:.2}") />
                        </svg>
                        <span class="bar-count">{r.count}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// One bar per row split by status, its length the row's share of the largest.
#[component]
fn StackedBars(rows: Vec<Breakdown>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="hint">"None in this period."</p> }.into_any();
    }
    let most = rows.iter().map(|r| r.total).max().unwrap_or(1).max(1);
    view! {
        <ul class="bars">
            {rows.into_iter().map(|r| {
                // "3 Delivered, 1 Failed": the statuses as the history and the widget name them.
                let said = |c: &Count| format!("{} {}", c.count, status_word(&c.key));
                let words = r.by_status.iter().map(said).collect::<Vec<_>>().join(", ");
                let mut x = 0.0;
                let segments = r.by_status.iter().map(|c| {
                    let width = c.count as f64 * 100.0 / most as f64;
                    let at = x;
                    x += width;
                    view! { <rect class=format!("seg seg-{}", c.key) x=format!("{at:.2}") y="0" height="10" width=format!("{width:.2}")><title>{said(c)}</title></rect> }
                }).collect_view();
                let name = r.name().to_owned();
                view! {
                    <li data-key=r.key.clone()>
                        <span class="bar-label" title=name.clone()>{name.clone()}</span>
                        <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label=format!("{name}: {words}")>
                            {segments}
                        </svg>
                        <span class="bar-count">{r.total}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
        <Legend />
    }
    .into_any()
}

/// What the colours of the split bars mean.
#[component]
fn Legend() -> impl IntoView {
    view! {
        <ul class="legend" aria-label="Colours">
            {NotificationStatus::ALL.map(|s| view! {
                <li><svg viewBox="0 0 10 10" aria-hidden="true"><rect class=format!("seg seg-{}", s.as_str()) width="10" height="10" /></svg>{s.label()}</li>
            }).collect_view()}
        </ul>
    }
}

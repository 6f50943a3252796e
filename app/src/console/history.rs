//! The history page (`/history`): the messages the reader may read (an agent their own,
//! a supervisor their group's, an admin every one), filtered by day, channel, status,
//! template, agent, group, call, number or part of a UUID, newest first a page at a
//! time; each row opens the message's whole status history; the filtered set downloads
//! as a CSV file. The filters live in the page's URL, so a reload or a shared link keeps
//! them.

use super::session::ends_session;
use crate::api::{history_filters, new_stream_ticket, read_history, ApiError};
use crate::domain::{
    Channel, Choice, HistoryChoices, HistoryPage, HistoryQuery, NotificationStatus,
    NotificationView, Reader,
};
use crate::ui::{local_time, CopyButton};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The filters as the reader sets them: text, days as `YYYY-MM-DD` in their time zone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Filters {
    values: [String; NAMES.len()],
}

/// Every filter's URL name.
const NAMES: [&str; 10] = [
    "from",
    "to",
    "channel",
    "status",
    "template_id",
    "agent_id",
    "group_id",
    "call_id",
    "number",
    "q",
];

impl Filters {
    /// The filters in the page's URL.
    fn from_url() -> Self {
        let search = window().location().search().unwrap_or_default();
        let params = web_sys::UrlSearchParams::new_with_str(&search).ok();
        let mut filters = Self::default();
        for (value, name) in filters.values.iter_mut().zip(NAMES) {
            *value = params
                .as_ref()
                .and_then(|p| p.get(name))
                .unwrap_or_default();
        }
        filters
    }

    fn get(&self, name: &str) -> String {
        NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| self.values[i].clone())
            .unwrap_or_default()
    }

    fn set(&mut self, name: &str, value: String) {
        if let Some(i) = NAMES.iter().position(|n| *n == name) {
            self.values[i] = value;
        }
    }

    /// The filters given, as URL parameters (a day still a day).
    fn url_params(&self) -> String {
        let params = web_sys::UrlSearchParams::new().expect("URLSearchParams");
        for (value, name) in self.values.iter().zip(NAMES) {
            if !value.trim().is_empty() {
                params.append(name, value.trim());
            }
        }
        String::from(params.to_string())
    }

    /// The server's query: a day becomes its local midnight (`to`: the next one), so a
    /// day means the reader's day.
    fn query(&self, cursor: Option<String>) -> HistoryQuery {
        let text = |name: &str| Some(self.get(name).trim().to_owned()).filter(|v| !v.is_empty());
        HistoryQuery {
            from: text("from").map(|d| local_midnight(&d, 0)),
            to: text("to").map(|d| local_midnight(&d, 1)),
            channel: text("channel"),
            status: text("status"),
            template_id: text("template_id"),
            agent_id: text("agent_id"),
            group_id: text("group_id"),
            call_id: text("call_id"),
            number: text("number"),
            q: text("q"),
            cursor,
            limit: Some(PAGE),
        }
    }
}

/// Messages per page.
const PAGE: u32 = 25;

/// The start of `day` (`YYYY-MM-DD`) plus `days`, in the reader's time zone, as RFC 3339
/// (the day as typed when it is not one: the server says what is wrong).
fn local_midnight(day: &str, days: u32) -> String {
    let parts: Vec<u32> = day.split('-').filter_map(|p| p.parse().ok()).collect();
    let [year, month, date] = parts[..] else {
        return day.to_owned();
    };
    let at = js_sys::Date::new_with_year_month_day(year, month as i32 - 1, (date + days) as i32);
    if at.get_time().is_nan() {
        return day.to_owned();
    }
    String::from(at.to_iso_string())
}

/// The history page.
#[component]
pub fn MessageHistory() -> impl IntoView {
    let token = super::session::reader_token();
    let Some(token) = token else {
        return view! {
            <main class="history">
                <h1>"Message history"</h1>
                <div class="banner error" role="alert">
                    <p>"You are not signed in. Open the history from the widget (History, top right) or from the settings page."</p>
                    <p><a href="/admin">"Sign in to the settings"</a></p>
                </div>
            </main>
        }
        .into_any();
    };
    let token = StoredValue::new(token);
    let draft = RwSignal::new(Filters::from_url());
    let applied = RwSignal::new(draft.get_untracked());
    // The cursors of the pages before this one (none: the first page).
    let pages = RwSignal::new(vec![None::<String>]);
    let open = RwSignal::new(None::<String>);
    let problem = RwSignal::new(None::<String>);
    let choices = LocalResource::new(move || history_filters(token.get_value()));
    let page = LocalResource::new(move || {
        let query = applied.get().query(pages.get().last().cloned().flatten());
        read_history(token.get_value(), query)
    });
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let filters = draft.get_untracked();
        let params = filters.url_params();
        if let Ok(history) = window().history() {
            let url = if params.is_empty() {
                "/history".to_owned()
            } else {
                format!("/history?{params}")
            };
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
        pages.set(vec![None]);
        open.set(None);
        applied.set(filters);
    };
    let clear = move |_| {
        draft.set(Filters::default());
        if let Ok(history) = window().history() {
            let _ =
                history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/history"));
        }
        pages.set(vec![None]);
        applied.set(Filters::default());
    };
    let download = move |_| {
        let filters = applied.get_untracked();
        spawn_local(async move {
            match new_stream_ticket(token.get_value()).await {
                Ok(ticket) => {
                    let params = filters.query(None);
                    let url = export_url(&params, &ticket.ticket);
                    problem.set(None);
                    let _ = window().location().set_href(&url);
                }
                Err(e) => problem.set(Some(format!("The download did not start: {}", e.message))),
            }
        });
    };
    let loaded = Signal::derive(move || choices.get().and_then(Result::ok));
    view! {
        <main class="history">
            <header class="admin-head">
                <h1>"Message history"</h1>
                <p class="hint" data-testid="reader">
                    {move || loaded.get().map(|c| match c.reader {
                        Reader::Agent => "The messages you sent".to_owned(),
                        Reader::Supervisor => "Your group's messages".to_owned(),
                        Reader::Admin => "Every group's messages".to_owned(),
                    })}
                </p>
                {move || loaded.get().filter(|c| c.reader != Reader::Agent).map(|_| view! {
                    <a class="button secondary small" href="/dashboard">"Delivery dashboard"</a>
                })}
            </header>
            <FiltersForm draft choices=loaded on_apply=apply on_clear=clear on_download=download />
            {move || problem.get().map(|p| view! { <p class="banner error" role="alert">{p}</p> })}
            {move || match page.get() {
                None => view! { <p class="hint" role="status">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <LoadProblem error=e on_retry=move || page.refetch() /> }.into_any(),
                Some(Ok(found)) => {
                    let next = found.next_cursor.clone();
                    let reader = Signal::derive(move || loaded.get().map(|c| c.reader));
                    let agents = Signal::derive(move || loaded.get().map(|c| c.agents).unwrap_or_default());
                    let filtered = !applied.get_untracked().url_params().is_empty();
                    view! {
                        <Results found reader agents open filtered />
                        <Pager pages next />
                    }.into_any()
                }
            }}
        </main>
    }
    .into_any()
}

/// The CSV export's URL for `query`, authorised by a single-use `ticket`.
fn export_url(query: &HistoryQuery, ticket: &str) -> String {
    let params = web_sys::UrlSearchParams::new().expect("URLSearchParams");
    let pairs = [
        ("from", &query.from),
        ("to", &query.to),
        ("channel", &query.channel),
        ("status", &query.status),
        ("template_id", &query.template_id),
        ("agent_id", &query.agent_id),
        ("group_id", &query.group_id),
        ("call_id", &query.call_id),
        ("number", &query.number),
        ("q", &query.q),
    ];
    for (name, value) in pairs {
        if let Some(value) = value {
            params.append(name, value);
        }
    }
    params.append("format", "csv");
    params.append("ticket", ticket);
    format!("/api/v1/notifications?{}", String::from(params.to_string()))
}

/// The filter form: every filter labelled, Apply, Clear and the CSV download.
#[component]
fn FiltersForm(
    draft: RwSignal<Filters>,
    choices: Signal<Option<HistoryChoices>>,
    on_apply: impl Fn(leptos::ev::SubmitEvent) + 'static,
    on_clear: impl Fn(leptos::ev::MouseEvent) + 'static,
    on_download: impl Fn(leptos::ev::MouseEvent) + 'static,
) -> impl IntoView {
    let value = move |name: &'static str| move || draft.get().get(name);
    let edit = move |name: &'static str| {
        move |ev: leptos::ev::Event| draft.update(|d| d.set(name, event_target_value(&ev)))
    };
    let text = move |name: &'static str, label: &'static str, hint: &'static str| {
        view! {
            <div class="labelled">
                <label class="field-label" for=format!("f-{name}")>{label}</label>
                <input class="input" id=format!("f-{name}") name=name placeholder=hint prop:value=value(name) on:input=edit(name) />
            </div>
        }
    };
    let select = move |name: &'static str, label: &'static str, options: Vec<(String, String)>| {
        view! {
            <div class="labelled">
                <label class="field-label" for=format!("f-{name}")>{label}</label>
                <select id=format!("f-{name}") name=name prop:value=value(name) on:change=edit(name)>
                    <option value="">"Any"</option>
                    // Each option says whether it is the chosen one: the list may arrive
                    // after the filter (a link with the filter in its URL).
                    {options.into_iter().map(|(id, text)| {
                        let chosen = id.clone();
                        view! { <option value=id selected=move || draft.with(|d| d.get(name) == chosen)>{text}</option> }
                    }).collect_view()}
                </select>
            </div>
        }
    };
    let channels = Channel::ALL
        .iter()
        .map(|c| (c.as_str().to_owned(), c.label().to_owned()))
        .collect();
    let statuses = NotificationStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), s.label().to_owned()))
        .collect();
    let listed = |pick: fn(&HistoryChoices) -> &Vec<crate::domain::Choice>| {
        move || {
            choices.get().map(|c| {
                pick(&c)
                    .iter()
                    .map(|choice| (choice.id.clone(), choice.label.clone()))
                    .collect::<Vec<_>>()
            })
        }
    };
    let templates = listed(|c| &c.templates);
    let agents = listed(|c| &c.agents);
    let groups = listed(|c| &c.groups);
    view! {
        <form class="card filters" role="search" aria-label="Filter the history" on:submit=on_apply>
            <div class="toolbar">
                <div class="labelled">
                    <label class="field-label" for="f-from">"From"</label>
                    <input class="input" id="f-from" type="date" name="from" prop:value=value("from") on:input=edit("from") />
                </div>
                <div class="labelled">
                    <label class="field-label" for="f-to">"To"</label>
                    <input class="input" id="f-to" type="date" name="to" prop:value=value("to") on:input=edit("to") />
                </div>
                {select("channel", "Channel", channels)}
                {select("status", "Status", statuses)}
                {move || templates().map(|t| select("template_id", "Template", t))}
                {move || agents().filter(|a| !a.is_empty()).map(|a| select("agent_id", "Agent", a))}
                {move || groups().filter(|g| !g.is_empty()).map(|g| select("group_id", "Group", g))}
                {text("call_id", "Call id", "")}
                {text("number", "Number", "+91 98765 43210")}
                {text("q", "UUID", "Part of a message's id")}
            </div>
            <div class="row-actions">
                <button type="button" class="button secondary small" on:click=on_download>"Download CSV"</button>
                <button type="button" class="button secondary small" on:click=on_clear>"Clear"</button>
                <button type="submit" class="button small">"Apply"</button>
            </div>
        </form>
    }
}

/// A page that did not load: what failed and what to do.
#[component]
fn LoadProblem(error: ApiError, on_retry: impl Fn() + Copy + 'static) -> impl IntoView {
    let signed_out = ends_session(&error);
    view! {
        <div class="banner error" role="alert">
            <p>{format!("The history did not load: {}", error.message)}</p>
            <ul>
                {error.fields.into_iter().map(|(f, p)| view! { <li data-field=f.clone()>{format!("{f}: {p}")}</li> }).collect_view()}
            </ul>
            {if signed_out {
                view! { <p>"Sign in again: open the history from the widget, or "<a href="/admin">"sign in to the settings"</a>"."</p> }.into_any()
            } else {
                view! { <button class="button small" type="button" on:click=move |_| on_retry()>"Try again"</button> }.into_any()
            }}
        </div>
    }
}

/// The page's messages, newest first; a row's UUID opens its details.
#[component]
fn Results(
    found: HistoryPage,
    reader: Signal<Option<Reader>>,
    agents: Signal<Vec<Choice>>,
    open: RwSignal<Option<String>>,
    filtered: bool,
) -> impl IntoView {
    let count = found.notifications.len();
    if count == 0 {
        let words = if filtered {
            "No messages match these filters."
        } else {
            "No messages yet."
        };
        return view! { <p class="banner" role="status" data-testid="no-messages">{words}</p> }
            .into_any();
    }
    let by_agent = move || reader.get() != Some(Reader::Agent);
    view! {
        <p class="visually-hidden" role="status">{format!("{count} messages shown")}</p>
        <div class="table-wrap">
            <table class="list history-table">
                <caption class="visually-hidden">"Messages, newest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Sent"</th>
                        <th scope="col">"Channel"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"To"</th>
                        <th scope="col">"Template"</th>
                        <Show when=by_agent><th scope="col">"Agent"</th></Show>
                        <th scope="col">"Call"</th>
                        <th scope="col">"Message"</th>
                    </tr>
                </thead>
                <tbody>
                    {found.notifications.into_iter().map(|m| view! { <Row m by_agent agents open /> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// One message, and its details when open.
#[component]
fn Row(
    m: NotificationView,
    by_agent: impl Fn() -> bool + Copy + Send + Sync + 'static,
    agents: Signal<Vec<Choice>>,
    open: RwSignal<Option<String>>,
) -> impl IntoView {
    let agent = m.agent_id.as_str().to_owned();
    let agent_name = move || {
        agents.with(|list| {
            list.iter()
                .find(|c| c.id == agent)
                .map_or_else(|| agent.clone(), |c| c.label.clone())
        })
    };
    let uuid = m.uuid.clone();
    let details_id = format!("details-{uuid}");
    let is_open = Signal::derive({
        let uuid = uuid.clone();
        move || open.get().as_deref() == Some(uuid.as_str())
    });
    let toggle = {
        let uuid = uuid.clone();
        move |_| {
            open.update(|o| {
                *o = if o.as_deref() == Some(uuid.as_str()) {
                    None
                } else {
                    Some(uuid.clone())
                }
            })
        }
    };
    let short = uuid.get(..8).unwrap_or(&uuid).to_owned();
    let template = if m.template_name.is_empty() {
        m.template_id.as_str().to_owned()
    } else {
        m.template_name.clone()
    };
    let details = m.clone();
    view! {
        <tr data-uuid=uuid.clone()>
            <td title=m.created_at.clone()>{local_time(&m.created_at, true)}</td>
            <td>{m.channel.label()}</td>
            <td><span class=format!("badge badge-{}", m.status.as_str())>{m.status.label()}</span></td>
            <td class="number">{m.to.clone()}</td>
            <td>{template}</td>
            <Show when=by_agent><td title=m.agent_id.as_str().to_owned()>{agent_name.clone()}</td></Show>
            <td>{m.call_id.as_ref().map(|c| c.as_str().to_owned()).unwrap_or_default()}</td>
            <td>
                <button
                    type="button"
                    class="link uuid"
                    aria-expanded=move || is_open.get().to_string()
                    aria-controls=details_id.clone()
                    aria-label=format!("Details of message {uuid}")
                    on:click=toggle
                >
                    {format!("{short}…")}
                </button>
            </td>
        </tr>
        <Show when=move || is_open.get()>
            <tr class="details-row">
                <td colspan="8" id=format!("details-{}", details.uuid)>
                    <Details m=details.clone() />
                </td>
            </tr>
        </Show>
    }
}

/// A message's whole story: its UUID, every status it reached and when, why it failed,
/// what the customer wrote back.
#[component]
fn Details(m: NotificationView) -> impl IntoView {
    view! {
        <div class="message-details">
            <p>
                <span class="field-label">"UUID "</span>
                <code>{m.uuid.clone()}</code>" "
                <CopyButton text=m.uuid.clone() label="Copy the UUID" />
            </p>
            <ol class="status-history" aria-label="Status history">
                {m.history.iter().map(|h| view! {
                    <li>
                        <span class=format!("badge badge-{}", h.status.as_str())>{h.status.label()}</span>" "
                        <time datetime=h.at.clone() title=h.at.clone()>{local_time(&h.at, true)}</time>
                        {h.detail.clone().map(|d| format!(" — {d}"))}
                    </li>
                }).collect_view()}
            </ol>
            {m.error.clone().map(|e| view! { <p class="error">{format!("Why it failed: {} ({})", e.message, e.code)}</p> })}
            {m.provider.clone().map(|p| view! { <p class="hint">{format!("Provider: {p}")}</p> })}
            {m.resend_of.clone().map(|r| view! { <p class="hint">{format!("Resends {r}")}</p> })}
            {m.replies.iter().map(|r| view! {
                <p class="reply"><span class="reply-label">"Customer replied: "</span>{r.text.clone()}</p>
            }).collect_view()}
        </div>
    }
}

/// Newer and older pages (keyset: the way back is the cursors already seen).
#[component]
fn Pager(pages: RwSignal<Vec<Option<String>>>, next: Option<String>) -> impl IntoView {
    let has_next = next.is_some();
    let next = StoredValue::new(next);
    let number = move || pages.get().len();
    if !has_next && pages.with_untracked(Vec::len) <= 1 {
        return ().into_any();
    }
    view! {
        <nav class="row-actions pager" aria-label="Pages">
            <span class="hint">{move || format!("Page {}", number())}</span>
            <button
                type="button"
                class="button secondary small"
                disabled=move || number() <= 1
                on:click=move |_| pages.update(|p| { p.pop(); })
            >
                "Newer"
            </button>
            <button
                type="button"
                class="button secondary small"
                disabled=!has_next
                on:click=move |_| pages.update(|p| p.push(next.get_value()))
            >
                "Older"
            </button>
        </nav>
    }
    .into_any()
}

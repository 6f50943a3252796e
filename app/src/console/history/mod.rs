//! The history page (`/history`): the messages the reader may read (an agent their own,
//! a supervisor their group's, an admin every one), filtered by day, channel, status,
//! template, agent, group, call, number or part of a UUID, newest first a page at a
//! time; each row opens the message's whole status history; the filtered set downloads
//! as a CSV file. The filters live in the page's URL, so a reload or a shared link keeps
//! them.

mod filters;
mod results;

use super::session::ends_session;
use crate::api::{history_filters, new_stream_ticket, read_history, ApiError};
use crate::domain::{
    Channel, Choice, HistoryChoices, HistoryPage, HistoryQuery, NotificationStatus,
    NotificationView, Reader,
};
use crate::ui::{local_time, CopyButton};
use filters::{Filters, FiltersForm};
use leptos::prelude::*;
use leptos::task::spawn_local;
use results::Results;

/// Messages per page.
const PAGE: u32 = 25;

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
            <Header reader=Signal::derive(move || loaded.get().map(|c| c.reader)) />
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

/// What the page calls the filter the API names `field`.
fn filter_name(field: &str) -> String {
    match field {
        "from" => "From".to_owned(),
        "to" => "To".to_owned(),
        "call_id" => "Call".to_owned(),
        "group_id" => "Group".to_owned(),
        "agent_id" => "Agent".to_owned(),
        "template_id" => "Template".to_owned(),
        other => crate::domain::in_words(other),
    }
}

/// A page that did not load: what failed and what to do.
#[component]
fn LoadProblem(error: ApiError, on_retry: impl Fn() + Copy + 'static) -> impl IntoView {
    let signed_out = ends_session(&error);
    view! {
        <div class="banner error" role="alert">
            // A refused filter: each problem once, by the filter's name (the message
            // repeats them for API callers).
            <p>{if error.fields.is_empty() {
                format!("The history did not load: {}", error.message)
            } else {
                "Check the filters:".to_owned()
            }}</p>
            <ul>
                {error.fields.into_iter().map(|(f, p)| view! { <li data-field=f.clone()>{format!("{}: {p}", filter_name(&f))}</li> }).collect_view()}
            </ul>
            {if signed_out {
                view! { <p>"Sign in again: open the history from the widget, or "<a href="/admin">"sign in to the settings"</a>"."</p> }.into_any()
            } else {
                view! { <button class="button small" type="button" on:click=move |_| on_retry()>"Try again"</button> }.into_any()
            }}
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

/// The page's title, whose messages it shows, and the dashboard for those who may see it.
#[component]
fn Header(reader: Signal<Option<Reader>>) -> impl IntoView {
    view! {
        <header class="admin-head">
            <h1>"Message history"</h1>
            <p class="hint" data-testid="reader">
                {move || reader.get().map(|r| match r {
                    Reader::Agent => "The messages you sent",
                    Reader::Supervisor => "Your group's messages",
                    Reader::Admin => "Every group's messages",
                })}
            </p>
            <nav class="row-actions" aria-label="Pages">
                {move || reader.get().filter(|r| *r != Reader::Agent).map(|_| view! {
                    <a class="button secondary small" href="/dashboard">"Delivery dashboard"</a>
                })}
                {move || (reader.get() == Some(Reader::Admin)).then(|| view! {
                    <a class="button secondary small" href="/admin">"Settings"</a>
                })}
            </nav>
        </header>
    }
}

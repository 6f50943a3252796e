//! The filters: as the reader sets them, in the page's URL, and the form that sets them.

use super::*;

/// The filters as the reader sets them: text, days as `YYYY-MM-DD` in their time zone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Filters {
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
    pub(super) fn from_url() -> Self {
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
    pub(super) fn url_params(&self) -> String {
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
    pub(super) fn query(&self, cursor: Option<String>) -> HistoryQuery {
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

/// The filter form: every filter labelled, Apply, Clear and the CSV download.
#[component]
pub(super) fn FiltersForm(
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

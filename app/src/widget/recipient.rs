//! To whom: a searchable, keyboard-driven country picker and the number box, checked
//! as the agent types (the domain's parser, compiled to wasm).

use crate::domain::{
    Channel, CountryCode, NumberType, PhoneNumber, PhoneParseError, RecipientState, ReplyWindow,
};
use crate::ui::local_time;
use leptos::prelude::*;

/// Lower case, for the country search: in the browser JavaScript's own `toLowerCase`
/// (the same Unicode mapping as Rust's `to_lowercase`), which keeps Rust's case tables
/// (about 5 KB brotli) out of the widget's bundle.
fn lowercase(text: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    return js_sys::JsString::from(text).to_lower_case().into();
    #[cfg(not(target_arch = "wasm32"))]
    return text.to_lowercase();
}

/// Every country, sorted by name, with its name in lower case and its dial code: what
/// [`matching_countries`] searches (made once, not on every keystroke of a search).
pub fn searchable_countries() -> Vec<(CountryCode, String, u16)> {
    CountryCode::all()
        .into_iter()
        .map(|c| (c, lowercase(c.name()), c.dial_code()))
        .collect()
}

/// Countries matching a search by name, ISO code or dial code (`ind`, `IN`, `+91`, `91`).
pub fn matching_countries(all: &[(CountryCode, String, u16)], query: &str) -> Vec<CountryCode> {
    let q = lowercase(query.trim());
    if q.is_empty() {
        return all.iter().map(|(c, _, _)| *c).collect();
    }
    let digits = q.trim_start_matches('+');
    let dial = digits
        .parse::<u16>()
        .ok()
        .filter(|_| digits.bytes().all(|b| b.is_ascii_digit()));
    let main = dial.and_then(CountryCode::main_for_dial_code);
    let mut hits: Vec<(u8, CountryCode)> = all
        .iter()
        .filter_map(|(c, name, dial_code)| {
            let code = dial_code.to_string();
            let rank = if c.as_str().eq_ignore_ascii_case(&q) || main == Some(*c) {
                0
            } else if name.starts_with(&q) || dial == Some(*dial_code) {
                1
            } else if name.contains(&q) || (dial.is_some() && code.starts_with(digits)) {
                2
            } else {
                return None;
            };
            Some((rank, *c))
        })
        .collect();
    // Stable: within a rank, the list's own order (by name).
    hits.sort_by_key(|(rank, _)| *rank);
    hits.into_iter().map(|(_, c)| c).collect()
}

/// The country picker: a combobox whose list filters as the agent types.
#[component]
pub fn CountryPicker(country: RwSignal<CountryCode>) -> impl IntoView {
    let all = StoredValue::new(CountryCode::all());
    let (query, set_query) = signal(String::new());
    let (open, set_open) = signal(false);
    let (active, set_active) = signal(0usize);
    // Lazy and without dependencies: made on the list's first showing, then kept.
    let searchable = Memo::new(|_| searchable_countries());
    let matches = Memo::new(move |_| {
        let query = query.get();
        searchable.with(|all| matching_countries(all, &query))
    });
    let label = move || {
        let c = country.get();
        format!("{} (+{})", c.name(), c.dial_code())
    };
    let choose = move |c: CountryCode| {
        country.set(c);
        set_open.set(false);
        set_query.set(String::new());
    };
    // Opened by the keyboard or a click, never by focus alone (Tab passes through):
    // the whole list, the current country active and in view.
    let open_list = move || {
        set_query.set(String::new());
        let current = country.get_untracked();
        set_active.set(all.with_value(|all| all.iter().position(|c| *c == current).unwrap_or(0)));
        set_open.set(true);
        scroll_active_into_view();
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let count = matches.with(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" | "ArrowUp" if !open.get_untracked() => {
                ev.prevent_default();
                open_list();
            }
            "ArrowDown" => {
                ev.prevent_default();
                set_active.update(|i| *i = (*i + 1).min(count.saturating_sub(1)));
                scroll_active_into_view();
            }
            "ArrowUp" => {
                ev.prevent_default();
                set_active.update(|i| *i = i.saturating_sub(1));
                scroll_active_into_view();
            }
            "Enter" if open.get_untracked() => {
                ev.prevent_default();
                if let Some(c) = matches.with(|m| m.get(active.get_untracked()).copied()) {
                    choose(c);
                }
            }
            // The list goes before the focus moves on, so Tab reaches the next field.
            "Escape" | "Tab" => {
                set_open.set(false);
                set_query.set(String::new());
            }
            _ => {}
        }
    };
    view! {
        <div class="picker">
            <label class="field-label" for="an-country">"Country"</label>
            <input
                id="an-country"
                class="input"
                role="combobox"
                aria-autocomplete="list"
                // Only while the list is shown: a reference to an absent element is invalid.
                aria-controls=move || open.get().then_some("an-country-list")
                aria-expanded=move || open.get().to_string()
                aria-activedescendant=move || {
                    open.get()
                        .then(|| matches.with(|m| m.get(active.get()).map(|c| format!("an-country-{}", c.as_str()))))
                        .flatten()
                }
                autocomplete="off"
                placeholder=label
                prop:value=move || if open.get() { query.get() } else { label() }
                on:click=move |_| if !open.get_untracked() { open_list() }
                on:blur=move |_| set_open.set(false)
                on:input=move |ev| {
                    set_query.set(event_target_value(&ev));
                    set_active.set(0);
                    set_open.set(true);
                }
                on:keydown=on_key
            />
            <CountryList open matches active on_choose=choose />
        </div>
    }
}

/// The countries matching what is typed, the active one marked; choosing one takes a
/// press, not a click (it comes before the input's blur).
#[component]
fn CountryList(
    open: ReadSignal<bool>,
    matches: Memo<Vec<CountryCode>>,
    active: ReadSignal<usize>,
    on_choose: impl Fn(CountryCode) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <Show when=move || open.get()>
            <ul id="an-country-list" class="picker-list" role="listbox" aria-label="Countries">
                <Show when=move || matches.with(Vec::is_empty)>
                    <li class="muted" role="option" aria-disabled="true" aria-selected="false">"No country matches"</li>
                </Show>
                <For
                    each=move || matches.get().into_iter().enumerate()
                    key=|(i, c)| (*i, c.as_str().to_owned())
                    children=move |(i, c)| {
                        view! {
                            <li
                                id=format!("an-country-{}", c.as_str())
                                role="option"
                                aria-selected=move || (active.get() == i).to_string()
                                class:active=move || active.get() == i
                                // mousedown, not click: it comes before the input's blur.
                                on:mousedown=move |ev| {
                                    ev.prevent_default();
                                    on_choose(c);
                                }
                            >
                                <span>{c.name()}</span>
                                <span class="muted">{format!("{} +{}", c.as_str(), c.dial_code())}</span>
                            </li>
                        }
                    }
                />
            </ul>
        </Show>
    }
}

/// Scrolls the country list to its active entry, once it is drawn.
fn scroll_active_into_view() {
    request_animation_frame(|| {
        if let Some(active) = document()
            .query_selector("#an-country-list li.active")
            .ok()
            .flatten()
        {
            let options = web_sys::ScrollIntoViewOptions::new();
            options.set_block(web_sys::ScrollLogicalPosition::Nearest);
            active.scroll_into_view_with_scroll_into_view_options(&options);
        }
    });
}

/// The number box with its validation line. `check` holds the parse of what is typed.
#[component]
pub fn NumberBox(
    number: RwSignal<String>,
    check: Memo<Option<Result<PhoneNumber, PhoneParseError>>>,
    /// What to say while a typed number cannot be read yet (its numbering data is on
    /// its way).
    waiting: Signal<Option<String>>,
    channel: Signal<Option<Channel>>,
    /// What the customer said to us (the server's answer for the valid number).
    recipient: Signal<Option<RecipientState>>,
) -> impl IntoView {
    let notes = move || {
        let (Some(channel), Some(state)) = (channel.get(), recipient.get()) else {
            return Vec::new();
        };
        recipient_notes(channel, &state, |at| local_time(at, true))
    };
    let invalid = move || matches!(check.get(), Some(Err(_)));
    let landline = move || {
        let fixed = matches!(check.get(), Some(Ok(n)) if n.kind() == NumberType::FixedLine);
        channel.get().filter(|_| fixed).map(landline_warning)
    };
    view! {
        <div class="field">
            <label class="field-label" for="an-number">"Number"</label>
            <input
                id="an-number"
                class="input"
                type="tel"
                inputmode="tel"
                autocomplete="off"
                aria-describedby="an-number-status"
                aria-invalid=move || invalid().to_string()
                prop:value=number
                on:input=move |ev| number.set(event_target_value(&ev))
            />
            <p
                id="an-number-status"
                class="hint"
                class:error=invalid
                class:ok=move || matches!(check.get(), Some(Ok(_)))
                role="status"
                aria-live="polite"
                data-reason=move || match check.get() {
                    Some(Err(e)) => e.reason.code().to_owned(),
                    Some(Ok(_)) => "valid".to_owned(),
                    None => String::new(),
                }
            >
                {move || match check.get() {
                    None => waiting.get().unwrap_or_else(|| "Enter the customer's number.".to_owned()),
                    Some(Ok(n)) => format!("✓ {} · {}", n.international(), n.country().name()),
                    Some(Err(e)) => e.message(),
                }}
            </p>
            {move || landline().map(|w| view! { <p class="hint warning" role="status" data-testid="landline">{w}</p> })}
            <ul class="recipient-notes" aria-live="polite" data-testid="recipient-notes">
                {move || notes().into_iter().map(|(class, text)| view! { <li class=class>{text}</li> }).collect_view()}
            </ul>
        </div>
    }
}

/// What the agent should know about this customer on `channel` before sending: that
/// they opted out (the send will be refused), and for WhatsApp whether the 24-hour
/// window is open. Each note with its CSS class.
pub fn recipient_notes(
    channel: Channel,
    state: &RecipientState,
    time_of: impl Fn(&str) -> String,
) -> Vec<(&'static str, String)> {
    let mut notes = Vec::new();
    if let Some(conflict) = &state.conflict {
        notes.push((
            "conflict",
            format!(
                "This number belongs to {} in the CRM, not to this call's customer.",
                conflict.customer
            ),
        ));
    }
    if state.opted_out.contains(&channel) {
        notes.push((
            "opted-out",
            format!(
                "This customer opted out of {} messages: a send will be refused.",
                channel.label()
            ),
        ));
    }
    if channel == Channel::Whatsapp {
        match &state.window {
            Some(ReplyWindow {
                open: true,
                until: Some(until),
                ..
            }) => notes.push((
                "window-open",
                format!(
                    "WhatsApp window open until {}: the customer wrote in the last 24 hours.",
                    time_of(until)
                ),
            )),
            Some(ReplyWindow {
                recontact: Some(_),
                ..
            }) => notes.push((
                "window-closed",
                "WhatsApp window closed: only approved templates reach this customer. The recontact template comes first.".into(),
            )),
            Some(_) => notes.push((
                "window-closed",
                "WhatsApp window closed: only approved templates reach this customer.".into(),
            )),
            None => {}
        }
    }
    notes
}

/// What to tell an agent about to message a landline on `channel` (a fixed-line number
/// can take an RCS fallback SMS no better than an SMS).
fn landline_warning(channel: Channel) -> &'static str {
    match channel {
        Channel::Sms | Channel::Rcs => {
            "This looks like a landline: it probably cannot receive text messages."
        }
        Channel::Whatsapp => "This looks like a landline: it is probably not on WhatsApp.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(query: &str) -> Vec<String> {
        matching_countries(&searchable_countries(), query)
            .iter()
            .take(3)
            .map(|c| c.as_str().to_owned())
            .collect()
    }

    #[test]
    fn a_landline_is_flagged_for_every_channel_an_agent_can_pick() {
        for channel in Channel::ALL {
            assert!(landline_warning(channel).contains("landline"));
        }
    }

    #[test]
    fn an_opted_out_customer_and_the_whatsapp_window_are_told_for_the_chosen_channel() {
        let state = RecipientState {
            window: Some(ReplyWindow {
                open: true,
                until: Some("2026-12-03T10:00:00Z".into()),
                recontact: None,
            }),
            opted_out: vec![Channel::Sms],
            conflict: None,
        };
        let time = |t: &str| t[11..16].to_owned();
        let sms = recipient_notes(Channel::Sms, &state, time);
        assert_eq!(sms.len(), 1);
        assert!(sms[0].1.contains("opted out of SMS"));
        let whatsapp = recipient_notes(Channel::Whatsapp, &state, time);
        assert_eq!(
            whatsapp[0].1.get(..34),
            Some("WhatsApp window open until 10:00: ")
        );
        let closed = RecipientState {
            window: Some(ReplyWindow {
                open: false,
                until: None,
                recontact: None,
            }),
            opted_out: vec![],
            conflict: Some(crate::domain::Conflict {
                customer: "Ravi Kumar".into(),
            }),
        };
        assert!(recipient_notes(Channel::Whatsapp, &closed, time)
            .iter()
            .any(|(_, n)| n.contains("closed")));
        let rcs = recipient_notes(Channel::Rcs, &closed, time);
        assert_eq!(rcs.len(), 1, "a profile conflict is told on every channel");
        assert!(rcs[0]
            .1
            .starts_with("This number belongs to Ravi Kumar in the CRM"));
    }

    #[test]
    fn the_picker_finds_countries_by_name_code_and_dial_code() {
        assert_eq!(codes("india")[0], "IN");
        assert_eq!(codes("IN")[0], "IN");
        assert_eq!(codes("+91")[0], "IN");
        assert_eq!(codes("44")[0], "GB");
        assert!(codes("zzzz").is_empty());
        assert_eq!(
            codes("CÔTE")[0],
            "CI",
            "letters beyond ASCII match in either case"
        );
    }
}

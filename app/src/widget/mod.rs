//! The agent widget: pick a country and number (validated as you type, in the
//! browser), see the templates your group may send per channel.

use crate::api::agent_templates;
use crate::domain::{AgentTemplate, Channel, CountryCode, PhoneNumber};
use leptos::prelude::*;

/// Reads one query parameter of the page URL.
fn query_param(name: &str) -> Option<String> {
    let search = window().location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get(name).filter(|v| !v.is_empty())
}

/// The widget page.
#[component]
pub fn Widget() -> impl IntoView {
    let token = query_param("token").unwrap_or_default();
    let initial_country = query_param("country")
        .and_then(|c| CountryCode::parse(&c).ok())
        .unwrap_or_default();
    let (country, set_country) = signal(initial_country);
    let (number, set_number) = signal(query_param("number").unwrap_or_default());
    let (channel, set_channel) = signal(Channel::Sms);
    let check = Memo::new(move |_| {
        let text = number.get();
        (!text.trim().is_empty()).then(|| PhoneNumber::parse(&text, country.get()))
    });
    // A number typed with + and a country code moves the picker to that country, as
    // soon as the code is recognised (also while the rest is still incomplete).
    Effect::new(move |_| {
        let named = match check.get() {
            Some(Ok(n)) => Some(n.country()),
            Some(Err(e)) if number.get_untracked().trim_start().starts_with('+') => Some(e.country),
            _ => None,
        };
        if let Some(c) = named.filter(|c| *c != country.get_untracked()) {
            set_country.set(c);
        }
    });
    let templates = LocalResource::new(move || {
        let token = token.clone();
        async move { agent_templates(token, None).await }
    });
    let countries = CountryCode::all();

    view! {
        <main class="widget">
            <h1>"Send a notification"</h1>
            <label class="field">
                <span>"Country"</span>
                <select
                    aria-label="Country"
                    on:change=move |ev| {
                        if let Ok(c) = CountryCode::parse(&event_target_value(&ev)) {
                            set_country.set(c);
                        }
                    }
                    prop:value=move || country.get().as_str().to_owned()
                >
                    {countries
                        .into_iter()
                        .map(|c| {
                            let label = format!("{} ({})", c.name(), c.view().dial_code);
                            view! { <option value=c.as_str().to_owned()>{label}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <label class="field">
                <span>"Number"</span>
                <input
                    type="tel"
                    autocomplete="off"
                    aria-label="Phone number"
                    prop:value=number
                    on:input=move |ev| set_number.set(event_target_value(&ev))
                />
            </label>
            <p class="hint" role="status" aria-live="polite">
                {move || match check.get() {
                    None => "Enter the customer's number.".to_owned(),
                    Some(Ok(n)) => format!("Valid {} number: {}", n.country().name(), n.international()),
                    Some(Err(e)) => e.message(),
                }}
            </p>
            <div class="channels" role="tablist">
                {Channel::ALL
                    .into_iter()
                    .map(|c| {
                        view! {
                            <button
                                role="tab"
                                aria-selected=move || (channel.get() == c).to_string()
                                on:click=move |_| set_channel.set(c)
                            >
                                {c.label()}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <Suspense fallback=|| view! { <p class="hint">"Loading templates…"</p> }>
                {move || {
                    templates
                        .get()
                        .map(|result| match result {
                            Ok(list) => template_list(list, channel.get()).into_any(),
                            Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                        })
                }}
            </Suspense>
        </main>
    }
}

fn template_list(list: Vec<AgentTemplate>, channel: Channel) -> impl IntoView {
    let shown: Vec<AgentTemplate> = list.into_iter().filter(|t| t.channel == channel).collect();
    if shown.is_empty() {
        return view! { <p class="hint">"No templates for this channel in your group."</p> }
            .into_any();
    }
    view! {
        <ul class="templates">
            {shown
                .into_iter()
                .map(|t| {
                    view! {
                        <li>
                            <strong>{t.name.clone()}</strong>
                            <p class="preview">{t.body.clone()}</p>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

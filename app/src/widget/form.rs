//! The parts of the widget's form: the channel tabs, the template choice, the send button,
//! the call's comments, and the banners for what went wrong.

use super::dialog::as_template;
use super::state::WidgetState;
use crate::api::{call_comments, ApiError};
use crate::domain::{AgentTemplate, Channel, TemplateId, TemplateKind, WidgetBootstrap};
use crate::ui::{focus_by_id, roving_step};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// The channel tabs: the channels the agent's group has enabled.
#[component]
pub(super) fn ChannelTabs(
    loaded: Memo<Option<WidgetBootstrap>>,
    channel: RwSignal<Option<Channel>>,
) -> impl IntoView {
    let channels = move || loaded.get().map(|b| b.channels).unwrap_or_default();
    // A group that sends a channel through more than one account sees which one.
    let key_of = move |c: Channel| {
        loaded.with(|b| {
            b.as_ref()?
                .account_keys
                .iter()
                .find(|k| k.channel == c)
                .map(|k| k.key.clone())
        })
    };
    // Arrow keys (and Home, End) move between the tabs, as in every tab list; Tab
    // leaves the list from the chosen one.
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let all = channels();
        let Some(at) = channel
            .get_untracked()
            .and_then(|c| all.iter().position(|x| *x == c))
        else {
            return;
        };
        let Some(next) = roving_step(&ev.key(), at, all.len()) else {
            return;
        };
        ev.prevent_default();
        channel.set(Some(all[next]));
        focus_by_id(&format!("an-tab-{}", all[next].as_str()));
    };
    view! {
        <div class="channels" role="tablist" aria-label="Channel" on:keydown=on_key>
            <For
                each=channels
                key=|c| *c
                children=move |c| {
                    let chosen = move || channel.get() == Some(c);
                    view! {
                        <button
                            id=format!("an-tab-{}", c.as_str())
                            role="tab"
                            aria-selected=move || chosen().to_string()
                            tabindex=move || if chosen() { "0" } else { "-1" }
                            on:click=move |_| channel.set(Some(c))
                        >
                            {c.label()}
                            {move || key_of(c).map(|k| view! { <span class="account-key" title="The provider account it goes out through">{k}</span> })}
                        </button>
                    }
                }
            />
        </div>
    }
}

/// Says so when the chosen channel's messages go to the sandbox: nothing is really sent.
#[component]
pub(super) fn TestMode(
    loaded: Memo<Option<WidgetBootstrap>>,
    channel: RwSignal<Option<Channel>>,
) -> impl IntoView {
    let testing = move || {
        let chosen = channel.get()?;
        loaded
            .with(|b| b.as_ref().is_some_and(|b| b.test_mode.contains(&chosen)))
            .then_some(chosen)
    };
    move || {
        testing().map(|c| {
            view! {
                <p class="banner test-mode" role="note" data-testid="test-mode">
                    {format!("Test mode: {} messages are not really sent.", c.label())}
                </p>
            }
        })
    }
}

/// The templates of the chosen channel, each with its text as a preview.
#[component]
pub(super) fn TemplateChoice(
    loaded: Memo<Option<WidgetBootstrap>>,
    templates: Memo<Vec<AgentTemplate>>,
    selected: RwSignal<Option<String>>,
    recontact: Signal<Option<TemplateId>>,
) -> impl IntoView {
    // A radio group: Tab reaches the chosen card (the first when none is), the arrow
    // keys (and Home, End) choose the next one and move there.
    let dom_id = |id: &str| format!("an-template-{id}");
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let ids: Vec<String> = templates.with(|all| all.iter().map(|t| t.id.to_string()).collect());
        let at = selected
            .get_untracked()
            .and_then(|s| ids.iter().position(|id| *id == s))
            .unwrap_or(0);
        let Some(next) = roving_step(&ev.key(), at, ids.len()) else {
            return;
        };
        ev.prevent_default();
        selected.set(Some(ids[next].clone()));
        focus_by_id(&dom_id(&ids[next]));
    };
    // The card Tab reaches: the chosen one when it is among these, else the first.
    let reachable_id = Memo::new(move |_| {
        templates.with(|all| {
            let chosen = selected.get();
            all.iter()
                .map(|t| t.id.to_string())
                .find(|id| chosen.as_deref() == Some(id.as_str()))
                .or_else(|| all.first().map(|t| t.id.to_string()))
        })
    });
    view! {
        <div class="templates" role="radiogroup" aria-label="Template" on:keydown=on_key>
            <Show when=move || loaded.get().is_some() && templates.with(Vec::is_empty)>
                <p class="hint">"No templates for this channel in your group."</p>
            </Show>
            <For
                each=move || templates.get()
                key=|t| t.id.clone()
                children=move |t| {
                    let id = t.id.to_string();
                    let pick = id.clone();
                    let (checked_id, reachable_as) = (id.clone(), id.clone());
                    let checked = Memo::new(move |_| selected.get().as_deref() == Some(checked_id.as_str()));
                    let reachable = move || reachable_id.get().as_deref() == Some(reachable_as.as_str());
                    let preview = as_template(&t).preview(&BTreeMap::new());
                    let template_id = t.id.clone();
                    let recontacts = move || recontact.get().as_ref() == Some(&template_id);
                    view! {
                        <button
                            class="template"
                            role="radio"
                            id=dom_id(&id)
                            data-template=id.clone()
                            aria-checked=move || checked.get().to_string()
                            tabindex=move || if reachable() { "0" } else { "-1" }
                            on:click=move |_| selected.set(Some(pick.clone()))
                        >
                            <strong>
                                {t.name.clone()}
                                <Show when=recontacts>
                                    <span class="tag recontact">" Recontact"</span>
                                </Show>
                            </strong>
                            <span class="preview">{preview}</span>
                        </button>
                    }
                }
            />
        </div>
    }
}

/// The send button: enabled with a valid number and a template, never twice at once.
#[component]
pub(super) fn SendButton(
    ready: Signal<bool>,
    template: Signal<Option<AgentTemplate>>,
    busy: RwSignal<bool>,
    on_send: Callback<()>,
) -> impl IntoView {
    view! {
        // Busy, it stays focusable (aria-disabled): a disabled button would drop the
        // keyboard's focus to the page mid-send. The sender ignores a second press.
        <button
            class="button primary send"
            disabled=move || !ready.get() || template.with(Option::is_none)
            aria-disabled=move || busy.get().to_string()
            on:click=move |_| if !busy.get_untracked() { on_send.run(()) }
        >
            {move || match (busy.get(), template.with(|t| t.as_ref().map(|t| t.kind))) {
                (true, _) => "Sending…",
                (false, Some(TemplateKind::Dynamic)) => "Fill in and send…",
                _ => "Send",
            }}
        </button>
    }
}

/// The call's comment log (every send adds a line), when the widget knows the call.
#[component]
pub(super) fn CallComments(state: WidgetState) -> impl IntoView {
    let comments = LocalResource::new(move || {
        state.comments_version.track();
        let (token, call_id) = (state.token.get(), state.call_id.get());
        async move {
            match call_id {
                Some(call_id) if !token.is_empty() => {
                    call_comments(token, call_id).await.unwrap_or_default()
                }
                _ => Vec::new(),
            }
        }
    });
    view! {
        <section class="comments" aria-label="Call comments">
            <Show when=move || state.call_id.get().is_some()>
                <h2 class="field-label">"Call comments"</h2>
                {move || {
                    let list = comments.get().unwrap_or_default();
                    if list.is_empty() {
                        return view! { <p class="hint">"Each message you send adds a line here."</p> }.into_any();
                    }
                    view! {
                        <ul class="comment-list">
                            // Newest first, as the list of sent messages.
                            {list.into_iter().rev().map(|c| view! { <li class="comment">{c.text}</li> }).collect_view()}
                        </ul>
                    }
                    .into_any()
                }}
            </Show>
        </section>
    }
}

/// Why the widget cannot work (no token, a server error) and what to do, or that the
/// CRM did not answer (sending still works).
#[component]
pub(super) fn Banner(bootstrap: LocalResource<Result<WidgetBootstrap, ApiError>>) -> impl IntoView {
    move || match bootstrap.get() {
        Some(Err(e)) => view! {
            <div class="banner error" role="alert" data-testid="widget-problem">
                <p>{e.message}</p>
                <p>{what_to_do(&e.code)}</p>
                <button class="button small" type="button" on:click=move |_| bootstrap.refetch()>
                    "Try again"
                </button>
            </div>
        }
        .into_any(),
        Some(Ok(b)) if b.customer_unavailable => view! {
            <p class="banner" role="status">"Customer details unavailable — you can still send."</p>
        }
        .into_any(),
        _ => ().into_any(),
    }
}

/// What the agent can do about a widget that did not load.
fn what_to_do(code: &str) -> &'static str {
    match code {
        "missing_token"
        | "invalid_token"
        | "token_revoked"
        | "token_lifetime_too_long"
        | "admin_token_refused" => {
            "Open the widget again from your softphone; if it keeps happening, tell your admin."
        }
        "unknown_agent" | "agent_inactive" | "no_group" => {
            "Ask an admin to check your agent entry on the settings page."
        }
        _ => "Try again in a moment; if it keeps happening, tell your admin.",
    }
}

/// What an agent calls a field the server names: `to` is the number, `values.code` the
/// pop-up's field `code`.
fn field_name(field: &str) -> String {
    match field {
        "to" | "number" => "Number".to_owned(),
        "channel" => "Channel".to_owned(),
        "template_id" => "Template".to_owned(),
        other => other
            .strip_prefix("values.")
            .unwrap_or(other)
            .replace('_', " "),
    }
}

/// A refused send: the message, and each field's problem.
#[component]
pub(super) fn SendError(error: ApiError) -> impl IntoView {
    view! {
        <div class="banner error" role="alert">
            <p>{error.message}</p>
            <ul>
                {error.fields.into_iter().map(|(f, p)| view! { <li>{format!("{}: {p}", field_name(&f))}</li> }).collect_view()}
            </ul>
        </div>
    }
}

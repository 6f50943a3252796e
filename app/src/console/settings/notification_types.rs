//! A group's Notification Type tab: per channel an enable switch, the provider account
//! (and its fallback chain), and at most five templates of that channel, in order.

use super::api::{
    get_notification_types, list_provider_accounts, list_templates, save_notification_types,
};
use super::{context, listed};
use crate::domain::{Channel, NotificationTypes, TemplateId, MAX_TEMPLATES_PER_CHANNEL};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The Notification Type tab of one group (`group` its id, `name` what people call it).
#[component]
pub(super) fn NotificationTypeTab(group: String, name: Signal<String>) -> impl IntoView {
    let ctx = context();
    let types = RwSignal::new(None::<NotificationTypes>);
    let group_for_load = group.clone();
    let templates = listed("the templates", list_templates);
    let accounts = listed("the provider accounts", list_provider_accounts);
    Effect::new(move |_| {
        ctx.version.track();
        let (token, group) = (ctx.token(), group_for_load.clone());
        spawn_local(async move {
            match get_notification_types(token, group).await {
                Ok(t) => types.set(Some(t)),
                Err(e) => ctx.load_failed("the group's notification types", e),
            }
        });
    });
    let save = {
        let group = group.clone();
        move |_| {
            let Some(t) = types.get_untracked() else {
                return;
            };
            let (token, group) = (ctx.token(), group.clone());
            spawn_local(async move {
                match save_notification_types(token, group.clone(), t).await {
                    Ok(saved) => {
                        types.set(Some(saved.types));
                        let mut notice =
                            format!("Saved the notification types of {}.", name.get_untracked());
                        for warning in saved.warnings {
                            notice.push_str(" Warning: ");
                            notice.push_str(&warning);
                        }
                        ctx.done(notice);
                    }
                    Err(e) => ctx.fail(e),
                }
            });
        }
    };
    view! {
        <section class="card" aria-label="Notification Type">
            <h2>{move || format!("Notification Type — {}", name.get())}</h2>
            <Show when=move || types.get().is_some() fallback=|| view! { <p class="hint">"Loading…"</p> }>
                <div class="channel-columns">
                    {Channel::ALL
                        .map(|channel| view! { <ChannelColumn channel=channel types=types templates=templates accounts=accounts /> })
                        .collect_view()}
                </div>
            </Show>
            <button class="button" on:click=save>"Save notification types"</button>
        </section>
    }
}

/// One channel of the tab: on/off, the provider account, the chosen templates in order
/// (move, remove) and a picker that stops at five.
#[component]
fn ChannelColumn(
    channel: Channel,
    types: RwSignal<Option<NotificationTypes>>,
    templates: Signal<Vec<crate::domain::TemplateView>>,
    accounts: Signal<Vec<crate::domain::ProviderAccount>>,
) -> impl IntoView {
    let mapping = move || {
        types
            .get()
            .map(|t| t.get(channel).clone())
            .unwrap_or_default()
    };
    let full = move || mapping().templates.len() >= MAX_TEMPLATES_PER_CHANNEL;
    let candidates = move || {
        let chosen = mapping().templates;
        templates
            .get()
            .into_iter()
            .filter(|t| t.template.channel == channel && !chosen.contains(&t.template.id))
            .collect::<Vec<_>>()
    };
    view! {
        <div class="channel-column" data-channel=channel.as_str()>
            <h3>{channel.label()}</h3>
            <label class="check">
                <input
                    type="checkbox"
                    aria-label=format!("Enable {}", channel.label())
                    prop:checked=move || mapping().enabled
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        change(types, channel, |m| m.enabled = on);
                    }
                />
                "Enabled"
            </label>
            <AccountChoice channel=channel types=types accounts=accounts />
            <FallbackChain channel=channel types=types accounts=accounts />
            <span class="field-label">"Templates"</span>
            <ChosenTemplates channel=channel types=types templates=templates />
            <select
                aria-label=format!("Add a {} template", channel.label())
                disabled=full
                on:change=move |ev| {
                    if let Ok(id) = TemplateId::parse(&event_target_value(&ev)) {
                        change(types, channel, |m| m.templates.push(id));
                    }
                }
                // Back to the prompt after each change: a full list shows the limit, not
                // the next template's name.
                prop:value=move || {
                    mapping();
                    ""
                }
            >
                <option value="">
                    {move || if full() { "Limit of 5 reached".to_owned() } else { "Add a template…".to_owned() }}
                </option>
                {move || {
                    candidates()
                        .into_iter()
                        .map(|t| view! { <option value=t.template.id.to_string()>{t.template.name}</option> })
                        .collect_view()
                }}
            </select>
            <Show when=full>
                <p class="hint warning" data-testid="limit">
                    {format!("Limit of {MAX_TEMPLATES_PER_CHANNEL} reached: remove one to add another.")}
                </p>
            </Show>
        </div>
    }
}

/// Changes one channel of the tab being edited.
fn change(
    types: RwSignal<Option<NotificationTypes>>,
    channel: Channel,
    f: impl FnOnce(&mut crate::domain::ChannelMapping),
) {
    types.update(|t| {
        if let Some(t) = t {
            f(t.get_mut(channel));
        }
    });
}

/// The provider account a channel sends with: one of the channel's, or its default.
#[component]
fn AccountChoice(
    channel: Channel,
    types: RwSignal<Option<NotificationTypes>>,
    accounts: Signal<Vec<crate::domain::ProviderAccount>>,
) -> impl IntoView {
    let chosen = move || {
        types
            .get()
            .and_then(|t| t.get(channel).account.clone())
            .map(|a| a.to_string())
            .unwrap_or_default()
    };
    view! {
        <label class="field">
            <span class="field-label">"Provider account"</span>
            <select
                aria-label=format!("{} provider account", channel.label())
                prop:value=chosen
                on:change=move |ev| {
                    let value = crate::domain::ProviderAccountId::parse(&event_target_value(&ev)).ok();
                    change(types, channel, |m| m.account = value);
                }
            >
                <option value="">"The channel's default"</option>
                {move || {
                    accounts
                        .get()
                        .into_iter()
                        .filter(|a| a.channel == channel)
                        .map(|a| view! { <option value=a.id.to_string()>{account_label(&a)}</option> })
                        .collect_view()
                }}
            </select>
        </label>
    }
}

/// An account as the settings name it in choices: its name and key.
fn account_label(account: &crate::domain::ProviderAccount) -> String {
    format!("{} ({})", account.display_name, account.key)
}

/// The accounts a channel's messages move on to, in order, when the one before is down
/// or refuses a message for a reason of its own.
#[component]
fn FallbackChain(
    channel: Channel,
    types: RwSignal<Option<NotificationTypes>>,
    accounts: Signal<Vec<crate::domain::ProviderAccount>>,
) -> impl IntoView {
    let chain = move || {
        types
            .get()
            .map(|t| t.get(channel).fallback.clone())
            .unwrap_or_default()
    };
    let name_of = move |id: &crate::domain::ProviderAccountId| {
        accounts
            .get()
            .iter()
            .find(|a| &a.id == id)
            .map_or_else(|| id.to_string(), account_label)
    };
    let candidates = move || {
        let (first, chain) = types
            .get()
            .map(|t| {
                (
                    t.get(channel).account.clone(),
                    t.get(channel).fallback.clone(),
                )
            })
            .unwrap_or_default();
        accounts
            .get()
            .into_iter()
            .filter(|a| {
                a.channel == channel && Some(&a.id) != first.as_ref() && !chain.contains(&a.id)
            })
            .collect::<Vec<_>>()
    };
    view! {
        <div class="field fallback-chain">
            <span class="field-label" id=format!("fallback-{}", channel.as_str())>
                "Then, when it is down or refuses"
            </span>
            <ol class="chosen" aria-labelledby=format!("fallback-{}", channel.as_str())>
                {move || chain().into_iter().enumerate().map(|(i, id)| {
                    let label = name_of(&id);
                    view! {
                        <li data-fallback=id.to_string()>
                            <span class="chosen-name">{label.clone()}</span>
                            <button
                                class="button small secondary"
                                aria-label=format!("Remove {label} from the chain")
                                on:click=move |_| change(types, channel, |m| {
                                    m.fallback.remove(i);
                                })
                            >
                                "✕"
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ol>
            <select
                aria-label=format!("Add a {} fallback account", channel.label())
                prop:value=move || {
                    chain();
                    ""
                }
                on:change=move |ev| {
                    if let Ok(id) = crate::domain::ProviderAccountId::parse(&event_target_value(&ev)) {
                        change(types, channel, |m| m.fallback.push(id));
                    }
                }
            >
                <option value="">"Add a fallback account…"</option>
                {move || candidates().into_iter().map(|a| view! { <option value=a.id.to_string()>{account_label(&a)}</option> }).collect_view()}
            </select>
        </div>
    }
}

/// A channel's chosen templates in order, each movable up and down and removable.
#[component]
fn ChosenTemplates(
    channel: Channel,
    types: RwSignal<Option<NotificationTypes>>,
    templates: Signal<Vec<crate::domain::TemplateView>>,
) -> impl IntoView {
    let edit =
        move |f: &dyn Fn(&mut Vec<TemplateId>)| change(types, channel, |m| f(&mut m.templates));
    let name_of = move |id: &TemplateId| {
        templates
            .get()
            .into_iter()
            .find(|t| &t.template.id == id)
            .map(|t| t.template.name)
            .unwrap_or_else(|| id.to_string())
    };
    view! {
        <ol class="chosen" aria-label=format!("{} templates", channel.label())>
            {move || {
                let list = types.get().map(|t| t.get(channel).templates.clone()).unwrap_or_default();
                let last = list.len().saturating_sub(1);
                list.into_iter()
                    .enumerate()
                    .map(|(i, id)| {
                        let label = name_of(&id);
                        view! {
                            <li data-template=id.to_string()>
                                <span class="chosen-name">{label}</span>
                                <button
                                    class="button small secondary"
                                    aria-label="Move up"
                                    disabled={ i == 0 }
                                    on:click=move |_| edit(&|l| l.swap(i, i - 1))
                                >
                                    "↑"
                                </button>
                                <button
                                    class="button small secondary"
                                    aria-label="Move down"
                                    disabled={ i == last }
                                    on:click=move |_| edit(&|l| l.swap(i, i + 1))
                                >
                                    "↓"
                                </button>
                                <button
                                    class="button small secondary"
                                    aria-label="Remove"
                                    on:click=move |_| edit(&|l| {
                                        l.remove(i);
                                    })
                                >
                                    "✕"
                                </button>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ol>
    }
}

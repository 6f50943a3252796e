//! Agents, provider accounts (credentials write-only, the webhook URL to copy) and the
//! audit log (filterable by kind of change).

use super::context;
use crate::api::admin::{
    admin_agents, admin_audit, admin_delete_agent, admin_delete_provider, admin_groups,
    admin_providers, admin_save_agent, admin_save_provider,
};
use crate::domain::{
    Agent, Channel, GroupId, ProviderAccountInput, ProviderKind, UserId, PROVIDER_KINDS,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;

/// The agents tab: list, create or edit (id, name, group), delete.
#[component]
pub fn AgentsTab() -> impl IntoView {
    let ctx = context();
    let agents = LocalResource::new(move || {
        ctx.version.track();
        let token = ctx.token();
        async move { admin_agents(token).await.unwrap_or_default() }
    });
    let groups = LocalResource::new(move || {
        let token = ctx.token();
        async move { admin_groups(token).await.unwrap_or_default() }
    });
    let (id, name, group, existing) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(None::<String>),
    );
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Ok(agent_id), Ok(group_id)) = (
            UserId::parse(id.get_untracked().trim()),
            GroupId::parse(&group.get_untracked()),
        ) else {
            ctx.fail(crate::api::ApiError::new(
                "invalid_agent",
                "Give the agent an id (letters, digits, - _ . : @) and a group.",
            ));
            return;
        };
        let agent = Agent {
            id: agent_id,
            name: name.get_untracked(),
            group_id,
        };
        let was = existing.get_untracked();
        spawn_local(async move {
            match admin_save_agent(ctx.token(), agent, was).await {
                Ok(a) => {
                    existing.set(None);
                    id.set(String::new());
                    name.set(String::new());
                    ctx.done(format!("Saved agent {}.", a.id));
                }
                Err(e) => ctx.fail(e),
            }
        });
    };
    let delete = move |agent: String| {
        spawn_local(async move {
            match admin_delete_agent(ctx.token(), agent.clone()).await {
                Ok(()) => ctx.done(format!("Deleted agent {agent}.")),
                Err(e) => ctx.fail(e),
            }
        });
    };
    view! {
        <section class="card">
            <form class="toolbar" on:submit=save aria-label="Agent">
                <input class="input" placeholder="Agent id" aria-label="Agent id" prop:value=id disabled=move || existing.get().is_some() on:input=move |ev| id.set(event_target_value(&ev)) />
                <input class="input" placeholder="Name" aria-label="Agent name" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
                <select aria-label="Agent group" prop:value=group on:change=move |ev| group.set(event_target_value(&ev))>
                    <option value="">"Group…"</option>
                    {move || groups.get().unwrap_or_default().into_iter().map(|g| view! { <option value=g.id.to_string()>{g.name}</option> }).collect_view()}
                </select>
                <button class="button" type="submit">{move || if existing.get().is_some() { "Save agent" } else { "Add agent" }}</button>
            </form>
            <table class="list" aria-label="Agents">
                <thead><tr><th>"Id"</th><th>"Name"</th><th>"Group"</th><th></th></tr></thead>
                <tbody>
                    {move || {
                        agents.get().unwrap_or_default().into_iter().map(|a| {
                            let (edit, del) = (a.clone(), a.id.to_string());
                            view! {
                                <tr data-agent=a.id.to_string()>
                                    <td><code>{a.id.to_string()}</code></td>
                                    <td>{a.name.clone()}</td>
                                    <td>{a.group_id.to_string()}</td>
                                    <td class="row-actions">
                                        <button class="button small secondary" on:click=move |_| {
                                            existing.set(Some(edit.id.to_string()));
                                            id.set(edit.id.to_string());
                                            name.set(edit.name.clone());
                                            group.set(edit.group_id.to_string());
                                        }>"Edit"</button>
                                        <button class="button small secondary" on:click=move |_| delete(del.clone())>"Delete"</button>
                                    </td>
                                </tr>
                            }
                        }).collect_view()
                    }}
                </tbody>
            </table>
        </section>
    }
}

/// The providers tab: accounts per channel; secrets are typed in, never shown back.
#[component]
pub fn ProvidersTab() -> impl IntoView {
    let ctx = context();
    let accounts = LocalResource::new(move || {
        ctx.version.track();
        let token = ctx.token();
        async move { admin_providers(token).await.unwrap_or_default() }
    });
    let kind = RwSignal::new(&PROVIDER_KINDS[0]);
    let channel = RwSignal::new(Channel::Sms);
    let (display_name, sender) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let credentials = RwSignal::new(BTreeMap::<String, String>::new());
    let default = RwSignal::new(true);
    let choose_kind = move |name: String| {
        if let Some(k) = ProviderKind::named(&name) {
            kind.set(k);
            credentials.set(BTreeMap::new());
            if !k.channels.contains(&channel.get_untracked()) {
                channel.set(k.channels[0]);
            }
        }
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = ProviderAccountInput {
            id: None,
            channel: channel.get_untracked(),
            provider: kind.get_untracked().name.to_owned(),
            display_name: display_name.get_untracked(),
            sender: sender.get_untracked(),
            credentials: credentials
                .get_untracked()
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .collect(),
            default: default.get_untracked(),
        };
        spawn_local(async move {
            match admin_save_provider(ctx.token(), input, None).await {
                Ok(a) => {
                    credentials.set(BTreeMap::new());
                    ctx.done(format!("Added provider account {}.", a.display_name));
                }
                Err(e) => ctx.fail(e),
            }
        });
    };
    let delete = move |account: String| {
        spawn_local(async move {
            match admin_delete_provider(ctx.token(), account.clone()).await {
                Ok(()) => ctx.done(format!("Deleted provider account {account}.")),
                Err(e) => ctx.fail(e),
            }
        });
    };
    view! {
        <section class="card">
            <form class="toolbar" on:submit=save aria-label="Provider account">
                <select aria-label="Provider type" on:change=move |ev| choose_kind(event_target_value(&ev))>
                    {PROVIDER_KINDS.iter().map(|k| view! { <option value=k.name>{k.label}</option> }).collect_view()}
                </select>
                <select aria-label="Provider channel" prop:value=move || channel.get().as_str() on:change=move |ev| if let Ok(c) = event_target_value(&ev).parse() { channel.set(c) }>
                    {move || kind.get().channels.iter().map(|c| view! { <option value=c.as_str()>{c.label()}</option> }).collect_view()}
                </select>
                <input class="input" placeholder="Display name" aria-label="Display name" prop:value=display_name on:input=move |ev| display_name.set(event_target_value(&ev)) />
                <input class="input" placeholder=move || kind.get().sender aria-label="Sender" prop:value=sender on:input=move |ev| sender.set(event_target_value(&ev)) />
                {move || kind.get().credentials.iter().map(|name| {
                    let name = (*name).to_owned();
                    let key = name.clone();
                    view! {
                        <input class="input" type="password" autocomplete="off"
                            placeholder=format!("{name} (write-only)") aria-label=name.clone()
                            prop:value=move || credentials.get().get(&name).cloned().unwrap_or_default()
                            on:input=move |ev| { let v = event_target_value(&ev); credentials.update(|c| { c.insert(key.clone(), v); }); } />
                    }
                }).collect_view()}
                <label class="check"><input type="checkbox" prop:checked=default on:change=move |ev| default.set(event_target_checked(&ev)) />"Default for the channel"</label>
                <button class="button" type="submit">"Add account"</button>
            </form>
            <table class="list" aria-label="Provider accounts">
                <thead><tr><th>"Name"</th><th>"Provider"</th><th>"Channel"</th><th>"Sender"</th><th>"Credentials"</th><th>"Webhook URL"</th><th></th></tr></thead>
                <tbody>
                    {move || accounts.get().unwrap_or_default().into_iter().map(|a| {
                        let del = a.id.clone();
                        let set = if a.credentials_set.is_empty() { "none".to_owned() } else { format!("{} set", a.credentials_set.join(", ")) };
                        view! {
                            <tr data-account=a.id.clone()>
                                <td>{a.display_name.clone()}{a.default.then_some(" (default)")}</td>
                                <td>{ProviderKind::named(&a.provider).map_or(a.provider.clone(), |k| k.label.to_owned())}</td>
                                <td>{a.channel.label()}</td>
                                <td>{a.sender.clone()}</td>
                                <td>{set}</td>
                                <td>
                                    <code class="webhook">{a.webhook_url.clone()}</code>
                                    <button class="button small secondary" aria-label="Copy the webhook URL" on:click={
                                        let url = a.webhook_url.clone();
                                        move |_| {
                                            let _ = window().navigator().clipboard().write_text(&url);
                                        }
                                    }>"Copy"</button>
                                </td>
                                <td><button class="button small secondary" on:click=move |_| delete(del.clone())>"Delete"</button></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// The audit log tab, filterable by kind of change.
#[component]
pub fn AuditTab() -> impl IntoView {
    let ctx = context();
    let entity = RwSignal::new(String::new());
    let entries = LocalResource::new(move || {
        ctx.version.track();
        let (token, entity) = (ctx.token(), entity.get());
        async move { admin_audit(token, Some(entity)).await.unwrap_or_default() }
    });
    view! {
        <section class="card">
            <div class="toolbar">
                <select aria-label="Kind of change" on:change=move |ev| entity.set(event_target_value(&ev))>
                    <option value="">"All changes"</option>
                    {["template", "group", "notification_types", "agent", "provider"].map(|e| view! { <option value=e>{e.replace('_', " ")}</option> }).collect_view()}
                </select>
            </div>
            <table class="list" aria-label="Audit log">
                <thead><tr><th>"When"</th><th>"Who"</th><th>"What"</th><th>"Changes"</th></tr></thead>
                <tbody>
                    {move || entries.get().unwrap_or_default().into_iter().map(|e| {
                        let summary = format!("{} {} {}", e.action, e.entity.replace('_', " "), e.entity_id);
                        let change = format!(
                            "before: {}\nafter: {}",
                            e.before.map(|b| b.to_string()).unwrap_or_else(|| "—".into()),
                            e.after.map(|a| a.to_string()).unwrap_or_else(|| "—".into())
                        );
                        view! {
                            <tr class="audit-entry">
                                <td>{e.at.clone()}</td>
                                <td>{e.actor.clone()}</td>
                                <td>{summary}</td>
                                <td><details><summary>"Before / after"</summary><pre>{change}</pre></details></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

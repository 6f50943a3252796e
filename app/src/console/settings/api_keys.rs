//! The API keys tab: integrators' keys (IVR, workflow engine, CRM) with what each may
//! do, for which groups, from where, and when it was last used; a new key's secret is
//! shown once, to copy; revoking one stops it at once.

use super::api::{create_api_key, list_api_keys, list_groups, revoke_api_key};
use super::form::TextInput;
use super::list::ListTable;
use super::{context, listed, short_time, Problems};
use crate::domain::{ApiKey, ApiKeyInput, ApiKeyScope, GroupId};
use crate::ui::{local_time, CopyButton};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;

/// The addresses typed in the form: separated by commas, spaces or lines.
fn addresses(text: &str) -> Vec<String> {
    text.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The API keys tab.
#[component]
pub fn ApiKeysTab() -> impl IntoView {
    let ctx = context();
    let keys = listed("the API keys", list_api_keys);
    let groups = listed("the agent groups", list_groups);
    let name = RwSignal::new(String::new());
    let scopes = RwSignal::new(vec![ApiKeyScope::Send]);
    let chosen = RwSignal::new(Vec::<GroupId>::new());
    let ips = RwSignal::new(String::new());
    let secret = RwSignal::new(None::<String>);
    let problems = RwSignal::new(BTreeMap::new());
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = ApiKeyInput {
            name: name.get_untracked(),
            scopes: scopes.get_untracked(),
            groups: chosen.get_untracked(),
            allowed_ips: addresses(&ips.get_untracked()),
        };
        spawn_local(async move {
            match create_api_key(ctx.token(), input).await {
                Ok(created) => {
                    problems.set(Default::default());
                    name.set(String::new());
                    ips.set(String::new());
                    secret.set(Some(created.secret));
                    ctx.done(format!("Created the key {}.", created.key.name));
                }
                Err(e) => ctx.refused(problems, e),
            }
        });
    };
    let revoke = move |id: String, label: String| {
        spawn_local(async move {
            match revoke_api_key(ctx.token(), id).await {
                Ok(()) => ctx.done(format!("Revoked the key {label}: it no longer works.")),
                Err(e) => ctx.fail(e),
            }
        });
    };
    view! {
        <section class="card">
            <p class="hint">
                "An IVR, a workflow engine or a CRM sends with a key as Authorization: Bearer <key>, naming the group it sends for (group_id)."
            </p>
            <NewSecret secret />
            <KeyForm name scopes chosen ips groups problems on_submit=create />
            <ListTable
                label="API keys"
                headings=&["Name", "Key", "May", "Groups", "From", "Created", "Last used"]
                empty="No API key yet."
                rows=keys
                row=move |k: ApiKey| {
                        let (id, label) = (k.id.clone(), k.name.clone());
                        let scopes: Vec<&str> = k.scopes.iter().map(|s| s.as_str()).collect();
                        let groups: Vec<String> = k.groups.iter().map(ToString::to_string).collect();
                        view! {
                            <tr data-key=k.id.clone()>
                                <td>{k.name.clone()}</td>
                                <td><code>{format!("{}…", k.prefix)}</code></td>
                                <td>{scopes.join(", ")}</td>
                                <td>{groups.join(", ")}</td>
                                <td>{if k.allowed_ips.is_empty() { "Anywhere".to_owned() } else { k.allowed_ips.join(", ") }}</td>
                                <td title=short_time(&k.created_at)>{local_time(&k.created_at, true)}</td>
                                <td>{k.last_used_at.as_deref().map_or("Never".to_owned(), |at| local_time(at, true))}</td>
                                <td class="row-actions">
                                    <button class="button small secondary" on:click=move |_| revoke(id.clone(), label.clone())>"Revoke"</button>
                                </td>
                            </tr>
                        }
                    }
            />
        </section>
    }
}

/// The secret of the key just created, shown once with a Copy button.
#[component]
fn NewSecret(secret: RwSignal<Option<String>>) -> impl IntoView {
    move || {
        secret.get().map(|s| {
            let copy = s.clone();
            view! {
                <div class="banner secret" role="status" data-testid="new-secret">
                    <p><strong>"Copy this key now: it will not be shown again."</strong></p>
                    <code class="secret-value">{s}</code>
                    <div class="toolbar">
                        <CopyButton text=copy what="the key" />
                        <button class="button small secondary" type="button" on:click=move |_| secret.set(None)>"Done"</button>
                    </div>
                </div>
            }
        })
    }
}

/// The new key's form: its name, what it may do, for which groups, from where.
#[component]
fn KeyForm(
    name: RwSignal<String>,
    scopes: RwSignal<Vec<ApiKeyScope>>,
    chosen: RwSignal<Vec<GroupId>>,
    ips: RwSignal<String>,
    groups: Signal<Vec<crate::domain::Group>>,
    problems: RwSignal<BTreeMap<String, String>>,
    on_submit: impl Fn(leptos::ev::SubmitEvent) + 'static,
) -> impl IntoView {
    let toggle_scope = move |scope: ApiKeyScope, on: bool| {
        scopes.update(|s| {
            s.retain(|x| *x != scope);
            if on {
                s.push(scope);
            }
        });
    };
    let toggle_group = move |group: GroupId, on: bool| {
        chosen.update(|g| {
            g.retain(|x| *x != group);
            if on {
                g.push(group);
            }
        });
    };
    view! {
        <form class="key-form" on:submit=on_submit aria-label="New API key">
            <TextInput label="Name" value=name problems key="name" placeholder="IVR main menu" class="field" />
            <fieldset class="field">
                <legend class="field-label">"May"</legend>
                {ApiKeyScope::ALL.into_iter().map(|scope| view! {
                    <label class="check">
                        <input
                            type="checkbox"
                            prop:checked=move || scopes.with(|s| s.contains(&scope))
                            on:change=move |ev| toggle_scope(scope, event_target_checked(&ev))
                        />
                        {match scope {
                            ApiKeyScope::Send => "send notifications (notifications:send)",
                            ApiKeyScope::Read => "read the notifications it sent (notifications:read)",
                        }}
                    </label>
                }).collect_view()}
                <Problems problems prefix="scopes" />
            </fieldset>
            <fieldset class="field">
                <legend class="field-label">"For the groups"</legend>
                {move || groups.get().into_iter().map(|g| {
                    let id = g.id.clone();
                    let checked = g.id.clone();
                    view! {
                        <label class="check">
                            <input
                                type="checkbox"
                                prop:checked=move || chosen.with(|c| c.contains(&checked))
                                on:change=move |ev| toggle_group(id.clone(), event_target_checked(&ev))
                            />
                            {g.name}
                        </label>
                    }
                }).collect_view()}
                <Problems problems prefix="groups" />
            </fieldset>
            <TextInput label="Only from (IPs or ranges; empty: anywhere)" value=ips problems key="allowed_ips" placeholder="10.20.0.0/16, 192.0.2.7" class="field" />
            <button class="button" type="submit">"Create key"</button>
        </form>
    }
}

//! Agent groups: create, rename, set the country their agents read numbers in, delete;
//! choosing one opens its Notification Type tab (`notification_types`).

use super::api::{delete_group, list_groups, save_group};
use super::form::TextInput;
use super::notification_types::NotificationTypeTab;
use super::{context, listed, AdminContext};
use crate::domain::{Group, GroupInput};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The groups tab.
#[component]
pub fn GroupsTab() -> impl IntoView {
    let ctx = context();
    let selected = RwSignal::new(None::<String>);
    let new_name = RwSignal::new(String::new());
    let new_country = RwSignal::new(String::new());
    let problems = RwSignal::new(std::collections::BTreeMap::new());
    let groups = listed("the agent groups", list_groups);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = GroupInput {
            id: None,
            name: new_name.get_untracked(),
            default_country: Some(new_country.get_untracked()),
        };
        spawn_local(async move {
            match save_group(ctx.token(), input, None).await {
                Ok(g) => {
                    problems.set(Default::default());
                    new_name.set(String::new());
                    new_country.set(String::new());
                    ctx.done(format!("Created group {}.", g.name));
                    selected.set(Some(g.id.to_string()));
                }
                Err(e) => ctx.refused(problems, e),
            }
        });
    };
    let change = move |g: Group, rename: bool| change_group(ctx, g, rename);
    let delete = move |id: String| {
        if !window()
            .confirm_with_message(&format!("Delete group {id}?"))
            .unwrap_or(false)
        {
            return;
        }
        spawn_local(async move {
            match delete_group(ctx.token(), id.clone()).await {
                Ok(()) => {
                    selected.set(None);
                    ctx.done(format!("Deleted group {id}."));
                }
                Err(e) => ctx.fail(e),
            }
        });
    };
    view! {
        <section class="card">
            <form class="toolbar" on:submit=create aria-label="New group">
                <TextInput label="New group's name" value=new_name problems key="name" placeholder="Support India" />
                <TextInput label="Default country" value=new_country problems key="default_country" placeholder="IN" />
                <button class="button" type="submit">"Create group"</button>
            </form>
            <GroupList groups selected on_change=change on_delete=delete />
        </section>
        {move || match selected.get() {
            Some(group) => {
                let id = group.clone();
                let name = Signal::derive(move || {
                    groups.with(|all| all.iter().find(|g| g.id.as_str() == id).map_or_else(|| id.clone(), |g| g.name.clone()))
                });
                view! { <NotificationTypeTab group=group name=name /> }.into_any()
            }
            None => view! {
                <p class="hint" data-testid="choose-group">
                    "Choose a group's name to set its channels, templates and provider accounts."
                </p>
            }
            .into_any(),
        }}
    }
}

/// The groups, each with its country and its actions; the chosen one is marked.
#[component]
fn GroupList(
    groups: Signal<Vec<Group>>,
    selected: RwSignal<Option<String>>,
    /// Rename (true) or change the country (false) of a group.
    on_change: impl Fn(Group, bool) + Copy + Send + Sync + 'static,
    on_delete: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <ul class="group-list" aria-label="Groups">
            {move || {
                groups
                    .get()
                    .into_iter()
                    .map(|g| {
                        let id = g.id.to_string();
                        let (pick, del) = (id.clone(), id.clone());
                        let (ren, country) = (g.clone(), g.clone());
                        let current = id.clone();
                        view! {
                            <li class:active=move || selected.get().as_deref() == Some(current.as_str()) data-group=id.clone()>
                                <button class="link" on:click=move |_| selected.set(Some(pick.clone()))>
                                    {g.name.clone()}
                                    <span class="muted">{format!(" ({id})")}</span>
                                    {g.default_country.map(|c| view! { <span class="muted">{format!(" · numbers read in {}", c.name())}</span> })}
                                </button>
                                <span class="row-actions">
                                    <button class="button small secondary" on:click=move |_| on_change(ren.clone(), true)>"Rename"</button>
                                    <button class="button small secondary" on:click=move |_| on_change(country.clone(), false)>"Country"</button>
                                    <button class="button small secondary" on:click=move |_| on_delete(del.clone())>"Delete"</button>
                                </span>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
    }
}

/// Asks for a group's new name (`rename`) or country and saves it: a rename keeps the
/// country, a new country keeps the name.
fn change_group(ctx: AdminContext, g: Group, rename: bool) {
    let (question, current) = if rename {
        ("New name for the group", g.name.clone())
    } else {
        (
            "Country the group's agents read national numbers in (ISO code, e.g. IN; empty: the deployment's)",
            g.default_country.map(|c| c.as_str().to_owned()).unwrap_or_default(),
        )
    };
    let Ok(Some(answer)) = window().prompt_with_message_and_default(question, &current) else {
        return;
    };
    let country = g.default_country.map(|c| c.as_str().to_owned());
    let input = if rename {
        GroupInput {
            id: None,
            name: answer,
            default_country: country,
        }
    } else {
        GroupInput {
            id: None,
            name: g.name.clone(),
            default_country: Some(answer),
        }
    };
    spawn_local(async move {
        match save_group(ctx.token(), input, Some(g.id.to_string())).await {
            Ok(g) => ctx.done(format!("Saved group {}.", g.name)),
            Err(e) => ctx.fail(e),
        }
    });
}

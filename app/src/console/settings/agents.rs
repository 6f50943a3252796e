//! The agents tab: each agent's id, name, group and whether they may work; create,
//! edit, switch off, delete.

use super::api::{delete_agent, list_agents, list_groups, save_agent};
use super::form::TextInput;
use super::list::ListTable;
use super::{context, listed, Problems};
use crate::domain::{Agent, GroupId, UserId};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The agents tab: list, create or edit (id, name, group), delete.
#[component]
pub fn AgentsTab() -> impl IntoView {
    let ctx = context();
    let agents = listed("the agents", list_agents);
    let groups = listed("the agent groups", list_groups);
    let (id, name, group, existing) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(None::<String>),
    );
    let active = RwSignal::new(true);
    let problems = RwSignal::new(std::collections::BTreeMap::new());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let parsed = (
            UserId::parse(id.get_untracked().trim()),
            GroupId::parse(&group.get_untracked()),
        );
        let (agent_id, group_id) = match parsed {
            (Ok(agent_id), Ok(group_id)) => (agent_id, group_id),
            (agent_id, group_id) => {
                let mut fields = std::collections::BTreeMap::new();
                if agent_id.is_err() {
                    let problem = "letters, digits and - _ . : @ only";
                    fields.insert("id".to_owned(), problem.to_owned());
                }
                if group_id.is_err() {
                    fields.insert("group_id".to_owned(), "choose the agent's group".to_owned());
                }
                let message = "Check the agent: an id and a group.";
                let e = crate::api::ApiError::with_fields("invalid_agent", message, fields);
                ctx.refused(problems, e);
                return;
            }
        };
        let agent = Agent {
            id: agent_id,
            name: name.get_untracked(),
            group_id,
            active: active.get_untracked(),
        };
        let was = existing.get_untracked();
        spawn_local(async move {
            match save_agent(ctx.token(), agent, was).await {
                Ok(a) => {
                    problems.set(Default::default());
                    existing.set(None);
                    id.set(String::new());
                    name.set(String::new());
                    active.set(true);
                    ctx.done(format!("Saved agent {}.", a.id));
                }
                Err(e) => ctx.refused(problems, e),
            }
        });
    };
    let edit = move |a: Agent| {
        existing.set(Some(a.id.to_string()));
        id.set(a.id.to_string());
        name.set(a.name);
        group.set(a.group_id.to_string());
        active.set(a.active);
    };
    let delete = move |agent: String| {
        spawn_local(async move {
            match delete_agent(ctx.token(), agent.clone()).await {
                Ok(()) => ctx.done(format!("Deleted agent {agent}.")),
                Err(e) => ctx.fail(e),
            }
        });
    };
    view! {
        <section class="card">
            <form class="toolbar" on:submit=save aria-label="Agent">
                <label class="labelled">
                    <span class="field-label">"Agent id"</span>
                    <input class="input" placeholder="asha.k" prop:value=id disabled=move || existing.get().is_some() on:input=move |ev| { id.set(event_target_value(&ev)); ctx.fixing(problems, "id"); } />
                    <Problems problems prefix="id" />
                </label>
                <TextInput label="Agent name" value=name problems key="name" placeholder="Asha K" />
                <label class="labelled">
                    <span class="field-label">"Agent group"</span>
                    <select prop:value=group on:change=move |ev| { group.set(event_target_value(&ev)); ctx.fixing(problems, "group_id"); }>
                        <option value="">"Choose…"</option>
                        {move || groups.get().into_iter().map(|g| view! { <option value=g.id.to_string()>{g.name}</option> }).collect_view()}
                    </select>
                    <Problems problems prefix="group_id" />
                </label>
                <label class="check"><input type="checkbox" prop:checked=active on:change=move |ev| active.set(event_target_checked(&ev)) />"Active"</label>
                <button class="button" type="submit">{move || if existing.get().is_some() { "Save agent" } else { "Add agent" }}</button>
            </form>
            <AgentList agents on_edit=edit on_delete=delete />
        </section>
    }
}

/// The agents, each with Edit and Delete.
#[component]
fn AgentList(
    agents: Signal<Vec<Agent>>,
    on_edit: impl Fn(Agent) + Copy + Send + Sync + 'static,
    on_delete: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
    <ListTable
        label="Agents"
        headings=&["Id", "Name", "Group", "Status"]
        empty="No agent yet: add one above."
        rows=agents
        row=move |a: Agent| {
                let (edit, del) = (a.clone(), a.id.to_string());
                view! {
                    <tr data-agent=a.id.to_string()>
                        <td><code>{a.id.to_string()}</code></td>
                        <td>{a.name.clone()}</td>
                        <td>{a.group_id.to_string()}</td>
                        <td>{if a.active { "Active" } else { "Switched off" }}</td>
                        <td class="row-actions">
                            <button class="button small secondary" on:click=move |_| on_edit(edit.clone())>"Edit"</button>
                            <button class="button small secondary" on:click=move |_| on_delete(del.clone())>"Delete"</button>
                        </td>
                    </tr>
                }
            }
    />
    }
}

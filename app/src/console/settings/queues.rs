//! The call queues tab: a queue (named as the softphone names it) may narrow, per
//! channel, the templates its calls may use; agents then see the templates both their
//! group and the queue allow.

use super::api::{delete_queue, list_queues, list_templates, save_queue};
use super::form::TextInput;
use super::list::ListTable;
use super::{context, listed, Problems};
use crate::domain::{CallQueue, CallQueueInput, Channel, TemplateId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;

/// The call queues tab: list, create or edit (id, name, templates per channel), delete.
#[component]
pub fn QueuesTab() -> impl IntoView {
    let ctx = context();
    let queues = listed("the call queues", list_queues);
    let templates = listed("the templates", list_templates);
    let (id, name, existing) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(false),
    );
    // Per channel: none (the group's templates) or the ones allowed.
    let rules = RwSignal::new(BTreeMap::<Channel, Vec<TemplateId>>::new());
    let problems = RwSignal::new(BTreeMap::new());
    let clear = move || {
        id.set(String::new());
        name.set(String::new());
        rules.set(BTreeMap::new());
        existing.set(false);
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = CallQueueInput {
            name: name.get_untracked(),
            templates: rules.get_untracked(),
        };
        let queue = id.get_untracked().trim().to_owned();
        // The id is in the URL: one the server could never take is refused here, at its input.
        if let Err(e) = crate::domain::QueueId::parse(&queue) {
            let fields = BTreeMap::from([("id".to_owned(), e.to_string())]);
            let message = "Give the queue the id the softphone sends: letters, digits and - _ . :";
            let e = crate::api::ApiError::with_fields("invalid_queue_id", message, fields);
            ctx.refused(problems, e);
            return;
        }
        spawn_local(async move {
            match save_queue(ctx.token(), queue, input).await {
                Ok(q) => {
                    problems.set(BTreeMap::new());
                    clear();
                    ctx.done(format!("Saved call queue {}.", q.id));
                }
                Err(e) => ctx.refused(problems, e),
            }
        });
    };
    let delete = move |queue: String| {
        spawn_local(async move {
            match delete_queue(ctx.token(), queue.clone()).await {
                Ok(()) => ctx.done(format!("Deleted call queue {queue}.")),
                Err(e) => ctx.fail(e),
            }
        });
    };
    view! {
        <section class="card">
            <p class="hint">"A queue narrows the templates its calls may use: agents see those their group and the queue both allow. The softphone names the queue (queue_id)."</p>
            <form class="key-form" on:submit=save aria-label="Call queue">
                <div class="toolbar">
                    <label class="labelled">
                        <span class="field-label">"Queue id"</span>
                        <input class="input" placeholder="billing" prop:value=id disabled=existing on:input=move |ev| { id.set(event_target_value(&ev)); ctx.fixing(problems, "id"); } />
                        <Problems problems prefix="id" />
                    </label>
                    <TextInput label="Queue name" value=name problems key="name" placeholder="Billing" />
                </div>
                <div class="channel-columns">
                    {Channel::ALL.map(|channel| view! { <ChannelRules channel rules templates problems /> }).collect_view()}
                </div>
                <div class="row-actions">
                    <button class="button" type="submit">{move || if existing.get() { "Save queue" } else { "Add queue" }}</button>
                </div>
            </form>
            <ListTable
                label="Call queues"
                headings=&["Id", "Name", "Templates"]
                empty="No call queue yet: its group's templates apply to every call."
                rows=queues
                row=move |q: CallQueue| {
                        let (edit, del) = (q.clone(), q.id.to_string());
                        let summary = Channel::ALL.iter().map(|c| match q.templates.get(c) {
                            None => format!("{}: the group's", c.label()),
                            Some(list) => format!("{}: {}", c.label(), list.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ")),
                        }).collect::<Vec<_>>().join(" · ");
                        view! {
                            <tr data-queue=q.id.to_string()>
                                <td><code>{q.id.to_string()}</code></td>
                                <td>{q.name.clone()}</td>
                                <td>{summary}</td>
                                <td class="row-actions">
                                    <button class="button small secondary" on:click=move |_| {
                                        existing.set(true);
                                        id.set(edit.id.to_string());
                                        name.set(edit.name.clone());
                                        rules.set(edit.templates.clone());
                                    }>"Edit"</button>
                                    <button class="button small secondary" on:click=move |_| delete(del.clone())>"Delete"</button>
                                </td>
                            </tr>
                        }
                    }
            />
        </section>
    }
}

/// One channel of a queue: the group's templates, or only the ones ticked.
#[component]
fn ChannelRules(
    channel: Channel,
    /// Per channel: none (the group's templates) or the ones allowed.
    rules: RwSignal<BTreeMap<Channel, Vec<TemplateId>>>,
    templates: Signal<Vec<crate::domain::TemplateView>>,
    problems: RwSignal<BTreeMap<String, String>>,
) -> impl IntoView {
    let narrowed = move || rules.with(|r| r.contains_key(&channel));
    view! {
        <fieldset class="channel-column">
            <legend>{channel.label()}</legend>
            <Problems problems prefix=templates_key(channel) />
            <label class="check">
                <input
                    type="checkbox"
                    prop:checked=narrowed
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        rules.update(|r| {
                            if on { r.entry(channel).or_default(); } else { r.remove(&channel); }
                        });
                    }
                />
                {format!("Only some {} templates", channel.label())}
            </label>
            <Show when=narrowed fallback=|| view! { <p class="hint">"The group's templates"</p> }>
                {move || templates.get().into_iter().map(|v| v.template).filter(|t| t.channel == channel).map(|t| {
                    let tid = t.id.clone();
                    let allowed = {
                        let tid = tid.clone();
                        move || rules.with(|r| r.get(&channel).is_some_and(|l| l.contains(&tid)))
                    };
                    view! {
                        <label class="check">
                            <input
                                type="checkbox"
                                prop:checked=allowed
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    let tid = tid.clone();
                                    rules.update(|r| {
                                        let list = r.entry(channel).or_default();
                                        list.retain(|t| *t != tid);
                                        if on { list.push(tid); }
                                    });
                                }
                            />
                            {t.name.clone()}
                        </label>
                    }
                }).collect_view()}
            </Show>
        </fieldset>
    }
}

/// Where a channel's save-time problems are reported.
fn templates_key(channel: Channel) -> String {
    format!("templates.{}", channel.as_str())
}

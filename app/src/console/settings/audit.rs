//! The audit log tab: every change with who, when, before and after; filterable by kind.

use super::api::audit_log;
use super::listed;
use crate::ui::local_time;
use leptos::prelude::*;

/// The audit log tab, filterable by kind of change.
#[component]
pub fn AuditTab() -> impl IntoView {
    let entity = RwSignal::new(String::new());
    let entries = listed("the audit log", move |token| {
        audit_log(token, Some(entity.get()))
    });
    view! {
        <section class="card">
            <div class="toolbar">
                <select aria-label="Kind of change" on:change=move |ev| entity.set(event_target_value(&ev))>
                    <option value="">"All changes"</option>
                    {["template", "group", "notification_types", "agent", "provider", "opt_out", "api_key", "session"].map(|e| view! { <option value=e>{e.replace('_', " ")}</option> }).collect_view()}
                </select>
            </div>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Audit log, scrollable">
                <table class="list" aria-label="Audit log">
                    <thead><tr><th>"When"</th><th>"Who"</th><th>"What"</th><th>"Changes"</th></tr></thead>
                    <tbody>
                        {move || entries.get().into_iter().map(|e| {
                            let summary = format!("{} {} {}", e.action, e.entity.replace('_', " "), e.entity_id);
                            let change = format!(
                                "before: {}\nafter: {}",
                                e.before.map(|b| b.to_string()).unwrap_or_else(|| "—".into()),
                                e.after.map(|a| a.to_string()).unwrap_or_else(|| "—".into())
                            );
                            view! {
                                <tr class="audit-entry">
                                    <td><time datetime=e.at.clone() title=super::short_time(&e.at)>{local_time(&e.at, true)}</time></td>
                                    <td>{e.actor.clone()}</td>
                                    <td>{summary}</td>
                                    <td><details><summary>"Before / after"</summary><pre>{change}</pre></details></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

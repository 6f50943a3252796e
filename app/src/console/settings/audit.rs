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
                    {[
                        ("template", "Templates"),
                        ("group", "Agent groups"),
                        ("notification_types", "Notification types"),
                        ("agent", "Agents"),
                        ("provider", "Provider accounts"),
                        ("opt_out", "Opt-outs"),
                        ("api_key", "API keys"),
                        ("session", "Sign-ins"),
                    ].map(|(e, label)| view! { <option value=e>{label}</option> }).collect_view()}
                </select>
            </div>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Audit log, scrollable">
                <table class="list" aria-label="Audit log">
                    <thead><tr><th>"When"</th><th>"Who"</th><th>"What"</th><th>"What changed"</th></tr></thead>
                    <tbody>
                        {move || entries.get().into_iter().map(|e| {
                            let changes = e.changes();
                            let details = (!changes.is_empty()).then(|| view! {
                                <details>
                                    <summary>{format!("{} field{}", changes.len(), if changes.len() == 1 { "" } else { "s" })}</summary>
                                    <ul class="audit-changes">
                                        {changes.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                                    </ul>
                                </details>
                            });
                            view! {
                                <tr class="audit-entry">
                                    <td><time datetime=e.at.clone() title=super::short_time(&e.at)>{local_time(&e.at, true)}</time></td>
                                    <td>{e.actor.clone()}</td>
                                    <td>{e.summary()}</td>
                                    <td>{details}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

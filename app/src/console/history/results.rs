//! The results: a row per message, each opening its whole status history.

use super::*;

/// The page's messages, newest first; a row's UUID opens its details.
#[component]
pub(super) fn Results(
    found: HistoryPage,
    reader: Signal<Option<Reader>>,
    agents: Signal<Vec<Choice>>,
    open: RwSignal<Option<String>>,
    filtered: bool,
) -> impl IntoView {
    let count = found.notifications.len();
    if count == 0 {
        let words = if filtered {
            "No messages match these filters."
        } else {
            "No messages yet."
        };
        return view! { <p class="banner" role="status" data-testid="no-messages">{words}</p> }
            .into_any();
    }
    let by_agent = move || reader.get() != Some(Reader::Agent);
    view! {
        <p class="visually-hidden" role="status">{format!("{count} messages shown")}</p>
        <div class="table-wrap">
            <table class="list history-table">
                <caption class="visually-hidden">"Messages, newest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Sent"</th>
                        <th scope="col">"Channel"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"To"</th>
                        <th scope="col">"Template"</th>
                        <Show when=by_agent><th scope="col">"Agent"</th></Show>
                        <th scope="col">"Call"</th>
                        <th scope="col">"Message"</th>
                    </tr>
                </thead>
                <tbody>
                    {found.notifications.into_iter().map(|m| view! { <Row m by_agent agents open /> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// One message, and its details when open.
#[component]
fn Row(
    m: NotificationView,
    by_agent: impl Fn() -> bool + Copy + Send + Sync + 'static,
    agents: Signal<Vec<Choice>>,
    open: RwSignal<Option<String>>,
) -> impl IntoView {
    let agent = m.agent_id.as_str().to_owned();
    let agent_name = move || {
        agents.with(|list| {
            list.iter()
                .find(|c| c.id == agent)
                .map_or_else(|| agent.clone(), |c| c.label.clone())
        })
    };
    let uuid = m.uuid.clone();
    let details_id = format!("details-{uuid}");
    let is_open = Signal::derive({
        let uuid = uuid.clone();
        move || open.get().as_deref() == Some(uuid.as_str())
    });
    let toggle = {
        let uuid = uuid.clone();
        move |_| {
            open.update(|o| {
                *o = if o.as_deref() == Some(uuid.as_str()) {
                    None
                } else {
                    Some(uuid.clone())
                }
            })
        }
    };
    let short = uuid.get(..8).unwrap_or(&uuid).to_owned();
    let template = if m.template_name.is_empty() {
        m.template_id.as_str().to_owned()
    } else {
        m.template_name.clone()
    };
    let details = m.clone();
    view! {
        <tr data-uuid=uuid.clone()>
            <td class="when" title=m.created_at.clone()>{local_time(&m.created_at, true)}</td>
            <td>{m.channel.label()}</td>
            <td><span class=format!("badge badge-{}", m.status.as_str())>{m.status.label()}</span></td>
            <td class="number">{m.to.clone()}</td>
            <td>{template}</td>
            <Show when=by_agent><td title=m.agent_id.as_str().to_owned()>{agent_name.clone()}</td></Show>
            <td>{m.call_id.as_ref().map(|c| c.as_str().to_owned()).unwrap_or_default()}</td>
            <td>
                <button
                    type="button"
                    class="link uuid"
                    aria-expanded=move || is_open.get().to_string()
                    aria-controls=details_id.clone()
                    aria-label=format!("Details of message {uuid}")
                    on:click=toggle
                >
                    {format!("{short}…")}
                </button>
            </td>
        </tr>
        <Show when=move || is_open.get()>
            <tr class="details-row">
                <td colspan="8" id=format!("details-{}", details.uuid)>
                    <Details m=details.clone() />
                </td>
            </tr>
        </Show>
    }
}

/// A message's whole story: its UUID, every status it reached and when, why it failed,
/// what the customer wrote back.
#[component]
fn Details(m: NotificationView) -> impl IntoView {
    view! {
        <div class="message-details">
            <p>
                <span class="field-label">"UUID "</span>
                <code>{m.uuid.clone()}</code>" "
                <CopyButton text=m.uuid.clone() what="the UUID" />
            </p>
            <ol class="status-history" aria-label="Status history">
                {m.history.iter().map(|h| view! {
                    <li>
                        <span class=format!("badge badge-{}", h.status.as_str())>{h.status.label()}</span>" "
                        <time datetime=h.at.clone() title=h.at.clone()>{local_time(&h.at, true)}</time>
                        {h.detail.clone().map(|d| format!(" — {d}"))}
                    </li>
                }).collect_view()}
            </ol>
            {m.error.clone().map(|e| view! { <p class="error">{format!("Why it failed: {} ({})", e.message, e.code)}</p> })}
            {m.provider.clone().map(|p| view! { <p class="hint">{format!("Provider: {p}")}</p> })}
            {m.resend_of.clone().map(|r| view! { <p class="hint">{format!("Resends {r}")}</p> })}
            {m.replies.iter().map(|r| view! {
                <p class="reply"><span class="reply-label">"Customer replied: "</span>{r.text.clone()}</p>
            }).collect_view()}
        </div>
    }
}

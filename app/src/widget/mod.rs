//! The agent widget: to whom (country + number, checked as you type), which channel and
//! template, the fields pop-up for dynamic templates, one-click send that can never send
//! twice, live status in the corner, the call's comments, and the host-page messages.

mod dialog;
mod host;
mod recipient;
mod status;

use crate::api::{
    call_comments, call_notifications, notification, open_widget, send_notification, ApiError,
};
use crate::domain::{
    AgentTemplate, Channel, CountryCode, CustomerDetails, FieldValue, NotificationView,
    PhoneNumber, Recipient, SendRequest, TemplateKind, WidgetBootstrap,
};
use dialog::{as_template, FieldsDialog};
use host::{
    follow_status, listen_for_prefill, new_attempt_key, post_to_host, query_param, Prefill,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use recipient::{CountryPicker, NumberBox};
use status::{SentMessage, StatusCorner, REFRESH_COOLDOWN_SECS};
use std::collections::{BTreeMap, HashMap};

/// Network failures of one send attempt retried with the same key.
const NETWORK_RETRIES: u32 = 2;

/// The widget's state, shared by its parts.
#[derive(Clone, Copy)]
struct WidgetState {
    token: RwSignal<String>,
    call_id: RwSignal<Option<String>>,
    allowed_origins: RwSignal<Vec<String>>,
    sent: RwSignal<Vec<SentMessage>>,
    comments_version: RwSignal<u32>,
    streams: StoredValue<HashMap<String, web_sys::EventSource>, LocalStorage>,
}

impl WidgetState {
    /// Records a message's new state; tells the host when the status changed.
    fn update(&self, view: NotificationView) {
        let mut changed = false;
        self.sent.update(|list| {
            if let Some(m) = list.iter_mut().find(|m| m.view.uuid == view.uuid) {
                // Out-of-order pushes never move the badge backwards.
                let newer =
                    m.view.history.len() < view.history.len() || m.view.status == view.status;
                if newer && m.view != view {
                    changed = m.view.status != view.status;
                    m.view = view.clone();
                }
            }
        });
        if changed {
            post_to_host(
                &serde_json::json!({"type": "agent-notify:status", "uuid": view.uuid, "status": view.status}),
                &self.allowed_origins.get_untracked(),
            );
        }
        if view.status.is_final() {
            self.streams.update_value(|s| {
                if let Some(source) = s.remove(&view.uuid) {
                    source.close();
                }
            });
        }
    }

    /// Starts following a message's status live.
    fn follow(&self, uuid: &str) {
        if self.streams.with_value(|s| s.contains_key(uuid)) {
            return;
        }
        let state = *self;
        if let Some(source) = follow_status(uuid, &self.token.get_untracked(), move |view| {
            state.update(view)
        }) {
            self.streams.update_value(|s| {
                s.insert(uuid.to_owned(), source);
            });
        }
    }
}

/// The widget page.
#[component]
pub fn Widget() -> impl IntoView {
    let state = WidgetState {
        token: RwSignal::new(query_param("token").unwrap_or_default()),
        call_id: RwSignal::new(query_param("call_id")),
        allowed_origins: RwSignal::new(Vec::new()),
        sent: RwSignal::new(Vec::new()),
        comments_version: RwSignal::new(0),
        streams: StoredValue::new_local(HashMap::new()),
    };
    let url_country = query_param("country").and_then(|c| CountryCode::parse(&c).ok());
    let country = RwSignal::new(url_country.unwrap_or_default());
    let number = RwSignal::new(query_param("number").unwrap_or_default());
    let host_customer = RwSignal::new(None::<CustomerDetails>);
    let channel = RwSignal::new(None::<Channel>);
    let selected = RwSignal::new(None::<String>);
    let dialog_open = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let send_error = RwSignal::new(None::<ApiError>);
    let cooldown = RwSignal::new(0u32);

    let bootstrap = LocalResource::new(move || {
        let token = state.token.get();
        let call_id = state.call_id.get();
        let number = number.get_untracked();
        async move {
            if token.is_empty() {
                return Err(ApiError::new(
                    "missing_token",
                    "This widget needs an agent token: open it with ?token=… or send one from the host page.",
                ));
            }
            open_widget(token, call_id, (!number.is_empty()).then_some(number)).await
        }
    });
    let loaded = Memo::new(move |_| bootstrap.get().and_then(Result::ok));
    // When the configuration arrives: the default country (unless the URL set one),
    // the embedding origins, the first channel, and a number from the CRM if none yet.
    Effect::new(move |_| {
        let Some(b) = loaded.get() else { return };
        if url_country.is_none() && number.get_untracked().is_empty() {
            if let Ok(c) = CountryCode::parse(&b.default_country) {
                country.set(c);
            }
        }
        state.allowed_origins.set(b.allowed_origins.clone());
        if channel
            .get_untracked()
            .is_none_or(|c| !b.channels.contains(&c))
        {
            channel.set(b.channels.first().copied());
        }
        if number.get_untracked().is_empty() {
            if let Some(n) = b.customer.as_ref().and_then(|c| c.numbers.first()) {
                number.set(n.clone());
            }
        }
    });
    // Messages already sent in this call (after a reload), followed live again.
    Effect::new(move |_| {
        let (Some(call_id), token) = (state.call_id.get(), state.token.get()) else {
            return;
        };
        if token.is_empty() {
            return;
        }
        spawn_local(async move {
            let Ok(list) = call_notifications(token, call_id).await else {
                return;
            };
            let names = loaded
                .get_untracked()
                .map(|b| b.templates)
                .unwrap_or_default();
            let restored: Vec<SentMessage> = list
                .into_iter()
                .map(|view| SentMessage {
                    template_name: template_name(&names, &view),
                    view,
                })
                .collect();
            for m in restored.iter().filter(|m| !m.view.status.is_final()) {
                state.follow(&m.view.uuid);
            }
            state.sent.set(restored);
        });
    });
    listen_for_prefill(state.allowed_origins.into(), move |p: Prefill| {
        if let Some(t) = p.token.filter(|t| !t.is_empty()) {
            state.token.set(t);
        }
        if let Some(c) = p.country.and_then(|c| CountryCode::parse(&c).ok()) {
            country.set(c);
        }
        if let Some(n) = p.number {
            number.set(n);
        }
        if let Some(c) = p.call_id.filter(|c| !c.is_empty()) {
            state.call_id.set(Some(c));
        }
        if p.customer.is_some() {
            host_customer.set(p.customer);
        }
    });

    let check = Memo::new(move |_| {
        let text = number.get();
        (!text.trim().is_empty()).then(|| PhoneNumber::parse(&text, country.get()))
    });
    // A number typed with + and a country code moves the picker to that country, as
    // soon as the code is recognised (also while the rest is still incomplete).
    Effect::new(move |_| {
        let named = match check.get() {
            Some(Ok(n)) => Some(n.country()),
            Some(Err(e)) if number.get_untracked().trim_start().starts_with('+') => Some(e.country),
            _ => None,
        };
        if let Some(c) = named.filter(|c| *c != country.get_untracked()) {
            country.set(c);
        }
    });

    let channel_templates = Memo::new(move |_| {
        let (Some(b), Some(c)) = (loaded.get(), channel.get()) else {
            return Vec::new();
        };
        b.templates
            .into_iter()
            .filter(|t| t.channel == c)
            .collect::<Vec<_>>()
    });
    Effect::new(move |_| {
        channel.track();
        selected.set(None);
        send_error.set(None);
    });
    let template = Memo::new(move |_| {
        let id = selected.get()?;
        channel_templates.with(|ts| ts.iter().find(|t| t.id.as_str() == id).cloned())
    });
    let customer = Memo::new(move |_| {
        host_customer
            .get()
            .or_else(|| loaded.get().and_then(|b| b.customer))
    });
    let defaults = Memo::new(move |_| {
        let (Some(c), Some(t)) = (customer.get(), template.get()) else {
            return BTreeMap::new();
        };
        t.fields
            .iter()
            .filter_map(|f| c.value_for(&f.name).map(|v| (f.name.clone(), v)))
            .collect()
    });
    let number_ok = move || matches!(check.get(), Some(Ok(_)));

    let send = move |to: Recipient,
                     template: AgentTemplate,
                     fields: BTreeMap<String, String>,
                     resend_of: Option<String>| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        send_error.set(None);
        // One key per attempt: a double click or a network retry reuses it, so the
        // server answers with the first message instead of sending a second one.
        let key = new_attempt_key();
        let request = SendRequest {
            to,
            channel: template.channel,
            template_id: template.id.clone(),
            fields: fields
                .into_iter()
                .map(|(k, v)| (k, FieldValue(v)))
                .collect(),
            call_id: state
                .call_id
                .get_untracked()
                .and_then(|c| crate::domain::CallId::parse(&c).ok()),
            resend_of,
        };
        let token = state.token.get_untracked();
        spawn_local(async move {
            let mut result = send_notification(token.clone(), key.clone(), request.clone()).await;
            for _ in 0..NETWORK_RETRIES {
                if !matches!(&result, Err(e) if e.code == "network_error") {
                    break;
                }
                gloo_timers::future::TimeoutFuture::new(1_000).await;
                result = send_notification(token.clone(), key.clone(), request.clone()).await;
            }
            busy.set(false);
            match result {
                Ok(accepted) => {
                    dialog_open.set(false);
                    let view = NotificationView {
                        uuid: accepted.uuid.clone(),
                        channel: accepted.channel,
                        status: accepted.status,
                        to: accepted.to.clone(),
                        template_id: request.template_id.clone(),
                        call_id: request.call_id.clone(),
                        agent_id: String::new(),
                        resend_of: request.resend_of.clone(),
                        created_at: accepted.created_at.clone(),
                        updated_at: accepted.created_at.clone(),
                        history: Vec::new(),
                        error: None,
                    };
                    state.sent.update(|list| {
                        if !list.iter().any(|m| m.view.uuid == view.uuid) {
                            list.insert(
                                0,
                                SentMessage {
                                    view,
                                    template_name: template.name.clone(),
                                },
                            );
                        }
                    });
                    post_to_host(
                        &serde_json::json!({"type": "agent-notify:sent", "uuid": accepted.uuid,
                            "channel": accepted.channel, "template_id": request.template_id,
                            "call_id": request.call_id}),
                        &state.allowed_origins.get_untracked(),
                    );
                    state.follow(&accepted.uuid);
                    state.comments_version.update(|v| *v += 1);
                }
                Err(e) => send_error.set(Some(e)),
            }
        });
    };

    let send_clicked = move |_| {
        let (Some(Ok(to)), Some(t)) = (check.get_untracked(), template.get_untracked()) else {
            return;
        };
        if t.kind == TemplateKind::Dynamic {
            dialog_open.set(true);
        } else {
            send(
                Recipient::E164(to.e164().to_owned()),
                t,
                BTreeMap::new(),
                None,
            );
        }
    };
    let dialog_send = Callback::new(move |fields: BTreeMap<String, String>| {
        let (Some(Ok(to)), Some(t)) = (check.get_untracked(), template.get_untracked()) else {
            return;
        };
        send(Recipient::E164(to.e164().to_owned()), t, fields, None);
    });
    let resend = Callback::new(move |failed: NotificationView| {
        let templates = loaded
            .get_untracked()
            .map(|b| b.templates)
            .unwrap_or_default();
        let Some(t) = templates.into_iter().find(|t| t.id == failed.template_id) else {
            send_error.set(Some(ApiError::new(
                "template_not_allowed",
                "This template is no longer available to your group, so the message cannot be resent.",
            )));
            return;
        };
        // No fields: the server reuses the failed message's values.
        send(
            Recipient::E164(failed.to.clone()),
            t,
            BTreeMap::new(),
            Some(failed.uuid.clone()),
        );
    });
    let refresh = Callback::new(move |()| {
        if cooldown.get_untracked() > 0 {
            return;
        }
        let token = state.token.get_untracked();
        let uuids: Vec<String> = state
            .sent
            .with_untracked(|s| s.iter().map(|m| m.view.uuid.clone()).collect());
        spawn_local(async move {
            for uuid in uuids {
                if let Ok(view) = notification(token.clone(), uuid).await {
                    state.update(view);
                }
            }
        });
        state.comments_version.update(|v| *v += 1);
        spawn_local(async move {
            for left in (1..=REFRESH_COOLDOWN_SECS).rev() {
                cooldown.set(left);
                gloo_timers::future::TimeoutFuture::new(1_000).await;
            }
            cooldown.set(0);
        });
    });

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
        <main class="widget">
            <StatusCorner sent=state.sent cooldown=cooldown on_refresh=refresh on_resend=resend />
            <h1>"Send a notification"</h1>
            {move || match bootstrap.get() {
                Some(Err(e)) => view! { <p class="banner error" role="alert">{e.message}</p> }.into_any(),
                Some(Ok(b)) if b.customer_unavailable => {
                    view! { <p class="banner" role="status">"Customer details unavailable — you can still send."</p> }
                        .into_any()
                }
                _ => ().into_any(),
            }}
            <CountryPicker country=country />
            <NumberBox number=number check=check />
            <div class="channels" role="tablist" aria-label="Channel">
                <For
                    each=move || loaded.get().map(|b: WidgetBootstrap| b.channels).unwrap_or_default()
                    key=|c| *c
                    children=move |c| {
                        view! {
                            <button
                                role="tab"
                                aria-selected=move || (channel.get() == Some(c)).to_string()
                                on:click=move |_| channel.set(Some(c))
                            >
                                {c.label()}
                            </button>
                        }
                    }
                />
            </div>
            <div class="templates" role="radiogroup" aria-label="Template">
                <Show when=move || loaded.get().is_some() && channel_templates.with(Vec::is_empty)>
                    <p class="hint">"No templates for this channel in your group."</p>
                </Show>
                <For
                    each=move || channel_templates.get()
                    key=|t| t.id.clone()
                    children=move |t| {
                        let id = t.id.to_string();
                        let pick = id.clone();
                        let preview = as_template(&t).preview(&BTreeMap::new());
                        view! {
                            <button
                                class="template"
                                role="radio"
                                data-template=id.clone()
                                aria-checked=move || (selected.get().as_deref() == Some(id.as_str())).to_string()
                                on:click=move |_| selected.set(Some(pick.clone()))
                            >
                                <strong>{t.name.clone()}</strong>
                                <span class="preview">{preview}</span>
                            </button>
                        }
                    }
                />
            </div>
            <button
                class="button primary send"
                disabled=move || !number_ok() || template.get().is_none() || busy.get()
                on:click=send_clicked
            >
                {move || match (busy.get(), template.get().map(|t| t.kind)) {
                    (true, _) => "Sending…",
                    (false, Some(TemplateKind::Dynamic)) => "Fill in and send…",
                    _ => "Send",
                }}
            </button>
            {move || send_error.get().map(|e| view! { <SendError error=e /> })}
            <section class="comments" aria-label="Call comments">
                <Show when=move || state.call_id.get().is_some()>
                    <h2 class="field-label">"Call comments"</h2>
                    <ul class="comment-list">
                        {move || {
                            comments
                                .get()
                                .unwrap_or_default()
                                .into_iter()
                                .map(|c| view! { <li class="comment">{c.text}</li> })
                                .collect_view()
                        }}
                    </ul>
                </Show>
            </section>
            <FieldsDialog
                template=template.into()
                defaults=defaults.into()
                open=dialog_open
                busy=busy.into()
                on_send=dialog_send
            />
        </main>
    }
}

/// A refused send: the message, and each field's problem.
#[component]
fn SendError(error: ApiError) -> impl IntoView {
    view! {
        <div class="banner error" role="alert">
            <p>{error.message}</p>
            <ul>
                {error.fields.into_iter().map(|(f, p)| view! { <li>{format!("{f}: {p}")}</li> }).collect_view()}
            </ul>
        </div>
    }
}

/// The name of the template a message used, if the group still has it.
fn template_name(templates: &[AgentTemplate], view: &NotificationView) -> String {
    templates
        .iter()
        .find(|t| t.id == view.template_id)
        .map(|t| t.name.clone())
        .unwrap_or_else(|| view.template_id.to_string())
}

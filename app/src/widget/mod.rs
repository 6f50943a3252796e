//! The agent widget: to whom (country + number, checked as you type), which channel and
//! template, the fields pop-up for dynamic templates, one-click send that can never send
//! twice, live status in the corner, the call's comments, and the host-page messages.

mod dialog;
mod host;
mod recipient;
mod send;
mod status;

use crate::api::{call_comments, call_notifications, notification, open_widget, ApiError};
use crate::domain::{
    AgentTemplate, Channel, CountryCode, CustomerDetails, NotificationView, PhoneNumber,
    PhoneParseError, Recipient, TemplateKind, WidgetBootstrap,
};
use dialog::{as_template, FieldsDialog};
use host::{follow_status, listen_for_prefill, post_to_host, query_param, Prefill};
use leptos::prelude::*;
use leptos::task::spawn_local;
use recipient::{CountryPicker, NumberBox};
use send::{Outgoing, Sender, Sent};
use status::{SentMessage, StatusCorner, REFRESH_COOLDOWN_SECS};
use std::collections::{BTreeMap, HashMap};

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
            if let Some(m) = list.iter_mut().find(|m| m.uuid == view.uuid) {
                changed = m.advance(&view);
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

    /// A message the server accepted: shown first in the corner, announced to the
    /// host, followed live, and the call's comments reloaded.
    fn accepted(&self, sent: Sent) {
        let message = SentMessage::pending(&sent.accepted, &sent.template);
        let uuid = message.uuid.clone();
        self.sent.update(|list| {
            if !list.iter().any(|m| m.uuid == uuid) {
                list.insert(0, message);
            }
        });
        post_to_host(
            &serde_json::json!({"type": "agent-notify:sent", "uuid": uuid,
                "channel": sent.accepted.channel, "template_id": sent.template.id,
                "call_id": sent.call_id}),
            &self.allowed_origins.get_untracked(),
        );
        self.follow(&uuid);
        self.comments_version.update(|v| *v += 1);
    }
}

/// What the agent is choosing: country, number, channel, template.
#[derive(Clone, Copy)]
struct Choice {
    country: RwSignal<CountryCode>,
    number: RwSignal<String>,
    channel: RwSignal<Option<Channel>>,
    selected: RwSignal<Option<String>>,
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
    let choice = Choice {
        country: RwSignal::new(url_country.unwrap_or_default()),
        number: RwSignal::new(query_param("number").unwrap_or_default()),
        channel: RwSignal::new(None),
        selected: RwSignal::new(None),
    };
    let host_customer = RwSignal::new(None::<CustomerDetails>);
    let dialog_open = RwSignal::new(false);
    let sender = Sender::new(
        state.token,
        state.call_id,
        Callback::new(move |sent: Sent| {
            dialog_open.set(false);
            state.accepted(sent);
        }),
    );

    let bootstrap = bootstrap(state, choice.number);
    let loaded = Memo::new(move |_| bootstrap.get().and_then(Result::ok));
    apply_bootstrap(state, choice, loaded, url_country.is_none());
    restore_call_messages(state, loaded);
    listen_for_prefill(state.allowed_origins.into(), move |p: Prefill| {
        prefill(state, choice, host_customer, p)
    });
    let check = Memo::new(move |_| {
        let text = choice.number.get();
        (!text.trim().is_empty()).then(|| PhoneNumber::parse(&text, choice.country.get()))
    });
    follow_typed_country(choice, check);

    let (channel_templates, template) = chosen_template(loaded, choice);
    Effect::new(move |_| {
        choice.channel.track();
        choice.selected.set(None);
        sender.error.set(None);
    });
    let defaults = field_defaults(loaded, host_customer, template);
    let (send_clicked, dialog_send) = send_actions(check, template, sender, dialog_open);
    let resend = Callback::new(move |failed: SentMessage| resend(loaded, sender, failed));
    let cooldown = RwSignal::new(0u32);
    let refresh = Callback::new(move |()| refresh(state, cooldown));

    view! {
        <main class="widget">
            <StatusCorner sent=state.sent cooldown=cooldown on_refresh=refresh on_resend=resend />
            <h1>"Send a notification"</h1>
            <Banner bootstrap=bootstrap />
            <CountryPicker country=choice.country />
            <NumberBox number=choice.number check=check />
            <ChannelTabs loaded=loaded channel=choice.channel />
            <TemplateChoice loaded=loaded templates=channel_templates selected=choice.selected />
            <SendButton
                ready=Signal::derive(move || matches!(check.get(), Some(Ok(_))))
                template=template.into()
                busy=sender.busy
                on_send=send_clicked
            />
            {move || sender.error.get().map(|e| view! { <SendError error=e /> })}
            <CallComments state=state />
            <FieldsDialog
                template=template.into()
                defaults=defaults.into()
                open=dialog_open
                busy=sender.busy.into()
                on_send=dialog_send
            />
        </main>
    }
}

/// The templates of the chosen channel, and the one the agent picked.
fn chosen_template(
    loaded: Memo<Option<WidgetBootstrap>>,
    choice: Choice,
) -> (Memo<Vec<AgentTemplate>>, Memo<Option<AgentTemplate>>) {
    let channel_templates = Memo::new(move |_| {
        let (Some(b), Some(c)) = (loaded.get(), choice.channel.get()) else {
            return Vec::new();
        };
        b.templates
            .into_iter()
            .filter(|t| t.channel == c)
            .collect::<Vec<_>>()
    });
    let template = Memo::new(move |_| {
        let id = choice.selected.get()?;
        channel_templates.with(|ts| ts.iter().find(|t| t.id.as_str() == id).cloned())
    });
    (channel_templates, template)
}

/// The values the customer's data gives the chosen template's fields (the host page's
/// customer first, else the CRM's).
fn field_defaults(
    loaded: Memo<Option<WidgetBootstrap>>,
    host_customer: RwSignal<Option<CustomerDetails>>,
    template: Memo<Option<AgentTemplate>>,
) -> Memo<BTreeMap<String, String>> {
    Memo::new(move |_| {
        let customer = host_customer
            .get()
            .or_else(|| loaded.get().and_then(|b| b.customer));
        let (Some(c), Some(t)) = (customer, template.get()) else {
            return BTreeMap::new();
        };
        t.fields
            .iter()
            .filter_map(|f| c.value_for(&f.name).map(|v| (f.name.clone(), v)))
            .collect()
    })
}

/// What Send does: a static template goes at once, a dynamic one opens the fields
/// pop-up, whose Send goes with the values.
fn send_actions(
    check: Memo<Option<Result<PhoneNumber, PhoneParseError>>>,
    template: Memo<Option<AgentTemplate>>,
    sender: Sender,
    dialog_open: RwSignal<bool>,
) -> (Callback<()>, Callback<BTreeMap<String, String>>) {
    let to = move || match check.get_untracked() {
        Some(Ok(n)) => Some(Recipient::E164(n.e164().to_owned())),
        _ => None,
    };
    let send_fields = move |fields: BTreeMap<String, String>| {
        if let (Some(to), Some(template)) = (to(), template.get_untracked()) {
            sender.send(Outgoing {
                to,
                template,
                fields,
                resend_of: None,
            });
        }
    };
    let send_clicked = Callback::new(move |()| match (to(), template.get_untracked()) {
        (Some(_), Some(t)) if t.kind == TemplateKind::Dynamic => dialog_open.set(true),
        _ => send_fields(BTreeMap::new()),
    });
    (send_clicked, Callback::new(send_fields))
}

/// The widget's configuration for the agent's token (and the call and number, for the
/// CRM lookup); reloaded when the host sends a new token or call.
fn bootstrap(
    state: WidgetState,
    number: RwSignal<String>,
) -> LocalResource<Result<WidgetBootstrap, ApiError>> {
    LocalResource::new(move || {
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
    })
}

/// When the configuration arrives: the default country (unless the URL or a number set
/// one), the embedding origins, the first channel, and a number from the CRM if none yet.
fn apply_bootstrap(
    state: WidgetState,
    choice: Choice,
    loaded: Memo<Option<WidgetBootstrap>>,
    country_open: bool,
) {
    Effect::new(move |_| {
        let Some(b) = loaded.get() else { return };
        if country_open && choice.number.get_untracked().is_empty() {
            if let Ok(c) = CountryCode::parse(&b.default_country) {
                choice.country.set(c);
            }
        }
        state.allowed_origins.set(b.allowed_origins.clone());
        if choice
            .channel
            .get_untracked()
            .is_none_or(|c| !b.channels.contains(&c))
        {
            choice.channel.set(b.channels.first().copied());
        }
        if choice.number.get_untracked().is_empty() {
            if let Some(n) = b.customer.as_ref().and_then(|c| c.numbers.first()) {
                choice.number.set(n.clone());
            }
        }
    });
}

/// Messages already sent in this call (after a reload), followed live again.
fn restore_call_messages(state: WidgetState, loaded: Memo<Option<WidgetBootstrap>>) {
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
                .map(|view| {
                    let name = template_name(&names, &view);
                    SentMessage::from_view(view, name)
                })
                .collect();
            for m in restored.iter().filter(|m| !m.status.is_final()) {
                state.follow(&m.uuid);
            }
            state.sent.set(restored);
        });
    });
}

/// What the host page sent: a token, a number and its country, the call, the customer.
fn prefill(
    state: WidgetState,
    choice: Choice,
    host_customer: RwSignal<Option<CustomerDetails>>,
    p: Prefill,
) {
    if let Some(t) = p.token.filter(|t| !t.is_empty()) {
        state.token.set(t);
    }
    if let Some(c) = p.country.and_then(|c| CountryCode::parse(&c).ok()) {
        choice.country.set(c);
    }
    if let Some(n) = p.number {
        choice.number.set(n);
    }
    if let Some(c) = p.call_id.filter(|c| !c.is_empty()) {
        state.call_id.set(Some(c));
    }
    if p.customer.is_some() {
        host_customer.set(p.customer);
    }
}

/// A number typed with + and a country code moves the picker to that country, as soon
/// as the code is recognised (also while the rest is still incomplete).
fn follow_typed_country(choice: Choice, check: Memo<Option<Result<PhoneNumber, PhoneParseError>>>) {
    Effect::new(move |_| {
        let typed_plus = || choice.number.get_untracked().trim_start().starts_with('+');
        let named = match check.get() {
            Some(Ok(n)) => Some(n.country()),
            Some(Err(e)) if typed_plus() => Some(e.country),
            _ => None,
        };
        if let Some(c) = named.filter(|c| *c != choice.country.get_untracked()) {
            choice.country.set(c);
        }
    });
}

/// Resends a failed message with the same template (no fields: the server reuses the
/// failed message's values), if the group still has the template.
fn resend(loaded: Memo<Option<WidgetBootstrap>>, sender: Sender, failed: SentMessage) {
    let templates = loaded
        .get_untracked()
        .map(|b| b.templates)
        .unwrap_or_default();
    let Some(template) = templates.into_iter().find(|t| t.id == failed.template_id) else {
        sender.error.set(Some(ApiError::new(
            "template_not_allowed",
            "This template is no longer available to your group, so the message cannot be resent.",
        )));
        return;
    };
    sender.send(Outgoing {
        to: Recipient::E164(failed.to),
        template,
        fields: BTreeMap::new(),
        resend_of: Some(failed.uuid),
    });
}

/// Reads every message of the corner again and the comments, then waits out the
/// cool-down before the next manual refresh.
fn refresh(state: WidgetState, cooldown: RwSignal<u32>) {
    if cooldown.get_untracked() > 0 {
        return;
    }
    let token = state.token.get_untracked();
    let uuids: Vec<String> = state
        .sent
        .with_untracked(|s| s.iter().map(|m| m.uuid.clone()).collect());
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
}

/// The channel tabs: the channels the agent's group has enabled.
#[component]
fn ChannelTabs(
    loaded: Memo<Option<WidgetBootstrap>>,
    channel: RwSignal<Option<Channel>>,
) -> impl IntoView {
    view! {
        <div class="channels" role="tablist" aria-label="Channel">
            <For
                each=move || loaded.get().map(|b| b.channels).unwrap_or_default()
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
    }
}

/// The templates of the chosen channel, each with its text as a preview.
#[component]
fn TemplateChoice(
    loaded: Memo<Option<WidgetBootstrap>>,
    templates: Memo<Vec<AgentTemplate>>,
    selected: RwSignal<Option<String>>,
) -> impl IntoView {
    view! {
        <div class="templates" role="radiogroup" aria-label="Template">
            <Show when=move || loaded.get().is_some() && templates.with(Vec::is_empty)>
                <p class="hint">"No templates for this channel in your group."</p>
            </Show>
            <For
                each=move || templates.get()
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
    }
}

/// The send button: enabled with a valid number and a template, never twice at once.
#[component]
fn SendButton(
    ready: Signal<bool>,
    template: Signal<Option<AgentTemplate>>,
    busy: RwSignal<bool>,
    on_send: Callback<()>,
) -> impl IntoView {
    view! {
        <button
            class="button primary send"
            disabled=move || !ready.get() || template.with(Option::is_none) || busy.get()
            on:click=move |_| on_send.run(())
        >
            {move || match (busy.get(), template.with(|t| t.as_ref().map(|t| t.kind))) {
                (true, _) => "Sending…",
                (false, Some(TemplateKind::Dynamic)) => "Fill in and send…",
                _ => "Send",
            }}
        </button>
    }
}

/// The call's comment log (every send adds a line), when the widget knows the call.
#[component]
fn CallComments(state: WidgetState) -> impl IntoView {
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
    }
}

/// Why the widget cannot work (no token, a server error), or that the CRM did not
/// answer (sending still works).
#[component]
fn Banner(bootstrap: LocalResource<Result<WidgetBootstrap, ApiError>>) -> impl IntoView {
    move || match bootstrap.get() {
        Some(Err(e)) => view! { <p class="banner error" role="alert">{e.message}</p> }.into_any(),
        Some(Ok(b)) if b.customer_unavailable => view! {
            <p class="banner" role="status">"Customer details unavailable — you can still send."</p>
        }
        .into_any(),
        _ => ().into_any(),
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

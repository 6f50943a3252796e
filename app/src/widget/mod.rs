//! The agent widget: to whom (country + number, checked as you type), which channel and
//! template, the fields pop-up for dynamic templates, one-click send that can never send
//! twice, live status in the corner, the call's comments, and the host-page messages.

mod alerts;
mod call;
mod dialog;
mod form;
mod host;
mod loading;
mod numbering;
mod recipient;
mod send;
mod state;
mod status;

use crate::domain::{CountryCode, CustomerDetails, PhoneNumber};
use crate::ui::query_param;
use dialog::FieldsDialog;
use form::{Banner, CallComments, ChannelTabs, SendButton, SendError, TemplateChoice, TestMode};
use host::{listen_for_prefill, post_to_host, Prefill, ToHost};
use leptos::prelude::*;
use loading::{
    apply_bootstrap, bootstrap, follow_typed_country, prefill, recipient_state_of,
    recontact_template,
};
use numbering::Numbering;
use recipient::{CountryPicker, NumberBox};
use send::{Sender, Sent};
use state::{
    chosen_template, field_defaults, refresh, resend, restore_call_messages, send_actions, Choice,
    WidgetState,
};
use status::{SentList, SentMessage, StatusCorner};

/// Listens to the host page (the call's changes, prefills), then tells it the widget
/// is ready: it may now post the token (and a prefill).
fn listen_to_host(
    state: WidgetState,
    choice: Choice,
    call: call::Call,
    host_customer: RwSignal<Option<CustomerDetails>>,
) {
    listen_for_prefill(state.allowed_origins.into(), move |p: Prefill| {
        if p.kind == "agent-notify:call" {
            call.follow_host(state.call_id, p);
        } else {
            prefill(state, choice, host_customer, p);
        }
    });
    post_to_host(&ToHost::Ready, &state.allowed_origins.get_untracked());
}

/// The widget page.
#[component]
pub fn Widget() -> impl IntoView {
    let state = WidgetState::from_page();
    let url_country = query_param("country").and_then(|c| CountryCode::parse(&c).ok());
    let choice = Choice {
        country: RwSignal::new(url_country.unwrap_or_default()),
        number: RwSignal::new(query_param("number").unwrap_or_default()),
        channel: RwSignal::new(None),
        selected: RwSignal::new(None),
    };
    let host_customer = RwSignal::new(None::<CustomerDetails>);
    let dialog_open = RwSignal::new(false);
    let call = call::Call::from_url();
    let sender = Sender::new(
        state.token,
        state.call_id,
        call.queue_id,
        Callback::new(move |sent: Sent| {
            dialog_open.set(false);
            state.accepted(sent);
        }),
    );

    let bootstrap = bootstrap(state, choice.number, call.queue_id);
    let loaded = Memo::new(move |_| bootstrap.get().and_then(Result::ok));
    apply_bootstrap(state, choice, loaded, url_country.is_none());
    restore_call_messages(state, loaded);
    listen_to_host(state, choice, call, host_customer);
    let numbering = Numbering::new();
    provide_context(numbering);
    // No verdict while the number's numbering data is on its way (see `waiting`).
    let check = Memo::new(move |_| {
        let text = choice.number.get();
        let country = choice.country.get();
        (!text.trim().is_empty() && numbering.ready(&text, country))
            .then(|| PhoneNumber::parse(&text, country))
    });
    let waiting = Signal::derive(move || {
        let typed = !choice.number.with(|text| text.trim().is_empty());
        (typed && check.with(Option::is_none)).then(|| numbering.waiting_note())
    });
    // The chosen country's numbering data arrives, and its patterns compile, while the
    // agent looks at the page rather than on their first keystroke.
    Effect::new(move |_| {
        let country = choice.country.get();
        if numbering.ready("", country) {
            PhoneNumber::warm_up(country);
        }
    });
    follow_typed_country(choice, check);
    let recipient = recipient_state_of(state, check);

    let recontact = recontact_template(recipient);
    let (channel_templates, template) = chosen_template(loaded, choice, recontact);
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
            <alerts::AgentMenu
                agent=Signal::derive(move || loaded.get().map(|b| b.agent_id))
                token=state.token
                alerts=state.alerts
            />
            <header class="widget-head">
                <h1>"Send a notification"</h1>
                <StatusCorner sent=state.sent />
            </header>
            <call::CallBar call_id=state.call_id call=call loaded=loaded />
            <Banner bootstrap=bootstrap />
            // A widget that could not load (no or a bad token, a server error) shows only
            // the problem: a form that cannot send would mislead.
            <Show when=move || !matches!(bootstrap.get(), Some(Err(_)))>
            <CountryPicker country=choice.country />
            <NumberBox
                number=choice.number
                check=check
                waiting=waiting
                channel=choice.channel.into()
                recipient=recipient
            />
            <ChannelTabs loaded=loaded channel=choice.channel />
            <TestMode loaded=loaded channel=choice.channel />
            <TemplateChoice loaded=loaded templates=channel_templates selected=choice.selected recontact=recontact />
            <SendButton
                ready=Signal::derive(move || matches!(check.get(), Some(Ok(_))) && !call.closed(loaded))
                template=template.into()
                busy=sender.busy
                on_send=send_clicked
            />
            {move || sender.error.get().map(|e| view! { <SendError error=e /> })}
            <SentList sent=state.sent cooldown=cooldown on_refresh=refresh on_resend=resend />
            <CallComments state=state />
            </Show>
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

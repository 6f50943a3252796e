//! What the widget loads and what it sets up from it: the configuration for the agent's
//! token, what the typed number's customer said to us, the host page's prefill, and the
//! country a typed `+` number names.

use super::host::Prefill;
use super::state::{Choice, WidgetState};
use crate::api::{check_recipient, widget_bootstrap, ApiError};
use crate::domain::{
    CountryCode, CustomerDetails, PhoneNumber, PhoneParseError, RecipientState, WidgetBootstrap,
};
use crate::ui::keep_token;
use leptos::prelude::*;

/// The widget's configuration for the agent's token (and the call and number, for the
/// CRM lookup, and the call's queue, whose rules may narrow the templates); reloaded
/// when the host sends a new token, call or queue.
pub(super) fn bootstrap(
    state: WidgetState,
    number: RwSignal<String>,
    queue_id: RwSignal<Option<String>>,
) -> LocalResource<Result<WidgetBootstrap, ApiError>> {
    LocalResource::new(move || {
        let token = state.token.get();
        let call_id = state.call_id.get();
        let queue_id = queue_id.get();
        let number = number.get_untracked();
        async move {
            if token.is_empty() {
                return Err(ApiError::new(
                    "missing_token",
                    "You are not signed in to the widget: it opens from your softphone, which signs you in.",
                ));
            }
            widget_bootstrap(
                token,
                call_id,
                (!number.is_empty()).then_some(number),
                queue_id,
            )
            .await
        }
    })
}

/// What the customer said to us (opted out, the WhatsApp window), read whenever the
/// typed number becomes another valid one, and again when a reply arrives (it opens
/// the window).
pub(super) fn recipient_state_of(
    state: WidgetState,
    check: Memo<Option<Result<PhoneNumber, PhoneParseError>>>,
) -> Signal<Option<RecipientState>> {
    let e164 = Memo::new(move |_| match check.get() {
        Some(Ok(n)) => Some(n.e164().to_owned()),
        _ => None,
    });
    // Only a new reply asks again, not every status change.
    let replies = Memo::new(move |_| {
        state
            .sent
            .with(|list| list.iter().map(|m| m.replies.len()).sum::<usize>())
    });
    let answer = LocalResource::new(move || {
        replies.track();
        let token = state.token.get();
        let number = e164.get();
        let call_id = state.call_id.get();
        async move {
            match number {
                Some(number) if !token.is_empty() => {
                    check_recipient(token, number, call_id).await.ok()
                }
                _ => None,
            }
        }
    });
    Signal::derive(move || answer.get().flatten())
}

/// When the configuration arrives: the default country (unless the URL or a number set
/// one), the embedding origins, the first channel, and a number from the CRM if none yet.
pub(super) fn apply_bootstrap(
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

/// What the host page sent: a token, a number and its country, the call, the customer.
pub(super) fn prefill(
    state: WidgetState,
    choice: Choice,
    host_customer: RwSignal<Option<CustomerDetails>>,
    p: Prefill,
) {
    if let Some(t) = p.token.filter(|t| !t.is_empty()) {
        keep_token(&t);
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
pub(super) fn follow_typed_country(
    choice: Choice,
    check: Memo<Option<Result<PhoneNumber, PhoneParseError>>>,
) {
    // The country the picker had before a `+` number switched it: when the `+` goes,
    // national numbers are read in it again (the call's, or the default).
    let before_plus = StoredValue::new(None::<CountryCode>);
    Effect::new(move |_| {
        let check = check.get();
        let current = choice.country.get_untracked();
        if !choice
            .number
            .with_untracked(|n| n.trim_start().starts_with('+'))
        {
            if let Some(earlier) = before_plus.get_value() {
                before_plus.set_value(None);
                choice.country.set(earlier);
            }
            return;
        }
        let named = match check {
            Some(Ok(n)) => Some(n.country()),
            Some(Err(e)) => Some(e.country),
            None => None,
        };
        if let Some(c) = named.filter(|c| *c != current) {
            if before_plus.get_value().is_none() {
                before_plus.set_value(Some(current));
            }
            choice.country.set(c);
        }
    });
}

/// The template that reopens the WhatsApp window with this customer, once it closed.
pub(super) fn recontact_template(
    recipient: Signal<Option<RecipientState>>,
) -> Signal<Option<crate::domain::TemplateId>> {
    Signal::derive(move || {
        recipient
            .get()
            .and_then(|r| r.window)
            .and_then(|w| w.recontact)
    })
}

//! What an agent may pick from: countries, phone checks and the group's templates.

use super::chain::chain_for;
use super::contacts::{refuse_opted_out, reply_window};
use super::delivery::{account_for, sending};
use super::{Caller, ServiceError, Services};
use crate::domain::{
    AgentTemplate, CallId, CallQueue, Channel, ChannelKey, Conflict, CountryCode, CountryList,
    CustomerDetails, GroupId, PhoneCheck, PhoneCheckRequest, PhoneNumber, QueueId, RecipientState,
    Sending, ValidNumber, WidgetBootstrap, E164,
};

/// The country picker's list with the configured default.
pub fn countries(services: &Services) -> CountryList {
    CountryList::with_default(services.settings.default_country)
}

/// Reads an ISO 3166 country code a caller gave in `field` (422 `invalid_country`).
pub fn parse_country(code: &str, field: &str) -> Result<CountryCode, ServiceError> {
    CountryCode::parse(code.trim()).map_err(|e| {
        ServiceError::invalid(
            "invalid_country",
            "The country is not a known ISO 3166 code.",
            field,
            e.to_string(),
        )
    })
}

/// Validates and normalises a number (`POST /api/v1/phone/validate`).
pub fn check_phone(
    services: &Services,
    request: &PhoneCheckRequest,
) -> Result<PhoneCheck, ServiceError> {
    let country = match request.country.as_deref() {
        None | Some("") => services.settings.default_country,
        Some(code) => parse_country(code, "country")?,
    };
    Ok(PhoneNumber::parse(&request.number, country).into())
}

/// What `number` said to us, for an agent of a group: the WhatsApp window (when the
/// group sends WhatsApp) and the channels it opted out of from the group's senders.
pub async fn recipient_state(
    services: &Services,
    caller: &Caller,
    number: &E164,
    whose: Whose<'_>,
) -> Result<RecipientState, ServiceError> {
    let group = caller.agent_group()?;
    let channels = services.config.enabled_channels(group).await?;
    let mut state = RecipientState::default();
    for channel in channels {
        let account = account_for(services, group, channel).await?;
        if refuse_opted_out(services, number, channel, account.as_ref())
            .await
            .is_err()
        {
            state.opted_out.push(channel);
        }
        if channel == Channel::Whatsapp {
            state.window = Some(reply_window(services, account.as_ref(), number).await?);
        }
    }
    state.conflict = profile_conflict(services, number, whose).await;
    Ok(state)
}

/// Whom a number is checked for: the call's customer, or one the caller names.
#[derive(Debug, Clone, Copy, Default)]
pub struct Whose<'a> {
    /// The call (its customer is the CRM's answer for it).
    pub call_id: Option<&'a CallId>,
    /// The CRM's id of the customer.
    pub customer_id: Option<&'a str>,
}

/// With a CRM: the other customer `number` belongs to, when the CRM links it to
/// someone else than the customer it is for. A warning only: a CRM that fails or
/// knows nothing flags nothing.
async fn profile_conflict(
    services: &Services,
    number: &E164,
    whose: Whose<'_>,
) -> Option<Conflict> {
    let crm = services.crm.as_ref()?;
    if whose.call_id.is_none() && whose.customer_id.is_none() {
        return None;
    }
    let known = |answer: Result<Option<CustomerDetails>, String>| match answer {
        Ok(found) => found,
        Err(reason) => {
            tracing::warn!(%reason, "customer lookup failed; no profile check");
            None
        }
    };
    let owner = known(crm.lookup(None, Some(number.as_str())).await)?;
    let other = match whose.customer_id {
        Some(id) => owner.id.as_deref().is_some_and(|o| o != id),
        None => {
            let expected = known(crm.lookup(whose.call_id, None).await)?;
            !owner.same_as(&expected)
        }
    };
    other.then(|| Conflict {
        customer: owner.label(),
    })
}

/// The country `group`'s agents read national numbers in: the group's setting, else
/// the deployment's.
pub async fn group_country(
    services: &Services,
    group: &GroupId,
) -> Result<CountryCode, ServiceError> {
    let group = services.admin.group(group).await?;
    Ok(group
        .and_then(|g| g.default_country)
        .unwrap_or(services.settings.default_country))
}

/// A phone check with, for a valid number and a caller who sends, what the customer
/// said to us (`POST /api/v1/phone/validate`).
pub async fn check_recipient(
    services: &Services,
    caller: &Caller,
    request: &PhoneCheckRequest,
) -> Result<PhoneCheck, ServiceError> {
    let call_id = request
        .call_id
        .as_deref()
        .map(super::status::parse_call_id)
        .transpose()?;
    // An agent's national numbers are read in their group's country unless they say.
    let mut request = request.clone();
    if let (None, Ok(group)) = (request.country.as_deref(), caller.agent_group()) {
        request.country = Some(group_country(services, group).await?.as_str().to_owned());
    }
    let request = &request;
    let mut check = check_phone(services, request)?;
    if let PhoneCheck::Valid(ValidNumber {
        e164, recipient, ..
    }) = &mut check
    {
        // A valid number's E.164 form reads back (a Tokelau number has 7 digits: not
        // every valid number is long enough for `E164::parse`'s check).
        if let (Ok(_), Ok(number)) = (caller.agent_group(), PhoneNumber::parse_e164(e164)) {
            let whose = Whose {
                call_id: call_id.as_ref(),
                customer_id: request.customer_id.as_deref(),
            };
            *recipient = recipient_state(services, caller, &number.to_e164(), whose).await?;
        }
    }
    Ok(check)
}

/// The templates the caller's group may use, for one channel or for every enabled one
/// (narrowed by the call's queue, when it has rules).
pub async fn agent_templates(
    services: &Services,
    caller: &Caller,
    channel: Option<Channel>,
    queue: Option<&QueueId>,
) -> Result<Vec<AgentTemplate>, ServiceError> {
    let group = caller.agent_group()?;
    let channels = match channel {
        Some(c) => vec![c],
        None => offered_channels(services, group).await?.channels,
    };
    let queue = queue_rules(services, queue).await?;
    templates_for(services, group, &channels, queue.as_ref()).await
}

/// Reads a queue id a caller gave (422 `invalid_queue_id` naming `queue_id`).
pub fn parse_queue_id(text: &str) -> Result<QueueId, ServiceError> {
    QueueId::parse(text).map_err(|e| {
        ServiceError::invalid(
            "invalid_queue_id",
            format!("The queue id {e}."),
            "queue_id",
            e.to_string(),
        )
    })
}

/// The rules of call queue `id`, if it has any (a queue nobody configured narrows
/// nothing).
pub async fn queue_rules(
    services: &Services,
    id: Option<&QueueId>,
) -> Result<Option<CallQueue>, ServiceError> {
    match id {
        Some(id) => Ok(services.admin.queue(id).await?),
        None => Ok(None),
    }
}

/// The group's templates for `channels`, in the admin's order, narrowed by `queue`.
async fn templates_for(
    services: &Services,
    group: &GroupId,
    channels: &[Channel],
    queue: Option<&CallQueue>,
) -> Result<Vec<AgentTemplate>, ServiceError> {
    let mut out = Vec::new();
    for channel in channels {
        let mut templates = services.config.group_templates(group, *channel).await?;
        if let Some(queue) = queue {
            templates = queue.narrow(*channel, templates, |t| &t.id);
        }
        out.extend(templates.iter().map(|t| t.for_agent()));
    }
    Ok(out)
}

/// The channels a group's agents are offered (enabled, and with a way to send).
#[derive(Debug, Default)]
pub struct Offered {
    /// The channels, in display order.
    pub channels: Vec<Channel>,
    /// Those whose messages only go to the sandbox (test mode).
    pub test_mode: Vec<Channel>,
    /// The key of the first account of each channel the group sends through more than
    /// one account (a fallback chain).
    pub account_keys: Vec<ChannelKey>,
}

/// What `group`'s agents are offered: each enabled channel's chain read once.
pub async fn offered_channels(
    services: &Services,
    group: &GroupId,
) -> Result<Offered, ServiceError> {
    let mut offered = Offered::default();
    for channel in services.config.enabled_channels(group).await? {
        let chain = chain_for(services, group, channel).await?;
        match sending(services, chain.first()) {
            Sending::Unavailable => continue,
            Sending::Sandbox => offered.test_mode.push(channel),
            Sending::Account | Sending::Gateway => {}
        }
        if let (true, Some(first)) = (chain.len() > 1, chain.first()) {
            offered.account_keys.push(ChannelKey {
                channel,
                key: first.account.key.to_string(),
            });
        }
        offered.channels.push(channel);
    }
    Ok(offered)
}

/// What the widget needs when it opens: channels, templates, embedding origins and,
/// when a lookup is configured, the customer's details. A slow or failing CRM never
/// blocks the widget: it says so and carries on.
pub async fn widget_bootstrap(
    services: &Services,
    caller: &Caller,
    call_id: Option<&CallId>,
    number: Option<&str>,
    queue: Option<&QueueId>,
) -> Result<WidgetBootstrap, ServiceError> {
    let group = caller.agent_group()?;
    let Offered {
        channels,
        test_mode,
        account_keys,
    } = offered_channels(services, group).await?;
    let queue = queue_rules(services, queue).await?;
    let templates = templates_for(services, group, &channels, queue.as_ref()).await?;
    let (customer, customer_unavailable) = match &services.crm {
        None => (None, false),
        Some(crm) => match crm.lookup(call_id, number).await {
            Ok(customer) => (customer, false),
            Err(reason) => {
                tracing::warn!(%reason, "customer lookup failed; the widget carries on without it");
                (None, true)
            }
        },
    };
    // National numbers are read in the customer's country when the CRM gives one,
    // else in the group's, else in the deployment's.
    let country = match customer
        .as_ref()
        .and_then(|c| c.country.as_deref())
        .and_then(|c| CountryCode::parse(c).ok())
    {
        Some(country) => country,
        None => group_country(services, group).await?,
    };
    Ok(WidgetBootstrap {
        agent_id: caller.id.to_string(),
        default_country: country.as_str().to_owned(),
        channels,
        templates,
        allowed_origins: services.settings.embed_origins.clone(),
        customer,
        customer_unavailable,
        test_mode,
        queue_name: queue.map(|q| q.name),
        call_grace_secs: services.settings.call_grace_secs,
        account_keys,
    })
}

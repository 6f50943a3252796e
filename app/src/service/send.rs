//! Sending a notification: parse, authorise, render, record, enqueue, comment —
//! exactly once per idempotency key.

use super::{
    now, Caller, IdempotencyStore, Job, NotificationRecord, Reservation, Role, ServiceError,
    Services,
};
use crate::domain::rfc3339;
use crate::domain::{
    fill_from_data, send_comment, Accepted, Comment, CountryCode, GroupId, HistoryEntry,
    IdempotencyKey, NotificationStatus, PhoneNumber, Recipient, SendRequest, Sending, Template,
};
use crate::service::IdempotencyClaim;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::time::Duration;
use uuid::Uuid;

/// A send request that passed every check: ready to record.
struct CheckedSend {
    to: PhoneNumber,
    template: Template,
    body: String,
    parameters: Vec<(String, String)>,
    request: SendRequest,
    group: GroupId,
    resend_of: Option<Uuid>,
    expects_reply: bool,
}

/// Sends a notification for `caller` (`POST /api/v1/notifications`).
///
/// With an `Idempotency-Key`, the same key and body from the same caller always get the
/// first response and never a second message, also under concurrent retries; the same
/// key with another body is a 409.
pub async fn send_notification(
    services: &Services,
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    request: SendRequest,
) -> Result<Accepted, ServiceError> {
    let checked = check(services, caller, request).await?;
    let accepted = Accepted {
        uuid: Uuid::new_v4(),
        status: NotificationStatus::Queued,
        channel: checked.request.channel,
        to: checked.to.to_e164(),
        created_at: now(),
    };
    let Some(key) = key else {
        record_and_enqueue(services, caller, &checked, &accepted).await?;
        return Ok(accepted);
    };
    let fingerprint = fingerprint(&checked.request);
    let response =
        serde_json::to_string(&accepted).map_err(|e| ServiceError::Internal(e.into()))?;
    let idem = services.idempotency.as_ref();
    let deadline = tokio::time::Instant::now() + services.settings.idempotency_wait;
    loop {
        let stale = services.settings.idempotency_stale_after;
        match idem
            .reserve(&IdempotencyClaim {
                caller: caller.id.as_str(),
                key: key.as_str(),
                fingerprint: &fingerprint,
                response: &response,
                stale_after: stale,
            })
            .await?
        {
            Reservation::Reserved { response } => {
                let accepted = parse_response(&response)?;
                return finish_reserved(services, idem, caller, key, &checked, accepted).await;
            }
            Reservation::Taken {
                fingerprint: theirs,
                ..
            } if theirs != fingerprint => {
                return Err(ServiceError::Conflict {
                    code: "idempotency_key_reused",
                    message: "This Idempotency-Key was already used for a different request."
                        .into(),
                });
            }
            Reservation::Taken {
                response,
                completed: true,
                ..
            } => return parse_response(&response),
            Reservation::Taken { .. } if tokio::time::Instant::now() >= deadline => {
                return Err(ServiceError::Conflict {
                    code: "request_in_progress",
                    message: "A request with this Idempotency-Key is still being processed; retry shortly.".into(),
                });
            }
            Reservation::Taken { .. } => tokio::time::sleep(Duration::from_millis(25)).await,
        }
    }
}

/// Does the work for a reserved key; on failure the claim is abandoned so that a retry
/// with the same key takes it over (and reuses the same UUID: never two messages).
async fn finish_reserved(
    services: &Services,
    idem: &dyn IdempotencyStore,
    caller: &Caller,
    key: &IdempotencyKey,
    checked: &CheckedSend,
    accepted: Accepted,
) -> Result<Accepted, ServiceError> {
    match record_and_enqueue(services, caller, checked, &accepted).await {
        Ok(()) => {
            idem.complete(caller.id.as_str(), key.as_str()).await?;
            Ok(accepted)
        }
        Err(e) => {
            if let Err(abandon) = idem.abandon(caller.id.as_str(), key.as_str()).await {
                tracing::warn!(error = %abandon, "could not abandon an idempotency claim; it will go stale");
            }
            Err(e)
        }
    }
}

fn parse_response(response: &str) -> Result<Accepted, ServiceError> {
    serde_json::from_str(response).map_err(|e| ServiceError::Internal(e.into()))
}

/// Parses the recipient, authorises the template for the caller's group and renders it.
async fn check(
    services: &Services,
    caller: &Caller,
    request: SendRequest,
) -> Result<CheckedSend, ServiceError> {
    let group = caller.sending_group(request.group_id.as_ref())?;
    let to = parse_recipient(&request.to, services.settings.default_country)?;
    let mut offered = services
        .config
        .group_templates(&group, request.channel)
        .await?;
    let queue = super::catalog::queue_rules(services, request.queue_id.as_ref()).await?;
    if let Some(queue) = &queue {
        offered = queue.narrow(request.channel, offered, |t| &t.id);
    }
    let template = offered
        .into_iter()
        .find(|t| t.id == request.template_id)
        .ok_or_else(|| ServiceError::Forbidden {
            code: "template_not_allowed",
            message: match &queue {
                Some(q) => format!(
                    "Template {} is not available for {} on calls of the {} queue.",
                    request.template_id,
                    request.channel.label(),
                    q.name
                ),
                None => format!(
                    "Template {} is not available to your group for {}.",
                    request.template_id,
                    request.channel.label()
                ),
            },
        })?;
    let account = super::delivery::account_for(services, &group, request.channel).await?;
    if super::delivery::sending(services, account.as_ref()) == Sending::Unavailable {
        return Err(ServiceError::invalid(
            "channel_unavailable",
            format!(
                "No provider account sends {} messages for this group: ask an admin to add one.",
                request.channel.label()
            ),
            "channel",
            "no provider account",
        ));
    }
    super::contacts::refuse_opted_out(services, &to.to_e164(), request.channel, account.as_ref())
        .await?;
    refuse_without_dlt(&to, &template)?;
    refuse_unlisted(&to, account.as_ref())?;
    let original = match &request.resend_of {
        None => None,
        Some(text) => Some(check_resend(services, caller, text).await?),
    };
    // A resend without fields reuses the failed message's values.
    let mut values: BTreeMap<String, String> = match &original {
        Some(o) if request.fields.is_empty() => o.parameters.iter().cloned().collect(),
        _ => request
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), v.0.clone()))
            .collect(),
    };
    if let Some(data) = &request.data {
        fill_from_data(&template.fields, &mut values, data).map_err(|errors| {
            ServiceError::invalid_fields(
                "invalid_fields",
                "Some template fields have no value in data.",
                "fields.",
                errors,
            )
        })?;
    }
    let rendered = template.render(&values).map_err(|errors| {
        ServiceError::invalid_fields(
            "invalid_fields",
            "Some template fields are missing or invalid.",
            "fields.",
            errors,
        )
    })?;
    let resend_of = original.map(|o| o.uuid);
    // An agent is on the call the reply belongs to; a workflow asks for it.
    let expects_reply = caller.role != Role::Integrator || request.expects_reply;
    Ok(CheckedSend {
        expects_reply,
        to,
        body: rendered.body,
        parameters: rendered.parameters,
        template,
        request,
        group,
        resend_of,
    })
}

/// 422 `dlt_template` for an SMS to an Indian number whose template lacks any of the
/// DLT ids Indian carriers require (they drop such messages, whatever the provider).
fn refuse_without_dlt(to: &PhoneNumber, template: &Template) -> Result<(), ServiceError> {
    if template.channel != crate::domain::Channel::Sms || to.country() != CountryCode::INDIA {
        return Ok(());
    }
    let missing = template.provider_ref.dlt_missing();
    if missing.is_empty() {
        return Ok(());
    }
    Err(ServiceError::Invalid {
        code: "dlt_template",
        message: format!(
            "SMS to India needs the template's DLT registration ({}); ask an admin to add it to template {}.",
            template.provider_ref.dlt_missing_words(),
            template.id
        ),
        fields: missing
            .iter()
            .map(|m| (format!("template.provider_ref.{m}"), "missing".to_owned()))
            .collect(),
    })
}

/// 422 `not_allowed_recipient` when the account is in allow-list mode (a trial or
/// test account) and the number is not on its list.
fn refuse_unlisted(
    to: &PhoneNumber,
    account: Option<&super::StoredProviderAccount>,
) -> Result<(), ServiceError> {
    let Some(list) = account.and_then(|a| a.account.allow_list.as_ref()) else {
        return Ok(());
    };
    if list.contains(&to.to_e164()) {
        return Ok(());
    }
    Err(ServiceError::invalid(
        "not_allowed_recipient",
        "This provider account may only send to the numbers on its allow list (a trial or test account); nothing was sent.",
        "to",
        "not on the account's allow list",
    ))
}

/// A resend must name a failed message of the caller's.
async fn check_resend(
    services: &Services,
    caller: &Caller,
    text: &str,
) -> Result<NotificationRecord, ServiceError> {
    let not_found = || ServiceError::NotFound {
        code: "notification_not_found",
        message: "The message to resend does not exist.".into(),
    };
    let uuid = Uuid::parse_str(text).map_err(|_| not_found())?;
    let original = services.status.get(uuid).await?.ok_or_else(not_found)?;
    if !caller.may_read(&original.agent_id, &original.group_id) {
        return Err(not_found());
    }
    if original.status != NotificationStatus::Failed {
        return Err(ServiceError::Conflict {
            code: "not_failed",
            message: "Only a failed message can be resent.".into(),
        });
    }
    Ok(original)
}

/// Reads `to` as E.164 text or as a country + national number.
fn parse_recipient(
    to: &Recipient,
    default_country: CountryCode,
) -> Result<PhoneNumber, ServiceError> {
    let (field, result) = match to {
        Recipient::E164(text) if !text.trim_start().starts_with('+') => {
            return Err(ServiceError::invalid(
                "invalid_phone",
                "Give the number in international form (+ and country code), or as {\"country\", \"number\"}.",
                "to",
                "start it with + and the country code, like +91 98765 43210",
            ));
        }
        Recipient::E164(text) => ("to", PhoneNumber::parse(text, default_country)),
        Recipient::Local { country, number } => {
            let country = CountryCode::parse(country).map_err(|e| {
                ServiceError::invalid(
                    "invalid_country",
                    "The country is not a known ISO 3166 code.",
                    "to.country",
                    e.to_string(),
                )
            })?;
            ("to.number", PhoneNumber::parse(number, country))
        }
    };
    result
        .map_err(|e| ServiceError::invalid("invalid_phone", e.message(), field, e.reason.phrase()))
}

/// Records the message (durably, first), then queues it, then logs it on the call.
async fn record_and_enqueue(
    services: &Services,
    caller: &Caller,
    checked: &CheckedSend,
    accepted: &Accepted,
) -> Result<(), ServiceError> {
    // A call's log is bounded (a retry replaying a stored answer never comes here).
    if let Some(call_id) = &checked.request.call_id {
        let most = services.settings.comments_per_call;
        if services.comments.count_for_call(call_id).await? >= most {
            return Err(ServiceError::invalid(
                "too_many_messages_for_call",
                format!("This call already has {most} messages; no more can be sent on it."),
                "call_id",
                "message limit reached",
            ));
        }
    }
    // The response's id and time (the first attempt's, when a retry took its claim over).
    let (uuid, created_at) = (accepted.uuid, accepted.created_at);
    let record = NotificationRecord {
        uuid,
        channel: checked.request.channel,
        status: NotificationStatus::Queued,
        to: Some(accepted.to.clone()),
        template_id: checked.template.id.clone(),
        template_name: checked.template.name.clone(),
        call_id: checked.request.call_id.clone(),
        agent_id: caller.id.clone(),
        group_id: checked.group.clone(),
        body: checked.body.clone(),
        parameters: checked.parameters.clone(),
        resend_of: checked.resend_of,
        provider: None,
        provider_message_id: None,
        created_at,
        updated_at: created_at,
        history: vec![HistoryEntry {
            status: NotificationStatus::Queued,
            at: rfc3339(created_at),
            detail: Some(match checked.resend_of {
                Some(original) => format!("Accepted (resend of {original})"),
                None => "Accepted".to_owned(),
            }),
        }],
        error: None,
        handoff: None,
        expects_reply: checked.expects_reply,
    };
    services.status.create(&record).await?;
    if let Err(e) = services
        .queue
        .enqueue(&Job::new(uuid, record.channel))
        .await
    {
        // The caller is told the message was not accepted, so it must not linger as
        // "queued": withdraw it (a retry records it again).
        if let Err(withdraw) = services.status.withdraw(record.key()).await {
            tracing::error!(notification = %uuid, error = %withdraw, "could not withdraw a message that was not queued");
        }
        return Err(e.into());
    }
    tracing::info!(
        notification = %uuid,
        channel = %record.channel,
        template = %record.template_id,
        to = %checked.to.masked(),
        "notification accepted"
    );
    if let Some(call_id) = &checked.request.call_id {
        let comment = Comment {
            at: rfc3339(created_at),
            author: caller.id.to_string(),
            text: send_comment(&uuid.to_string(), record.channel, &record.template_name),
            notification_uuid: Some(uuid.to_string()),
        };
        // The message is already queued; a comment that cannot be written must not
        // turn the send into an error (a retry would only repeat the same answer).
        if let Err(e) = services
            .comments
            .add(call_id, &checked.group, &comment)
            .await
        {
            tracing::error!(notification = %uuid, error = %e, "could not write the call comment");
        }
    }
    services.feed.publish(&record.view());
    Ok(())
}

/// A stable digest of what was asked, to tell a retry from a different request.
fn fingerprint(request: &SendRequest) -> String {
    // `SendRequest` serialises with sorted field maps, so equal requests digest equally.
    let canonical = serde_json::to_vec(request).unwrap_or_default();
    hex::encode(Sha256::digest(&canonical))
}

//! The customer's side: what customers write back (a reply under the message it
//! answers, STOP and START on the opt-out list, the WhatsApp window opened), the
//! opt-out check every send passes before it is accepted, and the window as the widget
//! shows it.

use super::{now, InboundMessage, InboundRecord, ServiceError, Services, StoredProviderAccount};
use crate::domain::{
    rfc3339, Channel, Keyword, NotificationView, OptOutKey, ReplyWindow, E164, WINDOW_SECS,
};
use crate::service::ReplyOrigin;
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// What one customer message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboundOutcome {
    /// Recorded (a reply linked to our message, when it answers one).
    Recorded {
        /// Our message it answers.
        answers: Option<Uuid>,
        /// What it did to the opt-out list.
        keyword: Option<Keyword>,
    },
    /// The same provider message was recorded already.
    Duplicate,
}

/// The window a customer's last message keeps open.
fn window_since() -> OffsetDateTime {
    now() - time::Duration::seconds(WINDOW_SECS)
}

/// Records a customer's message that came through the account keyed `key` (as the
/// messages it sent are recorded), whose sender is `sender`: linked to the newest message of ours it
/// answers (the one it quotes, else the newest sent to that number through that account
/// within the window), applied to the opt-out list when it is an opt-out or opt-in
/// word, and pushed to the widgets following the message it answers.
pub async fn receive_inbound(
    services: &Services,
    key: &str,
    sender: &str,
    message: InboundMessage,
) -> Result<InboundOutcome, ServiceError> {
    // The message it quotes, if that one takes replies; else the newest that does.
    let quoted = match &message.replying_to {
        Some(id) => services.status.find_by_provider_id(key, id).await?,
        None => None,
    };
    let mut answered = match quoted {
        Some(uuid) => services.status.get(uuid).await?.filter(|r| r.expects_reply),
        None => None,
    };
    if answered.is_none() {
        let since = message.at.min(now()) - time::Duration::seconds(WINDOW_SECS);
        let newest = services
            .status
            .latest_to(ReplyOrigin {
                to: &message.from,
                channel: message.channel,
                provider: key,
                since,
            })
            .await?;
        if let Some(uuid) = newest {
            answered = services.status.get(uuid).await?;
        }
    }
    let answers = answered.as_ref().map(|r| r.uuid);
    let keyword = services.settings.keywords.classify(&message.text);
    // A customer's STOP applies to the sender they wrote to (carriers' rule).
    let listed = OptOutKey {
        number: message.from.clone(),
        channel: message.channel,
        sender: sender.to_owned(),
    };
    let record = InboundRecord {
        message,
        account: key.to_owned(),
        answers,
    };
    let opt_out = keyword.map(|k| (&listed, k == Keyword::OptOut));
    if !services.contacts.record_inbound(&record, opt_out).await? {
        return Ok(InboundOutcome::Duplicate);
    }
    let message = &record.message;
    tracing::info!(
        channel = %message.channel,
        from = %message.from.masked(),
        linked = answers.is_some(),
        keyword = ?keyword,
        "customer message received"
    );
    if let Some(record) = answered {
        let mut views = [record.view()];
        attach_replies(services, &mut views).await?;
        services.feed.publish(&views[0]);
    }
    Ok(InboundOutcome::Recorded { answers, keyword })
}

/// Adds what customers wrote back to each view.
pub async fn attach_replies(
    services: &Services,
    views: &mut [NotificationView],
) -> Result<(), ServiceError> {
    let uuids: Vec<Uuid> = views
        .iter()
        .filter_map(|v| Uuid::parse_str(&v.uuid).ok())
        .collect();
    let mut replies: HashMap<String, Vec<_>> = HashMap::new();
    for (uuid, reply) in services.contacts.replies(&uuids).await? {
        replies.entry(uuid.to_string()).or_default().push(reply);
    }
    for view in views {
        if let Some(found) = replies.remove(&view.uuid) {
            view.replies = found;
        }
    }
    Ok(())
}

/// 422 `opted_out` when `to` is on the opt-out list for `channel` from the sender
/// `group`'s account uses (or from every sender).
pub async fn refuse_opted_out(
    services: &Services,
    to: &E164,
    channel: Channel,
    account: Option<&StoredProviderAccount>,
) -> Result<(), ServiceError> {
    let sender = account.map_or("", |a| a.account.sender.as_str());
    if services.contacts.opted_out(to, channel, sender).await? {
        return Err(ServiceError::invalid(
            "opted_out",
            format!(
                "This customer opted out of {} messages; nothing was sent.",
                channel.label()
            ),
            "to",
            "opted out",
        ));
    }
    Ok(())
}

/// The WhatsApp customer-service window for `number`, as `account` (the group's
/// WhatsApp account, if it has one) sees it.
pub async fn reply_window(
    services: &Services,
    account: Option<&StoredProviderAccount>,
    number: &E164,
) -> Result<ReplyWindow, ServiceError> {
    let key = account.map(|a| crate::domain::account_key(&a.account.provider, &a.account.id));
    let last = services
        .contacts
        .last_inbound(number, Channel::Whatsapp, key.as_deref())
        .await?;
    Ok(match last.filter(|at| *at > window_since()) {
        Some(at) => ReplyWindow {
            open: true,
            until: Some(rfc3339(at + time::Duration::seconds(WINDOW_SECS))),
            recontact: None,
        },
        None => ReplyWindow {
            open: false,
            until: None,
            recontact: account.and_then(|a| a.account.recontact_template.clone()),
        },
    })
}

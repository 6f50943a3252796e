//! One message as a MongoDB document, and back.

use crate::store::{from_ms, stored_number, to_ms};
use anyhow::Context;
use app::domain::rfc3339;
use app::domain::time::parse_rfc3339;
use app::domain::{
    CallId, FailureReason, GroupId, HistoryEntry, NotificationStatus, TemplateId, UserId,
};
use app::service::{Handoff, NotificationRecord};
use mongodb::bson::DateTime;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// One message as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct StatusDoc {
    #[serde(rename = "_id")]
    pub uuid: String,
    pub channel: String,
    pub status: String,
    pub to: String,
    pub template_id: String,
    pub template_name: String,
    pub call_id: Option<String>,
    pub agent_id: String,
    pub group_id: String,
    pub body: String,
    /// The field values, in field order, as `{name, value}` documents (FerretDB stores
    /// no arrays inside arrays).
    pub parameters: Vec<ParameterDoc>,
    pub resend_of: Option<String>,
    pub provider: Option<String>,
    pub provider_message_id: Option<String>,
    pub error: Option<FailureReason>,
    pub created_at: DateTime,
    pub updated_at: DateTime,
    pub swept_at: Option<DateTime>,
    /// When it was first delivered (the delivery times read it, not the history).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<DateTime>,
    /// Left out of an export's reads.
    #[serde(default)]
    pub history: Vec<HistoryDoc>,
    #[serde(default)]
    pub handoff: Option<HandoffDoc>,
    /// Missing on messages stored before workflow sends: an agent's, so true.
    #[serde(default = "yes")]
    pub expects_reply: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct ParameterDoc {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct HandoffDoc {
    pub attempt: u32,
    pub at: DateTime,
    pub channel: String,
}

impl HandoffDoc {
    pub fn of(h: &Handoff) -> Self {
        Self {
            attempt: h.attempt,
            at: bson_time(h.at),
            channel: h.channel.as_str().to_owned(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct HistoryDoc {
    pub status: String,
    pub at: DateTime,
    pub detail: Option<String>,
}

pub(super) fn bson_time(at: OffsetDateTime) -> DateTime {
    DateTime::from_millis(to_ms(at))
}

pub(super) fn time_of(at: DateTime) -> OffsetDateTime {
    from_ms(at.timestamp_millis())
}

fn parse_time(rfc: &str) -> anyhow::Result<OffsetDateTime> {
    parse_rfc3339(rfc).with_context(|| format!("time {rfc}"))
}

impl StatusDoc {
    pub fn from_record(r: &NotificationRecord) -> anyhow::Result<Self> {
        let history = r
            .history
            .iter()
            .map(|h| {
                Ok(HistoryDoc {
                    status: h.status.as_str().to_owned(),
                    at: bson_time(parse_time(&h.at)?),
                    detail: h.detail.clone(),
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let delivered = NotificationStatus::Delivered.as_str();
        Ok(Self {
            uuid: r.uuid.to_string(),
            channel: r.channel.as_str().to_owned(),
            status: r.status.as_str().to_owned(),
            to: r.to.as_ref().map(ToString::to_string).unwrap_or_default(),
            template_id: r.template_id.as_str().to_owned(),
            template_name: r.template_name.clone(),
            call_id: r.call_id.as_ref().map(|c| c.as_str().to_owned()),
            agent_id: r.agent_id.to_string(),
            group_id: r.group_id.as_str().to_owned(),
            body: r.body.clone(),
            parameters: r
                .parameters
                .iter()
                .map(|(name, value)| ParameterDoc {
                    name: name.clone(),
                    value: value.clone(),
                })
                .collect(),
            resend_of: r.resend_of.map(|u| u.to_string()),
            provider: r.provider.clone(),
            provider_message_id: r.provider_message_id.clone(),
            error: r.error.clone(),
            created_at: bson_time(r.created_at),
            updated_at: bson_time(r.updated_at),
            swept_at: None,
            delivered_at: history.iter().find(|h| h.status == delivered).map(|h| h.at),
            expects_reply: r.expects_reply,
            handoff: r.handoff.as_ref().map(HandoffDoc::of),
            history,
        })
    }

    pub fn into_record(self) -> anyhow::Result<NotificationRecord> {
        let uuid = &self.uuid;
        let status = |text: &str| {
            text.parse::<NotificationStatus>()
                .with_context(|| format!("status of {uuid}"))
        };
        Ok(NotificationRecord {
            uuid: Uuid::parse_str(uuid)?,
            channel: self.channel.parse().context("channel")?,
            status: status(&self.status)?,
            to: stored_number(&self.to).map_err(|e| anyhow::anyhow!("to of {uuid}: {e}"))?,
            template_id: TemplateId::parse(&self.template_id)?,
            template_name: self.template_name,
            call_id: self.call_id.as_deref().map(CallId::parse).transpose()?,
            agent_id: UserId::parse(&self.agent_id)?,
            expects_reply: self.expects_reply,
            group_id: GroupId::parse(&self.group_id)?,
            body: self.body,
            parameters: self
                .parameters
                .into_iter()
                .map(|p| (p.name, p.value))
                .collect(),
            resend_of: self.resend_of.as_deref().map(Uuid::parse_str).transpose()?,
            provider: self.provider,
            provider_message_id: self.provider_message_id,
            created_at: time_of(self.created_at),
            updated_at: time_of(self.updated_at),
            history: self
                .history
                .iter()
                .map(|h| {
                    Ok(HistoryEntry {
                        status: status(&h.status)?,
                        at: rfc3339(time_of(h.at)),
                        detail: h.detail.clone(),
                    })
                })
                .collect::<anyhow::Result<_>>()?,
            error: self.error,
            handoff: self
                .handoff
                .map(|h| {
                    Ok::<_, anyhow::Error>(Handoff {
                        attempt: h.attempt,
                        at: time_of(h.at),
                        channel: h.channel.parse().context("hand-off channel")?,
                    })
                })
                .transpose()?,
        })
    }
}

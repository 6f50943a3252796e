//! Call queues and the call the widget serves. A queue (named as the softphone names
//! it) may narrow, per channel, the templates its calls may use: the agent is offered
//! the templates both their group and the queue allow, in the group's order. A queue
//! with no list for a channel, or one nobody configured, narrows nothing.

use super::{CallId, Channel, FieldErrors, QueueId, TemplateId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most characters in a queue's name.
pub const NAME_MAX: usize = 100;

/// A call queue's template rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CallQueue {
    /// The queue's id, as the softphone sends it.
    pub id: QueueId,
    /// Its name, for people.
    pub name: String,
    /// Per channel, the templates its calls may use (a channel not listed: whatever the
    /// agent's group allows).
    #[serde(default)]
    pub templates: BTreeMap<Channel, Vec<TemplateId>>,
}

/// Creating or changing a queue (`PUT /api/v1/admin/queues/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CallQueueInput {
    /// Its name.
    pub name: String,
    /// Per channel, the templates its calls may use.
    #[serde(default)]
    pub templates: BTreeMap<Channel, Vec<TemplateId>>,
}

impl CallQueueInput {
    /// The queue `id` this input describes, or every problem with it (the templates'
    /// existence and channels are the service's to check).
    pub fn into_queue(self, id: QueueId) -> Result<CallQueue, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            errors.add("name", "required");
        } else if name.chars().count() > NAME_MAX {
            errors.add("name", format!("at most {NAME_MAX} characters"));
        }
        for (channel, list) in &self.templates {
            let mut seen = Vec::new();
            for t in list {
                if seen.contains(&t) {
                    errors.add(
                        format!("templates.{}", channel.as_str()),
                        format!("{t} is listed twice"),
                    );
                }
                seen.push(t);
            }
        }
        errors.into_result(CallQueue {
            id,
            name,
            templates: self.templates,
        })
    }
}

impl CallQueue {
    /// Of `offered` (the group's templates for `channel`, in its order), those this
    /// queue allows.
    pub fn narrow<T>(
        &self,
        channel: Channel,
        offered: Vec<T>,
        id: impl Fn(&T) -> &TemplateId,
    ) -> Vec<T> {
        match self.templates.get(&channel) {
            None => offered,
            Some(allowed) => offered
                .into_iter()
                .filter(|t| allowed.contains(id(t)))
                .collect(),
        }
    }
}

/// Where a call is, as the softphone says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CallState {
    /// Ringing at the agent.
    Ringing,
    /// Connected.
    Active,
    /// Hung up.
    Ended,
}

impl CallState {
    /// As written on the wire (and as the widget's style classes name it).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ringing => "ringing",
            Self::Active => "active",
            Self::Ended => "ended",
        }
    }

    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Ringing => "Ringing",
            Self::Active => "On the call",
            Self::Ended => "Call ended",
        }
    }
}

/// The call the widget serves: its id, its queue and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallInfo {
    /// The softphone's call id.
    pub call_id: CallId,
    /// The queue it came through, if the host says.
    pub queue_id: Option<QueueId>,
    /// Where it is.
    pub state: CallState,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> TemplateId {
        TemplateId::parse(text).expect("id")
    }

    #[test]
    fn a_call_state_is_named_as_on_the_wire() {
        for state in [CallState::Ringing, CallState::Active, CallState::Ended] {
            assert_eq!(serde_json::to_value(state).expect("json"), state.as_str());
        }
    }

    #[test]
    fn a_queue_keeps_the_groups_order_and_only_the_templates_it_allows() {
        let queue = CallQueue {
            id: QueueId::parse("billing").expect("id"),
            name: "Billing".into(),
            templates: BTreeMap::from([(Channel::Sms, vec![id("t_c"), id("t_a")])]),
        };
        let group = vec![id("t_a"), id("t_b"), id("t_c")];
        assert_eq!(
            queue.narrow(Channel::Sms, group.clone(), |t| t),
            [id("t_a"), id("t_c")]
        );
        assert_eq!(
            queue.narrow(Channel::Whatsapp, group.clone(), |t| t),
            group,
            "no list: no narrowing"
        );
    }

    #[test]
    fn a_queue_needs_a_name_and_each_template_once() {
        let errors = CallQueueInput {
            name: " ".into(),
            templates: BTreeMap::from([(Channel::Sms, vec![id("t_a"), id("t_a")])]),
        }
        .into_queue(QueueId::parse("q").expect("id"))
        .expect_err("refused");
        assert_eq!(errors.0["name"], "required");
        assert_eq!(errors.0["templates.sms"], "t_a is listed twice");
    }

    #[test]
    fn call_states_read_as_the_softphone_sends_them() {
        let state: CallState = serde_json::from_str("\"ended\"").expect("state");
        assert_eq!(state, CallState::Ended);
    }
}

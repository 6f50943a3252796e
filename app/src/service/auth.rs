//! Who is calling: the identity a verified token carries.

use super::error::ServiceError;
use crate::domain::{GroupId, UserId};
use serde::{Deserialize, Serialize};

/// The two roles of the product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Sends notifications from the widget or the API.
    Agent,
    /// Manages templates, groups, agents and providers.
    Admin,
}

/// A verified caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The user's id (`sub`).
    pub id: UserId,
    /// The role (`role`).
    pub role: Role,
    /// The agent's group (`grp`); admins have none.
    pub group: Option<GroupId>,
    /// The sign-in session the token belongs to (`sid`), for tokens issued by sign-in.
    pub session: Option<String>,
}

impl Caller {
    /// An agent of `group`.
    pub fn agent(id: UserId, group: GroupId) -> Self {
        Self {
            id,
            role: Role::Agent,
            group: Some(group),
            session: None,
        }
    }

    /// An admin.
    pub fn admin(id: UserId) -> Self {
        Self {
            id,
            role: Role::Admin,
            group: None,
            session: None,
        }
    }

    /// The caller's group, or 403 when the caller is not an agent with a group.
    pub fn agent_group(&self) -> Result<&GroupId, ServiceError> {
        match (&self.role, &self.group) {
            (Role::Agent, Some(group)) => Ok(group),
            _ => Err(ServiceError::Forbidden {
                code: "agent_only",
                message: "Only an agent with a group can do this.".into(),
            }),
        }
    }

    /// Whether the caller may read messages sent by `agent_id`.
    pub fn may_read(&self, agent_id: &UserId) -> bool {
        self.role == Role::Admin || &self.id == agent_id
    }

    /// 403 unless the caller is an admin.
    pub fn require_admin(&self) -> Result<(), ServiceError> {
        if self.role == Role::Admin {
            Ok(())
        } else {
            Err(ServiceError::Forbidden {
                code: "admin_only",
                message: "This needs an admin account.".into(),
            })
        }
    }
}

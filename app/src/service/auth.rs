//! Who is calling: the identity a verified credential carries, and what each role may do.

use super::error::ServiceError;
use crate::domain::{mask_e164, ApiKeyScope, GroupId, NotificationView, UserId};
use serde::{Deserialize, Serialize};

/// The roles of the product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Sends notifications from the widget or the API.
    Agent,
    /// Reads their own group's messages, comments and figures; sends nothing.
    Supervisor,
    /// Manages templates, groups, agents and providers (a signed-in session only).
    Admin,
    /// An integrator's API key (IVR, workflow engine, CRM): sends for the groups it
    /// names and reads what it sent, as its scopes allow.
    Integrator,
}

/// What an API key allows its caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyGrant {
    /// What it may do.
    pub scopes: Vec<ApiKeyScope>,
    /// The groups it may send for.
    pub groups: Vec<GroupId>,
}

/// A verified caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    /// The user's id (`sub`).
    pub id: UserId,
    /// The role (`role`).
    pub role: Role,
    /// The agent's or supervisor's group, as the settings say; admins have none.
    pub group: Option<GroupId>,
    /// An admin's sign-in session (the id it is stored under).
    pub session: Option<String>,
    /// The token's id (`jti`), when the host gave it one: revocable.
    pub token_id: Option<String>,
    /// An API key's scopes and groups.
    #[serde(default)]
    pub grant: Option<KeyGrant>,
}

impl Caller {
    /// An agent of `group`.
    pub fn agent(id: UserId, group: GroupId) -> Self {
        Self {
            id,
            role: Role::Agent,
            group: Some(group),
            session: None,
            token_id: None,
            grant: None,
        }
    }

    /// An admin.
    pub fn admin(id: UserId) -> Self {
        Self {
            id,
            role: Role::Admin,
            group: None,
            session: None,
            token_id: None,
            grant: None,
        }
    }

    /// Whether an API key caller has `scope` (every other caller: not a key, so no).
    pub fn has_scope(&self, scope: ApiKeyScope) -> bool {
        self.grant
            .as_ref()
            .is_some_and(|g| g.scopes.contains(&scope))
    }

    /// The group a send is for: an agent's own (a `group_id` they give must be it); an
    /// API key's named `group_id`, one of its groups, with the send scope. 403 for
    /// anyone else (supervisors and admins never send on an agent's behalf).
    pub fn sending_group(&self, requested: Option<&GroupId>) -> Result<GroupId, ServiceError> {
        let forbidden = |code, message: &str| ServiceError::Forbidden {
            code,
            message: message.into(),
        };
        match (self.role, requested) {
            (Role::Integrator, _) if !self.has_scope(ApiKeyScope::Send) => Err(forbidden(
                "scope_missing",
                "This API key may not send (it lacks notifications:send).",
            )),
            (Role::Integrator, None) => Err(ServiceError::invalid(
                "group_id_required",
                "An API key names the group it sends for: give group_id.",
                "group_id",
                "required",
            )),
            (Role::Integrator, Some(group)) => {
                let allowed = self
                    .grant
                    .as_ref()
                    .is_some_and(|g| g.groups.contains(group));
                if allowed {
                    Ok(group.clone())
                } else {
                    Err(forbidden(
                        "group_not_allowed",
                        "This API key may not send for that group.",
                    ))
                }
            }
            (_, requested) => {
                let own = self.agent_group()?;
                match requested {
                    Some(group) if group != own => Err(forbidden(
                        "wrong_group",
                        "An agent sends for their own group only.",
                    )),
                    _ => Ok(own.clone()),
                }
            }
        }
    }

    /// The group an agent sends for, or 403 for anyone else (supervisors and admins
    /// never send on an agent's behalf).
    pub fn agent_group(&self) -> Result<&GroupId, ServiceError> {
        match (&self.role, &self.group) {
            (Role::Agent, Some(group)) => Ok(group),
            _ => Err(ServiceError::Forbidden {
                code: "agent_only",
                message: "Only an agent with a group can do this.".into(),
            }),
        }
    }

    /// The group whose messages the caller reads: an agent's and a supervisor's own,
    /// every group (`None`) for an admin.
    pub fn reading_group(&self) -> Result<Option<&GroupId>, ServiceError> {
        match (&self.role, &self.group) {
            (Role::Admin, _) => Ok(None),
            // A key reads what it sent (the list is filtered by sender).
            (Role::Integrator, _) if self.has_scope(ApiKeyScope::Read) => Ok(None),
            (Role::Integrator, _) => Err(ServiceError::Forbidden {
                code: "scope_missing",
                message: "This API key may not read notifications (it lacks notifications:read)."
                    .into(),
            }),
            (_, Some(group)) => Ok(Some(group)),
            (_, None) => Err(ServiceError::Forbidden {
                code: "no_group",
                message: "Your account has no group.".into(),
            }),
        }
    }

    /// Whether the caller may read a message `agent_id` sent for `group_id`: an agent
    /// their own, a supervisor their group's, an admin every one.
    pub fn may_read(&self, agent_id: &UserId, group_id: &GroupId) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Supervisor => self.group.as_ref() == Some(group_id),
            Role::Agent => &self.id == agent_id,
            Role::Integrator => self.has_scope(ApiKeyScope::Read) && &self.id == agent_id,
        }
    }

    /// `view` as the caller is shown it: a supervisor sees the numbers of the group's
    /// messages masked but for the last four digits (those they sent themselves
    /// excepted); the sender and admins see them whole.
    pub fn shown(&self, mut view: NotificationView) -> NotificationView {
        if self.role == Role::Supervisor && self.id != view.agent_id {
            view.to = mask_e164(&view.to);
        }
        view
    }

    /// 403 unless the caller is an admin (a role only a sign-in session, or the
    /// server's own configuration, gives).
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

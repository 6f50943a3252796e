//! Agents: each in one group that exists.

use super::{id_taken, json, same_id, Admin, Entity};
use crate::domain::keys::is_api_key_sender;
use crate::domain::{display_name, Agent, UserId};
use crate::service::ServiceError;

impl Admin<'_> {
    /// Creates (`existing` none) or changes an agent; their group must exist.
    pub async fn save_agent(
        &self,
        agent: Agent,
        existing: Option<&UserId>,
    ) -> Result<Agent, ServiceError> {
        if is_api_key_sender(agent.id.as_str()) {
            return Err(ServiceError::invalid(
                "invalid_agent",
                "An agent's id may not start with api-key: (API keys send under such ids).",
                "id",
                "may not start with api-key:",
            ));
        }
        let agent = Agent {
            name: display_name(&agent.name, "name")?,
            ..agent
        };
        if self.store().group(&agent.group_id).await?.is_none() {
            return Err(ServiceError::invalid(
                "unknown_group",
                "There is no such group.",
                "group_id",
                "unknown group",
            ));
        }
        let before = match existing {
            Some(id) => {
                same_id(agent.id.as_str(), id.as_str(), "invalid_agent")?;
                Some(self.get_agent(id).await?)
            }
            None => None,
        };
        let saved = self.save(before.as_ref(), &agent).await;
        saved.map_err(id_taken(Entity::Agent))?;
        Ok(agent)
    }

    /// Deletes an agent.
    pub async fn delete_agent(&self, id: &UserId) -> Result<(), ServiceError> {
        let before = self.get_agent(id).await?;
        let audit = self.record(Entity::Agent, id.as_str(), json(&before), None);
        Ok(self.store().delete_agent(id, &audit).await?)
    }
}

//! Agents: each in one group that exists.

use super::{audited, found, id_taken, same_id, Entity};
use crate::domain::{display_name, Agent, UserId};
use crate::service::{Caller, ServiceError, Services};

/// Every agent.
pub async fn list_agents(services: &Services, caller: &Caller) -> Result<Vec<Agent>, ServiceError> {
    caller.require_admin()?;
    Ok(services.admin.agents().await?)
}

/// One agent.
pub async fn get_agent(
    services: &Services,
    caller: &Caller,
    id: &UserId,
) -> Result<Agent, ServiceError> {
    caller.require_admin()?;
    found(services.admin.agent(id).await?, Entity::Agent)
}

/// Creates (`existing` none) or changes an agent; their group must exist.
pub async fn save_agent(
    services: &Services,
    caller: &Caller,
    agent: Agent,
    existing: Option<&UserId>,
) -> Result<Agent, ServiceError> {
    caller.require_admin()?;
    let store = services.admin.as_ref();
    let agent = Agent {
        name: display_name(&agent.name)?,
        ..agent
    };
    if store.group(&agent.group_id).await?.is_none() {
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
            Some(found(store.agent(id).await?, Entity::Agent)?)
        }
        None => None,
    };
    let (after, creating) = (&agent, before.is_none());
    audited(
        caller,
        Entity::Agent,
        after.id.as_str(),
        before.as_ref(),
        Some(after),
        |audit| async move {
            if creating {
                store.insert_agent(after, &audit).await
            } else {
                store.update_agent(after, &audit).await
            }
        },
    )
    .await
    .map_err(id_taken(Entity::Agent))?;
    Ok(agent)
}

/// Deletes an agent.
pub async fn delete_agent(
    services: &Services,
    caller: &Caller,
    id: &UserId,
) -> Result<(), ServiceError> {
    caller.require_admin()?;
    let store = services.admin.as_ref();
    let before = found(store.agent(id).await?, Entity::Agent)?;
    audited(
        caller,
        Entity::Agent,
        id.as_str(),
        Some(&before),
        None,
        |audit| async move { store.delete_agent(id, &audit).await },
    )
    .await?;
    Ok(())
}

//! A user's own preferences: an agent's or a supervisor's desktop alerts.

use super::{Caller, Role, ServiceError, Services};
use crate::domain::Preferences;

/// Only people who work in the widget have preferences.
fn own(caller: &Caller) -> Result<(), ServiceError> {
    match caller.role {
        Role::Agent | Role::Supervisor => Ok(()),
        Role::Admin | Role::Integrator => Err(ServiceError::Forbidden {
            code: "agents_only",
            message: "Preferences belong to agents and supervisors.".into(),
        }),
    }
}

/// The caller's preferences (the defaults until they save some).
pub async fn my_preferences(
    services: &Services,
    caller: &Caller,
) -> Result<Preferences, ServiceError> {
    own(caller)?;
    Ok(services
        .admin
        .preferences(&caller.id)
        .await?
        .unwrap_or_default())
}

/// Saves the caller's preferences.
pub async fn save_my_preferences(
    services: &Services,
    caller: &Caller,
    preferences: Preferences,
) -> Result<Preferences, ServiceError> {
    own(caller)?;
    services
        .admin
        .save_preferences(&caller.id, &preferences)
        .await?;
    Ok(preferences)
}

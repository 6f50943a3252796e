//! The delivery dashboard's figures (`GET /api/v1/stats`): an admin's for every group or
//! one, a supervisor's for their own group; agents and API keys have none.

use super::{Caller, Role, ServiceError, Services};
use crate::domain::{DeliveryStats, StatsQuery};

/// The figures `query` asks for, as `caller` may read them.
pub async fn delivery_stats(
    services: &Services,
    caller: &Caller,
    query: &StatsQuery,
) -> Result<DeliveryStats, ServiceError> {
    let mut filter = query.parse(super::now()).map_err(|errors| {
        ServiceError::invalid_fields(
            "invalid_period",
            "Check the period and the group.",
            "",
            errors,
        )
    })?;
    match caller.role {
        Role::Admin => {}
        Role::Supervisor => {
            let own = caller.reading_group()?.cloned();
            if filter.group_id.is_some() && filter.group_id != own {
                return Err(ServiceError::Forbidden {
                    code: "not_yours",
                    message: "You can see only your own group's figures.".into(),
                });
            }
            filter.group_id = own;
        }
        Role::Agent | Role::Integrator => {
            return Err(ServiceError::Forbidden {
                code: "supervisors_only",
                message: "The delivery figures are for supervisors and admins.".into(),
            })
        }
    }
    let rows = services.status.stats(&filter).await?;
    Ok(DeliveryStats::from_rows(&filter, rows))
}

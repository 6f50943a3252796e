//! The audit log.

use super::*;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuditQuery {
    /// `template`, `group`, `notification_types`, `agent`, `provider`, `api_key`, …
    entity: Option<String>,
    /// Which admin.
    actor: Option<String>,
    /// How many (default 100).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/audit",
    tag = "admin",
    summary = "The audit log, newest first",
    params(AuditQuery),
    responses((status = 200, description = "The entries", body = Vec<AuditEntry>)),
    security(("bearer" = []))
)]
pub(in crate::http) async fn audit_log(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, HttpError> {
    let filter = AuditFilter {
        entity: q.entity,
        actor: q.actor,
        limit: q.limit.unwrap_or(100),
    };
    Ok(Json(
        Admin::new(&state.services, &caller)?
            .audit_log(filter)
            .await?,
    ))
}

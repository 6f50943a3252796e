//! Agent groups and each one's Notification Type tab.

use super::*;

fn group_id(text: &str) -> Result<GroupId, HttpError> {
    Ok(path_id(text, "group")?)
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/groups/{id}/notification-types",
    tag = "admin",
    summary = "The group's Notification Type tab",
    params(("id" = String, Path, description = "The group's id")),
    responses((status = 200, description = "The tab", body = NotificationTypes)),
    security(("bearer" = []))
)]
pub(in crate::http) async fn get_notification_types(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<NotificationTypes>, HttpError> {
    let types = Admin::new(&state.services, &caller)?
        .get_notification_types(&group_id(&id)?)
        .await?;
    Ok(Json(types))
}

#[utoipa::path(
    put,
    path = "/api/v1/admin/groups/{id}/notification-types",
    tag = "admin",
    summary = "Replace the tab atomically: at most 5 templates per channel (422 too_many_templates), each of that channel (422 wrong_channel)",
    params(("id" = String, Path, description = "The group's id")),
    request_body = NotificationTypes,
    responses((status = 200, description = "Saved: the tab, and `warnings` when the admin should know something about it (an SMS template without the DLT ids its account needs)", body = SavedTypes)),
    security(("bearer" = []))
)]
pub(in crate::http) async fn save_notification_types(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(types): ApiJson<NotificationTypes>,
) -> Result<Json<SavedTypes>, HttpError> {
    let id = group_id(&id)?;
    let admin = Admin::new(&state.services, &caller)?;
    let types = admin.save_notification_types(&id, types).await?;
    let warnings = admin.dlt_warnings(&id, &types).await?;
    Ok(Json(SavedTypes { types, warnings }))
}

//! Agent groups and each one's Notification Type tab.

use super::*;

fn group_id(text: &str) -> Result<GroupId, HttpError> {
    Ok(path_id(text, "group")?)
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/groups",
    tag = "admin",
    summary = "Agent groups",
    responses((status = 200, description = "The groups", body = Vec<Group>)),
    security(("bearer" = []))
)]
pub(in crate::http) async fn list_groups(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<Vec<Group>>, HttpError> {
    Ok(Json(
        Admin::new(&state.services, &caller)?.list_groups().await?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/groups/{id}",
    tag = "admin",
    summary = "One group",
    params(("id" = String, Path, description = "The group's id")),
    responses((status = 200, description = "The group", body = Group)),
    security(("bearer" = []))
)]
pub(in crate::http) async fn get_group(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Group>, HttpError> {
    let group = Admin::new(&state.services, &caller)?
        .get_group(&group_id(&id)?)
        .await?;
    Ok(Json(group))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/groups",
    tag = "admin",
    summary = "Create a group (id derived from the name when absent)",
    request_body = GroupInput,
    responses((status = 201, description = "Created", body = Group), (status = 409, description = "The id is taken", body = ErrorBody)),
    security(("bearer" = []))
)]
pub(in crate::http) async fn create_group(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiJson(input): ApiJson<GroupInput>,
) -> Result<(StatusCode, Json<Group>), HttpError> {
    let group = Admin::new(&state.services, &caller)?
        .save_group(input, None)
        .await?;
    Ok((StatusCode::CREATED, Json(group)))
}

#[utoipa::path(
    put,
    path = "/api/v1/admin/groups/{id}",
    tag = "admin",
    summary = "Rename a group or change its default country",
    params(("id" = String, Path, description = "The group's id")),
    request_body = GroupInput,
    responses((status = 200, description = "Saved", body = Group)),
    security(("bearer" = []))
)]
pub(in crate::http) async fn update_group(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<GroupInput>,
) -> Result<Json<Group>, HttpError> {
    let id = group_id(&id)?;
    let group = Admin::new(&state.services, &caller)?
        .save_group(input, Some(&id))
        .await?;
    Ok(Json(group))
}

#[utoipa::path(
    delete,
    path = "/api/v1/admin/groups/{id}",
    tag = "admin",
    summary = "Delete a group (refused while agents belong to it)",
    params(("id" = String, Path, description = "The group's id")),
    responses((status = 204, description = "Deleted"), (status = 409, description = "Agents belong to it", body = ErrorBody)),
    security(("bearer" = []))
)]
pub(in crate::http) async fn delete_group(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, HttpError> {
    Admin::new(&state.services, &caller)?
        .delete_group(&group_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
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

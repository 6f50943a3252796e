//! The templates registry: list, read, create, replace, delete (confirming when groups use one).

use super::*;

fn template_id(text: &str) -> Result<TemplateId, HttpError> {
    Ok(path_id(text, "template")?)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplateQuery {
    /// Only this channel's templates.
    channel: Option<Channel>,
    /// Names containing this text.
    search: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/templates",
    tag = "admin",
    summary = "Templates (filter by channel, search by name)",
    params(TemplateQuery),
    responses((status = 200, description = "The templates", body = Vec<TemplateView>)),
    security(("bearer" = []))
)]
pub(in crate::http) async fn list_templates(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiQuery(q): ApiQuery<TemplateQuery>,
) -> Result<Json<Vec<TemplateView>>, HttpError> {
    let list = Admin::new(&state.services, &caller)?
        .list_templates(q.channel, q.search.as_deref())
        .await?;
    Ok(Json(list.into_iter().map(TemplateView::from).collect()))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/templates/{id}",
    tag = "admin",
    summary = "One template",
    params(("id" = String, Path, description = "The template's id")),
    responses((status = 200, description = "The template", body = TemplateView)),
    security(("bearer" = []))
)]
pub(in crate::http) async fn get_template(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<TemplateView>, HttpError> {
    let template = Admin::new(&state.services, &caller)?
        .get_template(&template_id(&id)?)
        .await?;
    Ok(Json(template.into()))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/templates",
    tag = "admin",
    summary = "Create a template (checked: placeholders vs fields, DLT rules, WhatsApp length, unique name per channel)",
    request_body = TemplateInput,
    responses((status = 201, description = "Created", body = TemplateView), (status = 409, description = "The id is taken", body = ErrorBody)),
    security(("bearer" = []))
)]
pub(in crate::http) async fn create_template(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiJson(input): ApiJson<TemplateInput>,
) -> Result<(StatusCode, Json<TemplateView>), HttpError> {
    let saved = Admin::new(&state.services, &caller)?
        .save_template(input, None)
        .await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

#[utoipa::path(
    put,
    path = "/api/v1/admin/templates/{id}",
    tag = "admin",
    summary = "Replace a template",
    params(("id" = String, Path, description = "The template's id")),
    request_body = TemplateInput,
    responses((status = 200, description = "Saved", body = TemplateView), (status = 409, description = "The name is taken on the channel", body = ErrorBody)),
    security(("bearer" = []))
)]
pub(in crate::http) async fn update_template(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<TemplateInput>,
) -> Result<Json<TemplateView>, HttpError> {
    let id = template_id(&id)?;
    let saved = Admin::new(&state.services, &caller)?
        .save_template(input, Some(&id))
        .await?;
    Ok(Json(saved.into()))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeleteQuery {
    /// Delete it even if groups use it (it is removed from them).
    #[serde(default)]
    confirm: bool,
}

#[utoipa::path(
    delete,
    path = "/api/v1/admin/templates/{id}",
    tag = "admin",
    summary = "Delete a template; if groups use it, pass confirm=true to delete it and remove it from them",
    params(("id" = String, Path, description = "The template's id"), DeleteQuery),
    responses((status = 204, description = "Deleted"), (status = 409, description = "Groups use it (confirm=true deletes it anyway)", body = ErrorBody)),
    security(("bearer" = []))
)]
pub(in crate::http) async fn delete_template(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> Result<StatusCode, HttpError> {
    Admin::new(&state.services, &caller)?
        .delete_template(&template_id(&id)?, q.confirm)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

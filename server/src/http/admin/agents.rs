//! Agents: who may use the widget, in which group.

use super::*;

fn agent_id(text: &str) -> Result<UserId, HttpError> {
    Ok(path_id(text, "agent")?)
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/agents",
    tag = "admin",
    summary = "Agents",
    responses((status = 200, description = "The agents", body = Vec<Agent>)),
    security(("bearer" = []))
)]
pub(in crate::http) async fn list_agents(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<Vec<Agent>>, HttpError> {
    Ok(Json(
        Admin::new(&state.services, &caller)?.list_agents().await?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/agents/{id}",
    tag = "admin",
    summary = "One agent",
    params(("id" = String, Path, description = "The agent's id")),
    responses((status = 200, description = "The agent", body = Agent)),
    security(("bearer" = []))
)]
pub(in crate::http) async fn get_agent(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Agent>, HttpError> {
    let agent = Admin::new(&state.services, &caller)?
        .get_agent(&agent_id(&id)?)
        .await?;
    Ok(Json(agent))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/agents",
    tag = "admin",
    summary = "Create an agent in an existing group",
    request_body = Agent,
    responses((status = 201, description = "Created", body = Agent), (status = 409, description = "The id is taken", body = ErrorBody)),
    security(("bearer" = []))
)]
pub(in crate::http) async fn create_agent(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiJson(agent): ApiJson<Agent>,
) -> Result<(StatusCode, Json<Agent>), HttpError> {
    let agent = Admin::new(&state.services, &caller)?
        .save_agent(agent, None)
        .await?;
    Ok((StatusCode::CREATED, Json(agent)))
}

#[utoipa::path(
    put,
    path = "/api/v1/admin/agents/{id}",
    tag = "admin",
    summary = "Change an agent",
    params(("id" = String, Path, description = "The agent's id")),
    request_body = Agent,
    responses((status = 200, description = "Saved", body = Agent)),
    security(("bearer" = []))
)]
pub(in crate::http) async fn update_agent(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(agent): ApiJson<Agent>,
) -> Result<Json<Agent>, HttpError> {
    let id = agent_id(&id)?;
    let agent = Admin::new(&state.services, &caller)?
        .save_agent(agent, Some(&id))
        .await?;
    Ok(Json(agent))
}

#[utoipa::path(
    delete,
    path = "/api/v1/admin/agents/{id}",
    tag = "admin",
    summary = "Delete an agent",
    params(("id" = String, Path, description = "The agent's id")),
    responses((status = 204, description = "Deleted")),
    security(("bearer" = []))
)]
pub(in crate::http) async fn delete_agent(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, HttpError> {
    Admin::new(&state.services, &caller)?
        .delete_agent(&agent_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

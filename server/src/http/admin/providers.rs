//! Provider accounts, and each channel's sending set-up.

use super::*;

fn account_id(text: &str) -> Result<ProviderAccountId, HttpError> {
    Ok(path_id(text, "provider account")?)
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/channels",
    tag = "admin",
    summary = "Each channel's default account, and how its messages go out without one (account, sandbox: test mode, gateway, unavailable: not offered)",
    responses((status = 200, description = "One entry per channel", body = Vec<ChannelSetup>)),
    security(("bearer" = []))
)]
pub(in crate::http) async fn channel_setups(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<Vec<ChannelSetup>>, HttpError> {
    let setups = Admin::new(&state.services, &caller)?
        .channel_setups()
        .await?;
    Ok(Json(setups))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/providers",
    tag = "admin",
    summary = "Provider accounts (credentials are never returned)",
    responses((status = 200, description = "The accounts", body = Vec<ProviderAccount>)),
    security(("bearer" = []))
)]
pub(in crate::http) async fn list_provider_accounts(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<Vec<ProviderAccount>>, HttpError> {
    let accounts = Admin::new(&state.services, &caller)?
        .list_provider_accounts()
        .await?;
    Ok(Json(accounts))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/providers",
    tag = "admin",
    summary = "Create a provider account",
    request_body = ProviderAccountInput,
    responses((status = 201, description = "Created", body = ProviderAccount), (status = 409, description = "The id is taken", body = ErrorBody)),
    security(("bearer" = []))
)]
pub(in crate::http) async fn create_provider_account(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiJson(input): ApiJson<ProviderAccountInput>,
) -> Result<(StatusCode, Json<ProviderAccount>), HttpError> {
    let saved = Admin::new(&state.services, &caller)?
        .save_provider_account(input, None)
        .await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

#[utoipa::path(
    put,
    path = "/api/v1/admin/providers/{id}",
    tag = "admin",
    summary = "Change a provider account (absent credentials are kept; '' removes one)",
    params(("id" = String, Path, description = "The provider account's id")),
    request_body = ProviderAccountInput,
    responses((status = 200, description = "Saved", body = ProviderAccount)),
    security(("bearer" = []))
)]
pub(in crate::http) async fn update_provider_account(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ProviderAccountInput>,
) -> Result<Json<ProviderAccount>, HttpError> {
    let id = account_id(&id)?;
    let saved = Admin::new(&state.services, &caller)?
        .save_provider_account(input, Some(&id))
        .await?;
    Ok(Json(saved))
}

#[utoipa::path(
    delete,
    path = "/api/v1/admin/providers/{id}",
    tag = "admin",
    summary = "Delete a provider account",
    params(("id" = String, Path, description = "The provider account's id")),
    responses((status = 204, description = "Deleted")),
    security(("bearer" = []))
)]
pub(in crate::http) async fn delete_provider_account(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, HttpError> {
    Admin::new(&state.services, &caller)?
        .delete_provider_account(&account_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

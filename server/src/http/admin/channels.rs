//! Each channel's sending set-up.

use super::*;

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

//! The admin REST endpoints: sign-in, the templates registry, groups and their
//! Notification Type tab, agents, provider accounts, the audit log. Each handler parses
//! the path, calls one admin use case and maps its error; the four collections read and
//! written alike share one generic handler per operation (`resource`).

use super::error::HttpError;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthCaller, ClientAddr};
use super::AppState;
use app::domain::{
    AuditEntry, ChannelSetup, GroupId, IdError, NotificationTypes, SavedTypes, SignIn, SignedIn,
};
use app::service::admin::Admin;
use app::service::{access, accounts, AuditFilter, Caller, ServiceError};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use std::str::FromStr;

mod audit;
mod channels;
mod collections;
mod groups;
mod resource;

pub(in crate::http) use audit::*;
pub(in crate::http) use channels::*;
pub(crate) use collections::{Agents, Groups, ProviderAccounts, Templates};
pub(in crate::http) use groups::*;
pub(crate) use resource::describe;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(resource::routes::<Templates>())
        .merge(resource::routes::<Groups>())
        .merge(resource::routes::<Agents>())
        .merge(resource::routes::<ProviderAccounts>())
        .route("/api/v1/admin/login", post(sign_in))
        .route("/api/v1/admin/logout", post(sign_out))
        .route("/api/v1/admin/revoked-tokens", post(revoke_token))
        .route(
            "/api/v1/admin/groups/{id}/notification-types",
            get(get_notification_types).put(save_notification_types),
        )
        .route("/api/v1/admin/audit", get(audit_log))
        .route("/api/v1/admin/channels", get(channel_setups))
}

/// A signed-in admin: a session token whose session is still open.
pub struct AdminCaller(pub Caller);

impl FromRequestParts<AppState> for AdminCaller {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let AuthCaller(caller) = AuthCaller::from_request_parts(parts, state).await?;
        caller.require_admin()?;
        Ok(Self(caller))
    }
}

/// The id a URL names: one that cannot exist is simply not found.
pub(super) fn path_id<T: FromStr<Err = IdError>>(
    text: &str,
    what: &str,
) -> Result<T, ServiceError> {
    text.parse().map_err(|_| ServiceError::NotFound {
        code: "not_found",
        message: format!("No such {what}."),
    })
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/login",
    tag = "admin",
    summary = "Sign in: an admin session token (ans_…), the only source of admin power; throttled per admin id and per client (429 with Retry-After)",
    request_body = SignIn,
    responses((status = 200, description = "Signed in", body = SignedIn))
)]
pub(in crate::http) async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(body): ApiJson<SignIn>,
) -> Result<Json<SignedIn>, HttpError> {
    Ok(Json(
        accounts::sign_in(&state.services, &body, client).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Revocation {
    /// The host token's id.
    jti: String,
}

/// Refuses a host token id everywhere from now on.
#[utoipa::path(
    post,
    path = "/api/v1/admin/revoked-tokens",
    tag = "admin",
    summary = "Refuse a host token id (jti) on every endpoint and stream from now on",
    request_body = Revocation,
    responses((status = 204, description = "Refused from now on")),
    security(("bearer" = []))
)]
pub(in crate::http) async fn revoke_token(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiJson(body): ApiJson<Revocation>,
) -> Result<StatusCode, HttpError> {
    let settings = &state.services.settings;
    access::revoke_token(
        state.services.accounts.as_ref(),
        &body.jti,
        settings.max_token_ttl,
    )
    .await?;
    tracing::info!(admin = %caller.id, "a token id was revoked");
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/logout",
    tag = "admin",
    summary = "End the session, on every endpoint and open stream at once",
    responses((status = 204, description = "Signed out")),
    security(("bearer" = []))
)]
pub(in crate::http) async fn sign_out(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
) -> Result<StatusCode, HttpError> {
    accounts::sign_out(&state.services, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

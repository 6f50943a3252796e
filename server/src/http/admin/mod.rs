//! The admin REST endpoints, a module per resource (templates, groups and their
//! Notification Type tab, agents, provider accounts), plus sign-in and the audit log.

mod agents;
mod groups;
mod providers;
mod templates;

use super::error::HttpError;
use super::extract::{ApiJson, ApiQuery, AuthCaller};
use super::AppState;
use app::domain::{AuditEntry, IdError, SignIn, SignedIn};
use app::service::{accounts, admin, AuditFilter, Caller, ServiceError};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use std::str::FromStr;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/login", post(login))
        .route("/api/v1/admin/logout", post(logout))
        .route("/api/v1/admin/audit", get(audit))
        .merge(templates::router())
        .merge(groups::router())
        .merge(agents::router())
        .merge(providers::router())
}

/// A signed-in admin: a valid admin token whose session (if any) is still open.
pub struct AdminCaller(pub Caller);

impl FromRequestParts<AppState> for AdminCaller {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let AuthCaller(caller) = AuthCaller::from_request_parts(parts, state).await?;
        accounts::require_admin_session(&state.services, &caller).await?;
        Ok(Self(caller))
    }
}

/// The id a URL names: one that cannot exist is simply not found.
fn path_id<T: FromStr<Err = IdError>>(text: &str, what: &str) -> Result<T, ServiceError> {
    text.parse().map_err(|_| ServiceError::NotFound {
        code: "not_found",
        message: format!("No such {what}."),
    })
}

async fn login(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<SignIn>,
) -> Result<Json<SignedIn>, HttpError> {
    Ok(Json(accounts::sign_in(&state.services, &body).await?))
}

async fn logout(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
) -> Result<StatusCode, HttpError> {
    accounts::sign_out(&state.services, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
    entity: Option<String>,
    actor: Option<String>,
    limit: Option<u32>,
}

async fn audit(
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
        admin::audit_log(&state.services, &caller, filter).await?,
    ))
}

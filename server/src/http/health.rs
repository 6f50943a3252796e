//! Liveness, readiness and the OpenAPI document.

use super::error::HttpError;
use super::extract::client_addr;
use super::AppState;
use app::api::ErrorBody;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use secrecy::ExposeSecret;
use serde_json::{json, Value};

const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// A standalone worker's own small HTTP surface: `/healthz` and `/metrics`.
pub fn worker_router(
    metrics: std::sync::Arc<crate::metrics::Metrics>,
    queue: std::sync::Arc<dyn app::service::JobQueue>,
) -> Router {
    let scrape = move || {
        let (metrics, queue) = (metrics.clone(), queue.clone());
        async move {
            (
                [(axum::http::header::CONTENT_TYPE, PROMETHEUS_TEXT)],
                crate::metrics::scrape(&metrics, queue.as_ref()).await,
            )
        }
    };
    Router::new()
        .route("/healthz", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/metrics", get(scrape))
}

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

/// Whether a request may see operations detail: with `ops.token` set, it carries it
/// (`Authorization: Bearer`); without, it comes from this machine.
pub struct OpsAccess(pub bool);

impl FromRequestParts<AppState> for OpsAccess {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let allowed = match &state.ops_token {
            Some(token) => parts
                .headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .is_some_and(|given| {
                    crate::providers::same_bytes(
                        given.trim().as_bytes(),
                        token.expose_secret().as_bytes(),
                    )
                }),
            None => client_addr(&parts.extensions).is_some_and(|ip| ip.is_loopback()),
        };
        Ok(Self(allowed))
    }
}

/// Whether the process answers.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Health {
    /// `ok`, or `unavailable` (readiness only).
    status: &'static str,
}

#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    summary = "Liveness",
    responses((status = 200, description = "The process answers", body = Health))
)]
async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    summary = "Readiness of each backend (backend detail only with the ops token, or from loopback when none is set)",
    responses(
        (status = 200, description = "Every backend answers", body = Object),
        (status = 503, description = "A backend does not answer", body = Object)
    )
)]
async fn readyz(
    State(state): State<AppState>,
    OpsAccess(detail): OpsAccess,
) -> (StatusCode, Json<Value>) {
    let s = &state.services;
    let config = s.config.ping().await;
    let status = s.status.ping().await;
    let queue = s.queue.depth().await;
    let ok = config.is_ok() && status.is_ok() && queue.is_ok();
    let word = |ok: bool| if ok { "ok" } else { "unavailable" };
    let code = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    if !detail {
        return (code, Json(json!({ "status": word(ok) })));
    }
    let body = json!({
        "status": word(ok),
        "checks": {
            "config_store": word(config.is_ok()),
            "status_store": word(status.is_ok()),
            "queue": word(queue.is_ok()),
        },
        "backends": state.backends,
        "queue_depth": queue.ok(),
    });
    (code, Json(body))
}

#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    summary = "Prometheus metrics: queue depth and pending jobs, jobs handled by outcome, job latency histogram",
    responses(
        (status = 200, description = "The metrics", body = String, content_type = "text/plain"),
        (status = 401, description = "Not the operations token", body = ErrorBody)
    ),
    security(("ops" = []))
)]
async fn metrics(
    State(state): State<AppState>,
    OpsAccess(allowed): OpsAccess,
) -> Result<([(axum::http::HeaderName, &'static str); 1], String), HttpError> {
    if !allowed {
        return Err(HttpError::new(
            StatusCode::UNAUTHORIZED,
            "ops_only",
            "The metrics need the operations token (ops.token) as Authorization: Bearer <token>.",
        ));
    }
    Ok((
        [(axum::http::header::CONTENT_TYPE, PROMETHEUS_TEXT)],
        crate::metrics::scrape(&state.metrics, state.services.queue.as_ref()).await,
    ))
}

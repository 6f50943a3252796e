//! The HTTP surface: REST handlers (one module per resource, each with its router),
//! server functions, the pages, health — and the layers every request passes.

pub mod admin;
pub mod agent;
mod assets;
pub mod error;
pub mod extract;
pub mod health;
pub mod keys;
pub mod notifications;
mod numbering;
pub mod openapi;
pub mod opt_outs;
pub mod queues;
pub mod serve;
pub mod site;
pub mod streams;
pub mod webhooks;

use crate::config::Settings;
use app::service::Services;
use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use std::any::Any;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The use cases' adapters.
    pub services: Services,
    /// The provider accounts (webhooks).
    pub directory: std::sync::Arc<crate::providers::Directory>,
    /// The in-process worker's delivery metrics.
    pub metrics: std::sync::Arc<crate::metrics::Metrics>,
    /// Which backends this process uses.
    pub backends: crate::config::BackendNames,
    /// Open event streams per caller.
    pub streams: std::sync::Arc<streams::StreamSlots>,
    /// Cancelled when the process stops (event streams end).
    pub shutdown: tokio_util::sync::CancellationToken,
    /// The token `/metrics` and the readiness details need (`ops.token`); none: they
    /// are answered to loopback clients only.
    pub ops_token: Option<std::sync::Arc<secrecy::SecretString>>,
}

/// The whole application's router.
pub fn router(state: AppState, settings: &Settings) -> Router {
    let services = state.services.clone();
    let server_fns = any(move |request: Request<Body>| {
        let services = services.clone();
        let client = extract::client_addr(request.extensions());
        async move {
            let response = leptos_axum::handle_server_fns_with_context(
                move || {
                    leptos::prelude::provide_context(services.clone());
                    leptos::prelude::provide_context(app::service::ClientAddress(client));
                },
                request,
            )
            .await
            .into_response();
            malformed_arguments_are_400(response).await
        }
    });
    // Every request but an event stream is answered within the request timeout.
    let timeout = TimeoutLayer::with_status_code(
        StatusCode::SERVICE_UNAVAILABLE,
        Duration::from_secs(settings.http.request_timeout_secs.max(1)),
    );
    let api = Router::new()
        .merge(agent::router())
        .merge(admin::router())
        .merge(queues::router())
        .merge(keys::router())
        .merge(notifications::router())
        .merge(health::router())
        .merge(openapi::router())
        .route("/api/fn/{*name}", server_fns)
        .route("/api/{*rest}", any(error::not_found))
        .layer(timeout)
        .merge(streams::router())
        .method_not_allowed_fallback(error::method_not_allowed);
    let router = Router::new()
        .merge(api)
        .merge(numbering::router())
        .merge(site::router(
            &settings.site,
            &settings.embed.allowed_origins,
            settings.phone.default_country,
        ))
        .fallback_service(
            site::static_files(&settings.site).not_found_service(any(error::not_found)),
        )
        .layer(RequestBodyLimitLayer::new(settings.http.body_limit_bytes))
        // Providers batch events (Meta: up to 1,000 per request): webhooks take more.
        .merge(webhooks::router().layer(RequestBodyLimitLayer::new(webhooks::BODY_LIMIT)))
        // An opt-out import is a file.
        .merge(
            opt_outs::router()
                .layer(timeout)
                .layer(RequestBodyLimitLayer::new(opt_outs::BODY_LIMIT)),
        )
        .layer(axum::middleware::map_response(plain_errors_as_json))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<Body>| {
                    // The route, never the URL: query strings can carry tokens and numbers.
                    let route = request
                        .extensions()
                        .get::<MatchedPath>()
                        .map_or("unmatched", MatchedPath::as_str)
                        .to_owned();
                    tracing::info_span!("request", method = %request.method(), route)
                })
                // Failures are logged where they happen (internal errors once, with
                // detail); a client's mistake is not an error of ours.
                .on_failure(()),
        )
        .with_state(state);
    site::with_security_headers(router)
}

/// Leptos answers arguments it cannot read (a missing `token`, an unknown channel)
/// with 500; they are the client's mistake: 400, as on the REST API.
async fn malformed_arguments_are_400(response: Response) -> Response {
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let malformed = serde_json::from_slice::<app::api::ApiError>(&bytes)
        .is_ok_and(|e| e.code == "malformed_request");
    if malformed {
        parts.status = StatusCode::BAD_REQUEST;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The body-limit and timeout layers answer without a body; give them the API's shape.
async fn plain_errors_as_json(response: Response) -> Response {
    let plain = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_none_or(|v| v != "application/json");
    match response.status() {
        StatusCode::PAYLOAD_TOO_LARGE if plain => error::payload_too_large().into_response(),
        StatusCode::SERVICE_UNAVAILABLE if plain => error::HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            "The server took too long to answer; try again.",
        )
        .into_response(),
        _ => response,
    }
}

fn panic_response(_: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    error::HttpError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal_error",
        "Something went wrong on our side. It has been logged.",
    )
    .into_response()
}

//! A process whose backends are not all up at start waits for them instead of exiting
//! (which an orchestrator would turn into a crash loop): each is tried again with
//! backoff, logged; meanwhile `/healthz` answers 200, `/readyz` answers 503 naming what
//! is missing, and every other request 503 `starting`. Then the application's router
//! takes over.

use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde_json::json;
use std::collections::BTreeSet;
use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// The longest wait between two tries.
const MOST_BACKOFF: Duration = Duration::from_secs(30);

/// The backends a starting process still waits for.
#[derive(Default)]
pub struct Waiting {
    missing: Mutex<BTreeSet<&'static str>>,
}

impl Waiting {
    /// Runs `connect` until it succeeds (or the process is stopped), naming `what` as
    /// missing meanwhile.
    pub async fn until_up<T, Fut>(
        &self,
        what: &'static str,
        shutdown: &CancellationToken,
        connect: impl Fn() -> Fut,
    ) -> anyhow::Result<T>
    where
        Fut: Future<Output = anyhow::Result<T>>,
    {
        let mut backoff = Duration::from_millis(250);
        loop {
            match connect().await {
                Ok(up) => {
                    self.lock().remove(what);
                    return Ok(up);
                }
                Err(e) => {
                    self.lock().insert(what);
                    tracing::warn!(backend = what, error = %format!("{e:#}"), retry_in_ms = backoff.as_millis() as u64, "a backend is not reachable yet; waiting for it");
                }
            }
            tokio::select! {
                () = shutdown.cancelled() => anyhow::bail!("stopped while waiting for the {what}"),
                () = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(MOST_BACKOFF);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeSet<&'static str>> {
        self.missing.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn names(&self) -> Vec<&'static str> {
        self.lock().iter().copied().collect()
    }
}

/// The router a process serves from the moment it listens: the answers above while
/// `app` is unset, `app` itself once set.
pub fn front(app: Arc<OnceLock<Router>>, waiting: Arc<Waiting>) -> Router {
    Router::new().fallback(move |request: Request<Body>| {
        let (app, waiting) = (app.clone(), waiting.clone());
        async move {
            match app.get() {
                Some(router) => router.clone().oneshot(request).await.into_response(),
                None => starting(request.uri().path(), &waiting),
            }
        }
    })
}

fn starting(path: &str, waiting: &Waiting) -> Response {
    let missing = waiting.names();
    match path {
        "/healthz" => Json(json!({"status": "ok"})).into_response(),
        "/readyz" => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "starting", "waiting_for": missing})),
        )
            .into_response(),
        _ => {
            let message = if missing.is_empty() {
                "The server is starting; try again in a moment.".to_owned()
            } else {
                format!(
                    "The server is starting: waiting for the {}.",
                    missing.join(" and the ")
                )
            };
            let body = json!({"error": {"code": "starting", "message": message}});
            let mut response = (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response();
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("5"),
            );
            response
        }
    }
}

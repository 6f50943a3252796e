//! Startup as a library, in three named parts: [`Backends::connect`] (connecting the
//! backends, `backends.rs`, waiting for those not up yet, `waiting.rs`),
//! [`Backends::bootstrap`] (the first-run data, `bootstrap.rs`) and the running
//! [`Application`] here (the router, the worker, the retention loop; serve until told
//! to stop, then shut down gracefully). `main.rs` and the black-box tests both go
//! through [`Application::build`].

mod backends;
mod bootstrap;
pub mod waiting;

pub use backends::{open_sql_store, Backends};
pub use bootstrap::random_password;

use crate::config::Settings;
use crate::http::{self, AppState};
use crate::worker;
use anyhow::Context;
use app::service::retention::{self, Retention};
use app::service::Services;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use waiting::Waiting;

/// Whether this process runs the delivery worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkerMode {
    /// API and an in-process worker (the embedded default).
    InProcess,
    /// API only (`serve --no-worker`).
    None,
}

/// A running server (and, unless disabled, its worker).
pub struct Application {
    addr: SocketAddr,
    server: JoinHandle<()>,
    worker: Option<JoinHandle<()>>,
    shutdown: CancellationToken,
}

impl Application {
    /// Binds the listen address (port 0 picks a free port) and serves at once; waits
    /// for the backends (answering `/healthz`, and `/readyz` with what is missing,
    /// meanwhile), then serves the application and starts the worker.
    pub async fn build(settings: &Settings, mode: WorkerMode) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(settings.site.addr)
            .await
            .with_context(|| format!("binding {}", settings.site.addr))?;
        let addr = listener.local_addr()?;
        let shutdown = CancellationToken::new();
        let waiting = Arc::new(Waiting::default());
        let app = Arc::new(OnceLock::new());
        let stop = shutdown.clone();
        let front = waiting::front(app.clone(), waiting.clone());
        let header_timeout = Duration::from_secs(settings.http.header_timeout_secs.max(1));
        let server = tokio::spawn(http::serve::serve(listener, front, header_timeout, stop));
        let ready = Self::ready(settings, mode, addr, &waiting, &shutdown).await;
        let (router, worker) = match ready {
            Ok(ready) => ready,
            Err(e) => {
                shutdown.cancel();
                let _ = server.await;
                return Err(e);
            }
        };
        let _ = app.set(router);
        Ok(Self {
            addr,
            server,
            worker,
            shutdown,
        })
    }

    /// The backends connected and bootstrapped: the application's router, and the
    /// worker when this process runs one.
    async fn ready(
        settings: &Settings,
        mode: WorkerMode,
        addr: SocketAddr,
        waiting: &Waiting,
        shutdown: &CancellationToken,
    ) -> anyhow::Result<(axum::Router, Option<JoinHandle<()>>)> {
        let public_url = settings.public_url(addr);
        let backends = Backends::connect(settings, &public_url, waiting, shutdown).await?;
        backends.bootstrap(settings).await?;
        let metrics = backends.metrics.clone();
        let worker = (mode == WorkerMode::InProcess).then(|| {
            tokio::spawn(worker::run(
                backends.services.clone(),
                crate::worker::WorkerOptions::of(settings),
                metrics.clone(),
                shutdown.clone(),
            ))
        });
        tokio::spawn(keep_within_retention(
            backends.services.clone(),
            settings.retention.policy(),
            shutdown.clone(),
        ));
        let router = http::router(
            AppState {
                services: backends.services,
                directory: backends.directory,
                metrics,
                backends: settings.backend_names(),
                streams: Arc::new(http::streams::StreamSlots::new(
                    settings.http.streams_per_caller.max(1),
                    Duration::from_secs(settings.http.stream_recheck_secs.max(1)),
                )),
                shutdown: shutdown.clone(),
                ops_token: settings.ops.token.clone().map(Arc::new),
            },
            settings,
        );
        Ok((router, worker))
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.addr)
    }

    /// A token that stops the server (as SIGTERM would).
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Serves until Ctrl-C, SIGTERM or the shutdown token; then stops taking
    /// connections, lets open requests and in-flight jobs finish (event streams end),
    /// and returns.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        tokio::spawn(signal_shutdown(self.shutdown.clone()));
        self.server.await.context("the HTTP server task failed")?;
        if let Some(worker) = self.worker {
            worker.await.context("the worker task failed")?;
        }
        Ok(())
    }
}

/// Runs a standalone worker until Ctrl-C or SIGTERM (`agent-notify worker`).
pub async fn run_worker(settings: &Settings) -> anyhow::Result<()> {
    let public_url = settings.public_url(settings.site.addr);
    let shutdown = CancellationToken::new();
    tokio::spawn(signal_shutdown(shutdown.clone()));
    let backends = Backends::connect(settings, &public_url, &Waiting::default(), &shutdown).await?;
    let metrics = backends.metrics.clone();
    if let Some(addr) = settings.worker.metrics_addr {
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding worker.metrics_addr {addr}"))?;
        let router = http::health::worker_router(metrics.clone(), backends.services.queue.clone());
        let stop = shutdown.clone();
        tracing::info!(%addr, "worker metrics at /metrics");
        tokio::spawn(async move {
            let served = axum::serve(listener, router)
                .with_graceful_shutdown(async move { stop.cancelled().await })
                .await;
            if let Err(e) = served {
                tracing::warn!(error = %e, "the worker's metrics server stopped");
            }
        });
    }
    worker::run(
        backends.services,
        crate::worker::WorkerOptions::of(settings),
        metrics,
        shutdown,
    )
    .await;
    Ok(())
}

/// Cancels `token` on Ctrl-C or SIGTERM.
async fn signal_shutdown(token: CancellationToken) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
        () = token.cancelled() => return,
    }
    tracing::info!("shutting down: finishing open requests and in-flight jobs");
    token.cancel();
}

/// How often serving processes purge what is past its retention.
const PURGE_EVERY: Duration = Duration::from_secs(3600);

/// Purges what is past its retention soon after start, then every hour, until
/// shutdown (each serving process does; the purge is idempotent).
async fn keep_within_retention(services: Services, keep: Retention, shutdown: CancellationToken) {
    let mut wait = Duration::from_secs(5);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(wait) => {}
        }
        wait = PURGE_EVERY;
        match retention::purge(&services, keep).await {
            Ok(purged) => tracing::info!(
                erased = purged.messages,
                idempotency_keys = purged.idempotency_keys,
                expired = purged.expired,
                "retention purge"
            ),
            Err(e) => tracing::warn!(error = %e, "retention purge failed; trying again later"),
        }
    }
}

//! Startup as a library: build the adapters from the settings, the router, the
//! worker; serve until told to stop, then shut down gracefully. `main.rs` and the
//! black-box tests both go through [`Application::build`].

use crate::auth::{credentials_key, token_secret, JwtAuth};
use crate::config::{DefaultProvider, QueueBackend, Settings, StatusBackend};
use crate::crm::HttpCustomerLookup;
use crate::feed::{BroadcastFeed, RedisFeed};
use crate::http::{self, AppState};
use crate::metrics::Metrics;
use crate::providers::pace::SlotBook;
use crate::providers::{Directory, HttpGatewayProvider, SandboxProvider};
use crate::queue::{EmbeddedQueue, RedisQueue};
use crate::starting::{self, Waiting};
use crate::store::seal::CredentialSeal;
use crate::store::{seed, MongoCollections, MongoStatusStore, SqlStore};
use crate::worker;
use anyhow::Context;
use app::domain::{CountryCode, ProviderAccountId, ProviderAccountInput, UserId};
use app::service::admin::Admin;
use app::service::retention::{self, Retention};
use app::service::status::StatusRecorder;
use app::service::{
    accounts, accounts::SignInGuard, AdminAccounts, Caller, CustomerLookup, JobQueue, Provider,
    ServiceSettings, Services, StatusFeed, StatusSink, StatusStore,
};
use secrecy::ExposeSecret;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Whether this process runs the delivery worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkerMode {
    /// API and an in-process worker (the embedded default).
    InProcess,
    /// API only (`serve --no-worker`).
    None,
}

/// The adapters, built once from the settings.
pub struct Backends {
    /// The use cases' adapters.
    pub services: Services,
    /// The provider accounts (webhooks reach them through it).
    pub directory: Arc<Directory>,
    /// This process's delivery, provider and webhook metrics.
    pub metrics: Arc<Metrics>,
    /// The SQL store (for the first-run work of [`Backends::bootstrap`]).
    store: Arc<SqlStore>,
}

impl Backends {
    /// Connects every backend the settings name, waiting for each that is not up yet
    /// (`waiting` names them meanwhile); writes nothing but the schema. `public_url` is
    /// where providers reach this server (their webhook URLs).
    pub async fn connect(
        settings: &Settings,
        public_url: &str,
        waiting: &Waiting,
        shutdown: &CancellationToken,
    ) -> anyhow::Result<Self> {
        let default_country = CountryCode::parse(&settings.phone.default_country)
            .context("phone.default_country must be an ISO 3166 alpha-2 code")?;
        // The numbering data loads while the backends connect, not on the first send.
        tokio::task::spawn_blocking(move || app::domain::PhoneNumber::warm_up(default_country));
        let store = waiting
            .until_up("database", shutdown, || open_sql_store(settings))
            .await?;
        let (queue, book) = waiting
            .until_up("queue", shutdown, || open_queue(settings))
            .await?;
        let status: Arc<dyn StatusStore> = match &settings.status.backend {
            StatusBackend::Sql => store.clone(),
            StatusBackend::Mongo { url } => {
                let c = &settings.status.collections;
                let names = MongoCollections {
                    sms: c.sms.clone(),
                    whatsapp: c.whatsapp.clone(),
                    rcs: c.rcs.clone(),
                };
                Arc::new(
                    waiting
                        .until_up("status store", shutdown, || {
                            MongoStatusStore::open(url, &names)
                        })
                        .await?,
                )
            }
        };
        let feed: Arc<dyn StatusFeed> = match &settings.queue.backend {
            QueueBackend::Redis { url } => Arc::new(RedisFeed::start(url, &settings.queue.stream)?),
            QueueBackend::Embedded => Arc::new(BroadcastFeed::new(1024)),
        };
        let recorder = Arc::new(StatusRecorder::new(status.clone(), feed.clone()));
        let metrics = Arc::new(Metrics::default());
        let directory = Arc::new(Directory::new(
            store.clone(),
            default_provider(settings, recorder.clone())?,
            &settings.providers,
            recorder,
            public_url.to_owned(),
            metrics.clone(),
            book,
        )?);
        let crm = match &settings.crm.lookup_url {
            Some(url) => {
                let timeout = Duration::from_millis(settings.crm.timeout_ms);
                Some(Arc::new(HttpCustomerLookup::new(url.clone(), timeout)?)
                    as Arc<dyn CustomerLookup>)
            }
            None => None,
        };
        let services = Services {
            auth: Arc::new(JwtAuth::new(
                &token_secret(settings)?,
                Duration::from_secs(settings.auth.max_token_ttl_secs),
            )),
            config: store.clone(),
            admin: store.clone(),
            accounts: store.clone(),
            sign_in: Arc::new(SignInGuard::default()),
            status,
            idempotency: store.clone(),
            comments: store.clone(),
            contacts: store.clone(),
            queue,
            feed,
            providers: directory.clone(),
            crm,
            settings: ServiceSettings {
                default_country,
                max_attempts: settings.worker.max_attempts.max(1),
                retry_base_delay: Duration::from_millis(settings.worker.retry_base_ms),
                handoff_lease: settings.handoff_lease(),
                embed_origins: settings
                    .embed
                    .allowed_origins
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
                public_url: public_url.to_owned(),
                register_agents_on_first_use: settings.auth.register_agents_on_first_use,
                max_token_ttl: Duration::from_secs(settings.auth.max_token_ttl_secs),
                comments_per_call: settings.retention.comments_per_call.into(),
                keywords: settings.inbound.keywords(),
                without_account: without_account(settings),
                call_grace_secs: settings.embed.call_grace_secs,
                ..ServiceSettings::default()
            },
        };
        Ok(Self {
            services,
            directory,
            metrics,
            store,
        })
    }

    /// The first-run work of a serving process: the demo data into an empty store, the
    /// first admin, and the provider accounts kept in configuration.
    pub async fn bootstrap(&self, settings: &Settings) -> anyhow::Result<()> {
        if settings.database.seed_demo && seed::seed_demo_if_empty(&self.store).await? {
            tracing::info!(
                group = seed::DEMO_GROUP,
                agent = seed::DEMO_AGENT,
                "seeded the demo data"
            );
        }
        ensure_an_admin(self.store.as_ref(), settings).await?;
        apply_configured_accounts(&self.services, settings).await
    }
}

/// Opens the SQL store and brings its schema up to date (all `migrate` does); provider
/// credentials are sealed with `auth.credentials_key`.
pub async fn open_sql_store(settings: &Settings) -> anyhow::Result<Arc<SqlStore>> {
    std::fs::create_dir_all(&settings.data_dir).with_context(|| {
        format!(
            "creating the data directory {}",
            settings.data_dir.display()
        )
    })?;
    let previous = settings
        .auth
        .previous_credentials_keys
        .iter()
        .map(|k| k.expose_secret().to_owned())
        .collect::<Vec<_>>();
    let seal = CredentialSeal::new(credentials_key(settings)?.expose_secret(), &previous);
    let store = SqlStore::open(&settings.database.url, settings.database.max_connections).await?;
    Ok(Arc::new(store.sealing_credentials(seal)))
}

/// The gateway queue; with Redis, its server also keeps the send pace shared by every
/// worker (the slot book).
async fn open_queue(
    settings: &Settings,
) -> anyhow::Result<(Arc<dyn JobQueue>, Option<Arc<dyn SlotBook>>)> {
    let visibility = Duration::from_secs(settings.queue.visibility_timeout_secs);
    Ok(match &settings.queue.backend {
        QueueBackend::Embedded => {
            let path = settings.data_dir.join("queue.db");
            (
                Arc::new(EmbeddedQueue::open(&path, visibility).await?),
                None,
            )
        }
        QueueBackend::Redis { url } => {
            let redis = Arc::new(RedisQueue::open(url, &settings.queue.stream, visibility).await?);
            (redis.clone(), Some(redis))
        }
    })
}

/// Who sends the messages no provider account applies to.
fn default_provider(
    settings: &Settings,
    sink: Arc<dyn StatusSink>,
) -> anyhow::Result<Arc<dyn Provider>> {
    Ok(match &settings.providers.default {
        DefaultProvider::Http(http) => Arc::new(HttpGatewayProvider::new(
            http.url.clone(),
            http.token.clone(),
            http.timeout,
        )?),
        DefaultProvider::Sandbox => Arc::new(SandboxProvider::new(
            sink,
            Duration::from_millis(settings.providers.sandbox.sent_after_ms),
            Duration::from_millis(settings.providers.sandbox.delivered_after_ms),
        )),
        // Sends are refused before they are recorded; a message queued before its
        // account was removed fails with this reason.
        DefaultProvider::None => Arc::new(crate::providers::Misconfigured::new(
            "none",
            "No provider account sends on this channel any more.",
        )),
    })
}

/// How a channel with no provider account sends, as the service sees it.
fn without_account(settings: &Settings) -> app::domain::Sending {
    match settings.providers.default {
        DefaultProvider::Sandbox => app::domain::Sending::Sandbox,
        DefaultProvider::Http(_) => app::domain::Sending::Gateway,
        DefaultProvider::None => app::domain::Sending::Unavailable,
    }
}

/// On an empty database, creates the admin `admin` with the configured initial password
/// or a random one, printed once (never a fixed default).
async fn ensure_an_admin(store: &dyn AdminAccounts, settings: &Settings) -> anyhow::Result<()> {
    if accounts::has_admins(store).await? {
        return Ok(());
    }
    let (password, generated) = match &settings.auth.initial_admin_password {
        Some(p) => (p.expose_secret().to_owned(), false),
        None => (random_password(), true),
    };
    accounts::set_admin_password(store, "admin", &password).await?;
    if generated {
        println!();
        println!("  First run: created the admin account `admin` with this one-time password:");
        println!();
        println!("      {password}");
        println!();
        println!("  Keep it safe (it is not shown again); `agent-notify admin create --id admin` sets a new one.");
        println!();
    }
    Ok(())
}

/// Writes the provider accounts kept in configuration to the settings store. Unchanged
/// ones are left alone, so the audit log (actor `config`) records only real changes.
async fn apply_configured_accounts(services: &Services, settings: &Settings) -> anyhow::Result<()> {
    if settings.providers.accounts.is_empty() {
        return Ok(());
    }
    let stored = services.admin.provider_accounts().await?;
    let caller = Caller::admin(UserId::parse("config")?);
    for (id, configured) in &settings.providers.accounts {
        let credentials: BTreeMap<String, String> = configured
            .credentials
            .iter()
            .map(|(k, v)| (k.clone(), v.expose_secret().to_owned()))
            .collect();
        let display_name = configured
            .display_name
            .clone()
            .unwrap_or_else(|| id.clone());
        let id = ProviderAccountId::parse(id)
            .map_err(|e| anyhow::anyhow!("providers.accounts.{id}: the id {e}"))?;
        let existing = stored.iter().find(|a| a.account.id == id);
        let unchanged = existing.is_some_and(|a| {
            a.account.provider == configured.provider
                && a.account.channel == configured.channel
                && a.account.sender == configured.sender.trim()
                && a.account.display_name == display_name
                && a.account.default == configured.default
                && a.credentials == credentials
        });
        if unchanged {
            continue;
        }
        let input = ProviderAccountInput {
            id: Some(id.clone()),
            channel: configured.channel,
            provider: configured.provider.clone(),
            display_name,
            sender: configured.sender.clone(),
            credentials,
            default: configured.default,
            // An allow list set on the settings page stays.
            allow_list: existing
                .and_then(|e| e.account.allow_list.as_ref())
                .map(|list| list.iter().map(ToString::to_string).collect()),
            // So do the key, the description and the recontact template.
            key: None,
            description: None,
            recontact_template: existing.and_then(|e| e.account.recontact_template.clone()),
        };
        Admin::new(services, &caller)?
            .save_provider_account(input, existing.map(|_| &id))
            .await
            .map_err(|e| anyhow::anyhow!("providers.accounts.{id}: {e}"))?;
        tracing::info!(account = %id, "provider account written from the configuration");
    }
    Ok(())
}

/// 20 random letters and digits.
pub fn random_password() -> String {
    use rand::distr::{Alphanumeric, SampleString};
    Alphanumeric.sample_string(&mut rand::rng(), 20)
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
        let front = starting::front(app.clone(), waiting.clone());
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

//! Startup as a library: build the adapters from the settings, the router, the
//! worker; serve until told to stop, then shut down gracefully. `main.rs` and the
//! black-box tests both go through [`Application::build`].

use crate::auth::{credentials_key, token_secret, JwtAuth};
use crate::config::Settings;
use crate::crm::HttpCustomerLookup;
use crate::feed::BroadcastFeed;
use crate::http::{self, AppState};
use crate::metrics::Metrics;
use crate::providers::pace::SlotBook;
use crate::providers::{Directory, HttpGatewayProvider, SandboxProvider};
use crate::queue::{EmbeddedQueue, RedisQueue};
use crate::store::seal::CredentialSeal;
use crate::store::{seed, MongoCollections, MongoStatusStore, SqlStore};
use crate::worker;
use anyhow::{bail, Context};
use app::domain::CountryCode;
use app::domain::{ProviderAccountInput, UserId};
use app::service::status::StatusRecorder;
use app::service::{
    accounts, admin, Caller, CustomerLookup, JobQueue, Provider, ServiceSettings, Services,
    StatusStore,
};
use secrecy::ExposeSecret;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
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
    /// Records provider status reports.
    pub recorder: Arc<StatusRecorder>,
    /// Signs and checks tokens.
    pub auth: Arc<JwtAuth>,
    /// The provider accounts (webhooks reach them through it).
    pub directory: Arc<Directory>,
    /// This process's delivery, provider and webhook metrics.
    pub metrics: Arc<Metrics>,
}

impl Backends {
    /// Connects every backend the settings name; seeds demo data into an empty store.
    /// `public_url` is where providers reach this server (their webhook URLs).
    pub async fn build(settings: &Settings, public_url: &str) -> anyhow::Result<Self> {
        if settings.queue.url != "embedded" && !settings.queue.url.starts_with("redis") {
            bail!("queue.url: use `embedded` or a redis:// url");
        }
        let mongo = settings.status.url.starts_with("mongodb:")
            || settings.status.url.starts_with("mongodb+srv:");
        if settings.status.url != "embedded" && !mongo {
            bail!("status.url: use `embedded` or a mongodb:// url");
        }
        if !matches!(settings.providers.default.as_str(), "sandbox" | "http") {
            bail!("providers.default: use `sandbox` or `http` (provider accounts come from the admin page)");
        }
        for origin in &settings.embed.allowed_origins {
            let valid = origin.split_once("://").is_some_and(|(scheme, host)| {
                matches!(scheme, "http" | "https")
                    && !host.is_empty()
                    && host.chars().all(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']')
                    })
            });
            if !valid {
                bail!("embed.allowed_origins: `{origin}` is not an origin like https://phone.example.com");
            }
        }
        let default_country = CountryCode::parse(&settings.phone.default_country)
            .context("phone.default_country must be an ISO 3166 alpha-2 code")?;
        std::fs::create_dir_all(&settings.data_dir).with_context(|| {
            format!(
                "creating the data directory {}",
                settings.data_dir.display()
            )
        })?;
        let seal = CredentialSeal::new(credentials_key(settings)?.expose_secret());
        let store = Arc::new(
            SqlStore::open(&settings.database.url, settings.database.max_connections)
                .await?
                .sealing_credentials(seal),
        );
        if settings.database.seed_demo && seed::seed_demo_if_empty(&store).await? {
            tracing::info!(
                group = seed::DEMO_GROUP,
                agent = seed::DEMO_AGENT,
                "seeded the demo data"
            );
        }
        let visibility = Duration::from_secs(settings.queue.visibility_timeout_secs);
        // With Redis, its server also keeps the send pace shared by every worker.
        let (queue, book): (Arc<dyn JobQueue>, Option<Arc<dyn SlotBook>>) = if settings.queue.url
            == "embedded"
        {
            let path = settings.data_dir.join("queue.db");
            (
                Arc::new(EmbeddedQueue::open(&path, visibility).await?),
                None,
            )
        } else {
            let redis = Arc::new(
                RedisQueue::open(&settings.queue.url, &settings.queue.stream, visibility).await?,
            );
            (redis.clone(), Some(redis))
        };
        let status: Arc<dyn StatusStore> = if mongo {
            let c = &settings.status.collections;
            let names = MongoCollections {
                sms: c.sms.clone(),
                whatsapp: c.whatsapp.clone(),
                rcs: c.rcs.clone(),
            };
            Arc::new(MongoStatusStore::open(&settings.status.url, &names).await?)
        } else {
            store.clone()
        };
        let feed = Arc::new(BroadcastFeed::new(1024));
        let recorder = Arc::new(StatusRecorder::new(status.clone(), feed.clone()));
        let default_provider: Arc<dyn Provider> = if settings.providers.default == "http" {
            let http = &settings.providers.http;
            let url = http
                .url
                .clone()
                .context("providers.http.url must be set for providers.default = \"http\"")?;
            Arc::new(HttpGatewayProvider::new(
                url,
                http.token.clone(),
                Duration::from_millis(http.timeout_ms),
                recorder.clone(),
            )?)
        } else {
            Arc::new(SandboxProvider::new(
                recorder.clone(),
                Duration::from_millis(settings.providers.sandbox.sent_after_ms),
                Duration::from_millis(settings.providers.sandbox.delivered_after_ms),
            ))
        };
        let metrics = Arc::new(Metrics::default());
        let directory = Arc::new(Directory::new(
            store.clone(),
            default_provider,
            &settings.providers,
            recorder.clone(),
            public_url.to_owned(),
            metrics.clone(),
            book,
        )?);
        let auth = Arc::new(JwtAuth::new(&token_secret(settings)?));
        let crm = match &settings.crm.lookup_url {
            Some(url) => {
                let timeout = Duration::from_millis(settings.crm.timeout_ms);
                Some(Arc::new(HttpCustomerLookup::new(url.clone(), timeout)?)
                    as Arc<dyn CustomerLookup>)
            }
            None => None,
        };
        let services = Services {
            auth: auth.clone(),
            config: store.clone(),
            admin: store.clone(),
            accounts: store.clone(),
            status,
            idempotency: store.clone(),
            comments: store,
            queue,
            feed,
            providers: directory.clone(),
            crm,
            settings: ServiceSettings {
                default_country,
                max_attempts: settings.worker.max_attempts.max(1),
                retry_base_delay: Duration::from_millis(settings.worker.retry_base_ms),
                embed_origins: settings.embed.allowed_origins.clone(),
                ..ServiceSettings::default()
            },
        };
        ensure_an_admin(&services, settings).await?;
        apply_configured_accounts(&services, settings, public_url).await?;
        Ok(Self {
            services,
            recorder,
            auth,
            directory,
            metrics,
        })
    }
}

/// On an empty database, creates the admin `admin` with the configured initial password
/// or a random one, printed once (never a fixed default).
async fn ensure_an_admin(services: &Services, settings: &Settings) -> anyhow::Result<()> {
    if accounts::has_admins(services).await? {
        return Ok(());
    }
    let (password, generated) = match &settings.auth.initial_admin_password {
        Some(p) => (p.expose_secret().to_owned(), false),
        None => (random_password(), true),
    };
    accounts::set_admin_password(services, "admin", &password).await?;
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
async fn apply_configured_accounts(
    services: &Services,
    settings: &Settings,
    public_url: &str,
) -> anyhow::Result<()> {
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
        let existing = stored.iter().find(|a| &a.account.id == id);
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
        };
        admin::save_provider_account(
            services,
            &caller,
            input,
            existing.map(|_| id.as_str()),
            public_url,
        )
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
    listener: TcpListener,
    router: axum::Router,
    worker: Option<JoinHandle<()>>,
    shutdown: CancellationToken,
}

impl Application {
    /// Builds the backends, binds the listen address (port 0 picks a free port) and
    /// starts the worker.
    pub async fn build(settings: &Settings, mode: WorkerMode) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(settings.site.addr)
            .await
            .with_context(|| format!("binding {}", settings.site.addr))?;
        let public_url = settings.public_url(listener.local_addr()?);
        let backends = Backends::build(settings, &public_url).await?;
        let metrics = backends.metrics.clone();
        let shutdown = CancellationToken::new();
        let worker = (mode == WorkerMode::InProcess).then(|| {
            tokio::spawn(worker::run(
                backends.services.clone(),
                backends.recorder.clone(),
                settings.worker.concurrency,
                Duration::from_secs(settings.queue.sweep_after_secs),
                metrics.clone(),
                shutdown.clone(),
            ))
        });
        let router = http::router(
            AppState {
                services: backends.services,
                recorder: backends.recorder,
                directory: backends.directory,
                public_url,
                metrics,
                backends: settings.backend_names(),
            },
            settings,
        );
        Ok(Self {
            listener,
            router,
            worker,
            shutdown,
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// A token that stops the server (as SIGTERM would).
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Serves until Ctrl-C, SIGTERM or the shutdown token; then stops taking
    /// connections, lets open requests and in-flight jobs finish, and returns.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let shutdown = self.shutdown.clone();
        tokio::spawn(signal_shutdown(shutdown.clone()));
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await
            .context("serving HTTP")?;
        if let Some(worker) = self.worker {
            worker.await.context("the worker task failed")?;
        }
        Ok(())
    }
}

/// Runs a standalone worker until Ctrl-C or SIGTERM (`agent-notify worker`).
pub async fn run_worker(settings: &Settings) -> anyhow::Result<()> {
    let public_url = settings.public_url(settings.site.addr);
    let backends = Backends::build(settings, &public_url).await?;
    let shutdown = CancellationToken::new();
    tokio::spawn(signal_shutdown(shutdown.clone()));
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
        backends.recorder,
        settings.worker.concurrency,
        Duration::from_secs(settings.queue.sweep_after_secs),
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

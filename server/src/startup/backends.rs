//! Connecting the backends the settings name: the SQL store, the queue, the status
//! store, the feed and the providers, waited for while they are not up.

use super::waiting::Waiting;
use crate::auth::{credentials_key, token_secret, JwtAuth};
use crate::config::{DefaultProvider, QueueBackend, Settings, StatusBackend};
use crate::crm::HttpCustomerLookup;
use crate::feed::{BroadcastFeed, RedisFeed};
use crate::metrics::Metrics;
use crate::providers::pace::SlotBook;
use crate::providers::{Directory, HttpGatewayProvider, SandboxProvider};
use crate::queue::{EmbeddedQueue, RedisQueue};
use crate::store::seal::CredentialSeal;
use crate::store::{MongoCollections, MongoStatusStore, SqlStore};
use anyhow::Context;
use app::service::accounts::SignInGuard;
use app::service::status::StatusRecorder;
use app::service::{
    CustomerLookup, JobQueue, Provider, ServiceSettings, Services, StatusFeed, StatusSink,
    StatusStore,
};
use secrecy::ExposeSecret;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The adapters, built once from the settings.
pub struct Backends {
    /// The use cases' adapters.
    pub services: Services,
    /// The provider accounts (webhooks reach them through it).
    pub directory: Arc<Directory>,
    /// This process's delivery, provider and webhook metrics.
    pub metrics: Arc<Metrics>,
    /// The SQL store (for the first-run work of [`Backends::bootstrap`]).
    pub(super) store: Arc<SqlStore>,
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
        let default_country = settings.phone.default_country;
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
            crm: crm_lookup(settings)?,
            settings: service_settings(settings, public_url),
        };
        Ok(Self {
            services,
            directory,
            metrics,
            store,
        })
    }
}

/// What the use cases are told of the settings.
fn service_settings(settings: &Settings, public_url: &str) -> ServiceSettings {
    ServiceSettings {
        default_country: settings.phone.default_country,
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
    }
}

/// The CRM's customer-details lookup, when one is configured.
fn crm_lookup(settings: &Settings) -> anyhow::Result<Option<Arc<dyn CustomerLookup>>> {
    let Some(url) = &settings.crm.lookup_url else {
        return Ok(None);
    };
    let timeout = Duration::from_millis(settings.crm.timeout_ms);
    Ok(Some(Arc::new(HttpCustomerLookup::new(
        url.clone(),
        timeout,
    )?)))
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

//! The typed settings tree: `Leptos.toml`, then `NOTIFY_<SECTION>__<KEY>` environment
//! overrides (and the `LEPTOS_*` variables cargo-leptos sets). This is the only module
//! that reads the environment.

mod backends;
mod load;
mod providers;
mod security;

pub use backends::{DatabaseUrl, Origin, QueueBackend, StatusBackend};
pub use providers::{
    CircuitSettings, ConfiguredAccount, DefaultProvider, Endpoints, HttpGateway, ProviderSettings,
    SandboxSettings,
};
pub use security::{AuthSettings, OpsSettings, RetentionSettings};

use anyhow::Context;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Every setting of the server.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Where the embedded defaults keep their files (SQLite databases, token secret).
    pub data_dir: PathBuf,
    /// Where the site is served from and its assets live.
    pub site: SiteSettings,
    /// The config store (templates, groups, agents): `sqlite://…` or `mysql://…`.
    pub database: DatabaseSettings,
    /// The gateway queue.
    pub queue: QueueSettings,
    /// The status store.
    pub status: StatusSettings,
    /// Messaging providers.
    pub providers: ProviderSettings,
    /// Token checking.
    pub auth: AuthSettings,
    /// The customer-details lookup.
    pub crm: CrmSettings,
    /// Embedding in softphone pages.
    pub embed: EmbedSettings,
    /// The delivery worker.
    pub worker: WorkerSettings,
    /// Phone-number reading.
    pub phone: PhoneSettings,
    /// HTTP limits.
    pub http: HttpSettings,
    /// Who may read `/metrics` and the readiness details.
    pub ops: OpsSettings,
    /// How long personal data is kept.
    pub retention: RetentionSettings,
    /// What customers' messages mean (opt-out and opt-in words).
    pub inbound: InboundSettings,
}

/// Where the site is served.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SiteSettings {
    /// Listen address (`LEPTOS_SITE_ADDR` overrides it).
    pub addr: SocketAddr,
    /// The built site's root folder (`LEPTOS_SITE_ROOT`).
    pub root: PathBuf,
    /// The folder under `root` holding the wasm, js and css (`LEPTOS_SITE_PKG_DIR`).
    pub pkg_dir: String,
    /// The base name of the wasm, js and css files (`LEPTOS_OUTPUT_NAME`).
    pub output_name: String,
    /// The public base URL providers reach (webhook URLs); default `http://<addr>`.
    pub public_url: Option<String>,
    /// Running under `cargo leptos watch` (`LEPTOS_WATCH`): the pages reload when the
    /// code changes, through cargo-leptos's socket on `reload_port`.
    pub watch: bool,
    /// cargo-leptos's live-reload port (`LEPTOS_RELOAD_PORT`).
    pub reload_port: u16,
}

/// The config store.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseSettings {
    /// `sqlite://data/notify.db` (embedded default) or `mysql://…`.
    pub url: DatabaseUrl,
    /// Most connections in the pool.
    pub max_connections: u32,
    /// Seed the demo group, agent and templates into an empty database.
    pub seed_demo: bool,
}

/// The gateway queue.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QueueSettings {
    /// `url`: `embedded` (SQLite file under `data_dir`) or `redis://…`.
    #[serde(rename = "url")]
    pub backend: QueueBackend,
    /// The Redis stream's name.
    pub stream: String,
    /// Seconds a taken job stays invisible before another worker may take it.
    pub visibility_timeout_secs: u64,
    /// Seconds after which a message still `queued` is queued again (a crash between
    /// recording and queueing it).
    pub sweep_after_secs: u64,
    /// Seconds after which a message `sending`, with no provider id and nothing done to
    /// it, is queued again (a retry the queue lost); above the longest retry delay.
    pub stuck_after_secs: u64,
}

/// The status store.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StatusSettings {
    /// `url`: `embedded` (the SQL database) or `mongodb://…`.
    #[serde(rename = "url")]
    pub backend: StatusBackend,
    /// MongoDB: the collection of each channel's messages.
    pub collections: StatusCollections,
}

/// MongoDB: one collection per channel.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StatusCollections {
    /// SMS messages.
    pub sms: String,
    /// WhatsApp messages.
    pub whatsapp: String,
    /// RCS messages.
    pub rcs: String,
}

impl Default for StatusCollections {
    fn default() -> Self {
        Self {
            sms: "sms".into(),
            whatsapp: "whatsapp".into(),
            rcs: "rcs".into(),
        }
    }
}

/// The customer-details lookup.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CrmSettings {
    /// The CRM's customer-details endpoint (unset: no lookup), called with `call_id`
    /// and `number` query parameters.
    pub lookup_url: Option<String>,
    /// How long the widget waits for the CRM, in milliseconds.
    pub timeout_ms: u64,
}

impl Default for CrmSettings {
    fn default() -> Self {
        Self {
            lookup_url: None,
            timeout_ms: 1500,
        }
    }
}

/// Embedding in softphone pages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmbedSettings {
    /// Origins allowed to embed the widget and receive its events.
    pub allowed_origins: Vec<Origin>,
    /// How long after the host says the call ended the agent may still send, in
    /// seconds (0: not at all).
    pub call_grace_secs: u32,
}

impl Default for EmbedSettings {
    fn default() -> Self {
        Self {
            allowed_origins: Vec::new(),
            call_grace_secs: 120,
        }
    }
}

/// The delivery worker.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkerSettings {
    /// Jobs handled at once.
    pub concurrency: usize,
    /// Attempts before a transiently failing message fails for good.
    pub max_attempts: u32,
    /// First retry delay in milliseconds (doubles each attempt, with jitter).
    pub retry_base_ms: u64,
    /// A standalone worker (`agent-notify worker`) serves `/metrics` and `/healthz`
    /// here when set (e.g. `127.0.0.1:9100`).
    pub metrics_addr: Option<SocketAddr>,
}

/// Phone-number reading.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PhoneSettings {
    /// ISO code of the country national numbers are read in (`IN`).
    pub default_country: app::domain::CountryCode,
}

/// What customers' messages mean: a message that is exactly one of these words (in
/// any case) opts its sender out of, or back into, the channel it came on.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InboundSettings {
    /// Opt-out words (add other languages' here).
    pub stop_words: Vec<String>,
    /// Opt-in words.
    pub start_words: Vec<String>,
}

impl Default for InboundSettings {
    fn default() -> Self {
        let words = app::domain::Keywords::default();
        Self {
            stop_words: words.stop,
            start_words: words.start,
        }
    }
}

impl InboundSettings {
    /// The words as the use cases read them.
    pub fn keywords(&self) -> app::domain::Keywords {
        app::domain::Keywords {
            stop: self.stop_words.clone(),
            start: self.start_words.clone(),
        }
    }
}

/// HTTP limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSettings {
    /// Largest request body accepted, in bytes.
    pub body_limit_bytes: usize,
    /// Longest a request may take (event streams excepted), in seconds; then 503.
    pub request_timeout_secs: u64,
    /// How long a client may take to send a request's headers, in seconds; then the
    /// connection is closed.
    pub header_timeout_secs: u64,
    /// Most event streams one caller may hold open.
    pub streams_per_caller: usize,
    /// How often an event stream re-reads the store, in seconds (changes the feed did
    /// not bring: it is at most once).
    pub stream_recheck_secs: u64,
}

/// Which kind of backend each store and the queue is (what `/readyz` names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct BackendNames {
    /// `sqlite` or `mysql`.
    pub config_store: &'static str,
    /// `sqlite`, `mysql` (embedded in the SQL database) or `mongodb`.
    pub status_store: &'static str,
    /// `embedded` or `redis`.
    pub queue: &'static str,
}

impl BackendNames {
    /// Whether any backend is a production one (MySQL/MariaDB, Redis or MongoDB).
    pub fn any_production(&self) -> bool {
        self.config_store != "sqlite" || self.status_store != "sqlite" || self.queue != "embedded"
    }
}

impl Settings {
    /// The kind of each backend these settings select.
    pub fn backend_names(&self) -> BackendNames {
        let sql = match self.database.url {
            DatabaseUrl::Sqlite(_) => "sqlite",
            DatabaseUrl::MySql(_) => "mysql",
        };
        BackendNames {
            config_store: sql,
            status_store: match self.status.backend {
                StatusBackend::Sql => sql,
                StatusBackend::Mongo { .. } => "mongodb",
            },
            queue: match self.queue.backend {
                QueueBackend::Embedded => "embedded",
                QueueBackend::Redis { .. } => "redis",
            },
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data"),
            site: SiteSettings::default(),
            database: DatabaseSettings::default(),
            queue: QueueSettings::default(),
            status: StatusSettings::default(),
            providers: ProviderSettings::default(),
            auth: AuthSettings::default(),
            crm: CrmSettings::default(),
            embed: EmbedSettings::default(),
            worker: WorkerSettings::default(),
            phone: PhoneSettings::default(),
            http: HttpSettings::default(),
            ops: OpsSettings::default(),
            retention: RetentionSettings::default(),
            inbound: InboundSettings::default(),
        }
    }
}

impl Default for SiteSettings {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            root: PathBuf::from("target/site"),
            pkg_dir: "pkg".into(),
            output_name: "agent-notify".into(),
            public_url: None,
            watch: false,
            reload_port: 3001,
        }
    }
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: DatabaseUrl::Sqlite("sqlite://data/notify.db".into()),
            max_connections: 8,
            seed_demo: true,
        }
    }
}

impl Default for QueueSettings {
    fn default() -> Self {
        Self {
            backend: QueueBackend::Embedded,
            stream: "gateway:realtime".into(),
            visibility_timeout_secs: 60,
            sweep_after_secs: 120,
            stuck_after_secs: 900,
        }
    }
}

impl Settings {
    /// Where providers reach this server: `site.public_url`, else `http://` and the
    /// address `bound`.
    pub fn public_url(&self, bound: SocketAddr) -> String {
        match &self.site.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{bound}"),
        }
    }
}

impl Default for StatusSettings {
    fn default() -> Self {
        Self {
            backend: StatusBackend::Sql,
            collections: StatusCollections::default(),
        }
    }
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            concurrency: 256,
            max_attempts: 5,
            retry_base_ms: 2000,
            metrics_addr: None,
        }
    }
}

impl Default for PhoneSettings {
    fn default() -> Self {
        Self {
            default_country: app::domain::CountryCode::INDIA,
        }
    }
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            body_limit_bytes: 64 * 1024,
            request_timeout_secs: 30,
            header_timeout_secs: 10,
            streams_per_caller: 6,
            stream_recheck_secs: 15,
        }
    }
}

#[cfg(test)]
mod tests;

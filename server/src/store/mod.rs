//! SQL adapters for the config, admin, accounts, status, idempotency and comment ports
//! (SQLite for the embedded default, MySQL/MariaDB in production), the demo seed, and
//! SQL error mapping.

mod accounts;
mod admin;
mod cache;
mod comments;
mod config;
mod contacts;
mod group_commit;
mod history;
mod idempotency;
mod keys;
mod mongo;
mod records;
pub mod seal;
pub mod seed;
mod status;

pub use mongo::{MongoCollections, MongoStatusStore};

use crate::config::DatabaseUrl;
use anyhow::Context;
use app::service::StoreError;
use sqlx::any::{AnyArguments, AnyPoolOptions, AnyRow};
use sqlx::query::Query;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{AnyPool, Executor, Row, Transaction};
use std::str::FromStr;
use std::time::Duration;
use time::OffsetDateTime;

/// The SQL the two databases spell differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// The embedded default.
    Sqlite,
    /// MySQL or MariaDB (production).
    MySql,
}

/// The SQL store (SQLite embedded, MySQL/MariaDB in production): implements every
/// SQL-backed port with one set of queries; the few statements the databases spell
/// differently ask [`Dialect`].
#[derive(Clone)]
pub struct SqlStore {
    pool: AnyPool,
    dialect: Dialect,
    seal: Option<seal::CredentialSeal>,
    cache: std::sync::Arc<cache::ConfigCache>,
    writes: std::sync::Arc<Writes>,
}

/// The writes and lookups of the send and status paths this store makes in groups
/// (each started on first use, on the runtime that first uses it).
#[derive(Default)]
struct Writes {
    creates: std::sync::OnceLock<group_commit::GroupCommit<app::service::NotificationRecord>>,
    changes: std::sync::OnceLock<group_commit::GroupCommit<status::Change, bool>>,
    comments: std::sync::OnceLock<group_commit::GroupCommit<comments::CallComment>>,
    comment_counts: std::sync::OnceLock<group_commit::GroupCommit<app::domain::CallId, u64>>,
    opt_outs: std::sync::OnceLock<group_commit::GroupCommit<contacts::OptOutAsk, bool>>,
    by_uuid: std::sync::OnceLock<
        group_commit::GroupCommit<String, Option<app::service::NotificationRecord>>,
    >,
    by_provider_id: std::sync::OnceLock<
        group_commit::GroupCommit<
            records::ProviderRefAsk,
            Option<app::service::NotificationRecord>,
        >,
    >,
}

type Tx = Transaction<'static, sqlx::Any>;

impl SqlStore {
    /// Whether the database answers (readiness).
    pub(crate) async fn ping_sql(&self) -> app::service::StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    /// Seals provider credentials written from now on with `seal` (and opens sealed ones).
    pub fn sealing_credentials(self, seal: seal::CredentialSeal) -> Self {
        Self {
            seal: Some(seal),
            ..self
        }
    }

    /// Credentials as stored: sealed when the store has a seal.
    fn seal_credentials(&self, json: String) -> anyhow::Result<String> {
        match &self.seal {
            Some(seal) => seal.seal(&json),
            None => Ok(json),
        }
    }

    /// Credentials as written, opened.
    fn open_credentials(&self, stored: &str) -> anyhow::Result<String> {
        match &self.seal {
            Some(seal) => seal.open(stored),
            None => Ok(stored.to_owned()),
        }
    }

    /// Opens (creating a SQLite file if needed) the database at `url` and brings its
    /// schema up to date.
    pub async fn open(url: &DatabaseUrl, max_connections: u32) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        // No ping before each use: it doubled every query's round trips (the send
        // path's profile: docs/benchmarks.md). A connection the server closed fails
        // its next query and leaves the pool; idle ones are closed after a minute, well
        // inside any server's idle timeout.
        let options = AnyPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(10))
            .test_before_acquire(false)
            .idle_timeout(Duration::from_secs(60));
        let store = match url {
            DatabaseUrl::Sqlite(url) => Self::open_sqlite(url, options).await?,
            DatabaseUrl::MySql(url) => Self::open_mysql(url, options).await?,
        };
        Ok(store)
    }

    async fn open_sqlite(url: &str, options: AnyPoolOptions) -> anyhow::Result<Self> {
        create_parent_dir(url)?;
        let url = if url.contains('?') {
            url.to_owned()
        } else {
            format!("{url}?mode=rwc")
        };
        // WAL with `synchronous = NORMAL` survives process crashes (what "durably
        // recorded" promises); only an OS crash can lose the last commits.
        let pool = options
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;",
                    )
                    .await?;
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .context("opening the SQLite database")?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .context("migrating the database")?;
        Ok(Self {
            pool,
            dialect: Dialect::Sqlite,
            seal: None,
            cache: Default::default(),
            writes: Default::default(),
        })
    }

    async fn open_mysql(url: &str, options: AnyPoolOptions) -> anyhow::Result<Self> {
        let pool = options.connect(url).await.context("connecting to MySQL")?;
        sqlx::migrate!("./migrations/mysql")
            .run(&pool)
            .await
            .context("migrating the database")?;
        Ok(Self {
            pool,
            dialect: Dialect::MySql,
            seal: None,
            cache: Default::default(),
            writes: Default::default(),
        })
    }

    /// Every row `query` selects, each read by `read`.
    pub(crate) async fn rows<'q, T>(
        &self,
        query: Query<'q, sqlx::Any, AnyArguments<'q>>,
        read: impl Fn(&AnyRow) -> anyhow::Result<T>,
    ) -> Result<Vec<T>, StoreError> {
        let rows = query.fetch_all(&self.pool).await.map_err(store_error)?;
        Ok(rows.iter().map(read).collect::<anyhow::Result<_>>()?)
    }

    /// The row `query` selects, if there is one, read by `read`.
    pub(crate) async fn row<'q, T>(
        &self,
        query: Query<'q, sqlx::Any, AnyArguments<'q>>,
        read: impl Fn(&AnyRow) -> anyhow::Result<T>,
    ) -> Result<Option<T>, StoreError> {
        let row = query
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(row.as_ref().map(read).transpose()?)
    }

    /// A transaction that holds the write lock from its first statement, so concurrent
    /// writers serialise instead of failing: SQLite's `BEGIN IMMEDIATE`; on MySQL a
    /// row lock on the one-row `write_lock` table.
    pub async fn write(&self) -> Result<Tx, sqlx::Error> {
        match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Dialect::MySql => {
                let mut tx = self.pool.begin().await?;
                sqlx::query("SELECT id FROM write_lock WHERE id = 1 FOR UPDATE")
                    .fetch_optional(&mut *tx)
                    .await?;
                Ok(tx)
            }
        }
    }
}

/// Creates the folder a `sqlite://` url's file lives in.
fn create_parent_dir(url: &str) -> anyhow::Result<()> {
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| "the database url is not a valid sqlite:// url".to_owned())?;
    if let Some(parent) = options
        .get_filename()
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    Ok(())
}

/// Reading columns the same way from both databases (MySQL hands `TEXT` columns to
/// the `Any` driver as bytes).
pub(crate) trait RowExt {
    /// A text column.
    fn text(&self, column: &str) -> anyhow::Result<String>;
    /// A nullable text column.
    fn opt_text(&self, column: &str) -> anyhow::Result<Option<String>>;
    /// An integer column.
    fn int(&self, column: &str) -> anyhow::Result<i64>;
    /// A nullable integer column.
    fn opt_int(&self, column: &str) -> anyhow::Result<Option<i64>>;
}

impl RowExt for AnyRow {
    fn text(&self, column: &str) -> anyhow::Result<String> {
        self.opt_text(column)?
            .with_context(|| format!("column {column} is NULL"))
    }

    fn opt_text(&self, column: &str) -> anyhow::Result<Option<String>> {
        if let Ok(text) = self.try_get::<Option<String>, _>(column) {
            return Ok(text);
        }
        let bytes: Option<Vec<u8>> = self
            .try_get(column)
            .with_context(|| format!("reading column {column}"))?;
        bytes
            .map(String::from_utf8)
            .transpose()
            .with_context(|| format!("column {column} is not UTF-8"))
    }

    fn int(&self, column: &str) -> anyhow::Result<i64> {
        self.try_get(column)
            .with_context(|| format!("reading column {column}"))
    }

    fn opt_int(&self, column: &str) -> anyhow::Result<Option<i64>> {
        self.try_get(column)
            .with_context(|| format!("reading column {column}"))
    }
}

/// Opens a plain SQLite pool (the embedded queue's own file) tuned for one writer and many readers: WAL, a busy timeout,
/// foreign keys on. `synchronous = NORMAL` in WAL mode survives process crashes
/// (what "durably recorded" promises); only an OS crash can lose the last commits.
pub async fn open_sqlite(url: &str, max_connections: u32) -> anyhow::Result<SqlitePool> {
    create_parent_dir(url)?;
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| "the database url is not a valid sqlite:// url".to_owned())?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true);
    SqlitePoolOptions::new()
        .max_connections(max_connections.max(1))
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .context("opening the SQLite database")
}

/// Maps a database error onto the port's error: connectivity is `Unavailable`,
/// uniqueness is `Conflict`, the rest is internal.
pub fn store_error(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => StoreError::Unavailable(e.into()),
        // Uniqueness, CHECK (e.g. five templates per channel) and reference rules.
        sqlx::Error::Database(ref db)
            if db.is_unique_violation()
                || db.is_check_violation()
                || db.is_foreign_key_violation() =>
        {
            StoreError::Conflict(db.message().to_owned())
        }
        other => StoreError::Internal(other.into()),
    }
}

/// Unix milliseconds, as the stores keep times.
pub fn to_ms(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// The time `ms` unix milliseconds stand for.
pub fn from_ms(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// A stored recipient: an E.164 number, or none once retention erased it (empty).
pub(crate) fn stored_number(
    text: &str,
) -> Result<Option<app::domain::E164>, app::domain::PhoneError> {
    if text.is_empty() {
        return Ok(None);
    }
    app::domain::E164::parse(text).map(Some)
}

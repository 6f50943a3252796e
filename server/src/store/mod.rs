//! SQL adapters for the config, status, idempotency and comment ports (SQLite for the
//! embedded default), the demo seed, and SQL error mapping.

mod accounts;
mod admin;
mod comments;
mod config;
mod idempotency;
pub mod seed;
mod status;

use anyhow::Context;
use app::service::StoreError;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;
use time::OffsetDateTime;

/// The SQLite store: implements every SQL-backed port.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` and brings its schema up to date.
    pub async fn open(url: &str, max_connections: u32) -> anyhow::Result<Self> {
        let pool = open_sqlite(url, max_connections).await?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .context("migrating the database")?;
        Ok(Self { pool })
    }

    /// The connection pool (for the seed and tests).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// Opens a SQLite pool tuned for one writer and many readers: WAL, a busy timeout,
/// foreign keys on. `synchronous = NORMAL` in WAL mode survives process crashes
/// (what "durably recorded" promises); only an OS crash can lose the last commits.
pub async fn open_sqlite(url: &str, max_connections: u32) -> anyhow::Result<SqlitePool> {
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| "the database url is not a valid sqlite:// url".to_owned())?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true);
    if let Some(parent) = options
        .get_filename()
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
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

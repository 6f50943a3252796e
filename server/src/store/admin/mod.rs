//! The settings ports on SQL, a module per resource. Each change runs in one write-locked transaction together
//! with its audit entry, so concurrent saves serialise and nothing is changed without
//! being recorded; an insert whose key is taken, or an update or delete of a row that
//! is gone, is a conflict.

use super::config::template_from_row;
use super::{from_ms, store_error, to_ms, RowExt, SqlStore, Tx};
use anyhow::Context;
use app::domain::rfc3339;
use app::domain::{
    AccountKey, Agent, AlertLevel, AuditEntry, Channel, ChannelMapping, Group, GroupId,
    NotificationTypes, Preferences, ProviderAccount, ProviderAccountId, Template, TemplateId,
    UserId, E164,
};
use app::service::{
    now, AgentStore, AuditFilter, AuditLog, AuditRecord, GroupStore, PreferenceStore,
    ProviderAccountStore, StoreError, StoreResult, StoredProviderAccount, TemplateStore,
};
use async_trait::async_trait;
use sqlx::any::{AnyArguments, AnyQueryResult, AnyRow};
use sqlx::Any;
use std::collections::BTreeMap;

mod agents;
mod audit;
mod groups;
mod providers;
mod queues;
mod templates;

pub(super) use templates::insert_template_row;

impl app::service::AdminStore for SqlStore {}

/// A statement ready to run, its parameters bound.
type Statement<'q> = sqlx::query::Query<'q, Any, AnyArguments<'q>>;

impl SqlStore {
    /// Runs one statement that must touch a row, and records `audit`, in one transaction.
    async fn change_one(
        &self,
        query: Statement<'_>,
        what: &str,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let mut tx = self.write().await.map_err(store_error)?;
        touched(query.execute(&mut *tx).await.map_err(store_error)?, what)?;
        self.commit_with(tx, audit).await
    }

    /// Writes the audit entry, moves the settings' version on, and commits; this
    /// process reads the settings again from now on (others within `RECHECK`).
    pub(super) async fn commit_with(&self, mut tx: Tx, audit: &AuditRecord) -> StoreResult<()> {
        audit_entry(&mut tx, audit).await?;
        self.bump_version(tx).await
    }

    /// Moves the settings' version on and commits; this process reads the settings
    /// again from now on (others within `RECHECK`).
    pub(super) async fn bump_version(&self, mut tx: Tx) -> StoreResult<()> {
        sqlx::query("UPDATE config_version SET version = version + 1 WHERE id = 1")
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        tx.commit().await.map_err(store_error)?;
        self.cache.version.forget();
        Ok(())
    }

    /// The settings' version (read from the database at most every `RECHECK`).
    pub(super) async fn config_version(&self) -> StoreResult<i64> {
        let start = match self.cache.version.fresh() {
            Ok(version) => return Ok(version),
            Err(start) => start,
        };
        let version = sqlx::query("SELECT version FROM config_version WHERE id = 1")
            .fetch_one(&self.pool)
            .await
            .map_err(store_error)?
            .int("version")?;
        self.cache.version.saw(start, version);
        Ok(version)
    }
}

/// Writes an audit entry.
pub(super) async fn audit_entry(tx: &mut Tx, audit: &AuditRecord) -> StoreResult<()> {
    let text = |v: &Option<serde_json::Value>| v.as_ref().map(ToString::to_string);
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, `before`, `after`) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(to_ms(now()))
    .bind(&audit.actor)
    .bind(audit.action)
    .bind(audit.entity)
    .bind(&audit.entity_id)
    .bind(text(&audit.before))
    .bind(text(&audit.after))
    .execute(&mut **tx)
    .await
    .map_err(store_error)?;
    Ok(())
}

/// Fails with a conflict when an update or delete touched no row.
fn touched(result: AnyQueryResult, what: &str) -> StoreResult<()> {
    if result.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!("{what} no longer exists")));
    }
    Ok(())
}

//! The admin port on SQL, a module per resource. Each change runs in one write-locked
//! transaction together with its audit entry, so concurrent saves serialise and nothing
//! is changed without being recorded.

mod agents;
mod groups;
mod providers;
mod templates;

use super::{from_ms, store_error, to_ms, RowExt, SqlStore, Tx};
use app::domain::{
    Agent, AuditEntry, Channel, Group, GroupId, NotificationTypes, ProviderAccountId, Template,
    TemplateId, UserId,
};
use app::service::{
    now, rfc3339, AdminStore, AuditFilter, AuditRecord, StoreError, StoreResult,
    StoredProviderAccount,
};
use async_trait::async_trait;
use sqlx::any::{AnyArguments, AnyQueryResult};
use sqlx::Any;

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
        commit_with(tx, audit).await
    }
}

/// Writes the audit entry and commits.
async fn commit_with(mut tx: Tx, audit: &AuditRecord) -> StoreResult<()> {
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
    .execute(&mut *tx)
    .await
    .map_err(store_error)?;
    tx.commit().await.map_err(store_error)
}

/// Fails with a conflict when an update or delete touched no row.
fn touched(result: AnyQueryResult, what: &str) -> StoreResult<()> {
    if result.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!("{what} no longer exists")));
    }
    Ok(())
}

/// The port, each resource's part in its module.
#[async_trait]
impl AdminStore for SqlStore {
    async fn templates(&self, channel: Option<Channel>) -> StoreResult<Vec<Template>> {
        templates::list(self, channel).await
    }

    async fn template(&self, id: &TemplateId) -> StoreResult<Option<Template>> {
        templates::get(self, id).await
    }

    async fn insert_template(&self, template: &Template, audit: &AuditRecord) -> StoreResult<()> {
        templates::insert(self, template, audit).await
    }

    async fn update_template(&self, template: &Template, audit: &AuditRecord) -> StoreResult<()> {
        templates::update(self, template, audit).await
    }

    async fn delete_template(&self, id: &TemplateId, audit: &AuditRecord) -> StoreResult<()> {
        templates::delete(self, id, audit).await
    }

    async fn template_users(&self, id: &TemplateId) -> StoreResult<Vec<GroupId>> {
        templates::users(self, id).await
    }

    async fn groups(&self) -> StoreResult<Vec<Group>> {
        groups::list(self).await
    }

    async fn group(&self, id: &GroupId) -> StoreResult<Option<Group>> {
        groups::get(self, id).await
    }

    async fn insert_group(&self, group: &Group, audit: &AuditRecord) -> StoreResult<()> {
        groups::insert(self, group, audit).await
    }

    async fn update_group(&self, group: &Group, audit: &AuditRecord) -> StoreResult<()> {
        groups::update(self, group, audit).await
    }

    async fn delete_group(&self, id: &GroupId, audit: &AuditRecord) -> StoreResult<()> {
        groups::delete(self, id, audit).await
    }

    async fn notification_types(&self, id: &GroupId) -> StoreResult<NotificationTypes> {
        groups::notification_types(self, id).await
    }

    async fn save_notification_types(
        &self,
        id: &GroupId,
        types: &NotificationTypes,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        groups::save_notification_types(self, id, types, audit).await
    }

    async fn agents(&self) -> StoreResult<Vec<Agent>> {
        agents::list(self).await
    }

    async fn agent(&self, id: &UserId) -> StoreResult<Option<Agent>> {
        agents::get(self, id).await
    }

    async fn insert_agent(&self, agent: &Agent, audit: &AuditRecord) -> StoreResult<()> {
        agents::insert(self, agent, audit).await
    }

    async fn update_agent(&self, agent: &Agent, audit: &AuditRecord) -> StoreResult<()> {
        agents::update(self, agent, audit).await
    }

    async fn delete_agent(&self, id: &UserId, audit: &AuditRecord) -> StoreResult<()> {
        agents::delete(self, id, audit).await
    }

    async fn provider_accounts(&self) -> StoreResult<Vec<StoredProviderAccount>> {
        providers::list(self).await
    }

    async fn insert_provider_account(
        &self,
        account: &StoredProviderAccount,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        providers::insert(self, account, audit).await
    }

    async fn update_provider_account(
        &self,
        account: &StoredProviderAccount,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        providers::update(self, account, audit).await
    }

    async fn delete_provider_account(
        &self,
        id: &ProviderAccountId,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        providers::delete(self, id, audit).await
    }

    async fn audit(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT * FROM audit_log WHERE (? IS NULL OR entity = ?) AND (? IS NULL OR actor = ?)
             ORDER BY id DESC LIMIT ?",
        )
        .bind(filter.entity.as_deref())
        .bind(filter.entity.as_deref())
        .bind(filter.actor.as_deref())
        .bind(filter.actor.as_deref())
        .bind(i64::from(filter.limit))
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        let parse = |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok());
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: r.int("id")?,
                    at: rfc3339(from_ms(r.int("at")?)),
                    actor: r.text("actor")?,
                    action: r.text("action")?,
                    entity: r.text("entity")?,
                    entity_id: r.text("entity_id")?,
                    before: parse(r.opt_text("before")?),
                    after: parse(r.opt_text("after")?),
                })
            })
            .collect::<anyhow::Result<_>>()
            .map_err(Into::into)
    }
}

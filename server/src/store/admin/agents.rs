//! Agents on SQL.

use super::SqlStore;
use crate::store::{store_error, RowExt};
use app::domain::{Agent, GroupId, UserId};
use app::service::{AuditRecord, StoreResult};
use sqlx::any::AnyRow;

fn agent_from_row(row: &AnyRow) -> anyhow::Result<Agent> {
    Ok(Agent {
        id: UserId::parse(&row.text("id")?)?,
        name: row.text("name")?,
        group_id: GroupId::parse(&row.text("group_id")?)?,
    })
}

pub(super) async fn list(store: &SqlStore) -> StoreResult<Vec<Agent>> {
    let rows = sqlx::query("SELECT id, name, group_id FROM agents ORDER BY name, id")
        .fetch_all(&store.pool)
        .await
        .map_err(store_error)?;
    Ok(rows
        .iter()
        .map(agent_from_row)
        .collect::<anyhow::Result<_>>()?)
}

pub(super) async fn get(store: &SqlStore, id: &UserId) -> StoreResult<Option<Agent>> {
    let row = sqlx::query("SELECT id, name, group_id FROM agents WHERE id = ?")
        .bind(id.as_str())
        .fetch_optional(&store.pool)
        .await
        .map_err(store_error)?;
    Ok(row.as_ref().map(agent_from_row).transpose()?)
}

pub(super) async fn insert(
    store: &SqlStore,
    agent: &Agent,
    audit: &AuditRecord,
) -> StoreResult<()> {
    let query = sqlx::query("INSERT INTO agents (id, name, group_id) VALUES (?, ?, ?)")
        .bind(agent.id.as_str())
        .bind(&agent.name)
        .bind(agent.group_id.as_str());
    store.change_one(query, "the agent", audit).await
}

pub(super) async fn update(
    store: &SqlStore,
    agent: &Agent,
    audit: &AuditRecord,
) -> StoreResult<()> {
    let query = sqlx::query("UPDATE agents SET name = ?, group_id = ? WHERE id = ?")
        .bind(&agent.name)
        .bind(agent.group_id.as_str())
        .bind(agent.id.as_str());
    store.change_one(query, "the agent", audit).await
}

pub(super) async fn delete(store: &SqlStore, id: &UserId, audit: &AuditRecord) -> StoreResult<()> {
    let query = sqlx::query("DELETE FROM agents WHERE id = ?").bind(id.as_str());
    store.change_one(query, "the agent", audit).await
}

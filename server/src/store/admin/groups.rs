//! Agent groups on SQL, and each group's Notification Type tab in three tables: the
//! channels it enables, its provider account per channel, its templates in order.

use super::{commit_with, SqlStore};
use crate::store::{store_error, to_ms, RowExt};
use app::domain::{
    Channel, ChannelMapping, Group, GroupId, NotificationTypes, ProviderAccountId, TemplateId,
};
use app::service::{now, AuditRecord, StoreResult};
use sqlx::any::AnyRow;

fn group_from_row(row: &AnyRow) -> anyhow::Result<Group> {
    Ok(Group {
        id: GroupId::parse(&row.text("id")?)?,
        name: row.text("name")?,
    })
}

pub(super) async fn list(store: &SqlStore) -> StoreResult<Vec<Group>> {
    let rows = sqlx::query("SELECT id, name FROM agent_groups ORDER BY name")
        .fetch_all(&store.pool)
        .await
        .map_err(store_error)?;
    Ok(rows
        .iter()
        .map(group_from_row)
        .collect::<anyhow::Result<_>>()?)
}

pub(super) async fn get(store: &SqlStore, id: &GroupId) -> StoreResult<Option<Group>> {
    let row = sqlx::query("SELECT id, name FROM agent_groups WHERE id = ?")
        .bind(id.as_str())
        .fetch_optional(&store.pool)
        .await
        .map_err(store_error)?;
    Ok(row.as_ref().map(group_from_row).transpose()?)
}

pub(super) async fn insert(
    store: &SqlStore,
    group: &Group,
    audit: &AuditRecord,
) -> StoreResult<()> {
    let query = sqlx::query("INSERT INTO agent_groups (id, name, created_at) VALUES (?, ?, ?)")
        .bind(group.id.as_str())
        .bind(&group.name)
        .bind(to_ms(now()));
    store.change_one(query, "the group", audit).await
}

pub(super) async fn update(
    store: &SqlStore,
    group: &Group,
    audit: &AuditRecord,
) -> StoreResult<()> {
    let query = sqlx::query("UPDATE agent_groups SET name = ? WHERE id = ?")
        .bind(&group.name)
        .bind(group.id.as_str());
    store.change_one(query, "the group", audit).await
}

pub(super) async fn delete(store: &SqlStore, id: &GroupId, audit: &AuditRecord) -> StoreResult<()> {
    // Agents reference their group without cascade: deleting one with agents fails here.
    let query = sqlx::query("DELETE FROM agent_groups WHERE id = ?").bind(id.as_str());
    store.change_one(query, "the group", audit).await
}

/// The rows of one of the tab's tables for `id`, each with its channel.
async fn per_channel(
    store: &SqlStore,
    sql: &str,
    id: &GroupId,
) -> StoreResult<Vec<(Channel, AnyRow)>> {
    let rows = sqlx::query(sql)
        .bind(id.as_str())
        .fetch_all(&store.pool)
        .await
        .map_err(store_error)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        // A channel this build does not know is left out, not an error.
        if let Ok(channel) = row.text("channel")?.parse::<Channel>() {
            out.push((channel, row));
        }
    }
    Ok(out)
}

pub(super) async fn notification_types(
    store: &SqlStore,
    id: &GroupId,
) -> StoreResult<NotificationTypes> {
    let mut types = NotificationTypes::default();
    let enabled = "SELECT channel, enabled FROM group_channels WHERE group_id = ?";
    for (channel, row) in per_channel(store, enabled, id).await? {
        types.get_mut(channel).enabled = row.int("enabled")? == 1;
    }
    let mapped =
        "SELECT channel, template_id FROM group_templates WHERE group_id = ? ORDER BY position";
    for (channel, row) in per_channel(store, mapped, id).await? {
        let template = TemplateId::parse(&row.text("template_id")?).map_err(anyhow::Error::from)?;
        types.get_mut(channel).templates.push(template);
    }
    let accounts = "SELECT channel, account_id FROM group_providers WHERE group_id = ?";
    for (channel, row) in per_channel(store, accounts, id).await? {
        let account =
            ProviderAccountId::parse(&row.text("account_id")?).map_err(anyhow::Error::from)?;
        types.get_mut(channel).account = Some(account);
    }
    Ok(types)
}

pub(super) async fn save_notification_types(
    store: &SqlStore,
    id: &GroupId,
    types: &NotificationTypes,
    audit: &AuditRecord,
) -> StoreResult<()> {
    let mut tx = store.write().await.map_err(store_error)?;
    for table in ["group_templates", "group_providers", "group_channels"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE group_id = ?"))
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
    }
    for channel in Channel::ALL {
        let ChannelMapping {
            enabled,
            templates,
            account,
        } = types.get(channel);
        if let Some(account) = account {
            sqlx::query(
                "INSERT INTO group_providers (group_id, channel, account_id) VALUES (?, ?, ?)",
            )
            .bind(id.as_str())
            .bind(channel.as_str())
            .bind(account.as_str())
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        }
        sqlx::query("INSERT INTO group_channels (group_id, channel, enabled) VALUES (?, ?, ?)")
            .bind(id.as_str())
            .bind(channel.as_str())
            .bind(i64::from(*enabled))
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        // Positions 1..=5 are all the table accepts (CHECK + primary key).
        for (position, template) in (1i64..).zip(templates) {
            sqlx::query("INSERT INTO group_templates (group_id, channel, position, template_id) VALUES (?, ?, ?, ?)")
                .bind(id.as_str())
                .bind(channel.as_str())
                .bind(position)
                .bind(template.as_str())
                .execute(&mut *tx)
                .await
                .map_err(store_error)?;
        }
    }
    commit_with(tx, audit).await
}

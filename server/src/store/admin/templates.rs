//! Templates on SQL: their fields and provider references as JSON columns.

use super::SqlStore;
use crate::store::config::template_from_row;
use crate::store::{store_error, to_ms, RowExt};
use app::domain::{Channel, GroupId, Template, TemplateId};
use app::service::{now, AuditRecord, StoreResult};

const COLUMNS: &str = "id, name, channel, body, fields, language, provider_ref";

pub(super) async fn list(store: &SqlStore, channel: Option<Channel>) -> StoreResult<Vec<Template>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM templates WHERE (? IS NULL OR channel = ?) ORDER BY channel, name"
    ))
    .bind(channel.map(Channel::as_str))
    .bind(channel.map(Channel::as_str))
    .fetch_all(&store.pool)
    .await
    .map_err(store_error)?;
    Ok(rows
        .iter()
        .map(template_from_row)
        .collect::<anyhow::Result<_>>()?)
}

pub(super) async fn get(store: &SqlStore, id: &TemplateId) -> StoreResult<Option<Template>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM templates WHERE id = ?"))
        .bind(id.as_str())
        .fetch_optional(&store.pool)
        .await
        .map_err(store_error)?;
    Ok(row.as_ref().map(template_from_row).transpose()?)
}

/// The JSON columns of a template.
fn json_columns(t: &Template) -> anyhow::Result<(String, String)> {
    Ok((
        serde_json::to_string(&t.fields)?,
        serde_json::to_string(&t.provider_ref)?,
    ))
}

pub(super) async fn insert(store: &SqlStore, t: &Template, audit: &AuditRecord) -> StoreResult<()> {
    let (fields, provider_ref) = json_columns(t)?;
    let at = to_ms(now());
    let query = sqlx::query(
        "INSERT INTO templates (id, name, channel, body, fields, language, provider_ref, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(t.id.as_str())
    .bind(&t.name)
    .bind(t.channel.as_str())
    .bind(&t.body)
    .bind(fields)
    .bind(&t.language)
    .bind(provider_ref)
    .bind(at)
    .bind(at);
    store.change_one(query, "the template", audit).await
}

pub(super) async fn update(store: &SqlStore, t: &Template, audit: &AuditRecord) -> StoreResult<()> {
    let (fields, provider_ref) = json_columns(t)?;
    let query = sqlx::query(
        "UPDATE templates SET name = ?, channel = ?, body = ?, fields = ?, language = ?, provider_ref = ?,
         updated_at = ? WHERE id = ?",
    )
    .bind(&t.name)
    .bind(t.channel.as_str())
    .bind(&t.body)
    .bind(fields)
    .bind(&t.language)
    .bind(provider_ref)
    .bind(to_ms(now()))
    .bind(t.id.as_str());
    store.change_one(query, "the template", audit).await
}

pub(super) async fn delete(
    store: &SqlStore,
    id: &TemplateId,
    audit: &AuditRecord,
) -> StoreResult<()> {
    // Mappings go with the template (ON DELETE CASCADE).
    let query = sqlx::query("DELETE FROM templates WHERE id = ?").bind(id.as_str());
    store.change_one(query, "the template", audit).await
}

pub(super) async fn users(store: &SqlStore, id: &TemplateId) -> StoreResult<Vec<GroupId>> {
    let rows = sqlx::query(
        "SELECT DISTINCT group_id FROM group_templates WHERE template_id = ? ORDER BY group_id",
    )
    .bind(id.as_str())
    .fetch_all(&store.pool)
    .await
    .map_err(store_error)?;
    Ok(rows
        .iter()
        .map(|r| Ok(GroupId::parse(&r.text("group_id")?)?))
        .collect::<anyhow::Result<_>>()?)
}

//! The config port on SQL: a group's enabled channels and mapped templates.

use super::{store_error, RowExt, SqlStore};
use anyhow::Context;
use app::domain::{Channel, GroupId, ProviderRef, Template, TemplateField, TemplateId};
use app::service::{ConfigStore, StoreResult};
use async_trait::async_trait;
use sqlx::any::AnyRow;

#[async_trait]
impl ConfigStore for SqlStore {
    async fn enabled_channels(&self, group: &GroupId) -> StoreResult<Vec<Channel>> {
        let rows =
            sqlx::query("SELECT channel FROM group_channels WHERE group_id = ? AND enabled = 1")
                .bind(group.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(store_error)?;
        let mut channels: Vec<Channel> = rows
            .iter()
            .filter_map(|r| r.text("channel").ok()?.parse().ok())
            .collect();
        channels.sort();
        Ok(channels)
    }

    async fn group_templates(
        &self,
        group: &GroupId,
        channel: Channel,
    ) -> StoreResult<Vec<Template>> {
        let version = self.config_version().await?;
        let key = (group.clone(), channel);
        if let Some(kept) = self.cache.offered.get(&key, version) {
            return Ok(kept);
        }
        let query = sqlx::query(
            "SELECT t.id, t.name, t.channel, t.body, t.fields, t.language, t.provider_ref
             FROM group_templates gt
             JOIN templates t ON t.id = gt.template_id
             JOIN group_channels gc ON gc.group_id = gt.group_id AND gc.channel = gt.channel
             WHERE gt.group_id = ? AND gt.channel = ? AND gc.enabled = 1
             ORDER BY gt.position",
        )
        .bind(group.as_str())
        .bind(channel.as_str());
        let templates = self.rows(query, template_from_row).await?;
        self.cache.offered.put(key, version, templates.clone());
        Ok(templates)
    }

    async fn ping(&self) -> StoreResult<()> {
        self.ping_sql().await
    }
}

pub(crate) fn template_from_row(row: &AnyRow) -> anyhow::Result<Template> {
    let id = row.text("id")?;
    let fields: Vec<TemplateField> = serde_json::from_str(&row.text("fields")?)
        .with_context(|| format!("fields of template {id}"))?;
    let provider_ref: ProviderRef = serde_json::from_str(&row.text("provider_ref")?)
        .with_context(|| format!("provider_ref of template {id}"))?;
    Ok(Template {
        id: TemplateId::parse(&id).with_context(|| format!("template id {id}"))?,
        name: row.text("name")?,
        channel: row
            .text("channel")?
            .parse()
            .with_context(|| format!("channel of template {id}"))?,
        body: row.text("body")?,
        fields,
        language: row.opt_text("language")?,
        provider_ref,
    })
}

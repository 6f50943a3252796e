//! The templates registry on SQL.

use super::*;

const COLUMNS: &str = "id, name, channel, body, fields, language, provider_ref";

/// Binds a template's columns, from its name to its `updated_at` (`at`).
fn bind_template<'q>(query: Statement<'q>, t: &'q Template, at: i64) -> StoreResult<Statement<'q>> {
    let fields = serde_json::to_string(&t.fields).map_err(anyhow::Error::from)?;
    let provider_ref = serde_json::to_string(&t.provider_ref).map_err(anyhow::Error::from)?;
    Ok(query
        .bind(&t.name)
        .bind(t.channel.as_str())
        .bind(&t.body)
        .bind(fields)
        .bind(&t.language)
        .bind(provider_ref)
        .bind(at))
}

/// The insert of a new template made at `at` (the demo seed's too).
pub(in crate::store) fn insert_template_row(t: &Template, at: i64) -> StoreResult<Statement<'_>> {
    let query = sqlx::query(
        "INSERT INTO templates (name, channel, body, fields, language, provider_ref, updated_at, id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    Ok(bind_template(query, t, at)?.bind(t.id.as_str()).bind(at))
}

#[async_trait]
impl TemplateStore for SqlStore {
    async fn templates(&self, channel: Option<Channel>) -> StoreResult<Vec<Template>> {
        self.rows(sqlx::query(&format!(
            "SELECT {COLUMNS} FROM templates WHERE (? IS NULL OR channel = ?) ORDER BY channel, name"
        ))
        .bind(channel.map(Channel::as_str))
        .bind(channel.map(Channel::as_str)), template_from_row).await
    }

    async fn template(&self, id: &TemplateId) -> StoreResult<Option<Template>> {
        let version = self.config_version().await?;
        if let Some(kept) = self.cache.templates.get(id, version) {
            return Ok(kept);
        }
        let sql = format!("SELECT {COLUMNS} FROM templates WHERE id = ?");
        let query = sqlx::query(&sql).bind(id.as_str());
        let template = self.row(query, template_from_row).await?;
        self.cache
            .templates
            .put(id.clone(), version, template.clone());
        Ok(template)
    }

    async fn insert_template(&self, t: &Template, audit: &AuditRecord) -> StoreResult<()> {
        let query = insert_template_row(t, to_ms(now()))?;
        self.change_one(query, "the template", audit).await
    }

    async fn update_template(&self, t: &Template, audit: &AuditRecord) -> StoreResult<()> {
        let query = sqlx::query(
            "UPDATE templates SET name = ?, channel = ?, body = ?, fields = ?, language = ?, provider_ref = ?,
             updated_at = ? WHERE id = ?",
        );
        let query = bind_template(query, t, to_ms(now()))?.bind(t.id.as_str());
        self.change_one(query, "the template", audit).await
    }

    async fn delete_template(&self, id: &TemplateId, audit: &AuditRecord) -> StoreResult<()> {
        // Mappings go with the template (ON DELETE CASCADE).
        let query = sqlx::query("DELETE FROM templates WHERE id = ?").bind(id.as_str());
        self.change_one(query, "the template", audit).await
    }

    async fn template_users(&self, id: &TemplateId) -> StoreResult<Vec<GroupId>> {
        self.rows(sqlx::query(
            "SELECT DISTINCT group_id FROM group_templates WHERE template_id = ? ORDER BY group_id",
        )
        .bind(id.as_str()), |r| Ok(GroupId::parse(&r.text("group_id")?)?)).await
    }
}

//! Agent groups on SQL: a row each, and each one's Notification Type tab (the channels it enables, the templates of each in order).

use super::*;

fn group_from_row(row: &AnyRow) -> anyhow::Result<Group> {
    Ok(Group {
        id: GroupId::parse(&row.text("id")?)?,
        name: row.text("name")?,
        default_country: row
            .opt_text("default_country")?
            .map(|c| app::domain::CountryCode::parse(&c))
            .transpose()?,
    })
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

/// One row per value of a group's channel, numbered from 1 in `values`' order, into
/// `table` (its name and its four columns: group, channel, position, value).
async fn insert_in_order<'a>(
    tx: &mut Tx,
    table: &str,
    group: &GroupId,
    channel: Channel,
    values: impl Iterator<Item = &'a str>,
) -> StoreResult<()> {
    let sql = format!("INSERT INTO {table} VALUES (?, ?, ?, ?)");
    for (position, value) in (1i64..).zip(values) {
        sqlx::query(&sql)
            .bind(group.as_str())
            .bind(channel.as_str())
            .bind(position)
            .bind(value)
            .execute(&mut **tx)
            .await
            .map_err(store_error)?;
    }
    Ok(())
}

#[async_trait]
impl GroupStore for SqlStore {
    async fn groups(&self) -> StoreResult<Vec<Group>> {
        self.rows(
            sqlx::query("SELECT id, name, default_country FROM agent_groups ORDER BY name"),
            group_from_row,
        )
        .await
    }

    async fn group(&self, id: &GroupId) -> StoreResult<Option<Group>> {
        self.row(
            sqlx::query("SELECT id, name, default_country FROM agent_groups WHERE id = ?")
                .bind(id.as_str()),
            group_from_row,
        )
        .await
    }

    async fn insert_group(&self, group: &Group, audit: &AuditRecord) -> StoreResult<()> {
        let query = sqlx::query(
            "INSERT INTO agent_groups (id, name, created_at, default_country) VALUES (?, ?, ?, ?)",
        )
        .bind(group.id.as_str())
        .bind(&group.name)
        .bind(to_ms(now()))
        .bind(group.default_country.map(|c| c.as_str().to_owned()));
        self.change_one(query, "the group", audit).await
    }

    async fn update_group(&self, group: &Group, audit: &AuditRecord) -> StoreResult<()> {
        let query =
            sqlx::query("UPDATE agent_groups SET name = ?, default_country = ? WHERE id = ?")
                .bind(&group.name)
                .bind(group.default_country.map(|c| c.as_str().to_owned()))
                .bind(group.id.as_str());
        self.change_one(query, "the group", audit).await
    }

    async fn delete_group(&self, id: &GroupId, audit: &AuditRecord) -> StoreResult<()> {
        // Agents reference their group without cascade: deleting one with agents fails here.
        let query = sqlx::query("DELETE FROM agent_groups WHERE id = ?").bind(id.as_str());
        self.change_one(query, "the group", audit).await
    }

    async fn notification_types(&self, id: &GroupId) -> StoreResult<NotificationTypes> {
        let version = self.config_version().await?;
        if let Some(kept) = self.cache.types.get(id, version) {
            return Ok(kept);
        }
        let mut types = NotificationTypes::default();
        let enabled = "SELECT channel, enabled FROM group_channels WHERE group_id = ?";
        for (channel, row) in per_channel(self, enabled, id).await? {
            types.get_mut(channel).enabled = row.int("enabled")? == 1;
        }
        let mapped =
            "SELECT channel, template_id FROM group_templates WHERE group_id = ? ORDER BY position";
        for (channel, row) in per_channel(self, mapped, id).await? {
            let template =
                TemplateId::parse(&row.text("template_id")?).map_err(anyhow::Error::from)?;
            types.get_mut(channel).templates.push(template);
        }
        let accounts = "SELECT channel, account_id FROM group_providers WHERE group_id = ?";
        for (channel, row) in per_channel(self, accounts, id).await? {
            let account =
                ProviderAccountId::parse(&row.text("account_id")?).map_err(anyhow::Error::from)?;
            types.get_mut(channel).account = Some(account);
        }
        let chain =
            "SELECT channel, account_id FROM group_fallbacks WHERE group_id = ? ORDER BY position";
        for (channel, row) in per_channel(self, chain, id).await? {
            let account =
                ProviderAccountId::parse(&row.text("account_id")?).map_err(anyhow::Error::from)?;
            types.get_mut(channel).fallback.push(account);
        }
        self.cache.types.put(id.clone(), version, types.clone());
        Ok(types)
    }

    async fn save_notification_types(
        &self,
        id: &GroupId,
        types: &NotificationTypes,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let mut tx = self.write().await.map_err(store_error)?;
        for table in [
            "group_templates",
            "group_providers",
            "group_fallbacks",
            "group_channels",
        ] {
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
                fallback,
            } = types.get(channel);
            let fallback = fallback.iter().map(|a| a.as_str());
            insert_in_order(
                &mut tx,
                "group_fallbacks (group_id, channel, position, account_id)",
                id,
                channel,
                fallback,
            )
            .await?;
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
            let templates = templates.iter().map(|t| t.as_str());
            insert_in_order(
                &mut tx,
                "group_templates (group_id, channel, position, template_id)",
                id,
                channel,
                templates,
            )
            .await?;
        }
        self.commit_with(tx, audit).await
    }
}

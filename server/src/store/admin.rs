//! The admin port on SQL. Each change runs in one write-locked transaction together
//! with its audit entry, so concurrent saves serialise and nothing is changed without
//! being recorded; an insert whose key is taken, or an update or delete of a row that
//! is gone, is a conflict.

use super::config::template_from_row;
use super::{from_ms, store_error, to_ms, RowExt, SqlStore, Tx};
use anyhow::Context;
use app::domain::rfc3339;
use app::domain::{
    AccountKey, Agent, AlertLevel, AuditEntry, CallQueue, Channel, ChannelMapping, Group, GroupId,
    NotificationTypes, Preferences, ProviderAccount, ProviderAccountId, QueueId, Template,
    TemplateId, UserId, E164,
};
use app::service::{
    now, AdminStore, AuditFilter, AuditRecord, StoreError, StoreResult, StoredProviderAccount,
};
use async_trait::async_trait;
use sqlx::any::{AnyArguments, AnyQueryResult, AnyRow};
use sqlx::Any;
use std::collections::BTreeMap;

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

const COLUMNS: &str = "id, name, channel, body, fields, language, provider_ref";

/// The JSON columns of a template.
fn json_columns(t: &Template) -> anyhow::Result<(String, String)> {
    Ok((
        serde_json::to_string(&t.fields)?,
        serde_json::to_string(&t.provider_ref)?,
    ))
}

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

fn agent_from_row(row: &AnyRow) -> anyhow::Result<Agent> {
    Ok(Agent {
        id: UserId::parse(&row.text("id")?)?,
        name: row.text("name")?,
        group_id: GroupId::parse(&row.text("group_id")?)?,
        active: row.int("active")? != 0,
    })
}

/// An account from its row; `credentials` is the opened JSON of its credentials. An
/// account whose credentials cannot be opened (a wrong key, a damaged row) reads with
/// none, so that it alone is misconfigured: every other account keeps sending.
fn account_from_row(
    row: &AnyRow,
    credentials: anyhow::Result<String>,
) -> anyhow::Result<StoredProviderAccount> {
    let credentials: BTreeMap<String, String> = credentials
        .and_then(|c| serde_json::from_str(&c).context("stored credentials are not a JSON object"))
        .unwrap_or_else(|e| {
            let id = row.text("id").unwrap_or_default();
            tracing::error!(account = %id, error = %e, "a provider account's credentials cannot be read; it is misconfigured until saved again");
            BTreeMap::new()
        });
    Ok(StoredProviderAccount {
        account: ProviderAccount {
            id: ProviderAccountId::parse(&row.text("id")?)?,
            channel: row.text("channel")?.parse().context("channel")?,
            provider: row.text("provider")?,
            display_name: row.text("display_name")?,
            sender: row.text("sender")?,
            credentials_set: credentials.keys().cloned().collect(),
            default: row.int("is_default")? == 1,
            webhook_url: row.text("webhook_url")?,
            allow_list: row
                .opt_text("allow_list")?
                .map(|list| serde_json::from_str(&list))
                .transpose()
                .context("allow list")?,
            key: match row.opt_text("account_key")? {
                Some(key) => AccountKey::parse(&key).map_err(|p| anyhow::anyhow!(p.message))?,
                // Saved before accounts had keys: one from its type (unique once saved).
                None => AccountKey::suggest(&row.text("provider")?, &[]),
            },
            description: row.text("description")?,
            recontact_template: row
                .opt_text("recontact_template")?
                .map(|t| TemplateId::parse(&t))
                .transpose()?,
        },
        credentials,
    })
}

/// An allow list as stored: JSON, or NULL for none.
fn allow_list_json(list: Option<&[E164]>) -> Option<String> {
    list.map(|l| serde_json::to_string(l).unwrap_or_else(|_| "[]".to_owned()))
}

/// Writes an account in one transaction with its audit entry: a default account first
/// takes the default away from the others of its channel.
async fn write(
    store: &SqlStore,
    stored: &StoredProviderAccount,
    audit: &AuditRecord,
    statement: impl FnOnce(String) -> Statement<'static>,
) -> StoreResult<()> {
    let a = &stored.account;
    let credentials = store.seal_credentials(
        serde_json::to_string(&stored.credentials).map_err(anyhow::Error::from)?,
    )?;
    let mut tx: Tx = store.write().await.map_err(store_error)?;
    if a.default {
        sqlx::query("UPDATE provider_accounts SET is_default = 0 WHERE channel = ? AND id <> ?")
            .bind(a.channel.as_str())
            .bind(a.id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
    }
    let result = statement(credentials).execute(&mut *tx).await;
    touched(result.map_err(store_error)?, "the provider account")?;
    store.commit_with(tx, audit).await
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
impl AdminStore for SqlStore {
    async fn templates(&self, channel: Option<Channel>) -> StoreResult<Vec<Template>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM templates WHERE (? IS NULL OR channel = ?) ORDER BY channel, name"
        ))
        .bind(channel.map(Channel::as_str))
        .bind(channel.map(Channel::as_str))
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(rows
            .iter()
            .map(template_from_row)
            .collect::<anyhow::Result<_>>()?)
    }

    async fn template(&self, id: &TemplateId) -> StoreResult<Option<Template>> {
        let version = self.config_version().await?;
        if let Some(kept) = self.cache.templates.get(id, version) {
            return Ok(kept);
        }
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM templates WHERE id = ?"))
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        let template = row.as_ref().map(template_from_row).transpose()?;
        self.cache
            .templates
            .put(id.clone(), version, template.clone());
        Ok(template)
    }

    async fn insert_template(&self, t: &Template, audit: &AuditRecord) -> StoreResult<()> {
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
        self.change_one(query, "the template", audit).await
    }

    async fn update_template(&self, t: &Template, audit: &AuditRecord) -> StoreResult<()> {
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
        self.change_one(query, "the template", audit).await
    }

    async fn delete_template(&self, id: &TemplateId, audit: &AuditRecord) -> StoreResult<()> {
        // Mappings go with the template (ON DELETE CASCADE).
        let query = sqlx::query("DELETE FROM templates WHERE id = ?").bind(id.as_str());
        self.change_one(query, "the template", audit).await
    }

    async fn template_users(&self, id: &TemplateId) -> StoreResult<Vec<GroupId>> {
        let rows = sqlx::query(
            "SELECT DISTINCT group_id FROM group_templates WHERE template_id = ? ORDER BY group_id",
        )
        .bind(id.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(rows
            .iter()
            .map(|r| Ok(GroupId::parse(&r.text("group_id")?)?))
            .collect::<anyhow::Result<_>>()?)
    }

    async fn groups(&self) -> StoreResult<Vec<Group>> {
        let rows = sqlx::query("SELECT id, name, default_country FROM agent_groups ORDER BY name")
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(rows
            .iter()
            .map(group_from_row)
            .collect::<anyhow::Result<_>>()?)
    }

    async fn group(&self, id: &GroupId) -> StoreResult<Option<Group>> {
        let row = sqlx::query("SELECT id, name, default_country FROM agent_groups WHERE id = ?")
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(row.as_ref().map(group_from_row).transpose()?)
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

    async fn preferences(&self, user: &UserId) -> StoreResult<Option<Preferences>> {
        let row = sqlx::query("SELECT alerts, sound FROM user_preferences WHERE user_id = ?")
            .bind(user.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        let read = |row: &AnyRow| -> anyhow::Result<Preferences> {
            Ok(Preferences {
                alerts: AlertLevel::from_name(&row.text("alerts")?),
                sound: row.int("sound")? != 0,
            })
        };
        Ok(row.as_ref().map(read).transpose()?)
    }

    async fn save_preferences(&self, user: &UserId, preferences: &Preferences) -> StoreResult<()> {
        let mut tx = self.write().await.map_err(store_error)?;
        sqlx::query("DELETE FROM user_preferences WHERE user_id = ?")
            .bind(user.as_str())
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        sqlx::query("INSERT INTO user_preferences (user_id, alerts, sound) VALUES (?, ?, ?)")
            .bind(user.as_str())
            .bind(preferences.alerts.as_str())
            .bind(i64::from(preferences.sound))
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        tx.commit().await.map_err(store_error)
    }

    async fn queues(&self) -> StoreResult<Vec<CallQueue>> {
        self.all_queues().await
    }

    async fn queue(&self, id: &QueueId) -> StoreResult<Option<CallQueue>> {
        self.one_queue(id).await
    }

    async fn save_queue(&self, queue: &CallQueue, audit: &AuditRecord) -> StoreResult<()> {
        self.put_queue(queue, audit).await
    }

    async fn delete_queue(&self, id: &QueueId, audit: &AuditRecord) -> StoreResult<()> {
        self.remove_queue(id, audit).await
    }

    async fn agents(&self) -> StoreResult<Vec<Agent>> {
        let rows = sqlx::query("SELECT id, name, group_id, active FROM agents ORDER BY name, id")
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(rows
            .iter()
            .map(agent_from_row)
            .collect::<anyhow::Result<_>>()?)
    }

    async fn agent(&self, id: &UserId) -> StoreResult<Option<Agent>> {
        let row = sqlx::query("SELECT id, name, group_id, active FROM agents WHERE id = ?")
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(row.as_ref().map(agent_from_row).transpose()?)
    }

    async fn insert_agent(&self, agent: &Agent, audit: &AuditRecord) -> StoreResult<()> {
        let query =
            sqlx::query("INSERT INTO agents (id, name, group_id, active) VALUES (?, ?, ?, ?)")
                .bind(agent.id.as_str())
                .bind(&agent.name)
                .bind(agent.group_id.as_str())
                .bind(i64::from(agent.active));
        self.change_one(query, "the agent", audit).await
    }

    async fn update_agent(&self, agent: &Agent, audit: &AuditRecord) -> StoreResult<()> {
        let query =
            sqlx::query("UPDATE agents SET name = ?, group_id = ?, active = ? WHERE id = ?")
                .bind(&agent.name)
                .bind(agent.group_id.as_str())
                .bind(i64::from(agent.active))
                .bind(agent.id.as_str());
        self.change_one(query, "the agent", audit).await
    }

    async fn delete_agent(&self, id: &UserId, audit: &AuditRecord) -> StoreResult<()> {
        let query = sqlx::query("DELETE FROM agents WHERE id = ?").bind(id.as_str());
        self.change_one(query, "the agent", audit).await
    }

    async fn provider_accounts(&self) -> StoreResult<Vec<StoredProviderAccount>> {
        let version = self.config_version().await?;
        if let Some(kept) = self.cache.accounts.get(&(), version) {
            return Ok(kept);
        }
        let rows = sqlx::query("SELECT * FROM provider_accounts ORDER BY channel, display_name")
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        let accounts: Vec<StoredProviderAccount> = rows
            .iter()
            .map(|row| account_from_row(row, self.open_credentials(&row.text("credentials")?)))
            .collect::<anyhow::Result<_>>()?;
        self.cache.accounts.put((), version, accounts.clone());
        Ok(accounts)
    }

    async fn insert_provider_account(
        &self,
        stored: &StoredProviderAccount,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let a = stored.account.clone();
        let at = to_ms(now());
        write(self, stored, audit, move |credentials| {
            sqlx::query(
                "INSERT INTO provider_accounts (id, channel, provider, display_name, sender, credentials, is_default,
                 webhook_url, created_at, updated_at, allow_list, account_key, description, recontact_template)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(a.id.to_string())
            .bind(a.channel.as_str())
            .bind(a.provider)
            .bind(a.display_name)
            .bind(a.sender)
            .bind(credentials)
            .bind(i64::from(a.default))
            .bind(a.webhook_url)
            .bind(at)
            .bind(at)
            .bind(allow_list_json(a.allow_list.as_deref()))
            .bind(String::from(a.key))
            .bind(a.description)
            .bind(a.recontact_template.map(|t| t.to_string()))
        })
        .await
    }

    async fn update_provider_account(
        &self,
        stored: &StoredProviderAccount,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let a = stored.account.clone();
        let at = to_ms(now());
        write(self, stored, audit, move |credentials| {
            sqlx::query(
                "UPDATE provider_accounts SET channel = ?, provider = ?, display_name = ?, sender = ?, credentials = ?,
                 is_default = ?, webhook_url = ?, updated_at = ?, allow_list = ?, account_key = ?, description = ?,
                 recontact_template = ? WHERE id = ?",
            )
            .bind(a.channel.as_str())
            .bind(a.provider)
            .bind(a.display_name)
            .bind(a.sender)
            .bind(credentials)
            .bind(i64::from(a.default))
            .bind(a.webhook_url)
            .bind(at)
            .bind(allow_list_json(a.allow_list.as_deref()))
            .bind(String::from(a.key))
            .bind(a.description)
            .bind(a.recontact_template.map(|t| t.to_string()))
            .bind(a.id.to_string())
        })
        .await
    }

    async fn delete_provider_account(
        &self,
        id: &ProviderAccountId,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let query = sqlx::query("DELETE FROM provider_accounts WHERE id = ?").bind(id.as_str());
        self.change_one(query, "the provider account", audit).await
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

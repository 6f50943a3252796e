//! Provider accounts on SQL, credentials sealed.

use super::*;

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

/// An account's row: a new one, or a change to one that exists.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Write {
    Insert,
    Update,
}

impl Write {
    /// The statement; both take the same parameters in the same order, and an insert
    /// its creation time last.
    fn sql(self) -> &'static str {
        match self {
            Self::Insert => {
                "INSERT INTO provider_accounts (channel, provider, display_name, sender, credentials, is_default,
                 webhook_url, updated_at, allow_list, account_key, description, recontact_template, id, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            }
            Self::Update => {
                "UPDATE provider_accounts SET channel = ?, provider = ?, display_name = ?, sender = ?, credentials = ?,
                 is_default = ?, webhook_url = ?, updated_at = ?, allow_list = ?, account_key = ?, description = ?,
                 recontact_template = ? WHERE id = ?"
            }
        }
    }
}

/// Writes an account in one transaction with its audit entry: a default account first
/// takes the default away from the others of its channel.
async fn write(
    store: &SqlStore,
    stored: &StoredProviderAccount,
    audit: &AuditRecord,
    kind: Write,
) -> StoreResult<()> {
    let a = &stored.account;
    let credentials = store.seal_credentials(
        serde_json::to_string(&stored.credentials).map_err(anyhow::Error::from)?,
    )?;
    let at = to_ms(now());
    let statement = sqlx::query(kind.sql())
        .bind(a.channel.as_str())
        .bind(&a.provider)
        .bind(&a.display_name)
        .bind(&a.sender)
        .bind(credentials)
        .bind(i64::from(a.default))
        .bind(&a.webhook_url)
        .bind(at)
        .bind(allow_list_json(a.allow_list.as_deref()))
        .bind(a.key.as_str())
        .bind(&a.description)
        .bind(a.recontact_template.as_ref().map(ToString::to_string))
        .bind(a.id.to_string());
    let statement = match kind {
        Write::Insert => statement.bind(at),
        Write::Update => statement,
    };
    let mut tx: Tx = store.write().await.map_err(store_error)?;
    if a.default {
        sqlx::query("UPDATE provider_accounts SET is_default = 0 WHERE channel = ? AND id <> ?")
            .bind(a.channel.as_str())
            .bind(a.id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
    }
    let result = statement.execute(&mut *tx).await;
    touched(result.map_err(store_error)?, "the provider account")?;
    store.commit_with(tx, audit).await
}

#[async_trait]
impl ProviderAccountStore for SqlStore {
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
        write(self, stored, audit, Write::Insert).await
    }

    async fn update_provider_account(
        &self,
        stored: &StoredProviderAccount,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        write(self, stored, audit, Write::Update).await
    }

    async fn delete_provider_account(
        &self,
        id: &ProviderAccountId,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let query = sqlx::query("DELETE FROM provider_accounts WHERE id = ?").bind(id.as_str());
        self.change_one(query, "the provider account", audit).await
    }
}

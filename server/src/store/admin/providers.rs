//! Provider accounts on SQL: credentials as a JSON object, sealed when the store has a
//! seal; one default account per channel.

use super::{commit_with, touched, SqlStore, Statement};
use crate::store::{store_error, to_ms, RowExt, Tx};
use anyhow::Context;
use app::domain::{ProviderAccount, ProviderAccountId};
use app::service::{now, AuditRecord, StoreResult, StoredProviderAccount};
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

/// An account from its row; `credentials` is the opened JSON of its credentials.
fn account_from_row(row: &AnyRow, credentials: &str) -> anyhow::Result<StoredProviderAccount> {
    let credentials: BTreeMap<String, String> =
        serde_json::from_str(credentials).context("stored credentials are not a JSON object")?;
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
        },
        credentials,
    })
}

pub(super) async fn list(store: &SqlStore) -> StoreResult<Vec<StoredProviderAccount>> {
    let rows = sqlx::query("SELECT * FROM provider_accounts ORDER BY channel, display_name")
        .fetch_all(&store.pool)
        .await
        .map_err(store_error)?;
    Ok(rows
        .iter()
        .map(|row| account_from_row(row, &store.open_credentials(&row.text("credentials")?)?))
        .collect::<anyhow::Result<_>>()?)
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
    commit_with(tx, audit).await
}

pub(super) async fn insert(
    store: &SqlStore,
    stored: &StoredProviderAccount,
    audit: &AuditRecord,
) -> StoreResult<()> {
    let a = stored.account.clone();
    let at = to_ms(now());
    write(store, stored, audit, move |credentials| {
        sqlx::query(
            "INSERT INTO provider_accounts (id, channel, provider, display_name, sender, credentials, is_default,
             webhook_url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
    })
    .await
}

pub(super) async fn update(
    store: &SqlStore,
    stored: &StoredProviderAccount,
    audit: &AuditRecord,
) -> StoreResult<()> {
    let a = stored.account.clone();
    let at = to_ms(now());
    write(store, stored, audit, move |credentials| {
        sqlx::query(
            "UPDATE provider_accounts SET channel = ?, provider = ?, display_name = ?, sender = ?, credentials = ?,
             is_default = ?, webhook_url = ?, updated_at = ? WHERE id = ?",
        )
        .bind(a.channel.as_str())
        .bind(a.provider)
        .bind(a.display_name)
        .bind(a.sender)
        .bind(credentials)
        .bind(i64::from(a.default))
        .bind(a.webhook_url)
        .bind(at)
        .bind(a.id.to_string())
    })
    .await
}

pub(super) async fn delete(
    store: &SqlStore,
    id: &ProviderAccountId,
    audit: &AuditRecord,
) -> StoreResult<()> {
    let query = sqlx::query("DELETE FROM provider_accounts WHERE id = ?").bind(id.as_str());
    store.change_one(query, "the provider account", audit).await
}

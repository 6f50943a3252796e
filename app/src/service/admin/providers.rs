//! Provider accounts: the type's channel, sender and credentials checked (the same
//! domain checks the settings page runs), credentials write-only and merged with the
//! stored ones, the webhook URL made from the server's public URL.

use super::{audited, found, id_taken, Entity};
use crate::domain::{
    display_name, webhook_url, ProviderAccount, ProviderAccountId, ProviderAccountInput,
    ProviderKind,
};
use crate::service::{Caller, ServiceError, Services, StoredProviderAccount};
use std::collections::BTreeMap;

/// Every provider account (credentials hidden).
pub async fn list_provider_accounts(
    services: &Services,
    caller: &Caller,
) -> Result<Vec<ProviderAccount>, ServiceError> {
    caller.require_admin()?;
    Ok(services
        .admin
        .provider_accounts()
        .await?
        .into_iter()
        .map(|a| a.account)
        .collect())
}

/// A stored account, or 404.
async fn stored_account(
    services: &Services,
    id: &ProviderAccountId,
) -> Result<StoredProviderAccount, ServiceError> {
    let accounts = services.admin.provider_accounts().await?;
    found(
        accounts.into_iter().find(|a| &a.account.id == id),
        Entity::Provider,
    )
}

/// A new account's id: the provider type and eight random hex digits.
fn new_account_id(provider: &ProviderKind) -> Result<ProviderAccountId, ServiceError> {
    let suffix = &uuid::Uuid::new_v4().simple().to_string()[..8];
    ProviderAccountId::parse(&format!("{}-{suffix}", provider.name))
        .map_err(|e| ServiceError::Internal(e.into()))
}

/// The stored credentials with the input's applied: a value replaces, `""` removes,
/// an absent name keeps what was there.
fn merged(
    stored: Option<&StoredProviderAccount>,
    given: BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut credentials = stored.map(|s| s.credentials.clone()).unwrap_or_default();
    for (name, value) in given {
        if value.is_empty() {
            credentials.remove(&name);
        } else {
            credentials.insert(name, value);
        }
    }
    credentials
}

/// Creates (`existing` none) or changes a provider account. Credentials are write-only:
/// given values replace stored ones, `""` removes one, absent ones are kept.
pub async fn save_provider_account(
    services: &Services,
    caller: &Caller,
    input: ProviderAccountInput,
    existing: Option<&ProviderAccountId>,
) -> Result<ProviderAccount, ServiceError> {
    caller.require_admin()?;
    let kind = ProviderKind::of(&input)?;
    input.check(kind)?;
    let before = match existing {
        Some(id) => Some(stored_account(services, id).await?),
        None => None,
    };
    let id = match (existing, input.id.as_ref()) {
        (Some(id), _) | (None, Some(id)) => id.clone(),
        (None, None) => new_account_id(kind)?,
    };
    let credentials = merged(before.as_ref(), input.credentials);
    kind.check_account(&credentials, &input.sender)?;
    let account = ProviderAccount {
        webhook_url: webhook_url(&services.settings.public_url, kind.name, &id),
        id,
        channel: input.channel,
        provider: kind.name.to_owned(),
        display_name: display_name(&input.display_name)?,
        sender: input.sender.trim().to_owned(),
        credentials_set: credentials.keys().cloned().collect(),
        default: input.default,
    };
    let stored = StoredProviderAccount {
        account,
        credentials,
    };
    let store = services.admin.as_ref();
    let (after, creating) = (&stored, before.is_none());
    // The audit log shows which credentials are set, never their values.
    audited(
        caller,
        Entity::Provider,
        after.account.id.as_str(),
        before.as_ref().map(|b| &b.account),
        Some(&after.account),
        |audit| async move {
            if creating {
                store.insert_provider_account(after, &audit).await
            } else {
                store.update_provider_account(after, &audit).await
            }
        },
    )
    .await
    .map_err(id_taken(Entity::Provider))?;
    Ok(stored.account)
}

/// Deletes a provider account.
pub async fn delete_provider_account(
    services: &Services,
    caller: &Caller,
    id: &ProviderAccountId,
) -> Result<(), ServiceError> {
    caller.require_admin()?;
    let before = stored_account(services, id).await?;
    let store = services.admin.as_ref();
    audited(
        caller,
        Entity::Provider,
        id.as_str(),
        Some(&before.account),
        None,
        |audit| async move { store.delete_provider_account(id, &audit).await },
    )
    .await?;
    Ok(())
}

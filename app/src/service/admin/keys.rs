//! Integrators' API keys: created with a name, scopes, groups and optional addresses
//! (the secret shown once), listed with their last use, revoked by deleting.

use super::{json, Admin, Entity};
use crate::domain::{ApiKey, ApiKeyInput, CreatedApiKey};
use crate::service::keys::{new_secret, secret_digest};
use crate::service::{now, ServiceError};

impl Admin<'_> {
    /// Every API key, newest first (never their secrets).
    pub async fn list_api_keys(&self) -> Result<Vec<ApiKey>, ServiceError> {
        Ok(self.services.accounts.api_keys().await?)
    }

    /// A new key for `input`'s groups (each must exist); its secret, this once.
    pub async fn create_api_key(&self, input: &ApiKeyInput) -> Result<CreatedApiKey, ServiceError> {
        let (name, allowed_ips) = input.check().map_err(|fields| ServiceError::Invalid {
            code: "invalid_api_key",
            message: "The key needs a name, a scope, a group, and real addresses.".into(),
            fields,
        })?;
        for (i, group) in input.groups.iter().enumerate() {
            if self.store().group(group).await?.is_none() {
                return Err(ServiceError::invalid(
                    "unknown_group",
                    format!("There is no group {group}."),
                    &format!("groups.{i}"),
                    "unknown group",
                ));
            }
        }
        let secret = new_secret();
        let mut scopes = input.scopes.clone();
        scopes.sort();
        scopes.dedup();
        let key = ApiKey {
            id: format!("key_{}", &uuid::Uuid::new_v4().simple().to_string()[..12]),
            name,
            scopes,
            groups: input.groups.clone(),
            allowed_ips,
            prefix: secret.chars().take(10).collect(),
            created_at: crate::domain::rfc3339(now()),
            last_used_at: None,
        };
        let audit = self.record(Entity::ApiKey, &key.id, None, json(&key));
        self.services
            .accounts
            .insert_api_key(&key, &secret_digest(&secret), &audit)
            .await?;
        Ok(CreatedApiKey { key, secret })
    }

    /// Revokes a key at once, everywhere (404 when there is none).
    pub async fn revoke_api_key(&self, id: &str) -> Result<(), ServiceError> {
        let before = self.services.accounts.api_key(id).await?;
        let not_found = || ServiceError::NotFound {
            code: "not_found",
            message: "No such API key.".into(),
        };
        let before = before.ok_or_else(not_found)?;
        let audit = self.record(Entity::ApiKey, id, json(&before), None);
        if self.services.accounts.delete_api_key(id, &audit).await? {
            Ok(())
        } else {
            Err(not_found())
        }
    }
}

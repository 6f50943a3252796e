//! Provider accounts: the type's channel, sender and credentials checked (the same
//! domain checks the settings page runs), credentials write-only and merged with the
//! stored ones, the webhook URL made from the server's public URL.

use super::{id_taken, json, Admin, Entity};
use crate::domain::{
    display_name, webhook_url, AccountKey, Channel, FieldProblem, ProviderAccount,
    ProviderAccountId, ProviderAccountInput, ProviderKind, TemplateId,
};
use crate::service::{ServiceError, StoredProviderAccount};
use std::collections::BTreeMap;

impl Admin<'_> {
    /// Creates (`existing` none) or changes a provider account. Credentials are
    /// write-only: given values replace stored ones, `""` removes one, absent ones are kept.
    pub async fn save_provider_account(
        &self,
        input: ProviderAccountInput,
        existing: Option<&ProviderAccountId>,
    ) -> Result<ProviderAccount, ServiceError> {
        let kind = ProviderKind::of(&input)?;
        input.check(kind)?;
        let allow_list = input.parsed_allow_list()?;
        let before = match existing {
            Some(id) => Some(self.stored_account(id).await?),
            None => None,
        };
        let id = match (existing, input.id.as_ref()) {
            (Some(id), _) | (None, Some(id)) => id.clone(),
            (None, None) => new_account_id(kind)?,
        };
        let credentials = merged(before.as_ref(), input.credentials);
        kind.check_account(&credentials, &input.sender)?;
        let key = self
            .account_key(kind, &id, input.key.as_deref(), before.as_ref())
            .await?;
        if let Some(template) = &input.recontact_template {
            self.check_recontact(template).await?;
        }
        let description = match input.description {
            Some(text) => text.trim().to_owned(),
            None => before
                .as_ref()
                .map(|b| b.account.description.clone())
                .unwrap_or_default(),
        };
        let mut url = webhook_url(&self.services.settings.public_url, kind.name, &id);
        if let Some(secret) = kind.url_token_key.and_then(|k| credentials.get(k)) {
            // The provider signs nothing: its forward of customers' messages proves
            // itself by this token.
            url = format!(
                "{url}?message={INBOUND}&token={}",
                url_token(secret, INBOUND)
            );
        }
        let account = ProviderAccount {
            webhook_url: url,
            id,
            channel: input.channel,
            provider: kind.name.to_owned(),
            display_name: display_name(&input.display_name, "display_name")?,
            sender: input.sender.trim().to_owned(),
            credentials_set: credentials.keys().cloned().collect(),
            default: input.default,
            allow_list,
            key,
            description,
            recontact_template: input.recontact_template,
        };
        let stored = StoredProviderAccount {
            account,
            credentials,
        };
        let saved = self.save(before.as_ref(), &stored).await;
        saved.map_err(id_taken(Entity::Provider))?;
        Ok(stored.account)
    }

    /// The account's key: the one given, else the one it has, else one made from its
    /// type; no other account may have it.
    async fn account_key(
        &self,
        kind: &ProviderKind,
        id: &ProviderAccountId,
        given: Option<&str>,
        before: Option<&StoredProviderAccount>,
    ) -> Result<AccountKey, ServiceError> {
        let others: Vec<AccountKey> = self
            .services
            .admin
            .provider_accounts()
            .await?
            .into_iter()
            .filter(|a| &a.account.id != id)
            .map(|a| a.account.key)
            .collect();
        let key = match (given, before) {
            (Some(text), _) => AccountKey::parse(text)?,
            // (Accounts saved before keys existed show one made from their type, which
            // two of them may share: such a one gets a free key when saved.)
            (None, Some(b)) if !others.contains(&b.account.key) => b.account.key.clone(),
            (None, _) => AccountKey::suggest(kind.name, &others),
        };
        if others.contains(&key) {
            return Err(FieldProblem::new(
                "key_taken",
                format!("Another provider account has the key {key}; give this one another."),
                "key",
                "taken",
            )
            .into());
        }
        Ok(key)
    }

    /// A recontact template is a WhatsApp template that exists.
    async fn check_recontact(&self, template: &TemplateId) -> Result<(), ServiceError> {
        let found = self.services.admin.template(template).await?;
        if found.is_some_and(|t| t.channel == Channel::Whatsapp) {
            return Ok(());
        }
        Err(FieldProblem::new(
            "invalid_recontact_template",
            "The recontact template must be one of the WhatsApp templates.",
            "recontact_template",
            "not a WhatsApp template",
        )
        .into())
    }

    /// Deletes a provider account.
    pub async fn delete_provider_account(
        &self,
        id: &ProviderAccountId,
    ) -> Result<(), ServiceError> {
        let before = self.stored_account(id).await?;
        let audit = self.record(Entity::Provider, id.as_str(), json(&before.account), None);
        Ok(self.store().delete_provider_account(id, &audit).await?)
    }
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

/// What the `message` parameter of a customer-message forward says (providers that
/// sign nothing: Exotel, Sinch SMS, Kaleyra).
pub const INBOUND: &str = "inbound";

/// The token a URL carries for a provider that signs nothing (Exotel, Sinch SMS,
/// Kaleyra): the hex HMAC-SHA256 of `subject` (a message's UUID, or [`INBOUND`])
/// under `secret`.
pub fn url_token(secret: &str, subject: &str) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes any key length");
    mac.update(subject.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

//! The first-run work of a serving process: the demo data, the first admin, the
//! provider accounts kept in configuration.

use super::Backends;
use crate::config::Settings;
use crate::store::seed;
use app::domain::{ProviderAccountInput, UserId};
use app::service::admin::Admin;
use app::service::{accounts, AdminAccounts, Caller, Services};
use secrecy::ExposeSecret;
use std::collections::BTreeMap;

impl Backends {
    /// The first-run work of a serving process: the demo data into an empty store, the
    /// first admin, and the provider accounts kept in configuration.
    pub async fn bootstrap(&self, settings: &Settings) -> anyhow::Result<()> {
        if settings.database.seed_demo && seed::seed_demo_if_empty(&self.store).await? {
            tracing::info!(
                group = seed::DEMO_GROUP,
                agent = seed::DEMO_AGENT,
                "seeded the demo data"
            );
        }
        ensure_an_admin(self.store.as_ref(), settings).await?;
        apply_configured_accounts(&self.services, settings).await
    }
}

/// On an empty database, creates the admin `admin` with the configured initial password
/// or a random one, printed once (never a fixed default).
async fn ensure_an_admin(store: &dyn AdminAccounts, settings: &Settings) -> anyhow::Result<()> {
    if accounts::has_admins(store).await? {
        return Ok(());
    }
    let (password, generated) = match &settings.auth.initial_admin_password {
        Some(p) => (p.expose_secret().to_owned(), false),
        None => (random_password(), true),
    };
    accounts::set_admin_password(store, "admin", &password).await?;
    if generated {
        println!();
        println!("  First run: created the admin account `admin` with this one-time password:");
        println!();
        println!("      {password}");
        println!();
        println!("  Keep it safe (it is not shown again); `agent-notify admin create --id admin` sets a new one.");
        println!();
    }
    Ok(())
}

/// Writes the provider accounts kept in configuration to the settings store. Unchanged
/// ones are left alone, so the audit log (actor `config`) records only real changes.
async fn apply_configured_accounts(services: &Services, settings: &Settings) -> anyhow::Result<()> {
    if settings.providers.accounts.is_empty() {
        return Ok(());
    }
    let stored = services.admin.provider_accounts().await?;
    let caller = Caller::admin(UserId::parse("config")?);
    for (id, configured) in &settings.providers.accounts {
        let credentials: BTreeMap<String, String> = configured
            .credentials
            .iter()
            .map(|(k, v)| (k.clone(), v.expose_secret().to_owned()))
            .collect();
        let display_name = configured
            .display_name
            .clone()
            .unwrap_or_else(|| id.to_string());
        let existing = stored.iter().find(|a| &a.account.id == id);
        let unchanged = existing.is_some_and(|a| {
            a.account.provider == configured.provider.name
                && a.account.channel == configured.channel
                && a.account.sender == configured.sender.trim()
                && a.account.display_name == display_name
                && a.account.default == configured.default
                && a.credentials == credentials
        });
        if unchanged {
            continue;
        }
        let input = ProviderAccountInput {
            id: Some(id.clone()),
            channel: configured.channel,
            provider: configured.provider.name.to_owned(),
            display_name,
            sender: configured.sender.clone(),
            credentials,
            default: configured.default,
            // An allow list set on the settings page stays.
            allow_list: existing
                .and_then(|e| e.account.allow_list.as_ref())
                .map(|list| list.iter().map(ToString::to_string).collect()),
            // So do the key, the description and the recontact template.
            key: None,
            description: None,
            recontact_template: existing.and_then(|e| e.account.recontact_template.clone()),
        };
        Admin::new(services, &caller)?
            .save_provider_account(input, existing.map(|_| id))
            .await
            .map_err(|e| anyhow::anyhow!("providers.accounts.{id}: {e}"))?;
        tracing::info!(account = %id, "provider account written from the configuration");
    }
    Ok(())
}

/// 20 random letters and digits.
pub fn random_password() -> String {
    use rand::distr::{Alphanumeric, SampleString};
    Alphanumeric.sample_string(&mut rand::rng(), 20)
}

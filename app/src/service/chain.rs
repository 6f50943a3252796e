//! Which provider accounts send a group's messages on a channel: the account the group
//! chose (else the channel's default), then the group's fallback chain — and, for one
//! message, which of them is in use. An account that is down (its circuit breaker is
//! open) is passed over; one that refuses a message for a reason of its own hands it
//! to the next.

use super::{Provider, Services, StoreResult, StoredProviderAccount};
use crate::domain::{Channel, GroupId};
use std::sync::Arc;

/// The accounts that send `group`'s messages on `channel`, in order, each once. Empty:
/// the configured default provider sends them.
pub async fn chain_for(
    services: &Services,
    group: &GroupId,
    channel: Channel,
) -> StoreResult<Vec<StoredProviderAccount>> {
    let types = services.admin.notification_types(group).await?;
    let mapping = types.get(channel);
    let accounts = services.admin.provider_accounts().await?;
    let first = match &mapping.account {
        Some(id) => accounts.iter().find(|a| &a.account.id == id),
        None => accounts
            .iter()
            .find(|a| a.account.default && a.account.channel == channel),
    };
    let mut chain: Vec<StoredProviderAccount> = first.into_iter().cloned().collect();
    for id in &mapping.fallback {
        if chain.iter().all(|a| &a.account.id != id) {
            chain.extend(accounts.iter().find(|a| &a.account.id == id).cloned());
        }
    }
    Ok(chain)
}

/// Which provider account sends `group`'s messages on `channel` first: the account the
/// group chose on its Notification Type tab, else the channel's default account; none
/// means the configured default provider.
pub async fn account_for(
    services: &Services,
    group: &GroupId,
    channel: Channel,
) -> StoreResult<Option<StoredProviderAccount>> {
    Ok(chain_for(services, group, channel)
        .await?
        .into_iter()
        .next())
}

/// One message's way out on one channel: the chain, and the account in use.
pub struct Route {
    chain: Vec<StoredProviderAccount>,
    at: usize,
}

impl Route {
    /// The route for `group` on `channel`, starting at the first account that is not
    /// down (the first when all are).
    pub async fn of(services: &Services, group: &GroupId, channel: Channel) -> StoreResult<Self> {
        let chain = chain_for(services, group, channel).await?;
        let at = chain
            .iter()
            .position(|a| !services.providers.is_down(a))
            .unwrap_or(0);
        Ok(Self { chain, at })
    }

    /// The provider of the account in use.
    pub fn provider(&self, services: &Services) -> Arc<dyn Provider> {
        services.providers.provider(self.chain.get(self.at))
    }

    /// The accounts passed over because they were down, as people name them.
    pub fn passed_over(&self) -> Vec<String> {
        self.chain[..self.at].iter().map(name).collect()
    }

    /// The account in use, as people name it.
    pub fn current(&self) -> String {
        self.chain.get(self.at).map(name).unwrap_or_default()
    }

    /// Whether the account in use is down now.
    pub fn current_is_down(&self, services: &Services) -> bool {
        self.chain
            .get(self.at)
            .is_some_and(|a| services.providers.is_down(a))
    }

    /// Moves to the next account of the chain; false when there is none.
    pub fn advance(&mut self) -> bool {
        if self.at + 1 < self.chain.len() {
            self.at += 1;
            true
        } else {
            false
        }
    }
}

/// An account as the history names it: its name and key.
fn name(account: &StoredProviderAccount) -> String {
    format!("{} ({})", account.account.display_name, account.account.key)
}

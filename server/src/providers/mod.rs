//! Messaging providers: the built-in sandbox, the generic HTTP gateway and one module per
//! real provider (send + webhook parse + signature check + error mapping), and the
//! [`Directory`] that picks the provider account for each message.

pub mod breaker;
pub mod exotel;
#[cfg(test)]
mod fuzz;
pub mod http_gateway;
pub mod kaleyra;
pub mod meta;
pub mod pace;
pub mod rbm;
pub mod sandbox;
pub mod sinch;
pub mod sinch_conversation;
pub mod twilio;

pub use http_gateway::HttpGatewayProvider;
pub use sandbox::SandboxProvider;

mod answers;
mod webhook;
pub use answers::*;
pub use webhook::*;

use crate::config::{Endpoints, ProviderSettings};
use crate::metrics::Metrics;
pub use app::domain::{account_key, webhook_url};
use app::domain::{FailureReason, ProviderAccountId};
use app::service::{
    AdminStore, InboundMessage, OutboundMessage, Provider, ProviderDirectory, ProviderError,
    ProviderReceipt, StatusSink, StoreResult, StoredProviderAccount,
};
pub use app::service::{MessageRef, ProviderReport, ReportedChange};
use async_trait::async_trait;
use axum::http::HeaderMap;
use pace::{Pace, SlotBook};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::OffsetDateTime;

/// A provider account: sends messages and understands its own webhooks.
pub trait Account: Provider {
    /// The largest webhook body this provider sends (larger ones are refused before
    /// anything reads them): one event fits in 64 KiB; Meta batches override it.
    fn max_webhook_body(&self) -> usize {
        64 * 1024
    }
    /// Checks a webhook request's signature, then reads it.
    fn receive(&self, request: &WebhookRequest<'_>) -> Result<WebhookReply, WebhookError> {
        let _ = request;
        Err(WebhookError::Unsupported)
    }
    /// Answers a GET subscription handshake (Meta): the text to echo, if the query is
    /// a valid one for this account.
    fn verify_subscription(&self, query: &BTreeMap<String, String>) -> Option<String> {
        let _ = query;
        None
    }
}

/// What every provider module needs to build an account.
pub struct Context {
    /// The shared HTTP client.
    pub client: reqwest::Client,
    /// The provider APIs.
    pub endpoints: Endpoints,
    /// Where providers' direct reports go.
    pub sink: Arc<dyn StatusSink>,
    /// How long an RCS message may wait undelivered before it goes by SMS.
    pub rcs_ttl: Duration,
    /// Our public base URL (webhook URLs).
    pub public_url: String,
    /// The sandbox's pace: to `sent`, then to `delivered`.
    pub sandbox: (Duration, Duration),
}

fn credential<'a>(account: &'a StoredProviderAccount, name: &str) -> anyhow::Result<&'a str> {
    account
        .credentials
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "provider account {} has no {name} credential",
                account.account.id
            )
        })
}

/// Builds the provider for a stored account.
fn build(context: &Context, stored: &StoredProviderAccount) -> anyhow::Result<Arc<dyn Account>> {
    Ok(match stored.account.provider.as_str() {
        "twilio" => Arc::new(twilio::Twilio::new(context, stored)?),
        "meta" => Arc::new(meta::Meta::new(context, stored)?),
        "rbm" => Arc::new(rbm::Rbm::new(context, stored)?),
        "exotel" => Arc::new(exotel::Exotel::new(context, stored)?),
        "sinch" => Arc::new(sinch::SinchSms::new(context, stored)?),
        "sinch_conversation" => Arc::new(sinch_conversation::Conversation::new(context, stored)?),
        "kaleyra" => Arc::new(kaleyra::Kaleyra::new(context, stored)?),
        "sandbox" => Arc::new(sandbox::SandboxProvider::new(
            context.sink.clone(),
            context.sandbox.0,
            context.sandbox.1,
        )),
        other => anyhow::bail!("unknown provider type {other}"),
    })
}

/// An account that cannot be built (say, an unreadable service-account key): its
/// messages fail with the reason, so the admin sees what to fix.
pub struct Misconfigured {
    name: String,
    reason: String,
}

impl Misconfigured {
    /// A provider called `name` whose every message fails with `reason`.
    pub fn new(name: &str, reason: &str) -> Self {
        Self {
            name: name.to_owned(),
            reason: reason.to_owned(),
        }
    }
}

#[async_trait]
impl Provider for Misconfigured {
    fn name(&self) -> &str {
        &self.name
    }

    async fn send(&self, _: &OutboundMessage) -> Result<ProviderReceipt, ProviderError> {
        Err(refused("provider_misconfigured", self.reason.clone()))
    }
}

impl Account for Misconfigured {}

/// A provider behind its send-rate limit (accounts), its answers counted. What an
/// account takes is recorded under its key (`twilio:tw-sms`), so that a webhook can
/// only change messages its own account sent.
struct Paced {
    inner: Arc<dyn Provider>,
    pace: Option<Pace>,
    metrics: Arc<Metrics>,
    key: Option<String>,
    /// An account's breaker (none for the configured default provider).
    breaker: Option<breaker::Breaker>,
}

impl Paced {
    fn stamped(&self, mut receipt: ProviderReceipt) -> ProviderReceipt {
        if let Some(key) = &self.key {
            receipt.provider.clone_from(key);
        }
        receipt
    }
}

#[async_trait]
impl Provider for Paced {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn deduplicates(&self) -> bool {
        self.inner.deduplicates()
    }

    /// A burst over the limit waits its turn here instead of being refused.
    async fn wait_turn(&self) {
        if let Some(pace) = &self.pace {
            pace.wait().await;
        }
    }

    async fn send(&self, message: &OutboundMessage) -> Result<ProviderReceipt, ProviderError> {
        let answer = self.inner.send(message).await;
        let result = match &answer {
            Ok(_) => "taken",
            Err(ProviderError::Transient(_)) => "retry",
            Err(ProviderError::Unknown(_)) => "unknown",
            Err(ProviderError::Permanent(_)) => "refused",
            Err(ProviderError::SwitchToSms(_)) => "switch",
        };
        self.metrics.provider_answer(self.inner.name(), result);
        if let Some(breaker) = &self.breaker {
            match &answer {
                Err(ProviderError::Transient(_) | ProviderError::Unknown(_)) => {
                    if breaker.failed() {
                        tracing::warn!(
                            account = self.key.as_deref().unwrap_or(""),
                            "provider account is down: its circuit opened"
                        );
                    }
                }
                _ => breaker.answered(),
            }
        }
        answer.map(|receipt| self.stamped(receipt))
    }

    async fn lookup(
        &self,
        message: &OutboundMessage,
        since: OffsetDateTime,
    ) -> Option<ProviderReceipt> {
        let found = self.inner.lookup(message, since).await;
        found.map(|receipt| self.stamped(receipt))
    }
}

struct Built {
    stored: StoredProviderAccount,
    account: Arc<dyn Account>,
    paced: Arc<Paced>,
}

/// Picks the provider for each message from the admin's provider accounts, building
/// each account's provider once (rebuilt when the account changes).
pub struct Directory {
    admin: Arc<dyn AdminStore>,
    fallback: Arc<dyn Provider>,
    context: Context,
    rates: BTreeMap<String, u32>,
    circuit: crate::config::CircuitSettings,
    built: Mutex<HashMap<String, Arc<Built>>>,
    metrics: Arc<Metrics>,
    book: Option<Arc<dyn SlotBook>>,
}

impl Directory {
    /// A directory over `admin`'s accounts; `fallback` sends when no account applies.
    pub fn new(
        admin: Arc<dyn AdminStore>,
        fallback: Arc<dyn Provider>,
        settings: &ProviderSettings,
        sink: Arc<dyn StatusSink>,
        public_url: String,
        metrics: Arc<Metrics>,
        book: Option<Arc<dyn SlotBook>>,
    ) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(settings.request_timeout_ms))
            .pool_max_idle_per_host(IDLE_CONNECTIONS)
            .build()?;
        let fallback = Arc::new(Paced {
            inner: fallback,
            pace: None,
            metrics: metrics.clone(),
            key: None,
            breaker: None,
        });
        Ok(Self {
            admin,
            fallback,
            context: Context {
                client,
                endpoints: settings.endpoints.clone(),
                sink,
                rcs_ttl: Duration::from_secs(settings.rcs_ttl_secs),
                public_url,
                sandbox: (
                    Duration::from_millis(settings.sandbox.sent_after_ms),
                    Duration::from_millis(settings.sandbox.delivered_after_ms),
                ),
            },
            rates: settings.rate_per_second.clone(),
            circuit: settings.circuit.clone(),
            built: Mutex::new(HashMap::new()),
            metrics,
            book,
        })
    }

    fn rate_for(&self, stored: &StoredProviderAccount) -> u32 {
        let account = &stored.account;
        self.rates
            .get(account.id.as_str())
            .or_else(|| self.rates.get(&account.provider))
            .copied()
            .unwrap_or(DEFAULT_RATE)
            .max(1)
    }

    /// The account's pace: shared by every worker when there is a slot book.
    fn pace_for(&self, stored: &StoredProviderAccount) -> Pace {
        let rate = self.rate_for(stored);
        match &self.book {
            Some(book) => Pace::shared(rate, book.clone(), format!("pace:{}", stored.account.id)),
            None => Pace::per_second(rate),
        }
    }

    fn built(&self, stored: StoredProviderAccount) -> Arc<Built> {
        let mut built = self.built.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(b) = built.get(stored.account.id.as_str()) {
            if b.stored == stored {
                return b.clone();
            }
        }
        let account = build(&self.context, &stored).unwrap_or_else(|e| {
            tracing::error!(account = %stored.account.id, error = %e, "provider account is misconfigured");
            Arc::new(Misconfigured {
                name: stored.account.provider.clone(),
                reason: format!(
                    "The provider account {} is misconfigured: {e}.",
                    stored.account.display_name
                ),
            })
        });
        let paced = Arc::new(Paced {
            inner: account.clone(),
            pace: Some(self.pace_for(&stored)),
            metrics: self.metrics.clone(),
            key: Some(account_key(&stored.account.provider, &stored.account.id)),
            breaker: Some(breaker::Breaker::new(&self.circuit)),
        });
        let b = Arc::new(Built {
            stored,
            account,
            paced,
        });
        built.insert(b.stored.account.id.to_string(), b.clone());
        b
    }

    /// The account `id` of provider type `provider`, for its webhooks: its sender, and
    /// the account built.
    pub async fn account(
        &self,
        provider: &str,
        id: &ProviderAccountId,
    ) -> StoreResult<Option<(String, Arc<dyn Account>)>> {
        let stored = self
            .admin
            .provider_accounts()
            .await?
            .into_iter()
            .find(|a| &a.account.id == id && a.account.provider == provider);
        Ok(stored.map(|stored| {
            let built = self.built(stored);
            (built.stored.account.sender.clone(), built.account.clone())
        }))
    }
}

/// Connections to one provider host kept open for reuse: as many as a worker keeps
/// messages in flight (by default), so a busy worker does not reconnect per message.
pub const IDLE_CONNECTIONS: usize = 256;

/// Messages per second an account sends when the settings name no limit for it.
pub const DEFAULT_RATE: u32 = 50;

/// The largest webhook body a provider may send (a full Meta batch, up to 1,000
/// statuses, is a few hundred kilobytes); the webhook route's limit.
pub const WEBHOOK_BODY_LIMIT: usize = 4 * 1024 * 1024;

impl ProviderDirectory for Directory {
    fn provider(&self, account: Option<&StoredProviderAccount>) -> Arc<dyn Provider> {
        match account {
            Some(stored) => self.built(stored.clone()).paced.clone(),
            None => self.fallback.clone(),
        }
    }

    /// (An account not built yet, or changed since, has a closed breaker.)
    fn is_down(&self, account: &StoredProviderAccount) -> bool {
        let built = self.built.lock().unwrap_or_else(|e| e.into_inner());
        built
            .get(account.account.id.as_str())
            .filter(|b| &b.stored == account)
            .and_then(|b| b.paced.breaker.as_ref())
            .is_some_and(breaker::Breaker::is_open)
    }
}

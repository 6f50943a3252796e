//! The customer-details lookup over HTTP: `GET <lookup_url>?call_id=…&number=…`,
//! answering `{"name", "numbers", "fields"}` (unknown keys ignored). 404 means "no such
//! customer"; anything else that is not a quick 2xx is a failure the widget shows as
//! "customer details unavailable".

use app::domain::{CallId, CustomerDetails};
use app::service::CustomerLookup;
use async_trait::async_trait;
use std::time::Duration;

/// Looks customers up in the CRM.
pub struct HttpCustomerLookup {
    client: reqwest::Client,
    url: String,
}

impl HttpCustomerLookup {
    /// A lookup against `url` that gives up after `timeout`.
    pub fn new(url: String, timeout: Duration) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder().timeout(timeout).build()?;
        Ok(Self { client, url })
    }
}

#[async_trait]
impl CustomerLookup for HttpCustomerLookup {
    async fn lookup(
        &self,
        call_id: Option<&CallId>,
        number: Option<&str>,
    ) -> Result<Option<CustomerDetails>, String> {
        let mut query: Vec<(&str, &str)> = Vec::new();
        if let Some(call_id) = call_id {
            query.push(("call_id", call_id.as_str()));
        }
        if let Some(number) = number {
            query.push(("number", number));
        }
        let response = self
            .client
            .get(&self.url)
            .query(&query)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    "the CRM did not answer in time".to_owned()
                } else {
                    "the CRM could not be reached".to_owned()
                }
            })?;
        match response.status().as_u16() {
            404 => Ok(None),
            200..=299 => response
                .json::<CustomerDetails>()
                .await
                .map(Some)
                .map_err(|_| "the CRM's answer was not customer details".to_owned()),
            status => Err(format!("the CRM answered {status}")),
        }
    }
}

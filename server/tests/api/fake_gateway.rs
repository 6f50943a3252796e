//! A local HTTP gateway speaking the generic gateway protocol (see
//! `server/src/providers/http_gateway.rs`), with behaviour picked by the recipient's
//! last four digits, and a ledger of what it was asked and what it took.
//!
//! | ends in | answer |
//! |---|---|
//! | `0400` | 400 `invalid_number` (refused for good) |
//! | `0429` | 429 for the first two attempts of a reference, then taken |
//! | `0503` | 503 every time |
//! | other  | taken (200), or 409 when the reference was taken before |

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The token the gateway expects.
pub const GATEWAY_TOKEN: &str = "gateway-token-for-tests";

#[derive(Default)]
struct Ledger {
    /// Every request, by reference.
    calls: HashMap<String, u32>,
    /// Messages taken (a new customer message each), by reference.
    taken: HashMap<String, u32>,
    /// The DLT registration each request carried, by reference.
    dlt: HashMap<String, Value>,
}

#[derive(Clone)]
struct Gateway {
    delay: Duration,
    ledger: Arc<Mutex<Ledger>>,
}

/// A running fake gateway.
pub struct FakeGateway {
    pub url: String,
    ledger: Arc<Mutex<Ledger>>,
}

impl FakeGateway {
    /// Starts a gateway that answers after `delay`.
    pub async fn start(delay: Duration) -> Self {
        let ledger = Arc::new(Mutex::new(Ledger::default()));
        let state = Gateway {
            delay,
            ledger: ledger.clone(),
        };
        let app = Router::new()
            .route("/messages", post(take))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/messages", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, ledger }
    }

    /// Requests received so far.
    pub fn calls(&self) -> u32 {
        self.ledger.lock().expect("ledger").calls.values().sum()
    }

    /// Requests received for `reference`.
    pub fn calls_for(&self, reference: &str) -> u32 {
        let ledger = self.ledger.lock().expect("ledger");
        ledger.calls.get(reference).copied().unwrap_or_default()
    }

    /// How many references were taken (without copying the ledger: the bench polls it).
    pub fn taken_count(&self) -> usize {
        self.ledger.lock().expect("ledger").taken.len()
    }

    /// How many times each reference was taken as a new message.
    pub fn taken(&self) -> HashMap<String, u32> {
        self.ledger.lock().expect("ledger").taken.clone()
    }

    /// The `dlt` object the last request for `reference` carried (null without one).
    pub fn dlt_for(&self, reference: &str) -> Value {
        let ledger = self.ledger.lock().expect("ledger");
        ledger.dlt.get(reference).cloned().unwrap_or_default()
    }
}

async fn take(
    State(gateway): State<Gateway>,
    headers: HeaderMap,
    Json(message): Json<Value>,
) -> (StatusCode, Json<Value>) {
    tokio::time::sleep(gateway.delay).await;
    if headers.get("authorization").and_then(|v| v.to_str().ok())
        != Some(&format!("Bearer {GATEWAY_TOKEN}"))
    {
        let error = json!({"error": {"code": "unauthorized", "message": "Bad token."}});
        return (StatusCode::UNAUTHORIZED, Json(error));
    }
    let reference = message["reference"].as_str().unwrap_or_default().to_owned();
    let to = message["to"].as_str().unwrap_or_default();
    let mut ledger = gateway.ledger.lock().expect("ledger");
    ledger.dlt.insert(reference.clone(), message["dlt"].clone());
    let attempt = {
        let calls = ledger.calls.entry(reference.clone()).or_default();
        *calls += 1;
        *calls
    };
    let id = json!({"id": format!("gw-{reference}")});
    if to.ends_with("0400") {
        let error = json!({"error": {"code": "invalid_number",
            "message": "The gateway says this number does not exist."}});
        return (StatusCode::BAD_REQUEST, Json(error));
    }
    if to.ends_with("0503") || (to.ends_with("0429") && attempt <= 2) {
        let status = if to.ends_with("0503") {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        return (
            status,
            Json(json!({"error": {"code": "busy", "message": "Busy."}})),
        );
    }
    let taken = ledger.taken.entry(reference).or_default();
    if *taken > 0 {
        return (StatusCode::CONFLICT, Json(id));
    }
    *taken += 1;
    (StatusCode::OK, Json(id))
}

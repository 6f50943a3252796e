//! Two unreliable providers on one local server: a Twilio-like API (no idempotency:
//! every POST that is taken is a new message on a phone; status callbacks signed as
//! Twilio signs them; the message list for lookups) and the generic gateway (our
//! reference de-duplicates). Each request waits a random 0–300 ms, then, at random:
//! 15 % busy (503, not taken), 15 % taken but answered after 2 s (past the client's
//! 1 s timeout), else taken and answered. A third of Twilio's list requests fail (500),
//! so some lost answers cannot be looked up.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const TWILIO_SID: &str = "AC00000000000000000000000000000009";
pub const TWILIO_TOKEN: &str = "chaos-twilio-auth-token";

/// What a provider was asked and what it took.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    /// Requests received.
    pub requests: u32,
    /// Answered 503 without taking the message.
    pub busy: u32,
    /// Taken, answered past the client's timeout.
    pub late: u32,
    /// Repeats of a reference already taken (the gateway's 409).
    pub duplicates: u32,
    /// Lookups in the message list (Twilio), and how many of them failed.
    pub lookups: (u32, u32),
    /// Messages taken, by number (Twilio) or reference (gateway).
    pub taken: HashMap<String, u32>,
}

impl Ledger {
    /// Messages taken in all.
    pub fn taken_total(&self) -> u32 {
        self.taken.values().sum()
    }

    /// The most times one number or reference was taken.
    pub fn most_taken(&self) -> u32 {
        self.taken.values().copied().max().unwrap_or_default()
    }
}

#[derive(Default)]
struct Book {
    twilio: Ledger,
    gateway: Ledger,
    /// Twilio's created messages, oldest first, as its list shows them.
    messages: Vec<Value>,
}

#[derive(Clone)]
struct Shared {
    book: Arc<Mutex<Book>>,
    rng: Arc<Mutex<StdRng>>,
}

/// What a request gets.
enum Fate {
    Busy,
    Late,
    Taken,
}

impl Shared {
    /// A random wait, then a random fate.
    async fn fate(&self) -> Fate {
        let (wait, roll) = {
            let mut rng = self.rng.lock().expect("rng");
            (rng.random_range(0..300u64), rng.random_range(0..100u32))
        };
        tokio::time::sleep(Duration::from_millis(wait)).await;
        match roll {
            0..15 => Fate::Busy,
            15..30 => Fate::Late,
            _ => Fate::Taken,
        }
    }
}

/// The running providers.
pub struct Chaos {
    base: String,
    shared: Shared,
}

impl Chaos {
    /// Starts them, with their randomness seeded by `seed`.
    pub async fn start(seed: u64) -> Self {
        let shared = Shared {
            book: Arc::default(),
            rng: Arc::new(Mutex::new(StdRng::seed_from_u64(seed))),
        };
        let app = Router::new()
            .route(
                "/twilio/2010-04-01/Accounts/{sid}/Messages.json",
                post(twilio_send).get(twilio_list),
            )
            .route("/gateway/messages", post(gateway_send))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { base, shared }
    }

    /// Twilio's API base URL.
    pub fn twilio_base(&self) -> String {
        format!("{}/twilio", self.base)
    }

    /// The gateway's URL.
    pub fn gateway_url(&self) -> String {
        format!("{}/gateway/messages", self.base)
    }

    /// Twilio's ledger (taken: by number).
    pub fn twilio_ledger(&self) -> Ledger {
        self.shared.book.lock().expect("book").twilio.clone()
    }

    /// The gateway's ledger (taken: by reference).
    pub fn gateway_ledger(&self) -> Ledger {
        self.shared.book.lock().expect("book").gateway.clone()
    }
}

fn authorised(headers: &HeaderMap) -> bool {
    use base64::Engine;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{TWILIO_SID}:{TWILIO_TOKEN}"))
    );
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(expected.as_str())
}

fn twilio_error(status: StatusCode, code: u32, message: &str) -> Response {
    (
        status,
        Json(json!({"code": code, "message": message, "status": status.as_u16()})),
    )
        .into_response()
}

async fn twilio_send(
    State(shared): State<Shared>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if sid != TWILIO_SID || !authorised(&headers) {
        return twilio_error(StatusCode::UNAUTHORIZED, 20003, "Authenticate");
    }
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).expect("a form");
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let fate = shared.fate().await;
    let created = {
        let mut book = shared.book.lock().expect("book");
        book.twilio.requests += 1;
        if matches!(fate, Fate::Busy) {
            book.twilio.busy += 1;
            None
        } else {
            *book.twilio.taken.entry(field("To")).or_default() += 1;
            let sid = format!("SM{:032}", book.messages.len() + 1);
            let message = json!({"sid": sid, "to": field("To"), "body": field("Body"),
                "status": "queued", "account_sid": TWILIO_SID,
                "date_created": time::OffsetDateTime::now_utc()
                    .format(&time::format_description::well_known::Rfc2822)
                    .expect("an RFC 2822 date")});
            book.messages.push(message.clone());
            if matches!(fate, Fate::Late) {
                book.twilio.late += 1;
            }
            Some(message)
        }
    };
    let Some(message) = created else {
        return twilio_error(
            StatusCode::SERVICE_UNAVAILABLE,
            20500,
            "Service Unavailable",
        );
    };
    tokio::spawn(report(
        field("StatusCallback"),
        message["sid"].as_str().unwrap_or_default().to_owned(),
    ));
    if matches!(fate, Fate::Late) {
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    (StatusCode::CREATED, Json(message)).into_response()
}

/// Twilio's status callbacks for a message it created: `sent`, then `delivered`,
/// signed with `X-Twilio-Signature` over the callback URL and the form.
async fn report(url: String, sid: String) {
    let client = reqwest::Client::new();
    for status in ["sent", "delivered"] {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let params = vec![
            ("MessageSid".to_owned(), sid.clone()),
            ("MessageStatus".to_owned(), status.to_owned()),
            ("AccountSid".to_owned(), TWILIO_SID.to_owned()),
        ];
        let signature = server::providers::twilio::signature(TWILIO_TOKEN, &url, &params);
        // A callback the server missed is Twilio's to retry; this fake does not.
        let _ = client
            .post(&url)
            .header("x-twilio-signature", signature)
            .form(&params)
            .send()
            .await;
    }
}

async fn twilio_list(
    State(shared): State<Shared>,
    Path(sid): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if sid != TWILIO_SID || !authorised(&headers) {
        return twilio_error(StatusCode::UNAUTHORIZED, 20003, "Authenticate");
    }
    let to = query.get("To").cloned().unwrap_or_default();
    let fails = shared.rng.lock().expect("rng").random_ratio(1, 3);
    let mut book = shared.book.lock().expect("book");
    book.twilio.lookups.0 += 1;
    if fails {
        book.twilio.lookups.1 += 1;
        return twilio_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            20500,
            "Internal Server Error",
        );
    }
    let messages: Vec<&Value> = book
        .messages
        .iter()
        .rev()
        .filter(|m| m["to"] == to.as_str())
        .collect();
    Json(json!({"messages": messages, "page": 0, "page_size": 50})).into_response()
}

async fn gateway_send(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Json(message): Json<Value>,
) -> (StatusCode, Json<Value>) {
    if headers.get("authorization").and_then(|v| v.to_str().ok())
        != Some(&format!("Bearer {}", crate::fake_gateway::GATEWAY_TOKEN))
    {
        let error = json!({"error": {"code": "unauthorized", "message": "Bad token."}});
        return (StatusCode::UNAUTHORIZED, Json(error));
    }
    let reference = message["reference"].as_str().unwrap_or_default().to_owned();
    let fate = shared.fate().await;
    let id = json!({"id": format!("gw-{reference}")});
    let answer = {
        let mut book = shared.book.lock().expect("book");
        let ledger = &mut book.gateway;
        ledger.requests += 1;
        match fate {
            Fate::Busy => {
                ledger.busy += 1;
                let busy = json!({"error": {"code": "busy", "message": "Busy."}});
                return (StatusCode::SERVICE_UNAVAILABLE, Json(busy));
            }
            Fate::Late => ledger.late += 1,
            Fate::Taken => {}
        }
        let taken = ledger.taken.entry(reference).or_default();
        if *taken > 0 {
            ledger.duplicates += 1;
            (StatusCode::CONFLICT, Json(id))
        } else {
            *taken += 1;
            (StatusCode::OK, Json(id))
        }
    };
    if matches!(fate, Fate::Late) {
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    answer
}

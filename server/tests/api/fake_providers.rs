//! One local HTTP server speaking the documented APIs of Twilio (`/twilio`), the Meta
//! WhatsApp Cloud API (`/meta/v21.0`), Google RBM and its token endpoint (`/rbm`),
//! Exotel (`/exotel`), Sinch SMS (`/sinch`), the Sinch Conversation API and its token
//! endpoint (`/sinch-conversation`, `/sinch-auth`) and Kaleyra (`/kaleyra`): it checks each request's authentication as the provider would,
//! records every request exactly as received, and answers with the provider's
//! documented bodies. Behaviour is picked by the recipient's last four digits:
//!
//! | ends in | Twilio | Meta | RBM | Exotel, Sinch, Kaleyra |
//! |---|---|---|---|---|
//! | `0429` | 429 (20429) twice, then taken | 429 (130429) twice | – | – |
//! | `0408` | taken, answered after 3 s | – | – | – |
//! | `0409` | taken, answered after 3 s; the message list answers 500 | – | – | – |
//! | `1610` | 400 (21610, opted out) | – | – | – |
//! | `1047` | – | 400 (131047, outside the window) | – | – |
//! | `0404` | – | – | capabilities 404 (not RCS capable) | – |
//! | `0503` | – | – | – | 503 every time |
//! | `0400` | – | – | – | Sinch SMS: 400, the number's format |
//! | `0402` | – | – | – | Kaleyra: 402, insufficient balance |
//! | `0599` | – | – | – | Kaleyra: 503 every time (the others take it) |

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use base64::Engine;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use tokio::time::Instant;

pub const TWILIO_SID: &str = "AC00000000000000000000000000000001";
pub const TWILIO_TOKEN: &str = "twilio-auth-token-for-tests";
pub const META_TOKEN: &str = "meta-access-token-for-tests";
pub const META_PHONE_ID: &str = "106540352242922";
pub const RBM_AGENT: &str = "acme_agent";
pub const RBM_ACCESS_TOKEN: &str = "ya29.rbm-access-token-for-tests";
pub const EXOTEL_SID: &str = "acme1";
pub const EXOTEL_KEY: &str = "exotel-key";
pub const EXOTEL_TOKEN: &str = "exotel-token-for-tests";
pub const SINCH_PLAN: &str = "4d2f3c1b0a9e8d7c6b5a4f3e2d1c0b9a";
pub const SINCH_SMS_TOKEN: &str = "sinch-sms-api-token-for-tests";
pub const SINCH_PROJECT: &str = "c36f3d3d-1513-4edd-ae42-11995557ff61";
pub const SINCH_KEY_ID: &str = "sinch-key-id";
pub const SINCH_KEY_SECRET: &str = "sinch-key-secret-for-tests";
pub const SINCH_ACCESS_TOKEN: &str = "sinch-oauth-access-token-for-tests";
pub const KALEYRA_SID: &str = "HXIN1700000000IN";
pub const KALEYRA_KEY: &str = "A0000000000000000000000000000000b";

/// The test RSA key of the fake service account (PKCS#8, as Google issues them).
pub const RBM_PRIVATE_KEY: &str = include_str!("fixtures/rbm-test-key.pem");
const RBM_PUBLIC_KEY: &str = include_str!("fixtures/rbm-test-key.pub.pem");

/// One request as the fake received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// `twilio`, `meta`, `rbm-token`, `rbm-capabilities`, `rbm-message`, `exotel`.
    pub api: &'static str,
    /// The path.
    pub path: String,
    /// The query parameters.
    pub query: BTreeMap<String, String>,
    /// Form parameters (Twilio, Exotel, token), in the order sent.
    pub form: Vec<(String, String)>,
    /// The JSON body (Meta, RBM messages).
    pub json: Value,
    /// When it arrived.
    pub at: Instant,
}

#[derive(Default)]
struct Book {
    requests: Vec<Recorded>,
    attempts: HashMap<String, u32>,
    next_id: u32,
    /// The messages Twilio created, oldest first, as its list shows them.
    twilio_messages: Vec<Value>,
}

/// How long Twilio takes to answer for a number ending in `0408` or `0409`.
pub const TWILIO_SLOW_ANSWER: std::time::Duration = std::time::Duration::from_secs(3);

type Shared = Arc<Mutex<Book>>;

/// A running fake of the four providers.
pub struct FakeProviders {
    pub base: String,
    book: Shared,
}

impl FakeProviders {
    pub async fn start() -> Self {
        let book = Shared::default();
        let app = Router::new()
            .route(
                "/twilio/2010-04-01/Accounts/{sid}/Messages.json",
                post(twilio_send).get(twilio_list),
            )
            .route("/meta/v21.0/{phone_id}/messages", post(meta_send))
            .route("/rbm/token", post(rbm_token))
            // Where an admin's key file may point: nothing of ours should ever come here.
            .route("/elsewhere/{*rest}", any(elsewhere))
            .route("/rbm/v1/phones/{phone}/capabilities", get(rbm_capabilities))
            .route("/rbm/v1/phones/{phone}/agentMessages", post(rbm_message))
            .route("/exotel/v1/Accounts/{sid}/Sms/send.json", post(exotel_send))
            .route("/sinch/xms/v1/{plan}/batches", post(sinch_batch))
            .route("/sinch-auth/oauth2/token", post(sinch_token))
            .route(
                "/sinch-conversation/v1/projects/{project}/messages:send",
                post(sinch_conversation_send),
            )
            .route("/kaleyra/v1/{sid}/messages", post(kaleyra_send))
            .with_state(book.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { base, book }
    }

    /// Every request to `api`, oldest first.
    pub fn requests(&self, api: &str) -> Vec<Recorded> {
        let book = self.book.lock().expect("book");
        book.requests
            .iter()
            .filter(|r| r.api == api)
            .cloned()
            .collect()
    }

    /// Waits until `api` has received `count` requests (or fails after 15 s).
    pub async fn wait_for(&self, api: &str, count: usize) -> Vec<Recorded> {
        self.wait_for_within(api, count, std::time::Duration::from_secs(15))
            .await
    }

    /// Waits until `api` has received `count` requests (or fails after `limit`).
    pub async fn wait_for_within(
        &self,
        api: &str,
        count: usize,
        limit: std::time::Duration,
    ) -> Vec<Recorded> {
        let deadline = Instant::now() + limit;
        loop {
            let seen = self.requests(api);
            if seen.len() >= count || Instant::now() > deadline {
                assert!(
                    seen.len() >= count,
                    "{api} got {} requests, expected {count}",
                    seen.len()
                );
                return seen;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

impl FakeProviders {
    /// Waits for the first request to `api` for `number` (or fails after 15 s).
    pub async fn wait_for_number(&self, api: &str, number: &str) -> Recorded {
        let deadline = Instant::now() + std::time::Duration::from_secs(15);
        loop {
            let found = self
                .requests(api)
                .into_iter()
                .find(|r| recipient(r) == number);
            match found {
                Some(r) => return r,
                None if Instant::now() > deadline => {
                    panic!("{api} never got a request for {number}")
                }
                None => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
            }
        }
    }
}

/// Whom a recorded request sends to, however its API names the recipient.
pub fn recipient(r: &Recorded) -> String {
    let identity = &r.json["recipient"]["identified_by"]["channel_identities"][0]["identity"];
    [
        field(&r.form, "To"),
        field(&r.form, "to"),
        r.json["to"].as_str().unwrap_or_default(),
        r.json["to"][0].as_str().unwrap_or_default(),
        identity.as_str().unwrap_or_default(),
    ]
    .into_iter()
    .find(|n| !n.is_empty())
    .unwrap_or_default()
    .to_owned()
}

fn record(
    book: &Shared,
    api: &'static str,
    path: String,
    query: BTreeMap<String, String>,
    form: Vec<(String, String)>,
    json: Value,
) -> u32 {
    let mut book = book.lock().expect("book");
    book.requests.push(Recorded {
        api,
        path,
        query,
        form,
        json,
        at: Instant::now(),
    });
    book.next_id += 1;
    book.next_id
}

/// How many times `key` was tried before, this time included.
fn attempt(book: &Shared, key: String) -> u32 {
    let mut book = book.lock().expect("book");
    let n = book.attempts.entry(key).or_default();
    *n += 1;
    *n
}

fn basic_auth_is(headers: &HeaderMap, user: &str, password: &str) -> bool {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    );
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(expected.as_str())
}

fn bearer_is(headers: &HeaderMap, token: &str) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok())
        == Some(format!("Bearer {token}").as_str())
}

fn form_of(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).expect("a form body")
}

pub fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

async fn twilio_send(
    State(book): State<Shared>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if sid != TWILIO_SID || !basic_auth_is(&headers, TWILIO_SID, TWILIO_TOKEN) {
        let error = json!({"code": 20003, "message": "Authenticate", "status": 401});
        return (StatusCode::UNAUTHORIZED, Json(error)).into_response();
    }
    let form = form_of(&body);
    let to = field(&form, "To").to_owned();
    let n = record(
        &book,
        "twilio",
        format!("/Accounts/{sid}/Messages.json"),
        BTreeMap::new(),
        form,
        Value::Null,
    );
    if to.ends_with("0429") && attempt(&book, format!("twilio{to}")) <= 2 {
        let error = json!({"code": 20429, "message": "Too Many Requests", "status": 429});
        return (StatusCode::TOO_MANY_REQUESTS, Json(error)).into_response();
    }
    if to.ends_with("1610") {
        let error = json!({"code": 21610, "message": "Attempt to send to unsubscribed recipient",
                           "more_info": "https://www.twilio.com/docs/errors/21610", "status": 400});
        return (StatusCode::BAD_REQUEST, Json(error)).into_response();
    }
    let created = json!({"sid": format!("SM{n:032}"), "status": "queued", "to": to,
                         "body": field(&form_of(&body), "Body"), "account_sid": TWILIO_SID,
                         "num_segments": "1",
                         "date_created": time::OffsetDateTime::now_utc()
                             .format(&time::format_description::well_known::Rfc2822)
                             .expect("an RFC 2822 date")});
    book.lock()
        .expect("book")
        .twilio_messages
        .push(created.clone());
    if to.ends_with("0408") || to.ends_with("0409") {
        tokio::time::sleep(TWILIO_SLOW_ANSWER).await;
    }
    (StatusCode::CREATED, Json(created)).into_response()
}

/// Twilio's message list, newest first, filtered by `To`.
async fn twilio_list(
    State(book): State<Shared>,
    Path(sid): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if sid != TWILIO_SID || !basic_auth_is(&headers, TWILIO_SID, TWILIO_TOKEN) {
        let error = json!({"code": 20003, "message": "Authenticate", "status": 401});
        return (StatusCode::UNAUTHORIZED, Json(error)).into_response();
    }
    let to = query.get("To").cloned().unwrap_or_default();
    record(
        &book,
        "twilio-list",
        format!("/Accounts/{sid}/Messages.json"),
        query.into_iter().collect(),
        Vec::new(),
        Value::Null,
    );
    if to.ends_with("0409") {
        let error = json!({"code": 20500, "message": "Internal Server Error", "status": 500});
        return (StatusCode::INTERNAL_SERVER_ERROR, Json(error)).into_response();
    }
    let messages: Vec<Value> = book
        .lock()
        .expect("book")
        .twilio_messages
        .iter()
        .rev()
        .filter(|m| m["to"] == to.as_str())
        .cloned()
        .collect();
    Json(json!({"messages": messages, "page": 0, "page_size": 50})).into_response()
}

async fn meta_send(
    State(book): State<Shared>,
    Path(phone_id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if phone_id != META_PHONE_ID || !bearer_is(&headers, META_TOKEN) {
        let error = json!({"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}});
        return (StatusCode::UNAUTHORIZED, Json(error)).into_response();
    }
    let to = body["to"].as_str().unwrap_or_default().to_owned();
    let n = record(
        &book,
        "meta",
        format!("/{phone_id}/messages"),
        BTreeMap::new(),
        Vec::new(),
        body,
    );
    if to.ends_with("0429") && attempt(&book, format!("meta{to}")) <= 2 {
        let error = json!({"error": {"message": "(#130429) Rate limit hit", "type": "OAuthException",
                                     "code": 130429, "error_data": {"details": "Cloud API message throughput has been reached."}}});
        return (StatusCode::TOO_MANY_REQUESTS, Json(error)).into_response();
    }
    if to.ends_with("1047") {
        let error = json!({"error": {"message": "(#131047) Re-engagement message", "type": "OAuthException",
                                     "code": 131047, "error_data": {"details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number."}}});
        return (StatusCode::BAD_REQUEST, Json(error)).into_response();
    }
    let sent = json!({"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}],
                      "messages": [{"id": format!("wamid.HBgM{n:08}"), "message_status": "accepted"}]});
    Json(sent).into_response()
}

async fn elsewhere(State(book): State<Shared>, body: axum::body::Bytes) -> Response {
    record(
        &book,
        "elsewhere",
        "/elsewhere".into(),
        BTreeMap::new(),
        form_of(&body),
        Value::Null,
    );
    StatusCode::OK.into_response()
}

async fn rbm_token(State(book): State<Shared>, body: axum::body::Bytes) -> Response {
    let form = form_of(&body);
    record(
        &book,
        "rbm-token",
        "/token".into(),
        BTreeMap::new(),
        form.clone(),
        Value::Null,
    );
    // Verify the JWT bearer grant the way Google does: signed by the service account key.
    let key =
        jsonwebtoken::DecodingKey::from_rsa_pem(RBM_PUBLIC_KEY.as_bytes()).expect("public key");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.validate_aud = false;
    let grant = field(&form, "grant_type");
    let claims = jsonwebtoken::decode::<Value>(field(&form, "assertion"), &key, &validation);
    let valid = grant == "urn:ietf:params:oauth:grant-type:jwt-bearer"
        && claims.as_ref().is_ok_and(|c| {
            c.claims["scope"] == "https://www.googleapis.com/auth/rcsbusinessmessaging"
                && c.claims["iss"] == "rbm@acme-test.iam.gserviceaccount.com"
                && c.claims["aud"]
                    .as_str()
                    .is_some_and(|a| a.ends_with("/rbm/token"))
        });
    if !valid {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response();
    }
    Json(json!({"access_token": RBM_ACCESS_TOKEN, "expires_in": 3599, "token_type": "Bearer"}))
        .into_response()
}

fn rbm_refused(status: StatusCode, reason: &str) -> Response {
    let error = json!({"error": {"code": status.as_u16(), "message": reason, "status": reason}});
    (status, Json(error)).into_response()
}

async fn rbm_capabilities(
    State(book): State<Shared>,
    Path(phone): Path<String>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if !bearer_is(&headers, RBM_ACCESS_TOKEN) {
        return rbm_refused(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    }
    record(
        &book,
        "rbm-capabilities",
        format!("/v1/phones/{phone}/capabilities"),
        query,
        Vec::new(),
        Value::Null,
    );
    if phone.ends_with("0404") {
        return rbm_refused(StatusCode::NOT_FOUND, "NOT_FOUND");
    }
    Json(json!({"features": ["RICHCARD_STANDALONE", "ACTION_OPEN_URL"]})).into_response()
}

async fn rbm_message(
    State(book): State<Shared>,
    Path(phone): Path<String>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if !bearer_is(&headers, RBM_ACCESS_TOKEN) {
        return rbm_refused(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    }
    let id = query.get("messageId").cloned().unwrap_or_default();
    record(
        &book,
        "rbm-message",
        format!("/v1/phones/{phone}/agentMessages"),
        query,
        Vec::new(),
        body.clone(),
    );
    let mut echoed = body;
    echoed["name"] = json!(format!("phones/{phone}/agentMessages/{id}"));
    echoed["sendTime"] = json!("2026-11-21T10:00:00.000000Z");
    Json(echoed).into_response()
}

async fn exotel_send(
    State(book): State<Shared>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if sid != EXOTEL_SID || !basic_auth_is(&headers, EXOTEL_KEY, EXOTEL_TOKEN) {
        let error = json!({"RestException": {"Status": 401, "Message": "Authentication failed. Invalid API Key or Token.", "Code": "UNAUTHORIZED"}});
        return (StatusCode::UNAUTHORIZED, Json(error)).into_response();
    }
    let form = form_of(&body);
    let to = field(&form, "To").to_owned();
    let n = record(
        &book,
        "exotel",
        format!("/Accounts/{sid}/Sms/send.json"),
        BTreeMap::new(),
        form,
        Value::Null,
    );
    if to.ends_with("0503") {
        return (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response();
    }
    let message = json!({"SMSMessage": {"Sid": format!("ex{n:030}"), "AccountSid": EXOTEL_SID,
                                        "To": to, "Status": "queued", "DetailedStatus": "PENDING_TO_OPERATOR"}});
    Json(message).into_response()
}

async fn sinch_batch(
    State(book): State<Shared>,
    Path(plan): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if plan != SINCH_PLAN || !bearer_is(&headers, SINCH_SMS_TOKEN) {
        let error = json!({"code": "unauthorized", "text": "Invalid credentials"});
        return (StatusCode::UNAUTHORIZED, Json(error)).into_response();
    }
    let to = body["to"][0].as_str().unwrap_or_default().to_owned();
    let n = record(
        &book,
        "sinch",
        format!("/xms/v1/{plan}/batches"),
        BTreeMap::new(),
        Vec::new(),
        body.clone(),
    );
    if to.ends_with("0503") {
        return (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response();
    }
    if to.ends_with("0400") {
        let error = json!({"code": "syntax_invalid_parameter_format", "text": "Parameter 'to' has an invalid format"});
        return (StatusCode::BAD_REQUEST, Json(error)).into_response();
    }
    let mut batch = body;
    batch["id"] = json!(format!("01FC66621XXXXX119Z8PMV{n:04}"));
    batch["canceled"] = json!(false);
    (StatusCode::CREATED, Json(batch)).into_response()
}

async fn sinch_token(
    State(book): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form = form_of(&body);
    record(
        &book,
        "sinch-token",
        "/oauth2/token".into(),
        BTreeMap::new(),
        form.clone(),
        Value::Null,
    );
    if !basic_auth_is(&headers, SINCH_KEY_ID, SINCH_KEY_SECRET)
        || field(&form, "grant_type") != "client_credentials"
    {
        let error =
            json!({"error": "invalid_client", "error_description": "Bad client credentials"});
        return (StatusCode::UNAUTHORIZED, Json(error)).into_response();
    }
    Json(json!({"access_token": SINCH_ACCESS_TOKEN, "expires_in": 3599, "scope": "", "token_type": "bearer"}))
        .into_response()
}

async fn sinch_conversation_send(
    State(book): State<Shared>,
    Path(project): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if !bearer_is(&headers, SINCH_ACCESS_TOKEN) {
        let error = json!({"error": {"code": 401, "message": "Request had invalid authentication credentials.", "status": "UNAUTHENTICATED", "details": []}});
        return (StatusCode::UNAUTHORIZED, Json(error)).into_response();
    }
    let n = record(
        &book,
        "sinch-conversation",
        format!("/v1/projects/{project}/messages:send"),
        BTreeMap::new(),
        Vec::new(),
        body.clone(),
    );
    if project != SINCH_PROJECT {
        let error = json!({"error": {"code": 404, "message": "Project not found", "status": "NOT_FOUND", "details": []}});
        return (StatusCode::NOT_FOUND, Json(error)).into_response();
    }
    let to = body["recipient"]["identified_by"]["channel_identities"][0]["identity"]
        .as_str()
        .unwrap_or_default();
    if to.ends_with("0503") {
        let error = json!({"error": {"code": 503, "message": "Service unavailable", "status": "UNAVAILABLE", "details": []}});
        return (StatusCode::SERVICE_UNAVAILABLE, Json(error)).into_response();
    }
    Json(json!({"message_id": format!("01W4FFL35P4NC4K35CONV{n:05}"), "accepted_time": "2026-12-03T10:00:00.000Z"}))
        .into_response()
}

async fn kaleyra_send(
    State(book): State<Shared>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let key = headers.get("api-key").and_then(|v| v.to_str().ok());
    if sid != KALEYRA_SID || key != Some(KALEYRA_KEY) {
        let error = json!({"code": "RBC001", "message": "Incorrect SID or API key.", "error": {"error": "Incorrect SID or API key."}});
        return (StatusCode::UNAUTHORIZED, Json(error)).into_response();
    }
    let form = form_of(&body);
    let to = field(&form, "to").to_owned();
    let n = record(
        &book,
        "kaleyra",
        format!("/v1/{sid}/messages"),
        BTreeMap::new(),
        form,
        Value::Null,
    );
    if to.ends_with("0503") || to.ends_with("0599") {
        return (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response();
    }
    if to.ends_with("0402") {
        let error =
            json!({"error": {"code": "E413", "message": "Insufficient balance in your account."}});
        return (StatusCode::PAYMENT_REQUIRED, Json(error)).into_response();
    }
    let id = format!("{n:08}-kal-7c0a-4e0e-9cbb-6ec0e4f1c0de");
    Json(json!({"id": id, "totalCount": 1, "data": [{"message_id": id, "recipient": to}], "error": {}}))
        .into_response()
}

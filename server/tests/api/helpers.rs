//! Starting the app for a test, and the small vocabulary the tests speak.

use app::domain::{GroupId, UserId};
use app::service::Role;
use reqwest::{Client, RequestBuilder, Response};
use secrecy::SecretString;
use serde_json::{json, Value};
use server::auth::{JwtAuth, Minted};
use server::config::{QueueBackend, Settings, StatusBackend};
use server::startup::{Application, WorkerMode};
use std::path::Path;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub const SECRET: &str = "test-secret-0123456789abcdef-0123456789";
/// The key provider credentials are sealed with in tests (every server of a test
/// shares it, as production servers on one MySQL must).
pub const CREDENTIALS_KEY: &str = "test-credentials-key-0123456789abcdef";
/// The first admin's password in tests.
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

/// A running app and tokens for its users.
pub struct TestApp {
    pub base: String,
    pub client: Client,
    /// The seeded demo agent (group `demo`).
    pub agent: String,
    /// A second agent of the demo group.
    pub colleague: String,
    /// An agent of a group with no templates.
    pub stranger: String,
    /// An admin.
    pub admin: String,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    pub dir: tempfile::TempDir,
}

/// Settings for a test: everything under `dir`, a random port, a fast sandbox; the
/// database, queue and status store this run asks for (`services`): SQLite or MariaDB,
/// the embedded queue or Redis (a stream of `dir`'s own), SQL or MongoDB for status.
pub fn test_settings(dir: &Path) -> Settings {
    use crate::services;
    let mut s = Settings {
        data_dir: dir.to_path_buf(),
        ..Settings::default()
    };
    s.database.url = services::database_url(dir);
    if services::queue_on_redis() {
        s.queue.backend = QueueBackend::Redis {
            url: services::shared_redis_url(),
        };
        s.queue.stream = format!("notify-{}", services::name_for(dir));
    }
    if services::status_on_mongodb() {
        s.status.backend = StatusBackend::Mongo {
            url: services::mongodb_url_for(dir),
        };
    }
    s.site.addr = "127.0.0.1:0".parse().expect("address");
    s.site.root = dir.join("site");
    s.auth.token_secret = Some(SecretString::from(SECRET.to_owned()));
    s.auth.credentials_key = Some(SecretString::from(CREDENTIALS_KEY.to_owned()));
    s.auth.initial_admin_password = Some(SecretString::from(ADMIN_PASSWORD.to_owned()));
    s.providers.sandbox.sent_after_ms = 50;
    s.providers.sandbox.delivered_after_ms = 100;
    s.worker.retry_base_ms = 20;
    s.worker.max_attempts = 3;
    s
}

/// A host token (what the softphone mints) for agent or supervisor `id`.
pub fn token(id: &str, role: Role, group: Option<&str>) -> String {
    host_token(id, role, group, None)
}

/// A host token with a token id (`jti`), to revoke.
pub fn host_token(id: &str, role: Role, group: Option<&str>, jti: Option<&str>) -> String {
    let id = UserId::parse(id).expect("id");
    let group = group.map(|g| GroupId::parse(g).expect("group"));
    let minted = Minted {
        id: &id,
        role,
        group: group.as_ref(),
        token_id: jti,
    };
    JwtAuth::new(
        &SecretString::from(SECRET.to_owned()),
        Duration::from_secs(12 * 3600),
    )
    .mint(&minted, Duration::from_secs(600))
    .expect("token")
}

/// Signs the first admin in at `base`: their session token.
pub async fn sign_in(base: &str) -> String {
    let signed: Value = json_reply(
        Client::new()
            .post(format!("{base}/api/v1/admin/login"))
            .json(&json!({"id": "admin", "password": ADMIN_PASSWORD})),
    )
    .await;
    signed["token"]
        .as_str()
        .expect("a session token")
        .to_owned()
}

impl TestApp {
    /// Starts an app with the in-process worker.
    pub async fn spawn() -> Self {
        Self::spawn_in(tempfile::tempdir().expect("tempdir"), WorkerMode::InProcess).await
    }

    /// Starts an app on an existing data directory.
    pub async fn spawn_in(dir: tempfile::TempDir, mode: WorkerMode) -> Self {
        let settings = test_settings(dir.path());
        Self::spawn_with(dir, settings, mode).await
    }

    /// Starts an app with the given settings on `dir`.
    pub async fn spawn_with(dir: tempfile::TempDir, settings: Settings, mode: WorkerMode) -> Self {
        server::telemetry::init();
        let app = Application::build(&settings, mode)
            .await
            .expect("app builds");
        let base = format!("http://{}", app.local_addr().expect("bound"));
        let shutdown = app.shutdown_token();
        let task = tokio::spawn(app.run_until_stopped());
        let admin = sign_in(&base).await;
        let app = Self {
            base,
            client: Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .expect("client"),
            agent: token("demo-agent", Role::Agent, Some("demo")),
            colleague: token("other-agent", Role::Agent, Some("demo")),
            stranger: token("outsider", Role::Agent, Some("empty-group")),
            admin,
            shutdown,
            task,
            dir,
        };
        app.register("other-agent", "demo").await;
        app.register("outsider", "empty-group").await;
        app
    }

    /// Registers agent `id` in `group` (creating the group), as an admin would on the
    /// settings page; one already there is left as it is.
    pub async fn register(&self, id: &str, group: &str) {
        let exists = self
            .fetch(&format!("/api/v1/admin/groups/{group}"), &self.admin)
            .await;
        if exists.status() == 404 {
            let created = self
                .post_json(
                    "/api/v1/admin/groups",
                    &self.admin,
                    &json!({"id": group, "name": group}),
                )
                .await;
            assert_eq!(created.status(), 201, "group {group} is created");
        }
        let agent = self
            .fetch(&format!("/api/v1/admin/agents/{id}"), &self.admin)
            .await;
        if agent.status() == 404 {
            let created = self
                .post_json(
                    "/api/v1/admin/agents",
                    &self.admin,
                    &json!({"id": id, "name": id, "group_id": group}),
                )
                .await;
            assert_eq!(created.status(), 201, "agent {id} is registered");
        }
    }

    /// Stops the app gracefully and hands back its data directory.
    pub async fn stop(self) -> tempfile::TempDir {
        self.shutdown.cancel();
        self.task.await.expect("server task").expect("server ran");
        self.dir
    }

    pub fn get(&self, path: &str, token: &str) -> RequestBuilder {
        self.client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
    }

    /// `method` on `path` as `token`, with `body` as JSON if there is one: the answer.
    pub async fn call<B: serde::Serialize + ?Sized>(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<&B>,
    ) -> Response {
        let url = format!("{}{path}", self.base);
        let mut request = self.client.request(method, url).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("request sent")
    }

    /// GETs `path` as `token`: the answer, whatever it is.
    pub async fn fetch(&self, path: &str, token: &str) -> Response {
        self.call::<()>(reqwest::Method::GET, path, token, None)
            .await
    }

    /// POSTs `body` as JSON to `path` as `token`.
    pub async fn post_json<B: serde::Serialize + ?Sized>(
        &self,
        path: &str,
        token: &str,
        body: &B,
    ) -> Response {
        self.call(reqwest::Method::POST, path, token, Some(body))
            .await
    }

    /// PUTs `body` as JSON to `path` as `token`.
    pub async fn put_json<B: serde::Serialize + ?Sized>(
        &self,
        path: &str,
        token: &str,
        body: &B,
    ) -> Response {
        self.call(reqwest::Method::PUT, path, token, Some(body))
            .await
    }

    /// POSTs nothing to `path` as `token`.
    pub async fn post_empty(&self, path: &str, token: &str) -> Response {
        self.call::<()>(reqwest::Method::POST, path, token, None)
            .await
    }

    /// DELETEs `path` as `token`.
    pub async fn delete_as(&self, path: &str, token: &str) -> Response {
        self.call::<()>(reqwest::Method::DELETE, path, token, None)
            .await
    }

    /// GETs `path` with no token at all.
    pub async fn get_anonymously(&self, path: &str) -> Response {
        let url = format!("{}{path}", self.base);
        self.client.get(url).send().await.expect("request sent")
    }

    /// GETs `path` as `token` and reads the answer as text.
    pub async fn get_text(&self, path: &str, token: &str) -> String {
        let response = self.fetch(path, token).await;
        response.text().await.expect("a text body")
    }

    /// GETs `path` as `token` and reads the JSON answer.
    pub async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str, token: &str) -> T {
        json_reply(self.get(path, token)).await
    }

    /// GETs `path` as `token` and expects an error with `status` and `code`.
    pub async fn get_error(&self, path: &str, token: &str, status: u16, code: &str) -> Value {
        error_of(self.fetch(path, token).await, status, code).await
    }

    pub fn post(&self, path: &str, token: &str) -> RequestBuilder {
        self.client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
    }

    /// Sends `body` as the demo agent, with an idempotency key if given.
    pub async fn send(&self, body: &Value, key: Option<&str>) -> Response {
        let mut request = self.post("/api/v1/notifications", &self.agent).json(body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        request.send().await.expect("request sent")
    }

    /// Sends and expects a 202; returns the UUID.
    pub async fn send_ok(&self, body: &Value) -> String {
        let response = self.send(body, None).await;
        assert_eq!(
            response.status(),
            202,
            "send refused: {}",
            response.text().await.unwrap_or_default()
        );
        let accepted: Value = response.json().await.expect("json");
        accepted["uuid"].as_str().expect("uuid").to_owned()
    }

    /// The notification as its sender sees it.
    pub async fn notification(&self, uuid: &str) -> Value {
        self.notification_as(uuid, &self.agent).await
    }

    /// The notification as `credential`'s holder sees it.
    pub async fn notification_as(&self, uuid: &str, credential: &str) -> Value {
        let response = self
            .fetch(&format!("/api/v1/notifications/{uuid}"), credential)
            .await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("json")
    }

    /// Polls until the message has `status` (or fails after 10 s with what it has).
    pub async fn wait_for_status(&self, uuid: &str, status: &str) -> Value {
        self.wait_for_status_within(uuid, status, Duration::from_secs(10))
            .await
    }

    /// Polls until the message has `status` (or fails after `limit` with what it has).
    pub async fn wait_for_status_within(&self, uuid: &str, status: &str, limit: Duration) -> Value {
        self.wait(uuid, status, limit, &self.agent).await
    }

    /// Polls, as `credential`'s holder, until the message has `status` (10 s at most).
    pub async fn wait_for_status_as(&self, uuid: &str, status: &str, credential: &str) -> Value {
        self.wait(uuid, status, Duration::from_secs(10), credential)
            .await
    }

    async fn wait(&self, uuid: &str, status: &str, limit: Duration, credential: &str) -> Value {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let n = self.notification_as(uuid, credential).await;
            if n["status"] == status || tokio::time::Instant::now() > deadline {
                assert_eq!(n["status"], status, "message never reached {status}: {n}");
                return n;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

/// A static SMS to a valid Indian mobile.
pub fn static_sms(call_id: &str) -> Value {
    json!({"to": {"country": "IN", "number": "98765 43210"}, "channel": "sms",
           "template_id": "t_sms_thanks", "call_id": call_id})
}

/// A static SMS to `e164`.
pub fn static_sms_to(e164: &str) -> Value {
    json!({"to": e164, "channel": "sms", "template_id": "t_sms_thanks"})
}

/// Asserts the `api.md` error shape and returns the error object.
/// An error's message (empty when it has none).
pub fn message_of(error: &Value) -> &str {
    error["message"].as_str().unwrap_or_default()
}

pub async fn error_of(response: Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status(), status, "unexpected status");
    let body: Value = response.json().await.expect("error bodies are JSON");
    assert_eq!(body["error"]["code"], code, "unexpected error: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "no message: {body}"
    );
    body["error"].clone()
}

/// Sends a request and reads its JSON answer, whatever its status.
pub async fn json_reply<T: serde::de::DeserializeOwned>(request: RequestBuilder) -> T {
    let response = request.send().await.expect("request sent");
    response.json().await.expect("a JSON answer")
}

/// One server-sent event.
#[derive(Debug, Clone)]
pub struct SseEvent {
    /// Its name (`status`, `end`).
    pub event: String,
    /// Its data.
    pub data: String,
}

impl SseEvent {
    /// The notification a `status` event carries.
    pub fn view(&self) -> Value {
        serde_json::from_str(&self.data).expect("a status event carries a notification")
    }
}

/// Reads an event stream until the server ends it (failing if that takes over `limit`,
/// which only guards against a hang).
pub async fn read_events(response: Response, limit: Duration) -> Vec<SseEvent> {
    read_events_until(response, limit, |_| false).await
}

/// Reads an event stream until the server ends it or an event `stop` says is the
/// last one wanted (failing if neither happens within `limit`).
pub async fn read_events_until(
    response: Response,
    limit: Duration,
    stop: impl Fn(&SseEvent) -> bool,
) -> Vec<SseEvent> {
    use futures::StreamExt;
    assert_eq!(response.status(), 200);
    let mut events = Vec::new();
    let mut buffer = String::new();
    let mut body = response.bytes_stream();
    let read = async {
        while let Some(chunk) = body.next().await {
            buffer.push_str(&String::from_utf8_lossy(&chunk.expect("chunk")));
            while let Some(end) = buffer.find("\n\n") {
                let block: String = buffer.drain(..end + 2).collect();
                let field = |name: &str| {
                    block
                        .lines()
                        .find_map(|l| l.strip_prefix(name))
                        .map(str::to_owned)
                };
                if let (Some(event), Some(data)) = (field("event: "), field("data: ")) {
                    let last = stop(&SseEvent {
                        event: event.clone(),
                        data: data.clone(),
                    });
                    events.push(SseEvent { event, data });
                    if last {
                        return;
                    }
                }
            }
        }
    };
    tokio::time::timeout(limit, read)
        .await
        .expect("the stream ended");
    events
}

/// The `agent_notify_jobs_total` count for `outcome` in a `/metrics` text (0 when absent).
pub fn jobs_total(metrics: &str, outcome: &str) -> u64 {
    let series = format!("agent_notify_jobs_total{{outcome=\"{outcome}\"}} ");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&series))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

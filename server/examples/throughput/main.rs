//! `make bench`: throughput on this machine with a real Redis and a real MariaDB (both
//! started here on free ports, temporary data directories). Prints, in one run:
//!
//! - accepted sends per second and p50/p99 latency of `POST /api/v1/notifications`
//!   (API-only server: MariaDB config + status store, Redis Streams queue);
//! - worker throughput to a local fake HTTP gateway answering at once, and after 200 ms,
//!   at concurrency 8 and at the default;
//! - status change → SSE event across processes: a webhook handled by one server, the
//!   event read from another server's call stream (p50/p99);
//! - the release server's RSS, idle and under the 200 ms-gateway load;
//! - signed Meta status webhooks handled per second and their p50/p99 latency (signature
//!   check, parse, one status write each; half advance a message, half are duplicates);
//! - reference points, measured first and printed beside each rate: a bare axum
//!   endpoint under the same load generator, `redis-benchmark` XADD, and one-row INSERTs
//!   on the same MariaDB from as many sqlx connections as there are clients;
//! - the sends, the worker and the webhooks again with the status store on MongoDB
//!   (FerretDB), beside the MariaDB figures (`mongo.rs`).
//!
//! Measurements, not tests: nothing here passes or fails on a number.

// The test harness's fake gateway and real-server starters (not all of it is used here).
#[expect(dead_code)]
#[path = "../../tests/api/fake_gateway.rs"]
mod fake_gateway;
#[expect(dead_code)]
#[path = "../../tests/api/fake_providers.rs"]
mod fake_providers;
#[expect(dead_code)]
#[path = "../../tests/api/services.rs"]
mod services;

mod mongo;
mod passes;
mod reference;
mod rss;
mod stream_latency;

use app::domain::{GroupId, UserId};
use app::service::Role;
use fake_gateway::{FakeGateway, GATEWAY_TOKEN};
use secrecy::SecretString;
use serde_json::json;
use server::config::{DefaultProvider, HttpGateway, QueueBackend, Settings};
use server::startup::{Application, WorkerMode};
use services::{MariaDb, RedisServer};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const SECRET: &str = "bench-secret-0123456789abcdef-0123456789";
/// Requests in flight from the load generator.
const CLIENTS: usize = 32;

fn settings(dir: &std::path::Path, redis: &RedisServer, gateway: &FakeGateway) -> Settings {
    let mut s = Settings {
        data_dir: dir.to_path_buf(),
        ..Settings::default()
    };
    s.database.url = MariaDb::shared().database_for(dir);
    // The configuration's own pool size (8) unless `BENCH_DB_CONNECTIONS` says
    // otherwise: with 32, as many as the clients, sends were slower (docs/benchmarks.md).
    if let Some(n) = std::env::var("BENCH_DB_CONNECTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        s.database.max_connections = n;
    }
    s.queue.backend = QueueBackend::Redis { url: redis.url() };
    s.site.addr = "127.0.0.1:0".parse().expect("addr");
    s.site.root = dir.join("site");
    s.auth.token_secret = Some(SecretString::from(SECRET.to_owned()));
    s.auth.credentials_key = Some(SecretString::from(CREDENTIALS_KEY.to_owned()));
    s.auth.initial_admin_password = Some(SecretString::from(ADMIN_PASSWORD.to_owned()));
    // The bench's agents are made by their first request, as a host owning the agent
    // list would have it.
    s.auth.register_agents_on_first_use = true;
    // The bench spreads thousands of sends over a hundred calls.
    s.retention.comments_per_call = 1_000_000;
    s.providers.default = DefaultProvider::Http(HttpGateway {
        url: gateway.url.clone(),
        token: Some(SecretString::from(GATEWAY_TOKEN.to_owned())),
        timeout: Duration::from_secs(10),
    });
    s
}

pub fn agent_token() -> String {
    token("bench-agent", Role::Agent, Some("demo"))
}

/// The key provider credentials are sealed with (shared by the bench's servers).
pub const CREDENTIALS_KEY: &str = "bench-credentials-key-0123456789abcdef";
/// The bench's first admin's password.
pub const ADMIN_PASSWORD: &str = "bench-admin-password";

pub fn token(id: &str, role: Role, group: Option<&str>) -> String {
    let id = UserId::parse(id).expect("id");
    let group = group.map(|g| GroupId::parse(g).expect("group"));
    let minted = server::auth::Minted {
        id: &id,
        role,
        group: group.as_ref(),
        token_id: None,
    };
    server::auth::JwtAuth::new(
        &SecretString::from(SECRET.to_owned()),
        Duration::from_secs(12 * 3600),
    )
    .mint(&minted, Duration::from_secs(3600))
    .expect("token")
}

/// Runs `total` requests from `CLIENTS` concurrent clients; returns the wall time and
/// each request's latency.
async fn load<F, Fut>(total: usize, request: F) -> (Duration, Vec<Duration>)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let request = Arc::new(request);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (request, next) = (request.clone(), next.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        return latencies;
                    }
                    let t = Instant::now();
                    assert!(request(i).await, "request {i} failed");
                    latencies.push(t.elapsed());
                }
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(total);
    for c in clients {
        latencies.extend(c.await.expect("client"));
    }
    let wall = started.elapsed();
    latencies.sort();
    (wall, latencies)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// Prints `n` requests' rate over `wall` (also as a share of the bare endpoint's) and
/// their p50/p99 latency; returns the rate and the p99.
fn print_rate(
    what: &str,
    n: usize,
    wall: Duration,
    latencies: &[Duration],
    references: &reference::References,
) -> (f64, f64) {
    let rate = n as f64 / wall.as_secs_f64();
    let p99 = percentile(latencies, 0.99);
    println!(
        "{what}: {n} in {:.2} s = {rate:.0}/s ({}); p50 {:.1} ms, p99 {p99:.1} ms",
        wall.as_secs_f64(),
        references.of_axum(rate),
        percentile(latencies, 0.50),
    );
    (rate, p99)
}

/// MariaDB's statements per request between two readings of its counters, with their
/// kinds (the `Com_…` counters but the prepared-statement protocol's: `insert`,
/// `select`, `begin`, … and `admin_commands`, the pings sqlx sends on each connection
/// it takes back into its pool, which `Questions` does not count).
fn print_statements(
    what: &str,
    n: usize,
    before: &std::collections::BTreeMap<String, u64>,
    after: &std::collections::BTreeMap<String, u64>,
) {
    let per = |name: &str| {
        let delta = after.get(name).unwrap_or(&0) - before.get(name).unwrap_or(&0);
        delta as f64 / n as f64
    };
    let mut kinds: Vec<(String, f64)> = after
        .keys()
        .filter(|k| k.starts_with("Com_") && !k.starts_with("Com_stmt_"))
        .map(|k| (k["Com_".len()..].to_owned(), per(k)))
        .filter(|(_, v)| *v >= 0.005)
        .collect();
    kinds.sort_by(|a, b| b.1.total_cmp(&a.1));
    let kinds: Vec<String> = kinds.iter().map(|(k, v)| format!("{k} {v:.2}")).collect();
    println!(
        "  MariaDB per {what}: {:.2} statements, {:.2} prepared ({})",
        per("Questions"),
        per("Com_stmt_prepare"),
        kinds.join(", "),
    );
}

/// Sends `request` and reads its JSON answer.
pub async fn json_of(request: reqwest::RequestBuilder) -> serde_json::Value {
    let response = request.send().await.expect("sent");
    response.json().await.expect("a JSON answer")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .expect("client")
}

/// Sends `n` messages through `base`; returns the wall time and latencies.
pub async fn send(base: &str, n: usize, tag: &str) -> (Duration, Vec<Duration>) {
    let (client, token, url, tag) = (
        client(),
        agent_token(),
        format!("{base}/api/v1/notifications"),
        tag.to_owned(),
    );
    // Every number ends in 1: none of the fake gateway's failure suffixes.
    load(n, move |i| {
        let request = client.post(&url).bearer_auth(&token).json(&json!({
            "to": format!("+9198{:07}1", i % 10_000_000), "channel": "sms",
            "template_id": "t_sms_thanks", "call_id": format!("{tag}-{}", i % 100),
        }));
        async move { request.send().await.is_ok_and(|r| r.status() == 202) }
    })
    .await
}

/// `n` admin sign-ins, four at a time (the throttle counts an id's attempts in
/// flight), each timed.
async fn sign_ins(base: String, n: usize) -> Vec<Duration> {
    let client = client();
    let url = format!("{base}/api/v1/admin/login");
    let lanes = (0..4).map(|_| {
        let (client, url) = (client.clone(), url.clone());
        async move {
            let mut timed = Vec::new();
            for _ in 0..n / 4 {
                let started = Instant::now();
                let r = client
                    .post(&url)
                    .json(&json!({"id": "admin", "password": ADMIN_PASSWORD}))
                    .send()
                    .await
                    .expect("sent");
                assert_eq!(r.status(), 200, "a sign-in");
                timed.push(started.elapsed());
            }
            timed
        }
    });
    futures::future::join_all(lanes).await.concat()
}

/// Starts an in-process worker with `concurrency` on `settings` and times how long the
/// gateway takes to have `n` more messages.
async fn drain(settings: &Settings, gateway: &FakeGateway, n: usize, concurrency: usize) -> f64 {
    let before = gateway.taken_count();
    let mut settings = settings.clone();
    settings.worker.concurrency = concurrency;
    let (worker, _) = Running::start(&settings, WorkerMode::InProcess).await;
    let started = Instant::now();
    while gateway.taken_count() < before + n {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    worker.stop().await;
    rate
}

pub const META_SECRET: &str = "bench-meta-app-secret";
/// Meta status webhooks posted per run (about half as many messages).
const HOOKS: usize = 2000;

/// A running in-process app, stopped on demand.
pub struct Running {
    stop: tokio_util::sync::CancellationToken,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Running {
    pub async fn start(settings: &Settings, mode: WorkerMode) -> (Self, String) {
        let mut settings = settings.clone();
        settings.site.addr = "127.0.0.1:0".parse().expect("addr");
        let app = Application::build(&settings, mode).await.expect("app");
        let base = format!("http://{}", app.local_addr().expect("addr"));
        let stop = app.shutdown_token();
        let task = tokio::spawn(app.run_until_stopped());
        (Self { stop, task }, base)
    }

    pub async fn stop(self) {
        self.stop.cancel();
        let _ = self.task.await;
    }
}

/// Makes Meta WhatsApp's default account on `base` and sends `n` messages through it
/// (a worker of `settings`' on the fake `meta`, left running); their UUIDs once Meta
/// has them all.
async fn meta_messages(
    base: &str,
    settings: &Settings,
    meta: &fake_providers::FakeProviders,
    n: usize,
) -> (Running, Vec<String>) {
    let mut with_meta = settings.clone();
    with_meta.providers.endpoints.meta = format!("{}/meta/v21.0", meta.base);
    let (worker, _) = Running::start(&with_meta, WorkerMode::InProcess).await;
    stream_latency::meta_account(base).await;
    let before = meta.requests("meta").len();
    let uuids = messages(base, n).await;
    // However slow the status store (FerretDB's worker is), up to two minutes.
    meta.wait_for_within("meta", before + n, Duration::from_secs(120))
        .await;
    (worker, uuids)
}

/// Records `n` messages and returns their UUIDs.
async fn messages(base: &str, n: usize) -> Vec<String> {
    let (client, token) = (client(), agent_token());
    let mut uuids = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(CLIENTS) {
        let sends = chunk.iter().map(|i| {
            client
                .post(format!("{base}/api/v1/notifications"))
                .bearer_auth(&token)
                .json(&json!({"to": format!("+9197{:07}1", i), "channel": "whatsapp", "template_id": "t_wa_thanks"}))
                .send()
        });
        for response in futures::future::join_all(sends).await {
            let body: serde_json::Value = response.expect("sent").json().await.expect("json");
            uuids.push(body["uuid"].as_str().expect("uuid").to_owned());
        }
    }
    uuids
}

/// Posts `n` signed Meta status webhooks about `uuids` (each delivered twice: once
/// advancing, once a duplicate); returns the wall time and latencies.
async fn webhooks(base: &str, uuids: Vec<String>, n: usize) -> (Duration, Vec<Duration>) {
    let (client, url, uuids) = (
        client(),
        format!("{base}/webhooks/meta/meta-bench"),
        Arc::new(uuids),
    );
    load(n, move |i| {
        let uuid = &uuids[(i / 2) % uuids.len()];
        let (body, signature) = stream_latency::meta_status(uuid, "delivered", i);
        let request = client
            .post(&url)
            .header("content-type", "application/json")
            .header("x-hub-signature-256", signature)
            .body(body);
        async move { request.send().await.is_ok_and(|r| r.status() == 200) }
    })
    .await
}

#[tokio::main]
async fn main() {
    let sends: usize = std::env::var("BENCH_SENDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let redis = RedisServer::start().await;
    let instant = FakeGateway::start(Duration::ZERO).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let fast = settings(dir.path(), &redis, &instant);
    let (_api, base) = Running::start(&fast, WorkerMode::None).await;

    println!("# Agent Notify throughput (MariaDB + Redis Streams, {CLIENTS} concurrent clients)");
    let reference_db = tempfile::tempdir().expect("tempdir");
    let references = reference::References::measure(
        redis.port,
        MariaDb::shared().database_for(reference_db.path()).as_str(),
        sends * 3,
    )
    .await;
    references.print();
    send(&base, 200, "warmup").await;
    drain(&fast, &instant, 200, 32).await;

    let counters_url = MariaDb::shared().database_for(reference_db.path());
    let before = reference::mariadb_counters(counters_url.as_str()).await;
    let (wall, latencies) = send(&base, sends, "accept").await;
    let after = reference::mariadb_counters(counters_url.as_str()).await;
    let mut figures = mongo::Figures {
        sends: print_rate(
            "POST /api/v1/notifications: accepted sends",
            sends,
            wall,
            &latencies,
            &references,
        ),
        ..mongo::Figures::default()
    };
    print_statements("accepted send", sends, &before, &after);
    // `BENCH_ONLY_SENDS=1`: stop here (to profile the send path: docs/benchmarks.md).
    if std::env::var_os("BENCH_ONLY_SENDS").is_some() {
        return;
    }
    let (worker_rate, slow_gateway) =
        passes::worker(&base, &fast, dir.path(), &redis, &instant, sends).await;
    figures.worker = worker_rate;

    // WhatsApp through a fake Meta: webhooks change only what their account sent.
    let meta = fake_providers::FakeProviders::start().await;
    let (meta_worker, uuids) = meta_messages(&base, &fast, &meta, HOOKS / 2).await;
    let first = uuids[0].clone();
    let before = reference::mariadb_counters(counters_url.as_str()).await;
    let (wall, latencies) = webhooks(&base, uuids, HOOKS).await;
    let after = reference::mariadb_counters(counters_url.as_str()).await;
    figures.webhooks = print_rate(
        "POST /webhooks/meta/…: signed status webhooks",
        HOOKS,
        wall,
        &latencies,
        &references,
    );
    print_statements("webhook", HOOKS, &before, &after);
    let view = json_of(
        client()
            .get(format!("{base}/api/v1/notifications/{first}"))
            .bearer_auth(agent_token()),
    )
    .await;
    assert_eq!(view["status"], "delivered", "the webhooks were applied");

    let (_b, b_base) = Running::start(&fast, WorkerMode::None).await;
    let latencies = stream_latency::measure(&base, &b_base, 300, &meta).await;
    meta_worker.stop().await;
    println!(
        "status change → SSE event on another server (webhook at B, call stream at A, through Redis): p50 {:.1} ms, p99 {:.1} ms (300 changes)",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99)
    );

    let mongo_sends = std::env::var("BENCH_MONGO_SENDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    mongo::compare(&figures, &redis, &instant, &meta, mongo_sends, &references).await;

    let (idle, peak) = rss::measure(&redis, &slow_gateway, sends).await;
    println!(
        "release server RSS (serve with its worker, gateway at 200 ms): idle {idle:.1} MiB, peak {peak:.1} MiB while {sends} messages were accepted and delivered"
    );

    passes::sign_ins_beside_sends(&base, &references).await;
}

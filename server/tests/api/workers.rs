//! Standalone `agent-notify worker` processes sharing a real Redis stream and the SQL
//! store with an API-only server, delivering to a local fake HTTP gateway.

use crate::fake_gateway::{FakeGateway, GATEWAY_TOKEN};
use crate::helpers::{message_of, test_settings, TestApp};
use crate::processes::WorkerProcess;
use crate::services::RedisServer;
use secrecy::SecretString;
use serde_json::{json, Value};
use server::config::{DefaultProvider, HttpGateway, QueueBackend, Settings};
use server::startup::WorkerMode;
use std::collections::BTreeSet;
use std::time::Duration;

/// Settings that send through `gateway` with the queue on `redis`.
fn gateway_settings(dir: &std::path::Path, redis: &RedisServer, gateway: &FakeGateway) -> Settings {
    let mut s = test_settings(dir);
    s.queue.backend = QueueBackend::Redis { url: redis.url() };
    // A provider call may take 1 s, so a job is invisible for 3 s (1 s + the 2 s margin).
    s.providers.request_timeout_ms = 1000;
    s.queue.visibility_timeout_secs = 3;
    // Few jobs in flight per worker, so that two workers share 40 messages.
    s.worker.concurrency = 8;
    s.providers.default = DefaultProvider::Http(HttpGateway {
        url: gateway.url.clone(),
        token: Some(SecretString::from(GATEWAY_TOKEN.to_owned())),
        timeout: Duration::from_secs(10),
    });
    s
}

/// A real Redis, a fake gateway answering after `delay`, and an app sending through
/// them (with an in-process worker or API only); also the app's settings.
async fn on_gateway(
    delay: Duration,
    mode: WorkerMode,
) -> (RedisServer, FakeGateway, TestApp, Settings) {
    let redis = RedisServer::start().await;
    let gateway = FakeGateway::start(delay).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = gateway_settings(dir.path(), &redis, &gateway);
    let app = TestApp::spawn_with(dir, settings.clone(), mode).await;
    (redis, gateway, app, settings)
}

/// Sends `n` static SMS on call `call`; returns their UUIDs.
async fn send_many(app: &TestApp, call: &str, n: usize) -> BTreeSet<String> {
    let mut uuids = BTreeSet::new();
    for i in 0..n {
        let body = json!({"to": format!("+9198765{:05}", 10000 + i), "channel": "sms",
                          "template_id": "t_sms_thanks", "call_id": call});
        uuids.insert(app.send_ok(&body).await);
    }
    uuids
}

/// Waits (up to `limit`) until every message of `call` has left `queued`/`sending`;
/// returns them.
async fn wait_until_settled(app: &TestApp, call: &str, n: usize, limit: Duration) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let items: Vec<Value> = app
            .get_json(
                &format!("/api/v1/notifications?call_id={call}&limit=100"),
                &app.agent,
            )
            .await;
        let settled = items
            .iter()
            .filter(|m| !matches!(m["status"].as_str(), Some("queued" | "sending")))
            .count();
        if (items.len() == n && settled == n) || tokio::time::Instant::now() > deadline {
            assert_eq!(items.len(), n, "every message is listed");
            let stuck: Vec<_> = items
                .iter()
                .filter(|m| matches!(m["status"].as_str(), Some("queued" | "sending")))
                .cloned()
                .collect();
            assert!(stuck.is_empty(), "never settled: {stuck:?}");
            return items;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every message is `sent`, and the gateway took each exactly once, under its UUID.
fn assert_each_sent_and_taken_once(
    items: &[Value],
    gateway: &FakeGateway,
    uuids: &BTreeSet<String>,
) {
    assert!(
        items.iter().all(|m| m["status"] == "sent"),
        "all sent: {items:?}"
    );
    let taken = gateway.taken();
    assert_eq!(
        &taken.keys().cloned().collect::<BTreeSet<_>>(),
        uuids,
        "the gateway took every message, under its UUID"
    );
    assert!(taken.values().all(|&n| n == 1), "each taken once");
    assert_eq!(gateway.taken_count(), uuids.len());
}

#[tokio::test]
async fn two_worker_processes_share_the_load_and_each_message_reaches_the_gateway_once() {
    let (_redis, gateway, app, settings) =
        on_gateway(Duration::from_millis(20), WorkerMode::None).await;
    let uuids = send_many(&app, "call-share", 40).await;
    let workers = [
        WorkerProcess::start(&settings, app.dir.path()),
        WorkerProcess::start(&settings, app.dir.path()),
    ];
    let items = wait_until_settled(&app, "call-share", 40, Duration::from_secs(60)).await;
    assert_each_sent_and_taken_once(&items, &gateway, &uuids);
    assert_eq!(gateway.calls(), 40, "no message was handled twice");
    let done = [workers[0].jobs_done().await, workers[1].jobs_done().await];
    assert_eq!(done[0] + done[1], 40);
    assert!(
        done[0] > 0 && done[1] > 0,
        "both workers took a share: {done:?}"
    );
}

#[tokio::test]
async fn a_worker_killed_mid_batch_leaves_no_message_unsent_and_none_sent_twice() {
    let (_redis, gateway, app, settings) =
        on_gateway(Duration::from_millis(300), WorkerMode::None).await;
    let uuids = send_many(&app, "call-crash", 30).await;
    let mut doomed = WorkerProcess::start(&settings, app.dir.path());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while gateway.calls() < 3 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let calls_at_kill = gateway.calls();
    assert!(calls_at_kill >= 3, "the first worker got going");
    doomed.kill_9();
    let _survivor = WorkerProcess::start(&settings, app.dir.path());
    let items = wait_until_settled(&app, "call-crash", 30, Duration::from_secs(90)).await;
    assert_each_sent_and_taken_once(&items, &gateway, &uuids);
    assert!(
        calls_at_kill < 30,
        "the worker died with messages still to send ({calls_at_kill} calls by then)"
    );
}

#[tokio::test]
async fn a_gateway_busy_for_a_while_is_retried_until_it_takes_the_message() {
    let (_redis, gateway, app, _) = on_gateway(Duration::ZERO, WorkerMode::InProcess).await;
    let uuid = app
        .send_ok(&json!({"to": "+919876540429", "channel": "sms", "template_id": "t_sms_thanks"}))
        .await;
    let sent = app.wait_for_status(&uuid, "sent").await;
    assert_eq!(gateway.calls_for(&uuid), 3, "two refusals, then taken");
    let attempts: Vec<_> = sent["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|h| h["status"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(attempts, ["queued", "sending", "sent"]);
}

#[tokio::test]
async fn a_gateway_that_keeps_failing_dead_letters_the_message_and_fails_it_with_the_reason() {
    let (redis, gateway, app, settings) = on_gateway(Duration::ZERO, WorkerMode::InProcess).await;
    let uuid = app
        .send_ok(&json!({"to": "+919876540503", "channel": "sms", "template_id": "t_sms_thanks"}))
        .await;
    let failed = app.wait_for_status(&uuid, "failed").await;
    assert_eq!(failed["error"]["code"], "provider_unavailable");
    assert!(
        message_of(&failed["error"]).contains("after 3 attempts"),
        "{failed}"
    );
    assert_eq!(gateway.calls_for(&uuid), 3, "max_attempts = 3");
    let client = redis::Client::open(redis.url()).expect("client");
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("connected");
    let dead: Vec<redis::Value> = redis::cmd("XRANGE")
        .arg(format!("{}:dead", settings.queue.stream))
        .arg("-")
        .arg("+")
        .query_async(&mut conn)
        .await
        .expect("read the dead letters");
    assert_eq!(dead.len(), 1, "one dead letter");
}

#[tokio::test]
async fn a_message_the_gateway_refuses_fails_at_once_with_the_gateways_reason() {
    let (_redis, gateway, app, _) = on_gateway(Duration::ZERO, WorkerMode::InProcess).await;
    let uuid = app
        .send_ok(&json!({"to": "+919876540400", "channel": "sms", "template_id": "t_sms_thanks"}))
        .await;
    let failed = app.wait_for_status(&uuid, "failed").await;
    assert_eq!(failed["error"]["code"], "invalid_number");
    assert_eq!(
        failed["error"]["message"],
        "The gateway says this number does not exist."
    );
    assert_eq!(gateway.calls_for(&uuid), 1, "not retried");
    assert_eq!(
        gateway.dlt_for(&uuid),
        json!({"entity_id": "1101000000000000001", "template_id": "1107000000000000001",
               "header": "ACMEIN"}),
        "an SMS passes its template's DLT registration on"
    );
}

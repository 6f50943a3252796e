//! Live status: one event stream per widget (the call's messages) that ends when every
//! message is final on its channel, is capped per caller, closes at shutdown, and —
//! with the queue on Redis — carries changes recorded by any process.

use crate::helpers::{read_events, static_sms, test_settings, TestApp};
use crate::services::RedisServer;
use serde_json::json;
use server::config::QueueBackend;
use server::startup::WorkerMode;
use std::collections::BTreeMap;
use std::time::Duration;

/// Each message's statuses, in the order the stream showed them.
fn statuses_by_message(events: &[crate::helpers::SseEvent]) -> BTreeMap<String, Vec<String>> {
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in events.iter().filter(|e| e.event == "status") {
        let view = e.view();
        seen.entry(view["uuid"].as_str().unwrap_or("").to_owned())
            .or_default()
            .push(view["status"].as_str().unwrap_or("").to_owned());
    }
    seen
}

#[tokio::test]
async fn one_stream_per_call_carries_every_message_until_all_are_final_then_ends() {
    let app = TestApp::spawn().await;
    let sms = app.send_ok(&static_sms("c-live")).await;
    let opted_out = app
        .send_ok(
            &json!({"to": "+919876540001", "channel": "sms", "template_id": "t_sms_thanks",
                         "call_id": "c-live"}),
        )
        .await;
    let _other_call = app.send_ok(&static_sms("c-other")).await;
    let response = app.fetch("/api/v1/calls/c-live/events", &app.agent).await;
    let events = read_events(response, Duration::from_secs(20)).await;
    assert_eq!(events.last().map(|e| e.event.as_str()), Some("end"));
    let seen = statuses_by_message(&events);
    assert_eq!(
        seen.keys().cloned().collect::<Vec<_>>(),
        {
            let mut both = vec![sms.clone(), opted_out.clone()];
            both.sort();
            both
        },
        "the call's messages, and no other"
    );
    assert_eq!(seen[&sms].last().map(String::as_str), Some("delivered"));
    assert_eq!(seen[&opted_out].last().map(String::as_str), Some("failed"));
    let again = app.fetch("/api/v1/calls/c-live/events", &app.agent).await;
    assert_eq!(
        again.status(),
        204,
        "nothing left to follow: no stream (the browser stops reconnecting)"
    );
}

#[tokio::test]
async fn a_caller_may_hold_six_streams_open_and_a_seventh_is_refused_until_one_closes() {
    // No worker: the messages stay queued and their streams stay open.
    let app = TestApp::spawn_in(tempfile::tempdir().expect("tempdir"), WorkerMode::None).await;
    app.send_ok(&static_sms("c-cap")).await;
    let open = || app.get("/api/v1/calls/c-cap/events", &app.agent).send();
    let mut streams = Vec::new();
    for _ in 0..6 {
        let r = open().await.expect("sent");
        assert_eq!(r.status(), 200);
        streams.push(r);
    }
    let refused = open().await.expect("sent");
    assert_eq!(refused.headers()["retry-after"], "5");
    crate::helpers::error_of(refused, 429, "too_many_streams").await;
    drop(streams.pop());
    // The server notices the closed connection when it next writes to it; keep asking.
    let mut answered = 429;
    for _ in 0..200 {
        answered = open().await.expect("sent").status().as_u16();
        if answered == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(answered, 200, "a closed stream frees its slot");
}

#[tokio::test]
async fn stopping_the_server_ends_open_streams_instead_of_waiting_for_them() {
    let app = TestApp::spawn_in(tempfile::tempdir().expect("tempdir"), WorkerMode::None).await;
    app.send_ok(&static_sms("c-stop")).await;
    let response = app.fetch("/api/v1/calls/c-stop/events", &app.agent).await;
    let reading = tokio::spawn(read_events(response, Duration::from_secs(20)));
    tokio::time::sleep(Duration::from_millis(200)).await;
    app.stop().await;
    let events = reading.await.expect("the stream was read to its end");
    assert_eq!(
        events.len(),
        1,
        "the message as it was, then the end of the stream"
    );
}

#[tokio::test]
async fn a_change_recorded_in_another_process_reaches_a_stream_through_redis() {
    let redis = RedisServer::start().await;
    // Process A only accepts and streams; process B delivers (its sandbox reports
    // `sent` and `delivered` in B). Streams re-read the store only hourly here, so
    // only the Redis feed can bring B's changes to A's stream.
    let dir_a = tempfile::tempdir().expect("tempdir");
    let mut settings = test_settings(dir_a.path());
    settings.queue.backend = QueueBackend::Redis { url: redis.url() };
    settings.http.stream_recheck_secs = 3600;
    let a = TestApp::spawn_with(dir_a, settings.clone(), WorkerMode::None).await;
    let dir_b = tempfile::tempdir().expect("tempdir");
    let b_settings = server::config::Settings {
        data_dir: dir_b.path().to_path_buf(),
        ..settings
    };
    let uuid = a.send_ok(&static_sms("c-redis")).await;
    let response = a.fetch("/api/v1/calls/c-redis/events", &a.agent).await;
    let reading = tokio::spawn(read_events(response, Duration::from_secs(30)));
    let _b = TestApp::spawn_with(dir_b, b_settings, WorkerMode::InProcess).await;
    let events = reading.await.expect("read");
    let seen = statuses_by_message(&events);
    assert_eq!(
        seen[&uuid],
        ["queued", "sending", "sent", "delivered"],
        "every change B recorded, pushed by A"
    );
    assert_eq!(events.last().map(|e| e.event.as_str()), Some("end"));
}

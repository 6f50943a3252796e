use crate::helpers::{error_of, json_reply, static_sms, TestApp};
use serde_json::Value;
use std::collections::BTreeSet;

async fn sent_for_call(app: &TestApp, call_id: &str) -> usize {
    let list: Vec<Value> = json_reply(app.get(
        &format!("/api/v1/notifications?call_id={call_id}"),
        &app.agent,
    ))
    .await;
    list.len()
}

#[tokio::test]
async fn a_second_send_with_the_same_key_returns_the_first_response() {
    let app = TestApp::spawn().await;
    let first: Value = app
        .send(&static_sms("c-idem"), Some("key-1"))
        .await
        .json()
        .await
        .expect("json");
    let second = app.send(&static_sms("c-idem"), Some("key-1")).await;
    assert_eq!(second.status(), 202);
    let second: Value = second.json().await.expect("json");
    assert_eq!(first, second);
    assert_eq!(sent_for_call(&app, "c-idem").await, 1);
}

#[tokio::test]
async fn twenty_concurrent_sends_with_one_key_make_one_message() {
    let app = TestApp::spawn().await;
    let body = static_sms("c-burst");
    let responses =
        futures::future::join_all((0..20).map(|_| app.send(&body, Some("burst-key")))).await;
    let mut uuids = BTreeSet::new();
    for r in responses {
        assert_eq!(r.status(), 202);
        let accepted: Value = r.json().await.expect("json");
        uuids.insert(accepted["uuid"].as_str().expect("uuid").to_owned());
    }
    assert_eq!(uuids.len(), 1, "one UUID for all twenty");
    assert_eq!(
        sent_for_call(&app, "c-burst").await,
        1,
        "one message recorded"
    );
    let comments: Vec<Value> = app
        .get_json("/api/v1/calls/c-burst/comments", &app.agent)
        .await;
    assert_eq!(comments.len(), 1, "one comment");
}

#[tokio::test]
async fn the_same_key_with_another_body_is_a_conflict() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.send(&static_sms("c-1"), Some("key-2")).await.status(),
        202
    );
    let r = app.send(&static_sms("c-2"), Some("key-2")).await;
    error_of(r, 409, "idempotency_key_reused").await;
}

#[tokio::test]
async fn keys_belong_to_their_caller() {
    let app = TestApp::spawn().await;
    let mine: Value = app
        .send(&static_sms("c-1"), Some("shared-key"))
        .await
        .json()
        .await
        .expect("json");
    let theirs = app
        .post("/api/v1/notifications", &app.colleague)
        .header("Idempotency-Key", "shared-key")
        .json(&static_sms("c-1"))
        .send()
        .await
        .expect("sent");
    assert_eq!(theirs.status(), 202);
    let theirs: Value = theirs.json().await.expect("json");
    assert_ne!(mine["uuid"], theirs["uuid"]);
}

#[tokio::test]
async fn a_refused_send_does_not_use_up_the_key() {
    let app = TestApp::spawn().await;
    let mut bad = static_sms("c-1");
    bad["to"] = serde_json::json!("+9198765");
    assert_eq!(app.send(&bad, Some("key-3")).await.status(), 422);
    assert_eq!(
        app.send(&static_sms("c-1"), Some("key-3")).await.status(),
        202
    );
}

#[tokio::test]
async fn a_malformed_key_is_refused() {
    let app = TestApp::spawn().await;
    let long = "k".repeat(101);
    error_of(
        app.send(&static_sms("c-1"), Some(&long)).await,
        400,
        "invalid_idempotency_key",
    )
    .await;
    error_of(
        app.send(&static_sms("c-1"), Some("has space")).await,
        400,
        "invalid_idempotency_key",
    )
    .await;
}

use crate::helpers::{static_sms, TestApp};
use server::startup::WorkerMode;

#[tokio::test]
async fn a_message_accepted_before_a_restart_is_delivered_after_it() {
    // No worker: the message can only wait in the durable queue.
    let app = TestApp::spawn_in(tempfile::tempdir().expect("tempdir"), WorkerMode::None).await;
    let uuid = app.send_ok(&static_sms("c-restart")).await;
    assert_eq!(app.notification(&uuid).await["status"], "queued");
    let dir = app.stop().await;

    let app = TestApp::spawn_in(dir, WorkerMode::InProcess).await;
    app.wait_for_status(&uuid, "delivered").await;
    let comments: Vec<serde_json::Value> = app
        .get_json("/api/v1/calls/c-restart/comments", &app.agent)
        .await;
    assert_eq!(
        comments.len(),
        1,
        "the demo data is seeded once, and the comment kept"
    );
}

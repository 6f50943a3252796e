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

#[tokio::test]
async fn a_message_recorded_but_never_queued_is_swept_up_and_delivered() {
    let app = TestApp::spawn_in(tempfile::tempdir().expect("tempdir"), WorkerMode::None).await;
    let uuid = app.send_ok(&static_sms("c-sweep")).await;
    let dir = app.stop().await;
    // The state a crash between "record" and "enqueue" leaves: the record, no job.
    let queue = server::store::open_sqlite(
        &format!("sqlite://{}", dir.path().join("queue.db").display()),
        1,
    )
    .await
    .expect("queue database");
    sqlx::query("DELETE FROM jobs")
        .execute(&queue)
        .await
        .expect("jobs removed");
    queue.close().await;

    let mut settings = crate::helpers::test_settings(dir.path());
    settings.queue.sweep_after_secs = 1;
    let app = TestApp::spawn_with(dir, settings, WorkerMode::InProcess).await;
    let n = app.wait_for_status(&uuid, "delivered").await;
    let handed_over = n["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter(|h| h["status"] == "sending")
        .count();
    assert_eq!(handed_over, 1, "sent once");
}

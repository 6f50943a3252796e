use crate::helpers::{static_sms, TestApp};
use server::config::{QueueBackend, Settings, StatusBackend};
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
    let mut settings = crate::helpers::test_settings(dir.path());
    // The state a crash between "record" and "enqueue" leaves: the record, no job.
    drop_every_job(&settings).await;
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

#[tokio::test]
async fn a_message_whose_record_cannot_be_read_is_dead_lettered_after_ten_deliveries() {
    let app = TestApp::spawn_in(tempfile::tempdir().expect("tempdir"), WorkerMode::None).await;
    let uuid = app.send_ok(&static_sms("c-poison")).await;
    let dir = app.stop().await;
    let mut settings = crate::helpers::test_settings(dir.path());
    spoil_record(&settings, &uuid).await;

    settings.worker.retry_base_ms = 1;
    let app = TestApp::spawn_with(dir, settings, WorkerMode::InProcess).await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let metrics = app
            .get_anonymously("/metrics")
            .await
            .text()
            .await
            .expect("text");
        let count = |outcome: &str| crate::helpers::jobs_total(&metrics, outcome);
        if count("dead_lettered") == 1 || tokio::time::Instant::now() > deadline {
            assert_eq!(count("dead_lettered"), 1, "{metrics}");
            assert_eq!(count("errored"), 9, "nine failed deliveries before it");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_server_started_before_its_queue_waits_for_it_and_says_so_meanwhile() {
    let port = crate::services::free_port();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = crate::helpers::test_settings(dir.path());
    settings.site.addr = format!("127.0.0.1:{}", crate::services::free_port())
        .parse()
        .expect("addr");
    settings.queue.backend = server::config::QueueBackend::Redis {
        url: format!("redis://127.0.0.1:{port}"),
    };
    let base = format!("http://{}", settings.site.addr);
    let starting = tokio::spawn(async move {
        server::startup::Application::build(&settings, WorkerMode::InProcess).await
    });
    let client = reqwest::Client::new();
    // (The first requests may come before the server has bound its address.)
    let ready = || async {
        let r = client.get(format!("{base}/readyz")).send().await.ok()?;
        Some((
            r.status().as_u16(),
            r.json::<serde_json::Value>().await.ok()?,
        ))
    };
    let mut seen = (0, serde_json::Value::Null);
    for _ in 0..100 {
        if let Some(answer) = ready().await {
            seen = answer;
            if seen.1["waiting_for"] == serde_json::json!(["queue"]) {
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(seen.0, 503);
    assert_eq!(
        seen.1["waiting_for"],
        serde_json::json!(["queue"]),
        "{}",
        seen.1
    );
    let health = client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("sent");
    assert_eq!(health.status(), 200, "alive while waiting");
    let send = client
        .post(format!("{base}/api/v1/notifications"))
        .json(&static_sms("c-wait"))
        .send()
        .await
        .expect("sent");
    crate::helpers::error_of(send, 503, "starting").await;

    let _redis = crate::services::RedisServer::start_on(port).await;
    let app = starting
        .await
        .expect("task")
        .expect("the server started once the queue came up");
    let task = tokio::spawn(app.run_until_stopped());
    assert_eq!(ready().await.map(|(status, _)| status), Some(200));
    task.abort();
}

/// Empties the queue `settings` name, as a crash before the enqueue would have left it.
async fn drop_every_job(settings: &Settings) {
    match &settings.queue.backend {
        QueueBackend::Embedded => {
            let queue = server::store::open_sqlite(
                &format!("sqlite://{}", settings.data_dir.join("queue.db").display()),
                1,
            )
            .await
            .expect("queue database");
            sqlx::query("DELETE FROM jobs")
                .execute(&queue)
                .await
                .expect("jobs removed");
            queue.close().await;
        }
        QueueBackend::Redis { url } => {
            let client = redis::Client::open(url.as_str()).expect("redis url");
            let mut redis = client
                .get_multiplexed_async_connection()
                .await
                .expect("redis");
            let _trimmed: u64 = redis::cmd("XTRIM")
                .arg(&settings.queue.stream)
                .arg("MAXLEN")
                .arg(0)
                .query_async(&mut redis)
                .await
                .expect("jobs removed");
        }
    }
}

/// Makes message `uuid`'s record unreadable where `settings` keep it.
async fn spoil_record(settings: &Settings, uuid: &str) {
    match &settings.status.backend {
        StatusBackend::Sql => {
            sqlx::any::install_default_drivers();
            let database = sqlx::AnyPool::connect(settings.database.url.as_str())
                .await
                .expect("database");
            sqlx::query("UPDATE notifications SET parameters = 'not json' WHERE uuid = ?")
                .bind(uuid)
                .execute(&database)
                .await
                .expect("record spoilt");
            database.close().await;
        }
        StatusBackend::Mongo { url } => {
            use mongodb::bson::{doc, Document};
            let client = mongodb::Client::with_uri_str(url).await.expect("client");
            let db = client.default_database().expect("database in the url");
            let spoilt = db
                .collection::<Document>(&settings.status.collections.sms)
                .update_one(
                    doc! {"_id": uuid},
                    doc! {"$set": {"parameters": "not a list"}},
                )
                .await
                .expect("record spoilt");
            assert_eq!(spoilt.matched_count, 1);
        }
    }
}

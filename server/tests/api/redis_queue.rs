//! The Redis Streams queue against a real `redis-server` started for each test (free
//! port, temporary directory, no persistence), stopped when the test ends.

use crate::helpers::{static_sms, test_settings, TestApp};
use crate::services::RedisServer;
use app::domain::Channel;
use app::service::{Job, JobQueue};
use server::config::QueueBackend;
use server::providers::pace::{Pace, SlotBook};
use server::queue::RedisQueue;
use server::startup::WorkerMode;
use std::time::Duration;

async fn queue(redis: &RedisServer, visibility: Duration) -> RedisQueue {
    RedisQueue::open(&redis.url(), "gateway:realtime", visibility)
        .await
        .expect("queue opens")
}

fn job() -> Job {
    Job::new(uuid::Uuid::new_v4(), Channel::Sms)
}

#[tokio::test]
async fn a_job_is_received_once_and_gone_after_its_ack() {
    let redis = RedisServer::start().await;
    let q = queue(&redis, Duration::from_secs(60)).await;
    let sent = job();
    q.enqueue(&sent).await.expect("enqueued");
    assert_eq!(q.depth().await.expect("depth"), 1);
    let got = q
        .receive(10, Duration::from_millis(100))
        .await
        .expect("received");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].job.as_ref().ok(), Some(&sent));
    assert_eq!(got[0].attempt, 1);
    assert!(
        q.receive(10, Duration::from_millis(50))
            .await
            .expect("received")
            .is_empty(),
        "not handed out twice"
    );
    q.ack(&got[0]).await.expect("acked");
    assert_eq!(q.depth().await.expect("depth"), 0);
}

#[tokio::test]
async fn two_workers_share_the_stream_without_taking_the_same_job() {
    let redis = RedisServer::start().await;
    let (a, b) = (
        queue(&redis, Duration::from_secs(60)).await,
        queue(&redis, Duration::from_secs(60)).await,
    );
    for _ in 0..10 {
        a.enqueue(&job()).await.expect("enqueued");
    }
    let first = a
        .receive(5, Duration::from_millis(100))
        .await
        .expect("received");
    let second = b
        .receive(10, Duration::from_millis(100))
        .await
        .expect("received");
    let mut all: Vec<_> = first
        .iter()
        .chain(&second)
        .map(|d| d.receipt.clone())
        .collect();
    assert_eq!(all.len(), 10);
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 10, "no job handed to both");
}

/// The next job the queue hands out, waiting for one to fall due (a reclaim or a retry
/// delay) however long the machine takes, up to ten seconds.
async fn receive_when_due(q: &RedisQueue) -> Vec<app::service::Delivery> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let got = q
            .receive(1, Duration::from_millis(50))
            .await
            .expect("received");
        if !got.is_empty() {
            return got;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no job fell due within ten seconds"
        );
    }
}

#[tokio::test]
async fn a_job_left_pending_by_a_crashed_worker_is_taken_over() {
    let redis = RedisServer::start().await;
    let crashed = queue(&redis, Duration::from_millis(200)).await;
    let sent = job();
    crashed.enqueue(&sent).await.expect("enqueued");
    let taken = crashed
        .receive(1, Duration::from_millis(100))
        .await
        .expect("received");
    assert_eq!(taken.len(), 1);
    drop(crashed); // never acks

    let survivor = queue(&redis, Duration::from_millis(200)).await;
    assert!(
        survivor
            .receive(1, Duration::from_millis(50))
            .await
            .expect("received")
            .is_empty(),
        "not before the timeout"
    );
    let reclaimed = receive_when_due(&survivor).await;
    assert_eq!(reclaimed.len(), 1);
    assert_eq!(reclaimed[0].job.as_ref().ok(), Some(&sent));
    assert_eq!(
        reclaimed[0].attempt, 2,
        "the second delivery counts as the second attempt"
    );
}

#[tokio::test]
async fn a_retried_job_comes_back_after_its_delay_with_its_attempts_counted() {
    let redis = RedisServer::start().await;
    let q = queue(&redis, Duration::from_secs(60)).await;
    q.enqueue(&job()).await.expect("enqueued");
    let first = q
        .receive(1, Duration::from_millis(100))
        .await
        .expect("received")
        .remove(0);
    q.retry(&first, Duration::from_millis(300))
        .await
        .expect("retried");
    assert!(
        q.receive(1, Duration::from_millis(50))
            .await
            .expect("received")
            .is_empty(),
        "waits for its delay"
    );
    let again = receive_when_due(&q).await.remove(0);
    assert_eq!(again.attempt, 2);
    assert_eq!(again.job, first.job);
}

#[tokio::test]
async fn a_dead_letter_leaves_the_stream_with_its_reason() {
    let redis = RedisServer::start().await;
    let q = queue(&redis, Duration::from_secs(60)).await;
    q.enqueue(&job()).await.expect("enqueued");
    let d = q
        .receive(1, Duration::from_millis(100))
        .await
        .expect("received")
        .remove(0);
    q.dead_letter(&d, "provider kept failing")
        .await
        .expect("dead-lettered");
    assert_eq!(q.depth().await.expect("depth"), 0);
    let client = redis::Client::open(redis.url()).expect("client");
    let mut con = client
        .get_multiplexed_async_connection()
        .await
        .expect("connection");
    let dead: u64 = redis::cmd("XLEN")
        .arg("gateway:realtime:dead")
        .query_async(&mut con)
        .await
        .expect("xlen");
    assert_eq!(dead, 1);
}

#[tokio::test]
async fn a_message_sent_through_redis_is_delivered() {
    let redis = RedisServer::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = test_settings(dir.path());
    settings.queue.backend = QueueBackend::Redis { url: redis.url() };
    let app = TestApp::spawn_with(dir, settings, WorkerMode::InProcess).await;
    let uuid = app.send_ok(&static_sms("c-redis")).await;
    app.wait_for_status(&uuid, "delivered").await;
}

#[tokio::test]
async fn while_redis_is_down_sends_get_503_and_work_resumes_when_it_is_back() {
    let mut redis = RedisServer::start().await;
    let port = redis.port;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = test_settings(dir.path());
    settings.queue.backend = QueueBackend::Redis { url: redis.url() };
    let app = TestApp::spawn_with(dir, settings, WorkerMode::InProcess).await;
    let before = app.send_ok(&static_sms("c-outage")).await;
    app.wait_for_status(&before, "delivered").await;

    redis.kill();
    let r = app.send(&static_sms("c-outage"), None).await;
    assert_eq!(r.status(), 503);
    assert!(r.headers().contains_key("retry-after"));
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["error"]["code"], "backend_unavailable");
    let listed: Vec<serde_json::Value> = app
        .get_json("/api/v1/notifications?call_id=c-outage", &app.agent)
        .await;
    assert_eq!(listed.len(), 1, "the refused send left no message behind");

    let _back = RedisServer::start_on(port).await;
    let mut after = None;
    for _ in 0..50 {
        let r = app.send(&static_sms("c-outage"), None).await;
        if r.status() == 202 {
            let body: serde_json::Value = r.json().await.expect("json");
            after = body["uuid"].as_str().map(str::to_owned);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let after = after.expect("sends are accepted again once Redis is back");
    app.wait_for_status(&after, "delivered").await;
}

/// Takes `n` slots of `pace`, returning when each was granted.
async fn slots(pace: std::sync::Arc<Pace>, n: usize) -> Vec<tokio::time::Instant> {
    let mut granted = Vec::with_capacity(n);
    for _ in 0..n {
        pace.wait().await;
        granted.push(tokio::time::Instant::now());
    }
    granted
}

#[tokio::test]
async fn two_workers_pacing_one_account_through_redis_share_its_rate() {
    let redis = RedisServer::start().await;
    // Two processes' worth: each its own connection, the same account key.
    let mut paces = Vec::new();
    for _ in 0..2 {
        let book: std::sync::Arc<dyn SlotBook> =
            std::sync::Arc::new(queue(&redis, Duration::from_secs(60)).await);
        paces.push(std::sync::Arc::new(Pace::shared(
            5,
            book,
            "pace:tw-sms".into(),
        )));
    }
    let start = tokio::time::Instant::now();
    let (a, b) = tokio::join!(slots(paces[0].clone(), 10), slots(paces[1].clone(), 10));
    let mut granted: Vec<_> = a.into_iter().chain(b).collect();
    granted.sort();
    // 20 slots at 5 per second with a burst of 5: the last comes (20 - 5) × 200 ms after
    // the first; each worker pacing itself would have finished in about one second.
    let last = granted[granted.len() - 1].duration_since(start);
    assert!(
        last >= Duration::from_millis(2900),
        "20 slots at 5/s took only {last:?}"
    );
    for (i, t) in granted.iter().enumerate() {
        let within = granted[i..]
            .iter()
            .filter(|u| u.duration_since(*t) < Duration::from_secs(1))
            .count();
        assert!(within <= 10, "{within} slots within one second");
    }
}

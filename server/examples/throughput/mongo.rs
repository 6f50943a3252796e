//! The same sends, worker and webhooks with the status store on MongoDB (FerretDB here,
//! the tests' stand-in), printed beside the MariaDB figures of the same run. MariaDB
//! keeps the configuration and Redis the queue, as in production.

use crate::fake_gateway::FakeGateway;
use crate::fake_providers::FakeProviders;
use crate::reference::References;
use crate::services::{FerretDb, RedisServer};
use crate::{drain, meta_messages, print_rate, send, settings, webhooks};
use server::config::{Settings, StatusBackend};
use server::startup::WorkerMode;

/// One status store's figures: sends and webhooks (per second, p99 in ms), the worker
/// at its default concurrency (messages per second).
#[derive(Debug, Default)]
pub struct Figures {
    pub sends: (f64, f64),
    pub worker: f64,
    pub webhooks: (f64, f64),
}

/// Measures `n` sends, their delivery, and `2 n` webhooks about `n` WhatsApp messages
/// with the status store on FerretDB, and prints them beside `mariadb`'s. (Fewer than
/// the MariaDB run's: FerretDB on SQLite reads a whole collection for every query but a
/// lookup by `_id`, so its worker manages a few messages a second.)
pub async fn compare(
    mariadb: &Figures,
    redis: &RedisServer,
    gateway: &FakeGateway,
    meta: &FakeProviders,
    n: usize,
    references: &References,
) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut with_mongo: Settings = settings(dir.path(), redis, gateway);
    with_mongo.status.backend = StatusBackend::Mongo {
        url: FerretDb::shared().url("bench"),
    };
    // A stream of its own: the MariaDB run's workers are gone, its jobs drained.
    with_mongo.queue.stream = "bench-mongodb".into();
    println!("# The status store on MongoDB (FerretDB 1.24 on SQLite), {n} sends");
    let (api, base) = crate::Running::start(&with_mongo, WorkerMode::None).await;
    send(&base, 100, "mongo-warmup").await;
    drain(&with_mongo, gateway, 100, 32).await;
    let mut mongo = Figures::default();
    let (wall, latencies) = send(&base, n, "mongo").await;
    mongo.sends = print_rate(
        "POST /api/v1/notifications (MongoDB status)",
        n,
        wall,
        &latencies,
        references,
    );
    let concurrency = Settings::default().worker.concurrency;
    mongo.worker = drain(&with_mongo, gateway, n, concurrency).await;
    println!(
        "worker (concurrency {concurrency}, MongoDB status), gateway answering at once: {:.0} messages/s",
        mongo.worker
    );
    let (meta_worker, uuids) = meta_messages(&base, &with_mongo, meta, n).await;
    let (wall, latencies) = webhooks(&base, uuids, 2 * n).await;
    mongo.webhooks = print_rate(
        "POST /webhooks/meta/… (MongoDB status)",
        2 * n,
        wall,
        &latencies,
        references,
    );
    meta_worker.stop().await;
    api.stop().await;
    println!(
        "status store        | sends/s | sends p99 | worker msg/s | webhooks/s | webhooks p99"
    );
    for (name, f) in [("MariaDB", mariadb), ("MongoDB (FerretDB)", &mongo)] {
        println!(
            "{name:<19} | {:>7.0} | {:>6.1} ms | {:>12.0} | {:>10.0} | {:>9.1} ms",
            f.sends.0, f.sends.1, f.worker, f.webhooks.0, f.webhooks.1
        );
    }
}

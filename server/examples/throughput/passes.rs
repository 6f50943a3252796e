//! The bench's longer passes: the worker at each concurrency against a gateway that
//! answers at once and one that answers after 200 ms, and admin sign-ins beside sends.

use super::{drain, percentile, print_rate, send, settings, sign_ins, FakeGateway, RedisServer};
use crate::reference::References;
use server::config::Settings;
use std::path::Path;
use std::time::Duration;

/// The worker's rates: at concurrency 8 and the default against a gateway that answers
/// at once (the default's is returned), then against one answering after 200 ms (kept
/// running, for the RSS pass).
pub async fn worker(
    base: &str,
    fast: &Settings,
    dir: &Path,
    redis: &RedisServer,
    instant: &FakeGateway,
    sends: usize,
) -> (f64, FakeGateway) {
    // Each worker run starts with exactly its messages waiting in the stream.
    let default = Settings::default().worker.concurrency;
    let mut last = 0.0;
    for concurrency in [8, default] {
        if concurrency != 8 {
            send(base, sends, "more").await;
        }
        let rate = drain(fast, instant, sends, concurrency).await;
        println!(
            "worker (concurrency {concurrency}), gateway answering at once: {rate:.0} messages/s"
        );
        last = rate;
    }

    let slow_gateway = FakeGateway::start(Duration::from_millis(200)).await;
    let slow = settings(dir, redis, &slow_gateway);
    for (concurrency, n) in [
        (8, 400),
        (default, sends),
        (2 * default, sends),
        (4 * default, sends),
    ] {
        send(base, n, "slow").await;
        let rate = drain(&slow, &slow_gateway, n, concurrency).await;
        println!("worker (concurrency {concurrency}), gateway answering after 200 ms: {rate:.0} messages/s");
    }
    (last, slow_gateway)
}

/// Sends alone, then beside 40 admin sign-ins (argon2 on the bounded blocking pool).
pub async fn sign_ins_beside_sends(base: &str, references: &References) {
    // Sign-ins (argon2 on the bounded blocking pool) beside a stream of sends.
    let (wall, alone) = send(base, 1000, "quiet").await;
    print_rate(
        "POST /api/v1/notifications alone",
        1000,
        wall,
        &alone,
        references,
    );
    let signing = tokio::spawn(sign_ins(base.to_owned(), 40));
    let (wall, beside) = send(base, 1000, "signins").await;
    print_rate(
        "POST /api/v1/notifications while 40 admin sign-ins run",
        1000,
        wall,
        &beside,
        references,
    );
    let mut signed = signing.await.expect("sign-ins");
    signed.sort_unstable();
    println!(
        "admin sign-in (argon2 off the async threads), 40 in four lanes: p50 {:.1} ms, p99 {:.1} ms",
        percentile(&signed, 0.50),
        percentile(&signed, 0.99)
    );
}

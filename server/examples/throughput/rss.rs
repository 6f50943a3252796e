//! The server's resident memory, idle and under the throughput load: the release
//! `agent-notify serve` binary (API and in-process worker) as its own process on the
//! bench's MariaDB and Redis, sending through the gateway answering after 200 ms.

use crate::fake_gateway::{FakeGateway, GATEWAY_TOKEN};
use crate::services::{free_port, MariaDb, RedisServer};
use crate::{send, CREDENTIALS_KEY, SECRET};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The resident set of process `pid`, in MiB.
fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Idle RSS, and the peak RSS while `n` sends are accepted and delivered (MiB).
pub async fn measure(redis: &RedisServer, gateway: &FakeGateway, n: usize) -> (f64, f64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let binary = std::env::current_exe()
        .expect("the bench's path")
        .parent()
        .and_then(|examples| examples.parent())
        .expect("target/release")
        .join("agent-notify");
    let server = Server(
        Command::new(binary)
            .arg("serve")
            .current_dir(dir.path())
            .env("NOTIFY_CONFIG", dir.path().join("none.toml"))
            .env("NOTIFY_DATA_DIR", dir.path())
            .env(
                "NOTIFY_DATABASE__URL",
                MariaDb::shared().database_for(dir.path()).as_str(),
            )
            .env("NOTIFY_DATABASE__MAX_CONNECTIONS", "32")
            .env("NOTIFY_QUEUE__URL", redis.url())
            .env("NOTIFY_QUEUE__STREAM", "rss:realtime")
            .env("NOTIFY_PROVIDERS__DEFAULT", "http")
            .env("NOTIFY_PROVIDERS__HTTP__URL", &gateway.url)
            .env("NOTIFY_PROVIDERS__HTTP__TOKEN", GATEWAY_TOKEN)
            .env("NOTIFY_AUTH__TOKEN_SECRET", SECRET)
            .env("NOTIFY_AUTH__CREDENTIALS_KEY", CREDENTIALS_KEY)
            .env("NOTIFY_AUTH__REGISTER_AGENTS_ON_FIRST_USE", "true")
            .env(
                "NOTIFY_AUTH__INITIAL_ADMIN_PASSWORD",
                "bench-admin-password",
            )
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .spawn()
            .expect("target/release/agent-notify runs (make bench builds it)"),
    );
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..600 {
        let ready = client.get(format!("{base}/readyz")).send().await;
        if ready.is_ok_and(|r| r.status() == 200) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let pid = server.0.id();
    let idle = rss_mib(pid);
    let before = gateway.taken_count();
    let load = tokio::spawn(async move { send(&base, n, "rss").await });
    let mut peak = idle;
    while gateway.taken_count() < before + n {
        peak = peak.max(rss_mib(pid));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    load.await.expect("load");
    (idle, peak)
}

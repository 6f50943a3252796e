//! The reference points every figure is printed beside, measured in the same run with
//! the same load generator: a bare axum endpoint, Redis's own XADD benchmark, and a
//! plain insert loop on the same MariaDB.

use crate::{client, load, percentile, CLIENTS};

/// What this machine does with nothing of ours in the way.
pub struct References {
    /// `GET /` answering "ok": requests per second.
    pub axum: f64,
    /// `redis-benchmark` XADD, as it prints it.
    pub xadd: String,
    /// One-row INSERTs from `CLIENTS` tasks on a pool of as many connections: per
    /// second, p50 and p99 in ms.
    pub inserts: (f64, f64, f64),
}

impl References {
    pub async fn measure(redis_port: u16, mariadb_url: &str, n: usize) -> Self {
        Self {
            axum: bare_axum_rps(n).await,
            xadd: redis_benchmark_xadd(redis_port),
            inserts: mariadb_inserts(mariadb_url, n).await,
        }
    }

    /// `rate` as a share of the bare endpoint's.
    pub fn of_axum(&self, rate: f64) -> String {
        format!("{:.1} % of bare axum", 100.0 * rate / self.axum)
    }

    pub fn print(&self) {
        println!(
            "reference: bare axum GET / under the same load generator: {:.0} requests/s",
            self.axum
        );
        println!("reference: redis-benchmark {}", self.xadd);
        let (rate, p50, p99) = self.inserts;
        println!(
            "reference: MariaDB one-row INSERT, {CLIENTS} sqlx connections: {rate:.0}/s; p50 {p50:.1} ms, p99 {p99:.1} ms"
        );
    }
}

fn redis_benchmark_xadd(port: u16) -> String {
    let out = std::process::Command::new("redis-benchmark")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-n",
            "100000",
            "-c",
            "32",
        ])
        .args(["-q", "XADD", "bench", "*", "job", "{\"v\":1}"])
        .output()
        .expect("redis-benchmark runs (Debian's redis-tools)");
    let text = String::from_utf8_lossy(&out.stdout);
    text.split('\r')
        .rfind(|l| l.contains("requests per second"))
        .map(|l| l.trim().to_owned())
        .unwrap_or_else(|| format!("no result: {text}"))
}

async fn bare_axum_rps(n: usize) -> f64 {
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = client();
    let (wall, _) = load(n, move |_| {
        let request = client.get(&url);
        async move { request.send().await.is_ok_and(|r| r.status() == 200) }
    })
    .await;
    n as f64 / wall.as_secs_f64()
}

async fn mariadb_inserts(url: &str, n: usize) -> (f64, f64, f64) {
    let pool = sqlx::mysql::MySqlPoolOptions::new()
        .max_connections(CLIENTS as u32)
        .connect(url)
        .await
        .expect("MariaDB");
    sqlx::query(
        "CREATE TABLE bench_insert (id BIGINT PRIMARY KEY, body VARCHAR(255) NOT NULL, \
         created_at BIGINT NOT NULL)",
    )
    .execute(&pool)
    .await
    .expect("table");
    let (wall, latencies) = load(n, move |i| {
        let pool = pool.clone();
        async move {
            sqlx::query("INSERT INTO bench_insert (id, body, created_at) VALUES (?, ?, ?)")
                .bind(i as i64)
                .bind("Thanks for calling: your ticket is 12345")
                .bind(i as i64)
                .execute(&pool)
                .await
                .is_ok()
        }
    })
    .await;
    (
        n as f64 / wall.as_secs_f64(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
    )
}

/// MariaDB's counters of what its clients asked (`SHOW GLOBAL STATUS`): `Questions`
/// (statements executed) and every `Com_…` counter (statements by kind).
pub async fn mariadb_counters(url: &str) -> std::collections::BTreeMap<String, u64> {
    use sqlx::Row;
    let mut conn = <sqlx::MySqlConnection as sqlx::Connection>::connect(url)
        .await
        .expect("MariaDB");
    sqlx::query(
        "SHOW GLOBAL STATUS WHERE Variable_name = 'Questions' OR Variable_name LIKE 'Com\\_%'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("status")
    .iter()
    .filter_map(|r| Some((r.get::<String, _>(0), r.get::<String, _>(1).parse().ok()?)))
    .collect()
}

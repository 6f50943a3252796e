//! The real servers the tests run against, started here on free ports with temporary
//! data directories: `redis-server` per test, and one `mariadbd` per test process
//! (each test gets its own database in it) when `NOTIFY_TEST_DATABASE=mariadb`.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("free port")
        .local_addr()
        .expect("addr")
        .port()
}

/// Waits until something listens on `port` (a guard against a server that never
/// comes up, not a timing check: a first `mariadbd` on a cold machine takes a while).
fn wait_for_port(port: u16, what: &str) {
    for _ in 0..1200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not start on port {port}");
}

/// A redis-server of our own.
pub struct RedisServer {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl RedisServer {
    pub async fn start() -> Self {
        Self::start_on(free_port()).await
    }

    pub async fn start_on(port: u16) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server runs (make test installs it)");
        let server = Self {
            child,
            port,
            _dir: dir,
        };
        tokio::task::spawn_blocking(move || wait_for_port(port, "redis-server"))
            .await
            .expect("waited");
        server
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server at once (a crash, not a shutdown).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Whether this run puts the SQL store on MariaDB (`NOTIFY_TEST_DATABASE=mariadb`)
/// instead of SQLite.
pub fn on_mariadb() -> bool {
    std::env::var("NOTIFY_TEST_DATABASE").is_ok_and(|v| v == "mariadb")
}

/// The database url for a test whose data directory is `dir`: a SQLite file in it, or
/// a MariaDB database named after it (the same directory finds the same database after
/// a restart).
pub fn database_url(dir: &Path) -> String {
    if on_mariadb() {
        MariaDb::shared().database_for(dir)
    } else {
        format!("sqlite://{}", dir.join("notify.db").display())
    }
}

/// One `mariadbd` for the whole test process, on a free port with its data in a
/// temporary directory. A watchdog shell stops it and removes the directory when the
/// test process exits (statics are never dropped).
pub struct MariaDb {
    port: u16,
    /// The watchdog shell (it outlives every test and ends with the process).
    _watchdog: Child,
}

impl MariaDb {
    pub fn shared() -> &'static MariaDb {
        static SERVER: OnceLock<MariaDb> = OnceLock::new();
        SERVER.get_or_init(MariaDb::start)
    }

    fn start() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("notify-mariadb-")
            .tempdir()
            .expect("tempdir")
            .keep();
        let data = dir.join("data");
        let installed = Command::new("mariadb-install-db")
            .args(["--no-defaults", "--auth-root-authentication-method=normal"])
            .args(["--skip-test-db", "--user=root"])
            .arg(format!("--datadir={}", data.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("mariadb-install-db runs (make test installs mariadb-server)");
        assert!(installed.success(), "mariadb-install-db failed");
        let port = free_port();
        // Debian installs mariadbd in /usr/sbin, which a non-login PATH may lack.
        let server = format!(
            "PATH=\"$PATH:/usr/sbin:/usr/local/sbin\" mariadbd --no-defaults --user=root --datadir='{data}' --port={port} \
             --bind-address=127.0.0.1 --socket='{dir}/mysqld.sock' --skip-log-bin \
             --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=2 \
             --max-connections=500 --log-error='{dir}/error.log'",
            data = data.display(),
            dir = dir.display(),
        );
        let watchdog = format!(
            "{server} & m=$!; while kill -0 {parent} 2>/dev/null; do sleep 0.5; done; \
             kill -9 $m; wait $m; rm -rf '{dir}'",
            parent = std::process::id(),
            dir = dir.display(),
        );
        let watchdog = Command::new("bash")
            .args(["-c", &watchdog])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("bash runs");
        wait_for_port(port, "mariadbd");
        Self {
            port,
            _watchdog: watchdog,
        }
    }

    /// Creates (if needed) the database for `dir` and returns its url.
    pub fn database_for(&self, dir: &Path) -> String {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        dir.hash(&mut hasher);
        let name = format!("t_{:016x}", hasher.finish());
        self.sql(&format!("CREATE DATABASE IF NOT EXISTS {name}"));
        format!("mysql://root@127.0.0.1:{}/{name}", self.port)
    }

    /// Runs `statement` as root with the `mariadb` client.
    pub fn sql(&self, statement: &str) {
        let status = Command::new("mariadb")
            .args(["--no-defaults", "-h127.0.0.1", "-uroot"])
            .arg(format!("-P{}", self.port))
            .args(["-e", statement])
            .status()
            .expect("the mariadb client runs");
        assert!(status.success(), "mariadb: {statement}");
    }
}

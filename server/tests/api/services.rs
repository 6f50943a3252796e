//! The real servers the tests run against, started here on free ports with temporary
//! data directories: `redis-server` per test that needs its own, and one per test
//! process of `mariadbd` (`NOTIFY_TEST_DATABASE=mariadb`), FerretDB (MongoDB's wire
//! protocol: every status-store test, and the apps with `NOTIFY_TEST_STATUS=mongodb`)
//! and `redis-server` (the apps' queue with `NOTIFY_TEST_QUEUE=redis`), in which each
//! test's data directory gets a database (or stream) of its own.

use server::config::DatabaseUrl;
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
pub fn database_url(dir: &Path) -> DatabaseUrl {
    if on_mariadb() {
        MariaDb::shared().database_for(dir)
    } else {
        DatabaseUrl::Sqlite(format!("sqlite://{}", dir.join("notify.db").display()))
    }
}

/// Which status store this run's apps use: `NOTIFY_TEST_STATUS=mongodb` puts it on
/// MongoDB (FerretDB, or the server `NOTIFY_TEST_MONGODB_URL` names), otherwise it is the
/// SQL database's.
pub fn status_on_mongodb() -> bool {
    std::env::var("NOTIFY_TEST_STATUS").is_ok_and(|v| v == "mongodb")
}

/// Whether this run's apps queue on Redis (`NOTIFY_TEST_QUEUE=redis`) instead of the
/// embedded queue.
pub fn queue_on_redis() -> bool {
    std::env::var("NOTIFY_TEST_QUEUE").is_ok_and(|v| v == "redis")
}

/// A name for data directory `dir`, the same for the same directory (a restarted app
/// finds its database again).
pub fn name_for(dir: &Path) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    dir.hash(&mut hasher);
    format!("t_{:016x}", hasher.finish())
}

/// A server process for the whole test process, on a free port with its data in a
/// temporary directory. A watchdog shell runs it and, when the test process exits
/// (statics are never dropped), kills it and removes the directory.
struct Watched {
    port: u16,
    _watchdog: Child,
}

impl Watched {
    /// Starts `what`, the shell command `command` makes of its port and directory, and
    /// waits until it listens.
    fn start(what: &str, command: impl FnOnce(u16, &Path) -> String) -> Self {
        let dir = tempfile::Builder::new()
            .prefix(&format!("notify-{what}-"))
            .tempdir()
            .expect("tempdir")
            .keep();
        let port = free_port();
        let watchdog = format!(
            "{command} & m=$!; while kill -0 {parent} 2>/dev/null; do sleep 0.5; done; \
             kill -9 $m; wait $m; rm -rf '{dir}'",
            command = command(port, &dir),
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
        wait_for_port(port, what);
        Self {
            port,
            _watchdog: watchdog,
        }
    }
}

/// One `mariadbd` for the whole test process, on a free port with its data in a
/// temporary directory, stopped with the test process.
pub struct MariaDb(Watched);

impl MariaDb {
    pub fn shared() -> &'static MariaDb {
        static SERVER: OnceLock<MariaDb> = OnceLock::new();
        SERVER.get_or_init(|| MariaDb(Watched::start("mariadbd", mariadbd)))
    }

    /// Creates (if needed) the database for `dir` and returns its url.
    pub fn database_for(&self, dir: &Path) -> DatabaseUrl {
        let name = name_for(dir);
        self.sql(&format!("CREATE DATABASE IF NOT EXISTS {name}"));
        DatabaseUrl::MySql(format!("mysql://root@127.0.0.1:{}/{name}", self.0.port))
    }

    /// Runs `statement` as root with the `mariadb` client.
    pub fn sql(&self, statement: &str) {
        let status = Command::new("mariadb")
            .args(["--no-defaults", "-h127.0.0.1", "-uroot"])
            .arg(format!("-P{}", self.0.port))
            .args(["-e", statement])
            .status()
            .expect("the mariadb client runs");
        assert!(status.success(), "mariadb: {statement}");
    }
}

/// One FerretDB for the whole test process: MongoDB's wire protocol over SQLite files
/// in a temporary directory, on a free port, telemetry off (it never reaches out) and
/// no debug listener; stopped with the test process. `make test` installs it in
/// `target/tools/bin` (`NOTIFY_TEST_FERRETDB` names another binary).
pub struct FerretDb(Watched);

impl FerretDb {
    pub fn shared() -> &'static FerretDb {
        static SERVER: OnceLock<FerretDb> = OnceLock::new();
        SERVER.get_or_init(|| FerretDb(Watched::start("ferretdb", ferretdb)))
    }

    /// The url of database `name` (created on its first write).
    pub fn url(&self, name: &str) -> String {
        format!("mongodb://127.0.0.1:{}/{name}", self.0.port)
    }
}

/// The url of MongoDB database `name` on the server `NOTIFY_TEST_MONGODB_URL` names (a
/// real MongoDB), or else on this process's FerretDB.
pub fn mongodb_url(name: &str) -> String {
    match std::env::var("NOTIFY_TEST_MONGODB_URL") {
        Ok(url) => with_database(&url, name),
        Err(_) => FerretDb::shared().url(name),
    }
}

/// The MongoDB url of data directory `dir`'s own database.
pub fn mongodb_url_for(dir: &Path) -> String {
    mongodb_url(&name_for(dir))
}

/// `url` pointing at database `name` (its hosts and query options kept).
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let (scheme, rest) = base.split_once("://").expect("a mongodb:// url");
    let hosts = rest.split('/').next().unwrap_or_default();
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    format!("{scheme}://{hosts}/{name}{query}")
}

/// The url of one `redis-server` for the whole test process (apps on it keep apart by
/// stream name, see `helpers::test_settings`), stopped with the test process.
pub fn shared_redis_url() -> String {
    static SERVER: OnceLock<Watched> = OnceLock::new();
    let server = SERVER.get_or_init(|| {
        Watched::start("redis-server", |port, dir| {
            format!(
                "redis-server --port {port} --bind 127.0.0.1 --save '' --appendonly no --dir '{}'",
                dir.display()
            )
        })
    });
    format!("redis://127.0.0.1:{}", server.port)
}

/// The `mariadbd` command on `port` with its data in `dir`, once the data is made.
fn mariadbd(port: u16, dir: &Path) -> String {
    let data = dir.join("data");
    // Two suites starting at once have seen it fail once in a while: it gets three
    // tries on a clean directory, and its own words when it gives up.
    let mut failure = String::new();
    for _ in 0..3 {
        let _ = std::fs::remove_dir_all(&data);
        let installed = Command::new("mariadb-install-db")
            .args(["--no-defaults", "--auth-root-authentication-method=normal"])
            .args(["--skip-test-db", "--user=root"])
            .arg(format!("--datadir={}", data.display()))
            .output()
            .expect("mariadb-install-db runs (make test installs mariadb-server)");
        if installed.status.success() {
            failure.clear();
            break;
        }
        failure = String::from_utf8_lossy(&installed.stderr).into_owned();
    }
    assert!(failure.is_empty(), "mariadb-install-db failed: {failure}");
    // Debian installs mariadbd in /usr/sbin, which a non-login PATH may lack.
    format!(
        "PATH=\"$PATH:/usr/sbin:/usr/local/sbin\" mariadbd --no-defaults --user=root --datadir='{data}' --port={port} \
         --bind-address=127.0.0.1 --socket='{dir}/mysqld.sock' --skip-log-bin \
         --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=2 \
         --max-connections=500 --log-error='{dir}/error.log'",
        data = data.display(),
        dir = dir.display(),
    )
}

/// The FerretDB command on `port` with its SQLite files in `dir`: telemetry off (it
/// never reaches out), no debug listener. `make test` installs it in `target/tools/bin`
/// (`NOTIFY_TEST_FERRETDB` names another binary).
fn ferretdb(port: u16, dir: &Path) -> String {
    let binary = std::env::var("NOTIFY_TEST_FERRETDB").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../target/tools/bin/ferretdb").to_owned()
    });
    assert!(
        Path::new(&binary).exists(),
        "no FerretDB at {binary}: `make setup-ferretdb` installs it"
    );
    format!(
        "'{binary}' --handler=sqlite --sqlite-url='file:{dir}/' --state-dir='{dir}' \
         --listen-addr=127.0.0.1:{port} --telemetry=disable --debug-addr=- \
         --log-level=error > '{dir}/ferretdb.log' 2>&1",
        dir = dir.display(),
    )
}

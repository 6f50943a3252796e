//! The application as separate operating-system processes (`agent-notify worker`,
//! `agent-notify serve`), configured like an in-test app's settings, so tests can kill
//! one with `kill -9` mid-work.

use crate::helpers::{ADMIN_PASSWORD, CREDENTIALS_KEY, SECRET};
use crate::services::free_port;
use server::config::{DefaultProvider, QueueBackend, Settings, StatusBackend};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The environment that configures a process like `settings`, on data directory `dir`.
pub fn environment(settings: &Settings, dir: &Path) -> Vec<(String, String)> {
    let mut env = vec![
        (
            "NOTIFY_CONFIG",
            dir.join("no-such-file.toml").display().to_string(),
        ),
        ("NOTIFY_DATA_DIR", dir.display().to_string()),
        (
            "NOTIFY_DATABASE__URL",
            settings.database.url.as_str().to_owned(),
        ),
        (
            "NOTIFY_QUEUE__VISIBILITY_TIMEOUT_SECS",
            settings.queue.visibility_timeout_secs.to_string(),
        ),
        (
            "NOTIFY_QUEUE__SWEEP_AFTER_SECS",
            settings.queue.sweep_after_secs.to_string(),
        ),
        (
            "NOTIFY_QUEUE__STUCK_AFTER_SECS",
            settings.queue.stuck_after_secs.to_string(),
        ),
        (
            "NOTIFY_PROVIDERS__REQUEST_TIMEOUT_MS",
            settings.providers.request_timeout_ms.to_string(),
        ),
        (
            "NOTIFY_PROVIDERS__ENDPOINTS__TWILIO",
            settings.providers.endpoints.twilio.clone(),
        ),
        (
            "NOTIFY_PROVIDERS__ENDPOINTS__META",
            settings.providers.endpoints.meta.clone(),
        ),
        (
            "NOTIFY_PROVIDERS__ENDPOINTS__RBM",
            settings.providers.endpoints.rbm.clone(),
        ),
        (
            "NOTIFY_PROVIDERS__ENDPOINTS__GOOGLE_TOKEN",
            settings.providers.endpoints.google_token.clone(),
        ),
        (
            "NOTIFY_PROVIDERS__ENDPOINTS__EXOTEL",
            settings.providers.endpoints.exotel.clone(),
        ),
        (
            "NOTIFY_WORKER__RETRY_BASE_MS",
            settings.worker.retry_base_ms.to_string(),
        ),
        (
            "NOTIFY_WORKER__MAX_ATTEMPTS",
            settings.worker.max_attempts.to_string(),
        ),
        (
            "NOTIFY_WORKER__CONCURRENCY",
            settings.worker.concurrency.to_string(),
        ),
        ("NOTIFY_AUTH__TOKEN_SECRET", SECRET.to_owned()),
        ("NOTIFY_AUTH__CREDENTIALS_KEY", CREDENTIALS_KEY.to_owned()),
        (
            "NOTIFY_AUTH__INITIAL_ADMIN_PASSWORD",
            ADMIN_PASSWORD.to_owned(),
        ),
        (
            "RUST_LOG",
            std::env::var("NOTIFY_TEST_CHILD_LOG").unwrap_or_else(|_| "warn".to_owned()),
        ),
    ];
    if let Some(url) = &settings.site.public_url {
        env.push(("NOTIFY_SITE__PUBLIC_URL", url.clone()));
    }
    env.push(("NOTIFY_QUEUE__STREAM", settings.queue.stream.clone()));
    if let StatusBackend::Mongo { url } = &settings.status.backend {
        env.push(("NOTIFY_STATUS__URL", url.clone()));
    }
    env.push((
        "NOTIFY_QUEUE__URL",
        match &settings.queue.backend {
            QueueBackend::Redis { url } => url.clone(),
            QueueBackend::Embedded => "embedded".to_owned(),
        },
    ));
    if let DefaultProvider::Sandbox = &settings.providers.default {
        env.push(("NOTIFY_PROVIDERS__DEFAULT", "sandbox".to_owned()));
    }
    if let DefaultProvider::Http(gateway) = &settings.providers.default {
        env.push(("NOTIFY_PROVIDERS__DEFAULT", "http".to_owned()));
        env.push(("NOTIFY_PROVIDERS__HTTP__URL", gateway.url.clone()));
        env.push((
            "NOTIFY_PROVIDERS__HTTP__TIMEOUT_MS",
            gateway.timeout.as_millis().to_string(),
        ));
        env.push((
            "NOTIFY_PROVIDERS__HTTP__TOKEN",
            crate::fake_gateway::GATEWAY_TOKEN.to_owned(),
        ));
    }
    env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// Where a child's log goes: nowhere, unless `NOTIFY_TEST_CHILD_LOG` asks for it (a
/// `RUST_LOG` filter, e.g. `info`).
pub fn child_output() -> Stdio {
    if std::env::var_os("NOTIFY_TEST_CHILD_LOG").is_some() {
        Stdio::inherit()
    } else {
        Stdio::null()
    }
}

/// A running `agent-notify worker` process.
pub struct WorkerProcess {
    child: Child,
    metrics_port: u16,
}

impl WorkerProcess {
    /// Starts a worker on the same database, queue and providers as `settings`.
    pub fn start(settings: &Settings, dir: &Path) -> Self {
        let metrics_port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_agent-notify"))
            .arg("worker")
            .current_dir(dir)
            .envs(environment(settings, dir))
            .env(
                "NOTIFY_WORKER__METRICS_ADDR",
                format!("127.0.0.1:{metrics_port}"),
            )
            .stdout(child_output())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the agent-notify binary runs");
        Self {
            child,
            metrics_port,
        }
    }

    /// Jobs this worker finished, from its own `/metrics`.
    pub async fn jobs_done(&self) -> u64 {
        let text = reqwest::get(format!("http://127.0.0.1:{}/metrics", self.metrics_port))
            .await
            .expect("the worker serves /metrics")
            .text()
            .await
            .expect("text");
        crate::helpers::jobs_total(&text, "done")
    }

    /// `kill -9`: the worker dies mid-work, with no chance to clean up.
    pub fn kill_9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        self.kill_9();
    }
}

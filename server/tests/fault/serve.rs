//! `agent-notify serve --no-worker` as a process of its own.

use crate::processes::{child_output, environment};
use crate::services::free_port;
use server::config::Settings;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A running `agent-notify serve --no-worker` process.
pub struct ServeProcess {
    child: Child,
    /// Its base URL.
    pub base: String,
}

impl ServeProcess {
    /// Starts an API-only server on the same database, queue and providers as
    /// `settings`, on a free port; returns once it is ready.
    pub async fn start(settings: &Settings, dir: &Path) -> Self {
        Self::start_on(free_port(), settings, dir).await
    }

    /// Starts one on `port`.
    pub async fn start_on(port: u16, settings: &Settings, dir: &Path) -> Self {
        let child = Command::new(env!("CARGO_BIN_EXE_agent-notify"))
            .args(["serve", "--no-worker"])
            .current_dir(dir)
            .envs(environment(settings, dir))
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_SITE_ROOT", dir.join("site"))
            .stdout(child_output())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the agent-notify binary runs");
        let base = format!("http://127.0.0.1:{port}");
        let server = Self { child, base };
        server.wait_until_ready().await;
        server
    }

    async fn wait_until_ready(&self) {
        let client = reqwest::Client::new();
        for _ in 0..600 {
            let ready = client.get(format!("{}/readyz", self.base)).send().await;
            if ready.is_ok_and(|r| r.status() == 200) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("agent-notify serve never became ready at {}", self.base);
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

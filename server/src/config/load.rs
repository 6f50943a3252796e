//! Loading: the file, then the environment's overrides, then the checks across settings.

use super::*;

/// The prefix of environment overrides.
const ENV_PREFIX: &str = "NOTIFY_";

impl Settings {
    /// Reads `path` (if it exists; the defaults otherwise) and applies the overrides
    /// found in `env` (pass `std::env::vars()`).
    pub fn load(
        path: &Path,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Self> {
        let mut table = if path.exists() {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            text.parse::<toml::Table>()
                .with_context(|| format!("parsing {}", path.display()))?
        } else {
            toml::Table::new()
        };
        for (name, value) in env {
            if let Some(keys) = override_path(&name) {
                set_path(&mut table, &keys, parse_env_value(&value))
                    .with_context(|| format!("applying the environment variable {name}"))?;
            }
        }
        let mut settings: Self = toml::Value::Table(table).try_into().with_context(|| {
            format!(
                "invalid settings in {} or NOTIFY_* variables",
                path.display()
            )
        })?;
        // The sandbox pretends to send: unless named, it serves the embedded defaults
        // only, never a deployment with a production backend.
        if !settings.providers.default_named && settings.backend_names().any_production() {
            settings.providers.default = DefaultProvider::None;
        }
        settings.check()?;
        Ok(settings)
    }

    /// The rules between settings that no single value's type can hold.
    fn check(&self) -> anyhow::Result<()> {
        let lease = self.handoff_lease();
        let visibility = Duration::from_secs(self.queue.visibility_timeout_secs);
        anyhow::ensure!(
            visibility >= lease,
            "queue.visibility_timeout_secs ({} s) must be at least providers.request_timeout_ms \
             plus {} s ({} s in all), so that a slow provider call is never handed to a second worker",
            visibility.as_secs(),
            HANDOFF_MARGIN.as_secs(),
            lease.as_secs_f64().ceil(),
        );
        anyhow::ensure!(
            self.queue.stuck_after_secs >= self.queue.visibility_timeout_secs,
            "queue.stuck_after_secs ({}) must be at least queue.visibility_timeout_secs ({})",
            self.queue.stuck_after_secs,
            self.queue.visibility_timeout_secs,
        );
        self.auth.check()?;
        self.retention.check()
    }

    /// How long a hand-off to a provider may be in progress: the provider's timeout and
    /// a margin (for the clocks of several workers and the store's latency).
    pub fn handoff_lease(&self) -> Duration {
        Duration::from_millis(self.providers.request_timeout_ms) + HANDOFF_MARGIN
    }

    /// The settings for this process: `Leptos.toml` (or `NOTIFY_CONFIG`) and its env.
    pub fn from_environment(path: Option<&Path>) -> anyhow::Result<Self> {
        let default_path = std::env::var("NOTIFY_CONFIG").unwrap_or_else(|_| "Leptos.toml".into());
        let path = path
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(default_path));
        Self::load(&path, std::env::vars())
    }
}

/// What a hand-off's lease adds to the provider's timeout.
const HANDOFF_MARGIN: Duration = Duration::from_secs(2);

/// `NOTIFY_DATABASE__URL` → `["database", "url"]`; `LEPTOS_SITE_ADDR` → `["site", "addr"]`.
fn override_path(name: &str) -> Option<Vec<String>> {
    let leptos = match name {
        "LEPTOS_SITE_ADDR" => Some("addr"),
        "LEPTOS_SITE_ROOT" => Some("root"),
        "LEPTOS_SITE_PKG_DIR" => Some("pkg_dir"),
        "LEPTOS_OUTPUT_NAME" => Some("output_name"),
        "LEPTOS_WATCH" => Some("watch"),
        "LEPTOS_RELOAD_PORT" => Some("reload_port"),
        _ => None,
    };
    if let Some(key) = leptos {
        return Some(vec!["site".into(), key.into()]);
    }
    let rest = name.strip_prefix(ENV_PREFIX)?;
    // `NOTIFY_TEST_*` belongs to the test harness (e.g. `NOTIFY_TEST_MONGODB_URL`).
    if rest == "CONFIG" || rest.is_empty() || rest.starts_with("TEST_") {
        return None;
    }
    Some(rest.split("__").map(str::to_ascii_lowercase).collect())
}

/// A TOML literal if the value is one (`8`, `true`, `["a"]`), else the text itself.
fn parse_env_value(value: &str) -> toml::Value {
    format!("v = {value}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(value.to_owned()))
}

fn set_path(table: &mut toml::Table, keys: &[String], value: toml::Value) -> anyhow::Result<()> {
    let (last, parents) = keys.split_last().context("empty key")?;
    let mut current = table;
    for key in parents {
        let entry = current
            .entry(key.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        current = entry
            .as_table_mut()
            .with_context(|| format!("`{key}` is not a section"))?;
    }
    current.insert(last.clone(), value);
    Ok(())
}

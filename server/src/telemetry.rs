//! Structured logs. Nothing personal is logged anywhere: numbers are masked, bodies,
//! field values and tokens never appear (request logs carry the route, not the URL).

use tracing_subscriber::{fmt, EnvFilter};

/// Installs the global subscriber (`RUST_LOG` filters; default `info`). Safe to call
/// more than once (tests): later calls do nothing.
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let _ = fmt().with_env_filter(filter).with_target(false).try_init();
}

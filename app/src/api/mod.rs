//! Server functions: the browser's way into the service layer. Each one parses its
//! input, authenticates, calls one use case and maps the error — the same use cases
//! the REST handlers call.

mod error;

pub use error::{ApiError, ErrorBody};

use crate::domain::{AgentTemplate, Channel};
use leptos::server;

/// The templates the agent's group may use for `channel` (all enabled channels if none).
///
/// The token travels in the request body: the widget lives in third-party iframes,
/// where cookies are unreliable.
#[server(prefix = "/api/fn", endpoint = "agent_templates")]
pub async fn agent_templates(
    token: String,
    channel: Option<Channel>,
) -> Result<Vec<AgentTemplate>, ApiError> {
    let services = services()?;
    let caller = services.auth.verify(&token)?;
    Ok(crate::service::catalog::agent_templates(&services, &caller, channel).await?)
}

#[cfg(feature = "ssr")]
fn services() -> Result<crate::service::Services, ApiError> {
    leptos::prelude::use_context::<crate::service::Services>().ok_or_else(|| {
        tracing::error!("server functions are mounted without the services in context");
        ApiError::new(
            "internal_error",
            "Something went wrong on our side. It has been logged.",
        )
    })
}

//! Messaging providers: the built-in sandbox, the generic HTTP gateway; one module per
//! provider.

pub mod http_gateway;
pub mod sandbox;

pub use http_gateway::HttpGatewayProvider;
pub use sandbox::SandboxProvider;

//! Messaging providers: the built-in sandbox now; one module per real provider later.

pub mod sandbox;

pub use sandbox::SandboxProvider;

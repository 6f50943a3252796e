//! The `agent-notify` server: configuration, startup, the HTTP surface, and the
//! adapters (stores, queue, providers) behind the service layer's ports.

pub mod auth;
pub mod cli;
pub mod config;
pub mod crm;
pub mod feed;
pub mod http;
pub mod metrics;
pub mod providers;
pub mod queue;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod worker;

/// The allocator of every binary built on this crate: mimalloc. glibc's malloc and free
/// were the server process's top entries in the send path's profile
/// (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

//! Black-box tests: each starts the real application on port 0 with a throwaway data
//! directory (real SQLite — or a real MariaDB with `NOTIFY_TEST_DATABASE=mariadb` —, the
//! embedded queue, the sandbox provider) and talks HTTP.

mod admin;
mod bad_input;
mod catalog;
mod crm;
mod fake_gateway;
mod fake_providers;
mod fallback_chain;
mod handoff;
mod health;
mod helpers;
mod history;
mod idempotency;
mod inbound;
mod live_settings;
mod notifications;
mod opt_outs;
mod processes;
mod providers;
mod providers_sinch_kaleyra;
mod queues;
mod redis_queue;
mod restart;
mod security;
mod server_functions;
mod services;
mod status_stores;
mod streams;
mod workers;
mod workflow;

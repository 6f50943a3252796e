//! The `agent-notify` command line: `serve`, `worker`, `migrate`, `token`.

use crate::auth::{token_secret, JwtAuth};
use crate::config::Settings;
use crate::startup::{open_sql_store, run_worker, Application, WorkerMode};
use anyhow::Context;
use app::domain::{GroupId, UserId};
use app::service::Caller;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

/// Agent Notify: send SMS, WhatsApp and RCS notifications from the call screen.
#[derive(Debug, Parser)]
#[command(name = "agent-notify", version)]
pub struct Cli {
    /// The settings file (default: `Leptos.toml`, or `NOTIFY_CONFIG`).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// What to do (default: `serve --print-urls`, which is what `cargo leptos watch` runs).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API, the widget and the settings page (with an in-process worker).
    Serve {
        /// Run the API only; deliveries are left to `agent-notify worker` processes.
        #[arg(long)]
        no_worker: bool,
        /// Print the widget and settings URLs with freshly minted demo tokens.
        #[arg(long)]
        print_urls: bool,
    },
    /// Run a standalone delivery worker.
    Worker,
    /// Create or update the database schema, then exit.
    Migrate,
    /// Manage admin accounts.
    Admin {
        /// What to do.
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Mint a bearer token.
    Token {
        /// Whose token.
        #[command(subcommand)]
        role: TokenRole,
    },
}

/// Admin account actions.
#[derive(Debug, Subcommand)]
pub enum AdminAction {
    /// Create an admin, or set a new password for an existing one.
    Create {
        /// The admin's id.
        #[arg(long)]
        id: String,
        /// Read the password from standard input (default: generate one and print it).
        #[arg(long)]
        password_stdin: bool,
    },
}

/// The role of a minted token.
#[derive(Debug, Subcommand)]
pub enum TokenRole {
    /// An agent token (`role: agent`, with the agent's group).
    Agent {
        /// The agent's id.
        #[arg(long)]
        id: String,
        /// The agent's group id.
        #[arg(long)]
        group: String,
        /// Lifetime in seconds (default: `auth.token_ttl_secs`).
        #[arg(long)]
        ttl: Option<u64>,
    },
    /// An admin token (`role: admin`).
    Admin {
        /// The admin's id.
        #[arg(long)]
        id: String,
        /// Lifetime in seconds (default: `auth.token_ttl_secs`).
        #[arg(long)]
        ttl: Option<u64>,
    },
}

/// Runs the command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::from_environment(cli.config.as_deref())?;
    let command = cli.command.unwrap_or(Command::Serve {
        no_worker: false,
        print_urls: true,
    });
    match command {
        Command::Serve {
            no_worker,
            print_urls,
        } => {
            let mode = if no_worker {
                WorkerMode::None
            } else {
                WorkerMode::InProcess
            };
            let app = Application::build(&settings, mode).await?;
            let addr = app.local_addr()?;
            tracing::info!(%addr, worker = !no_worker, "listening");
            if print_urls {
                print_demo_urls(&settings, addr)?;
            }
            app.run_until_stopped().await
        }
        Command::Worker => run_worker(&settings).await,
        Command::Migrate => {
            open_sql_store(&settings).await?;
            println!("The database schema is up to date.");
            Ok(())
        }
        Command::Admin {
            action: AdminAction::Create { id, password_stdin },
        } => {
            let store = open_sql_store(&settings).await?;
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .read_line(&mut line)
                    .context("reading the password")?;
                (line.trim_end_matches(['\r', '\n']).to_owned(), false)
            } else {
                (crate::startup::random_password(), true)
            };
            app::service::accounts::set_admin_password(store.as_ref(), &id, &password)
                .await
                .map_err(|e| anyhow::anyhow!(e.public_message()))?;
            if generated {
                println!("Admin `{id}` can now sign in with the password: {password}");
            } else {
                println!("Admin `{id}` can now sign in.");
            }
            Ok(())
        }
        Command::Token { role } => {
            let (caller, ttl) = match role {
                TokenRole::Agent { id, group, ttl } => (
                    Caller::agent(
                        UserId::parse(&id).context("--id")?,
                        GroupId::parse(&group).context("--group")?,
                    ),
                    ttl,
                ),
                TokenRole::Admin { id, ttl } => {
                    (Caller::admin(UserId::parse(&id).context("--id")?), ttl)
                }
            };
            let auth = JwtAuth::new(&token_secret(&settings)?);
            let ttl = Duration::from_secs(ttl.unwrap_or(settings.auth.token_ttl_secs));
            println!("{}", auth.mint(&caller, ttl)?);
            Ok(())
        }
    }
}

/// Prints the pages' URLs with tokens for the demo agent and an admin.
fn print_demo_urls(settings: &Settings, addr: std::net::SocketAddr) -> anyhow::Result<()> {
    let auth = JwtAuth::new(&token_secret(settings)?);
    let ttl = Duration::from_secs(settings.auth.token_ttl_secs);
    let agent = Caller::agent(
        UserId::parse(crate::store::seed::DEMO_AGENT)?,
        GroupId::parse(crate::store::seed::DEMO_GROUP)?,
    );
    let agent_token = auth.mint(&agent, ttl)?;
    let base = format!("http://{addr}");
    println!();
    println!("  Agent Notify is running on {base}");
    println!();
    println!("  Widget:   {base}/widget?token={agent_token}&call_id=demo-call-1");
    println!(
        "  Settings: {base}/admin  (sign in as `admin`; its password was printed on the first run)"
    );
    println!();
    println!("  API token for the demo agent (curl -H \"Authorization: Bearer $TOKEN\"):");
    println!("  TOKEN={agent_token}");
    println!();
    Ok(())
}

//! The `agent-notify` command line: `serve`, `worker`, `migrate`, `token`.

use crate::auth::{token_secret, JwtAuth, Minted};
use crate::config::Settings;
use crate::startup::{open_sql_store, run_worker, Application, WorkerMode};
use anyhow::Context;
use app::domain::{GroupId, UserId};
use app::service::{AdminAccounts, Role};
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

/// What `token` makes.
#[derive(Debug, Subcommand)]
pub enum TokenRole {
    /// A host token for an agent or supervisor, signed with `auth.token_secret` (the
    /// agent must be registered in the settings unless
    /// `auth.register_agents_on_first_use`).
    Agent {
        /// The agent's id.
        #[arg(long)]
        id: String,
        /// The agent's group id (checked against the settings).
        #[arg(long)]
        group: Option<String>,
        /// `agent` (default) or `supervisor`.
        #[arg(long, default_value = "agent")]
        role: String,
        /// The token id (`jti`) to revoke it by (default: a random one, printed on
        /// standard error).
        #[arg(long)]
        jti: Option<String>,
        /// Lifetime in seconds (default: `auth.token_ttl_secs`; at most
        /// `auth.max_token_ttl_secs`).
        #[arg(long)]
        ttl: Option<u64>,
    },
    /// Opens an admin session (as a sign-in does) and prints its token: for automation.
    Admin {
        /// The admin's id (an existing admin account).
        #[arg(long)]
        id: String,
    },
    /// Refuses a host token id (`jti`) everywhere from now on.
    Revoke {
        /// The token id.
        #[arg(long)]
        jti: String,
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
        Command::Token { role } => token(&settings, role).await,
    }
}

/// `agent-notify token …`.
async fn token(settings: &Settings, role: TokenRole) -> anyhow::Result<()> {
    match role {
        TokenRole::Agent {
            id,
            group,
            role,
            jti,
            ttl,
        } => {
            let id = UserId::parse(&id).context("--id")?;
            let group = group
                .as_deref()
                .map(GroupId::parse)
                .transpose()
                .context("--group")?;
            let role = match role.as_str() {
                "agent" => Role::Agent,
                "supervisor" => Role::Supervisor,
                other => anyhow::bail!("--role is agent or supervisor, not {other}"),
            };
            let ttl = Duration::from_secs(ttl.unwrap_or(settings.auth.token_ttl_secs));
            // Every minted token can be revoked on its own.
            let jti = jti.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            let minted = Minted {
                id: &id,
                role,
                group: group.as_ref(),
                token_id: Some(&jti),
            };
            println!("{}", jwt(settings)?.mint(&minted, ttl)?);
            eprintln!("token id (jti) {jti}: `agent-notify token revoke --jti {jti}` refuses it");
        }
        TokenRole::Admin { id } => {
            let store = open_sql_store(settings).await?;
            let id = UserId::parse(&id).context("--id")?;
            anyhow::ensure!(
                store.password_hash(&id).await?.is_some(),
                "there is no admin `{id}` (agent-notify admin create --id {id})"
            );
            let signed = app::service::accounts::open_session(store.as_ref(), &id, "cli_session")
                .await
                .map_err(|e| anyhow::anyhow!(e.public_message()))?;
            println!("{}", signed.token);
        }
        TokenRole::Revoke { jti } => {
            let store = open_sql_store(settings).await?;
            let max_ttl = Duration::from_secs(settings.auth.max_token_ttl_secs);
            app::service::access::revoke_token(store.as_ref(), &jti, max_ttl)
                .await
                .map_err(|e| anyhow::anyhow!(e.public_message()))?;
            println!("Token id `{jti}` is refused from now on.");
        }
    }
    Ok(())
}

fn jwt(settings: &Settings) -> anyhow::Result<JwtAuth> {
    Ok(JwtAuth::new(
        &token_secret(settings)?,
        Duration::from_secs(settings.auth.max_token_ttl_secs),
    ))
}

fn print_demo_urls(settings: &Settings, addr: std::net::SocketAddr) -> anyhow::Result<()> {
    let ttl = Duration::from_secs(settings.auth.token_ttl_secs);
    let (id, group) = (
        UserId::parse(crate::store::seed::DEMO_AGENT)?,
        GroupId::parse(crate::store::seed::DEMO_GROUP)?,
    );
    let agent = Minted {
        id: &id,
        role: Role::Agent,
        group: Some(&group),
        token_id: None,
    };
    let agent_token = jwt(settings)?.mint(&agent, ttl)?;
    let base = format!("http://{addr}");
    println!();
    println!("  Agent Notify is running on {base}");
    println!();
    println!("  Widget:   {base}/widget?call_id=demo-call-1#token={agent_token}");
    let password = if settings.auth.initial_admin_password.is_some() {
        "its password is the configured auth.initial_admin_password"
    } else {
        "its password was printed on the first run"
    };
    println!("  Settings: {base}/admin  (sign in as `admin`; {password})");
    println!("  History:  {base}/history#token={agent_token}  (an admin: from the settings page)");
    println!("  Dashboard: {base}/dashboard  (supervisors and admins: from the settings page)");
    println!("  API docs: {base}/api/docs");
    println!();
    println!("  API token for the demo agent (curl -H \"Authorization: Bearer $TOKEN\"):");
    println!("  TOKEN={agent_token}");
    println!();
    Ok(())
}

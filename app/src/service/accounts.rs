//! Admin accounts and sign-in: argon2-hashed passwords checked off the async threads,
//! throttled per admin id and per client; sessions that expire, that sign-out and a
//! password reset end, and that are the only way to admin power.

use super::{now, AdminAccounts, AuditRecord, Caller, ServiceError, Services};
use crate::domain::rfc3339;
use crate::domain::{SignIn, SignedIn, UserId};
use crate::service::NewSession;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long a sign-in lasts.
pub const SESSION_TTL: Duration = Duration::from_secs(8 * 3600);
/// Shortest password accepted.
pub const PASSWORD_MIN: usize = 12;
/// What every session token starts with (agent tokens are JWTs: they never do).
pub const SESSION_PREFIX: &str = "ans_";

fn hash(password: &str) -> Result<String, ServiceError> {
    // 16 random bytes from the OS (through a v4 UUID) salt each hash.
    let salt = SaltString::encode_b64(uuid::Uuid::new_v4().as_bytes())
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("hashing: {e}")))
}

/// The id a session token is stored under: its SHA-256 (a database leak does not
/// leak live tokens).
pub fn session_id(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new session token: the prefix and 244 random bits.
fn new_session_token() -> String {
    format!(
        "{SESSION_PREFIX}{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// Creates an admin or sets a new password (`agent-notify admin create`, the first-run
/// seed); a new password ends every session the admin had.
pub async fn set_admin_password(
    accounts: &dyn AdminAccounts,
    id: &str,
    password: &str,
) -> Result<(), ServiceError> {
    let id = UserId::parse(id).map_err(|e| {
        ServiceError::invalid(
            "invalid_id",
            format!("The admin id {e}."),
            "id",
            e.to_string(),
        )
    })?;
    if password.chars().count() < PASSWORD_MIN {
        return Err(ServiceError::invalid(
            "weak_password",
            format!("Use a password of at least {PASSWORD_MIN} characters."),
            "password",
            "too short",
        ));
    }
    Ok(accounts.upsert_admin(&id, &hash(password)?).await?)
}

/// Whether any admin account exists (the first run creates one).
pub async fn has_admins(accounts: &dyn AdminAccounts) -> Result<bool, ServiceError> {
    Ok(accounts.admin_count().await? > 0)
}

/// Sign-in attempts allowed per admin id, and per client address, within a window (a
/// successful one is not counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInLimits {
    /// Attempts per admin id before it is locked for the rest of the window.
    pub per_id: u32,
    /// Attempts per client address before it is locked for the rest of the window.
    pub per_client: u32,
    /// The window.
    pub window: Duration,
    /// Password checks running at once (each is ~20 ms of CPU on a blocking thread).
    pub concurrent_checks: usize,
}

impl Default for SignInLimits {
    fn default() -> Self {
        Self {
            per_id: 5,
            per_client: 20,
            window: Duration::from_secs(15 * 60),
            // A quarter of the cores (at least one): sign-ins never take the machine.
            concurrent_checks: std::thread::available_parallelism()
                .map_or(1, |n| (n.get() / 4).max(1)),
        }
    }
}

/// Attempts counted since `since`.
#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    since: Instant,
}

/// Throttles sign-ins and runs their password checks on a bounded set of blocking
/// threads, so sign-ins — honest or not — never hold up sends, webhooks or streams.
pub struct SignInGuard {
    limits: SignInLimits,
    checks: tokio::sync::Semaphore,
    failures: Mutex<HashMap<String, Failures>>,
    decoy: OnceLock<String>,
}

impl SignInGuard {
    /// A guard with `limits`.
    pub fn new(limits: SignInLimits) -> Self {
        Self {
            limits,
            checks: tokio::sync::Semaphore::new(limits.concurrent_checks.max(1)),
            failures: Mutex::new(HashMap::new()),
            decoy: OnceLock::new(),
        }
    }

    /// The counters an attempt by `client` for `id` moves, each with its limit.
    fn keys(&self, id: &str, client: Option<IpAddr>) -> Vec<(String, u32)> {
        let mut keys = vec![(format!("id:{id}"), self.limits.per_id)];
        if let Some(ip) = client {
            keys.push((format!("client:{ip}"), self.limits.per_client));
        }
        keys
    }

    /// Counts an attempt for the id and the client, or refuses it (429 with the
    /// seconds left) when either has used up its window. Attempts are counted as they
    /// start, so concurrent guesses cannot slip past the limit; a success gives its
    /// attempt back.
    fn admit(&self, id: &str, client: Option<IpAddr>) -> Result<(), ServiceError> {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let window = self.limits.window;
        if failures.len() > 100_000 {
            failures.retain(|_, f| f.since.elapsed() < window);
        }
        let keys = self.keys(id, client);
        let wait = keys
            .iter()
            .filter_map(|(key, limit)| {
                let f = failures.get(key)?;
                let elapsed = f.since.elapsed();
                (f.count >= *limit && elapsed < window).then(|| window - elapsed)
            })
            .max();
        if let Some(wait) = wait {
            return Err(ServiceError::RateLimited {
                code: "too_many_attempts",
                message: "Too many failed sign-ins. Wait before trying again.".into(),
                retry_after_secs: wait.as_secs().max(1),
            });
        }
        for (key, _) in keys {
            let entry = failures.entry(key).or_insert(Failures {
                count: 0,
                since: Instant::now(),
            });
            if entry.since.elapsed() >= window {
                *entry = Failures {
                    count: 0,
                    since: Instant::now(),
                };
            }
            entry.count += 1;
        }
        Ok(())
    }

    /// A sign-in succeeded: the id starts afresh, the client gets its attempt back.
    fn succeeded(&self, id: &str, client: Option<IpAddr>) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(&format!("id:{id}"));
        if let Some(ip) = client {
            if let Some(f) = failures.get_mut(&format!("client:{ip}")) {
                f.count = f.count.saturating_sub(1);
            }
        }
    }

    /// Whether `password` matches `stored` (or, for an unknown id, a decoy hash, so the
    /// answer takes as long either way), checked on a blocking thread.
    async fn check(&self, password: &str, stored: Option<String>) -> Result<bool, ServiceError> {
        let _permit = self
            .checks
            .acquire()
            .await
            .map_err(|e| ServiceError::Internal(e.into()))?;
        let known = stored.is_some();
        let stored = match stored {
            Some(h) => h,
            None => match self.decoy.get() {
                Some(h) => h.clone(),
                None => {
                    let h = tokio::task::spawn_blocking(|| hash("not-a-real-password"))
                        .await
                        .map_err(|e| ServiceError::Internal(e.into()))??;
                    self.decoy.get_or_init(|| h).clone()
                }
            },
        };
        let password = password.to_owned();
        let matches = tokio::task::spawn_blocking(move || {
            let parsed = PasswordHash::new(&stored)
                .map_err(|e| ServiceError::Internal(anyhow::anyhow!("stored hash: {e}")))?;
            Ok::<_, ServiceError>(
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok(),
            )
        })
        .await
        .map_err(|e| ServiceError::Internal(e.into()))??;
        Ok(matches && known)
    }
}

impl Default for SignInGuard {
    fn default() -> Self {
        Self::new(SignInLimits::default())
    }
}

fn session_audit(admin: &UserId, action: &'static str, session: &str) -> AuditRecord {
    AuditRecord {
        actor: admin.to_string(),
        action,
        entity: "session",
        // Enough to tell sessions apart in the log, useless as a credential.
        entity_id: session.chars().take(12).collect(),
        before: None,
        after: None,
    }
}

/// Checks an admin's password and opens a session. Unknown ids and wrong passwords get
/// the same answer after the same work; too many failures for an id or from a client
/// answer 429 until the window passes.
pub async fn sign_in(
    services: &Services,
    request: &SignIn,
    client: Option<IpAddr>,
) -> Result<SignedIn, ServiceError> {
    let guard = &services.sign_in;
    guard.admit(&request.id, client)?;
    // An id that cannot be an admin's is checked like an unknown one.
    let id = UserId::parse(&request.id).ok();
    let stored = match &id {
        Some(id) => services.accounts.password_hash(id).await?,
        None => None,
    };
    let (Some(id), true) = (id, guard.check(&request.password, stored).await?) else {
        tracing::info!("admin sign-in refused");
        return Err(ServiceError::Unauthenticated {
            code: "invalid_credentials",
            message: "The admin id or password is wrong.".into(),
        });
    };
    guard.succeeded(&request.id, client);
    let signed = open_session(services.accounts.as_ref(), &id, "sign_in").await?;
    tracing::info!(admin = %id, "admin signed in");
    Ok(signed)
}

/// Opens a session for admin `id` (sign-in, or `agent-notify token admin`).
pub async fn open_session(
    accounts: &dyn AdminAccounts,
    id: &UserId,
    how: &'static str,
) -> Result<SignedIn, ServiceError> {
    let token = new_session_token();
    let session = session_id(&token);
    let expires_at = now() + SESSION_TTL;
    accounts
        .open_session(
            &NewSession {
                id: &session,
                admin: id,
                expires_at,
            },
            &session_audit(id, how, &session),
        )
        .await?;
    Ok(SignedIn {
        token,
        expires_at: rfc3339(expires_at),
    })
}

/// Ends the caller's session, on every endpoint and stream at once.
pub async fn sign_out(services: &Services, caller: &Caller) -> Result<(), ServiceError> {
    if let Some(session) = &caller.session {
        services
            .accounts
            .close_session(session, &session_audit(&caller.id, "sign_out", session))
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> SignInGuard {
        SignInGuard::new(SignInLimits {
            per_id: 2,
            per_client: 3,
            window: Duration::from_secs(60),
            concurrent_checks: 1,
        })
    }

    #[test]
    fn an_id_is_locked_after_its_attempts_and_says_how_long() {
        let g = guard();
        assert!(g.admit("admin", None).is_ok());
        assert!(g.admit("admin", None).is_ok());
        let refused = g.admit("admin", None).expect_err("locked");
        assert_eq!(refused.status(), 429);
        assert!((1..=60).contains(&refused.retry_after().expect("a wait")));
        assert!(g.admit("other", None).is_ok());
    }

    #[test]
    fn a_client_is_locked_whatever_ids_it_tries() {
        let g = guard();
        let client: IpAddr = "192.0.2.7".parse().expect("ip");
        for id in ["a", "b", "c"] {
            assert!(g.admit(id, Some(client)).is_ok());
        }
        assert!(g.admit("d", Some(client)).is_err());
        assert!(g.admit("d", Some("192.0.2.8".parse().expect("ip"))).is_ok());
    }

    #[test]
    fn a_success_gives_its_attempt_back() {
        let g = guard();
        assert!(g.admit("admin", None).is_ok());
        g.succeeded("admin", None);
        assert!(g.admit("admin", None).is_ok());
        assert!(g.admit("admin", None).is_ok());
        assert!(g.admit("admin", None).is_err());
    }

    #[test]
    fn session_tokens_are_long_random_and_stored_only_hashed() {
        let (a, b) = (new_session_token(), new_session_token());
        assert!(a.starts_with(SESSION_PREFIX) && a.len() == SESSION_PREFIX.len() + 64);
        assert_ne!(a, b);
        assert_eq!(session_id(&a).len(), 64);
        assert_ne!(session_id(&a), a);
    }
}

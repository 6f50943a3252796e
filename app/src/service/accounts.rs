//! Admin accounts and sign-in: argon2-hashed passwords, sessions that expire and that
//! sign-out revokes. Signed-in admins carry a token naming their session.

use super::{now, AdminAccounts, Caller, ServiceError, Services};
use crate::domain::rfc3339;
use crate::domain::{SignIn, SignedIn, UserId};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::time::Duration;

/// How long a sign-in lasts.
pub const SESSION_TTL: Duration = Duration::from_secs(8 * 3600);
/// Shortest password accepted.
pub const PASSWORD_MIN: usize = 12;

fn hash(password: &str) -> Result<String, ServiceError> {
    // 16 random bytes from the OS (through a v4 UUID) salt each hash.
    let salt = SaltString::encode_b64(uuid::Uuid::new_v4().as_bytes())
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("hashing: {e}")))
}

/// Creates an admin or sets a new password (`agent-notify admin create`, the first-run seed).
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

/// Checks an admin's password and opens a session. Unknown ids and wrong passwords
/// get the same answer, after the same work.
pub async fn sign_in(services: &Services, request: &SignIn) -> Result<SignedIn, ServiceError> {
    let refused = || ServiceError::Unauthenticated {
        code: "invalid_credentials",
        message: "The admin id or password is wrong.".into(),
    };
    // An id that cannot be an admin's is checked like an unknown one (same work, same answer).
    let id = UserId::parse(&request.id).ok();
    let stored = match &id {
        Some(id) => services.accounts.password_hash(id).await?,
        None => None,
    };
    let known = stored.is_some();
    // Without an account, verify against a throwaway hash so timing does not tell.
    let stored = match stored {
        Some(h) => h,
        None => hash("not-a-real-password")?,
    };
    let parsed = PasswordHash::new(&stored)
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("stored hash: {e}")))?;
    if Argon2::default()
        .verify_password(request.password.as_bytes(), &parsed)
        .is_err()
        || !known
    {
        tracing::info!("admin sign-in refused");
        return Err(refused());
    }
    let id = id.ok_or_else(refused)?;
    let session = uuid::Uuid::new_v4().to_string();
    let expires_at = now() + SESSION_TTL;
    services
        .accounts
        .open_session(&session, &id, expires_at)
        .await?;
    let caller = Caller {
        session: Some(session),
        ..Caller::admin(id)
    };
    let token = services.auth.issue(&caller, SESSION_TTL)?;
    tracing::info!(admin = %caller.id, "admin signed in");
    Ok(SignedIn {
        token,
        expires_at: rfc3339(expires_at),
    })
}

/// Ends the caller's session (tokens minted outside sign-in have none to end).
pub async fn sign_out(services: &Services, caller: &Caller) -> Result<(), ServiceError> {
    if let Some(session) = &caller.session {
        services.accounts.close_session(session).await?;
    }
    Ok(())
}

/// 403 unless the caller is an admin; 401 when their session was signed out or expired.
pub async fn require_admin_session(
    services: &Services,
    caller: &Caller,
) -> Result<(), ServiceError> {
    caller.require_admin()?;
    if let Some(session) = &caller.session {
        if !services.accounts.session_active(session).await? {
            return Err(ServiceError::Unauthenticated {
                code: "session_ended",
                message: "Your session has ended. Sign in again.".into(),
            });
        }
    }
    Ok(())
}

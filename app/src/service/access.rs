//! Who may call: every credential checked on every request. A session token is an
//! admin's (and nothing else is); a host-signed token is an agent's or a supervisor's,
//! accepted only for an agent the settings hold, active, in the group the settings
//! say, with a token id not revoked; an API key (`ank_…`) an integrator's, limited to its
//! scopes, groups and addresses. Event streams take a single-use ticket instead,
//! so no credential ever travels in a URL.

use super::accounts::{session_id, SESSION_PREFIX};
use super::{
    keys, now, AdminAccounts, Caller, HostToken, RegisteredAgent, Role, ServiceError, Services,
};
use crate::domain::StreamTicket;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// How long a stream ticket may wait to be used.
pub const TICKET_TTL: Duration = Duration::from_secs(60);
/// What every stream ticket starts with.
const TICKET_PREFIX: &str = "ant_";

fn session_ended() -> ServiceError {
    ServiceError::Unauthenticated {
        code: "session_ended",
        message: "Your session has ended. Sign in again.".into(),
    }
}

/// The caller `token` proves, checked against the settings now; `client` is where the
/// request came from (an API key may be limited to some addresses).
pub async fn authenticate(
    services: &Services,
    token: &str,
    client: Option<std::net::IpAddr>,
) -> Result<Caller, ServiceError> {
    if token.starts_with(SESSION_PREFIX) {
        return admin_session(services, &session_id(token)).await;
    }
    if token.starts_with(keys::KEY_PREFIX) {
        return keys::key_caller(services, token, client).await;
    }
    let claims = services.auth.verify(token)?;
    host_caller(services, claims).await
}

/// The caller a stored credential stood for is still allowed (a stream ticket, or a
/// stream being kept open): the session is open, the agent still active in the same
/// group, the token not revoked.
pub async fn recheck(services: &Services, caller: &Caller) -> Result<Caller, ServiceError> {
    if caller.role == Role::Integrator {
        return keys::recheck_key(services, caller).await;
    }
    match &caller.session {
        Some(session) => admin_session(services, session).await,
        None => {
            host_caller(
                services,
                HostToken {
                    id: caller.id.clone(),
                    role: caller.role,
                    group: caller.group.clone(),
                    token_id: caller.token_id.clone(),
                },
            )
            .await
        }
    }
}

async fn admin_session(services: &Services, session: &str) -> Result<Caller, ServiceError> {
    let admin = services
        .accounts
        .session_admin(session)
        .await?
        .ok_or_else(session_ended)?;
    Ok(Caller {
        session: Some(session.to_owned()),
        ..Caller::admin(admin)
    })
}

async fn host_caller(services: &Services, token: HostToken) -> Result<Caller, ServiceError> {
    // A host-signed token never stands for an API key (nor registers an agent as one).
    if crate::domain::keys::is_api_key_sender(token.id.as_str()) {
        return Err(ServiceError::Unauthenticated {
            code: "invalid_token",
            message: "This token names an API key: keys authenticate with their secret.".into(),
        });
    }
    let access = services
        .accounts
        .agent_access(&token.id, token.token_id.as_deref())
        .await?;
    if access.revoked {
        return Err(ServiceError::Unauthenticated {
            code: "token_revoked",
            message: "This token was revoked. Ask for a new one.".into(),
        });
    }
    let agent = match access.agent {
        Some(agent) => agent,
        None => register_on_first_use(services, &token)
            .await?
            .ok_or_else(|| {
                forbidden(
                    "unknown_agent",
                    "No agent with this id is registered. Ask an admin to add you on the settings page.",
                )
            })?,
    };
    if !agent.active {
        return Err(forbidden(
            "agent_inactive",
            "Your agent account is switched off. Ask an admin.",
        ));
    }
    if token.group.as_ref().is_some_and(|g| g != &agent.group) {
        return Err(forbidden(
            "wrong_group",
            "The token names another group than the settings give this agent. Ask for a new token.",
        ));
    }
    Ok(Caller {
        id: token.id,
        role: token.role,
        group: Some(agent.group),
        session: None,
        token_id: token.token_id,
        grant: None,
    })
}

fn forbidden(code: &'static str, message: &str) -> ServiceError {
    ServiceError::Forbidden {
        code,
        message: message.into(),
    }
}

/// With `auth.register_agents_on_first_use`, registers the token's agent in the
/// token's group (if that group exists) and reads it back: a concurrent first request
/// may have registered it already.
async fn register_on_first_use(
    services: &Services,
    token: &HostToken,
) -> Result<Option<RegisteredAgent>, ServiceError> {
    let Some(group) = token
        .group
        .as_ref()
        .filter(|_| services.settings.register_agents_on_first_use)
    else {
        return Ok(None);
    };
    if services.accounts.register_agent(&token.id, group).await? {
        tracing::info!(agent = %token.id, group = %group, "agent registered on first use");
    }
    let again = services.accounts.agent_access(&token.id, None).await?;
    Ok(again.agent)
}

fn ticket_id(ticket: &str) -> String {
    hex::encode(Sha256::digest(ticket.as_bytes()))
}

/// A single-use ticket standing for `caller` on one event-stream request
/// (`POST /api/v1/stream-tickets`), valid for [`TICKET_TTL`].
pub async fn issue_stream_ticket(
    services: &Services,
    caller: &Caller,
) -> Result<StreamTicket, ServiceError> {
    let ticket = format!(
        "{TICKET_PREFIX}{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let stored = serde_json::to_string(caller).map_err(|e| ServiceError::Internal(e.into()))?;
    services
        .accounts
        .put_ticket(&ticket_id(&ticket), &stored, now() + TICKET_TTL)
        .await?;
    Ok(StreamTicket {
        ticket,
        expires_in: TICKET_TTL.as_secs(),
    })
}

/// The caller a ticket stands for, checked again now; the ticket is used up.
pub async fn redeem_stream_ticket(
    services: &Services,
    ticket: &str,
) -> Result<Caller, ServiceError> {
    let refused = || ServiceError::Unauthenticated {
        code: "invalid_ticket",
        message: "The stream ticket is unknown, used or expired. Ask for a new one.".into(),
    };
    if !ticket.starts_with(TICKET_PREFIX) || ticket.len() > 100 {
        return Err(refused());
    }
    let stored = services
        .accounts
        .take_ticket(&ticket_id(ticket))
        .await?
        .ok_or_else(refused)?;
    let caller: Caller =
        serde_json::from_str(&stored).map_err(|e| ServiceError::Internal(e.into()))?;
    recheck(services, &caller).await
}

/// Refuses token id `token_id` everywhere from now on (`agent-notify token revoke`,
/// `POST /api/v1/admin/revoked-tokens`); kept until no token with it can be valid.
pub async fn revoke_token(
    accounts: &dyn AdminAccounts,
    token_id: &str,
    max_token_ttl: Duration,
) -> Result<(), ServiceError> {
    if token_id.is_empty() || token_id.len() > 128 {
        return Err(ServiceError::invalid(
            "invalid_token_id",
            "A token id (jti) has 1 to 128 characters.",
            "jti",
            "1 to 128 characters",
        ));
    }
    // A token can live at most `max_token_ttl` (and the clock leeway) past its minting.
    let until = now() + max_token_ttl + Duration::from_secs(60);
    Ok(accounts.revoke_token(token_id, until).await?)
}

//! The service boundary's error type: what went wrong, in terms a client can act on.

use crate::domain::FieldErrors;
use std::collections::BTreeMap;

/// A failure of a port's adapter (database, queue, provider).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend cannot be reached right now; retrying later may work.
    #[error("backend unavailable: {0}")]
    Unavailable(#[source] anyhow::Error),
    /// A uniqueness or reference rule of the store refused the change.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Anything else: a bug or corrupt data.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Everything a use case can answer instead of a result. Each variant carries a stable
/// `code` for clients; internal detail stays in `Internal` and is never shown.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No credentials, or credentials that do not check out.
    #[error("{message}")]
    Unauthenticated {
        /// Stable code.
        code: &'static str,
        /// For a person.
        message: String,
    },
    /// Authenticated, but not allowed to do this.
    #[error("{message}")]
    Forbidden {
        /// Stable code.
        code: &'static str,
        /// For a person.
        message: String,
    },
    /// Unknown, or not the caller's.
    #[error("{message}")]
    NotFound {
        /// Stable code.
        code: &'static str,
        /// For a person.
        message: String,
    },
    /// Conflicts with what exists (e.g. an idempotency key reused with another body).
    #[error("{message}")]
    Conflict {
        /// Stable code.
        code: &'static str,
        /// For a person.
        message: String,
    },
    /// Well-formed but invalid content, with per-field problems.
    #[error("{message}")]
    Invalid {
        /// Stable code.
        code: &'static str,
        /// For a person.
        message: String,
        /// Field path → problem.
        fields: BTreeMap<String, String>,
    },
    /// Too many attempts: wait `retry_after_secs` before the next.
    #[error("{message}")]
    RateLimited {
        /// Stable code.
        code: &'static str,
        /// For a person.
        message: String,
        /// Seconds to wait (`Retry-After`).
        retry_after_secs: u64,
    },
    /// A backend is down; try again later.
    #[error("a backend is unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// A bug or corrupt data; logged, never shown.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ServiceError {
    /// An `Invalid` error with field problems, each field path prefixed by `prefix`.
    pub fn invalid_fields(
        code: &'static str,
        message: impl Into<String>,
        prefix: &str,
        errors: FieldErrors,
    ) -> Self {
        Self::Invalid {
            code,
            message: message.into(),
            fields: errors
                .0
                .into_iter()
                .map(|(k, v)| (format!("{prefix}{k}"), v))
                .collect(),
        }
    }

    /// An `Invalid` error about one field.
    pub fn invalid(
        code: &'static str,
        message: impl Into<String>,
        field: &str,
        problem: impl Into<String>,
    ) -> Self {
        Self::Invalid {
            code,
            message: message.into(),
            fields: BTreeMap::from([(field.to_owned(), problem.into())]),
        }
    }

    /// The stable code clients see.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated { code, .. }
            | Self::Forbidden { code, .. }
            | Self::NotFound { code, .. }
            | Self::Conflict { code, .. }
            | Self::Invalid { code, .. }
            | Self::RateLimited { code, .. } => code,
            Self::Unavailable(_) => "backend_unavailable",
            Self::Internal(_) => "internal_error",
        }
    }

    /// The HTTP status that fits (`api.md`): the one mapping both edges use.
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthenticated { .. } => 401,
            Self::Forbidden { .. } => 403,
            Self::NotFound { .. } => 404,
            Self::Conflict { .. } => 409,
            Self::Invalid { .. } => 422,
            Self::RateLimited { .. } => 429,
            Self::Unavailable(_) => 503,
            Self::Internal(_) => 500,
        }
    }

    /// Logs what must be logged about an error that is being answered: internal detail
    /// (never shown) and unavailable backends. Call it once, where the response is made.
    pub fn log(&self) {
        match self {
            Self::Internal(source) => tracing::error!(error = ?source, "internal error"),
            Self::Unavailable(source) => tracing::warn!(error = %source, "backend unavailable"),
            _ => {}
        }
    }

    /// Seconds the client should wait before trying again, when that is known.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::RateLimited {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            Self::Unavailable(_) => Some(5),
            _ => None,
        }
    }

    /// An `Invalid` error about the request as a whole (no field detail).
    pub fn invalid_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            code,
            message: message.into(),
            fields: BTreeMap::new(),
        }
    }

    /// The message clients see (never internal detail).
    pub fn public_message(&self) -> String {
        match self {
            Self::Unavailable(_) => {
                "The service is temporarily unavailable. Nothing was sent; please retry shortly."
                    .into()
            }
            Self::Internal(_) => "Something went wrong on our side. It has been logged.".into(),
            other => other.to_string(),
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(e) => Self::Unavailable(e),
            StoreError::Conflict(detail) => {
                // The store's words (constraint names, SQL) stay in the log.
                tracing::info!(%detail, "a change conflicted with the stored data");
                Self::Conflict {
                    code: "conflict",
                    message: "This conflicts with the current data: it was changed, removed or is still in use. Reload and try again.".into(),
                }
            }
            StoreError::Internal(e) => Self::Internal(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stores_conflict_reaches_clients_as_a_fixed_message_without_its_detail() {
        let raw = "UNIQUE constraint failed: agents.id (FOREIGN KEY fk_agents_group)";
        let error = ServiceError::from(StoreError::Conflict(raw.into()));
        assert_eq!((error.status(), error.code()), (409, "conflict"));
        let shown = error.public_message().to_lowercase();
        for detail in ["unique", "constraint", "foreign", "agents.id"] {
            assert!(!shown.contains(detail), "{shown}");
        }
    }

    #[test]
    fn rate_limits_say_how_long_to_wait() {
        let error = ServiceError::RateLimited {
            code: "too_many_attempts",
            message: "Wait.".into(),
            retry_after_secs: 42,
        };
        assert_eq!((error.status(), error.retry_after()), (429, Some(42)));
    }
}

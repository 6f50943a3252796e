//! The public error shape (`{"error": {"code", "message", "fields"}}`), shared by the
//! REST API and the server functions.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};
use std::collections::BTreeMap;
use std::fmt;

/// An error as clients see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApiError {
    /// A stable snake_case identifier.
    pub code: String,
    /// For a person.
    pub message: String,
    /// Field path → problem, when the error is about fields.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

/// The envelope every error response has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({"error": {
    "code": "invalid_phone",
    "message": "The number is too short for India.",
    "fields": {"to": "too_short"}
}})))]
pub struct ErrorBody {
    /// The error.
    pub error: ApiError,
}

impl ApiError {
    /// An error without field detail.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            fields: BTreeMap::new(),
        }
    }

    /// An error with each field's problem.
    pub fn with_fields(
        code: impl Into<String>,
        message: impl Into<String>,
        fields: BTreeMap<String, String>,
    ) -> Self {
        Self {
            fields,
            ..Self::new(code, message)
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => Self::new(
                "network_error",
                "The server could not be reached. Check the connection and retry.",
            ),
            // On the server a body that does not decode is the request's arguments: one
            // JSON object of the function's parameters.
            ServerFnErrorErr::Deserialization(m) if cfg!(feature = "ssr") => Self::new(
                "malformed_request",
                format!("The arguments are not a JSON object this function reads: {m}."),
            ),
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::Deserialization(m) => {
                Self::new("malformed_request", m)
            }
            other => Self::new("server_fn_error", other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<&crate::service::ServiceError> for ApiError {
    /// What a client may see of a service error (internal detail stays out).
    fn from(e: &crate::service::ServiceError) -> Self {
        let fields = match e {
            crate::service::ServiceError::Invalid { fields, .. } => fields.clone(),
            _ => BTreeMap::new(),
        };
        Self {
            code: e.code().to_owned(),
            message: e.public_message(),
            fields,
        }
    }
}

impl From<crate::domain::FieldProblem> for ApiError {
    /// A problem the settings page found before asking the server (the same words).
    fn from(p: crate::domain::FieldProblem) -> Self {
        Self {
            code: p.code.to_owned(),
            message: p.message,
            fields: BTreeMap::from([(p.field, p.problem)]),
        }
    }
}

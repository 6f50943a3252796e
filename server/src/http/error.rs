//! The one place errors become HTTP responses: status codes for service errors and for
//! malformed requests, always in the `{"error": {...}}` shape of `api.md`.

use app::api::{ApiError, ErrorBody};
use app::service::ServiceError;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// An error response.
#[derive(Debug)]
pub struct HttpError {
    status: StatusCode,
    body: ApiError,
    /// The service error it answers, logged when the response is made.
    cause: Option<Box<ServiceError>>,
    /// Seconds for `Retry-After` (429 and 503 always carry one).
    retry_after: Option<u64>,
}

impl HttpError {
    /// An error with `status`, stable `code` and a `message` for a person.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ApiError::new(code, message),
            cause: None,
            retry_after: None,
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        if let Some(cause) = &self.cause {
            cause.log();
        }
        let retry = matches!(
            self.status,
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS
        )
        .then(|| self.retry_after.unwrap_or(5));
        let mut response = (self.status, Json(ErrorBody { error: self.body })).into_response();
        if let Some(seconds) = retry {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<ServiceError> for HttpError {
    fn from(e: ServiceError) -> Self {
        Self {
            status: StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body: ApiError::from(&e),
            retry_after: e.retry_after(),
            cause: Some(Box::new(e)),
        }
    }
}

impl From<JsonRejection> for HttpError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonSyntaxError(e) => Self::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                format!("The request body is not valid JSON: {}", inner_message(&e)),
            ),
            JsonRejection::JsonDataError(e) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                format!(
                    "The request body does not have the expected shape: {}",
                    inner_message(&e)
                ),
            ),
            JsonRejection::MissingJsonContentType(_) => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the body as JSON with Content-Type: application/json.",
            ),
            JsonRejection::BytesRejection(_) => payload_too_large(),
            other => Self::new(StatusCode::BAD_REQUEST, "bad_request", other.body_text()),
        }
    }
}

impl From<QueryRejection> for HttpError {
    fn from(rejection: QueryRejection) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            format!("The query string is invalid: {}", inner_message(&rejection)),
        )
    }
}

impl From<PathRejection> for HttpError {
    fn from(rejection: PathRejection) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("No such resource: {}", inner_message(&rejection)),
        )
    }
}

/// 413 for bodies over the configured limit.
pub fn payload_too_large() -> HttpError {
    HttpError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "The request body is too large.",
    )
}

/// The innermost cause's message (serde's text, without axum's prefixes).
fn inner_message(e: &dyn std::error::Error) -> String {
    let mut current = e;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// 404 for unknown paths.
pub async fn not_found() -> HttpError {
    HttpError::new(StatusCode::NOT_FOUND, "not_found", "No such endpoint.")
}

/// 405 for a known path with the wrong method.
pub async fn method_not_allowed() -> HttpError {
    HttpError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This endpoint does not accept that method.",
    )
}

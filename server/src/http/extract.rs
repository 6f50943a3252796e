//! Extractors that turn a request into parsed, authenticated input — or into the
//! error shape of `api.md`, never axum's plain-text rejections.

use super::error::HttpError;
use super::AppState;
use app::domain::IdempotencyKey;
use app::service::{access, Caller, ServiceError};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, Extensions, StatusCode, Uri};

/// The bearer token of a request (`Authorization: Bearer <token>`).
fn bearer(parts: &Parts) -> Result<&str, ServiceError> {
    let header = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let token = header.and_then(|h| {
        h.strip_prefix("Bearer ")
            .or_else(|| h.strip_prefix("bearer "))
    });
    token
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ServiceError::Unauthenticated {
            code: "missing_token",
            message: "Send a token as Authorization: Bearer <token>.".into(),
        })
}

/// The verified caller of a request (`Authorization: Bearer <token>`), checked
/// against the settings: an open session, or a registered, active agent.
pub struct AuthCaller(pub Caller);

impl FromRequestParts<AppState> for AuthCaller {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        let client = client_addr(&parts.extensions);
        Ok(Self(
            access::authenticate(&state.services, token, client).await?,
        ))
    }
}

/// The caller of an event-stream request: the `Authorization` header, or a
/// single-use `ticket` query parameter (`POST /api/v1/stream-tickets`), since
/// browsers' `EventSource` cannot send headers. A token in the URL is refused.
pub struct StreamCaller(pub Caller);

impl FromRequestParts<AppState> for StreamCaller {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            return AuthCaller::from_request_parts(parts, state)
                .await
                .map(|AuthCaller(c)| Self(c));
        }
        let param = |name| query_param(&parts.uri, name);
        if param("token").is_some() {
            return Err(ServiceError::Unauthenticated {
                code: "token_in_url",
                message: "Tokens never go in a URL: get a ticket from POST /api/v1/stream-tickets and open the stream with ?ticket=<ticket>.".into(),
            }
            .into());
        }
        let Some(ticket) = param("ticket").filter(|t| !t.is_empty()) else {
            return Err(ServiceError::Unauthenticated {
                code: "missing_ticket",
                message: "Open the stream with ?ticket=<ticket> from POST /api/v1/stream-tickets, or send Authorization: Bearer <token>.".into(),
            }
            .into());
        };
        Ok(Self(
            access::redeem_stream_ticket(&state.services, ticket).await?,
        ))
    }
}

/// The caller of a download (the CSV export): the `Authorization` header, or a
/// single-use `ticket` query parameter (`POST /api/v1/stream-tickets`), since a browser
/// following a link cannot send headers.
pub struct DownloadCaller(pub Caller);

impl FromRequestParts<AppState> for DownloadCaller {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ticket = query_param(&parts.uri, "ticket");
        if parts.headers.contains_key(header::AUTHORIZATION) || ticket.is_none() {
            return AuthCaller::from_request_parts(parts, state)
                .await
                .map(|AuthCaller(c)| Self(c));
        }
        StreamCaller::from_request_parts(parts, state)
            .await
            .map(|StreamCaller(c)| Self(c))
    }
}

/// The raw value of query parameter `name` (`token` in `?a=1&token`: `Some("")`).
pub fn query_param<'a>(uri: &'a Uri, name: &str) -> Option<&'a str> {
    uri.query()?
        .split('&')
        .find_map(|pair| match pair.strip_prefix(name)? {
            "" => Some(""),
            rest => rest.strip_prefix('='),
        })
}

/// The client's address, when the server knows it (it always does when serving).
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(client_addr(&parts.extensions)))
    }
}

/// The address of the client that sent a request (the server puts it in every
/// request's extensions).
pub fn client_addr(extensions: &Extensions) -> Option<std::net::IpAddr> {
    extensions
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

/// The optional `Idempotency-Key` header, parsed.
pub struct IdempotencyHeader(pub Option<IdempotencyKey>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyHeader {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get("idempotency-key") else {
            return Ok(Self(None));
        };
        let bad = |problem: String| {
            HttpError::new(
                StatusCode::BAD_REQUEST,
                "invalid_idempotency_key",
                format!("The Idempotency-Key header {problem}; use up to 100 printable ASCII characters."),
            )
        };
        let text = value.to_str().map_err(|_| bad("is not ASCII".into()))?;
        IdempotencyKey::parse(text)
            .map(|k| Self(Some(k)))
            .map_err(|e| bad(e.to_string()))
    }
}

/// Defines an extractor wrapping one of axum's whose rejection becomes an [`HttpError`].
macro_rules! api_extractor {
    ($(#[$doc:meta])* $name:ident, $inner:ident, $trait:ident, $method:ident, $input:ty) => {
        $(#[$doc])*
        pub struct $name<T>(pub T);

        impl<T, S> $trait<S> for $name<T>
        where
            axum::extract::$inner<T>: $trait<S>,
            HttpError: From<<axum::extract::$inner<T> as $trait<S>>::Rejection>,
            S: Send + Sync,
        {
            type Rejection = HttpError;

            async fn $method(input: $input, state: &S) -> Result<Self, Self::Rejection> {
                let axum::extract::$inner(value) = axum::extract::$inner::<T>::$method(input, state).await?;
                Ok(Self(value))
            }
        }
    };
}

api_extractor!(
    /// A JSON body (unknown fields refused by the target type).
    ApiJson, Json, FromRequest, from_request, Request
);
api_extractor!(
    /// Query parameters.
    ApiQuery, Query, FromRequestParts, from_request_parts, &mut Parts
);
api_extractor!(
    /// Path parameters.
    ApiPath, Path, FromRequestParts, from_request_parts, &mut Parts
);

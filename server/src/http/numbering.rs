//! The numbering data of one calling code, for the widget: its bundle embeds none and
//! fetches a code's the first time a number needs it (`app::widget::numbering`).
//!
//! `GET /numbering/{version}/{code}` answers what the widget's copy of the phone-number
//! library loads (`phonenumber::metadata::load_code`; every region of the code, without
//! example numbers), compressed when the client accepts it. The version is a fingerprint
//! of the data: the current one is cached for a year, never asked about again; an older
//! one (a widget left open across a deploy) gets the current data, revalidated each time.
//! A path that names no calling code is 404 `not_found`.

use super::assets::IMMUTABLE;
use super::error::HttpError;
use super::AppState;
use app::domain::phone::numbering::{self, is_calling_code, DATA_VERSION};
use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::compression::CompressionLayer;

/// The route, compressed (the data is a few kilobytes of patterns).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/numbering/{version}/{code}", get(numbering))
        .layer(CompressionLayer::new())
}

async fn numbering(Path((version, code)): Path<(String, String)>) -> Result<Response, HttpError> {
    let unknown = || {
        HttpError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("No country has the calling code {code}."),
        )
    };
    let code = code
        .parse::<u16>()
        .ok()
        .filter(|c| is_calling_code(*c))
        .ok_or_else(unknown)?;
    // A few kilobytes written from the database in memory: cheaper than keeping them.
    let data = numbering::data_of(code).ok_or_else(unknown)?;
    let lifetime = if version == DATA_VERSION {
        IMMUTABLE
    } else {
        "no-cache"
    };
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::CACHE_CONTROL, lifetime),
        ],
        data,
    )
        .into_response())
}

//! The browser side: the HTML shell of the widget and settings pages (client-side
//! rendered: the wasm bundle draws the page), and the built site's static files.

use super::AppState;
use crate::config::{Origin, SiteSettings};
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The routes of this module; unknown non-API paths fall through to the site root.
/// The pages may be framed by the site itself and by `embed_origins` only.
pub fn router(site: &SiteSettings, embed_origins: &[Origin]) -> Router<AppState> {
    let shell = shell(site);
    let ancestors = std::iter::once("'self'")
        .chain(embed_origins.iter().map(Origin::as_str))
        .collect::<Vec<_>>();
    let policy = HeaderValue::from_str(&format!("frame-ancestors {}", ancestors.join(" ")))
        .unwrap_or_else(|_| HeaderValue::from_static("frame-ancestors 'self'"));
    let page = move || {
        let (shell, policy) = (shell.clone(), policy.clone());
        async move { html_page(shell, policy) }
    };
    let pkg = format!("/{}", site.pkg_dir);
    let pkg_files = ServeDir::new(site.root.join(&site.pkg_dir))
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .route("/", get(|| async { Redirect::temporary("/widget") }))
        .route("/widget", get(page.clone()))
        .route("/admin", get(page))
        .nest_service(
            &pkg,
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("no-cache"),
                ))
                .service(pkg_files),
        )
}

/// Static files of the site root (the embedding demo page, icons).
pub fn static_files(site: &SiteSettings) -> ServeDir {
    ServeDir::new(&site.root)
}

fn html_page(shell: String, frame_policy: HeaderValue) -> Response {
    let mut response = Html(shell).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(header::CONTENT_SECURITY_POLICY, frame_policy);
    response
}

/// The page shell: loads the stylesheet, then the wasm bundle, which mounts the app.
fn shell(site: &SiteSettings) -> String {
    let pkg = format!("/{}/{}", site.pkg_dir, site.output_name);
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Agent Notify</title>
<link rel="stylesheet" href="{pkg}.css">
<link rel="modulepreload" href="{pkg}.js">
<link rel="preload" href="{pkg}.wasm" as="fetch" type="application/wasm" crossorigin>
</head>
<body>
<noscript>Agent Notify needs JavaScript and WebAssembly.</noscript>
<main id="boot" class="widget boot" aria-busy="true"><h1>Send a notification</h1><p class="hint">Loading…</p></main>
<script type="module">import init from "{pkg}.js"; init({{ module_or_path: "{pkg}.wasm" }});</script>
</body>
</html>
"#
    )
}

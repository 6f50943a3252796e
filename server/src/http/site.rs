//! The browser side: the HTML shells of the widget and of the console pages (settings,
//! history, dashboard; client-side rendered: a wasm bundle draws the page — the widget's
//! own, or the console's, so the widget loads only the widget), the built site's static
//! files, and the headers every response carries.
//!
//! The pages' Content-Security-Policy pins the one inline script by its hash; the
//! widget may be framed by the site and the configured embed origins, the settings
//! page by nobody. Every response says `nosniff` and `no-referrer`.

use super::assets::{self, Fingerprints};
use super::extract::query_param;
use super::AppState;
use crate::config::{Origin, SiteSettings};
use app::domain::phone::numbering::DATA_VERSION;
use app::domain::CountryCode;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The policy of every response that sets none of its own (API answers, static files).
const DEFAULT_POLICY: &str =
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// The routes of this module; unknown non-API paths fall through to the site root.
/// The widget's page preloads the numbering plan of `default_country` (the widget
/// fetches it as soon as it runs: `app::widget::numbering`).
pub fn router(
    site: &SiteSettings,
    embed_origins: &[Origin],
    default_country: CountryCode,
) -> Router<AppState> {
    let ancestors = std::iter::once("'self'")
        .chain(embed_origins.iter().map(Origin::as_str))
        .collect::<Vec<_>>()
        .join(" ");
    let pkg_dir = site.root.join(&site.pkg_dir);
    // Under `cargo leptos watch` the files change under the running server: plain names.
    let prints = if site.watch {
        Fingerprints::default()
    } else {
        Fingerprints::scan(&pkg_dir, Bundle::files(site).iter().map(String::as_str))
    };
    let widget = Shell::new(
        site,
        embed_origins,
        Bundle::Widget(default_country),
        &prints,
    )
    .page(&ancestors);
    let admin = Shell::new(site, embed_origins, Bundle::Console, &prints).page("'none'");
    let pkg = format!("/{}", site.pkg_dir);
    Router::new()
        .route("/", get(|| async { Redirect::temporary("/widget") }))
        // Browsers ask for it whatever the page says.
        .route(
            "/favicon.ico",
            get(|| async { Redirect::permanent("/favicon.svg") }),
        )
        .route(
            "/widget",
            get(move |request: Request| {
                let widget = widget.clone();
                async move {
                    if query_param(request.uri(), "token").is_some() {
                        return token_in_url();
                    }
                    widget.into_response()
                }
            }),
        )
        // The settings and the history open in their own tab, never framed.
        .route(
            "/admin",
            get({
                let admin = admin.clone();
                move || {
                    let admin = admin.clone();
                    async move { admin.into_response() }
                }
            }),
        )
        .route("/history", get(own_tab_page(admin.clone())))
        .route("/dashboard", get(own_tab_page(admin)))
        .nest_service(&pkg, assets::service(&pkg_dir, prints))
}

/// A page that opens in its own tab (never framed), its token only ever in the
/// fragment.
fn own_tab_page(
    page: Page,
) -> impl Fn(Request) -> std::future::Ready<axum::response::Response> + Clone + Send + 'static {
    move |request: Request| {
        std::future::ready(if query_param(request.uri(), "token").is_some() {
            token_in_url()
        } else {
            page.clone().into_response()
        })
    }
}

/// Static files of the site root (the embedding demo page, icons).
pub fn static_files(site: &SiteSettings) -> ServeDir {
    ServeDir::new(&site.root)
}

/// Adds the headers every response carries (a policy only where none was set).
pub fn with_security_headers(router: Router) -> Router {
    router
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DEFAULT_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
}

/// `/widget?token=…`: refused (the token would sit in logs, history and `Referer`).
fn token_in_url() -> Response {
    let body = Html(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Agent Notify</title></head>\
         <body><main><h1>The token must not be in the URL</h1>\
         <p>Open the widget with the token in the fragment — <code>/widget?call_id=…#token=…</code> — \
         or post it to the widget with <code>postMessage</code>.</p></main></body></html>",
    );
    (StatusCode::BAD_REQUEST, body).into_response()
}

/// The page shell, the hashes of its inline scripts, and where they may connect.
/// Which wasm bundle a page loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bundle {
    /// The agent widget (`<output>.js`, `<output>.wasm`), for agents whose national
    /// numbers are read in this country.
    Widget(CountryCode),
    /// The settings, history and dashboard (`<output>-console.js`,
    /// `<output>-console_bg.wasm`).
    Console,
}

impl Bundle {
    /// The files of both bundles (script, wasm; the stylesheet they share), by plain name.
    fn files(site: &SiteSettings) -> [String; 5] {
        let name = &site.output_name;
        [
            format!("{name}.js"),
            format!("{name}.wasm"),
            format!("{name}.css"),
            format!("{name}-console.js"),
            format!("{name}-console_bg.wasm"),
        ]
    }
}

struct Shell {
    html: String,
    script_hashes: String,
    connect: String,
}

/// The hash a policy names an inline script by.
fn script_hash(script: &str) -> String {
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes()))
    )
}

/// Under `cargo leptos watch`: Leptos's live-reload script (the pages reload, or
/// restyle, when cargo-leptos rebuilds) and the socket it connects to.
fn live_reload(site: &SiteSettings) -> Option<(String, String)> {
    use leptos::prelude::*;
    if !site.watch {
        return None;
    }
    let options = leptos::config::LeptosOptions::builder()
        .output_name(site.output_name.as_str())
        .reload_port(u32::from(site.reload_port))
        .build();
    let html = Owner::new().with(|| view! { <AutoReload options=options /> }.to_html());
    let script = html.strip_prefix("<script>")?.strip_suffix("</script>")?;
    let socket = format!("ws://*:{0} wss://*:{0}", site.reload_port);
    Some((script.to_owned(), socket))
}

/// One page: the shell with its policy.
#[derive(Clone)]
struct Page {
    html: String,
    policy: HeaderValue,
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let mut response = Html(self.html).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        headers.insert(header::CONTENT_SECURITY_POLICY, self.policy);
        response
    }
}

impl Shell {
    /// The shell loads the stylesheet, then the wasm bundle, which mounts the app; it
    /// names the origins the widget talks to, so a host can post the token before any
    /// server call.
    fn new(
        site: &SiteSettings,
        embed_origins: &[Origin],
        bundle: Bundle,
        prints: &Fingerprints,
    ) -> Self {
        let [widget_js, widget_wasm, css, console_js, console_wasm] = Bundle::files(site);
        let url = |file: &str| format!("/{}/{}", site.pkg_dir, prints.name(file));
        let (js, wasm, title) = match bundle {
            Bundle::Widget(_) => (url(&widget_js), url(&widget_wasm), "Send a notification"),
            Bundle::Console => (url(&console_js), url(&console_wasm), "Agent Notify"),
        };
        // The default country's numbering plan downloads beside the bundle, so the
        // widget's first number is judged as soon as it runs, not a round trip later.
        let numbering = match bundle {
            Bundle::Widget(country) => format!(
                "\n<link rel=\"preload\" href=\"/numbering/{DATA_VERSION}/{}\" as=\"fetch\" crossorigin>",
                country.dial_code()
            ),
            Bundle::Console => String::new(),
        };
        let css = url(&css);
        let script = format!(r#"import init from "{js}"; init({{ module_or_path: "{wasm}" }});"#);
        let mut script_hashes = script_hash(&script);
        let mut connect = "'self'".to_owned();
        let mut reload = String::new();
        if let Some((watch, socket)) = live_reload(site) {
            script_hashes = format!("{script_hashes} {}", script_hash(&watch));
            connect = format!("{connect} {socket}");
            reload = format!("<script>{watch}</script>\n");
        }
        let origins = embed_origins
            .iter()
            .map(Origin::as_str)
            .collect::<Vec<_>>()
            .join(" ");
        let html = format!(
            r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="agent-notify-origins" content="{origins}">
<title>Agent Notify</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{css}">
<link rel="modulepreload" href="{js}">
<link rel="preload" href="{wasm}" as="fetch" type="application/wasm" crossorigin>{numbering}
</head>
<body>
<noscript>Agent Notify needs JavaScript and WebAssembly.</noscript>
<main id="boot" class="widget boot" aria-busy="true"><h1>{title}</h1><p class="hint">Loading…</p></main>
<script type="module">{script}</script>
{reload}</body>
</html>
"#
        );
        Self {
            html,
            script_hashes,
            connect,
        }
    }

    /// The page, framable by `ancestors`.
    fn page(&self, ancestors: &str) -> Page {
        let policy = format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {}; style-src 'self'; \
             img-src 'self' data:; connect-src {}; object-src 'none'; base-uri 'none'; \
             form-action 'self'; frame-ancestors {ancestors}",
            self.script_hashes, self.connect
        );
        Page {
            html: self.html.clone(),
            policy: HeaderValue::from_str(&policy).unwrap_or_else(|_| {
                HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'")
            }),
        }
    }
}

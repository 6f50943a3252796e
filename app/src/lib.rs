//! Agent Notify's Leptos crate: the domain core (browser and server), the service
//! layer and server functions (server), and the agent widget and settings page
//! (browser, client-side rendered).

pub mod admin;
pub mod api;
pub mod dashboard;
pub mod domain;
pub mod history;
#[cfg(feature = "ssr")]
pub mod service;
pub mod widget;

use leptos::prelude::*;

/// The page to show, chosen by the URL path (`/widget`, `/history`, `/dashboard` or `/admin`).
#[component]
pub fn App() -> impl IntoView {
    let path = window().location().pathname().unwrap_or_default();
    if path.starts_with("/admin") {
        view! { <admin::AdminPage /> }.into_any()
    } else if path.starts_with("/dashboard") {
        view! { <dashboard::Dashboard /> }.into_any()
    } else if path.starts_with("/history") {
        view! { <history::MessageHistory /> }.into_any()
    } else {
        view! { <widget::Widget /> }.into_any()
    }
}

/// The wasm entry point: mounts the app into the page body.
#[cfg(feature = "csr")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    // The page shell paints a placeholder before the wasm arrives; the app replaces it.
    if let Some(placeholder) = document().get_element_by_id("boot") {
        placeholder.remove();
    }
    leptos::mount::mount_to_body(App);
}

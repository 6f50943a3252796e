//! Agent Notify's Leptos crate: the domain core (browser and server), the service
//! layer and server functions (server), and the pages (browser, client-side rendered):
//! the agent widget (`widget`) — its own wasm bundle, this crate's entry point — and the
//! console's settings, history and dashboard pages (`console`), which the console bundle
//! (`app/console/`) mounts; the two share the browser pieces in `ui`.

pub mod api;
pub mod console;
pub mod domain;
#[cfg(feature = "ssr")]
pub mod service;
pub mod ui;
pub mod widget;

pub use console::Console;

use leptos::prelude::*;

/// The widget bundle's page: the agent widget (the other pages are the console bundle's:
/// `app/console/`).
#[component]
pub fn App() -> impl IntoView {
    view! { <widget::Widget /> }
}

/// Mounts `page` into the page body, in place of the shell's placeholder.
#[cfg(feature = "csr")]
pub fn mount<V: IntoView + 'static>(page: fn() -> V) {
    console_error_panic_hook::set_once();
    // The page shell paints a placeholder before the wasm arrives; the app replaces it.
    if let Some(placeholder) = document().get_element_by_id("boot") {
        placeholder.remove();
    }
    leptos::mount::mount_to_body(page);
}

/// The widget bundle's wasm entry point.
#[cfg(all(feature = "csr", feature = "widget-bundle"))]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    mount(App);
}

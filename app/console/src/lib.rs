//! The console bundle: the pages an agent's widget does not need — the settings page
//! (`/admin`), the message history (`/history`) and the delivery dashboard
//! (`/dashboard`) — in a wasm file of their own, so the widget loads only the widget.

/// The wasm entry point: mounts the page the URL names.
#[cfg(feature = "csr")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    app::mount(app::Console);
}

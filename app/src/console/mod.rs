//! The console: the pages an agent's widget does not need — the settings page
//! (`/admin`), the message history (`/history`) and the delivery dashboard
//! (`/dashboard`). They share the reader's session (`session`) and, with the widget,
//! the browser pieces in `crate::ui`.

pub mod dashboard;
pub mod history;
mod session;
pub mod settings;

use leptos::prelude::*;

/// The console bundle's page, chosen by the URL path: `/admin`, `/history` or
/// `/dashboard`.
#[component]
pub fn Console() -> impl IntoView {
    let path = window().location().pathname().unwrap_or_default();
    if path.starts_with("/history") {
        view! { <history::MessageHistory /> }.into_any()
    } else if path.starts_with("/dashboard") {
        view! { <dashboard::Dashboard /> }.into_any()
    } else {
        view! { <settings::AdminPage /> }.into_any()
    }
}

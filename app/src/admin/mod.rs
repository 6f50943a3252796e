//! The settings page (templates, groups, agents, providers).

use leptos::prelude::*;

/// The settings page.
#[component]
pub fn AdminPage() -> impl IntoView {
    view! {
        <main class="admin">
            <h1>"Agent Notify settings"</h1>
            <p>
                "The demo group "<code>"demo"</code>" is set up with SMS, WhatsApp and RCS "
                "templates. Template, group and provider settings are managed here once the "
                "settings page ships; until then they are seeded on first run."
            </p>
        </main>
    }
}

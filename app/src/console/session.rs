//! Who reads a console page: an admin signed in on the settings page (the token kept in
//! the tab), or an agent who opened the history from the widget.

use crate::api::ApiError;
use crate::ui::initial_token;
use leptos::prelude::*;

/// Where the admin's session token is kept: the tab's session storage (gone when the
/// tab closes).
pub(super) const TOKEN_KEY: &str = "agent-notify-admin-token";

/// The tab's session storage.
pub(super) fn storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

/// Whether an error means the reader's session or token is over (sign in again).
pub(super) fn ends_session(e: &ApiError) -> bool {
    matches!(
        e.code.as_str(),
        "session_ended" | "invalid_token" | "missing_token"
    )
}

/// The reader's token: from the link that opened the page (`#token=`, the widget's),
/// else this tab's settings sign-in, else the widget's.
pub(super) fn reader_token() -> Option<String> {
    let opened_with_token = window()
        .location()
        .hash()
        .is_ok_and(|h| h.contains("token="));
    let admin = storage().and_then(|s| s.get_item(TOKEN_KEY).ok().flatten());
    if opened_with_token {
        initial_token()
    } else {
        admin.or_else(initial_token)
    }
}

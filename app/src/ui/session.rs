//! Who the page's reader is: the agent's token (from the URL fragment, kept for a
//! reload of the tab) and the URL's parameters.

use leptos::prelude::*;

/// Reads one query parameter of the page URL.
pub fn query_param(name: &str) -> Option<String> {
    let search = window().location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get(name).filter(|v| !v.is_empty())
}

/// Where the widget keeps the agent's token for a reload: the tab's session storage
/// (gone when the tab closes; never in a URL).
const TOKEN_KEY: &str = "agent-notify-widget-token";

/// The agent's token: from the URL fragment (`#token=…`: never sent to a server nor in
/// a `Referer`), which is then taken off the address bar, or the one kept for this tab.
pub fn initial_token() -> Option<String> {
    let storage = window().session_storage().ok().flatten();
    match fragment_token() {
        Some(token) => {
            keep_token(&token);
            Some(token)
        }
        None => storage?.get_item(TOKEN_KEY).ok().flatten(),
    }
}

/// Keeps `token` for a reload of this tab.
pub fn keep_token(token: &str) {
    if let Some(storage) = window().session_storage().ok().flatten() {
        let _ = storage.set_item(TOKEN_KEY, token);
    }
}

fn fragment_token() -> Option<String> {
    let location = window().location();
    let hash = location.hash().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(hash.trim_start_matches('#')).ok()?;
    let token = params.get("token").filter(|t| !t.is_empty())?;
    params.delete("token");
    let rest = String::from(params.to_string());
    let clean = format!(
        "{}{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default(),
        if rest.is_empty() {
            String::new()
        } else {
            format!("#{rest}")
        }
    );
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&clean));
    }
    Some(token)
}

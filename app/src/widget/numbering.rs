//! The numbering data, a calling code at a time.
//!
//! The widget's bundle embeds no country's numbering plan (feature
//! `numbering-on-demand`: a fifth of the bundle). Before a number is read, [`Numbering::ready`]
//! says whether the codes it needs are here — the chosen country's and the one after a
//! `+` — and fetches the missing ones from the server
//! (`GET /numbering/{version}/{code}`, a few kilobytes each, cached by the browser for a
//! year); whatever read the number then reads it again. The chosen country's code is
//! asked for when the widget opens, so typing usually finds it here.

use crate::domain::phone::numbering;
use crate::domain::CountryCode;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The codes asked for, and a counter bumped whenever one arrives.
#[derive(Clone, Copy)]
pub struct Numbering {
    /// Counts the codes arrived: readers track it and read again.
    arrived: RwSignal<u32>,
    /// Codes fetched or being fetched.
    asked: StoredValue<Vec<u16>>,
    /// Codes whose fetch failed (asked again on the next read).
    failed: RwSignal<Vec<u16>>,
}

impl Numbering {
    /// Nothing asked yet.
    pub fn new() -> Self {
        Self {
            arrived: RwSignal::new(0),
            asked: StoredValue::new(Vec::new()),
            failed: RwSignal::new(Vec::new()),
        }
    }

    /// Whether reading `text` in `country` finds every code's data it needs. When it
    /// would not, the missing codes are fetched, and a reactive reader (a memo, an
    /// effect) runs again when they arrive.
    pub fn ready(self, text: &str, country: CountryCode) -> bool {
        self.arrived.track();
        let missing = numbering::missing_for(text, country);
        for code in &missing {
            self.fetch(*code);
        }
        missing.is_empty()
    }

    /// What to tell the agent while a number cannot be read yet.
    pub fn waiting_note(self) -> String {
        match self.failed.get().first() {
            Some(code) => format!(
                "The numbering plan for +{code} did not load: check the connection, then type the number again."
            ),
            None => "Checking the number…".to_owned(),
        }
    }

    fn fetch(self, code: u16) {
        if self.asked.with_value(|asked| asked.contains(&code)) {
            return;
        }
        self.asked.update_value(|asked| asked.push(code));
        leptos::task::spawn_local(async move {
            let loaded = match fetch_data(code).await {
                Some(data) => load(&data),
                None => false,
            };
            if loaded {
                self.failed.update(|failed| failed.retain(|c| *c != code));
                self.arrived.update(|n| *n += 1);
            } else {
                self.asked
                    .update_value(|asked| asked.retain(|c| *c != code));
                self.failed.update(|failed| failed.push(code));
            }
        });
    }
}

impl Default for Numbering {
    fn default() -> Self {
        Self::new()
    }
}

/// The server's data for `code`, or `None` when it could not be fetched.
async fn fetch_data(code: u16) -> Option<Vec<u8>> {
    let url = format!("/numbering/{}/{code}", numbering::DATA_VERSION);
    let response = JsFuture::from(window().fetch_with_str(&url)).await.ok()?;
    let response: web_sys::Response = response.dyn_into().ok()?;
    if !response.ok() {
        return None;
    }
    let buffer = JsFuture::from(response.array_buffer().ok()?).await.ok()?;
    Some(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Adds a code's data to the phone-number library's database.
#[cfg(feature = "numbering-on-demand")]
fn load(data: &[u8]) -> bool {
    phonenumber::metadata::load_code(data).is_ok()
}

/// A build that embeds the data never misses a code (`numbering::missing_for` is empty),
/// so it never fetches one.
#[cfg(not(feature = "numbering-on-demand"))]
fn load(_: &[u8]) -> bool {
    true
}

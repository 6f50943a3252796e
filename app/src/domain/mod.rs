//! The domain core: pure types and rules shared by the browser and the server.
//!
//! Nothing here does I/O or depends on tokio, sqlx, axum or the other server crates;
//! the wasm build proves it.

pub mod admin;
pub mod channel;
pub mod contacts;
pub mod country;
mod country_names;
pub mod history;
pub mod ids;
pub mod keys;
pub mod notification;
pub mod phone;
pub mod preferences;
pub mod queue;
pub mod recipient;
#[cfg(feature = "ssr")]
mod schema;
pub mod sms;
pub mod stats;
pub mod status;
pub mod template;
pub mod time;
pub mod workflow;

pub use admin::*;
pub use channel::Channel;
pub use contacts::*;
pub use country::{Country, CountryCode, CountryList};
pub use history::{
    csv_line, Choice, Cursor, HistoryChoices, HistoryFilter, HistoryPage, HistoryQuery, Reader,
    UuidText, CSV_HEADER,
};
pub use ids::{
    CallId, GroupId, IdError, IdempotencyKey, ProviderAccountId, QueueId, TemplateId, UserId,
};
pub use keys::{ApiKey, ApiKeyInput, ApiKeyScope, CreatedApiKey, IpRange};
pub use notification::*;
pub use phone::{mask_e164, NumberType, PhoneError, PhoneNumber, PhoneParseError, E164};
pub use preferences::{Alert, AlertLevel, Preferences};
pub use queue::{CallInfo, CallQueue, CallQueueInput, CallState};
pub use recipient::*;
pub use sms::{sms_length, SmsEncoding, SmsLength};
pub use stats::{
    Breakdown, Count, DeliveryStats, DeliveryTimes, StatsFilter, StatsQuery, StatsRows,
};
pub use status::{NotificationStatus, Transition};
pub use template::*;
pub use time::rfc3339;
pub use workflow::{fill_from_data, SendData};

/// An identifier as words for people: `dlt_entity_id` → `Dlt entity id`.
pub fn in_words(key: &str) -> String {
    let text = key.replace('_', " ");
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

//! The admin's settings on the wire: groups and their Notification Type tab, agents,
//! provider accounts, the audit log.

use super::channel::Channel;
use super::ids::{GroupId, ProviderAccountId, TemplateId, UserId};
use super::phone::E164;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod groups;
mod provider_kinds;
mod providers;
mod templates;

pub use groups::*;
pub use provider_kinds::*;
pub use providers::*;
pub use templates::*;

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Its sequence number.
    pub id: i64,
    /// When (RFC 3339 UTC).
    pub at: String,
    /// Which admin.
    pub actor: String,
    /// `create`, `update`, `delete`.
    pub action: String,
    /// `template`, `group`, `notification_types`, `agent`, `provider`.
    pub entity: String,
    /// The changed thing's id.
    pub entity_id: String,
    /// Before the change (none on create).
    pub before: Option<serde_json::Value>,
    /// After the change (none on delete).
    pub after: Option<serde_json::Value>,
}

impl AuditEntry {
    /// What happened, in words: `Created template t_otp`, `Signed in`.
    pub fn summary(&self) -> String {
        let verb = match (self.entity.as_str(), self.action.as_str()) {
            ("session", "sign_in") => return "Signed in".to_owned(),
            ("session", "sign_out") => return "Signed out".to_owned(),
            ("session", "cli_session") => return "Signed in from the command line".to_owned(),
            (_, "create") => "Created",
            (_, "update") => "Changed",
            (_, "delete") => "Deleted",
            (_, other) => {
                return format!(
                    "{} {} {}",
                    super::in_words(other),
                    noun(&self.entity),
                    self.entity_id
                )
            }
        };
        format!("{verb} {} {}", noun(&self.entity), self.entity_id)
    }

    /// What changed, a line a field: `name: Demo → Demo agents`; on a create or a
    /// delete, each field it had.
    pub fn changes(&self) -> Vec<String> {
        let fields = |v: &Option<serde_json::Value>| match v {
            Some(serde_json::Value::Object(map)) => map.clone(),
            _ => serde_json::Map::new(),
        };
        let (before, after) = (fields(&self.before), fields(&self.after));
        let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .filter_map(|key| match (before.get(key), after.get(key)) {
                (Some(b), Some(a)) if b == a => None,
                (Some(b), Some(a)) => Some(format!(
                    "{}: {} → {}",
                    super::in_words(key),
                    shown(b),
                    shown(a)
                )),
                (None, Some(a)) => Some(format!("{}: {}", super::in_words(key), shown(a))),
                (Some(b), None) => {
                    Some(format!("{}: {} (removed)", super::in_words(key), shown(b)))
                }
                (None, None) => None,
            })
            .collect()
    }
}

/// The kind of thing an audit entry is about, as people say it.
fn noun(entity: &str) -> String {
    match entity {
        "notification_types" => "the notification types of group".to_owned(),
        "api_key" => "API key".to_owned(),
        "opt_out" => "opt-out".to_owned(),
        "provider" => "provider account".to_owned(),
        other => other.replace('_', " "),
    }
}

/// A recorded value as a person reads it: text unquoted, lists joined, nothing as "none".
fn shown(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "none".to_owned(),
        serde_json::Value::Bool(true) => "yes".to_owned(),
        serde_json::Value::Bool(false) => "no".to_owned(),
        serde_json::Value::String(s) if s.is_empty() => "(empty)".to_owned(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) if items.is_empty() => "none".to_owned(),
        serde_json::Value::Array(items) => items.iter().map(shown).collect::<Vec<_>>().join(", "),
        serde_json::Value::Object(map) => {
            let set: Vec<String> = map
                .iter()
                .filter(|(_, v)| !matches!(v, serde_json::Value::Null) && shown(v) != "none")
                .map(|(k, v)| format!("{} {}", k.replace('_', " "), shown(v)))
                .collect();
            if set.is_empty() {
                "none".to_owned()
            } else {
                format!("({})", set.join("; "))
            }
        }
        other => other.to_string(),
    }
}

/// `POST /api/v1/admin/login` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// The admin's id.
    pub id: String,
    /// Their password.
    pub password: String,
}

/// A successful sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SignedIn {
    /// The bearer token for the admin endpoints.
    pub token: String,
    /// When it stops working (RFC 3339 UTC).
    pub expires_at: String,
}

/// One problem with what an admin entered: a stable code, a sentence for a person, and
/// the field it is about. The settings page shows it before saving; the server refuses
/// the same input with the same words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// Stable snake_case code.
    pub code: &'static str,
    /// For a person.
    pub message: String,
    /// The field's path (`credentials.auth_token`).
    pub field: String,
    /// The field's problem in a few words.
    pub problem: String,
}

impl FieldProblem {
    /// A problem with one field.
    pub fn new(
        code: &'static str,
        message: impl Into<String>,
        field: impl Into<String>,
        problem: impl Into<String>,
    ) -> Self {
        Self {
            code,
            message: message.into(),
            field: field.into(),
            problem: problem.into(),
        }
    }
}

/// Longest name of a group, agent or provider account.
pub const DISPLAY_NAME_MAX: usize = 100;

/// A name of 1 to [`DISPLAY_NAME_MAX`] characters, trimmed; a problem names `field`.
pub fn display_name(name: &str, field: &str) -> Result<String, FieldProblem> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > DISPLAY_NAME_MAX {
        return Err(FieldProblem::new(
            "invalid_name",
            format!("Give a name of 1 to {DISPLAY_NAME_MAX} characters."),
            field,
            format!("1 to {DISPLAY_NAME_MAX} characters"),
        ));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests;

//! Templates: pre-registered message bodies with placeholders, the fields that fill
//! them, the checks an admin's template must pass, and rendering with complete
//! validation (every problem reported, one message per field).
//!
//! Two placeholder styles exist: named `{{name}}` (WhatsApp, RCS, most SMS) and India
//! DLT's positional `{#var#}`, filled by the template's fields in order.

use super::channel::Channel;
use super::country::CountryCode;
use super::ids::TemplateId;
use super::phone::PhoneNumber;
use super::sms::{sms_length, SmsLength};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod check;
mod provider_ref;
mod render;
mod values;

pub use provider_ref::*;
use values::compile_pattern;
pub use values::describe_pattern;

/// Longest WhatsApp template body, in characters.
pub const WHATSAPP_BODY_MAX: usize = 1024;
/// Longest value of one DLT `{#var#}` variable, in characters.
pub const DLT_VARIABLE_MAX: usize = 30;
/// Longest template name.
pub const NAME_MAX: usize = 100;
/// Longest body of any template (ten SMS parts of UCS-2 is far less; this is a sanity cap).
pub const BODY_MAX: usize = 4096;
/// Longest value of any field when the template sets no `max_length`.
pub const FIELD_VALUE_MAX: usize = 1000;
/// The DLT placeholder.
const DLT_VAR: &str = "{#var#}";

/// Whether a template has placeholders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum TemplateKind {
    /// Fixed text: sent as is.
    Static,
    /// Has placeholders: the agent fills fields first.
    Dynamic,
}

/// The kind of value a field takes (decides the input and the check).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// Any text.
    Text,
    /// A decimal number (`12`, `-3.5`).
    Number,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// An amount with at most two decimals (`1250.50`).
    Currency,
    /// An `http(s)://` link.
    Url,
    /// A phone number (normalised to E.164).
    Phone,
}

/// One dynamic field of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TemplateField {
    /// The placeholder's name (`name` for `{{name}}`; any name for DLT variables).
    pub name: String,
    /// The label shown to the agent.
    pub label: String,
    /// The kind of value.
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// Whether a value must be given.
    #[serde(default)]
    pub required: bool,
    /// Longest value, in characters.
    #[serde(default)]
    pub max_length: Option<usize>,
    /// A regular expression the whole value must match.
    #[serde(default)]
    pub pattern: Option<String>,
    /// The value used when none is given (and pre-filled in the pop-up).
    #[serde(default)]
    pub default: Option<String>,
    /// Where a workflow send (and the widget's CRM pre-fill) finds the value when none
    /// is given: `contact.first_name`, `agent.name`, `custom.order_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl TemplateField {
    /// A new, empty required text field (what an editor adds before it is filled in).
    pub fn blank() -> Self {
        Self {
            name: String::new(),
            label: String::new(),
            field_type: FieldType::Text,
            required: true,
            max_length: None,
            pattern: None,
            default: None,
            source: None,
        }
    }
}

/// A template as the registry holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Template {
    /// Its id.
    pub id: TemplateId,
    /// The name agents see.
    pub name: String,
    /// The channel it is registered for.
    pub channel: Channel,
    /// The text with placeholders.
    pub body: String,
    /// One definition per placeholder (in placeholder order for DLT).
    pub fields: Vec<TemplateField>,
    /// The language code, if the provider needs one.
    #[serde(default)]
    pub language: Option<String>,
    /// The provider's references.
    #[serde(default)]
    pub provider_ref: ProviderRef,
}

/// A template as an agent sees it (`GET /api/v1/templates`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AgentTemplate {
    /// Its id.
    pub id: TemplateId,
    /// The name agents see.
    pub name: String,
    /// Its channel.
    pub channel: Channel,
    /// Static or dynamic.
    pub kind: TemplateKind,
    /// The text with placeholders.
    pub body: String,
    /// The fields to fill.
    pub fields: Vec<TemplateField>,
}

/// One problem per field name (or `body`, `name`, `fields`), for people and for APIs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    /// Records a problem with `field`, keeping the first one reported.
    /// Records a problem with `field`; a field with several keeps them all.
    pub fn add(&mut self, field: impl Into<String>, problem: impl Into<String>) {
        let problem = problem.into();
        self.0
            .entry(field.into())
            .and_modify(|known| {
                if !known.split("; ").any(|p| p == problem) {
                    known.push_str("; ");
                    known.push_str(&problem);
                }
            })
            .or_insert(problem);
    }

    /// True when nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when empty, else `Err(self)`.
    pub fn into_result<T>(self, value: T) -> Result<T, Self> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

/// Which placeholder syntax a body uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placeholders {
    /// No placeholders.
    None,
    /// `{{name}}` placeholders, names in order of first appearance.
    Named(Vec<String>),
    /// `count` positional DLT `{#var#}` variables.
    Dlt(usize),
}

/// Reads the placeholders of `body`, or says what is malformed.
pub fn parse_placeholders(body: &str) -> Result<Placeholders, String> {
    let dlt = body.matches(DLT_VAR).count();
    let mut named: Vec<String> = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err("a placeholder opened with {{ is never closed with }}".into());
        };
        let name = after[..end].trim();
        if !is_placeholder_name(name) {
            return Err(format!(
                "`{{{{{name}}}}}` is not a valid placeholder: use letters, digits and _ (e.g. {{{{first_name}}}})"
            ));
        }
        if !named.iter().any(|n| n == name) {
            named.push(name.to_owned());
        }
        rest = &after[end + 2..];
    }
    let stray = body.replace(DLT_VAR, "");
    if dlt == 0 && (stray.contains("{#") || stray.contains("#}")) {
        return Err("DLT variables are written exactly {#var#}".into());
    }
    match (named.is_empty(), dlt) {
        (true, 0) => Ok(Placeholders::None),
        (false, 0) => Ok(Placeholders::Named(named)),
        (true, n) => Ok(Placeholders::Dlt(n)),
        (false, _) => {
            Err("use either {{name}} placeholders or DLT {#var#} variables, not both".into())
        }
    }
}

fn is_placeholder_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 64
}

/// A message ready for a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenderedMessage {
    /// The final text.
    pub body: String,
    /// The checked values in field order (provider template parameters).
    pub parameters: Vec<(String, String)>,
    /// For SMS: encoding and parts.
    pub sms: Option<SmsLength>,
}

impl Template {
    /// Static or dynamic (from the body; a malformed body counts as dynamic).
    pub fn kind(&self) -> TemplateKind {
        match parse_placeholders(&self.body) {
            Ok(Placeholders::None) => TemplateKind::Static,
            _ => TemplateKind::Dynamic,
        }
    }

    /// The agent's view.
    pub fn for_agent(&self) -> AgentTemplate {
        AgentTemplate {
            id: self.id.clone(),
            name: self.name.clone(),
            channel: self.channel,
            kind: self.kind(),
            body: self.body.clone(),
            fields: self.fields.clone(),
        }
    }
}

#[cfg(test)]
mod tests;

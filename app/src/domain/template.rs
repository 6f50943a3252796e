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
use std::collections::{BTreeMap, BTreeSet};

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

/// The provider's own references for a template, per channel and provider.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProviderRef {
    /// WhatsApp: the approved template name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whatsapp_name: Option<String>,
    /// WhatsApp: the template language code (`en`, `en_US`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whatsapp_language: Option<String>,
    /// Twilio Content API SID (`HX…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub twilio_content_sid: Option<String>,
    /// RCS template or rich-card id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rcs_template_id: Option<String>,
    /// India DLT content template id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dlt_template_id: Option<String>,
    /// India DLT principal entity id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dlt_entity_id: Option<String>,
    /// India DLT header (sender id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dlt_header: Option<String>,
    /// WhatsApp: fields that fill the approved template's header or a URL button
    /// rather than its body, e.g. `{"name": "header", "order_path": "button:0"}`. Every
    /// other field is a body parameter, in field order.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub whatsapp_components: BTreeMap<String, String>,
}

impl ProviderRef {
    /// The India DLT ids an SMS to a +91 number must carry that this template lacks:
    /// `dlt_entity_id`, `dlt_template_id`, `dlt_header` (none missing: empty).
    pub fn dlt_missing(&self) -> Vec<&'static str> {
        let blank = |v: &Option<String>| v.as_deref().is_none_or(|t| t.trim().is_empty());
        [
            ("dlt_entity_id", &self.dlt_entity_id),
            ("dlt_template_id", &self.dlt_template_id),
            ("dlt_header", &self.dlt_header),
        ]
        .into_iter()
        .filter(|(_, v)| blank(v))
        .map(|(name, _)| name)
        .collect()
    }
}

/// Where a WhatsApp template parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum WhatsappComponent {
    /// The header's text parameter.
    Header,
    /// The body's next positional parameter.
    Body,
    /// The URL button at this index (its dynamic suffix).
    UrlButton(u8),
}

impl ProviderRef {
    /// `whatsapp_components` as the settings page writes it: `name=header, link=button:0`.
    pub fn components_text(&self) -> String {
        self.whatsapp_components
            .iter()
            .map(|(field, component)| format!("{field}={component}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Reads `name=header, link=button:0` (commas or new lines between entries); an
    /// entry without `=` is kept with an empty component, so saving reports it.
    pub fn parse_components_text(text: &str) -> BTreeMap<String, String> {
        text.split([',', '\n'])
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| match entry.split_once('=') {
                Some((field, component)) => (field.trim().to_owned(), component.trim().to_owned()),
                None => (entry.to_owned(), String::new()),
            })
            .collect()
    }

    /// Where `field`'s value goes in a WhatsApp template message.
    pub fn whatsapp_component(&self, field: &str) -> Result<WhatsappComponent, String> {
        match self.whatsapp_components.get(field).map(String::as_str) {
            None | Some("body") => Ok(WhatsappComponent::Body),
            Some("header") => Ok(WhatsappComponent::Header),
            Some(other) => other
                .strip_prefix("button:")
                .and_then(|i| i.parse::<u8>().ok())
                .filter(|i| *i < 10)
                .map(WhatsappComponent::UrlButton)
                .ok_or_else(|| {
                    format!("`{other}` is not a WhatsApp component; use header, body or button:0 to button:9")
                }),
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

    /// The checks an admin's template must pass on save; every problem is reported.
    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = self.name.trim();
        if name.is_empty() {
            errors.add("name", "required");
        } else if name.chars().count() > NAME_MAX {
            errors.add("name", format!("at most {NAME_MAX} characters"));
        }
        let body_len = self.body.chars().count();
        if self.body.trim().is_empty() {
            errors.add("body", "required");
        } else if self.channel == Channel::Whatsapp && body_len > WHATSAPP_BODY_MAX {
            errors.add("body", format!("WhatsApp bodies are at most {WHATSAPP_BODY_MAX} characters (this one has {body_len})"));
        } else if body_len > BODY_MAX {
            errors.add("body", format!("at most {BODY_MAX} characters"));
        }
        let mut seen = BTreeSet::new();
        for (i, field) in self.fields.iter().enumerate() {
            let key = format!("fields[{i}]");
            if !is_placeholder_name(&field.name) {
                errors.add(&key, "the name must use letters, digits and _");
            } else if !seen.insert(field.name.as_str()) {
                errors.add(&key, format!("`{}` is defined twice", field.name));
            }
            if field.label.trim().is_empty() {
                errors.add(format!("{key}.label"), "required");
            }
            if field.max_length == Some(0) {
                errors.add(format!("{key}.max_length"), "must be at least 1");
            }
            if let Some(pattern) = &field.pattern {
                if compile_pattern(pattern).is_none() {
                    errors.add(format!("{key}.pattern"), "not a valid regular expression");
                }
            }
            if let Some(default) = field.default.as_deref().filter(|d| !d.is_empty()) {
                if let Err(problem) = field.check_value(default, self.is_dlt()) {
                    errors.add(format!("{key}.default"), problem);
                }
            }
            if let Some(code) = &field.source {
                if let Err(problem) = super::workflow::check_field_code(code) {
                    errors.add(format!("{key}.source"), problem);
                }
            }
        }
        for field in self.provider_ref.whatsapp_components.keys() {
            let key = format!("provider_ref.whatsapp_components.{field}");
            if !seen.contains(field.as_str()) {
                errors.add(&key, "not one of the template's fields");
            } else if let Err(problem) = self.provider_ref.whatsapp_component(field) {
                errors.add(&key, problem);
            }
        }
        match parse_placeholders(&self.body) {
            Err(problem) => errors.add("body", problem),
            Ok(Placeholders::None) if !self.fields.is_empty() => {
                errors.add("fields", "a body without placeholders takes no fields");
            }
            Ok(Placeholders::None) => {}
            Ok(Placeholders::Named(names)) => {
                for name in &names {
                    if !seen.contains(name.as_str()) {
                        errors.add(
                            "fields",
                            format!("the placeholder {{{{{name}}}}} has no field"),
                        );
                    }
                }
                for field in &self.fields {
                    if !names.contains(&field.name) {
                        errors.add(
                            "fields",
                            format!("the field `{}` is not used in the body", field.name),
                        );
                    }
                }
            }
            Ok(Placeholders::Dlt(_)) if self.channel != Channel::Sms => {
                errors.add(
                    "body",
                    "DLT {#var#} variables are for SMS templates; use {{name}} placeholders",
                );
            }
            Ok(Placeholders::Dlt(count)) => {
                if count != self.fields.len() {
                    errors.add(
                        "fields",
                        format!(
                            "the body has {count} {{#var#}} variables but {} fields are defined",
                            self.fields.len()
                        ),
                    );
                }
                for (i, field) in self.fields.iter().enumerate() {
                    if field.max_length.is_some_and(|m| m > DLT_VARIABLE_MAX) {
                        errors.add(
                            format!("fields[{i}].max_length"),
                            format!("DLT variables are at most {DLT_VARIABLE_MAX} characters"),
                        );
                    }
                }
            }
        }
        errors.into_result(())
    }

    fn is_dlt(&self) -> bool {
        matches!(parse_placeholders(&self.body), Ok(Placeholders::Dlt(_)))
    }

    /// Checks `values` against the fields and renders the message. Every problem is
    /// reported: unknown fields, missing required ones, and each value that is too long,
    /// of the wrong type or does not match its pattern.
    pub fn render(
        &self,
        values: &BTreeMap<String, String>,
    ) -> Result<RenderedMessage, FieldErrors> {
        let mut errors = FieldErrors::default();
        let placeholders = match parse_placeholders(&self.body) {
            Ok(p) => p,
            Err(problem) => {
                errors.add("body", problem);
                return Err(errors);
            }
        };
        for name in values.keys() {
            if !self.fields.iter().any(|f| &f.name == name) {
                errors.add(name.clone(), "unknown field for this template");
            }
        }
        let dlt = matches!(placeholders, Placeholders::Dlt(_));
        let mut parameters = Vec::with_capacity(self.fields.len());
        for field in &self.fields {
            let given = values
                .get(&field.name)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty());
            let value = given.or(field.default.as_deref().filter(|d| !d.is_empty()));
            match value {
                None if field.required => errors.add(field.name.clone(), "required"),
                None => parameters.push((field.name.clone(), String::new())),
                Some(v) => match field.check_value(v, dlt) {
                    Ok(clean) => parameters.push((field.name.clone(), clean)),
                    Err(problem) => errors.add(field.name.clone(), problem),
                },
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let body = substitute(&self.body, &placeholders, |i, name| {
            let found = match name {
                Some(name) => parameters.iter().find(|(n, _)| n == name),
                None => parameters.get(i),
            };
            found.map(|(_, v)| v.clone()).unwrap_or_default()
        });
        if self.channel == Channel::Whatsapp && body.chars().count() > WHATSAPP_BODY_MAX {
            errors.add(
                "body",
                format!(
                    "the message would be longer than WhatsApp's {WHATSAPP_BODY_MAX} characters"
                ),
            );
            return Err(errors);
        }
        let sms = (self.channel == Channel::Sms).then(|| sms_length(&body));
        Ok(RenderedMessage {
            body,
            parameters,
            sms,
        })
    }

    /// The body with the values given so far, and `[Label]` where one is missing:
    /// the widget's live preview. Never fails.
    pub fn preview(&self, values: &BTreeMap<String, String>) -> String {
        let Ok(placeholders) = parse_placeholders(&self.body) else {
            return self.body.clone();
        };
        substitute(&self.body, &placeholders, |i, name| {
            let field = match name {
                Some(name) => self.fields.iter().find(|f| f.name == name),
                None => self.fields.get(i),
            };
            let Some(field) = field else {
                return name
                    .map(|n| format!("{{{{{n}}}}}"))
                    .unwrap_or_else(|| DLT_VAR.to_owned());
            };
            values
                .get(&field.name)
                .filter(|v| !v.trim().is_empty())
                .or(field.default.as_ref().filter(|d| !d.is_empty()))
                .cloned()
                .unwrap_or_else(|| format!("[{}]", field.label))
        })
    }
}

/// Replaces each placeholder: `value(position, Some(name))` for `{{name}}`,
/// `value(position, None)` for the `position`-th `{#var#}`.
fn substitute(
    body: &str,
    placeholders: &Placeholders,
    mut value: impl FnMut(usize, Option<&str>) -> String,
) -> String {
    match placeholders {
        Placeholders::None => body.to_owned(),
        Placeholders::Dlt(_) => {
            let mut out = String::with_capacity(body.len());
            for (i, piece) in body.split(DLT_VAR).enumerate() {
                if i > 0 {
                    out.push_str(&value(i - 1, None));
                }
                out.push_str(piece);
            }
            out
        }
        Placeholders::Named(_) => {
            let mut out = String::with_capacity(body.len());
            let mut rest = body;
            let mut i = 0;
            while let Some(start) = rest.find("{{") {
                let after = &rest[start + 2..];
                let Some(end) = after.find("}}") else { break };
                out.push_str(&rest[..start]);
                out.push_str(&value(i, Some(after[..end].trim())));
                i += 1;
                rest = &after[end + 2..];
            }
            out.push_str(rest);
            out
        }
    }
}

/// The regular expression engine. The widget's bundle matches with regex-lite (feature
/// `lite-regex`): ASCII `\d`/`\w`, no `\p{…}` classes. A pattern only the full engine
/// compiles is left to the server there (`check_value`), which always uses the full one.
#[cfg(not(feature = "lite-regex"))]
use regex as re;
#[cfg(feature = "lite-regex")]
use regex_lite as re;

/// Compiles a field pattern anchored to the whole value.
fn compile_pattern(pattern: &str) -> Option<re::Regex> {
    re::RegexBuilder::new(&format!("^(?:{pattern})$"))
        .size_limit(1 << 20)
        .build()
        .ok()
}

impl TemplateField {
    /// Checks one value; returns it cleaned (phone numbers in E.164) or the problem.
    pub fn check_value(&self, value: &str, dlt: bool) -> Result<String, String> {
        let len = value.chars().count();
        let limit = match (self.max_length, dlt) {
            (Some(max), true) => max.min(DLT_VARIABLE_MAX),
            (Some(max), false) => max,
            (None, true) => DLT_VARIABLE_MAX,
            (None, false) => FIELD_VALUE_MAX,
        };
        if len > limit {
            return Err(format!("at most {limit} characters (this has {len})"));
        }
        if value.chars().any(|c| c.is_control() && c != '\n') {
            return Err("contains control characters".into());
        }
        let clean = match self.field_type {
            FieldType::Text => value.to_owned(),
            FieldType::Number if is_decimal(value, true, None) => value.to_owned(),
            FieldType::Number => return Err("must be a number, like 42 or 3.5".into()),
            FieldType::Currency if is_amount(value) => value.to_owned(),
            FieldType::Currency => {
                return Err("must be an amount, like 1250, 1,250.50 or 1,25,000".into())
            }
            FieldType::Date if is_date(value) => value.to_owned(),
            FieldType::Date => return Err("must be a date written YYYY-MM-DD".into()),
            FieldType::Url if is_url(value) => value.to_owned(),
            FieldType::Url => return Err("must be a link starting with https:// or http://".into()),
            FieldType::Phone => match PhoneNumber::parse(value, CountryCode::default()) {
                Ok(n) => n.e164().to_owned(),
                Err(e) => return Err(format!("must be a phone number ({})", e.reason.phrase())),
            },
        };
        if let Some(pattern) = &self.pattern {
            match compile_pattern(pattern) {
                Some(re) if re.is_match(value) => {}
                Some(_) => {
                    return Err(match describe_pattern(pattern) {
                        Some(expected) => format!("must be {expected}"),
                        None => format!("must match the template's format ({pattern})"),
                    })
                }
                // The widget's regex-lite cannot read every pattern the server can: the
                // server, which checks every value again, has the last word.
                None if cfg!(feature = "lite-regex") => {}
                None => return Err("the template's pattern for this field is broken".into()),
            }
        }
        Ok(clean)
    }
}

/// An amount as people write it: digits with at most two decimals, the whole part
/// optionally grouped with commas in thousands (`1,250.50`) or the Indian way
/// (`1,25,000`).
fn is_amount(value: &str) -> bool {
    let (whole, frac) = value.split_once('.').unwrap_or((value, ""));
    let plain: String = whole.chars().filter(|c| *c != ',').collect();
    let number = if frac.is_empty() && !value.ends_with('.') {
        plain
    } else {
        format!("{plain}.{frac}")
    };
    if !is_decimal(&number, false, Some(2)) {
        return false;
    }
    let groups: Vec<&str> = whole.split(',').collect();
    match groups.as_slice() {
        [_] => true,
        [first, rest @ ..] => {
            let (last, middle) = rest.split_last().unwrap_or((&"", &[]));
            let head = (1..=3).contains(&first.len());
            let thousands = middle.iter().all(|g| g.len() == 3);
            let indian = first.len() <= 2 && middle.iter().all(|g| g.len() == 2);
            head && last.len() == 3 && (thousands || indian)
        }
        [] => false,
    }
}

/// What a simple field pattern asks for, in words (`\d{4,8}`: "4–8 digits"); none
/// for patterns too rich to say briefly.
pub fn describe_pattern(pattern: &str) -> Option<String> {
    let p = pattern.trim_start_matches('^').trim_end_matches('$');
    let (class, count) = [
        "\\d",
        "[0-9]",
        "[A-Z]",
        "[A-Za-z]",
        "[A-Z0-9]",
        "[a-zA-Z0-9]",
    ]
    .iter()
    .find_map(|c| p.strip_prefix(c).map(|rest| (*c, rest)))?;
    let what = match class {
        "\\d" | "[0-9]" => "digits",
        "[A-Z]" => "capital letters",
        "[A-Za-z]" => "letters",
        _ => "letters or digits",
    };
    let count = match count {
        "+" => return Some(format!("{what} only")),
        c => c.strip_prefix('{')?.strip_suffix('}')?,
    };
    match count.split_once(',') {
        None => Some(format!("{} {what}", count.parse::<u32>().ok()?)),
        Some((low, "")) => Some(format!("at least {} {what}", low.parse::<u32>().ok()?)),
        Some((low, high)) => Some(format!(
            "{}–{} {what}",
            low.parse::<u32>().ok()?,
            high.parse::<u32>().ok()?
        )),
    }
}

fn is_decimal(value: &str, signed: bool, max_decimals: Option<usize>) -> bool {
    let unsigned = if signed {
        value.strip_prefix('-').unwrap_or(value)
    } else {
        value
    };
    let (whole, frac) = match unsigned.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 15 && s.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && frac.is_none_or(|f| digits(f) && max_decimals.is_none_or(|m| f.len() <= m))
}

fn is_date(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

fn is_url(value: &str) -> bool {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && host.contains('.') && !r.chars().any(char::is_whitespace)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_may_be_grouped_the_western_or_the_indian_way() {
        for ok in [
            "1499",
            "1499.00",
            "1,499.00",
            "1,25,000",
            "12,34,567.5",
            "999,999",
            "0.5",
        ] {
            assert!(is_amount(ok), "{ok}");
        }
        for bad in [
            "1,49.00",
            ",499",
            "1499.",
            "1,4999",
            "1.499,00",
            "-5",
            "1,499.001",
            "12,3456",
        ] {
            assert!(!is_amount(bad), "{bad}");
        }
    }

    #[test]
    fn simple_patterns_are_said_in_words() {
        assert_eq!(describe_pattern(r"\d{4,8}").as_deref(), Some("4–8 digits"));
        assert_eq!(describe_pattern("^[0-9]{6}$").as_deref(), Some("6 digits"));
        assert_eq!(
            describe_pattern("[A-Z]{2,}").as_deref(),
            Some("at least 2 capital letters")
        );
        assert_eq!(describe_pattern(r"\d+").as_deref(), Some("digits only"));
        assert_eq!(describe_pattern("[A-Z]{3}-[0-9]{4}"), None);
    }

    #[test]
    fn the_components_text_reads_back_what_it_writes_and_keeps_bad_entries_for_the_save_check() {
        let parsed = ProviderRef::parse_components_text(" name = header,\nlink=button:0 , oops ");
        assert_eq!(parsed["name"], "header");
        assert_eq!(parsed["link"], "button:0");
        assert_eq!(parsed["oops"], "");
        let refs = ProviderRef {
            whatsapp_components: parsed,
            ..ProviderRef::default()
        };
        assert_eq!(refs.components_text(), "link=button:0, name=header, oops=");
        assert!(refs.whatsapp_component("oops").is_err());
    }

    fn field(name: &str, field_type: FieldType, required: bool) -> TemplateField {
        TemplateField {
            name: name.into(),
            label: name.to_uppercase(),
            field_type,
            required,
            max_length: None,
            pattern: None,
            default: None,
            source: None,
        }
    }

    fn template(channel: Channel, body: &str, fields: Vec<TemplateField>) -> Template {
        Template {
            id: TemplateId::parse("t_test").expect("valid id"),
            name: "Test".into(),
            channel,
            body: body.into(),
            fields,
            language: None,
            provider_ref: ProviderRef::default(),
        }
    }

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn placeholders_of_both_styles_are_recognised() {
        assert_eq!(parse_placeholders("Hello"), Ok(Placeholders::None));
        assert_eq!(
            parse_placeholders("Hi {{ name }}, pay {{amount}} {{name}}"),
            Ok(Placeholders::Named(vec!["name".into(), "amount".into()]))
        );
        assert_eq!(
            parse_placeholders("OTP {#var#} for {#var#}"),
            Ok(Placeholders::Dlt(2))
        );
    }

    #[test]
    fn malformed_placeholders_are_refused() {
        assert!(parse_placeholders("Hi {{name").is_err());
        assert!(parse_placeholders("Hi {{first name}}").is_err());
        assert!(parse_placeholders("Hi {{name}} {#var#}").is_err());
        assert!(parse_placeholders("Hi {#name#}").is_err());
    }

    #[test]
    fn a_static_template_renders_as_is() {
        let t = template(Channel::Sms, "Thanks for calling.", vec![]);
        assert_eq!(t.kind(), TemplateKind::Static);
        let m = t.render(&BTreeMap::new()).expect("renders");
        assert_eq!(m.body, "Thanks for calling.");
        assert_eq!(m.sms.map(|s| s.segments), Some(1));
    }

    #[test]
    fn a_dynamic_template_renders_named_values() {
        let t = template(
            Channel::Whatsapp,
            "Hi {{name}}, order {{order}} ships {{date}}.",
            vec![
                field("name", FieldType::Text, true),
                field("order", FieldType::Text, true),
                field("date", FieldType::Date, true),
            ],
        );
        let m = t
            .render(&values(&[
                ("name", "Asha"),
                ("order", "A-17"),
                ("date", "2026-12-01"),
            ]))
            .expect("renders");
        assert_eq!(m.body, "Hi Asha, order A-17 ships 2026-12-01.");
        assert_eq!(m.sms, None);
    }

    #[test]
    fn every_field_problem_is_reported_at_once() {
        let mut code = field("code", FieldType::Text, true);
        code.pattern = Some("[0-9]{6}".into());
        let mut short = field("short", FieldType::Text, false);
        short.max_length = Some(3);
        let t = template(
            Channel::Sms,
            "{{name}} {{amount}} {{code}} {{short}} {{link}}",
            vec![
                field("name", FieldType::Text, true),
                field("amount", FieldType::Currency, true),
                code,
                short,
                field("link", FieldType::Url, false),
            ],
        );
        let errors = t
            .render(&values(&[
                ("amount", "12.345"),
                ("code", "12ab56"),
                ("short", "long"),
                ("link", "ftp://x"),
                ("extra", "1"),
            ]))
            .expect_err("refused");
        let keys: Vec<&str> = errors.0.keys().map(String::as_str).collect();
        assert_eq!(keys, ["amount", "code", "extra", "link", "name", "short"]);
        assert_eq!(errors.0["name"], "required");
        assert_eq!(errors.0["extra"], "unknown field for this template");
    }

    #[test]
    fn defaults_fill_missing_values() {
        let mut name = field("name", FieldType::Text, true);
        name.default = Some("Customer".into());
        let t = template(Channel::Sms, "Dear {{name}}", vec![name]);
        assert_eq!(
            t.render(&BTreeMap::new()).expect("renders").body,
            "Dear Customer"
        );
    }

    #[test]
    fn dlt_variables_are_positional_and_at_most_30_characters() {
        let t = template(
            Channel::Sms,
            "Dear {#var#}, pay Rs {#var#} -ACME",
            vec![
                field("name", FieldType::Text, true),
                field("amount", FieldType::Currency, true),
            ],
        );
        assert_eq!(t.check(), Ok(()));
        let m = t
            .render(&values(&[("name", "Asha"), ("amount", "250")]))
            .expect("renders");
        assert_eq!(m.body, "Dear Asha, pay Rs 250 -ACME");
        let long = "x".repeat(31);
        let errors = t
            .render(&values(&[("name", &long), ("amount", "250")]))
            .expect_err("too long");
        assert_eq!(errors.0["name"], "at most 30 characters (this has 31)");
    }

    #[test]
    fn phone_fields_are_normalised() {
        let t = template(
            Channel::Rcs,
            "Call {{callback}}",
            vec![field("callback", FieldType::Phone, true)],
        );
        let m = t
            .render(&values(&[("callback", "98765 43210")]))
            .expect("renders");
        assert_eq!(m.body, "Call +919876543210");
    }

    #[test]
    fn dates_numbers_and_urls_are_checked() {
        let date = field("d", FieldType::Date, true);
        assert!(date.check_value("2024-02-29", false).is_ok());
        assert!(date.check_value("2023-02-29", false).is_err());
        assert!(date.check_value("01/02/2024", false).is_err());
        let number = field("n", FieldType::Number, true);
        assert!(number.check_value("-3.5", false).is_ok());
        assert!(number.check_value("3.", false).is_err());
        let url = field("u", FieldType::Url, true);
        assert!(url
            .check_value("https://pay.example.com/x?y=1", false)
            .is_ok());
        assert!(url.check_value("https://localhost", false).is_err());
    }

    #[test]
    fn whatsapp_bodies_over_1024_characters_fail_the_save_check() {
        let t = template(Channel::Whatsapp, &"a".repeat(1025), vec![]);
        let errors = t.check().expect_err("too long");
        assert!(errors.0["body"].contains("1024"));
    }

    #[test]
    fn the_save_check_compares_placeholders_and_fields() {
        let t = template(
            Channel::Sms,
            "Hi {{name}}",
            vec![field("nmae", FieldType::Text, true)],
        );
        let errors = t.check().expect_err("mismatch");
        assert!(errors.0["fields"].contains("{{name}}"));
        let dlt = template(Channel::Sms, "Hi {#var#}", vec![]);
        assert!(dlt.check().expect_err("count").0["fields"].contains("1 {#var#}"));
        let mut wide = field("a", FieldType::Text, true);
        wide.max_length = Some(40);
        let dlt = template(Channel::Sms, "Hi {#var#}", vec![wide]);
        assert!(dlt
            .check()
            .expect_err("width")
            .0
            .contains_key("fields[0].max_length"));
    }

    #[test]
    fn dlt_variables_are_refused_outside_sms() {
        let t = template(
            Channel::Whatsapp,
            "Hi {#var#}",
            vec![field("a", FieldType::Text, true)],
        );
        assert!(t.check().expect_err("not sms").0["body"].contains("SMS"));
    }

    #[test]
    fn the_preview_marks_missing_values_with_their_label() {
        let t = template(
            Channel::Sms,
            "Hi {{name}}, pay {{amount}}",
            vec![
                field("name", FieldType::Text, true),
                field("amount", FieldType::Currency, true),
            ],
        );
        assert_eq!(
            t.preview(&values(&[("name", "Asha")])),
            "Hi Asha, pay [AMOUNT]"
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn no_body_makes_placeholder_parsing_panic(body in "\\PC{0,200}") {
                let _ = parse_placeholders(&body);
            }

            #[test]
            fn no_body_or_values_make_rendering_panic(
                body in "(\\PC|\\{\\{|\\}\\}|\\{#var#\\}|name){0,40}",
                name in "\\PC{0,40}",
                other in "\\PC{0,10}",
            ) {
                let t = template(Channel::Sms, &body, vec![field("name", FieldType::Text, true)]);
                let _ = t.check();
                let _ = t.preview(&values(&[("name", &name)]));
                let _ = t.render(&values(&[("name", &name), (&other, "x")]));
            }

            #[test]
            fn a_rendered_value_appears_verbatim_in_the_body(name in "[A-Za-z][A-Za-z ]{0,29}") {
                let t = template(Channel::Sms, "Dear {{name}}!", vec![field("name", FieldType::Text, true)]);
                let m = t.render(&values(&[("name", &name)])).expect("valid value renders");
                prop_assert_eq!(m.body, format!("Dear {}!", name.trim()));
            }

            #[test]
            fn any_typed_value_is_checked_without_panicking(
                value in "\\PC{0,60}", kind in 0usize..6, pattern in "\\PC{0,12}"
            ) {
                let types = [FieldType::Text, FieldType::Number, FieldType::Date, FieldType::Currency, FieldType::Url, FieldType::Phone];
                let mut f = field("f", types[kind], true);
                f.pattern = Some(pattern);
                let _ = f.check_value(&value, kind % 2 == 0);
            }
        }
    }
}

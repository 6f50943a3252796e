//! Workflow sends (an IVR or a workflow engine with an API key): values for a template's
//! fields drawn from the contact, the agent and custom data, by each field's code
//! (`contact.first_name`, `agent.name`, `custom.order_id`).

use super::{FieldErrors, TemplateField};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The data a workflow send carries (`"data"` of `POST /api/v1/notifications`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SendData {
    /// What the workflow knows about the customer.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub contact: BTreeMap<String, serde_json::Value>,
    /// About the agent (or the queue) the workflow acts for.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub agent: BTreeMap<String, serde_json::Value>,
    /// Anything else (an order number, a link).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom: BTreeMap<String, serde_json::Value>,
}

/// The longest key a field code names.
const MOST_KEY: usize = 64;

/// Checks a field code: `contact.`, `agent.` or `custom.` then a key of letters,
/// digits and `_` (at most 64).
pub fn check_field_code(code: &str) -> Result<(), String> {
    let Some((part, key)) = code.split_once('.') else {
        return Err("a field code is contact.<key>, agent.<key> or custom.<key>".into());
    };
    if !matches!(part, "contact" | "agent" | "custom") {
        return Err("a field code starts with contact., agent. or custom.".into());
    }
    if key.is_empty()
        || key.len() > MOST_KEY
        || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return Err(format!(
            "the key after {part}. is 1 to {MOST_KEY} letters, digits or _"
        ));
    }
    Ok(())
}

impl SendData {
    /// The value a field code names, as text (numbers and true/false written out).
    pub fn lookup(&self, code: &str) -> Option<Result<String, String>> {
        let (part, key) = code.split_once('.')?;
        let map = match part {
            "contact" => &self.contact,
            "agent" => &self.agent,
            "custom" => &self.custom,
            _ => return None,
        };
        Some(match map.get(key)? {
            serde_json::Value::String(s) => Ok(s.clone()),
            serde_json::Value::Number(n) => Ok(n.to_string()),
            serde_json::Value::Bool(b) => Ok(b.to_string()),
            serde_json::Value::Null => return None,
            _ => Err(format!("{code} is not a text value")),
        })
    }
}

/// Fills `values` for every field given no literal value whose code `data` holds.
/// A required field without a literal, a default or its code in `data` is named, with
/// the code it looked for.
pub fn fill_from_data(
    fields: &[TemplateField],
    values: &mut BTreeMap<String, String>,
    data: &SendData,
) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    for field in fields {
        let given = values
            .get(&field.name)
            .is_some_and(|v| !v.trim().is_empty());
        let Some(code) = field.source.as_deref().filter(|_| !given) else {
            continue;
        };
        match data.lookup(code) {
            Some(Ok(value)) => {
                values.insert(field.name.clone(), value);
            }
            Some(Err(problem)) => errors.add(field.name.clone(), problem),
            None if field.required && field.default.as_deref().unwrap_or("").is_empty() => {
                errors.add(
                    field.name.clone(),
                    format!("required: {code} is not in data"),
                );
            }
            None => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::FieldType;
    use serde_json::json;

    fn field(name: &str, source: Option<&str>, required: bool) -> TemplateField {
        TemplateField {
            name: name.into(),
            label: name.into(),
            field_type: FieldType::Text,
            required,
            max_length: None,
            pattern: None,
            default: None,
            source: source.map(str::to_owned),
        }
    }

    #[test]
    fn codes_fill_what_the_caller_did_not_give_and_a_literal_wins() {
        let data: SendData = serde_json::from_value(json!({
            "contact": {"first_name": "Asha", "visits": 3},
            "custom": {"order_id": "A-17"}
        }))
        .expect("data");
        let fields = [
            field("name", Some("contact.first_name"), true),
            field("order", Some("custom.order_id"), true),
            field("count", Some("contact.visits"), false),
            field("agent", Some("agent.name"), false),
        ];
        let mut values = BTreeMap::from([("order".to_owned(), "B-2".to_owned())]);
        fill_from_data(&fields, &mut values, &data).expect("filled");
        assert_eq!(values["name"], "Asha");
        assert_eq!(values["order"], "B-2", "a literal value is kept");
        assert_eq!(values["count"], "3");
        assert!(
            !values.contains_key("agent"),
            "an optional code with no data stays empty"
        );
    }

    #[test]
    fn a_required_code_missing_from_data_names_the_field_and_the_code() {
        let fields = [field("name", Some("contact.first_name"), true)];
        let errors = fill_from_data(&fields, &mut BTreeMap::new(), &SendData::default())
            .expect_err("missing");
        assert_eq!(
            errors.0["name"],
            "required: contact.first_name is not in data"
        );
        let nested: SendData =
            serde_json::from_value(json!({"contact": {"first_name": {"x": 1}}})).expect("data");
        let errors = fill_from_data(&fields, &mut BTreeMap::new(), &nested).expect_err("not text");
        assert!(errors.0["name"].contains("not a text value"));
    }

    #[test]
    fn a_field_code_names_one_of_three_parts_and_a_plain_key() {
        assert!(check_field_code("contact.first_name").is_ok());
        assert!(check_field_code("custom.order_id").is_ok());
        assert!(check_field_code("crm.name").is_err());
        assert!(check_field_code("contact.").is_err());
        assert!(check_field_code("contact.first name").is_err());
        assert!(check_field_code("name").is_err());
    }
}

#[cfg(test)]
mod crm_tests {
    use crate::domain::{CustomerDetails, FieldType, TemplateField};
    use std::collections::BTreeMap;

    #[test]
    fn the_widget_prefills_a_field_from_the_crm_by_its_contact_code() {
        let crm = CustomerDetails {
            id: None,
            country: None,
            name: Some("Asha Rao".into()),
            numbers: vec![],
            fields: BTreeMap::from([("first_name".to_owned(), "Asha".to_owned())]),
        };
        let field = |name: &str, source: Option<&str>| TemplateField {
            name: name.into(),
            label: name.into(),
            field_type: FieldType::Text,
            required: true,
            max_length: None,
            pattern: None,
            default: None,
            source: source.map(str::to_owned),
        };
        assert_eq!(
            crm.value_for_field(&field("greeting", Some("contact.first_name"))),
            Some("Asha".into())
        );
        assert_eq!(
            crm.value_for_field(&field("who", Some("contact.name"))),
            Some("Asha Rao".into())
        );
        assert_eq!(
            crm.value_for_field(&field("name", Some("custom.x"))),
            Some("Asha Rao".into())
        );
        assert_eq!(crm.value_for_field(&field("order", None)), None);
    }
}

//! The checks an admin's template must pass on save.

use super::*;
use std::collections::BTreeSet;

impl Template {
    /// The checks an admin's template must pass on save; every problem is reported.
    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        self.check_name_and_body(&mut errors);
        let names = self.check_fields(&mut errors);
        self.check_components(&names, &mut errors);
        self.check_placeholders(&names, &mut errors);
        errors.into_result(())
    }

    /// The name and the body's length.
    fn check_name_and_body(&self, errors: &mut FieldErrors) {
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
    }

    /// Each field on its own; the names of the fields.
    fn check_fields(&self, errors: &mut FieldErrors) -> BTreeSet<&str> {
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
                if let Err(problem) = crate::domain::workflow::check_field_code(code) {
                    errors.add(format!("{key}.source"), problem);
                }
            }
        }
        seen
    }

    /// The WhatsApp components named for the fields.
    fn check_components(&self, seen: &BTreeSet<&str>, errors: &mut FieldErrors) {
        for field in self.provider_ref.whatsapp_components.keys() {
            let key = format!("provider_ref.whatsapp_components.{field}");
            if !seen.contains(field.as_str()) {
                errors.add(&key, "not one of the template's fields");
            } else if let Err(problem) = self.provider_ref.whatsapp_component(field) {
                errors.add(&key, problem);
            }
        }
    }

    /// The body's placeholders against the fields.
    fn check_placeholders(&self, seen: &BTreeSet<&str>, errors: &mut FieldErrors) {
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
    }

    fn is_dlt(&self) -> bool {
        matches!(parse_placeholders(&self.body), Ok(Placeholders::Dlt(_)))
    }
}

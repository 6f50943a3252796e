//! Rendering: the fields' values checked and put in the body's placeholders.

use super::*;

impl Template {
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

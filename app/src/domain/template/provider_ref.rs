//! What a provider calls a template: its own names and ids, per channel and provider.

use super::*;

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

    /// [`dlt_missing`](Self::dlt_missing) as the settings page labels them, joined:
    /// `DLT entity id, DLT content template id, DLT header`.
    pub fn dlt_missing_words(&self) -> String {
        self.dlt_missing()
            .into_iter()
            .map(|name| match name {
                "dlt_entity_id" => "DLT entity id",
                "dlt_template_id" => "DLT content template id",
                _ => "DLT header",
            })
            .collect::<Vec<_>>()
            .join(", ")
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

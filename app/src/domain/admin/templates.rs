//! Templates as the settings page sees and saves them.

use super::*;

/// Creating or replacing a template (`kind` is derived from the body; if given it must agree).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    /// The id (on create; derived from the channel and name when absent).
    #[serde(default)]
    pub id: Option<TemplateId>,
    /// The name agents see (unique per channel).
    pub name: String,
    /// The channel.
    pub channel: Channel,
    /// The text with placeholders.
    pub body: String,
    /// One definition per placeholder.
    #[serde(default)]
    pub fields: Vec<crate::domain::template::TemplateField>,
    /// The language code.
    #[serde(default)]
    pub language: Option<String>,
    /// The provider's references.
    #[serde(default)]
    pub provider_ref: crate::domain::template::ProviderRef,
    /// `static` or `dynamic`, as read back from GET (checked, not stored).
    #[serde(default)]
    pub kind: Option<crate::domain::template::TemplateKind>,
}

/// A template as the settings page sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TemplateView {
    /// The template.
    #[serde(flatten)]
    pub template: crate::domain::template::Template,
    /// Static or dynamic.
    pub kind: crate::domain::template::TemplateKind,
}

impl From<crate::domain::template::Template> for TemplateView {
    fn from(template: crate::domain::template::Template) -> Self {
        Self {
            kind: template.kind(),
            template,
        }
    }
}

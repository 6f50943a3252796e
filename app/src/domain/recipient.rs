//! A number an agent typed, checked: valid (in each of its forms, with what its
//! customer said to us) or not, and why (`POST /api/v1/phone/validate`).

use super::phone::{NumberType, PhoneNumber, PhoneParseError};
use super::{Channel, ReplyWindow};
use serde::{Deserialize, Serialize};

/// `POST /api/v1/phone/validate` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PhoneCheckRequest {
    /// The number as typed.
    pub number: String,
    /// The ISO country to read a national number in (default: the configured one).
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<super::CountryCode>))]
    pub country: Option<String>,
    /// The call it is for: with a CRM, a number that belongs to another customer than
    /// the call's is flagged.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<super::ids::CallId>))]
    pub call_id: Option<String>,
    /// The customer it is for (the CRM's id), when the caller knows it.
    #[serde(default)]
    pub customer_id: Option<String>,
}

/// The answer of a phone check: `valid` says which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum PhoneCheck {
    /// The number is valid.
    Valid(ValidNumber),
    /// The number is not valid.
    Invalid(InvalidNumber),
}

/// A valid number, in each of its forms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ValidNumber {
    /// Always true.
    pub valid: bool,
    /// `+919876543210`.
    pub e164: String,
    /// `IN`.
    pub country: String,
    /// `098765 43210`.
    pub national: String,
    /// `+91 98765 43210`.
    pub international: String,
    /// Mobile, fixed line, …
    #[serde(rename = "type")]
    pub kind: NumberType,
    /// What this customer said to us: the WhatsApp window, and the channels they
    /// opted out of (for a caller who may send).
    #[serde(flatten)]
    pub recipient: RecipientState,
}

/// A number that is not valid, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InvalidNumber {
    /// Always false.
    pub valid: bool,
    /// `too_short`, …
    pub reason: String,
    /// A sentence for a person.
    pub message: String,
}

impl From<Result<PhoneNumber, PhoneParseError>> for PhoneCheck {
    fn from(result: Result<PhoneNumber, PhoneParseError>) -> Self {
        match result {
            Ok(n) => Self::Valid(ValidNumber {
                valid: true,
                e164: n.e164().to_owned(),
                country: n.country().as_str().to_owned(),
                national: n.national(),
                international: n.international().to_owned(),
                kind: n.kind(),
                recipient: RecipientState::default(),
            }),
            Err(e) => Self::Invalid(InvalidNumber {
                valid: false,
                reason: e.reason.code().to_owned(),
                message: e.message(),
            }),
        }
    }
}

/// What a customer said to us, as the widget shows it beside their number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RecipientState {
    /// The WhatsApp customer-service window (when the caller's group sends WhatsApp).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<ReplyWindow>,
    /// The channels this number may not be sent on (it opted out).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opted_out: Vec<Channel>,
    /// The CRM says the number belongs to another customer (a warning, never a block).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<Conflict>,
}

/// Whose number it is, when the CRM says another customer's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Conflict {
    /// The other customer, as the CRM names them.
    pub customer: String,
}

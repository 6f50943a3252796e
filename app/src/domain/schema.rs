//! The OpenAPI schemas of the wire types whose serde form is written by hand (the
//! parsed ids, numbers and codes): the server's API description is generated from the
//! same types the handlers take and return (server side only).

use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::RefOr;

/// A text of `min..=max` characters matching `pattern`, with an example.
pub fn text(min: usize, max: usize, pattern: &str, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(min))
        .max_length(Some(max))
        .pattern(Some(pattern))
        .examples([example])
        .into()
}

/// Gives a type with a hand-written serde form the schema `$schema`, named after it.
macro_rules! named_schema {
    ($name:ty, $schema:expr) => {
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $schema
            }
        }
        impl utoipa::ToSchema for $name {}
    };
}
pub(crate) use named_schema;

named_schema!(
    super::E164,
    text(9, 16, r"^\+[1-9][0-9]{7,14}$", "+919876543210")
);
named_schema!(super::CountryCode, text(2, 2, "^[A-Za-z]{2}$", "IN"));
named_schema!(
    super::FieldValue,
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([
            Type::String,
            Type::Number,
            Type::Boolean,
            Type::Null,
        ]))
        .description(Some(
            "Text; numbers and booleans are written out, null is empty"
        ))
        .examples(["Ravi"])
        .into()
);

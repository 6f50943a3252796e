use super::values::is_amount;
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

use super::*;

fn twilio(credentials: &[(&str, &str)], sender: &str) -> ProviderAccountInput {
    ProviderAccountInput {
        id: None,
        channel: Channel::Sms,
        provider: "twilio".into(),
        display_name: "Twilio SMS".into(),
        sender: sender.into(),
        credentials: credentials
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        default: false,
        allow_list: None,
        key: None,
        description: None,
        recontact_template: None,
    }
}

#[test]
fn an_account_input_is_refused_by_the_field_at_fault() {
    let kind = ProviderKind::named("twilio").expect("twilio");
    let wrong_channel = ProviderAccountInput {
        channel: Channel::Rcs,
        ..twilio(&[], "+15005550006")
    };
    assert_eq!(
        wrong_channel.check(kind).map_err(|p| p.field),
        Err("channel".into())
    );
    let unknown = twilio(&[("api_key", "x")], "+15005550006");
    assert_eq!(
        unknown.check(kind).map_err(|p| (p.code, p.field)),
        Err(("unknown_credential", "credentials.api_key".into()))
    );
    let long_sender = twilio(&[], &"9".repeat(SENDER_MAX + 1));
    assert_eq!(
        long_sender.check(kind).map_err(|p| p.code),
        Err("invalid_sender")
    );
    assert_eq!(twilio(&[("auth_token", "x")], "+1").check(kind), Ok(()));
}

#[test]
fn an_account_needs_every_credential_of_its_type_and_a_sender() {
    let kind = ProviderKind::named("twilio").expect("twilio");
    let one = twilio(&[("auth_token", "x")], "+1").credentials;
    assert_eq!(
        kind.check_account(&one, "+1").map_err(|p| p.field),
        Err("credentials.account_sid".into())
    );
    let both = twilio(&[("auth_token", "x"), ("account_sid", "AC1")], "").credentials;
    assert_eq!(
        kind.check_account(&both, " ").map_err(|p| p.code),
        Err("invalid_sender")
    );
    assert_eq!(kind.check_account(&both, "+1"), Ok(()));
}

#[test]
fn a_service_account_key_must_be_a_key_file() {
    let kind = ProviderKind::named("rbm").expect("rbm");
    let mut credentials = BTreeMap::from([
        ("service_account_json".to_owned(), "{}".to_owned()),
        ("client_token".to_owned(), "t".to_owned()),
    ]);
    assert_eq!(
        kind.check_account(&credentials, "agent")
            .map_err(|p| p.code),
        Err("invalid_credential")
    );
    credentials.insert(
        "service_account_json".into(),
        r#"{"client_email": "a@b", "private_key": "k", "token_uri": "https://t"}"#.into(),
    );
    assert_eq!(kind.check_account(&credentials, "agent"), Ok(()));
}

#[test]
fn an_account_key_is_one_to_five_letters_and_digits_in_capitals() {
    assert_eq!(
        AccountKey::parse(" kal1 ").map(String::from),
        Ok("KAL1".to_owned())
    );
    for bad in ["", "SIXCHR", "K-1", "ñ"] {
        assert_eq!(
            AccountKey::parse(bad).map_err(|p| p.code),
            Err("invalid_key")
        );
    }
}

#[test]
fn a_suggested_key_is_the_types_first_letters_then_a_free_number() {
    let taken = [
        AccountKey::parse("SIN").expect("key"),
        AccountKey::parse("SIN2").expect("key"),
    ];
    assert_eq!(
        AccountKey::suggest("sinch_conversation", &taken).as_str(),
        "SIN3"
    );
    assert_eq!(AccountKey::suggest("kaleyra", &taken).as_str(), "KAL");
}

fn audit_entry(
    action: &str,
    entity: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> AuditEntry {
    AuditEntry {
        id: 1,
        at: "2026-12-07T10:00:00Z".into(),
        actor: "admin".into(),
        action: action.into(),
        entity: entity.into(),
        entity_id: "demo".into(),
        before,
        after,
    }
}

#[test]
fn an_audit_entry_says_what_happened_and_what_changed_in_words() {
    let change = audit_entry(
        "update",
        "group",
        Some(serde_json::json!({"name": "Demo", "default_country": "IN", "ids": ["a", "b"]})),
        Some(
            serde_json::json!({"name": "Demo agents", "default_country": "IN", "ids": [], "active": true,
            "ref": {"dlt_header": "ACMEIN", "dlt_entity_id": null}}),
        ),
    );
    assert_eq!(change.summary(), "Changed group demo");
    assert_eq!(
        change.changes(),
        [
            "Active: yes",
            "Ids: a, b → none",
            "Name: Demo → Demo agents",
            "Ref: (dlt header ACMEIN)"
        ]
    );
    let session = audit_entry("sign_in", "session", None, None);
    assert_eq!(session.summary(), "Signed in");
    assert!(session.changes().is_empty());
    assert_eq!(
        audit_entry("delete", "api_key", None, None).summary(),
        "Deleted API key demo"
    );
}

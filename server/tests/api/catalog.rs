use crate::helpers::{error_of, json_reply, TestApp};
use serde_json::{json, Value};

#[tokio::test]
async fn countries_default_to_india_and_list_dial_codes_and_the_numbering_plan() {
    let app = TestApp::spawn().await;
    let body: Value = app.get_json("/api/v1/countries", &app.agent).await;
    assert_eq!(body["default"], "IN");
    assert_eq!(body["numbering_plan"], "libphonenumber 9.0.33");
    let countries = body["countries"].as_array().expect("list");
    assert!(countries.len() > 200);
    assert!(countries.contains(&json!({"iso2": "IN", "name": "India", "dial_code": "+91"})));
}

#[tokio::test]
async fn a_valid_number_is_normalised_to_e164() {
    let app = TestApp::spawn().await;
    let body: Value = json_reply(
        app.post("/api/v1/phone/validate", &app.agent)
            .json(&json!({"number": "098765-43210", "country": "IN"})),
    )
    .await;
    assert_eq!(
        body,
        json!({"valid": true, "e164": "+919876543210", "country": "IN", "national": "098765 43210",
               "international": "+91 98765 43210", "type": "mobile",
               "window": {"open": false}}),
        "and, as the demo group sends WhatsApp, that the customer's window is closed"
    );
}

#[tokio::test]
async fn each_invalid_number_gets_its_reason_and_a_message() {
    let app = TestApp::spawn().await;
    let cases = [
        ("hello", "not_a_number"),
        ("98765 43210 ext. 12", "has_extension"),
        ("+999 123 456 789", "invalid_country_code"),
        ("98765", "too_short"),
        ("9876 5432 1012 3456", "too_long"),
        ("55555 55555", "invalid"),
    ];
    for (number, reason) in cases {
        let body: Value = json_reply(
            app.post("/api/v1/phone/validate", &app.agent)
                .json(&json!({"number": number})),
        )
        .await;
        assert_eq!(body["valid"], false, "{number}");
        assert_eq!(body["reason"], reason, "{number}");
        assert!(
            body["message"].as_str().is_some_and(|m| m.len() > 10),
            "{number}"
        );
    }
}

#[tokio::test]
async fn an_unknown_country_is_refused_with_the_field_named() {
    let app = TestApp::spawn().await;
    let r = app
        .post("/api/v1/phone/validate", &app.agent)
        .json(&json!({"number": "1", "country": "XX"}))
        .send()
        .await;
    let error = error_of(r.expect("sent"), 422, "invalid_country").await;
    assert!(error["fields"]["country"].is_string());
}

#[tokio::test]
async fn an_agent_sees_the_templates_of_their_group_in_the_admins_order() {
    let app = TestApp::spawn().await;
    let list: Vec<Value> = app
        .get_json("/api/v1/templates?channel=sms", &app.agent)
        .await;
    let ids: Vec<&str> = list.iter().filter_map(|t| t["id"].as_str()).collect();
    assert_eq!(ids, ["t_sms_thanks", "t_otp", "t_sms_payment"]);
    assert_eq!(list[0]["kind"], "static");
    assert_eq!(list[1]["kind"], "dynamic");
    assert_eq!(list[1]["fields"][0]["name"], "code");
    assert!(list.iter().all(|t| t["channel"] == "sms"));
}

#[tokio::test]
async fn without_a_channel_every_enabled_channel_is_listed() {
    let app = TestApp::spawn().await;
    let list: Vec<Value> = app.get_json("/api/v1/templates", &app.agent).await;
    for channel in ["sms", "whatsapp", "rcs"] {
        assert!(
            list.iter().any(|t| t["channel"] == channel),
            "{channel} missing"
        );
    }
}

#[tokio::test]
async fn an_agent_of_another_group_sees_none_of_them() {
    let app = TestApp::spawn().await;
    let list: Vec<Value> = app.get_json("/api/v1/templates", &app.stranger).await;
    assert!(list.is_empty());
}

#[tokio::test]
async fn an_unknown_channel_is_refused() {
    let app = TestApp::spawn().await;
    let r = app.fetch("/api/v1/templates?channel=fax", &app.agent).await;
    error_of(r, 422, "invalid_channel").await;
}

/// An app whose deployment names no default provider (`providers.default = "none"`, as
/// an unset one is with a production backend).
async fn app_without_a_default_provider() -> TestApp {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = crate::helpers::test_settings(dir.path());
    settings.providers.default = server::config::DefaultProvider::None;
    TestApp::spawn_with(dir, settings, server::startup::WorkerMode::InProcess).await
}

#[tokio::test]
async fn without_a_default_provider_a_channel_with_no_account_is_not_offered_and_its_sends_are_refused(
) {
    let app = app_without_a_default_provider().await;
    let boot: Value = app.get_json("/api/v1/widget/bootstrap", &app.agent).await;
    assert_eq!(
        boot["channels"],
        json!([]),
        "the demo group has no account on any channel"
    );
    assert!(boot["templates"].as_array().expect("list").is_empty());
    assert!(boot.get("test_mode").is_none());

    let r = app
        .send(
            &json!({"to": "+919876543210", "channel": "sms", "template_id": "t_sms_thanks"}),
            None,
        )
        .await;
    let error = error_of(r, 422, "channel_unavailable").await;
    assert_eq!(error["fields"]["channel"], "no provider account");
    let listed: Value = app.get_json("/api/v1/notifications", &app.agent).await;
    assert_eq!(listed, json!([]), "nothing was recorded");

    let setups: Value = app.get_json("/api/v1/admin/channels", &app.admin).await;
    assert_eq!(
        setups,
        json!([{"channel": "sms", "sends": "unavailable"},
               {"channel": "whatsapp", "sends": "unavailable"},
               {"channel": "rcs", "sends": "unavailable"}])
    );
}

#[tokio::test]
async fn with_the_sandbox_every_channel_without_an_account_is_in_test_mode_and_says_so() {
    let app = TestApp::spawn().await;
    let boot: Value = app.get_json("/api/v1/widget/bootstrap", &app.agent).await;
    assert_eq!(boot["channels"], json!(["sms", "whatsapp", "rcs"]));
    assert_eq!(boot["test_mode"], boot["channels"]);
    let setups: Value = app.get_json("/api/v1/admin/channels", &app.admin).await;
    assert_eq!(setups[0], json!({"channel": "sms", "sends": "sandbox"}));
}

#[tokio::test]
async fn an_agent_keeps_their_own_alert_preferences_and_an_admin_has_none() {
    let app = TestApp::spawn().await;
    let url = format!("{}/api/v1/me/preferences", app.base);
    let defaults: Value = app.get_json("/api/v1/me/preferences", &app.agent).await;
    assert_eq!(
        defaults,
        json!({"alerts": "failures_and_replies", "sound": false})
    );

    let saved: Value = json_reply(
        app.client
            .put(&url)
            .bearer_auth(&app.agent)
            .json(&json!({"alerts": "all", "sound": true})),
    )
    .await;
    assert_eq!(saved, json!({"alerts": "all", "sound": true}));
    let again: Value = app.get_json("/api/v1/me/preferences", &app.agent).await;
    assert_eq!(again, saved);
    let colleague: Value = app.get_json("/api/v1/me/preferences", &app.colleague).await;
    assert_eq!(colleague, defaults, "each agent's own");

    let wrong = app
        .client
        .put(&url)
        .bearer_auth(&app.agent)
        .json(&json!({"alerts": "sometimes"}))
        .send()
        .await
        .expect("sent");
    error_of(wrong, 422, "invalid_body").await;
    let admin = app
        .client
        .get(&url)
        .bearer_auth(&app.admin)
        .send()
        .await
        .expect("sent");
    error_of(admin, 403, "agents_only").await;
}

use crate::helpers::{error_of, message_of, static_sms, TestApp};
use reqwest::header::CONTENT_TYPE;

#[tokio::test]
async fn a_request_without_a_token_is_401() {
    let app = TestApp::spawn().await;
    for path in [
        "/api/v1/countries",
        "/api/v1/templates",
        "/api/v1/notifications",
        "/api/v1/calls/c-1/comments",
    ] {
        error_of(app.get_anonymously(path).await, 401, "missing_token").await;
    }
}

#[tokio::test]
async fn a_forged_or_garbled_token_is_401() {
    let app = TestApp::spawn().await;
    let forged = format!("{}x", app.agent);
    for token in [forged.as_str(), "not-a-jwt", "a.b.c"] {
        let r = app.fetch("/api/v1/templates", token).await;
        error_of(r, 401, "invalid_token").await;
    }
}

#[tokio::test]
async fn malformed_json_is_400() {
    let app = TestApp::spawn().await;
    let r = app
        .post("/api/v1/notifications", &app.agent)
        .header(CONTENT_TYPE, "application/json")
        .body("{\"to\": ")
        .send()
        .await
        .expect("sent");
    error_of(r, 400, "malformed_json").await;
}

#[tokio::test]
async fn unknown_fields_and_wrong_types_are_422() {
    let app = TestApp::spawn().await;
    let mut extra = static_sms("c-1");
    extra["priority"] = serde_json::json!("high");
    let error = error_of(app.send(&extra, None).await, 422, "invalid_body").await;
    assert!(message_of(&error).contains("priority"));
    let mut wrong = static_sms("c-1");
    wrong["channel"] = serde_json::json!(7);
    error_of(app.send(&wrong, None).await, 422, "invalid_body").await;
    let mut bad_to = static_sms("c-1");
    bad_to["to"] = serde_json::json!(919876543210u64);
    let error = error_of(app.send(&bad_to, None).await, 422, "invalid_body").await;
    assert!(message_of(&error).contains("country"));
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let app = TestApp::spawn().await;
    let r = app
        .post("/api/v1/notifications", &app.agent)
        .body("to=1")
        .send()
        .await
        .expect("sent");
    error_of(r, 415, "unsupported_media_type").await;
}

#[tokio::test]
async fn an_oversize_body_is_413() {
    let app = TestApp::spawn().await;
    let huge = format!("{{\"to\": \"{}\"}}", "9".repeat(200_000));
    let r = app
        .post("/api/v1/notifications", &app.agent)
        .header(CONTENT_TYPE, "application/json")
        .body(huge)
        .send()
        .await
        .expect("sent");
    error_of(r, 413, "payload_too_large").await;
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_in_the_error_shape() {
    let app = TestApp::spawn().await;
    app.get_error("/api/v1/nope", &app.agent, 404, "not_found")
        .await;
    let r = app
        .client
        .delete(format!("{}/api/v1/notifications", app.base))
        .bearer_auth(&app.agent)
        .send()
        .await;
    error_of(r.expect("sent"), 405, "method_not_allowed").await;
    let r = app
        .fetch("/api/v1/notifications/not-a-uuid", &app.agent)
        .await;
    error_of(r, 404, "notification_not_found").await;
}

#[tokio::test]
async fn bad_query_parameters_are_refused() {
    let app = TestApp::spawn().await;
    app.get_error(
        "/api/v1/notifications?limit=abc",
        &app.agent,
        400,
        "invalid_query",
    )
    .await;
    app.get_error(
        "/api/v1/notifications?limit=0",
        &app.agent,
        422,
        "invalid_limit",
    )
    .await;
    app.get_error(
        "/api/v1/notifications?sort=up",
        &app.agent,
        400,
        "invalid_query",
    )
    .await;
    let long = "c".repeat(129);
    let r = app
        .fetch(&format!("/api/v1/notifications?call_id={long}"), &app.agent)
        .await;
    error_of(r, 422, "invalid_call_id").await;
}

#[tokio::test]
async fn no_client_mistake_gets_a_server_error() {
    let app = TestApp::spawn().await;
    let bodies = [
        "", "null", "[]", "{}", "\"x\"", "{\"to\": null}", "{\"to\": {}}", "{\"to\": {\"country\": 1}}",
        "{\"to\": \"+\", \"channel\": \"sms\", \"template_id\": \"\"}",
        "{\"to\": \"+919876543210\", \"channel\": \"sms\", \"template_id\": \"t_otp\", \"fields\": {\"code\": [1]}}",
        "{\"to\": \"+919876543210\", \"channel\": \"sms\", \"template_id\": \"t_otp\", \"fields\": {\"code\": \"\u{0}\"}}",
        "{\"to\": \"+919876543210\", \"channel\": \"sms\", \"template_id\": \"t_sms_thanks\", \"call_id\": \"a b\"}",
    ];
    for body in bodies {
        let r = app
            .post("/api/v1/notifications", &app.agent)
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .expect("sent");
        let status = r.status().as_u16();
        assert!((400..500).contains(&status), "{body} gave {status}");
        let json: serde_json::Value = r.json().await.expect("error shape");
        assert!(json["error"]["code"].is_string(), "{body}");
    }
    assert_eq!(
        app.send(&static_sms("c-ok"), None).await.status(),
        202,
        "still serving"
    );
}

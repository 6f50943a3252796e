use crate::helpers::TestApp;
use serde_json::{json, Value};

async fn call(app: &TestApp, arguments: Value) -> (u16, Value) {
    let r = app
        .client
        .post(format!("{}/api/fn/agent_templates", app.base))
        .json(&arguments)
        .send()
        .await
        .expect("sent");
    let status = r.status().as_u16();
    (status, r.json().await.expect("json"))
}

#[tokio::test]
async fn the_widgets_server_function_lists_the_same_templates_as_rest() {
    let app = TestApp::spawn().await;
    let (status, body) = call(&app, json!({"token": app.agent, "channel": "whatsapp"})).await;
    assert_eq!(status, 200);
    let rest: Value = app
        .get_json("/api/v1/templates?channel=whatsapp", &app.agent)
        .await;
    assert_eq!(body, rest);
}

#[tokio::test]
async fn the_server_function_refuses_a_bad_token_with_the_error_shape() {
    let app = TestApp::spawn().await;
    let (status, body) = call(&app, json!({"token": "forged"})).await;
    assert_eq!(status, 401, "a bad token is a 401, as on the REST API");
    assert_eq!(body["code"], "invalid_token");
}

#[tokio::test]
async fn arguments_the_server_function_cannot_read_are_the_clients_mistake() {
    let app = TestApp::spawn().await;
    let (status, body) = call(&app, json!({})).await;
    assert_eq!(status, 400, "no token at all: {body}");
    assert_eq!(body["code"], "malformed_request");
    let (status, body) = call(&app, json!({"token": app.agent, "channel": "fax"})).await;
    assert_eq!(status, 400, "an unknown channel: {body}");
    assert_eq!(body["code"], "malformed_request");
}

#[tokio::test]
async fn the_widgets_bootstrap_has_a_rest_twin_that_answers_the_same() {
    let app = TestApp::spawn().await;
    let r = app
        .client
        .post(format!("{}/api/fn/widget_bootstrap", app.base))
        .json(&json!({"token": app.agent, "call_id": "c-boot"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), 200);
    let by_function: Value = r.json().await.expect("json");
    let by_rest: Value = app
        .get_json("/api/v1/widget/bootstrap?call_id=c-boot", &app.agent)
        .await;
    assert_eq!(by_rest, by_function);
    assert_eq!(by_rest["agent_id"], "demo-agent");
    app.get_error(
        "/api/v1/widget/bootstrap?call_id=%20",
        &app.agent,
        422,
        "invalid_call_id",
    )
    .await;
}

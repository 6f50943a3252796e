//! The CRM's customer-details lookup (a local fake speaking `GET ?call_id=&number=`):
//! a number that belongs to another customer than the call's is flagged (never
//! refused), and national numbers are read in the customer's country.

use crate::helpers::{test_settings, TestApp};
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use server::startup::WorkerMode;
use std::collections::HashMap;

const ASHAS: &str = "+919812345678";
const RAVIS: &str = "+919876543210";

/// Call `c-asha` is Asha Rao's (in the UK); each of the two numbers has its owner;
/// call `c-broken` makes the CRM fail.
async fn fake_crm(Query(q): Query<HashMap<String, String>>) -> (StatusCode, Json<Value>) {
    let asha = json!({"id": "c-1", "name": "Asha Rao", "country": "GB", "numbers": [ASHAS]});
    let ravi = json!({"id": "c-2", "name": "Ravi Kumar", "numbers": [RAVIS]});
    match (
        q.get("call_id").map(String::as_str),
        q.get("number").map(String::as_str),
    ) {
        (Some("c-asha"), _) => (StatusCode::OK, Json(asha)),
        (Some("c-broken"), _) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({}))),
        (_, Some(ASHAS)) => (StatusCode::OK, Json(asha)),
        (_, Some(RAVIS)) => (StatusCode::OK, Json(ravi)),
        _ => (StatusCode::NOT_FOUND, Json(json!({}))),
    }
}

async fn app_with_crm() -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/customer", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        axum::serve(listener, Router::new().route("/customer", get(fake_crm))).await
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = test_settings(dir.path());
    settings.crm.lookup_url = Some(url);
    TestApp::spawn_with(dir, settings, WorkerMode::InProcess).await
}

async fn validate(app: &TestApp, body: Value) -> Value {
    let r = app
        .post_json("/api/v1/phone/validate", &app.agent, &body)
        .await;
    assert_eq!(r.status(), 200);
    r.json().await.expect("json")
}

#[tokio::test]
async fn a_number_of_another_customer_is_flagged_but_never_refused() {
    let app = app_with_crm().await;
    let other = validate(&app, json!({"number": RAVIS, "call_id": "c-asha"})).await;
    assert_eq!(other["valid"], true);
    assert_eq!(other["conflict"], json!({"customer": "Ravi Kumar"}));
    let own = validate(&app, json!({"number": ASHAS, "call_id": "c-asha"})).await;
    assert_eq!(
        own.get("conflict"),
        None,
        "the call's customer's own number"
    );
    let by_id = validate(&app, json!({"number": RAVIS, "customer_id": "c-2"})).await;
    assert_eq!(by_id.get("conflict"), None);
    let wrong_id = validate(&app, json!({"number": RAVIS, "customer_id": "c-1"})).await;
    assert_eq!(wrong_id["conflict"]["customer"], "Ravi Kumar");
    let unknown = validate(
        &app,
        json!({"number": "+919876500001", "call_id": "c-asha"}),
    )
    .await;
    assert_eq!(
        unknown.get("conflict"),
        None,
        "a number the CRM does not know"
    );
    let broken = validate(&app, json!({"number": RAVIS, "call_id": "c-broken"})).await;
    assert_eq!(broken.get("conflict"), None, "a failing CRM flags nothing");
    // A warning only: the send goes.
    app.send_ok(
        &json!({"to": RAVIS, "channel": "sms", "template_id": "t_sms_thanks", "call_id": "c-asha"}),
    )
    .await;
}

#[tokio::test]
async fn the_widget_reads_national_numbers_in_the_customers_country() {
    let app = app_with_crm().await;
    let open = |call: &'static str| {
        app.client
            .post(format!("{}/api/fn/widget_bootstrap", app.base))
            .json(&json!({"token": app.agent, "call_id": call}))
            .send()
    };
    let asha: Value = open("c-asha")
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(
        asha["default_country"], "GB",
        "the CRM's country for the customer"
    );
    assert_eq!(asha["customer"]["name"], "Asha Rao");
    let nobody: Value = open("c-none")
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(nobody["default_country"], "IN", "else the deployment's");
}

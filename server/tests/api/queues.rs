//! Call queues: an admin narrows a queue's templates per channel; the widget's
//! templates and the REST send follow the queue the call came through.

use crate::helpers::{error_of, TestApp};
use serde_json::{json, Value};

fn ids(templates: &Value) -> Vec<&str> {
    templates
        .as_array()
        .expect("a list")
        .iter()
        .map(|t| t["id"].as_str().expect("id"))
        .collect()
}

#[tokio::test]
async fn a_queue_narrows_the_groups_templates_for_its_calls_and_a_send_outside_it_is_refused() {
    let app = TestApp::spawn().await;
    let saved = app
        .client
        .put(format!("{}/api/v1/admin/queues/billing", app.base))
        .bearer_auth(&app.admin)
        .json(&json!({"name": "Billing", "templates": {"sms": ["t_sms_payment", "t_sms_thanks"]}}))
        .send()
        .await
        .expect("sent");
    assert_eq!(saved.status(), 200);

    let group: Value = app
        .get_json("/api/v1/templates?channel=sms", &app.agent)
        .await;
    assert_eq!(ids(&group), ["t_sms_thanks", "t_otp", "t_sms_payment"]);
    let narrowed: Value = app
        .get_json("/api/v1/templates?channel=sms&queue_id=billing", &app.agent)
        .await;
    assert_eq!(
        ids(&narrowed),
        ["t_sms_thanks", "t_sms_payment"],
        "the group's order"
    );
    let whatsapp: Value = app
        .get_json(
            "/api/v1/templates?channel=whatsapp&queue_id=billing",
            &app.agent,
        )
        .await;
    let all_whatsapp: Value = app
        .get_json("/api/v1/templates?channel=whatsapp", &app.agent)
        .await;
    assert_eq!(
        whatsapp, all_whatsapp,
        "a channel the queue does not list is not narrowed"
    );
    let unknown: Value = app
        .get_json("/api/v1/templates?channel=sms&queue_id=sales", &app.agent)
        .await;
    assert_eq!(unknown, group, "a queue nobody configured narrows nothing");
    let bootstrap: Value = app
        .get_json(
            "/api/v1/widget/bootstrap?call_id=c-q&queue_id=billing",
            &app.agent,
        )
        .await;
    assert_eq!(bootstrap["queue_name"], "Billing");
    assert_eq!(bootstrap["call_grace_secs"], 120);
    assert!(!ids(&bootstrap["templates"]).contains(&"t_otp"));

    let refused = error_of(
        app.post_json(
            "/api/v1/notifications",
            &app.agent,
            &json!({"to": "+919876543210", "channel": "sms", "template_id": "t_otp",
                          "fields": {"code": "123456"}, "call_id": "c-q", "queue_id": "billing"}),
        )
        .await,
        403,
        "template_not_allowed",
    )
    .await;
    assert!(refused["message"]
        .as_str()
        .expect("message")
        .contains("Billing"));
    let accepted = app
        .post_json(
            "/api/v1/notifications",
            &app.agent,
            &json!({"to": "+919876543210", "channel": "sms", "template_id": "t_sms_thanks",
                      "call_id": "c-q", "queue_id": "billing"}),
        )
        .await;
    assert_eq!(accepted.status(), 202);

    let listed: Value = app.get_json("/api/v1/admin/queues", &app.admin).await;
    assert_eq!(
        listed[0]["templates"]["sms"],
        json!(["t_sms_payment", "t_sms_thanks"])
    );
    let deleted = app
        .client
        .delete(format!("{}/api/v1/admin/queues/billing", app.base))
        .bearer_auth(&app.admin)
        .send()
        .await
        .expect("sent");
    assert_eq!(deleted.status(), 204);
    let again: Value = app
        .get_json("/api/v1/templates?channel=sms&queue_id=billing", &app.agent)
        .await;
    assert_eq!(again, group);
    let audit: Value = app
        .get_json("/api/v1/admin/audit?entity=call_queue", &app.admin)
        .await;
    assert!(audit.to_string().contains("call_queue"), "{audit}");
}

#[tokio::test]
async fn a_queue_names_only_existing_templates_of_each_channel_and_only_admins_set_it() {
    let app = TestApp::spawn().await;
    let put = |token: &str, body: Value| {
        app.client
            .put(format!("{}/api/v1/admin/queues/billing", app.base))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let error = error_of(
        put(
            &app.admin,
            json!({"name": "", "templates": {"sms": ["t_wa_order", "t_nope"]}}),
        )
        .await
        .expect("sent"),
        422,
        "invalid_queue",
    )
    .await;
    assert_eq!(error["fields"]["name"], "required");
    let error = error_of(
        put(
            &app.admin,
            json!({"name": "Billing", "templates": {"sms": ["t_wa_order", "t_nope"]}}),
        )
        .await
        .expect("sent"),
        422,
        "invalid_queue",
    )
    .await;
    assert_eq!(
        error["fields"]["templates.sms"],
        "t_wa_order is a WhatsApp template; there is no template t_nope"
    );
    error_of(
        put(&app.agent, json!({"name": "Billing"}))
            .await
            .expect("sent"),
        403,
        "admin_only",
    )
    .await;
    app.get_error(
        "/api/v1/templates?queue_id=no%20spaces",
        &app.agent,
        422,
        "invalid_queue_id",
    )
    .await;
}

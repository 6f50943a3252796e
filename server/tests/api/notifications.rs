use crate::helpers::{
    error_of, json_reply, message_of, read_events, static_sms, static_sms_to, TestApp,
};
use serde_json::{json, Value};
use std::time::Duration;

fn statuses(n: &Value) -> Vec<String> {
    n["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|h| h["status"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn a_static_template_is_accepted_and_walks_to_delivered() {
    let app = TestApp::spawn().await;
    let response = app.send(&static_sms("c-1"), None).await;
    assert_eq!(response.status(), 202);
    let accepted: Value = response.json().await.expect("json");
    assert_eq!(accepted["status"], "queued");
    assert_eq!(accepted["to"], "+919876543210");
    assert_eq!(accepted["channel"], "sms");
    let uuid = accepted["uuid"].as_str().expect("uuid");
    let n = app.wait_for_status(uuid, "delivered").await;
    assert_eq!(statuses(&n), ["queued", "sending", "sent", "delivered"]);
    assert_eq!(n["template_id"], "t_sms_thanks");
    assert_eq!(n["call_id"], "c-1");
    assert_eq!(n["error"], Value::Null);
}

#[tokio::test]
async fn a_dynamic_template_with_valid_fields_is_delivered() {
    let app = TestApp::spawn().await;
    let uuid = app
        .send_ok(&json!({"to": "+919876543210", "channel": "whatsapp", "template_id": "t_wa_order",
            "fields": {"name": "Asha", "order_id": "A-17", "date": "2026-12-01", "link": "https://t.example.com/A-17"}}))
        .await;
    app.wait_for_status(&uuid, "delivered").await;
}

#[tokio::test]
async fn numbers_in_field_values_are_accepted_as_text() {
    let app = TestApp::spawn().await;
    app.send_ok(&json!({"to": "+919876543210", "channel": "sms", "template_id": "t_otp", "fields": {"code": 482913}}))
        .await;
}

#[tokio::test]
async fn every_field_problem_is_reported_and_nothing_is_sent() {
    let app = TestApp::spawn().await;
    let r = app
        .send(
            &json!({"to": "+919876543210", "channel": "whatsapp", "template_id": "t_wa_order", "call_id": "c-bad",
                    "fields": {"name": "Asha", "date": "2026-02-30", "link": "not a link", "coupon": "X"}}),
            None,
        )
        .await;
    let error = error_of(r, 422, "invalid_fields").await;
    let fields = error["fields"].as_object().expect("fields");
    let keys: Vec<&str> = fields.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "fields.coupon",
            "fields.date",
            "fields.link",
            "fields.order_id"
        ]
    );
    assert_eq!(fields["fields.order_id"], "required");
    let list: Vec<Value> = app
        .get_json("/api/v1/notifications?call_id=c-bad", &app.agent)
        .await;
    assert!(list.is_empty());
}

#[tokio::test]
async fn an_invalid_number_is_refused_with_its_reason() {
    let app = TestApp::spawn().await;
    let r = app.send(&json!({"to": {"country": "IN", "number": "98765"}, "channel": "sms", "template_id": "t_sms_thanks"}), None).await;
    let error = error_of(r, 422, "invalid_phone").await;
    assert_eq!(error["message"], "The number is too short for India.");
    assert_eq!(error["fields"]["to.number"], "too short");
    let r = app
        .send(
            &json!({"to": "98765 43210", "channel": "sms", "template_id": "t_sms_thanks"}),
            None,
        )
        .await;
    error_of(r, 422, "invalid_phone").await;
}

#[tokio::test]
async fn a_template_not_mapped_for_the_channel_is_forbidden() {
    let app = TestApp::spawn().await;
    let r = app
        .send(
            &json!({"to": "+919876543210", "channel": "sms", "template_id": "t_wa_order"}),
            None,
        )
        .await;
    error_of(r, 403, "template_not_allowed").await;
    let r = app
        .post_json("/api/v1/notifications", &app.stranger, &static_sms("c-x"))
        .await;
    error_of(r, 403, "template_not_allowed").await;
}

#[tokio::test]
async fn only_agents_send() {
    let app = TestApp::spawn().await;
    let r = app
        .post_json("/api/v1/notifications", &app.admin, &static_sms("c-1"))
        .await;
    error_of(r, 403, "agent_only").await;
}

#[tokio::test]
async fn each_send_adds_a_comment_naming_the_uuid_channel_and_template() {
    let app = TestApp::spawn().await;
    let first = app.send_ok(&static_sms("call-7")).await;
    let second = app.send_ok(&json!({"to": "+919876543210", "channel": "rcs", "template_id": "t_rcs_welcome", "call_id": "call-7"})).await;
    let comments: Vec<Value> = app
        .get_json("/api/v1/calls/call-7/comments", &app.colleague)
        .await;
    assert_eq!(comments.len(), 2);
    assert_eq!(
        comments[0]["text"],
        format!("Notification {first} sent via SMS template Thanks for calling")
    );
    assert_eq!(
        comments[1]["text"],
        format!("Notification {second} sent via RCS template Welcome")
    );
    assert_eq!(comments[0]["author"], "demo-agent");
    assert_eq!(comments[1]["notification_uuid"], second.as_str());
    let outsiders: Vec<Value> = app
        .get_json("/api/v1/calls/call-7/comments", &app.stranger)
        .await;
    assert!(
        outsiders.is_empty(),
        "another group does not see the call's comments"
    );
}

#[tokio::test]
async fn a_failed_message_shows_the_reason_and_a_resend_is_a_new_linked_message() {
    let app = TestApp::spawn().await;
    let failed = app.send_ok(&static_sms_to("+919876540000")).await;
    let n = app.wait_for_status(&failed, "failed").await;
    assert_eq!(n["error"]["code"], "unreachable");
    assert!(message_of(&n["error"]).contains("could not be reached"));

    let mut resend = static_sms_to("+919876543210");
    resend["resend_of"] = json!(failed);
    let again = app.send_ok(&resend).await;
    assert_ne!(again, failed);
    let n = app.wait_for_status(&again, "delivered").await;
    assert_eq!(n["resend_of"], failed.as_str());
    assert!(n["history"][0]["detail"]
        .as_str()
        .is_some_and(|d| d.contains(&failed)));
}

#[tokio::test]
async fn only_a_failed_message_can_be_resent() {
    let app = TestApp::spawn().await;
    let ok = app.send_ok(&static_sms_to("+919876543210")).await;
    let mut resend = static_sms_to("+919876543210");
    resend["resend_of"] = json!(ok);
    error_of(app.send(&resend, None).await, 409, "not_failed").await;
    resend["resend_of"] = json!("00000000-0000-0000-0000-000000000000");
    error_of(app.send(&resend, None).await, 404, "notification_not_found").await;
}

#[tokio::test]
async fn a_provider_refusal_fails_the_message_at_once() {
    let app = TestApp::spawn().await;
    let uuid = app.send_ok(&static_sms_to("+919876540001")).await;
    let n = app.wait_for_status(&uuid, "failed").await;
    assert_eq!(n["error"]["code"], "opted_out");
    assert_eq!(statuses(&n), ["queued", "sending", "failed"]);
}

#[tokio::test]
async fn a_provider_that_keeps_failing_is_retried_then_the_message_fails() {
    let app = TestApp::spawn().await;
    let uuid = app.send_ok(&static_sms_to("+919876540002")).await;
    let n = app.wait_for_status(&uuid, "failed").await;
    assert_eq!(n["error"]["code"], "provider_unavailable");
    assert!(message_of(&n["error"]).contains("after 3 attempts"), "{n}");
}

#[tokio::test]
async fn a_message_is_private_to_its_sender() {
    let app = TestApp::spawn().await;
    let uuid = app.send_ok(&static_sms("c-1")).await;
    let r = app
        .fetch(&format!("/api/v1/notifications/{uuid}"), &app.colleague)
        .await;
    error_of(r, 404, "notification_not_found").await;
    let r = app
        .fetch(&format!("/api/v1/notifications/{uuid}"), &app.admin)
        .await;
    assert_eq!(r.status(), 200, "admins can look any message up");
}

#[tokio::test]
async fn the_list_is_newest_first_filtered_by_call_and_limited() {
    let app = TestApp::spawn().await;
    let a = app.send_ok(&static_sms("call-a")).await;
    let b = app.send_ok(&static_sms("call-a")).await;
    let c = app.send_ok(&static_sms("call-b")).await;
    let list: Vec<Value> = app
        .get_json("/api/v1/notifications?call_id=call-a", &app.agent)
        .await;
    let uuids: Vec<&str> = list.iter().filter_map(|n| n["uuid"].as_str()).collect();
    assert_eq!(uuids, [b.as_str(), a.as_str()]);
    let list: Vec<Value> = app
        .get_json("/api/v1/notifications?limit=1", &app.agent)
        .await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["uuid"], c.as_str());
    let theirs: Vec<Value> = app.get_json("/api/v1/notifications", &app.colleague).await;
    assert!(theirs.is_empty());
}

#[tokio::test]
async fn the_event_stream_pushes_each_status_until_delivered_then_ends() {
    let app = TestApp::spawn().await;
    let uuid = app.send_ok(&static_sms("c-sse")).await;
    let response = app
        .fetch(&format!("/api/v1/notifications/{uuid}/events"), &app.agent)
        .await;
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap_or("")
        .starts_with("text/event-stream"));
    let events = read_events(response, Duration::from_secs(20)).await;
    let (last, statuses) = events.split_last().expect("events");
    assert_eq!(last.event, "end", "an SMS stream ends once delivered");
    let seen: Vec<String> = statuses
        .iter()
        .map(|e| {
            let view = e.view();
            assert_eq!(view["uuid"], uuid.as_str());
            view["status"].as_str().unwrap_or("").to_owned()
        })
        .collect();
    assert_eq!(
        seen.last().map(String::as_str),
        Some("delivered"),
        "{seen:?}"
    );
    let order = ["queued", "sending", "sent", "delivered"];
    let ranks: Vec<usize> = seen
        .iter()
        .filter_map(|s| order.iter().position(|o| o == s))
        .collect();
    assert_eq!(ranks.len(), seen.len(), "{seen:?}");
    assert!(
        ranks.windows(2).all(|w| w[0] < w[1]),
        "each event is a step forward: {seen:?}"
    );
}

#[tokio::test]
async fn a_resend_without_fields_reuses_the_failed_messages_values() {
    let app = TestApp::spawn().await;
    let failed = app
        .send_ok(&json!({"to": "+919876540000", "channel": "sms", "template_id": "t_otp", "fields": {"code": "4821"}}))
        .await;
    app.wait_for_status(&failed, "failed").await;
    let again = app
        .send_ok(&json!({"to": "+919876543210", "channel": "sms", "template_id": "t_otp", "resend_of": failed}))
        .await;
    let n = app.wait_for_status(&again, "delivered").await;
    assert_eq!(n["resend_of"], failed.as_str());
}

#[tokio::test]
async fn the_event_stream_opens_with_a_single_use_ticket_and_never_a_token_in_the_url() {
    let app = TestApp::spawn().await;
    let uuid = app.send_ok(&static_sms("c-es")).await;
    let events = format!("{}/api/v1/notifications/{uuid}/events", app.base);
    let ticket: Value = json_reply(app.post("/api/v1/stream-tickets", &app.agent)).await;
    assert_eq!(ticket["expires_in"], 60);
    let ticket = ticket["ticket"].as_str().expect("a ticket");
    let url = format!("{events}?ticket={ticket}");
    let r = app.client.get(&url).send().await.expect("sent");
    assert_eq!(r.status(), 200);
    drop(r);
    let again = app.client.get(&url).send().await.expect("sent");
    error_of(again, 401, "invalid_ticket").await;
    let with_token = app
        .client
        .get(format!("{events}?token={}", app.agent))
        .send()
        .await
        .expect("sent");
    error_of(with_token, 401, "token_in_url").await;
    let bare = app.client.get(&events).send().await.expect("sent");
    error_of(bare, 401, "missing_ticket").await;
}

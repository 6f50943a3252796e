//! Sinch (SMS REST API and Conversation API) and Kaleyra (India SMS with DLT, WhatsApp)
//! against the local fakes: the requests we send, their answers' error classes, and
//! webhooks signed or tokened here, independently of the server's code.

use crate::fake_providers::*;
use crate::helpers::{error_of, message_of};
use crate::providers::{hmac_sha256, rcs_appointment, wa_order, world, World, CUSTOMER, RCS_TEXT};
use base64::Engine;
use reqwest::Response;
use serde_json::{json, Value};

const SINCH_WEBHOOK_SECRET: &str = "sinch-webhook-secret-for-tests";
const SINCH_APP: &str = "01EB37HMH1M6SV18ASNS3G135H";

impl World {
    pub async fn sinch_sms(&self) {
        self.add_account(
            json!({"id": "sinch-sms", "channel": "sms", "provider": "sinch",
            "display_name": "Sinch SMS", "sender": "+447520651234", "default": true,
            "credentials": {"service_plan_id": SINCH_PLAN, "api_token": SINCH_SMS_TOKEN}}),
        )
        .await;
    }

    pub async fn sinch_conversation(&self, channel: &str) {
        self.add_account(json!({"id": format!("sinch-{channel}"), "channel": channel,
            "provider": "sinch_conversation", "display_name": "Sinch", "sender": SINCH_APP,
            "default": true, "credentials": {"project_id": SINCH_PROJECT, "key_id": SINCH_KEY_ID,
            "key_secret": SINCH_KEY_SECRET, "webhook_secret": SINCH_WEBHOOK_SECRET}}))
            .await;
    }

    pub async fn kaleyra(&self, channel: &str, sender: &str) {
        self.add_account(
            json!({"id": format!("kaleyra-{channel}"), "channel": channel,
            "provider": "kaleyra", "display_name": "Kaleyra", "sender": sender, "default": true,
            "credentials": {"sid": KALEYRA_SID, "api_key": KALEYRA_KEY}}),
        )
        .await;
    }

    /// A Conversation API event signed as Sinch signs it, `age` seconds old.
    async fn sinch_event(&self, account: &str, event: &Value, nonce: &str, age: i64) -> Response {
        let body = event.to_string();
        let timestamp = (time::OffsetDateTime::now_utc().unix_timestamp() - age).to_string();
        let signed = format!("{body}.{nonce}.{timestamp}");
        let signature = base64::engine::general_purpose::STANDARD
            .encode(hmac_sha256(SINCH_WEBHOOK_SECRET, signed.as_bytes()));
        self.post_raw(
            &self.webhook("sinch_conversation", account),
            "application/json",
            &[
                ("x-sinch-webhook-signature-timestamp", timestamp),
                ("x-sinch-webhook-signature-nonce", nonce.to_owned()),
                ("x-sinch-webhook-signature-algorithm", "HmacSHA256".into()),
                ("x-sinch-webhook-signature", signature),
            ],
            body.into_bytes(),
        )
        .await
    }
}

fn delivery_report(uuid: &str, status: &str, extra: Value) -> Value {
    let mut report = json!({"message_id": "01W4FFL35P4NC4K35CONV00001", "conversation_id": "01EQ8235TD19N21XQTH12B145D",
        "status": status, "channel_identity": {"channel": "WHATSAPP", "identity": CUSTOMER, "app_id": SINCH_APP},
        "contact_id": "01EXA07N79THJ20WSN6AS30TMW", "metadata": uuid, "processing_mode": "CONVERSATION"});
    if let (Value::Object(report), Value::Object(extra)) = (&mut report, extra) {
        report.extend(extra);
    }
    json!({"app_id": SINCH_APP, "accepted_time": "2026-12-03T10:00:01.000Z", "event_time": "2026-12-03T10:00:00.500Z",
        "project_id": SINCH_PROJECT, "message_delivery_report": report})
}

#[tokio::test]
async fn sinch_sms_sends_one_batch_with_our_reference_and_tokened_reports_move_it_forward() {
    let w = world().await;
    w.sinch_sms().await;
    let uuid = w
        .app
        .send_ok(&crate::helpers::static_sms_to("+447911123456"))
        .await;
    let sent = w.fake.wait_for("sinch", 1).await;
    let batch = &sent[0].json;
    assert_eq!(sent[0].path, format!("/xms/v1/{SINCH_PLAN}/batches"));
    assert_eq!(batch["to"], json!(["+447911123456"]));
    assert_eq!(batch["from"], "+447520651234");
    assert_eq!(batch["type"], "mt_text");
    assert_eq!(batch["delivery_report"], "per_recipient");
    assert_eq!(batch["client_reference"], uuid);
    assert!(!batch["body"].as_str().unwrap_or_default().is_empty());
    let callback = batch["callback_url"].as_str().expect("a callback URL");
    assert!(callback.starts_with(&format!(
        "{}?message={uuid}&token=",
        w.webhook("sinch", "sinch-sms")
    )));
    let report = |status: &str| {
        json!({"type": "recipient_delivery_report_sms", "batch_id": "01FC66621XXXXX119Z8PMV0001",
            "recipient": "+447911123456", "code": 0, "status": status, "at": "2026-12-03T10:00:00.000Z",
            "client_reference": uuid})
        .to_string()
        .into_bytes()
    };
    let forged = format!(
        "{}?message={uuid}&token=00",
        w.webhook("sinch", "sinch-sms")
    );
    let r = w
        .post_raw(&forged, "application/json", &[], report("Failed"))
        .await;
    error_of(r, 401, "invalid_signature").await;
    let r = w
        .post_raw(callback, "application/json", &[], report("Dispatched"))
        .await;
    assert_eq!(r.status(), 200);
    w.app.wait_for_status(&uuid, "sent").await;
    let r = w
        .post_raw(callback, "application/json", &[], report("Delivered"))
        .await;
    assert_eq!(r.status(), 200);
    w.app.wait_for_status(&uuid, "delivered").await;
}

#[tokio::test]
async fn sinch_sms_refuses_a_bad_number_at_once_and_retries_an_outage() {
    let w = world().await;
    w.sinch_sms().await;
    let bad = w
        .app
        .send_ok(&crate::helpers::static_sms_to("+919876540400"))
        .await;
    assert_eq!(w.reason(&bad).await, "invalid_number");
    let down = w
        .app
        .send_ok(&crate::helpers::static_sms_to("+919876540503"))
        .await;
    assert_eq!(w.reason(&down).await, "provider_unavailable");
    let tries = w
        .fake
        .requests("sinch")
        .iter()
        .filter(|r| recipient(r) == "+919876540503")
        .count();
    assert!(tries > 1, "an outage is retried: {tries} tries");
}

#[tokio::test]
async fn sinch_conversation_sends_whatsapp_templates_by_name_with_one_token_for_many_messages() {
    let w = world().await;
    w.sinch_conversation("whatsapp").await;
    w.refs(
        "t_wa_order",
        json!({"whatsapp_name": "order_update", "whatsapp_language": "en_US",
        "whatsapp_components": {"name": "header", "link": "button:0"}}),
    )
    .await;
    let first = w.app.send_ok(&wa_order()).await;
    w.app.send_ok(&wa_order()).await;
    let sent = w.fake.wait_for("sinch-conversation", 2).await;
    // The two may reach Sinch in either order.
    let sent: Vec<_> = sent
        .into_iter()
        .filter(|r| r.json["message_metadata"] == first)
        .collect();
    assert_eq!(
        sent[0].path,
        format!("/v1/projects/{SINCH_PROJECT}/messages:send")
    );
    assert_eq!(
        sent[0].json,
        json!({
            "app_id": SINCH_APP,
            "recipient": {"identified_by": {"channel_identities": [{"channel": "WHATSAPP", "identity": CUSTOMER}]}},
            "message": {"template_message": {"channel_template": {"WHATSAPP": {
                "template_id": "order_update", "language_code": "en_US",
                "parameters": {"header[1]text": "Asha", "body[1]text": "A-17", "body[2]text": "2026-12-01",
                               "button[0]url[1]text": "https://t.example.com/A-17"},
            }}}},
            "channel_priority_order": ["WHATSAPP"],
            "message_metadata": first, "correlation_id": first,
        })
    );
    let tokens = w.fake.requests("sinch-token");
    assert_eq!(tokens.len(), 1, "the access token is kept until it expires");
    assert_eq!(field(&tokens[0].form, "grant_type"), "client_credentials");
}

#[tokio::test]
async fn sinch_conversation_reports_are_signed_fresh_and_used_once_and_a_channel_switch_is_noted() {
    let w = world().await;
    w.sinch_conversation("whatsapp").await;
    w.refs("t_wa_order", json!({"whatsapp_name": "order_update"}))
        .await;
    let uuid = w.app.send_ok(&wa_order()).await;
    w.fake.wait_for("sinch-conversation", 1).await;
    w.app.wait_for_status(&uuid, "sending").await;

    let queued = delivery_report(&uuid, "QUEUED_ON_CHANNEL", json!({}));
    assert_eq!(
        w.sinch_event("sinch-whatsapp", &queued, "n-1", 0)
            .await
            .status(),
        200
    );
    w.app.wait_for_status(&uuid, "sent").await;
    // The same request again (a replay), one signed long ago, one signed with another
    // secret: refused, nothing changes.
    let delivered = delivery_report(&uuid, "DELIVERED", json!({}));
    for (nonce, age) in [("n-1", 0), ("n-2", 3600)] {
        let r = w
            .sinch_event("sinch-whatsapp", &delivered, nonce, age)
            .await;
        error_of(r, 401, "invalid_signature").await;
    }
    let r = w
        .post_raw(
            &w.webhook("sinch_conversation", "sinch-whatsapp"),
            "application/json",
            &[("x-sinch-webhook-signature", "AAAA".into())],
            delivered.to_string().into_bytes(),
        )
        .await;
    error_of(r, 401, "invalid_signature").await;
    assert_eq!(w.app.notification(&uuid).await["status"], "sent");

    let switching = delivery_report(
        &uuid,
        "SWITCHING_CHANNEL",
        json!({"channel_identity": {"channel": "SMS", "identity": CUSTOMER}}),
    );
    for nonce in ["n-3", "n-4"] {
        let r = w.sinch_event("sinch-whatsapp", &switching, nonce, 0).await;
        assert_eq!(r.status(), 200);
    }
    let r = w.sinch_event("sinch-whatsapp", &delivered, "n-5", 0).await;
    assert_eq!(r.status(), 200);
    w.app.wait_for_status(&uuid, "delivered").await;
    let history = w.history(&uuid).await;
    let switches = history
        .iter()
        .filter(|h| h.ends_with("its first channel. Sending by SMS instead."))
        .count();
    assert_eq!(switches, 1, "{history:?}");
}

#[tokio::test]
async fn sinch_conversation_sends_rcs_as_text_and_a_failure_keeps_its_reason() {
    let w = world().await;
    w.sinch_conversation("rcs").await;
    let uuid = w.app.send_ok(&rcs_appointment(CUSTOMER)).await;
    let sent = w.fake.wait_for("sinch-conversation", 1).await;
    assert_eq!(
        sent[0].json["recipient"]["identified_by"]["channel_identities"][0]["channel"],
        "RCS"
    );
    assert_eq!(
        sent[0].json["message"],
        json!({"text_message": {"text": RCS_TEXT}})
    );
    w.app.wait_for_status(&uuid, "sending").await;
    let failed = delivery_report(
        &uuid,
        "FAILED",
        json!({"reason": {"code": "RECIPIENT_NOT_REACHABLE", "description": "No RCS on this phone"}}),
    );
    let r = w.sinch_event("sinch-rcs", &failed, "n-1", 0).await;
    assert_eq!(r.status(), 200);
    assert_eq!(w.reason(&uuid).await, "unreachable");
}

#[tokio::test]
async fn kaleyra_sends_dlt_sms_with_the_ids_and_tokened_callbacks_advance_it() {
    let w = world().await;
    w.kaleyra("sms", "ACMEIN").await;
    let uuid = w.send_dlt_payment().await;
    let sent = w.fake.wait_for("kaleyra", 1).await;
    let form = &sent[0].form;
    assert_eq!(sent[0].path, format!("/v1/{KALEYRA_SID}/messages"));
    assert_eq!(field(form, "to"), CUSTOMER);
    assert_eq!(field(form, "sender"), "ACMEPY");
    assert_eq!(field(form, "template_id"), "1207161000000000002");
    assert_eq!(field(form, "entity_id"), "1201159100000000001");
    assert_eq!(
        field(form, "body"),
        "Dear Asha, your payment of Rs 1250.50 is due. Pay securely at https://acme.in/p/7 -ACME"
    );
    let callback: Value = serde_json::from_str(field(form, "callback")).expect("callback JSON");
    let url = callback["url"].as_str().expect("a callback URL").to_owned();
    assert!(url.starts_with(&format!(
        "{}?message={uuid}&token=",
        w.webhook("kaleyra", "kaleyra-sms")
    )));
    let forged = format!(
        "{}?message={uuid}&token=00",
        w.webhook("kaleyra", "kaleyra-sms")
    );
    let report = |status: &str| {
        serde_urlencoded::to_string([("id", "k1"), ("status", status), ("mobile", "919876543210")])
            .expect("form")
            .into_bytes()
    };
    let form_type = "application/x-www-form-urlencoded";
    error_of(
        w.post_raw(&forged, form_type, &[], report("DELIVRD")).await,
        401,
        "invalid_signature",
    )
    .await;
    assert_eq!(
        w.post_raw(&url, form_type, &[], report("DELIVRD"))
            .await
            .status(),
        200
    );
    w.app.wait_for_status(&uuid, "delivered").await;
}

#[tokio::test]
async fn kaleyra_fails_a_message_its_account_cannot_pay_for_with_why() {
    let w = world().await;
    w.kaleyra("sms", "ACMEIN").await;
    w.refs("t_sms_thanks", json!({"dlt_header": "ACMEPY"}))
        .await;
    let abroad = w
        .app
        .send_ok(&crate::helpers::static_sms_to("+447911120402"))
        .await;
    assert_eq!(w.reason(&abroad).await, "account_balance");
    let sent = w.fake.wait_for("kaleyra", 1).await;
    assert_eq!(
        field(&sent[0].form, "sender"),
        "ACMEIN",
        "the DLT header only in India"
    );
}

#[tokio::test]
async fn kaleyra_sends_whatsapp_templates_with_quoted_params_and_a_failed_callback_says_why() {
    let w = world().await;
    w.kaleyra("whatsapp", "+918041234567").await;
    w.refs(
        "t_wa_order",
        json!({"whatsapp_name": "order_update", "whatsapp_language": "en"}),
    )
    .await;
    let uuid = w.app.send_ok(&wa_order()).await;
    let sent = w.fake.wait_for("kaleyra", 1).await;
    let form = &sent[0].form;
    assert_eq!(field(form, "channel"), "whatsapp");
    assert_eq!(field(form, "type"), "template");
    assert_eq!(field(form, "from"), "+918041234567");
    assert_eq!(field(form, "template_name"), "order_update");
    assert_eq!(field(form, "lang_code"), "en");
    assert_eq!(
        field(form, "params"),
        r#""Asha","A-17","2026-12-01","https://t.example.com/A-17""#
    );
    let url = field(form, "callback_url").to_owned();
    let failed = json!({"id": "k1", "status": "failed", "error": "Message undeliverable"});
    let r = w
        .post_raw(
            &url,
            "application/json",
            &[],
            failed.to_string().into_bytes(),
        )
        .await;
    assert_eq!(r.status(), 200);
    let n = w.app.wait_for_status(&uuid, "failed").await;
    assert_eq!(n["error"]["code"], "provider_failed");
    assert!(message_of(&n["error"]).contains("Message undeliverable"));
}

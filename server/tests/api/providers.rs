//! Real providers against local fakes that speak their documented APIs: the exact
//! requests we send, each error class, the RCS → SMS fallback, send pacing, and
//! webhooks signed here, independently of the server's code (the published test
//! vectors are checked in the provider modules' unit tests).

use crate::fake_providers::*;
use crate::helpers::{error_of, static_sms_to, test_settings, TestApp};
use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::Response;
use serde_json::{json, Value};
use server::config::Endpoints;
use server::config::Settings;
use server::startup::WorkerMode;
use std::time::Duration;

pub const META_APP_SECRET: &str = "meta-app-secret-for-tests";
const META_VERIFY_TOKEN: &str = "meta-verify-token";
pub const RBM_CLIENT_TOKEN: &str = "rbm-client-token-for-tests";
pub const CUSTOMER: &str = "+919876543210";

pub struct World {
    pub app: TestApp,
    pub fake: FakeProviders,
}

/// The fake's address for each provider API.
pub fn endpoints(fake: &FakeProviders) -> Endpoints {
    Endpoints {
        twilio: format!("{}/twilio", fake.base),
        meta: format!("{}/meta/v21.0", fake.base),
        rbm: format!("{}/rbm", fake.base),
        google_token: format!("{}/rbm/token", fake.base),
        exotel: format!("{}/exotel", fake.base),
        sinch_sms: format!("{}/sinch", fake.base),
        sinch_conversation: format!("{}/sinch-conversation", fake.base),
        sinch_auth: format!("{}/sinch-auth/oauth2/token", fake.base),
        kaleyra: format!("{}/kaleyra", fake.base),
    }
}

pub async fn world_with(tweak: impl FnOnce(&mut Settings)) -> World {
    world_in_mode(tweak, WorkerMode::InProcess).await.0
}

/// A world whose app runs its worker as `mode` says; also the app's settings.
pub async fn world_in_mode(
    tweak: impl FnOnce(&mut Settings),
    mode: WorkerMode,
) -> (World, Settings) {
    let fake = FakeProviders::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = test_settings(dir.path());
    settings.providers.endpoints = endpoints(&fake);
    tweak(&mut settings);
    let app = TestApp::spawn_with(dir, settings.clone(), mode).await;
    (World { app, fake }, settings)
}

pub async fn world() -> World {
    world_with(|_| {}).await
}

impl World {
    pub async fn add_account(&self, account: Value) -> Value {
        let r = self
            .app
            .post_json("/api/v1/admin/providers", &self.app.admin, &account)
            .await;
        assert_eq!(
            r.status(),
            201,
            "account refused: {}",
            r.text().await.unwrap_or_default()
        );
        r.json().await.expect("json")
    }

    pub async fn twilio(&self, channel: &str, sender: &str) {
        self.add_account(
            json!({"id": format!("tw-{channel}"), "channel": channel, "provider": "twilio",
            "display_name": "Twilio", "sender": sender, "default": true,
            "credentials": {"account_sid": TWILIO_SID, "auth_token": TWILIO_TOKEN}}),
        )
        .await;
    }

    pub async fn meta(&self) {
        self.add_account(json!({"id": "meta-wa", "channel": "whatsapp", "provider": "meta",
            "display_name": "WhatsApp", "sender": META_PHONE_ID, "default": true,
            "credentials": {"access_token": META_TOKEN, "app_secret": META_APP_SECRET, "verify_token": META_VERIFY_TOKEN}}))
            .await;
    }

    pub async fn rbm(&self) {
        let key = json!({"type": "service_account", "client_email": "rbm@acme-test.iam.gserviceaccount.com",
            "private_key": RBM_PRIVATE_KEY, "token_uri": format!("{}/elsewhere/token", self.fake.base)});
        self.add_account(json!({"id": "rbm", "channel": "rcs", "provider": "rbm",
            "display_name": "RCS", "sender": RBM_AGENT, "default": true,
            "credentials": {"service_account_json": key.to_string(), "client_token": RBM_CLIENT_TOKEN}}))
            .await;
    }

    pub async fn exotel(&self) {
        self.add_account(json!({"id": "exotel", "channel": "sms", "provider": "exotel",
            "display_name": "Exotel", "sender": "ACMEIN", "default": true,
            "credentials": {"account_sid": EXOTEL_SID, "api_key": EXOTEL_KEY, "api_token": EXOTEL_TOKEN}}))
            .await;
    }

    /// Sends the DLT payment template (its DLT ids and header set) to the customer.
    pub async fn send_dlt_payment(&self) -> String {
        self.refs(
            "t_sms_payment",
            json!({"dlt_entity_id": "1201159100000000001", "dlt_template_id": "1207161000000000002",
            "dlt_header": "ACMEPY"}),
        )
        .await;
        self.app
            .send_ok(
                &json!({"to": CUSTOMER, "channel": "sms", "template_id": "t_sms_payment",
            "fields": {"name": "Asha", "amount": "1250.50", "link": "https://acme.in/p/7"}}),
            )
            .await
    }

    /// Sets a template's provider references through the admin API.
    pub async fn refs(&self, template: &str, refs: Value) {
        let path = format!("/api/v1/admin/templates/{template}");
        let mut t: Value = self.app.get_json(&path, &self.app.admin).await;
        t["provider_ref"] = refs;
        let r = self
            .app
            .client
            .put(format!("{}{path}", self.app.base))
            .bearer_auth(&self.app.admin)
            .json(&t)
            .send()
            .await
            .expect("sent");
        assert_eq!(
            r.status(),
            200,
            "template refused: {}",
            r.text().await.unwrap_or_default()
        );
    }

    pub fn webhook(&self, provider: &str, account: &str) -> String {
        format!("{}/webhooks/{provider}/{account}", self.app.base)
    }

    pub async fn post_raw(
        &self,
        url: &str,
        content_type: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> Response {
        let mut r = self
            .app
            .client
            .post(url)
            .header("content-type", content_type)
            .body(body);
        for (name, value) in headers {
            r = r.header(*name, value);
        }
        r.send().await.expect("sent")
    }

    /// Posts a Twilio status callback to `url`, signed with `signing_params`.
    pub async fn twilio_callback(
        &self,
        url: &str,
        params: &[(&str, &str)],
        signing_params: &[(&str, &str)],
    ) -> Response {
        let body = serde_urlencoded::to_string(params).expect("form");
        let signature = twilio_signature(TWILIO_TOKEN, url, signing_params);
        self.post_raw(
            url,
            "application/x-www-form-urlencoded",
            &[("X-Twilio-Signature", signature)],
            body.into_bytes(),
        )
        .await
    }

    pub async fn meta_webhook(&self, body: &str, secret: &str) -> Response {
        self.meta_webhook_to("meta-wa", body, secret).await
    }

    /// A Meta webhook signed with `secret`, posted to account `account`'s URL.
    async fn meta_webhook_to(&self, account: &str, body: &str, secret: &str) -> Response {
        let signature = format!(
            "sha256={}",
            hex::encode(hmac_sha256(secret, body.as_bytes()))
        );
        self.post_raw(
            &self.webhook("meta", account),
            "application/json",
            &[("X-Hub-Signature-256", signature)],
            body.as_bytes().to_vec(),
        )
        .await
    }

    pub async fn rbm_event(&self, event: &Value, token: &str) -> Response {
        let data = event.to_string();
        let signature =
            base64::engine::general_purpose::STANDARD.encode(hmac_sha512(token, data.as_bytes()));
        let body = json!({"message": {"data": base64::engine::general_purpose::STANDARD.encode(&data),
            "messageId": "1234567890", "publishTime": "2026-11-21T10:00:01Z"},
            "subscription": "projects/rbm-acme/subscriptions/rbm-agent-sub"});
        self.post_raw(
            &self.webhook("rbm", "rbm"),
            "application/json",
            &[("X-Goog-Signature", signature)],
            body.to_string().into_bytes(),
        )
        .await
    }

    /// Polls `/metrics` until it has every one of `lines` (or fails after 10 s).
    async fn wait_for_metrics(&self, lines: &[&str]) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let url = format!("{}/metrics", self.app.base);
            let r = self.app.client.get(url).send().await.expect("sent");
            let metrics = r.text().await.expect("text");
            let missing: Vec<&&str> = lines
                .iter()
                .filter(|line| !metrics.lines().any(|l| l == **line))
                .collect();
            if missing.is_empty() {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no {missing:?} in:\n{metrics}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Sends `n` static SMS to distinct numbers at once; returns their UUIDs.
    async fn send_sms_burst(&self, n: usize) -> Vec<String> {
        let mut uuids = Vec::new();
        for i in 0..n {
            let to = format!("+9198765432{i:02}");
            uuids.push(self.app.send_ok(&static_sms_to(&to)).await);
        }
        uuids
    }

    pub async fn history(&self, uuid: &str) -> Vec<String> {
        self.app.notification(uuid).await["history"]
            .as_array()
            .expect("history")
            .iter()
            .map(|h| {
                format!(
                    "{}: {}",
                    h["status"].as_str().unwrap_or(""),
                    h["detail"].as_str().unwrap_or("")
                )
            })
            .collect()
    }

    pub async fn reason(&self, uuid: &str) -> String {
        let n = self.app.wait_for_status(uuid, "failed").await;
        n["error"]["code"]
            .as_str()
            .expect("a reason code")
            .to_owned()
    }
}

macro_rules! hmac_with {
    ($name:ident, $digest:ty) => {
        pub fn $name(key: &str, data: &[u8]) -> Vec<u8> {
            let mut mac = Hmac::<$digest>::new_from_slice(key.as_bytes()).expect("any key");
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
    };
}
hmac_with!(hmac_sha1, sha1::Sha1);
hmac_with!(hmac_sha256, sha2::Sha256);
hmac_with!(hmac_sha512, sha2::Sha512);

/// Twilio's documented scheme: the URL, then each parameter sorted by name as name+value.
pub fn twilio_signature(token: &str, url: &str, params: &[(&str, &str)]) -> String {
    let mut sorted = params.to_vec();
    sorted.sort();
    let text: String = std::iter::once(url.to_owned())
        .chain(sorted.iter().map(|(k, v)| format!("{k}{v}")))
        .collect();
    base64::engine::general_purpose::STANDARD.encode(hmac_sha1(token, text.as_bytes()))
}

fn pairs(form: &[(String, String)]) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

pub fn wa_order() -> Value {
    json!({"to": CUSTOMER, "channel": "whatsapp", "template_id": "t_wa_order",
        "fields": {"name": "Asha", "order_id": "A-17", "date": "2026-12-01", "link": "https://t.example.com/A-17"}})
}

pub fn rcs_appointment(to: &str) -> Value {
    json!({"to": to, "channel": "rcs", "template_id": "t_rcs_appointment",
        "fields": {"name": "Asha", "date": "2026-12-01"}})
}

pub const RCS_TEXT: &str =
    "Hi Asha, your appointment is confirmed for 2026-12-01. Reply R to reschedule.";
const THANKS: &str = "Thank you for calling Acme Support. Reply HELP for help or visit https://acme.example.com/help";

#[tokio::test]
async fn twilio_sms_is_one_form_post_with_our_status_callback_and_signed_callbacks_move_it_forward()
{
    let w = world().await;
    w.twilio("sms", "+15005550006").await;
    let uuid = w.app.send_ok(&static_sms_to(CUSTOMER)).await;
    let sent = w.fake.wait_for("twilio", 1).await;
    let callback = format!("{}?message={uuid}", w.webhook("twilio", "tw-sms"));
    assert_eq!(
        pairs(&sent[0].form),
        [
            ("To", CUSTOMER),
            ("From", "+15005550006"),
            ("Body", THANKS),
            ("StatusCallback", callback.as_str())
        ]
    );
    let sid = "SM00000000000000000000000000000001";
    let delivered = [
        ("AccountSid", TWILIO_SID),
        ("ApiVersion", "2010-04-01"),
        ("From", "+15005550006"),
        ("MessageSid", sid),
        ("MessageStatus", "delivered"),
        ("SmsSid", sid),
        ("SmsStatus", "delivered"),
        ("To", CUSTOMER),
    ];
    let r = w.twilio_callback(&callback, &delivered, &delivered).await;
    assert_eq!(r.status(), 200);
    w.app.wait_for_status(&uuid, "delivered").await;

    // A late "sent" changes nothing; neither does a repeat of "delivered".
    let late = [
        ("MessageSid", sid),
        ("MessageStatus", "sent"),
        ("AccountSid", TWILIO_SID),
    ];
    let r = w.twilio_callback(&callback, &late, &late).await;
    assert_eq!(r.json::<Value>().await.expect("json")["ignored"], 1);
    w.twilio_callback(&callback, &delivered, &delivered).await;
    assert_eq!(w.app.notification(&uuid).await["status"], "delivered");

    // A forged "failed" (signed over other parameters) and an unsigned one: 401, no change.
    let forged = [
        ("MessageSid", sid),
        ("MessageStatus", "failed"),
        ("ErrorCode", "30003"),
    ];
    error_of(
        w.twilio_callback(&callback, &forged, &late).await,
        401,
        "invalid_signature",
    )
    .await;
    let body = serde_urlencoded::to_string(forged)
        .expect("form")
        .into_bytes();
    error_of(
        w.post_raw(&callback, "application/x-www-form-urlencoded", &[], body)
            .await,
        401,
        "invalid_signature",
    )
    .await;
    assert_eq!(w.app.notification(&uuid).await["status"], "delivered");

    // A callback for a message we never sent is answered 200, so Twilio stops retrying.
    let stranger = [
        ("MessageSid", "SMffffffffffffffffffffffffffffffff"),
        ("MessageStatus", "delivered"),
    ];
    let r = w
        .twilio_callback(&w.webhook("twilio", "tw-sms"), &stranger, &stranger)
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.expect("json")["unknown"], 1);
    w.wait_for_metrics(&[
        r#"agent_notify_webhook_events_total{provider="twilio",result="applied"} 1"#,
        r#"agent_notify_webhook_events_total{provider="twilio",result="ignored"} 2"#,
        r#"agent_notify_webhook_events_total{provider="twilio",result="bad_signature"} 2"#,
        r#"agent_notify_webhook_events_total{provider="twilio",result="unknown"} 1"#,
    ])
    .await;
}

#[tokio::test]
async fn twilio_whatsapp_sends_the_content_sid_with_positional_variables_and_needs_one() {
    let w = world().await;
    w.twilio("whatsapp", "+14155238886").await;
    w.refs(
        "t_wa_order",
        json!({"twilio_content_sid": "HX0123456789abcdef0123456789abcdef"}),
    )
    .await;
    let uuid = w.app.send_ok(&wa_order()).await;
    let sent = w.fake.wait_for("twilio", 1).await;
    let form = &sent[0].form;
    assert_eq!(field(form, "To"), format!("whatsapp:{CUSTOMER}"));
    assert_eq!(field(form, "From"), "whatsapp:+14155238886");
    assert_eq!(
        field(form, "ContentSid"),
        "HX0123456789abcdef0123456789abcdef"
    );
    let variables: Value =
        serde_json::from_str(field(form, "ContentVariables")).expect("a JSON string");
    assert_eq!(
        variables,
        json!({"1": "Asha", "2": "A-17", "3": "2026-12-01", "4": "https://t.example.com/A-17"})
    );
    assert!(
        form.iter().all(|(k, _)| k != "Body"),
        "a template goes without a Body"
    );
    assert_eq!(w.app.notification(&uuid).await["status"], "sending");

    // A WhatsApp template without a Content SID is refused before reaching Twilio.
    let other = w
        .app
        .send_ok(&json!({"to": CUSTOMER, "channel": "whatsapp", "template_id": "t_wa_thanks"}))
        .await;
    assert_eq!(w.reason(&other).await, "template_not_registered");
    assert_eq!(w.fake.requests("twilio").len(), 1);
}

#[tokio::test]
async fn twilio_rate_limits_are_retried_and_an_opted_out_customer_fails_at_once() {
    let w = world().await;
    w.twilio("sms", "+15005550006").await;
    let busy = w.app.send_ok(&static_sms_to("+919876540429")).await;
    let opted_out = w.app.send_ok(&static_sms_to("+919876541610")).await;
    assert_eq!(w.reason(&opted_out).await, "opted_out");
    let n = w.app.wait_for_status(&opted_out, "failed").await;
    assert_eq!(
        n["error"]["message"],
        "The customer has opted out of messages from this sender (replied STOP)."
    );
    // Two 429s, then taken: three requests for the busy one, one for the refused one.
    let sent = w.fake.wait_for("twilio", 4).await;
    let to = |number: &str| {
        sent.iter()
            .filter(|r| field(&r.form, "To") == number)
            .count()
    };
    assert_eq!((to("+919876540429"), to("+919876541610")), (3, 1));
    assert_eq!(w.app.notification(&busy).await["status"], "sending");
    // /metrics counts each answer by provider and kind.
    w.wait_for_metrics(&[
        r#"agent_notify_provider_answers_total{provider="twilio",result="retry"} 2"#,
        r#"agent_notify_provider_answers_total{provider="twilio",result="taken"} 1"#,
        r#"agent_notify_provider_answers_total{provider="twilio",result="refused"} 1"#,
    ])
    .await;
}

#[tokio::test]
async fn meta_sends_the_approved_template_with_parameters_per_component() {
    let w = world().await;
    w.meta().await;
    w.refs(
        "t_wa_order",
        json!({"whatsapp_name": "order_update", "whatsapp_language": "en_US",
        "whatsapp_components": {"name": "header", "link": "button:0"}}),
    )
    .await;
    let uuid = w.app.send_ok(&wa_order()).await;
    let sent = w.fake.wait_for("meta", 1).await;
    assert_eq!(sent[0].path, format!("/{META_PHONE_ID}/messages"));
    assert_eq!(
        sent[0].json,
        json!({
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": "919876543210",
            "type": "template", "biz_opaque_callback_data": uuid,
            "template": {"name": "order_update", "language": {"code": "en_US"}, "components": [
                {"type": "header", "parameters": [{"type": "text", "text": "Asha"}]},
                {"type": "body", "parameters": [{"type": "text", "text": "A-17"}, {"type": "text", "text": "2026-12-01"}]},
                {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "https://t.example.com/A-17"}]},
            ]},
        })
    );
}

fn meta_statuses(statuses: Value) -> String {
    // Meta signs the escaped-Unicode form it sends: keep the body's bytes as they are.
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550783881","phone_number_id":"{META_PHONE_ID}"}},"contacts":[{{"profile":{{"name":"J\u00e4rvi"}}}}],"statuses":{statuses}}},"field":"messages"}}]}}]}}"#
    )
}

#[tokio::test]
async fn meta_status_webhooks_are_verified_over_the_raw_body_and_never_move_back() {
    let w = world().await;
    w.meta().await;
    w.refs("t_wa_order", json!({"whatsapp_name": "order_update"}))
        .await;
    let uuid = w.app.send_ok(&wa_order()).await;
    w.fake.wait_for("meta", 1).await;
    let wamid = "wamid.HBgM00000001";
    let sent = meta_statuses(
        json!([{"id": wamid, "status": "sent", "timestamp": "1763719200",
        "recipient_id": "919876543210", "biz_opaque_callback_data": uuid}]),
    );
    assert_eq!(w.meta_webhook(&sent, META_APP_SECRET).await.status(), 200);
    w.app.wait_for_status(&uuid, "sent").await;

    // Without the echoed reference the wamid finds the message (once it is recorded).
    let read = meta_statuses(json!([
        {"id": wamid, "status": "delivered", "timestamp": "1763719201", "recipient_id": "919876543210"},
        {"id": wamid, "status": "read", "timestamp": "1763719202", "recipient_id": "919876543210"}]));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while w.app.notification(&uuid).await["status"] != "read"
        && tokio::time::Instant::now() < deadline
    {
        assert_eq!(w.meta_webhook(&read, META_APP_SECRET).await.status(), 200);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    w.app.wait_for_status(&uuid, "read").await;

    // A failure reported after the read is stale; a wrongly signed one is refused.
    let failed = meta_statuses(
        json!([{"id": wamid, "status": "failed", "timestamp": "1763719203",
        "recipient_id": "919876543210", "errors": [{"code": 131026, "title": "Message undeliverable"}]}]),
    );
    error_of(
        w.meta_webhook(&failed, "not-the-app-secret").await,
        401,
        "invalid_signature",
    )
    .await;
    assert_eq!(w.meta_webhook(&failed, META_APP_SECRET).await.status(), 200);
    let n = w.app.notification(&uuid).await;
    assert_eq!(
        (n["status"].as_str(), n["error"].is_null()),
        (Some("read"), true)
    );
}

#[tokio::test]
async fn a_meta_batch_naming_messages_by_their_ids_finds_each_one() {
    let w = world().await;
    w.meta().await;
    w.refs("t_wa_thanks", json!({"whatsapp_name": "thanks"}))
        .await;
    let mut uuids = Vec::new();
    for _ in 0..5 {
        uuids.push(
            w.app
                .send_ok(
                    &json!({"to": CUSTOMER, "channel": "whatsapp", "template_id": "t_wa_thanks"}),
                )
                .await,
        );
    }
    w.fake.wait_for("meta", 5).await;
    // Meta's answers (wamid.HBgM00000001 … 5) are recorded as each message's reference.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    for uuid in &uuids {
        while w.app.notification(uuid).await["provider"].is_null() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{uuid} has no provider reference"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    // One request, its statuses looked up together by id: five messages, one of them
    // named twice, and an id we never had.
    let mut statuses: Vec<Value> = (1..=5)
        .map(|n| {
            json!({"id": format!("wamid.HBgM{n:08}"), "status": "delivered",
            "timestamp": "1763719200", "recipient_id": "919876543210"})
        })
        .collect();
    statuses.push(json!({"id": "wamid.HBgM00000003", "status": "delivered",
        "timestamp": "1763719200", "recipient_id": "919876543210"}));
    statuses.push(json!({"id": "wamid.HBgM99999999", "status": "delivered",
        "timestamp": "1763719200", "recipient_id": "919876543210"}));
    let r = w
        .meta_webhook(&meta_statuses(json!(statuses)), META_APP_SECRET)
        .await;
    assert_eq!(r.status(), 200);
    let counts: Value = r.json().await.expect("json");
    assert_eq!(
        (&counts["applied"], &counts["ignored"], &counts["unknown"]),
        (&json!(5), &json!(1), &json!(1)),
        "{counts}"
    );
    for uuid in &uuids {
        assert_eq!(w.app.notification(uuid).await["status"], "delivered");
    }
}

#[tokio::test]
async fn a_full_meta_batch_is_taken_in_one_request_beyond_the_api_body_limit() {
    let w = world().await;
    w.meta().await;
    w.refs("t_wa_thanks", json!({"whatsapp_name": "thanks"}))
        .await;
    let uuid = w
        .app
        .send_ok(&json!({"to": CUSTOMER, "channel": "whatsapp", "template_id": "t_wa_thanks"}))
        .await;
    w.fake.wait_for("meta", 1).await;
    // 1,000 statuses, the most Meta batches: this message's, and others we never sent.
    let statuses: Vec<Value> = (0..1000)
        .map(|i| {
            let reference = if i % 100 == 0 { uuid.clone() } else { uuid::Uuid::new_v4().to_string() };
            json!({"id": format!("wamid.batch{i}"), "status": if i < 500 { "sent" } else { "delivered" },
                "timestamp": "1763719200", "recipient_id": "919876543210", "biz_opaque_callback_data": reference})
        })
        .collect();
    let body = meta_statuses(json!(statuses));
    assert!(
        body.len() > 64 * 1024,
        "the batch is bigger than the API's body limit"
    );
    let r = w.meta_webhook(&body, META_APP_SECRET).await;
    assert_eq!(r.status(), 200);
    let counts: Value = r.json().await.expect("json");
    assert_eq!(
        counts["applied"].as_u64().unwrap_or(0) + counts["ignored"].as_u64().unwrap_or(0),
        10
    );
    assert_eq!(counts["unknown"], 990);
    w.app.wait_for_status(&uuid, "delivered").await;
}

#[tokio::test]
async fn meta_answers_the_subscription_handshake_only_with_the_right_verify_token() {
    let w = world().await;
    w.meta().await;
    let url = w.webhook("meta", "meta-wa");
    let handshake = |token: &'static str| {
        let query = [
            ("hub.mode", "subscribe"),
            ("hub.verify_token", token),
            ("hub.challenge", "1158201444"),
        ];
        w.app.client.get(&url).query(&query).send()
    };
    let r = handshake(META_VERIFY_TOKEN).await.expect("sent");
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.expect("text"), "1158201444");
    let r = handshake("guess").await.expect("sent");
    error_of(r, 403, "verification_failed").await;
}

#[tokio::test]
async fn meta_outside_the_window_fails_with_the_reason_and_throughput_limits_are_retried() {
    let w = world().await;
    w.meta().await;
    w.refs("t_wa_thanks", json!({"whatsapp_name": "thanks"}))
        .await;
    let body = |to: &str| json!({"to": to, "channel": "whatsapp", "template_id": "t_wa_thanks"});
    let late = w.app.send_ok(&body("+919876541047")).await;
    let busy = w.app.send_ok(&body("+919876540429")).await;
    assert_eq!(w.reason(&late).await, "outside_window");
    let sent = w.fake.wait_for("meta", 4).await;
    let to = |number: &str| sent.iter().filter(|r| r.json["to"] == number).count();
    assert_eq!((to("919876541047"), to("919876540429")), (1, 3));
    assert_eq!(w.app.notification(&busy).await["status"], "sending");
}

#[tokio::test]
async fn rbm_checks_capability_then_sends_with_our_uuid_and_signed_events_advance_it() {
    let w = world().await;
    w.rbm().await;
    let uuid = w.app.send_ok(&rcs_appointment(CUSTOMER)).await;
    let sent = w.fake.wait_for("rbm-message", 1).await;
    let capability = &w.fake.requests("rbm-capabilities")[0];
    assert_eq!(
        capability.path,
        format!("/v1/phones/{CUSTOMER}/capabilities")
    );
    assert_eq!(capability.query["agentId"], RBM_AGENT);
    assert!(uuid::Uuid::parse_str(&capability.query["requestId"]).is_ok());
    assert_eq!(sent[0].path, format!("/v1/phones/{CUSTOMER}/agentMessages"));
    assert_eq!(sent[0].query["messageId"], uuid);
    assert_eq!(sent[0].query["agentId"], RBM_AGENT);
    assert_eq!(
        sent[0].json,
        json!({"contentMessage": {"text": RCS_TEXT}, "ttl": "3600s"})
    );
    w.app.wait_for_status(&uuid, "sent").await;

    let event = |kind: &str| {
        json!({"senderPhoneNumber": CUSTOMER, "eventType": kind, "eventId": format!("ev-{kind}"),
        "messageId": uuid, "sendTime": "2026-11-21T10:00:05.123456Z", "agentId": RBM_AGENT})
    };
    error_of(
        w.rbm_event(&event("DELIVERED"), "wrong-client-token").await,
        401,
        "invalid_signature",
    )
    .await;
    assert_eq!(w.app.notification(&uuid).await["status"], "sent");
    assert_eq!(
        w.rbm_event(&event("READ"), RBM_CLIENT_TOKEN).await.status(),
        200
    );
    assert_eq!(
        w.rbm_event(&event("DELIVERED"), RBM_CLIENT_TOKEN)
            .await
            .status(),
        200
    );
    w.app.wait_for_status(&uuid, "read").await;

    // A second message reuses the access token: one token request in all.
    let second = w.app.send_ok(&rcs_appointment("+919876543211")).await;
    w.app.wait_for_status(&second, "sent").await;
    assert_eq!(w.fake.requests("rbm-token").len(), 1);
}

#[tokio::test]
async fn rbm_answers_the_console_setup_with_the_secret_only_for_its_client_token() {
    let w = world().await;
    w.rbm().await;
    let url = w.webhook("rbm", "rbm");
    let setup = json!({"clientToken": RBM_CLIENT_TOKEN, "secret": "0123456789"}).to_string();
    let r = w
        .post_raw(&url, "application/json", &[], setup.into_bytes())
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.expect("text"), "0123456789");
    let wrong = json!({"clientToken": "someone-else", "secret": "0123456789"}).to_string();
    error_of(
        w.post_raw(&url, "application/json", &[], wrong.into_bytes())
            .await,
        401,
        "invalid_signature",
    )
    .await;
}

#[tokio::test]
async fn an_rcs_message_to_a_phone_without_rcs_goes_by_sms_and_the_history_says_so() {
    let w = world().await;
    w.rbm().await;
    w.twilio("sms", "+15005550006").await;
    let uuid = w.app.send_ok(&rcs_appointment("+919876540404")).await;
    let sms = w.fake.wait_for("twilio", 1).await;
    assert_eq!(field(&sms[0].form, "To"), "+919876540404");
    assert_eq!(field(&sms[0].form, "Body"), RCS_TEXT);
    assert!(w.fake.requests("rbm-message").is_empty());
    let history = w.history(&uuid).await;
    assert!(
        history.iter().any(|h| h == "sending: The customer's phone cannot receive RCS messages. Sending by SMS instead."),
        "{history:?}"
    );
    // Twilio's callbacks then carry the message to delivered.
    let callback = field(&sms[0].form, "StatusCallback").to_owned();
    let delivered = [
        ("MessageSid", "SM00000000000000000000000000000001"),
        ("MessageStatus", "delivered"),
    ];
    w.twilio_callback(&callback, &delivered, &delivered).await;
    w.app.wait_for_status(&uuid, "delivered").await;
}

#[tokio::test]
async fn an_rcs_message_that_expires_undelivered_goes_by_sms_once() {
    let w = world().await;
    w.rbm().await;
    w.twilio("sms", "+15005550006").await;
    let uuid = w.app.send_ok(&rcs_appointment(CUSTOMER)).await;
    w.app.wait_for_status(&uuid, "sent").await;
    let expired = json!({"phoneNumber": CUSTOMER, "messageId": uuid, "agentId": RBM_AGENT,
        "eventType": "TTL_EXPIRATION_REVOKED", "eventId": "ev-ttl", "sendTime": "2026-11-21T11:00:00Z"});
    let r = w.rbm_event(&expired, RBM_CLIENT_TOKEN).await;
    assert_eq!(r.json::<Value>().await.expect("json")["applied"], 1);
    let sms = w.fake.wait_for("twilio", 1).await;
    assert_eq!(field(&sms[0].form, "Body"), RCS_TEXT);
    // Google retries: the same event again queues nothing more.
    let r = w.rbm_event(&expired, RBM_CLIENT_TOKEN).await;
    assert_eq!(r.json::<Value>().await.expect("json")["ignored"], 1);
    let history = w.history(&uuid).await;
    let notes = history
        .iter()
        .filter(|h| h.contains("expired before it was delivered"))
        .count();
    assert_eq!(notes, 1, "{history:?}");
    assert_eq!(w.fake.requests("twilio").len(), 1);
}

#[tokio::test]
async fn exotel_sends_the_dlt_ids_and_header_with_the_registered_text_filled_in() {
    let w = world().await;
    w.exotel().await;
    let uuid = w.send_dlt_payment().await;
    let sent = w.fake.wait_for("exotel", 1).await;
    let form = &sent[0].form;
    assert_eq!(field(form, "From"), "ACMEPY");
    assert_eq!(field(form, "To"), CUSTOMER);
    assert_eq!(field(form, "DltEntityId"), "1201159100000000001");
    assert_eq!(field(form, "DltTemplateId"), "1207161000000000002");
    assert_eq!(field(form, "CustomField"), uuid);
    // The body is the registered text with each {#var#} filled in, nothing else changed.
    let body = field(form, "Body");
    let registered =
        "Dear {#var#}, your payment of Rs {#var#} is due. Pay securely at {#var#} -ACME";
    let unfilled = body
        .replacen("Asha", "{#var#}", 1)
        .replacen("1250.50", "{#var#}", 1)
        .replacen("https://acme.in/p/7", "{#var#}", 1);
    assert_eq!(unfilled, registered);

    // The callback URL carries a token only the account could make.
    let callback = field(form, "StatusCallback").to_owned();
    assert!(callback.starts_with(&format!(
        "{}?message={uuid}&token=",
        w.webhook("exotel", "exotel")
    )));
    let report = |status: &str| {
        serde_urlencoded::to_string([
            ("SmsSid", "ex1"),
            ("To", CUSTOMER),
            ("Status", status),
            ("DetailedStatus", "DELIVERED_TO_HANDSET"),
            ("DetailedStatusCode", "20005"),
        ])
        .expect("form")
        .into_bytes()
    };
    let forged = format!("{}?message={uuid}&token=00", w.webhook("exotel", "exotel"));
    error_of(
        w.post_raw(
            &forged,
            "application/x-www-form-urlencoded",
            &[],
            report("failed"),
        )
        .await,
        401,
        "invalid_signature",
    )
    .await;
    let r = w
        .post_raw(
            &callback,
            "application/x-www-form-urlencoded",
            &[],
            report("delivered"),
        )
        .await;
    assert_eq!(r.status(), 200);
    w.app.wait_for_status(&uuid, "delivered").await;
}

#[tokio::test]
async fn exotel_dnd_fails_with_its_reason_missing_dlt_ids_are_refused_and_an_outage_is_retried_then_failed(
) {
    let w = world().await;
    w.exotel().await;
    w.refs(
        "t_sms_thanks",
        json!({"dlt_entity_id": "1201159100000000001", "dlt_template_id": "1207161000000000003",
               "dlt_header": "ACMEIN"}),
    )
    .await;
    let dnd = w.app.send_ok(&static_sms_to(CUSTOMER)).await;
    let down = w.app.send_ok(&static_sms_to("+919876540503")).await;
    let sent = w.fake.wait_for_number("exotel", CUSTOMER).await;
    let callback = field(&sent.form, "StatusCallback").to_owned();
    let report = serde_urlencoded::to_string([
        ("SmsSid", "ex1"),
        ("Status", "failed-dnd"),
        ("DetailedStatus", "FAILED_DND"),
        ("DetailedStatusCode", "23005"),
    ])
    .expect("form");
    w.post_raw(
        &callback,
        "application/x-www-form-urlencoded",
        &[],
        report.into_bytes(),
    )
    .await;
    assert_eq!(w.reason(&dnd).await, "dnd");
    assert_eq!(w.reason(&down).await, "provider_unavailable");
    let attempts = w
        .fake
        .requests("exotel")
        .iter()
        .filter(|r| field(&r.form, "To") == "+919876540503")
        .count();
    assert_eq!(
        attempts, 3,
        "three attempts (worker.max_attempts) before failing"
    );

    // A template without DLT ids is refused at send for an Indian number: nothing is
    // queued, nothing reaches the gateway.
    w.refs("t_otp", json!({})).await;
    let before = w.fake.requests("exotel").len();
    let otp = w
        .app
        .send(
            &json!({"to": CUSTOMER, "channel": "sms", "template_id": "t_otp", "fields": {"code": "4821"}}),
            None,
        )
        .await;
    error_of(otp, 422, "dlt_template").await;
    assert_eq!(w.fake.requests("exotel").len(), before);
}

#[tokio::test]
async fn a_burst_over_an_accounts_rate_is_spread_out_not_refused() {
    let w = world_with(|s| {
        s.providers.rate_per_second.insert("tw-sms".into(), 5);
        s.worker.concurrency = 16;
    })
    .await;
    w.twilio("sms", "+15005550006").await;
    let uuids = w.send_sms_burst(15).await;
    let sent = w.fake.wait_for("twilio", 15).await;
    for uuid in &uuids {
        assert_ne!(w.app.notification(uuid).await["status"], "failed");
    }
    assert_paced_at_5_per_second(&sent);
}

/// Never more than one burst (5) plus one second's rate (5) in any second, and the last
/// message no earlier than its slot allows ((n - 5) / 5 seconds after the first), with
/// a margin for the first request's own travel time.
fn assert_paced_at_5_per_second(sent: &[Recorded]) {
    let times: Vec<_> = sent.iter().map(|r| r.at).collect();
    for (i, start) in times.iter().enumerate() {
        let within = times[i..]
            .iter()
            .filter(|t| t.duration_since(*start) < Duration::from_secs(1))
            .count();
        assert!(within <= 10, "{within} requests within one second");
    }
    let span = times[times.len() - 1].duration_since(times[0]);
    let slots = Duration::from_millis(200) * u32::try_from(times.len() - 5).expect("count");
    assert!(
        span + Duration::from_millis(500) >= slots,
        "{} messages at 5/s went out within {span:?}",
        times.len()
    );
}

#[tokio::test]
async fn provider_accounts_are_checked_for_channel_credentials_and_sender() {
    let w = world().await;
    let post = |body: Value| {
        w.app
            .post("/api/v1/admin/providers", &w.app.admin)
            .json(&body)
            .send()
    };
    let meta = |channel: &str, credentials: Value, sender: &str| {
        json!({"channel": channel, "provider": "meta",
        "display_name": "WA", "sender": sender, "credentials": credentials})
    };
    let all = json!({"access_token": "a", "app_secret": "b", "verify_token": "c"});
    let e = error_of(
        post(meta("sms", all.clone(), "1065")).await.expect("sent"),
        422,
        "wrong_channel",
    )
    .await;
    assert!(
        e["message"]
            .as_str()
            .expect("message")
            .contains("does not send SMS"),
        "{e}"
    );
    let e = error_of(
        post(meta("whatsapp", json!({"access_token": "a"}), "1065"))
            .await
            .expect("sent"),
        422,
        "missing_credential",
    )
    .await;
    assert!(
        e["message"]
            .as_str()
            .expect("message")
            .contains("access_token, app_secret, verify_token"),
        "{e}"
    );
    error_of(
        post(meta("whatsapp", json!({"api_key": "x"}), "1065"))
            .await
            .expect("sent"),
        422,
        "unknown_credential",
    )
    .await;
    error_of(
        post(meta("whatsapp", all.clone(), " "))
            .await
            .expect("sent"),
        422,
        "invalid_sender",
    )
    .await;
    error_of(
        post(meta("whatsapp", all, &"9".repeat(121)))
            .await
            .expect("sent"),
        422,
        "invalid_sender",
    )
    .await;
}

#[tokio::test]
async fn credentials_are_sealed_in_the_database_and_opened_to_send() {
    use sqlx::Row;
    let w = world().await;
    w.twilio("sms", "+15005550006").await;
    sqlx::any::install_default_drivers();
    let url = crate::services::database_url(w.app.dir.path());
    let db = sqlx::AnyPool::connect(url.as_str())
        .await
        .expect("the test database");
    let row = sqlx::query("SELECT credentials FROM provider_accounts WHERE id = 'tw-sms'")
        .fetch_one(&db)
        .await
        .expect("the account's row");
    // MySQL's TEXT reaches sqlx's Any driver as bytes, SQLite's as text.
    let stored = row
        .try_get::<String, _>(0)
        .or_else(|_| {
            row.try_get::<Vec<u8>, _>(0)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        })
        .expect("credentials");
    assert!(stored.starts_with("sealed:v1:"), "stored as {stored}");
    assert!(!stored.contains(TWILIO_TOKEN) && !stored.contains(TWILIO_SID));
    // The fake checks Basic auth with the real token: the worker opened the seal.
    let uuid = w.app.send_ok(&static_sms_to(CUSTOMER)).await;
    w.fake.wait_for("twilio", 1).await;
    assert_eq!(w.app.notification(&uuid).await["status"], "sending");
}

#[tokio::test]
async fn a_misconfigured_account_fails_its_messages_with_what_to_fix() {
    let w = world().await;
    let e = w
        .app
        .post_json(
            "/api/v1/admin/providers",
            &w.app.admin,
            &json!({"channel": "rcs", "provider": "rbm", "display_name": "RCS", "sender": RBM_AGENT,
            "credentials": {"service_account_json": "{not json", "client_token": "t"}}),
        )
        .await;
    error_of(e, 422, "invalid_credential").await;
    // A key file that reads but whose key is not an RSA key passes the save…
    let key = json!({"client_email": "rbm@acme-test.iam.gserviceaccount.com", "private_key": "not a key",
        "token_uri": format!("{}/rbm/token", w.fake.base)});
    w.add_account(json!({"id": "rbm-bad", "channel": "rcs", "provider": "rbm", "display_name": "Broken RCS",
        "sender": RBM_AGENT, "default": true, "credentials": {"service_account_json": key.to_string(), "client_token": "t"}}))
        .await;
    // …and its messages fail with what to fix, without reaching Google.
    let uuid = w.app.send_ok(&rcs_appointment(CUSTOMER)).await;
    assert_eq!(w.reason(&uuid).await, "provider_misconfigured");
    assert!(w.fake.requests("rbm-token").is_empty());
    let n = w.app.notification(&uuid).await;
    assert!(
        n["error"]["message"]
            .as_str()
            .expect("message")
            .contains("Broken RCS"),
        "{n}"
    );
}

#[tokio::test]
async fn an_account_in_the_configuration_is_written_to_the_settings_and_sends() {
    let w = world_with(|s| {
        let credentials = [("account_sid", TWILIO_SID), ("auth_token", TWILIO_TOKEN)]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), secrecy::SecretString::from(v.to_owned())))
            .collect();
        let account = server::config::ConfiguredAccount {
            channel: app::domain::Channel::Sms,
            provider: app::domain::ProviderKind::named("twilio").expect("a kind"),
            display_name: Some("Twilio (config)".into()),
            sender: "+15005550006".into(),
            default: true,
            credentials,
        };
        s.providers
            .accounts
            .insert("tw-config".parse().expect("an id"), account);
    })
    .await;
    let listed: Value = w
        .app
        .get_json("/api/v1/admin/providers", &w.app.admin)
        .await;
    assert_eq!(listed[0]["id"], "tw-config");
    assert_eq!(
        listed[0]["credentials_set"],
        json!(["account_sid", "auth_token"])
    );
    assert!(!listed.to_string().contains(TWILIO_TOKEN));
    w.app.send_ok(&static_sms_to(CUSTOMER)).await;
    let sent = w.fake.wait_for("twilio", 1).await;
    assert_eq!(field(&sent[0].form, "From"), "+15005550006");
}

#[tokio::test]
async fn webhooks_for_unknown_accounts_or_providers_without_webhooks_are_404() {
    let w = world().await;
    w.add_account(
        json!({"id": "sbx", "channel": "sms", "provider": "sandbox", "display_name": "Sandbox"}),
    )
    .await;
    for (provider, account, code) in [
        ("twilio", "nobody", "unknown_account"),
        ("meta", "sbx", "unknown_account"),
        ("sandbox", "sbx", "no_webhooks"),
    ] {
        let r = w
            .post_raw(
                &w.webhook(provider, account),
                "application/json",
                &[],
                b"{}".to_vec(),
            )
            .await;
        error_of(r, 404, code).await;
    }
}

#[tokio::test]
async fn a_webhook_changes_only_the_messages_its_own_account_sent() {
    let w = world().await;
    w.meta().await;
    // A second WhatsApp account, with its own app secret (another tenant's, say).
    w.add_account(json!({"id": "meta-other", "channel": "whatsapp", "provider": "meta",
        "display_name": "Other WhatsApp", "sender": "999999999999",
        "credentials": {"access_token": "other", "app_secret": "other-app-secret", "verify_token": "v"}}))
        .await;
    w.refs("t_wa_order", json!({"whatsapp_name": "order_update"}))
        .await;
    let uuid = w.app.send_ok(&wa_order()).await;
    w.fake.wait_for("meta", 1).await;
    let delivered = meta_statuses(
        json!([{"id": "wamid.HBgM00000001", "status": "delivered", "timestamp": "1763719200",
        "recipient_id": "919876543210", "biz_opaque_callback_data": uuid}]),
    );
    // Correctly signed for the other account, naming our message: changes nothing.
    let r = w
        .meta_webhook_to("meta-other", &delivered, "other-app-secret")
        .await;
    assert_eq!(r.status(), 200);
    let counts: Value = r.json().await.expect("json");
    assert_eq!(
        (counts["applied"].as_u64(), counts["ignored"].as_u64()),
        (Some(0), Some(1))
    );
    assert_ne!(w.app.notification(&uuid).await["status"], "delivered");
    // The account that sent it is heard, at once.
    let r = w.meta_webhook(&delivered, META_APP_SECRET).await;
    let counts: Value = r.json().await.expect("json");
    assert_eq!(counts["applied"], 1, "{counts}");
    w.app.wait_for_status(&uuid, "delivered").await;
}

#[tokio::test]
async fn rbm_access_tokens_come_only_from_googles_endpoint_whatever_the_key_file_says() {
    let w = world().await;
    // The fixture's key file names `…/elsewhere/token` as its token_uri.
    w.rbm().await;
    let uuid = w.app.send_ok(&rcs_appointment(CUSTOMER)).await;
    w.fake.wait_for("rbm-message", 1).await;
    w.app.wait_for_status(&uuid, "sent").await;
    assert_eq!(
        w.fake.requests("rbm-token").len(),
        1,
        "the configured endpoint"
    );
    assert!(
        w.fake.requests("elsewhere").is_empty(),
        "the key file's token_uri is never called"
    );
}

#[tokio::test]
async fn an_oversized_webhook_is_refused_before_anything_reads_it() {
    let w = world().await;
    w.rbm().await;
    let padding = "x".repeat(100 * 1024);
    let r = w
        .post_raw(
            &w.webhook("rbm", "rbm"),
            "application/json",
            &[("X-Goog-Signature", "anything".to_owned())],
            format!(r#"{{"message":{{"data":"{padding}"}}}}"#).into_bytes(),
        )
        .await;
    error_of(r, 413, "payload_too_large").await;
}

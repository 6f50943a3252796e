//! What customers send back, through the same signed webhooks as delivery reports: STOP
//! and START keep the opt-out list current (a send to an opted-out number is refused
//! before anything is queued), a WhatsApp message opens the 24-hour window, and a reply
//! shows under the message it answers. Every payload is built and signed here, as each
//! provider documents it.

use crate::fake_providers::*;
use crate::helpers::{error_of, static_sms_to};
use crate::providers::*;
use serde_json::{json, Value};

/// A customer's SMS as Twilio forwards it ("A message comes in"), signed like Twilio.
async fn twilio_inbound(w: &World, from: &str, body: &str, sid: &str) -> reqwest::Response {
    let url = w.webhook("twilio", "tw-sms");
    let params = [
        ("MessageSid", sid),
        ("SmsSid", sid),
        ("AccountSid", TWILIO_SID),
        ("From", from),
        ("To", "+15005550006"),
        ("Body", body),
        ("NumMedia", "0"),
        ("SmsStatus", "received"),
        ("ApiVersion", "2010-04-01"),
    ];
    w.twilio_callback(&url, &params, &params).await
}

/// Twilio's "sent" callback for our message `uuid`, the fake's `n`th (so its id there
/// is recorded before the customer answers).
async fn twilio_sent(w: &World, uuid: &str, n: usize, credential: &str) {
    w.fake.wait_for("twilio", n).await;
    let url = format!("{}?message={uuid}", w.webhook("twilio", "tw-sms"));
    let sid = format!("SM{n:032}");
    let params = [("MessageSid", sid.as_str()), ("MessageStatus", "sent")];
    let r = w.twilio_callback(&url, &params, &params).await;
    assert_eq!(r.status(), 200);
    w.app.wait_for_status_as(uuid, "sent", credential).await;
}

/// A customer's WhatsApp message as Meta posts it (`value.messages[]`).
fn meta_message(message: Value) -> String {
    json!({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{
        "field": "messages", "value": {"messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": META_PHONE_ID},
            "contacts": [{"profile": {"name": "Asha"}, "wa_id": "919876543210"}],
            "messages": [message]}}]}]})
    .to_string()
}

async fn validate(w: &World, number: &str) -> Value {
    let r = w
        .app
        .post_json(
            "/api/v1/phone/validate",
            &w.app.agent,
            &json!({"number": number}),
        )
        .await;
    assert_eq!(r.status(), 200);
    r.json().await.expect("json")
}

async fn opt_outs(w: &World) -> Vec<Value> {
    w.app.get_json("/api/v1/admin/opt-outs", &w.app.admin).await
}

#[tokio::test]
async fn a_customer_who_texts_stop_is_refused_at_send_until_they_text_start() {
    let w = world_with(|_| {}).await;
    w.twilio("sms", "+15005550006").await;
    let r = twilio_inbound(&w, CUSTOMER, " Stop ", "SM0000000000000000000000000000001").await;
    assert_eq!(r.status(), 200);
    let listed = opt_outs(&w).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["number"], CUSTOMER);
    assert_eq!(listed[0]["channel"], "sms");
    assert_eq!(listed[0]["sender"], "+15005550006");
    assert_eq!(listed[0]["source"], "customer");

    let refused = error_of(
        w.app.send(&static_sms_to(CUSTOMER), None).await,
        422,
        "opted_out",
    )
    .await;
    assert_eq!(refused["fields"]["to"], "opted out");
    let recent: Vec<Value> = w.app.get_json("/api/v1/notifications", &w.app.agent).await;
    assert!(
        recent.is_empty(),
        "nothing was recorded or queued: {recent:?}"
    );
    assert!(w.fake.requests("twilio").is_empty());
    assert_eq!(
        validate(&w, CUSTOMER).await["opted_out"],
        json!(["sms"]),
        "the widget's number check says so before the agent picks a template"
    );
    // Another customer is not affected.
    w.app.send_ok(&static_sms_to("+919876543211")).await;

    let r = twilio_inbound(&w, CUSTOMER, "START", "SM0000000000000000000000000000002").await;
    assert_eq!(r.status(), 200);
    assert!(opt_outs(&w).await.is_empty());
    w.app.send_ok(&static_sms_to(CUSTOMER)).await;
    // Twilio delivering the old STOP again does not undo the START.
    let again = twilio_inbound(&w, CUSTOMER, " Stop ", "SM0000000000000000000000000000001").await;
    assert_eq!(again.json::<Value>().await.expect("json")["ignored"], 1);
    assert!(opt_outs(&w).await.is_empty());
}

#[tokio::test]
async fn an_unsigned_inbound_message_is_refused_and_changes_nothing() {
    let w = world_with(|_| {}).await;
    w.twilio("sms", "+15005550006").await;
    let url = w.webhook("twilio", "tw-sms");
    let params = [
        ("MessageSid", "SM1"),
        ("From", CUSTOMER),
        ("Body", "STOP"),
        ("SmsStatus", "received"),
    ];
    let forged = w
        .post_raw(
            &url,
            "application/x-www-form-urlencoded",
            &[("X-Twilio-Signature", "bm90IGEgc2lnbmF0dXJl".to_owned())],
            serde_urlencoded::to_string(params)
                .expect("form")
                .into_bytes(),
        )
        .await;
    error_of(forged, 401, "invalid_signature").await;
    assert!(opt_outs(&w).await.is_empty());
    w.app.send_ok(&static_sms_to(CUSTOMER)).await;
}

#[tokio::test]
async fn a_whatsapp_reply_opens_the_window_and_shows_under_the_message_it_quotes() {
    let w = world_with(|_| {}).await;
    w.meta().await;
    w.refs("t_wa_order", json!({"whatsapp_name": "order_update"}))
        .await;
    let closed = validate(&w, CUSTOMER).await;
    assert_eq!(closed["window"], json!({"open": false}));
    let uuid = w.app.send_ok(&wa_order()).await;
    w.fake.wait_for("meta", 1).await;
    let sent = json!({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{
        "field": "messages", "value": {"messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": META_PHONE_ID},
            "statuses": [{"id": "wamid.HBgM00000001", "status": "sent", "timestamp": "1764669500",
                "recipient_id": "919876543210", "biz_opaque_callback_data": uuid}]}}]}]});
    assert_eq!(
        w.meta_webhook(&sent.to_string(), META_APP_SECRET)
            .await
            .status(),
        200
    );
    w.app.wait_for_status(&uuid, "sent").await;

    let reply = meta_message(json!({"from": "919876543210", "id": "wamid.IN000001",
        "timestamp": "1764669600", "type": "text", "text": {"body": "Yes, deliver it tomorrow"},
        "context": {"from": "15550783881", "id": "wamid.HBgM00000001"}}));
    let r = w.meta_webhook(&reply, META_APP_SECRET).await;
    assert_eq!(r.status(), 200);
    let received: Value = r.json().await.expect("json");
    assert_eq!(received["inbound"], 1);
    // The same webhook again (providers retry): recorded once.
    let again: Value = w
        .meta_webhook(&reply, META_APP_SECRET)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(again["inbound"], 0);

    let message = w.app.notification(&uuid).await;
    assert_eq!(
        message["replies"],
        json!([{"at": "2025-12-02T10:00:00.000Z", "text": "Yes, deliver it tomorrow"}])
    );
    // The reply's own time (a year ago in this payload) is long past the window: only
    // a message within the last 24 hours opens it.
    assert_eq!(validate(&w, CUSTOMER).await["window"]["open"], false);
    let now = time::OffsetDateTime::now_utc().unix_timestamp().to_string();
    let fresh = meta_message(json!({"from": "919876543210", "id": "wamid.IN000002",
        "timestamp": now, "type": "button", "button": {"text": "Track order", "payload": "track"}}));
    assert_eq!(w.meta_webhook(&fresh, META_APP_SECRET).await.status(), 200);
    let open = validate(&w, CUSTOMER).await;
    assert_eq!(open["window"]["open"], true, "{open}");
    let until = open["window"]["until"].as_str().expect("until");
    let until = time::OffsetDateTime::parse(until, &time::format_description::well_known::Rfc3339)
        .expect("RFC 3339");
    let left = until - time::OffsetDateTime::now_utc();
    assert!(
        left > time::Duration::hours(23) && left <= time::Duration::hours(24),
        "open for 24 hours from the customer's message: {left}"
    );
    let replies = w.app.notification(&uuid).await["replies"].clone();
    assert_eq!(
        replies[1]["text"], "Track order",
        "a reply without a quote answers the newest message to that number"
    );
}

#[tokio::test]
async fn an_rcs_user_message_answers_the_newest_rcs_message_to_that_number() {
    let w = world_with(|_| {}).await;
    w.rbm().await;
    let older = w
        .app
        .send_ok(&json!({"to": CUSTOMER, "channel": "rcs", "template_id": "t_rcs_welcome"}))
        .await;
    w.app.wait_for_status(&older, "sent").await;
    let newer = w
        .app
        .send_ok(&json!({"to": CUSTOMER, "channel": "rcs", "template_id": "t_rcs_welcome"}))
        .await;
    w.app.wait_for_status(&newer, "sent").await;
    let event = json!({"senderPhoneNumber": CUSTOMER, "messageId": "MxUSER000001",
        "sendTime": "2026-12-02T10:00:00.000Z", "agentId": RBM_AGENT, "text": "R"});
    assert_eq!(w.rbm_event(&event, RBM_CLIENT_TOKEN).await.status(), 200);
    assert_eq!(w.app.notification(&newer).await["replies"][0]["text"], "R");
    assert!(w.app.notification(&older).await.get("replies").is_none());
}

#[tokio::test]
async fn an_exotel_incoming_sms_needs_the_accounts_url_token_and_can_opt_out() {
    let w = world_with(|_| {}).await;
    w.exotel().await;
    let token = {
        use hmac::Mac;
        let mut mac =
            hmac::Hmac::<sha2::Sha256>::new_from_slice(EXOTEL_TOKEN.as_bytes()).expect("any key");
        mac.update(b"inbound");
        hex::encode(mac.finalize().into_bytes())
    };
    let body = "SmsSid=a1b2c3&From=09876543210&To=ACMEIN&Body=STOP&Date=2026-12-02+10%3A00%3A00";
    let url = |token: &str| {
        format!(
            "{}?message=inbound&token={token}",
            w.webhook("exotel", "exotel")
        )
    };
    let forged = w
        .post_raw(
            &url("0000"),
            "application/x-www-form-urlencoded",
            &[],
            body.into(),
        )
        .await;
    error_of(forged, 401, "invalid_signature").await;
    assert!(opt_outs(&w).await.is_empty());
    let r = w
        .post_raw(
            &url(&token),
            "application/x-www-form-urlencoded",
            &[],
            body.into(),
        )
        .await;
    assert_eq!(r.status(), 200);
    let listed = opt_outs(&w).await;
    assert_eq!(
        listed[0]["number"], "+919876543210",
        "a national number is read in India"
    );
    error_of(
        w.app.send(&static_sms_to(CUSTOMER), None).await,
        422,
        "opted_out",
    )
    .await;
}

#[tokio::test]
async fn a_workflow_message_gets_its_reply_only_when_it_asked_for_one() {
    let w = world_with(|_| {}).await;
    w.twilio("sms", "+15005550006").await;
    let key = w
        .app
        .api_key(json!({"name": "IVR", "scopes": ["notifications:send", "notifications:read"], "groups": ["demo"]}))
        .await["secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    let send = |expects_reply: bool| {
        json!({"group_id": "demo", "to": CUSTOMER, "channel": "sms", "template_id": "t_sms_thanks",
               "expects_reply": expects_reply})
    };
    let uuid_of = |v: Value| v["uuid"].as_str().expect("uuid").to_owned();
    let silent = uuid_of(
        w.app
            .send_as(&key, &send(false))
            .await
            .json()
            .await
            .expect("json"),
    );
    twilio_sent(&w, &silent, 1, &key).await;
    twilio_inbound(
        &w,
        CUSTOMER,
        "Who is this?",
        "SM0000000000000000000000000000011",
    )
    .await;
    let replies = |n: Value| n.get("replies").cloned();
    assert_eq!(
        replies(w.app.notification_as(&silent, &key).await),
        None,
        "not asked: not linked"
    );

    let asking = uuid_of(
        w.app
            .send_as(&key, &send(true))
            .await
            .json()
            .await
            .expect("json"),
    );
    twilio_sent(&w, &asking, 2, &key).await;
    twilio_inbound(&w, CUSTOMER, "Yes", "SM0000000000000000000000000000012").await;
    assert_eq!(
        w.app.notification_as(&asking, &key).await["replies"][0]["text"],
        "Yes"
    );
    assert_eq!(replies(w.app.notification_as(&silent, &key).await), None);
}

#[tokio::test]
async fn a_stream_that_follows_replies_outlives_delivery_and_pushes_the_reply() {
    let w = world_with(|_| {}).await;
    w.twilio("sms", "+15005550006").await;
    let uuid = w
        .app
        .send_ok(
            &json!({"to": CUSTOMER, "channel": "sms", "template_id": "t_sms_thanks",
                         "call_id": "c-replies"}),
        )
        .await;
    w.fake.wait_for("twilio", 1).await;
    let url = format!("{}?message={uuid}", w.webhook("twilio", "tw-sms"));
    let sid = format!("SM{:032}", 1);
    let delivered = [("MessageSid", sid.as_str()), ("MessageStatus", "delivered")];
    assert_eq!(
        w.twilio_callback(&url, &delivered, &delivered)
            .await
            .status(),
        200
    );
    w.app.wait_for_status(&uuid, "delivered").await;

    // Without `replies=1` the delivered message has nothing left to show: 204.
    let plain = w
        .app
        .fetch("/api/v1/calls/c-replies/events", &w.app.agent)
        .await;
    assert_eq!(plain.status(), 204);
    let following = w
        .app
        .fetch("/api/v1/calls/c-replies/events?replies=1", &w.app.agent)
        .await;
    let reader = tokio::spawn(crate::helpers::read_events_until(
        following,
        std::time::Duration::from_secs(15),
        |e| e.event == "reply",
    ));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    twilio_inbound(
        &w,
        CUSTOMER,
        "Thanks, got it",
        "SM0000000000000000000000000000021",
    )
    .await;
    let events = reader.await.expect("read");
    assert_eq!(events.first().map(|e| e.event.as_str()), Some("status"));
    let reply = events.last().expect("a reply event");
    assert_eq!(reply.event, "reply");
    assert_eq!(reply.view()["replies"][0]["text"], "Thanks, got it");
    assert_eq!(reply.view()["status"], "delivered");
}

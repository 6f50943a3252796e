//! Status change → browser-side listener, across processes: a WhatsApp message is
//! accepted by server A and followed on A's call stream; a signed Meta status webhook
//! is posted to server B (another `serve` on the same database and Redis, with its own
//! status feed); the time is from the webhook's POST to the `delivered` event read
//! from A's stream, which only Redis can have brought.

use crate::fake_providers::{FakeProviders, META_PHONE_ID, META_TOKEN};
use crate::{agent_token, client, json_of, ADMIN_PASSWORD, META_SECRET};
use futures::StreamExt;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Creates the Meta account the webhooks are signed for — WhatsApp's default, sending
/// to the fake Meta — and names the thanks template's approved WhatsApp template.
pub async fn meta_account(base: &str) {
    let signed: Value = client()
        .post(format!("{base}/api/v1/admin/login"))
        .json(&json!({"id": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("signed in");
    let admin = signed["token"]
        .as_str()
        .expect("a session token")
        .to_owned();
    let account = json!({"id": "meta-bench", "channel": "whatsapp", "provider": "meta", "display_name": "Bench",
        "sender": META_PHONE_ID, "default": true,
        "credentials": {"access_token": META_TOKEN, "app_secret": META_SECRET, "verify_token": "v"}});
    let created = client()
        .post(format!("{base}/api/v1/admin/providers"))
        .bearer_auth(&admin)
        .json(&account)
        .send()
        .await
        .expect("sent");
    assert_eq!(created.status(), 201, "bench account refused");
    let path = format!("{base}/api/v1/admin/templates/t_wa_thanks");
    let mut template: Value = client()
        .get(&path)
        .bearer_auth(&admin)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("template");
    template["provider_ref"] = json!({"whatsapp_name": "thanks"});
    let saved = client()
        .put(&path)
        .bearer_auth(&admin)
        .json(&template)
        .send()
        .await
        .expect("sent");
    assert_eq!(saved.status(), 200, "template refused");
}

/// A signed Meta status webhook saying message `uuid` is `status`.
pub fn meta_status(uuid: &str, status: &str, id: usize) -> (String, String) {
    let body = json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages",
        "value": {"messaging_product": "whatsapp", "statuses": [{"id": format!("wamid.{id}"), "status": status,
        "timestamp": "1763719200", "recipient_id": "919700000000", "biz_opaque_callback_data": uuid}]}}]}]})
    .to_string();
    let signature = server::providers::meta::signature(META_SECRET, body.as_bytes());
    (body, signature)
}

/// Reads SSE `status` events from `stream` until one shows one of `statuses`.
async fn until_status<S, B>(stream: &mut S, buffer: &mut String, statuses: &[&str])
where
    S: futures::Stream<Item = reqwest::Result<B>> + Unpin,
    B: AsRef<[u8]>,
{
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let data = block.lines().find_map(|l| l.strip_prefix("data: "));
            if let Some(view) = data.and_then(|d| serde_json::from_str::<Value>(d).ok()) {
                if statuses.iter().any(|s| view["status"] == *s) {
                    return;
                }
            }
        }
        let chunk = stream
            .next()
            .await
            .expect("the stream stays open")
            .expect("chunk");
        buffer.push_str(&String::from_utf8_lossy(chunk.as_ref()));
    }
}

/// `n` changes made through `b`, timed to their event on `a`'s stream; sorted. Each
/// message is first taken by the fake Meta (a webhook applies only to a message its
/// account sent).
pub async fn measure(a: &str, b: &str, n: usize, meta: &FakeProviders) -> Vec<Duration> {
    let (client, agent) = (client(), agent_token());
    let mut latencies = Vec::with_capacity(n);
    for i in 0..n {
        let call = format!("lat-{i}");
        let body = json!({"to": format!("+9196{i:07}1"), "channel": "whatsapp",
                          "template_id": "t_wa_thanks", "call_id": call});
        let request = client.post(format!("{a}/api/v1/notifications"));
        let accepted = json_of(request.bearer_auth(&agent).json(&body)).await;
        let uuid = accepted["uuid"].as_str().expect("uuid").to_owned();
        let response = client
            .get(format!("{a}/api/v1/calls/{call}/events"))
            .bearer_auth(&agent)
            .send()
            .await
            .expect("stream");
        let (mut stream, mut buffer) = (response.bytes_stream(), String::new());
        // The message's first state: queued, or sending if the worker was quicker.
        until_status(&mut stream, &mut buffer, &["queued", "sending"]).await;
        meta.wait_for_number("meta", &format!("9196{i:07}1")).await;
        // Meta has answered; its answer is recorded a moment later.
        tokio::time::sleep(Duration::from_millis(20)).await;
        let (body, signature) = meta_status(&uuid, "delivered", i);
        let started = Instant::now();
        let posted = client
            .post(format!("{b}/webhooks/meta/meta-bench"))
            .header("content-type", "application/json")
            .header("x-hub-signature-256", signature)
            .body(body)
            .send()
            .await
            .expect("webhook");
        assert_eq!(posted.status(), 200, "webhook refused");
        until_status(&mut stream, &mut buffer, &["delivered"]).await;
        latencies.push(started.elapsed());
    }
    latencies.sort();
    latencies
}

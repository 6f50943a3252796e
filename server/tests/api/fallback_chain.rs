//! Provider accounts' keys, descriptions and recontact templates, and a group's fallback
//! chain per channel: an account that refuses a message for a reason of its own, or is
//! down, hands it to the next — never twice, never for the customer's reasons.

use crate::fake_providers::*;
use crate::helpers::{error_of, static_sms_to};
use crate::providers::{world, world_with, World};
use reqwest::Response;
use serde_json::{json, Value};

impl World {
    async fn put_json(&self, path: &str, body: &Value) -> Response {
        self.app
            .client
            .put(format!("{}{path}", self.app.base))
            .bearer_auth(&self.app.admin)
            .json(body)
            .send()
            .await
            .expect("sent")
    }

    async fn post_account(&self, account: &Value) -> Response {
        self.app
            .post_json("/api/v1/admin/providers", &self.app.admin, account)
            .await
    }

    /// The demo group sends SMS through `chain`, in order.
    async fn sms_chain(&self, chain: &[&str]) {
        let tab = json!({"sms": {"enabled": true, "templates": ["t_sms_thanks"],
            "account": chain[0], "fallback": chain[1..]}});
        let r = self
            .put_json("/api/v1/admin/groups/demo/notification-types", &tab)
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    }

    /// Kaleyra (`KAL`) then Sinch (`SIN`) for SMS.
    async fn kaleyra_then_sinch(&self) {
        self.kaleyra("sms", "ACMEIN").await;
        self.add_account(
            json!({"id": "sinch-sms", "channel": "sms", "provider": "sinch",
            "display_name": "Sinch SMS", "sender": "+447520651234",
            "credentials": {"service_plan_id": SINCH_PLAN, "api_token": SINCH_SMS_TOKEN}}),
        )
        .await;
        self.sms_chain(&["kaleyra-sms", "sinch-sms"]).await;
    }

    fn sent_to(&self, api: &str, number: &str) -> usize {
        self.fake
            .requests(api)
            .iter()
            .filter(|r| recipient(r) == number)
            .count()
    }
}

#[tokio::test]
async fn an_account_gets_a_key_from_its_type_unless_given_one_and_no_two_share_one() {
    let w = world().await;
    w.kaleyra("sms", "ACMEIN").await;
    let accounts: Vec<Value> = w
        .app
        .get_json("/api/v1/admin/providers", &w.app.admin)
        .await;
    assert_eq!(accounts[0]["key"], "KAL");
    let second = json!({"channel": "whatsapp", "provider": "kaleyra", "display_name": "Kaleyra WA",
        "sender": "+918041234567", "description": "WhatsApp for India, approved templates only",
        "credentials": {"sid": KALEYRA_SID, "api_key": KALEYRA_KEY}});
    let made: Value = w.post_account(&second).await.json().await.expect("json");
    assert_eq!(made["key"], "KAL2");
    assert_eq!(
        made["description"],
        "WhatsApp for India, approved templates only"
    );

    let mut taken = second.clone();
    taken["key"] = json!("kal");
    let error = error_of(w.post_account(&taken).await, 422, "key_taken").await;
    assert!(error["fields"]["key"].is_string());
    for bad in ["TOOLONG", "K-1", ""] {
        let mut wrong = second.clone();
        wrong["key"] = json!(bad);
        error_of(w.post_account(&wrong).await, 422, "invalid_key").await;
    }
}

#[tokio::test]
async fn only_a_whatsapp_account_has_a_recontact_template_and_it_is_a_whatsapp_one() {
    let w = world().await;
    let account = |template: &str, channel: &str| {
        json!({"channel": channel, "provider": "kaleyra", "display_name": "Kaleyra",
        "sender": "+918041234567", "recontact_template": template,
        "credentials": {"sid": KALEYRA_SID, "api_key": KALEYRA_KEY}})
    };
    for (template, channel) in [
        ("t_wa_order", "sms"),
        ("t_sms_thanks", "whatsapp"),
        ("t_nowhere", "whatsapp"),
    ] {
        let r = w.post_account(&account(template, channel)).await;
        error_of(r, 422, "invalid_recontact_template").await;
    }
    let r = w.post_account(&account("t_wa_order", "whatsapp")).await;
    assert_eq!(r.status(), 201);
    let saved: Value = r.json().await.expect("json");
    assert_eq!(saved["recontact_template"], "t_wa_order");
}

#[tokio::test]
async fn a_chain_names_existing_accounts_of_its_channel_each_once() {
    let w = world().await;
    w.kaleyra("sms", "ACMEIN").await;
    w.kaleyra("whatsapp", "+918041234567").await;
    let tab = |fallback: Value| json!({"sms": {"enabled": true, "templates": ["t_sms_thanks"], "account": "kaleyra-sms", "fallback": fallback}});
    let path = "/api/v1/admin/groups/demo/notification-types";
    for (fallback, code, field) in [
        (
            json!(["kaleyra-whatsapp"]),
            "wrong_channel",
            "sms.fallback.0",
        ),
        (json!(["kaleyra-sms"]), "repeated_account", "sms.fallback.0"),
        (json!(["nobody"]), "unknown_account", "sms.fallback.0"),
    ] {
        let error = error_of(w.put_json(path, &tab(fallback)).await, 422, code).await;
        assert!(error["fields"][field].is_string(), "{error}");
    }
}

#[tokio::test]
async fn an_account_refusing_for_a_reason_of_its_own_hands_the_message_to_the_next_once() {
    let w = world().await;
    w.kaleyra_then_sinch().await;
    let number = "+447911120402";
    let uuid = w.app.send_ok(&static_sms_to(number)).await;
    w.fake.wait_for("sinch", 1).await;
    w.app.wait_for_status(&uuid, "sending").await;
    assert_eq!(
        (w.sent_to("kaleyra", number), w.sent_to("sinch", number)),
        (1, 1)
    );
    let history = w.history(&uuid).await;
    assert!(
        history
            .iter()
            .any(|h| h.contains("Kaleyra (KAL) refused it (")
                && h.ends_with("handed to Sinch SMS (SIN)")),
        "{history:?}"
    );
    // Sinch's reports now move it on: the message is recorded as Sinch's.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while w.app.notification(&uuid).await["provider"] != "sinch:sinch-sms" {
        assert!(
            tokio::time::Instant::now() < deadline,
            "never recorded as Sinch's"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn a_refusal_for_the_customers_reason_goes_to_no_other_account() {
    let w = world().await;
    w.kaleyra("sms", "ACMEIN").await;
    w.sinch_sms().await;
    w.sms_chain(&["sinch-sms", "kaleyra-sms"]).await;
    let number = "+447911120400";
    let uuid = w.app.send_ok(&static_sms_to(number)).await;
    assert_eq!(w.reason(&uuid).await, "invalid_number");
    assert_eq!(
        (w.sent_to("sinch", number), w.sent_to("kaleyra", number)),
        (1, 0)
    );
}

#[tokio::test]
async fn an_account_that_goes_down_is_passed_over_and_each_message_is_sent_once() {
    let w = world_with(|s| {
        s.providers.circuit.failures = 1;
        s.providers.circuit.open_secs = 600;
    })
    .await;
    w.kaleyra_then_sinch().await;
    // Kaleyra answers 503: its circuit opens and the message goes on to Sinch at once.
    let first = "+447911120599";
    let down = w.app.send_ok(&static_sms_to(first)).await;
    w.fake.wait_for("sinch", 1).await;
    w.app.wait_for_status(&down, "sending").await;
    let history = w.history(&down).await;
    assert!(
        history
            .iter()
            .any(|h| h.contains("Kaleyra (KAL) is down (")
                && h.ends_with("handed to Sinch SMS (SIN)")),
        "{history:?}"
    );
    // While it is down, messages do not try it.
    let next = "+447911123456";
    let passed = w.app.send_ok(&static_sms_to(next)).await;
    w.fake.wait_for("sinch", 2).await;
    let history = w.history(&passed).await;
    assert!(
        history
            .iter()
            .any(|h| h.ends_with("Kaleyra (KAL) is down: handed to Sinch SMS (SIN)")),
        "{history:?}"
    );
    assert_eq!(w.fake.requests("kaleyra").len(), 1);
    assert_eq!(
        (w.sent_to("sinch", first), w.sent_to("sinch", next)),
        (1, 1)
    );
}

#[tokio::test]
async fn accounts_saved_before_keys_existed_show_one_from_their_type_and_get_a_free_one_when_saved()
{
    let w = world().await;
    w.kaleyra("sms", "ACMEIN").await;
    w.kaleyra("whatsapp", "+918041234567").await;
    // As a database from before keys: none stored (and the settings' version moved on,
    // as any settings write does).
    sqlx::any::install_default_drivers();
    let url = crate::services::database_url(w.app.dir.path());
    let db = sqlx::AnyPool::connect(url.as_str())
        .await
        .expect("the test database");
    for statement in [
        "UPDATE provider_accounts SET account_key = NULL",
        "UPDATE config_version SET version = version + 1 WHERE id = 1",
    ] {
        sqlx::query(statement).execute(&db).await.expect("updated");
    }
    let keys = || async {
        let accounts: Vec<Value> = w
            .app
            .get_json("/api/v1/admin/providers", &w.app.admin)
            .await;
        accounts
            .iter()
            .map(|a| a["key"].as_str().unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
    };
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while keys().await != ["KAL", "KAL"] {
        assert!(tokio::time::Instant::now() < deadline, "{:?}", keys().await);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // Saving one without a key gives it a free one instead of refusing a duplicate.
    let r = w
        .put_json(
            "/api/v1/admin/providers/kaleyra-whatsapp",
            &json!({"channel": "whatsapp", "provider": "kaleyra", "display_name": "Kaleyra", "sender": "+918041234567"}),
        )
        .await;
    let status = r.status();
    let saved: Value = r.json().await.expect("json");
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["key"], "KAL2");
}

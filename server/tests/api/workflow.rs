//! Integrators: API keys (shown once, stored as a digest, revocable, limited to their
//! scopes, groups and addresses) and workflow sends that name their group and fill
//! template fields from contact, agent and custom data by each field's code.

use crate::helpers::{error_of, TestApp};
use reqwest::Response;
use serde_json::{json, Value};

const CUSTOMER: &str = "+919876543210";

impl TestApp {
    /// Creates an API key as an admin; its JSON (with the secret).
    pub async fn api_key(&self, body: Value) -> Value {
        let r = self
            .post_json("/api/v1/admin/api-keys", &self.admin, &body)
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
        r.json().await.expect("json")
    }

    /// Sends `body` with `credential`.
    pub async fn send_as(&self, credential: &str, body: &Value) -> Response {
        self.post_json("/api/v1/notifications", credential, body)
            .await
    }
}

fn secret(key: &Value) -> String {
    key["secret"].as_str().expect("secret").to_owned()
}

fn workflow_sms(group: &str) -> Value {
    json!({"group_id": group, "to": CUSTOMER, "channel": "sms", "template_id": "t_sms_thanks"})
}

#[tokio::test]
async fn an_api_key_is_shown_once_sends_for_its_groups_and_stops_when_revoked() {
    let app = TestApp::spawn().await;
    let key = app
        .api_key(
            json!({"name": "IVR main menu", "scopes": ["notifications:send", "notifications:read"],
                        "groups": ["demo"]}),
        )
        .await;
    let secret = secret(&key);
    assert!(secret.starts_with("ank_") && secret.len() > 60, "{secret}");
    assert_eq!(key["prefix"], secret[..10]);
    let listed: Vec<Value> = app.get_json("/api/v1/admin/api-keys", &app.admin).await;
    assert_eq!(listed.len(), 1);
    assert!(
        listed[0].get("secret").is_none(),
        "never listed again: {}",
        listed[0]
    );
    assert_eq!(listed[0]["last_used_at"], Value::Null);

    let r = app.send_as(&secret, &workflow_sms("demo")).await;
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap_or_default());
    let uuid = r.json::<Value>().await.expect("json")["uuid"]
        .as_str()
        .expect("uuid")
        .to_owned();
    let message: Value = app
        .get_json(&format!("/api/v1/notifications/{uuid}"), &secret)
        .await;
    let id = key["id"].as_str().expect("id");
    assert_eq!(
        message["agent_id"],
        format!("api-key:{id}"),
        "who sent it is recorded"
    );
    assert_eq!(message["group_id"], "demo");
    let mine: Vec<Value> = app.get_json("/api/v1/notifications", &secret).await;
    assert_eq!(mine.len(), 1, "a key lists what it sent");
    let agents: Vec<Value> = app.get_json("/api/v1/notifications", &app.agent).await;
    assert!(agents.is_empty(), "and an agent does not see it as theirs");
    let listed: Vec<Value> = app.get_json("/api/v1/admin/api-keys", &app.admin).await;
    assert!(
        listed[0]["last_used_at"].is_string(),
        "its last use is shown"
    );

    error_of(
        app.send_as(
            &secret,
            &json!({"to": CUSTOMER, "channel": "sms", "template_id": "t_sms_thanks"}),
        )
        .await,
        422,
        "group_id_required",
    )
    .await;
    error_of(
        app.send_as(&secret, &workflow_sms("empty-group")).await,
        403,
        "group_not_allowed",
    )
    .await;
    // An agent may name only their own group.
    error_of(
        app.send_as(&app.agent, &workflow_sms("empty-group")).await,
        403,
        "wrong_group",
    )
    .await;
    assert_eq!(
        app.send_as(&app.agent, &workflow_sms("demo"))
            .await
            .status(),
        202
    );

    let revoked = app
        .client
        .delete(format!("{}/api/v1/admin/api-keys/{id}", app.base))
        .bearer_auth(&app.admin)
        .send()
        .await
        .expect("sent");
    assert_eq!(revoked.status(), 204);
    error_of(
        app.send_as(&secret, &workflow_sms("demo")).await,
        401,
        "invalid_api_key",
    )
    .await;
    let audit: Vec<Value> = app
        .get_json("/api/v1/admin/audit?entity=api_key&limit=10", &app.admin)
        .await;
    let actions: Vec<&str> = audit.iter().filter_map(|a| a["action"].as_str()).collect();
    assert_eq!(actions, ["delete", "create"]);
    assert!(
        !audit.iter().any(|a| a.to_string().contains(&secret)),
        "the secret is in no audit entry"
    );
}

#[tokio::test]
async fn a_key_reads_the_comments_of_its_own_sends_only_never_a_groups_call_log() {
    let app = TestApp::spawn().await;
    let agents = app.send_ok(&crate::helpers::static_sms("c-key-log")).await;
    let key = secret(
        &app.api_key(
            json!({"name": "CRM", "scopes": ["notifications:send", "notifications:read"],
                   "groups": ["demo"]}),
        )
        .await,
    );
    let log: Vec<Value> = app.get_json("/api/v1/calls/c-key-log/comments", &key).await;
    assert_eq!(
        log,
        Vec::<Value>::new(),
        "the agent's line is not the key's to read"
    );

    let mut send = workflow_sms("demo");
    send["call_id"] = json!("c-key-log");
    assert_eq!(app.send_as(&key, &send).await.status(), 202);
    let log: Vec<Value> = app.get_json("/api/v1/calls/c-key-log/comments", &key).await;
    assert_eq!(log.len(), 1, "its own send's line: {log:?}");
    assert!(!log[0]["text"]
        .as_str()
        .unwrap_or_default()
        .contains(&agents));
    // The group's agent still reads both lines.
    let all: Vec<Value> = app
        .get_json("/api/v1/calls/c-key-log/comments", &app.agent)
        .await;
    assert_eq!(all.len(), 2);
}

#[tokio::test]
async fn no_person_acts_under_an_api_keys_sender_id() {
    use app::service::Role;
    let app = TestApp::spawn().await;
    let key = app
        .api_key(
            json!({"name": "CRM", "scopes": ["notifications:send", "notifications:read"],
                        "groups": ["demo"]}),
        )
        .await;
    let sender = format!("api-key:{}", key["id"].as_str().expect("id"));
    assert_eq!(
        app.send_as(&secret(&key), &workflow_sms("demo"))
            .await
            .status(),
        202
    );

    // An agent token the host signed for the key's sender id: refused, not registered.
    let forged = crate::helpers::token(&sender, Role::Agent, Some("demo"));
    app.get_error("/api/v1/notifications", &forged, 401, "invalid_token")
        .await;
    // Nor may an admin create such an agent.
    let r = app
        .post_json(
            "/api/v1/admin/agents",
            &app.admin,
            &json!({"id": sender, "name": "Not a key", "group_id": "demo"}),
        )
        .await;
    let error = error_of(r, 422, "invalid_agent").await;
    assert_eq!(error["fields"]["id"], "may not start with api-key:");
}

#[tokio::test]
async fn a_key_does_only_what_its_scopes_allow_and_only_from_its_addresses() {
    let app = TestApp::spawn().await;
    let reader = secret(
        &app.api_key(json!({"name": "CRM", "scopes": ["notifications:read"], "groups": ["demo"]}))
            .await,
    );
    error_of(
        app.send_as(&reader, &workflow_sms("demo")).await,
        403,
        "scope_missing",
    )
    .await;
    let sender = secret(
        &app.api_key(json!({"name": "IVR", "scopes": ["notifications:send"], "groups": ["demo"]}))
            .await,
    );
    assert_eq!(
        app.send_as(&sender, &workflow_sms("demo")).await.status(),
        202
    );
    app.get_error("/api/v1/notifications", &sender, 403, "scope_missing")
        .await;
    // Neither is an agent nor an admin.
    app.get_error("/api/v1/templates?channel=sms", &sender, 403, "agent_only")
        .await;
    app.get_error("/api/v1/admin/api-keys", &sender, 403, "admin_only")
        .await;

    let elsewhere = secret(
        &app.api_key(
            json!({"name": "Office IVR", "scopes": ["notifications:send"], "groups": ["demo"],
                            "allowed_ips": ["10.0.0.0/8"]}),
        )
        .await,
    );
    error_of(
        app.send_as(&elsewhere, &workflow_sms("demo")).await,
        403,
        "ip_not_allowed",
    )
    .await;
    let here = secret(
        &app.api_key(
            json!({"name": "Local IVR", "scopes": ["notifications:send"], "groups": ["demo"],
                            "allowed_ips": ["127.0.0.1", "::1"]}),
        )
        .await,
    );
    assert_eq!(
        app.send_as(&here, &workflow_sms("demo")).await.status(),
        202
    );

    let bad = app
        .post_json(
            "/api/v1/admin/api-keys",
            &app.admin,
            &json!({"name": "", "scopes": [], "groups": ["nowhere"], "allowed_ips": ["office"]}),
        )
        .await;
    let error = error_of(bad, 422, "invalid_api_key").await;
    for field in ["name", "scopes", "allowed_ips.0"] {
        assert!(error["fields"].get(field).is_some(), "{field}: {error}");
    }
    let unknown = app
        .post_json(
            "/api/v1/admin/api-keys",
            &app.admin,
            &json!({"name": "X", "scopes": ["notifications:send"], "groups": ["nowhere"]}),
        )
        .await;
    assert_eq!(
        error_of(unknown, 422, "unknown_group").await["fields"]["groups.0"],
        "unknown group"
    );
    error_of(
        app.send_as("ank_not-a-key", &workflow_sms("demo")).await,
        401,
        "invalid_api_key",
    )
    .await;
}

#[tokio::test]
async fn a_workflow_send_fills_fields_from_data_by_their_codes() {
    let w = crate::providers::world_with(|_| {}).await;
    w.twilio("sms", "+15005550006").await;
    let app = &w.app;
    let template = json!({"id": "t_sms_order", "name": "Order ready", "channel": "sms",
        "body": "Hi {{name}}, order {{order}} is ready. {{agent}} at Acme",
        "fields": [
            {"name": "name", "label": "Name", "type": "text", "required": true, "source": "contact.first_name"},
            {"name": "order", "label": "Order", "type": "text", "required": true, "source": "custom.order_id"},
            {"name": "agent", "label": "Agent", "type": "text", "required": false, "default": "Your team", "source": "agent.name"}],
        "provider_ref": {"dlt_entity_id": "1101000000000000001", "dlt_template_id": "1107000000000000009", "dlt_header": "ACMEIN"}});
    let r = app
        .post_json("/api/v1/admin/templates", &app.admin, &template)
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
    let types_path = "/api/v1/admin/groups/demo/notification-types";
    let mut types: Value = app.get_json(types_path, &app.admin).await;
    types["sms"]["templates"]
        .as_array_mut()
        .expect("templates")
        .push(json!("t_sms_order"));
    let r = app
        .client
        .put(format!("{}{types_path}", app.base))
        .bearer_auth(&app.admin)
        .json(&types)
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), 200);
    let key = secret(
        &app.api_key(json!({"name": "Workflow", "scopes": ["notifications:send", "notifications:read"], "groups": ["demo"]}))
            .await,
    );
    let send = |data: Value, fields: Value| {
        json!({"group_id": "demo", "to": CUSTOMER, "channel": "sms", "template_id": "t_sms_order",
               "data": data, "fields": fields})
    };
    let r = app
        .send_as(
            &key,
            &send(
                json!({"contact": {"first_name": "Asha"}, "custom": {"order_id": 1717}}),
                json!({}),
            ),
        )
        .await;
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap_or_default());
    let sent = w.fake.wait_for("twilio", 1).await;
    assert_eq!(
        crate::fake_providers::field(&sent[0].form, "Body"),
        "Hi Asha, order 1717 is ready. Your team at Acme",
        "codes filled from data; an optional code with no data takes the default"
    );

    // A literal value wins over data; a missing required code is named.
    let r = app
        .send_as(
            &key,
            &send(
                json!({"custom": {"order_id": "A-2"}, "agent": {"name": "Meena"}}),
                json!({"name": "Ravi"}),
            ),
        )
        .await;
    assert_eq!(r.status(), 202);
    let sent = w.fake.wait_for("twilio", 2).await;
    assert_eq!(
        crate::fake_providers::field(&sent[1].form, "Body"),
        "Hi Ravi, order A-2 is ready. Meena at Acme"
    );
    let missing = error_of(
        app.send_as(
            &key,
            &send(json!({"contact": {"first_name": "Asha"}}), json!({})),
        )
        .await,
        422,
        "invalid_fields",
    )
    .await;
    assert_eq!(
        missing["fields"]["fields.order"],
        "required: custom.order_id is not in data"
    );
    error_of(
        app.send_as(&key, &send(json!({"contact": {}, "crm": {}}), json!({})))
            .await,
        422,
        "invalid_body",
    )
    .await;

    // A code that cannot be one is refused when the template is saved.
    let mut wrong = template.clone();
    wrong["id"] = json!("t_sms_wrong");
    wrong["name"] = json!("Wrong code");
    wrong["fields"][0]["source"] = json!("crm.first_name");
    let r = app
        .post_json("/api/v1/admin/templates", &app.admin, &wrong)
        .await;
    let refused = error_of(r, 422, "invalid_template").await;
    assert!(refused["fields"]["fields[0].source"]
        .as_str()
        .expect("problem")
        .contains("contact."));
}

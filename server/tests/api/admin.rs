use crate::helpers::{error_of, message_of, sign_in, TestApp, ADMIN_PASSWORD};
use reqwest::Response;
use serde_json::{json, Value};

/// Signs in as the first-run admin and returns the session token.
/// A fresh app and a signed-in admin's token.
async fn signed_in_app() -> (TestApp, String) {
    let app = TestApp::spawn().await;
    let admin = sign_in(&app.base).await;
    (app, admin)
}

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> Response {
    app.post_json(path, token, &body).await
}

async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> Response {
    app.put_json(path, token, &body).await
}

async fn delete(app: &TestApp, path: &str, token: &str) -> Response {
    app.delete_as(path, token).await
}

/// Saves the demo group's Notification Type tab.
async fn put_tab(app: &TestApp, token: &str, tab: Value) -> Response {
    put(
        app,
        "/api/v1/admin/groups/demo/notification-types",
        token,
        tab,
    )
    .await
}

/// The status of a DELETE of `path`.
async fn deleted(app: &TestApp, path: &str, token: &str) -> u16 {
    delete(app, path, token).await.status().as_u16()
}

fn sms_template(id: &str, name: &str) -> Value {
    json!({"id": id, "name": name, "channel": "sms", "body": format!("{name}: thank you for calling.")})
}

/// Creates `n` extra static SMS templates `t_extra_1…`.
async fn extra_sms_templates(app: &TestApp, admin: &str, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 1..=n {
        let id = format!("t_extra_{i}");
        let r = post(
            app,
            "/api/v1/admin/templates",
            admin,
            sms_template(&id, &format!("Extra {i}")),
        )
        .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
        ids.push(id);
    }
    ids
}

#[tokio::test]
async fn an_admin_signs_in_with_the_first_run_password_and_signing_out_ends_the_session() {
    let app = TestApp::spawn().await;
    let token = sign_in(&app.base).await;
    assert_eq!(
        app.fetch("/api/v1/admin/groups", &token).await.status(),
        200
    );
    let r = app.post_empty("/api/v1/admin/logout", &token).await;
    assert_eq!(r.status(), 204);
    app.get_error("/api/v1/admin/groups", &token, 401, "session_ended")
        .await;
}

#[tokio::test]
async fn a_wrong_password_or_unknown_admin_is_refused_alike() {
    let app = TestApp::spawn().await;
    for (id, password) in [("admin", "wrong password!"), ("nobody", ADMIN_PASSWORD)] {
        let r = app
            .client
            .post(format!("{}/api/v1/admin/login", app.base))
            .json(&json!({"id": id, "password": password}))
            .send()
            .await
            .expect("sent");
        let error = error_of(r, 401, "invalid_credentials").await;
        assert_eq!(error["message"], "The admin id or password is wrong.");
    }
}

#[tokio::test]
async fn agents_cannot_reach_admin_endpoints_and_strangers_need_a_token() {
    let app = TestApp::spawn().await;
    for path in [
        "/api/v1/admin/templates",
        "/api/v1/admin/groups",
        "/api/v1/admin/agents",
        "/api/v1/admin/providers",
        "/api/v1/admin/audit",
    ] {
        app.get_error(path, &app.agent, 403, "admin_only").await;
        error_of(app.get_anonymously(path).await, 401, "missing_token").await;
    }
}

#[tokio::test]
async fn templates_are_created_listed_filtered_updated_and_checked() {
    let (app, admin) = signed_in_app().await;
    let dynamic = json!({"name": "Delivery slot", "channel": "sms", "body": "Hi {{name}}, your slot is {{date}}.",
        "fields": [{"name": "name", "label": "Name", "type": "text", "required": true},
                   {"name": "date", "label": "Date", "type": "date", "required": true}]});
    let r = post(&app, "/api/v1/admin/templates", &admin, dynamic).await;
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.expect("json");
    assert_eq!(created["id"], "t_sms_delivery_slot");
    assert_eq!(created["kind"], "dynamic");

    let sms: Vec<Value> = app
        .get_json("/api/v1/admin/templates?channel=sms&search=slot", &admin)
        .await;
    assert_eq!(sms.len(), 1);
    let mut changed = created.clone();
    changed["name"] = json!("Delivery window");
    let r = put(
        &app,
        "/api/v1/admin/templates/t_sms_delivery_slot",
        &admin,
        changed,
    )
    .await;
    assert_eq!(r.status(), 200);
    let fetched: Value = app
        .get_json("/api/v1/admin/templates/t_sms_delivery_slot", &admin)
        .await;
    assert_eq!(fetched["name"], "Delivery window");
    app.get_error("/api/v1/admin/templates/t_nope", &admin, 404, "not_found")
        .await;
}

#[tokio::test]
async fn save_time_checks_report_each_problem_per_field() {
    let (app, admin) = signed_in_app().await;
    let cases = [
        (
            json!({"name": "Thanks for calling", "channel": "sms", "body": "Hello again"}),
            "duplicate_name",
            "name",
        ),
        (
            json!({"name": "Mismatch", "channel": "sms", "body": "Hi {{name}}",
                "fields": [{"name": "nmae", "label": "Name", "type": "text"}]}),
            "invalid_template",
            "fields",
        ),
        (
            json!({"name": "Long DLT", "channel": "sms", "body": "Dear {#var#}",
                "fields": [{"name": "v", "label": "V", "type": "text", "max_length": 40}]}),
            "invalid_template",
            "fields[0].max_length",
        ),
        (
            json!({"name": "Long WA", "channel": "whatsapp", "body": "a".repeat(1025)}),
            "invalid_template",
            "body",
        ),
        (
            json!({"name": "", "channel": "rcs", "body": "Hello"}),
            "invalid_template",
            "name",
        ),
    ];
    for (body, code, field) in cases {
        let error = error_of(
            post(&app, "/api/v1/admin/templates", &admin, body).await,
            422,
            code,
        )
        .await;
        assert!(
            error["fields"][field].is_string(),
            "{code} {field}: {error}"
        );
    }
}

#[tokio::test]
async fn the_notification_type_tab_takes_at_most_five_templates_of_its_channel_in_order() {
    let (app, admin) = signed_in_app().await;
    let extra = extra_sms_templates(&app, &admin, 5).await;
    let five: Vec<&str> = vec![&extra[4], &extra[0], "t_otp", &extra[2], "t_sms_thanks"];
    let tab = json!({"sms": {"enabled": true, "templates": five}, "whatsapp": {"enabled": false}, "rcs": {"enabled": true, "templates": ["t_rcs_welcome"]}});
    assert_eq!(put_tab(&app, &admin, tab.clone()).await.status(), 200);

    // The widget's next load shows exactly those, in that order, without a restart.
    let agent_view: Vec<Value> = app
        .get_json("/api/v1/templates?channel=sms", &app.agent)
        .await;
    let ids: Vec<&str> = agent_view.iter().filter_map(|t| t["id"].as_str()).collect();
    assert_eq!(ids, five);
    let whatsapp: Vec<Value> = app
        .get_json("/api/v1/templates?channel=whatsapp", &app.agent)
        .await;
    assert!(whatsapp.is_empty(), "a disabled channel offers nothing");

    let mut six = tab.clone();
    six["sms"]["templates"] =
        json!([&extra[0], &extra[1], &extra[2], &extra[3], &extra[4], "t_otp"]);
    let error = error_of(put_tab(&app, &admin, six).await, 422, "too_many_templates").await;
    assert!(error["fields"]["sms.templates"].is_string());
    let mut wrong = tab.clone();
    wrong["sms"]["templates"] = json!(["t_wa_order"]);
    error_of(put_tab(&app, &admin, wrong).await, 422, "wrong_channel").await;
    let saved: Value = app
        .get_json("/api/v1/admin/groups/demo/notification-types", &admin)
        .await;
    assert_eq!(
        saved["sms"]["templates"],
        json!(five),
        "refused saves change nothing"
    );
}

#[tokio::test]
async fn concurrent_saves_never_leave_more_than_five_templates() {
    let (app, admin) = signed_in_app().await;
    let extra = extra_sms_templates(&app, &admin, 6).await;
    let tabs: Vec<Value> = (0..6)
        .map(|skip| {
            let list: Vec<&String> = extra
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, t)| t)
                .collect();
            json!({"sms": {"enabled": true, "templates": list}})
        })
        .collect();
    let saves = tabs.iter().map(|tab| {
        put(
            &app,
            "/api/v1/admin/groups/demo/notification-types",
            &admin,
            tab.clone(),
        )
    });
    for r in futures::future::join_all(saves).await {
        assert_eq!(r.status(), 200);
    }
    let saved: Value = app
        .get_json("/api/v1/admin/groups/demo/notification-types", &admin)
        .await;
    let kept = saved["sms"]["templates"].as_array().expect("list");
    assert_eq!(kept.len(), 5);
    assert!(
        tabs.iter()
            .any(|t| t["sms"]["templates"] == saved["sms"]["templates"]),
        "one save won whole"
    );
}

#[tokio::test]
async fn deleting_a_template_in_use_needs_confirmation_and_removes_it_from_groups() {
    let (app, admin) = signed_in_app().await;
    let error = error_of(
        delete(&app, "/api/v1/admin/templates/t_otp", &admin).await,
        409,
        "template_in_use",
    )
    .await;
    assert!(message_of(&error).contains("demo"));
    assert_eq!(
        deleted(&app, "/api/v1/admin/templates/t_otp?confirm=true", &admin).await,
        204
    );
    let tab: Value = app
        .get_json("/api/v1/admin/groups/demo/notification-types", &admin)
        .await;
    assert_eq!(
        tab["sms"]["templates"],
        json!(["t_sms_thanks", "t_sms_payment"])
    );
}

#[tokio::test]
async fn groups_are_created_renamed_and_only_deleted_without_agents() {
    let (app, admin) = signed_in_app().await;
    let r = post(
        &app,
        "/api/v1/admin/groups",
        &admin,
        json!({"name": "Night shift"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let group: Value = r.json().await.expect("json");
    assert_eq!(group["id"], "night-shift");
    assert_eq!(
        put(
            &app,
            "/api/v1/admin/groups/night-shift",
            &admin,
            json!({"name": "Nights"})
        )
        .await
        .status(),
        200
    );
    let r = post(
        &app,
        "/api/v1/admin/agents",
        &admin,
        json!({"id": "asha", "name": "Asha", "group_id": "night-shift"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let error = error_of(
        delete(&app, "/api/v1/admin/groups/night-shift", &admin).await,
        409,
        "group_has_agents",
    )
    .await;
    assert!(message_of(&error).contains("1 agent"));
    assert_eq!(
        deleted(&app, "/api/v1/admin/agents/asha", &admin).await,
        204
    );
    assert_eq!(
        deleted(&app, "/api/v1/admin/groups/night-shift", &admin).await,
        204
    );
    app.get_error("/api/v1/admin/groups/night-shift", &admin, 404, "not_found")
        .await;
    let r = post(
        &app,
        "/api/v1/admin/groups",
        &admin,
        json!({"id": "demo", "name": "Again"}),
    )
    .await;
    error_of(r, 422, "duplicate_id").await;
}

#[tokio::test]
async fn agents_belong_to_an_existing_group() {
    let (app, admin) = signed_in_app().await;
    let r = post(
        &app,
        "/api/v1/admin/agents",
        &admin,
        json!({"id": "ravi", "name": "Ravi", "group_id": "ghosts"}),
    )
    .await;
    let error = error_of(r, 422, "unknown_group").await;
    assert!(error["fields"]["group_id"].is_string());
    let agents: Vec<Value> = app.get_json("/api/v1/admin/agents", &admin).await;
    assert!(agents.iter().any(|a| a["id"] == "demo-agent"));
    let one: Value = app
        .get_json("/api/v1/admin/agents/demo-agent", &admin)
        .await;
    assert_eq!(one["group_id"], "demo");
    app.get_error("/api/v1/admin/agents/nobody", &admin, 404, "not_found")
        .await;
    let r = put(
        &app,
        "/api/v1/admin/agents/demo-agent",
        &admin,
        json!({"id": "demo-agent", "name": "Demo Agent 2", "group_id": "demo"}),
    )
    .await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn provider_credentials_are_write_only_and_the_webhook_url_is_shown() {
    let (app, admin) = signed_in_app().await;
    let r = post(&app, "/api/v1/admin/providers", &admin, json!({"id": "tw-sms", "channel": "sms", "provider": "twilio",
        "display_name": "Twilio SMS", "sender": "+15005550006", "credentials": {"account_sid": "AC123", "auth_token": "s3cr3t-value"}, "default": true})).await;
    assert_eq!(r.status(), 201);
    let text = r.text().await.expect("text");
    assert!(!text.contains("s3cr3t-value"), "a secret came back: {text}");
    let account: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(
        account["credentials_set"],
        json!(["account_sid", "auth_token"])
    );
    assert_eq!(
        account["webhook_url"],
        format!("{}/webhooks/twilio/tw-sms", app.base)
    );
    // Absent credentials are kept on update.
    let r = put(
        &app,
        "/api/v1/admin/providers/tw-sms",
        &admin,
        json!({"channel": "sms", "provider": "twilio", "display_name": "Twilio SMS 2", "sender": "+15005550006"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let list = app.get_text("/api/v1/admin/providers", &admin).await;
    assert!(!list.contains("s3cr3t-value"));
    assert!(list.contains("\"credentials_set\":[\"account_sid\",\"auth_token\"]"));
    let one = app.get_text("/api/v1/admin/providers/tw-sms", &admin).await;
    assert!(!one.contains("s3cr3t-value"));
    assert!(one.contains("\"display_name\":\"Twilio SMS 2\""));
    app.get_error("/api/v1/admin/providers/nowhere", &admin, 404, "not_found")
        .await;
    let audit = app
        .get_text("/api/v1/admin/audit?entity=provider", &admin)
        .await;
    assert!(
        !audit.contains("s3cr3t-value"),
        "the audit log never holds secrets"
    );
    let r = post(
        &app,
        "/api/v1/admin/providers",
        &admin,
        json!({"channel": "sms", "provider": "carrier-pigeon", "display_name": "X"}),
    )
    .await;
    error_of(r, 422, "unknown_provider").await;
    assert_eq!(
        deleted(&app, "/api/v1/admin/providers/tw-sms", &admin).await,
        204
    );
}

#[tokio::test]
async fn the_audit_log_records_who_changed_what_with_before_and_after() {
    let (app, admin) = signed_in_app().await;
    assert_eq!(
        put(
            &app,
            "/api/v1/admin/groups/demo",
            &admin,
            json!({"name": "Demo team"})
        )
        .await
        .status(),
        200
    );
    let entries: Vec<Value> = app
        .get_json("/api/v1/admin/audit?entity=group", &admin)
        .await;
    let about_demo: Vec<&Value> = entries
        .iter()
        .filter(|e| e["entity_id"] == "demo")
        .collect();
    assert_eq!(about_demo.len(), 1);
    let e = about_demo[0];
    assert_eq!(
        (
            e["actor"].as_str(),
            e["action"].as_str(),
            e["entity_id"].as_str()
        ),
        (Some("admin"), Some("update"), Some("demo"))
    );
    assert_eq!(e["before"]["name"], "Demo agents");
    assert_eq!(e["after"]["name"], "Demo team");
    let by_others: Vec<Value> = app
        .get_json("/api/v1/admin/audit?actor=someone-else", &admin)
        .await;
    assert!(by_others.is_empty());
}

#[tokio::test]
async fn a_group_can_use_its_own_provider_account_per_channel() {
    let (app, admin) = signed_in_app().await;
    for (id, channel) in [("sbx-wa", "whatsapp"), ("sbx-sms-2", "sms")] {
        let account =
            json!({"id": id, "channel": channel, "provider": "sandbox", "display_name": id});
        assert_eq!(
            post(&app, "/api/v1/admin/providers", &admin, account)
                .await
                .status(),
            201
        );
    }
    let mut tab: Value = app
        .get_json("/api/v1/admin/groups/demo/notification-types", &admin)
        .await;
    tab["whatsapp"]["account"] = json!("sbx-sms-2");
    let error = error_of(
        put_tab(&app, &admin, tab.clone()).await,
        422,
        "wrong_channel",
    )
    .await;
    assert!(error["fields"]["whatsapp.account"].is_string());
    tab["whatsapp"]["account"] = json!("sbx-wa");
    assert_eq!(put_tab(&app, &admin, tab).await.status(), 200);
    let saved: Value = app
        .get_json("/api/v1/admin/groups/demo/notification-types", &admin)
        .await;
    assert_eq!(saved["whatsapp"]["account"], "sbx-wa");
    assert_eq!(
        saved["sms"].get("account"),
        None,
        "other channels keep the default"
    );
    // Deleting the account puts the group back on the channel's default.
    assert_eq!(
        deleted(&app, "/api/v1/admin/providers/sbx-wa", &admin).await,
        204
    );
    let saved: Value = app
        .get_json("/api/v1/admin/groups/demo/notification-types", &admin)
        .await;
    assert_eq!(saved["whatsapp"].get("account"), None);
}

#[tokio::test]
async fn saving_a_tab_warns_of_sms_templates_without_their_dlt_registration_in_india() {
    let (app, admin) = signed_in_app().await;
    let r = post(
        &app,
        "/api/v1/admin/templates",
        &admin,
        sms_template("t_unregistered", "Unregistered"),
    )
    .await;
    assert_eq!(r.status(), 201);
    let tab = |templates: Value| json!({"sms": {"enabled": true, "templates": templates}});

    let saved: Value = put_tab(&app, &admin, tab(json!(["t_unregistered"])))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(saved["sms"]["templates"], json!(["t_unregistered"]));
    let warnings = saved["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1, "{saved}");
    assert!(warnings[0]
        .as_str()
        .is_some_and(|w| w.contains("Unregistered lacks its DLT registration")));

    let clean: Value = put_tab(&app, &admin, tab(json!([])))
        .await
        .json()
        .await
        .expect("json");
    assert!(
        clean.get("warnings").is_none(),
        "no warnings, no key: {clean}"
    );
}

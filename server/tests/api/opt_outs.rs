//! The opt-out list an admin keeps (add, remove, import and export CSV, every change
//! audited) and the checks every send passes before anything is queued: the opt-out
//! list, and India's DLT registration for SMS to +91 numbers.

use crate::helpers::{error_of, static_sms_to, TestApp};
use serde_json::{json, Value};

const CUSTOMER: &str = "+919876543210";

impl TestApp {
    async fn add_opt_out(&self, body: &Value) -> reqwest::Response {
        self.post_json("/api/v1/admin/opt-outs", &self.admin, body)
            .await
    }

    async fn remove_opt_out(&self, body: &Value) -> reqwest::Response {
        self.client
            .delete(format!("{}/api/v1/admin/opt-outs", self.base))
            .bearer_auth(&self.admin)
            .json(body)
            .send()
            .await
            .expect("sent")
    }

    async fn import_opt_outs(&self, csv: &str) -> reqwest::Response {
        self.post("/api/v1/admin/opt-outs", &self.admin)
            .header("content-type", "text/csv")
            .body(csv.to_owned())
            .send()
            .await
            .expect("sent")
    }

    async fn export_opt_outs(&self, query: &str) -> (String, String) {
        let r = self
            .get(&format!("/api/v1/admin/opt-outs{query}"), &self.admin)
            .header("accept", "text/csv")
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status(), 200);
        let kind = r.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .to_owned();
        (kind, r.text().await.expect("text"))
    }
}

#[tokio::test]
async fn an_admin_adds_a_number_and_sends_to_it_are_refused_until_it_is_removed() {
    let app = TestApp::spawn().await;
    let added = app
        .add_opt_out(&json!({"number": "+91 98765 43210", "channel": "sms"}))
        .await;
    assert_eq!(added.status(), 201);
    let entry: Value = added.json().await.expect("json");
    assert_eq!(entry["number"], CUSTOMER, "kept in E.164");
    assert_eq!(entry["source"], "admin");
    assert_eq!(entry["sender"], "", "every sender of the channel");

    error_of(
        app.send(&static_sms_to(CUSTOMER), None).await,
        422,
        "opted_out",
    )
    .await;
    // Only that channel: WhatsApp still goes.
    app.send_ok(&json!({"to": CUSTOMER, "channel": "whatsapp", "template_id": "t_wa_thanks"}))
        .await;

    let removed = app
        .remove_opt_out(&json!({"number": CUSTOMER, "channel": "sms"}))
        .await;
    assert_eq!(removed.status(), 204);
    app.send_ok(&static_sms_to(CUSTOMER)).await;
    error_of(
        app.remove_opt_out(&json!({"number": CUSTOMER, "channel": "sms"}))
            .await,
        404,
        "not_found",
    )
    .await;

    let audit: Vec<Value> = app
        .get_json("/api/v1/admin/audit?entity=opt_out&limit=10", &app.admin)
        .await;
    let actions: Vec<&str> = audit.iter().filter_map(|a| a["action"].as_str()).collect();
    assert_eq!(actions, ["delete", "create"], "newest first");
}

#[tokio::test]
async fn bad_opt_outs_are_refused_with_the_field_at_fault() {
    let app = TestApp::spawn().await;
    let local = error_of(
        app.add_opt_out(&json!({"number": "98765 43210", "channel": "sms"}))
            .await,
        422,
        "invalid_opt_out",
    )
    .await;
    assert_eq!(
        local["fields"]["number"],
        "start it with + and the country code, like +91 98765 43210"
    );
    error_of(
        app.add_opt_out(&json!({"number": CUSTOMER, "channel": "fax"}))
            .await,
        422,
        "invalid_body",
    )
    .await;
    error_of(
        app.add_opt_out(&json!({"number": CUSTOMER, "channel": "sms", "extra": 1}))
            .await,
        422,
        "invalid_body",
    )
    .await;
    // Agents may not read or change the list.
    let r = app.fetch("/api/v1/admin/opt-outs", &app.agent).await;
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn a_csv_import_takes_every_line_or_none_and_an_export_reads_back() {
    let app = TestApp::spawn().await;
    let bad = error_of(
        app.import_opt_outs("number,channel\n+919876543210,sms\n98765,sms\n+447700900123,fax\n")
            .await,
        422,
        "invalid_csv",
    )
    .await;
    assert_eq!(
        bad["fields"]["line 3.number"],
        "start it with + and the country code, like +91 98765 43210"
    );
    assert_eq!(bad["fields"]["line 4.channel"], "not sms, whatsapp or rcs");
    let none: Vec<Value> = app.get_json("/api/v1/admin/opt-outs", &app.admin).await;
    assert!(none.is_empty(), "nothing of a bad file is imported");

    let mut csv = String::from("Number,Channel,Sender\r\n");
    for i in 0..1_200 {
        csv.push_str(&format!("+9198765{i:05},sms,\r\n"));
    }
    csv.push_str("\"+44 7911 123456\",whatsapp,\"WA, main\"\r\n");
    csv.push_str("+919876500000,sms,\r\n"); // a duplicate line
    let r = app.import_opt_outs(&csv).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    let imported: Value = r.json().await.expect("json");
    assert_eq!(imported, json!({"read": 1_202, "added": 1_201}));
    let again: Value = app.import_opt_outs(&csv).await.json().await.expect("json");
    assert_eq!(
        again["added"], 0,
        "importing the same file twice adds nothing"
    );

    let (kind, exported) = app.export_opt_outs("?channel=whatsapp").await;
    assert!(kind.starts_with("text/csv"));
    let lines: Vec<&str> = exported.lines().collect();
    assert_eq!(lines[0], "number,channel,sender,source,at");
    assert_eq!(lines.len(), 2, "{exported}");
    assert!(lines[1].starts_with("+447911123456,whatsapp,\"WA, main\",import,"));
    let (_, all) = app.export_opt_outs("").await;
    assert_eq!(all.lines().count(), 1 + 1_201);

    let json: Vec<Value> = app
        .get_json("/api/v1/admin/opt-outs?number=%2B919876500042", &app.admin)
        .await;
    assert_eq!(json.len(), 1);
    error_of(
        app.fetch("/api/v1/admin/opt-outs?number=12", &app.admin)
            .await,
        422,
        "invalid_phone",
    )
    .await;
}

#[tokio::test]
async fn an_sms_to_india_needs_the_templates_dlt_ids_before_it_is_accepted() {
    let app = TestApp::spawn().await;
    let path = "/api/v1/admin/templates/t_sms_thanks";
    let mut template: Value = app.get_json(path, &app.admin).await;
    assert_eq!(
        template["provider_ref"]["dlt_header"], "ACMEIN",
        "the demo's SMS templates are registered"
    );
    template["provider_ref"] = json!({"dlt_entity_id": "1101000000000000001"});
    let r = app
        .client
        .put(format!("{}{path}", app.base))
        .bearer_auth(&app.admin)
        .json(&template)
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), 200);

    let refused = error_of(
        app.send(&static_sms_to(CUSTOMER), None).await,
        422,
        "dlt_template",
    )
    .await;
    assert_eq!(
        refused["fields"],
        json!({"template.provider_ref.dlt_header": "missing", "template.provider_ref.dlt_template_id": "missing"})
    );
    assert!(refused["message"]
        .as_str()
        .expect("message")
        .contains("t_sms_thanks"));
    let recent: Vec<Value> = app.get_json("/api/v1/notifications", &app.agent).await;
    assert!(recent.is_empty(), "nothing was queued");
    // Outside India the ids are not needed.
    app.send_ok(&static_sms_to("+447911123456")).await;
}

#[tokio::test]
async fn an_account_in_allow_list_mode_sends_only_to_its_listed_numbers() {
    let app = TestApp::spawn().await;
    let account = |list: Value| {
        json!({"id": "trial-sms", "channel": "sms", "provider": "sandbox", "display_name": "Trial",
               "default": true, "allow_list": list})
    };
    let bad = app
        .post_json(
            "/api/v1/admin/providers",
            &app.admin,
            &account(json!(["+919876543210", "98765"])),
        )
        .await;
    assert_eq!(
        error_of(bad, 422, "invalid_allow_list").await["fields"]["allow_list.1"],
        "not a number in international form"
    );
    let r = app
        .post_json(
            "/api/v1/admin/providers",
            &app.admin,
            &account(json!(["+91 98765 43210"])),
        )
        .await;
    assert_eq!(r.status(), 201);
    let saved: Value = r.json().await.expect("json");
    assert_eq!(saved["allow_list"], json!([CUSTOMER]));

    app.send_ok(&static_sms_to(CUSTOMER)).await;
    let refused = error_of(
        app.send(&static_sms_to("+919876543211"), None).await,
        422,
        "not_allowed_recipient",
    )
    .await;
    assert_eq!(refused["fields"]["to"], "not on the account's allow list");
    // Other channels' accounts are not in allow-list mode.
    app.send_ok(
        &json!({"to": "+919876543211", "channel": "whatsapp", "template_id": "t_wa_thanks"}),
    )
    .await;
}

#[tokio::test]
async fn the_import_endpoint_takes_a_csv_file_and_refuses_anything_else() {
    let app = TestApp::spawn().await;
    let import = |kind: &'static str, body: &'static str| {
        app.post("/api/v1/admin/opt-outs/import", &app.admin)
            .header("content-type", kind)
            .body(body)
            .send()
    };
    let imported: Value = import("text/csv", "number,channel\n+919876500001,sms\n")
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(imported, json!({"read": 1, "added": 1}));
    let json_body = import("application/json", "{\"number\": \"+919876500002\"}");
    error_of(
        json_body.await.expect("sent"),
        415,
        "unsupported_media_type",
    )
    .await;
    let listed: Vec<Value> = app.get_json("/api/v1/admin/opt-outs", &app.admin).await;
    assert_eq!(listed.len(), 1, "nothing of the refused body is imported");
}

//! The history: `GET /api/v1/notifications` with filters, pages by cursor, each reader
//! scoped to what they may read, and the CSV export streamed batch by batch.

use crate::helpers::{json_reply, static_sms, static_sms_to, token, TestApp};
use app::service::Role;
use futures::stream::{self, StreamExt};
use reqwest::header::{ACCEPT, CONTENT_DISPOSITION, CONTENT_TYPE, LINK};
use serde_json::{json, Value};
use server::startup::WorkerMode;
use std::collections::HashSet;

/// The UUIDs of a listing.
fn uuids(listing: &[Value]) -> Vec<String> {
    listing
        .iter()
        .map(|v| v["uuid"].as_str().expect("uuid").to_owned())
        .collect()
}

/// Every page of `path` as `credential`'s holder, following Next-Cursor: the UUIDs in
/// order, and how many pages it took.
async fn every_page(app: &TestApp, path: &str, credential: &str) -> (Vec<String>, usize) {
    let mut found = Vec::new();
    let mut url = path.to_owned();
    for pages in 1.. {
        let response = app.fetch(&url, credential).await;
        assert_eq!(response.status(), 200);
        let cursor = response
            .headers()
            .get("next-cursor")
            .map(|v| v.to_str().expect("ascii").to_owned());
        let link = response
            .headers()
            .get(LINK)
            .map(|v| v.to_str().expect("ascii").to_owned());
        let page: Vec<Value> = response.json().await.expect("json");
        found.extend(uuids(&page));
        let Some(cursor) = cursor else {
            assert!(link.is_none(), "no next link on the last page");
            return (found, pages);
        };
        let next = link.expect("a Link to the next page");
        assert!(next.ends_with("; rel=\"next\""), "{next}");
        assert!(next.contains(&format!("cursor={cursor}")), "{next}");
        url = format!("{path}&cursor={cursor}");
    }
    unreachable!()
}

#[tokio::test]
async fn an_agent_pages_through_their_filtered_history_without_gaps_or_repeats() {
    let app = TestApp::spawn().await;
    let mut sms = Vec::new();
    for i in 0..5 {
        sms.push(app.send_ok(&static_sms(&format!("c-h{i}"))).await);
    }
    let whatsapp = app
        .send_ok(&json!({"to": "+14155550123", "channel": "whatsapp", "template_id": "t_wa_thanks", "call_id": "c-h9"}))
        .await;
    app.post_json("/api/v1/notifications", &app.colleague, &static_sms("c-h0"))
        .await;

    let (paged, pages) = every_page(
        &app,
        "/api/v1/notifications?channel=sms&limit=2",
        &app.agent,
    )
    .await;
    assert_eq!(paged.len(), 5, "no message twice: {paged:?}");
    assert_eq!(
        paged.into_iter().collect::<HashSet<_>>(),
        sms.into_iter().collect::<HashSet<_>>(),
        "the agent's SMS, none of the colleague's"
    );
    assert_eq!(pages, 3);

    let by_number: Vec<Value> = app
        .get_json(
            "/api/v1/notifications?number=%2B1%20415%20555%200123",
            &app.agent,
        )
        .await;
    assert_eq!(uuids(&by_number), [whatsapp.as_str()]);
    assert_eq!(by_number[0]["template_name"], "Thanks for calling");
    let national: Vec<Value> = app
        .get_json(
            "/api/v1/notifications?number=98765%2043210&limit=200",
            &app.agent,
        )
        .await;
    assert_eq!(
        national.len(),
        5,
        "a national number is read in the default country"
    );
    let part = &whatsapp[9..18];
    let by_uuid: Vec<Value> = app
        .get_json(
            &format!("/api/v1/notifications?q={}", part.to_uppercase()),
            &app.agent,
        )
        .await;
    assert_eq!(uuids(&by_uuid), [whatsapp.as_str()]);
    let today = &app::domain::rfc3339(app::service::now())[..10];
    let in_day: Vec<Value> = app
        .get_json(
            &format!("/api/v1/notifications?from={today}&to={today}&template_id=t_wa_thanks"),
            &app.agent,
        )
        .await;
    assert_eq!(uuids(&in_day), [whatsapp]);
    let before: Vec<Value> = app
        .get_json("/api/v1/notifications?to=2020-01-01", &app.agent)
        .await;
    assert!(before.is_empty());
    // Each listed message carries its status history.
    assert_eq!(by_number[0]["history"][0]["status"], "queued");
}

#[tokio::test]
async fn each_reader_sees_only_what_they_may_and_a_supervisor_sees_numbers_masked() {
    let app = TestApp::spawn().await;
    app.register("lead", "demo").await;
    let lead = token("lead", Role::Supervisor, Some("demo"));
    let mine = app.send_ok(&static_sms("c-s")).await;
    let theirs: Value = json_reply(
        app.post("/api/v1/notifications", &app.colleague)
            .json(&static_sms("c-s")),
    )
    .await;

    let agent: Vec<Value> = app.get_json("/api/v1/notifications", &app.agent).await;
    assert_eq!(uuids(&agent), [mine.as_str()]);
    assert_eq!(
        agent[0]["to"], "+919876543210",
        "the sender sees the whole number"
    );
    app.get_error(
        "/api/v1/notifications?agent_id=other-agent",
        &app.agent,
        403,
        "not_yours",
    )
    .await;

    let group: Vec<Value> = app
        .get_json("/api/v1/notifications?group_id=demo", &lead)
        .await;
    assert_eq!(
        uuids(&group).into_iter().collect::<HashSet<_>>(),
        HashSet::from([
            mine.clone(),
            theirs["uuid"].as_str().expect("uuid").to_owned()
        ])
    );
    assert!(
        group.iter().all(|v| v["to"] == "+91******3210"),
        "{group:?}"
    );
    let one: Value = app
        .get_json(&format!("/api/v1/notifications/{mine}"), &lead)
        .await;
    assert_eq!(one["to"], "+91******3210");
    let by_agent: Vec<Value> = app
        .get_json("/api/v1/notifications?agent_id=other-agent", &lead)
        .await;
    assert_eq!(uuids(&by_agent), [theirs["uuid"].as_str().expect("uuid")]);
    app.get_error(
        "/api/v1/notifications?group_id=empty-group",
        &lead,
        403,
        "not_yours",
    )
    .await;

    let all: Vec<Value> = app
        .get_json("/api/v1/notifications?number=%2B919876543210", &app.admin)
        .await;
    assert_eq!(all.len(), 2);
    assert!(
        all.iter().all(|v| v["to"] == "+919876543210"),
        "an admin sees numbers"
    );

    let choices: Value = app.get_json("/api/v1/history/filters", &lead).await;
    assert_eq!(choices["reader"], "supervisor");
    let agents: Vec<&str> = choices["agents"]
        .as_array()
        .expect("agents")
        .iter()
        .map(|a| a["id"].as_str().expect("id"))
        .collect();
    assert!(
        agents.contains(&"other-agent") && !agents.contains(&"outsider"),
        "{agents:?}"
    );
    assert_eq!(choices["groups"], json!([]), "groups are an admin's filter");
}

#[tokio::test]
async fn bad_filters_are_refused_each_at_its_parameter() {
    let app = TestApp::spawn().await;
    let error = app
        .get_error(
            "/api/v1/notifications?channel=fax&from=yesterday&q=zz&cursor=x",
            &app.agent,
            422,
            "invalid_filter",
        )
        .await;
    let fields: Vec<&str> = error["fields"]
        .as_object()
        .expect("fields")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(fields, ["channel", "cursor", "from", "q"]);
    app.get_error(
        "/api/v1/notifications?number=12",
        &app.agent,
        422,
        "invalid_phone",
    )
    .await;
    app.get_error(
        "/api/v1/notifications?from=2026-12-02&to=2026-12-01",
        &app.agent,
        422,
        "invalid_filter",
    )
    .await;
    app.get_error(
        "/api/v1/notifications?format=xml",
        &app.agent,
        422,
        "invalid_format",
    )
    .await;
}

#[tokio::test]
async fn the_csv_export_streams_every_match_across_batches_and_a_ticket_authorises_a_download() {
    // No worker: the export reads what was accepted; delivering 1,030 messages it does
    // not look at only slowed the test (most on FerretDB, where each status change
    // reads its whole collection).
    let app = TestApp::spawn_in(tempfile::tempdir().expect("tempdir"), WorkerMode::None).await;
    // More than one export batch (500), to two numbers.
    let numbers = ["+919876543210", "+919812345678"];
    let sent: Vec<String> = stream::iter(0..1_030)
        .map(|i| {
            let app = &app;
            async move { app.send_ok(&static_sms_to(numbers[i % 2])).await }
        })
        .buffer_unordered(8)
        .collect()
        .await;

    let response = app
        .get("/api/v1/notifications?number=%2B919812345678", &app.agent)
        .header(ACCEPT, "text/csv")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(response.headers()[CONTENT_DISPOSITION]
        .to_str()
        .expect("ascii")
        .starts_with("attachment; filename=\"notifications-"));
    let csv = response.text().await.expect("body");
    let mut lines = csv.split("\r\n").filter(|l| !l.is_empty());
    assert_eq!(
        lines.next(),
        Some("uuid,created_at,updated_at,channel,status,to,template_id,template_name,agent_id,group_id,call_id,provider,error_code,error_message,resend_of")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 515, "every match, once");
    let exported: HashSet<&str> = rows.iter().map(|r| r[0]).collect();
    assert_eq!(exported.len(), 515);
    assert!(exported.iter().all(|u| sent.iter().any(|s| s == u)));
    assert!(rows
        .iter()
        .all(|r| r[5] == "+919812345678" && r[7] == "Thanks for calling"));
    let times: Vec<&str> = rows.iter().map(|r| r[1]).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");

    // A browser's download: a single-use ticket instead of the header.
    let ticket: Value = json_reply(app.post("/api/v1/stream-tickets", &app.agent)).await;
    let ticket = ticket["ticket"].as_str().expect("ticket");
    let url = format!(
        "{}/api/v1/notifications?format=csv&status=queued&ticket={ticket}",
        app.base
    );
    let first = app.client.get(&url).send().await.expect("sent");
    assert_eq!(first.status(), 200);
    assert!(first.text().await.expect("body").starts_with("uuid,"));
    let again = app.client.get(&url).send().await.expect("sent");
    assert_eq!(again.status(), 401, "a ticket serves one download");
}

#[tokio::test]
async fn the_delivery_figures_count_what_happened_for_supervisors_and_admins_only() {
    let app = TestApp::spawn().await;
    app.register("lead", "demo").await;
    let lead = token("lead", Role::Supervisor, Some("demo"));
    let mut delivered = Vec::new();
    for _ in 0..3 {
        delivered.push(app.send_ok(&static_sms("c-fig")).await);
    }
    let unreachable = app.send_ok(&static_sms_to("+919876540000")).await;
    let whatsapp = app
        .send_ok(
            &json!({"to": "+919876543210", "channel": "whatsapp", "template_id": "t_wa_thanks"}),
        )
        .await;
    for uuid in &delivered {
        app.wait_for_status(uuid, "delivered").await;
    }
    app.wait_for_status(&unreachable, "failed").await;
    app.wait_for_status(&whatsapp, "delivered").await;

    let stats: Value = app.get_json("/api/v1/stats", &lead).await;
    assert_eq!(stats["group_id"], "demo");
    assert_eq!(stats["total"], 5);
    assert_eq!(
        stats["by_status"],
        json!([{"key": "delivered", "count": 4}, {"key": "failed", "count": 1}])
    );
    assert_eq!(stats["delivery_rate"], 0.8);
    assert_eq!(stats["by_channel"][0]["key"], "sms");
    assert_eq!(stats["by_channel"][0]["total"], 4);
    assert_eq!(stats["by_channel"][1]["key"], "whatsapp");
    assert_eq!(
        stats["failures"],
        json!([{"key": "unreachable", "label": "Phone could not be reached", "count": 1}])
    );
    assert_eq!(
        stats["top_templates"][0],
        json!({"key": "t_sms_thanks", "label": "Thanks for calling", "count": 4})
    );
    assert_eq!(stats["by_channel"][0]["label"], "SMS");
    assert_eq!(stats["providers"][0]["key"], "sandbox");
    assert_eq!(stats["providers"][0]["label"], "Sandbox (no real messages)");
    assert_eq!(stats["providers"][0]["total"], 5);
    let times = &stats["time_to_delivered"];
    assert_eq!(times["count"], 4);
    let (p50, p95) = (
        times["p50_ms"].as_i64().expect("p50"),
        times["p95_ms"].as_i64().expect("p95"),
    );
    // The sandbox delivers 100 ms after acceptance (plus the worker's pick-up).
    assert!(100 <= p50 && p50 <= p95, "{times}");

    let elsewhere: Value = app
        .get_json("/api/v1/stats?group_id=empty-group", &app.admin)
        .await;
    assert_eq!(elsewhere["total"], 0);
    assert_eq!(elsewhere["delivery_rate"], Value::Null);
    let long_ago: Value = app
        .get_json("/api/v1/stats?from=2020-01-01&to=2020-01-31", &app.admin)
        .await;
    assert_eq!(long_ago["total"], 0);
    app.get_error("/api/v1/stats", &app.agent, 403, "supervisors_only")
        .await;
    app.get_error(
        "/api/v1/stats?group_id=empty-group",
        &lead,
        403,
        "not_yours",
    )
    .await;
    app.get_error("/api/v1/stats?from=soon", &app.admin, 422, "invalid_period")
        .await;
}

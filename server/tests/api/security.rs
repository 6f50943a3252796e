//! The security boundaries, black-box against the real server: each party — the
//! softphone host (its secret), agents, supervisors, admins — has exactly its own power;
//! a revoked token, a signed-out session or a switched-off agent is refused everywhere;
//! sign-in is throttled; every response carries the headers that keep a browser safe.

use crate::helpers::{
    error_of, host_token, json_reply, sign_in, static_sms, test_settings, token, TestApp,
    ADMIN_PASSWORD, SECRET,
};
use app::service::Role;
use base64::Engine;
use reqwest::{RequestBuilder, Response};
use serde_json::{json, Value};
use server::startup::WorkerMode;
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

/// A JWT signed with the host's secret, with whatever claims — made here with the JWT
/// library directly, not with our minting code (which refuses to make such tokens).
fn forged(claims: &Value) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .expect("signed")
}

fn in_seconds(seconds: i64) -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp() + seconds
}

/// Sends `request` and asserts its refusal: the status, the code, the error shape.
async fn refused(request: RequestBuilder, status: u16, code: &str) -> Value {
    error_of(request.send().await.expect("sent"), status, code).await
}

/// Calls server function `name` with its arguments (a JSON object, as the widget sends).
async fn server_fn(app: &TestApp, name: &str, arguments: &[(&str, &str)]) -> Response {
    let arguments: serde_json::Map<String, Value> = arguments
        .iter()
        .map(|(name, value)| (name.to_string(), Value::from(*value)))
        .collect();
    app.client
        .post(format!("{}/api/fn/{name}", app.base))
        .json(&arguments)
        .send()
        .await
        .expect("sent")
}

/// Asserts a server function's refusal: its status and code.
async fn refused_fn(response: Response, status: u16, code: &str) {
    assert_eq!(response.status(), status, "unexpected status");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["code"], code, "unexpected error: {body}");
}

async fn ticket(app: &TestApp, token: &str) -> Response {
    app.post_empty("/api/v1/stream-tickets", token).await
}

async fn ticket_of(app: &TestApp, token: &str) -> String {
    let r = ticket(app, token).await;
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.expect("json");
    body["ticket"].as_str().expect("a ticket").to_owned()
}

/// Opens a call's event stream with a ticket.
async fn call_stream(app: &TestApp, call: &str, ticket: &str) -> Response {
    app.client
        .get(format!(
            "{}/api/v1/calls/{call}/events?ticket={ticket}",
            app.base
        ))
        .send()
        .await
        .expect("sent")
}

async fn status_of(app: &TestApp, path: &str, token: &str) -> u16 {
    app.fetch(path, token).await.status().as_u16()
}

#[tokio::test]
async fn a_token_signed_with_the_host_secret_never_carries_admin_power() {
    let app = TestApp::spawn().await;
    let admin_claims = forged(&json!({"sub": "admin", "role": "admin", "exp": in_seconds(600)}));
    refused(
        app.get("/api/v1/admin/templates", &admin_claims),
        401,
        "admin_token_refused",
    )
    .await;
    refused(app
        .post("/api/v1/admin/providers", &admin_claims)
        .json(&json!({"id": "x", "channel": "sms", "provider": "sandbox", "display_name": "X", "sender": "X"})), 401, "admin_token_refused").await;
    refused_fn(
        server_fn(&app, "agent_templates", &[("token", &admin_claims)]).await,
        401,
        "admin_token_refused",
    )
    .await;
    // Not through the agent endpoints either.
    refused(
        app.get("/api/v1/notifications", &admin_claims),
        401,
        "admin_token_refused",
    )
    .await;
}

#[tokio::test]
async fn a_host_token_living_past_the_cap_is_refused() {
    let app = TestApp::spawn().await;
    let long = forged(
        &json!({"sub": "demo-agent", "role": "agent", "grp": "demo", "exp": in_seconds(13 * 3600)}),
    );
    refused(
        app.get("/api/v1/templates?channel=sms", &long),
        401,
        "token_lifetime_too_long",
    )
    .await;
    let within = forged(
        &json!({"sub": "demo-agent", "role": "agent", "grp": "demo", "exp": in_seconds(11 * 3600)}),
    );
    assert_eq!(
        status_of(&app, "/api/v1/templates?channel=sms", &within).await,
        200
    );
}

#[tokio::test]
async fn a_revoked_token_is_refused_on_every_endpoint_family() {
    let app = TestApp::spawn().await;
    let revoked = host_token(
        "demo-agent",
        Role::Agent,
        Some("demo"),
        Some("jti-lost-laptop"),
    );
    let other = host_token("demo-agent", Role::Agent, Some("demo"), Some("jti-desk"));
    let uuid = app.send_ok(&static_sms("c-revoke")).await;
    let earlier_ticket = ticket_of(&app, &revoked).await;
    let r = app
        .post_json(
            "/api/v1/admin/revoked-tokens",
            &app.admin,
            &json!({"jti": "jti-lost-laptop"}),
        )
        .await;
    assert_eq!(r.status(), 204);

    refused(
        app.get(&format!("/api/v1/notifications/{uuid}"), &revoked),
        401,
        "token_revoked",
    )
    .await;
    refused(
        app.post("/api/v1/notifications", &revoked)
            .json(&static_sms("c-revoke")),
        401,
        "token_revoked",
    )
    .await;
    refused_fn(
        server_fn(&app, "agent_templates", &[("token", &revoked)]).await,
        401,
        "token_revoked",
    )
    .await;
    error_of(ticket(&app, &revoked).await, 401, "token_revoked").await;
    let stream = call_stream(&app, "c-revoke", &earlier_ticket).await;
    error_of(stream, 401, "token_revoked").await;
    // The same agent's other token still works.
    assert_eq!(
        status_of(&app, &format!("/api/v1/notifications/{uuid}"), &other).await,
        200
    );
}

#[tokio::test]
async fn signing_out_ends_the_session_on_every_endpoint_and_open_stream() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = test_settings(dir.path());
    // Messages that stay on their way, and streams that check their holder every second.
    settings.providers.sandbox.sent_after_ms = 60_000;
    settings.providers.sandbox.delivered_after_ms = 120_000;
    settings.http.stream_recheck_secs = 1;
    let app = TestApp::spawn_with(dir, settings, WorkerMode::InProcess).await;
    let uuid = app.send_ok(&static_sms("c-signout")).await;
    let session = sign_in(&app.base).await;
    let stream = call_stream(&app, "c-signout", &ticket_of(&app, &session).await).await;
    assert_eq!(stream.status(), 200);
    let unused_ticket = ticket_of(&app, &session).await;

    sign_out(&app, &session).await;
    let started = Instant::now();
    let events = crate::helpers::read_events(stream, Duration::from_secs(10)).await;
    println!(
        "the open stream ended {} ms after the sign-out",
        started.elapsed().as_millis()
    );
    assert!(
        events.iter().all(|e| e.event == "status"),
        "no `end`: cut off"
    );

    refused(
        app.get("/api/v1/admin/templates", &session),
        401,
        "session_ended",
    )
    .await;
    refused(
        app.get(&format!("/api/v1/notifications/{uuid}"), &session),
        401,
        "session_ended",
    )
    .await;
    error_of(ticket(&app, &session).await, 401, "session_ended").await;
    error_of(
        call_stream(&app, "c-signout", &unused_ticket).await,
        401,
        "session_ended",
    )
    .await;
    refused_fn(
        server_fn(&app, "agent_templates", &[("token", &session)]).await,
        401,
        "session_ended",
    )
    .await;
    // The test's other session is untouched.
    assert_eq!(
        status_of(&app, "/api/v1/admin/templates", &app.admin).await,
        200
    );
}

#[tokio::test]
async fn agents_are_checked_against_the_settings_on_every_request() {
    let app = TestApp::spawn().await;
    let templates = "/api/v1/templates?channel=sms";
    let ghost = token("ghost", Role::Agent, Some("demo"));
    refused(app.get(templates, &ghost), 403, "unknown_agent").await;

    app.register("mover", "demo").await;
    let with_group = token("mover", Role::Agent, Some("demo"));
    let without_group = token("mover", Role::Agent, None);
    assert_eq!(status_of(&app, templates, &with_group).await, 200);
    let earlier_ticket = ticket_of(&app, &with_group).await;
    let moved = app
        .client
        .put(format!("{}/api/v1/admin/agents/mover", app.base))
        .bearer_auth(&app.admin)
        .json(&json!({"id": "mover", "name": "Mover", "group_id": "empty-group"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(moved.status(), 200);
    refused(app.get(templates, &with_group), 403, "wrong_group").await;
    // A token that names no group gets the group the settings say.
    let now_theirs: Vec<Value> = app.get_json(templates, &without_group).await;
    assert!(now_theirs.is_empty(), "the new group maps no templates");

    let off = app
        .client
        .put(format!("{}/api/v1/admin/agents/mover", app.base))
        .bearer_auth(&app.admin)
        .json(&json!({"id": "mover", "name": "Mover", "group_id": "empty-group", "active": false}))
        .send()
        .await
        .expect("sent");
    assert_eq!(off.status(), 200);
    refused(app.get(templates, &without_group), 403, "agent_inactive").await;
    error_of(
        call_stream(&app, "c-any", &earlier_ticket).await,
        403,
        "agent_inactive",
    )
    .await;
}

#[tokio::test]
async fn with_registration_on_first_use_a_new_agent_joins_the_tokens_group() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = test_settings(dir.path());
    settings.auth.register_agents_on_first_use = true;
    let app = TestApp::spawn_with(dir, settings, WorkerMode::InProcess).await;
    let newcomer = token("newcomer", Role::Agent, Some("demo"));
    assert_eq!(
        status_of(&app, "/api/v1/templates?channel=sms", &newcomer).await,
        200
    );
    // Sixteen first requests at once: one registers, all get in.
    let crowd = token("crowd", Role::Agent, Some("demo"));
    let statuses = futures::future::join_all(
        (0..16).map(|_| status_of(&app, "/api/v1/templates?channel=sms", &crowd)),
    )
    .await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let agent: Value = app
        .get_json("/api/v1/admin/agents/newcomer", &app.admin)
        .await;
    assert_eq!(agent["group_id"], "demo");
    let audit: Vec<Value> = app
        .get_json("/api/v1/admin/audit?entity=agent", &app.admin)
        .await;
    assert!(audit
        .iter()
        .any(|e| e["action"] == "register" && e["entity_id"] == "newcomer"));
    // Only into a group that exists, and never without one.
    for token in [
        token("lost", Role::Agent, Some("no-such-group")),
        token("groupless", Role::Agent, None),
    ] {
        refused(
            app.get("/api/v1/templates?channel=sms", &token),
            403,
            "unknown_agent",
        )
        .await;
    }
}

#[tokio::test]
async fn a_supervisor_reads_their_groups_messages_and_does_nothing_else() {
    let app = TestApp::spawn().await;
    app.register("lead", "demo").await;
    app.register("far-lead", "empty-group").await;
    let lead = token("lead", Role::Supervisor, Some("demo"));
    let far_lead = token("far-lead", Role::Supervisor, None);
    let mine = app.send_ok(&static_sms("c-team")).await;
    let theirs: Value = json_reply(
        app.post("/api/v1/notifications", &app.colleague)
            .json(&static_sms("c-team")),
    )
    .await;

    let view: Value = app
        .get_json(&format!("/api/v1/notifications/{mine}"), &lead)
        .await;
    assert_eq!(view["group_id"], "demo");
    let call: Vec<Value> = app
        .get_json("/api/v1/notifications?call_id=c-team", &lead)
        .await;
    assert_eq!(call.len(), 2, "both agents' messages: {call:?}");
    assert!(call.iter().any(|v| v["uuid"] == theirs["uuid"]));
    let comments: Vec<Value> = app.get_json("/api/v1/calls/c-team/comments", &lead).await;
    assert_eq!(comments.len(), 2);

    refused(
        app.post("/api/v1/notifications", &lead)
            .json(&static_sms("c-team")),
        403,
        "agent_only",
    )
    .await;
    refused(app.get("/api/v1/admin/agents", &lead), 403, "admin_only").await;
    // Another group's supervisor sees none of it.
    refused(
        app.get(&format!("/api/v1/notifications/{mine}"), &far_lead),
        404,
        "notification_not_found",
    )
    .await;
    let none: Vec<Value> = app
        .get_json("/api/v1/notifications?call_id=c-team", &far_lead)
        .await;
    assert!(none.is_empty());
}

/// Sends `n` messages at once; their latencies, in milliseconds.
async fn concurrent_sends(app: &TestApp, n: usize) -> Vec<u128> {
    let sends = (0..n).map(|i| async move {
        let started = Instant::now();
        let r = app
            .post_json(
                "/api/v1/notifications",
                &app.agent,
                &static_sms(&format!("c-throttle-{i}")),
            )
            .await;
        assert_eq!(r.status(), 202, "a send during sign-in attempts");
        started.elapsed().as_millis()
    });
    let mut latencies = futures::future::join_all(sends).await;
    latencies.sort_unstable();
    latencies
}

async fn attempt(app: &TestApp, id: &str, password: &str) -> Response {
    app.client
        .post(format!("{}/api/v1/admin/login", app.base))
        .json(&json!({"id": id, "password": password}))
        .send()
        .await
        .expect("sent")
}

#[tokio::test]
async fn sign_in_is_throttled_per_admin_and_per_client_while_sends_keep_flowing() {
    let app = TestApp::spawn().await;
    let quiet = concurrent_sends(&app, 16).await;
    // Sixteen wrong passwords at once, with sixteen sends among them.
    let guesses = futures::future::join_all(
        (0..16).map(|i| attempt(&app, "admin", if i % 2 == 0 { "guess" } else { "wrong" })),
    );
    let (answers, busy) = tokio::join!(guesses, concurrent_sends(&app, 16));
    let codes: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    let count = |code: u16| codes.iter().filter(|c| **c == code).count();
    assert_eq!(
        (count(401), count(429)),
        (5, 11),
        "five attempts per id, however concurrent: {codes:?}"
    );
    println!(
        "send latency p50/max: {}/{} ms quiet, {}/{} ms during 16 concurrent sign-ins",
        quiet[quiet.len() / 2],
        quiet[quiet.len() - 1],
        busy[busy.len() / 2],
        busy[busy.len() - 1]
    );

    // Even the right password waits now, and the answer says for how long.
    let locked = attempt(&app, "admin", ADMIN_PASSWORD).await;
    let wait: u64 = locked.headers()["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    assert!((1..=900).contains(&wait), "Retry-After: {wait}");
    error_of(locked, 429, "too_many_attempts").await;
    // The client has used five of its twenty attempts (a refused one uses none, a
    // success gives its own back): fifteen more, on fifteen ids, then every id waits.
    for i in 0..15 {
        error_of(
            attempt(&app, &format!("guess-{i}"), "nope").await,
            401,
            "invalid_credentials",
        )
        .await;
    }
    error_of(
        attempt(&app, "guess-15", "nope").await,
        429,
        "too_many_attempts",
    )
    .await;
}

#[tokio::test]
async fn sign_ins_and_sign_outs_are_in_the_audit_log_and_a_new_password_ends_sessions() {
    let app = TestApp::spawn().await;
    let session = sign_in(&app.base).await;
    sign_out(&app, &session).await;
    let audit: Vec<Value> = app
        .get_json("/api/v1/admin/audit?entity=session", &app.admin)
        .await;
    let actions: Vec<&str> = audit.iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(
        actions.contains(&"sign_in") && actions.contains(&"sign_out"),
        "{actions:?}"
    );
    assert!(audit.iter().all(|e| e["actor"] == "admin"));
    assert!(
        audit
            .iter()
            .all(|e| e["entity_id"].as_str().is_some_and(|id| id.len() == 12)),
        "a session appears by a short prefix of its hash, never its token"
    );

    // `agent-notify admin create` with a new password (what an admin does after a leak).
    let settings = test_settings(app.dir.path());
    let store = server::startup::open_sql_store(&settings)
        .await
        .expect("store");
    app::service::accounts::set_admin_password(store.as_ref(), "admin", "a brand new password")
        .await
        .expect("password set");
    refused(
        app.get("/api/v1/admin/templates", &app.admin),
        401,
        "session_ended",
    )
    .await;
}

/// The headers every response carries.
fn assert_safe_headers(path: &str, response: &Response) {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
    assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
    assert!(
        !header("content-security-policy").is_empty(),
        "{path} has no policy"
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    for path in [
        "/widget",
        "/admin",
        "/healthz",
        "/readyz",
        "/api/v1/countries",
        "/api/v1/no-such-thing",
        "/softphone.html",
        "/pkg/agent-notify.js",
        "/webhooks/twilio/nobody",
    ] {
        let r = app.fetch(path, &app.agent).await;
        assert_safe_headers(path, &r);
    }
    let r = server_fn(&app, "agent_templates", &[("token", &app.agent)]).await;
    assert_safe_headers("a server function", &r);

    let admin = app
        .client
        .get(format!("{}/admin", app.base))
        .send()
        .await
        .expect("sent");
    let policy = admin.headers()["content-security-policy"]
        .to_str()
        .expect("text")
        .to_owned();
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");

    // The widget's policy allows its one inline script by that script's own hash.
    let widget = app
        .client
        .get(format!("{}/widget", app.base))
        .send()
        .await
        .expect("sent");
    let policy = widget.headers()["content-security-policy"]
        .to_str()
        .expect("text")
        .to_owned();
    let html = widget.text().await.expect("html");
    let script = html
        .split("<script type=\"module\">")
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .expect("the inline script");
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes()));
    assert!(policy.contains(&format!("'sha256-{hash}'")), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
}

#[tokio::test]
async fn the_widget_refuses_a_token_in_its_query_string() {
    let app = TestApp::spawn().await;
    let r = app
        .client
        .get(format!(
            "{}/widget?call_id=c-1&token={}",
            app.base, app.agent
        ))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), 400);
    assert!(r.text().await.expect("html").contains("#token="));
}

#[tokio::test]
async fn metrics_and_readiness_detail_need_the_operations_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = test_settings(dir.path());
    settings.ops.token = Some(secrecy::SecretString::from(
        "ops-token-0123456789abcdef".to_owned(),
    ));
    let app = TestApp::spawn_with(dir, settings, WorkerMode::InProcess).await;
    let metrics = format!("{}/metrics", app.base);
    refused(app.client.get(&metrics), 401, "ops_only").await;
    refused(app.get("/metrics", &app.agent), 401, "ops_only").await;
    let right = app.fetch("/metrics", "ops-token-0123456789abcdef").await;
    assert_eq!(right.status(), 200);

    let ready: Value = json_reply(app.client.get(format!("{}/readyz", app.base))).await;
    assert_eq!(
        ready,
        json!({"status": "ok"}),
        "no backend detail without the token"
    );
    let detailed: Value = json_reply(app.get("/readyz", "ops-token-0123456789abcdef")).await;
    assert_eq!(detailed["checks"]["config_store"], "ok");
}

#[tokio::test]
async fn a_call_gathers_at_most_its_message_cap() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = test_settings(dir.path());
    settings.retention.comments_per_call = 2;
    let app = TestApp::spawn_with(dir, settings, WorkerMode::InProcess).await;
    app.send_ok(&static_sms("c-capped")).await;
    app.send_ok(&static_sms("c-capped")).await;
    let third = app.send(&static_sms("c-capped"), None).await;
    let error = error_of(third, 422, "too_many_messages_for_call").await;
    assert_eq!(error["fields"]["call_id"], "message limit reached");
    app.send_ok(&static_sms("c-other-call")).await;
}

/// Ends the admin session `session` (204).
async fn sign_out(app: &TestApp, session: &str) {
    let out = app.post("/api/v1/admin/logout", session).send().await;
    assert_eq!(out.expect("sent").status(), 204);
}

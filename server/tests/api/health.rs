use crate::helpers::{json_reply, TestApp};
use serde_json::Value;

#[tokio::test]
async fn health_answers_ok_without_a_token() {
    let app = TestApp::spawn().await;
    let r = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn readiness_reports_each_backend() {
    let app = TestApp::spawn().await;
    let body: Value = json_reply(app.client.get(format!("{}/readyz", app.base))).await;
    assert_eq!(body["status"], "ok");
    for check in ["config_store", "status_store", "queue"] {
        assert_eq!(body["checks"][check], "ok", "{check}");
    }
    use crate::services::{on_mariadb, queue_on_redis, status_on_mongodb};
    let sql = if on_mariadb() { "mysql" } else { "sqlite" };
    assert_eq!(body["backends"]["config_store"], sql);
    let status = if status_on_mongodb() { "mongodb" } else { sql };
    assert_eq!(body["backends"]["status_store"], status);
    let queue = if queue_on_redis() {
        "redis"
    } else {
        "embedded"
    };
    assert_eq!(body["backends"]["queue"], queue);
}

#[tokio::test]
async fn the_openapi_document_describes_every_public_endpoint() {
    let app = TestApp::spawn().await;
    let doc: Value = json_reply(app.client.get(format!("{}/api/v1/openapi.json", app.base))).await;
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let expected = [
        ("/api/v1/countries", "get"),
        ("/api/v1/phone/validate", "post"),
        ("/api/v1/templates", "get"),
        ("/api/v1/widget/bootstrap", "get"),
        ("/api/v1/notifications", "post"),
        ("/api/v1/notifications", "get"),
        ("/api/v1/notifications/{uuid}", "get"),
        ("/api/v1/notifications/{uuid}/events", "get"),
        ("/api/v1/calls/{call_id}/comments", "get"),
        ("/api/v1/calls/{call_id}/events", "get"),
        ("/api/v1/stream-tickets", "post"),
        ("/api/v1/admin/revoked-tokens", "post"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/api/v1/admin/login", "post"),
        ("/api/v1/admin/templates", "post"),
        ("/api/v1/admin/templates/{id}", "delete"),
        ("/api/v1/admin/groups/{id}/notification-types", "put"),
        ("/api/v1/admin/agents/{id}", "put"),
        ("/api/v1/admin/providers", "post"),
        ("/api/v1/admin/audit", "get"),
        ("/api/v1/admin/opt-outs", "get"),
        ("/api/v1/admin/opt-outs", "post"),
        ("/api/v1/admin/opt-outs", "delete"),
        ("/api/v1/admin/api-keys", "post"),
        ("/api/v1/admin/api-keys/{id}", "delete"),
        ("/webhooks/{provider}/{account_id}", "post"),
        ("/webhooks/{provider}/{account_id}", "get"),
    ];
    for (path, method) in expected {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} is not documented"
        );
    }
}

#[tokio::test]
async fn the_widget_loads_its_own_bundle_and_the_other_pages_the_consoles() {
    let app = TestApp::spawn().await;
    let bundles = [
        ("/widget", "/pkg/agent-notify.js", "/pkg/agent-notify.wasm"),
        (
            "/admin",
            "/pkg/agent-notify-console.js",
            "/pkg/agent-notify-console_bg.wasm",
        ),
        (
            "/history",
            "/pkg/agent-notify-console.js",
            "/pkg/agent-notify-console_bg.wasm",
        ),
        (
            "/dashboard",
            "/pkg/agent-notify-console.js",
            "/pkg/agent-notify-console_bg.wasm",
        ),
    ];
    for (page, js, wasm) in bundles {
        let r = app
            .client
            .get(format!("{}{page}", app.base))
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status(), 200);
        let html = r.text().await.expect("text");
        assert!(html.contains(js) && html.contains(wasm), "{page}");
        assert!(
            html.contains("/pkg/agent-notify.css"),
            "{page}: one stylesheet"
        );
    }
}

/// Every `/pkg/…` URL the page links (each once).
fn pkg_links(html: &str) -> Vec<String> {
    let mut links: Vec<String> = html
        .match_indices("\"/pkg/")
        .map(|(at, _)| {
            let rest = &html[at + 1..];
            rest[..rest.find('"').expect("quoted")].to_owned()
        })
        .collect();
    links.sort();
    links.dedup();
    links
}

#[tokio::test]
async fn the_bundle_files_are_linked_by_fingerprint_and_kept_for_a_year() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pkg = dir.path().join("site/pkg");
    std::fs::create_dir_all(&pkg).expect("pkg folder");
    let files = [
        ("agent-notify.js", "export default function init() {}"),
        ("agent-notify.wasm", "\0asm one build"),
        ("agent-notify.css", "body {}"),
    ];
    for (name, bytes) in files {
        std::fs::write(pkg.join(name), bytes).expect("file written");
    }
    let settings = crate::helpers::test_settings(dir.path());
    let app = TestApp::spawn_with(dir, settings, server::startup::WorkerMode::None).await;
    let get = |path: &str| app.client.get(format!("{}{path}", app.base)).send();

    let html = get("/widget")
        .await
        .expect("sent")
        .text()
        .await
        .expect("text");
    let links = pkg_links(&html);
    assert_eq!(links.len(), 3, "script, wasm and stylesheet: {links:?}");
    for (name, bytes) in files {
        let (stem, extension) = name.rsplit_once('.').expect("extension");
        let url = links
            .iter()
            .find(|l| l.starts_with(&format!("/pkg/{stem}.")) && l.ends_with(extension))
            .unwrap_or_else(|| panic!("{name} is linked: {links:?}"));
        let print = &url[format!("/pkg/{stem}.").len()..url.len() - extension.len() - 1];
        assert!(
            print.len() == 16 && print.bytes().all(|b| b.is_ascii_hexdigit()),
            "{url} names a fingerprint"
        );
        let r = get(url).await.expect("sent");
        assert_eq!(r.status(), 200, "{url}");
        assert_eq!(
            r.headers()["cache-control"],
            "public, max-age=31536000, immutable",
            "{url}"
        );
        assert_eq!(r.text().await.expect("body"), bytes, "{url} is {name}");
    }

    // An older page's fingerprint, or the plain name: the current file, asked about again.
    for url in [
        "/pkg/agent-notify.0123456789abcdef.wasm",
        "/pkg/agent-notify.wasm",
    ] {
        let r = get(url).await.expect("sent");
        assert_eq!(r.status(), 200, "{url}");
        assert_eq!(r.headers()["cache-control"], "no-cache", "{url}");
        assert_eq!(r.text().await.expect("body"), "\0asm one build", "{url}");
    }
}

#[tokio::test]
async fn a_calling_codes_numbering_data_is_served_to_the_widget_and_kept_for_a_year() {
    use app::domain::phone::numbering::DATA_VERSION;
    let app = TestApp::spawn().await;

    let r = app
        .get_anonymously(&format!("/numbering/{DATA_VERSION}/44"))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    assert_eq!(
        r.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let data = r.bytes().await.expect("body");
    let has = |id: &str| data.windows(2).any(|w| w == id.as_bytes());
    // Every region of +44 (the United Kingdom, Guernsey, the Isle of Man, Jersey), no
    // other code's.
    assert!(
        ["GB", "GG", "IM", "JE"].into_iter().all(has),
        "the +44 regions"
    );
    assert!(!has("IN") && !has("US"), "nothing of +91 or +1");

    // A widget left open across a deploy: today's data, asked about again.
    let r = app.get_anonymously("/numbering/0123456789abcdef/44").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-cache");
    assert_eq!(r.bytes().await.expect("body"), data);

    // Compressed for a client that accepts it.
    let r = app
        .client
        .get(format!("{}/numbering/{DATA_VERSION}/1", app.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("sent");
    assert_eq!(r.headers()["content-encoding"], "gzip");

    // The widget's page has the default country's (India's) downloaded beside the bundle.
    let page = app
        .get_anonymously("/widget")
        .await
        .text()
        .await
        .expect("html");
    let preload = format!(
        r#"<link rel="preload" href="/numbering/{DATA_VERSION}/91" as="fetch" crossorigin>"#
    );
    assert!(page.contains(&preload), "{page}");

    for code in ["999", "0", "abc", "99999"] {
        let r = app
            .get_anonymously(&format!("/numbering/{DATA_VERSION}/{code}"))
            .await;
        let error = crate::helpers::error_of(r, 404, "not_found").await;
        assert!(
            crate::helpers::message_of(&error).contains("calling code"),
            "{code}: {error}"
        );
    }
}

#[tokio::test]
async fn stopping_the_app_is_graceful() {
    let app = TestApp::spawn().await;
    let dir = app.stop().await;
    assert!(
        crate::services::queue_on_redis() || dir.path().join("queue.db").exists(),
        "the embedded queue's file stays"
    );
}

#[tokio::test]
async fn only_the_site_itself_may_frame_the_widget_by_default() {
    let app = TestApp::spawn().await;
    let r = app
        .client
        .get(format!("{}/widget", app.base))
        .send()
        .await
        .expect("sent");
    let policy = r.headers()["content-security-policy"]
        .to_str()
        .expect("text");
    assert!(
        policy.ends_with("frame-ancestors 'self'"),
        "the policy was {policy}"
    );
}

#[tokio::test]
async fn metrics_count_handled_jobs_and_show_the_queue() {
    let app = TestApp::spawn().await;
    let uuid = app.send_ok(&crate::helpers::static_sms("c-metrics")).await;
    app.wait_for_status(&uuid, "delivered").await;
    let r = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap_or("")
        .starts_with("text/plain"));
    let text = r.text().await.expect("text");
    assert!(text.contains("agent_notify_queue_depth 0"), "{text}");
    assert!(text.contains("agent_notify_queue_pending 0"), "{text}");
    assert!(
        text.contains("agent_notify_jobs_total{outcome=\"done\"} 1"),
        "{text}"
    );
    assert!(text.contains("agent_notify_job_seconds_count 1"), "{text}");
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = crate::helpers::test_settings(dir.path());
    settings.http.header_timeout_secs = 1;
    let app = TestApp::spawn_with(dir, settings, server::startup::WorkerMode::None).await;
    let address = app.base.trim_start_matches("http://");
    let mut slow = tokio::net::TcpStream::connect(address)
        .await
        .expect("connected");
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("written");
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(30),
        slow.read_to_end(&mut answer),
    )
    .await
    .expect("the server closed the connection")
    .expect("read");
    let text = String::from_utf8_lossy(&answer);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "no answer, or 408: {text}"
    );
    // Complete requests are served as before.
    let health = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .expect("sent");
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn every_documented_api_operation_describes_its_errors_in_the_one_error_shape() {
    let app = TestApp::spawn().await;
    let doc: Value = json_reply(app.client.get(format!("{}/api/v1/openapi.json", app.base))).await;
    let error = &doc["components"]["responses"]["Error"]["content"]["application/json"]["schema"];
    assert_eq!(error["$ref"], "#/components/schemas/ErrorBody");
    let paths = doc["paths"].as_object().expect("paths");
    let api = paths
        .iter()
        .filter(|(path, _)| path.starts_with("/api/v1/"));
    for (path, item) in api {
        for (method, operation) in item.as_object().expect("operations") {
            for code in ["401", "422", "503"] {
                assert!(
                    operation["responses"][code].is_object(),
                    "{method} {path} does not document {code}"
                );
            }
        }
    }
    let send = &doc["paths"]["/api/v1/notifications"]["post"];
    assert_eq!(
        send["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/SendRequest"
    );
    assert_eq!(
        doc["components"]["schemas"]["SendRequest"]["example"]["template_id"],
        "t_otp"
    );
}

#[tokio::test]
async fn the_api_docs_page_is_served_from_our_own_assets() {
    let app = TestApp::spawn().await;
    let page = app
        .client
        .get(format!("{}/api/docs/", app.base))
        .send()
        .await
        .expect("sent");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("text");
    assert!(html.contains("swagger-ui-bundle.js"), "{html}");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{html}"
    );
    let init = app
        .client
        .get(format!("{}/api/docs/swagger-initializer.js", app.base))
        .send()
        .await
        .expect("sent");
    assert_eq!(init.status(), 200);
    assert!(init
        .text()
        .await
        .expect("text")
        .contains("\"url\": \"/api/v1/openapi.json\""));
}

#[tokio::test]
async fn under_cargo_leptos_watch_the_pages_load_the_live_reload_script_their_policy_allows() {
    use base64::Engine;
    use sha2::Digest;
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = crate::helpers::test_settings(dir.path());
    let port = crate::services::free_port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_agent-notify"))
        .arg("serve")
        .current_dir(dir.path())
        .envs(crate::processes::environment(&settings, dir.path()))
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env(
            "LEPTOS_SITE_ROOT",
            std::env::current_dir().expect("cwd").join("../target/site"),
        )
        .env("LEPTOS_WATCH", "true")
        .env("LEPTOS_RELOAD_PORT", "3999")
        .stdout(crate::processes::child_output())
        .spawn()
        .expect("the agent-notify binary runs");
    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/widget");
    let mut page = None;
    for _ in 0..100 {
        // Until it is up, and past its 503 `starting`.
        if let Ok(r) = client.get(&url).send().await {
            if r.status() != 503 {
                page = Some(r);
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let answer = match page {
        Some(page) => Some((page.headers().clone(), page.text().await)),
        None => None,
    };
    let _ = child.kill();
    let _ = child.wait();
    let (headers, html) = answer.expect("the server answers");
    let policy = headers["content-security-policy"].to_str().expect("ascii");
    let html = html.expect("text");
    let script = html
        .split("<script>")
        .nth(1)
        .and_then(|s| s.split("</script>").next())
        .expect("an inline live-reload script");
    assert!(
        script.contains("/live_reload") && script.contains("3999"),
        "{script}"
    );
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script));
    assert!(policy.contains(&format!("'sha256-{hash}'")), "{policy}");
    assert!(
        policy.contains("connect-src 'self' ws://*:3999 wss://*:3999;"),
        "{policy}"
    );
}

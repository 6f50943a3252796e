//! Property tests over everything a webhook or a client can send us: each provider's
//! webhook reader gets arbitrary bodies — signed correctly, so the parsing behind the
//! signature check is reached — and arbitrary headers and queries; the request types
//! the JSON extractors produce get arbitrary JSON. None may panic. (Counted and bounded:
//! 1,000 cases each, a few seconds in all.)

use super::{build, Account, Context, WebhookRequest};
use crate::config::Endpoints;
use app::domain::{Channel, ProviderAccount, ProviderAccountId};
use app::service::{StatusSink, StatusUpdate, StoredProviderAccount};
use async_trait::async_trait;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use base64::Engine;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

const RBM_KEY: &str = include_str!("../../tests/api/fixtures/rbm-test-key.pem");
const URL: &str = "https://notify.example.com/webhooks/p/a";

struct Nowhere;

#[async_trait]
impl StatusSink for Nowhere {
    async fn report(&self, _: uuid::Uuid, _: StatusUpdate) {}
}

fn account(provider: &str, channel: Channel, credentials: &[(&str, &str)]) -> Arc<dyn Account> {
    let context = Context {
        client: reqwest::Client::new(),
        endpoints: Endpoints::default(),
        sink: Arc::new(Nowhere),
        rcs_ttl: Duration::from_secs(3600),
        public_url: "https://notify.example.com".into(),
        sandbox: (Duration::ZERO, Duration::ZERO),
    };
    let stored = StoredProviderAccount {
        account: ProviderAccount {
            id: ProviderAccountId::parse("a").expect("id"),
            channel,
            provider: provider.into(),
            display_name: "Fuzzed".into(),
            sender: "+15005550006".into(),
            credentials_set: Vec::new(),
            default: true,
            webhook_url: URL.into(),
            allow_list: None,
            key: app::domain::AccountKey::parse("FUZ").expect("key"),
            description: String::new(),
            recontact_template: None,
        },
        credentials: credentials
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    };
    build(&context, &stored).expect("a valid account")
}

fn headers(pairs: &[(&str, String)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            map.insert(name, value);
        }
    }
    map
}

fn receive(
    account: &dyn Account,
    query: &BTreeMap<String, String>,
    headers: &HeaderMap,
    body: &[u8],
) {
    let request = WebhookRequest {
        url: URL,
        query,
        headers,
        body,
    };
    // Any answer is fine; a panic fails the property.
    let _ = account.receive(&request);
    let _ = account.verify_subscription(query);
}

/// Bytes that are often JSON-shaped (braces, quotes, keys providers use), sometimes not.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let fragments = prop::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"",
        "null",
        "true",
        "1e999",
        "-0",
        "\"statuses\"",
        "\"entry\"",
        "\"changes\"",
        "\"value\"",
        "\"id\"",
        "\"status\"",
        "\"message_delivery_report\"",
        "\"metadata\"",
        "\"channel_identity\"",
        "\"type\"",
        "\"mo_text\"",
        "\"recipient_delivery_report_sms\"",
        "\"messageId\"",
        "\"eventType\"",
        "\"errors\"",
        "\"code\"",
        "\"\\u0000\"",
        "\"\\ud800\"",
        "%",
        "=",
        "&",
        "MessageStatus",
        "MessageSid",
        "ErrorCode",
        "Status",
        "\u{1F600}",
    ]);
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        prop::collection::vec(fragments, 0..64).prop_map(|parts| parts.concat().into_bytes()),
    ]
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 1000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn meta_reads_any_signed_body_without_panicking(body in body()) {
        let meta = account("meta", Channel::Whatsapp, &[("access_token", "t"), ("app_secret", "s"), ("verify_token", "v")]);
        let signed = headers(&[("x-hub-signature-256", super::meta::signature("s", &body))]);
        receive(meta.as_ref(), &BTreeMap::new(), &signed, &body);
    }

    #[test]
    fn rbm_reads_any_signed_event_and_any_envelope_without_panicking(data in body(), envelope in body()) {
        let rbm = account("rbm", Channel::Rcs, &[
            ("service_account_json", &serde_json::json!({"client_email": "a@b.iam.gserviceaccount.com", "private_key": RBM_KEY}).to_string()),
            ("client_token", "ct"),
        ]);
        let encoded = base64::engine::general_purpose::STANDARD.encode(&data);
        let push = serde_json::json!({"message": {"data": encoded}}).to_string();
        let signed = headers(&[("x-goog-signature", super::rbm::signature("ct", &data))]);
        receive(rbm.as_ref(), &BTreeMap::new(), &signed, push.as_bytes());
        receive(rbm.as_ref(), &BTreeMap::new(), &HeaderMap::new(), &envelope);
    }

    #[test]
    fn twilio_reads_any_signed_form_without_panicking(
        params in prop::collection::vec(("[A-Za-z]{0,12}", "\\PC{0,24}"), 0..12),
        raw in body(),
    ) {
        let twilio = account("twilio", Channel::Sms, &[("account_sid", "AC1"), ("auth_token", "tok")]);
        let form = serde_urlencoded::to_string(&params).unwrap_or_default();
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&form).unwrap_or_default();
        let signed = headers(&[("x-twilio-signature", super::twilio::signature("tok", URL, &pairs))]);
        receive(twilio.as_ref(), &BTreeMap::new(), &signed, form.as_bytes());
        receive(twilio.as_ref(), &BTreeMap::new(), &signed, &raw);
    }

    #[test]
    fn the_tokened_providers_read_any_callback_without_panicking(body in body(), message in "\\PC{0,40}") {
        let accounts = [
            account("exotel", Channel::Sms, &[("account_sid", "acme"), ("api_key", "k"), ("api_token", "t")]),
            account("sinch", Channel::Sms, &[("service_plan_id", "p"), ("api_token", "t")]),
            account("kaleyra", Channel::Sms, &[("sid", "s"), ("api_key", "t")]),
        ];
        let uuid = uuid::Uuid::new_v4().to_string();
        for reference in [uuid, "inbound".to_owned(), message] {
            let query = BTreeMap::from([
                ("message".to_owned(), reference.clone()),
                ("token".to_owned(), super::exotel::callback_token("t", &reference)),
            ]);
            for account in &accounts {
                receive(account.as_ref(), &query, &HeaderMap::new(), &body);
            }
        }
    }

    #[test]
    fn sinch_conversation_reads_any_signed_event_without_panicking(body in body(), nonce in "[a-z0-9]{1,16}") {
        let sinch = account("sinch_conversation", Channel::Whatsapp, &[
            ("project_id", "p"), ("key_id", "k"), ("key_secret", "s"), ("webhook_secret", "w"),
        ]);
        let timestamp = app::service::now().unix_timestamp().to_string();
        let signed = headers(&[
            ("x-sinch-webhook-signature-timestamp", timestamp.clone()),
            ("x-sinch-webhook-signature-nonce", nonce.clone()),
            ("x-sinch-webhook-signature", super::sinch_conversation::signature("w", &body, &nonce, &timestamp)),
        ]);
        receive(sinch.as_ref(), &BTreeMap::new(), &signed, &body);
    }

    #[test]
    fn the_request_bodies_clients_send_read_any_json_without_panicking(body in body()) {
        use app::domain::*;
        let _ = serde_json::from_slice::<SendRequest>(&body);
        let _ = serde_json::from_slice::<SignIn>(&body);
        let _ = serde_json::from_slice::<TemplateInput>(&body);
        let _ = serde_json::from_slice::<GroupInput>(&body);
        let _ = serde_json::from_slice::<Agent>(&body);
        let _ = serde_json::from_slice::<ProviderAccountInput>(&body);
        let _ = serde_json::from_slice::<NotificationTypes>(&body);
        let _ = serde_json::from_slice::<PhoneCheckRequest>(&body);
    }
}

use super::*;
use secrecy::ExposeSecret;

/// The settings with no file, only these environment variables.
fn from_env_only(pairs: &[(&str, &str)]) -> anyhow::Result<Settings> {
    Settings::load(Path::new("/nonexistent"), vars(pairs))
}

fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn a_provider_account_takes_its_credentials_from_the_environment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("Leptos.toml");
    std::fs::write(
        &file,
        "[providers.accounts.tw_sms]\nchannel = \"sms\"\nprovider = \"twilio\"\nsender = \"+15005550006\"\n",
    )
    .expect("write");
    let s = Settings::load(
        &file,
        vars(&[(
            "NOTIFY_PROVIDERS__ACCOUNTS__TW_SMS__CREDENTIALS__AUTH_TOKEN",
            "s3cret",
        )]),
    )
    .expect("settings");
    let account = &s.providers.accounts[&"tw_sms".parse().expect("an id")];
    assert_eq!(account.provider.name, "twilio");
    assert_eq!(account.credentials["auth_token"].expose_secret(), "s3cret");
    assert!(
        !format!("{s:?}").contains("s3cret"),
        "secrets stay out of debug output"
    );
}

#[test]
fn a_provider_account_of_an_unknown_type_or_with_a_bad_id_is_refused_at_load() {
    for (account, says) in [
        (
            "[providers.accounts.pg]\nchannel = \"sms\"\nprovider = \"pigeon\"\n",
            "provider `pigeon` is not one of sandbox",
        ),
        (
            "[providers.accounts.\"a b\"]\nchannel = \"sms\"\nprovider = \"twilio\"\n",
            "providers.accounts",
        ),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("Leptos.toml");
        std::fs::write(&file, account).expect("write");
        let err = Settings::load(&file, vars(&[])).expect_err("refused");
        assert!(format!("{err:#}").contains(says), "{account}: {err:#}");
    }
}

#[test]
fn without_a_file_the_embedded_defaults_apply() {
    let s = Settings::load(Path::new("/nonexistent/Leptos.toml"), vars(&[])).expect("defaults");
    assert_eq!(s.database.url.as_str(), "sqlite://data/notify.db");
    assert_eq!(s.queue.backend, QueueBackend::Embedded);
    assert_eq!(s.status.backend, StatusBackend::Sql);
    assert_eq!(s.site.addr.to_string(), "127.0.0.1:3000");
}

#[test]
fn environment_variables_override_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("Leptos.toml");
    std::fs::write(
        &path,
        "[database]\nurl = \"sqlite://a.db\"\n[worker]\nconcurrency = 2\n",
    )
    .expect("write");
    let s = Settings::load(
        &path,
        vars(&[
            ("NOTIFY_DATABASE__URL", "mysql://db/notify"),
            ("NOTIFY_WORKER__CONCURRENCY", "4"),
            ("NOTIFY_AUTH__TOKEN_SECRET", "s3cret"),
            (
                "NOTIFY_EMBED__ALLOWED_ORIGINS",
                "[\"https://phone.example.com\"]",
            ),
            ("LEPTOS_SITE_ADDR", "0.0.0.0:8080"),
            ("UNRELATED", "x"),
        ]),
    )
    .expect("loads");
    assert_eq!(
        s.database.url,
        DatabaseUrl::MySql("mysql://db/notify".into())
    );
    assert_eq!(s.worker.concurrency, 4);
    assert_eq!(
        s.auth
            .token_secret
            .as_ref()
            .map(|x| x.expose_secret().to_owned()),
        Some("s3cret".into())
    );
    assert_eq!(
        s.embed.allowed_origins,
        [Origin::parse("https://phone.example.com").expect("origin")]
    );
    assert_eq!(s.site.addr.port(), 8080);
}

#[test]
fn the_shipped_leptos_toml_is_the_embedded_defaults() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Leptos.toml");
    let shipped = Settings::load(&path, vars(&[])).expect("Leptos.toml parses");
    let defaults = Settings::default();
    assert_eq!(format!("{shipped:?}"), format!("{defaults:?}"));
}

#[test]
fn a_job_must_stay_invisible_longer_than_a_provider_call_may_take() {
    let err = from_env_only(&[
        ("NOTIFY_PROVIDERS__REQUEST_TIMEOUT_MS", "10000"),
        ("NOTIFY_QUEUE__VISIBILITY_TIMEOUT_SECS", "11"),
    ])
    .expect_err("a visibility timeout under the lease is refused");
    assert!(
        format!("{err:#}").contains("queue.visibility_timeout_secs (11 s) must be at least"),
        "{err:#}"
    );
    let ok = from_env_only(&[
        ("NOTIFY_PROVIDERS__REQUEST_TIMEOUT_MS", "10000"),
        ("NOTIFY_QUEUE__VISIBILITY_TIMEOUT_SECS", "12"),
    ])
    .expect("12 s covers a 10 s call and the margin");
    assert_eq!(ok.handoff_lease(), std::time::Duration::from_secs(12));
}

#[test]
fn an_unknown_key_is_an_error_not_ignored() {
    let err = from_env_only(&[("NOTIFY_DATABASE__URLL", "x")]).expect_err("typo refused");
    assert!(format!("{err:#}").contains("urll"));
}

#[test]
fn the_test_harness_variables_are_not_settings() {
    let s = from_env_only(&[
        ("NOTIFY_TEST_MONGODB_URL", "mongodb://localhost"),
        ("NOTIFY_TEST_DATABASE", "mariadb"),
    ])
    .expect("ignored, not refused");
    assert_eq!(s.status.backend, StatusBackend::Sql);
}

#[test]
fn the_sandbox_serves_the_embedded_defaults_only_unless_it_is_named() {
    let embedded = from_env_only(&[]).expect("loads");
    assert!(matches!(
        embedded.providers.default,
        DefaultProvider::Sandbox
    ));
    for production in [
        ("NOTIFY_DATABASE__URL", "mysql://db/notify"),
        ("NOTIFY_QUEUE__URL", "redis://127.0.0.1:6379"),
        ("NOTIFY_STATUS__URL", "mongodb://db/notify"),
    ] {
        let unnamed = from_env_only(&[production]).expect("loads");
        assert!(
            matches!(unnamed.providers.default, DefaultProvider::None),
            "{production:?}"
        );
        let named =
            from_env_only(&[production, ("NOTIFY_PROVIDERS__DEFAULT", "sandbox")]).expect("loads");
        assert!(matches!(named.providers.default, DefaultProvider::Sandbox));
    }
}

#[test]
fn backends_are_read_into_their_kinds_at_load() {
    let s = from_env_only(&[
        ("NOTIFY_QUEUE__URL", "redis://127.0.0.1:6379"),
        ("NOTIFY_STATUS__URL", "mongodb://db/notify"),
        ("NOTIFY_PROVIDERS__DEFAULT", "http"),
        ("NOTIFY_PROVIDERS__HTTP__URL", "http://gateway/send"),
    ])
    .expect("loads");
    assert_eq!(
        s.queue.backend,
        QueueBackend::Redis {
            url: "redis://127.0.0.1:6379".into()
        }
    );
    assert!(matches!(s.status.backend, StatusBackend::Mongo { .. }));
    assert!(
        matches!(&s.providers.default, DefaultProvider::Http(h) if h.url == "http://gateway/send")
    );
    assert_eq!(s.backend_names().queue, "redis");
}

#[test]
fn a_backend_that_is_not_one_is_refused_at_load_with_its_key() {
    for (key, value, says) in [
        ("NOTIFY_QUEUE__URL", "kafka://x", "queue.url"),
        ("NOTIFY_DATABASE__URL", "postgres://x", "database.url"),
        (
            "NOTIFY_PHONE__DEFAULT_COUNTRY",
            "XX",
            "phone.default_country",
        ),
        ("NOTIFY_STATUS__URL", "postgres://x", "status.url"),
        ("NOTIFY_PROVIDERS__DEFAULT", "http", "providers.http.url"),
        (
            "NOTIFY_PROVIDERS__DEFAULT",
            "carrier-pigeon",
            "providers.default",
        ),
        (
            "NOTIFY_EMBED__ALLOWED_ORIGINS",
            "[\"phone.example.com\"]",
            "embed.allowed_origins",
        ),
    ] {
        let err = from_env_only(&[(key, value)]).expect_err("refused");
        assert!(format!("{err:#}").contains(says), "{key}={value}: {err:#}");
    }
}

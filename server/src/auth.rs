//! Host tokens: HS256 JWTs the softphone host signs with `auth.token_secret` (the
//! `Authenticator` port), minting them (`agent-notify token agent`), and the secrets
//! kept under `data_dir`.

use crate::config::Settings;
use anyhow::Context;
use app::domain::{GroupId, UserId};
use app::service::{Authenticator, HostToken, Role, ServiceError};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds of clock difference tolerated between the host and us.
const LEEWAY_SECS: u64 = 30;
/// The fewest bytes a secret may have.
pub const SECRET_MIN_BYTES: usize = 32;

/// The claims of a host token.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    grp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    jti: Option<String>,
    exp: u64,
    #[serde(default)]
    iat: u64,
}

/// Checks and mints host tokens with one secret.
pub struct JwtAuth {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    max_ttl: Duration,
}

/// What `agent-notify token agent` (and the tests) put in a token.
#[derive(Debug, Clone)]
pub struct Minted<'a> {
    /// The agent's id.
    pub id: &'a UserId,
    /// `agent` or `supervisor`.
    pub role: Role,
    /// The group, if the host says.
    pub group: Option<&'a GroupId>,
    /// A token id, to revoke it by.
    pub token_id: Option<&'a str>,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl JwtAuth {
    /// Tokens signed with `secret`, living at most `max_ttl`.
    pub fn new(secret: &SecretString, max_ttl: Duration) -> Self {
        let bytes = secret.expose_secret().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECS;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            validation,
            max_ttl,
        }
    }

    /// Mints a token, valid for `ttl` (at most the cap).
    pub fn mint(&self, token: &Minted<'_>, ttl: Duration) -> anyhow::Result<String> {
        anyhow::ensure!(
            token.role != Role::Admin,
            "admin power comes from a sign-in session, never from a host token"
        );
        anyhow::ensure!(
            token.role != Role::Integrator,
            "an integrator's power comes from an API key, never from a host token"
        );
        anyhow::ensure!(
            ttl <= self.max_ttl,
            "a token may live at most {} s (auth.max_token_ttl_secs)",
            self.max_ttl.as_secs()
        );
        let now = now_secs();
        let claims = Claims {
            sub: token.id.to_string(),
            role: role_name(token.role).to_owned(),
            grp: token.group.map(ToString::to_string),
            jti: token.token_id.map(str::to_owned),
            exp: now + ttl.as_secs(),
            iat: now,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).context("signing the token")
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Agent => "agent",
        Role::Supervisor => "supervisor",
        Role::Admin => "admin",
        Role::Integrator => "integrator",
    }
}

fn invalid_token() -> ServiceError {
    ServiceError::Unauthenticated {
        code: "invalid_token",
        message: "The token is invalid or has expired. Ask for a new one.".into(),
    }
}

impl Authenticator for JwtAuth {
    fn verify(&self, token: &str) -> Result<HostToken, ServiceError> {
        let claims = decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| invalid_token())?
            .claims;
        let role = match claims.role.as_str() {
            "agent" => Role::Agent,
            "supervisor" => Role::Supervisor,
            "admin" => {
                return Err(ServiceError::Unauthenticated {
                    code: "admin_token_refused",
                    message: "Admin power comes only from signing in; a token signed with the host's secret cannot carry it.".into(),
                })
            }
            _ => return Err(invalid_token()),
        };
        if claims.exp > now_secs() + self.max_ttl.as_secs() + LEEWAY_SECS {
            return Err(ServiceError::Unauthenticated {
                code: "token_lifetime_too_long",
                message: format!(
                    "The token lives longer than the {} s this server accepts; mint one that expires sooner.",
                    self.max_ttl.as_secs()
                ),
            });
        }
        let id = UserId::parse(&claims.sub).map_err(|_| invalid_token())?;
        let group = claims
            .grp
            .as_deref()
            .map(GroupId::parse)
            .transpose()
            .map_err(|_| invalid_token())?;
        let token_id = claims.jti.filter(|j| !j.is_empty() && j.len() <= 128);
        Ok(HostToken {
            id,
            role,
            group,
            token_id,
        })
    }
}

/// The configured secret, or the one kept in `data_dir/token_secret` (created with
/// 256 random bits on first run, readable by the owner only).
pub fn token_secret(settings: &Settings) -> anyhow::Result<SecretString> {
    kept_secret(
        settings,
        settings.auth.token_secret.as_ref(),
        "token_secret",
    )
}

/// The key provider credentials are sealed with: `auth.credentials_key`, else one
/// generated on first run and kept in `data_dir/credentials_key`.
pub fn credentials_key(settings: &Settings) -> anyhow::Result<SecretString> {
    kept_secret(
        settings,
        settings.auth.credentials_key.as_ref(),
        "credentials_key",
    )
}

/// `configured` (at least [`SECRET_MIN_BYTES`]), else the secret kept in
/// `data_dir/<name>`, generated (32 random bytes, hex) the first time. A shared
/// (MySQL) config store needs the secret configured: servers that each made their own
/// would refuse each other's tokens and credentials.
fn kept_secret(
    settings: &Settings,
    configured: Option<&SecretString>,
    name: &str,
) -> anyhow::Result<SecretString> {
    if let Some(secret) = configured {
        anyhow::ensure!(
            secret.expose_secret().len() >= SECRET_MIN_BYTES,
            "auth.{name} must be at least {SECRET_MIN_BYTES} bytes (e.g. `openssl rand -hex 32`)"
        );
        return Ok(secret.clone());
    }
    anyhow::ensure!(
        !matches!(settings.database.url, crate::config::DatabaseUrl::MySql(_)),
        "auth.{name} must be set (the same on every server) with a MySQL config store: set NOTIFY_AUTH__{} to at least {SECRET_MIN_BYTES} random bytes",
        name.to_uppercase()
    );
    let path = settings.data_dir.join(name);
    if path.exists() {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let secret = text.trim().to_owned();
        anyhow::ensure!(
            secret.len() >= SECRET_MIN_BYTES,
            "{} holds {} bytes; a secret needs at least {SECRET_MIN_BYTES} (delete the file to generate a new one: tokens or sealed credentials made with it stop working)",
            path.display(),
            secret.len()
        );
        return Ok(SecretString::from(secret));
    }
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("creating {}", settings.data_dir.display()))?;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    write_private(&path, &secret)?;
    Ok(SecretString::from(secret))
}

/// Writes `text` to `path` whole or not at all: a temporary file (mode 0600), synced,
/// then renamed over `path`, and the directory synced. A crash never leaves a short
/// file; two processes starting at once keep the first one's.
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let dir = path.parent().context("a secret's file has a directory")?;
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("secret"),
        std::process::id()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&temp)
        .with_context(|| format!("creating {}", temp.display()))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    drop(file);
    // A hard link fails when `path` exists: the first writer wins, later ones read it.
    let linked = std::fs::hard_link(&temp, path);
    let _ = std::fs::remove_file(&temp);
    match linked {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e).with_context(|| format!("creating {}", path.display())),
    }
    if let Ok(dir) = std::fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "a-test-secret-of-at-least-32-bytes!!";

    fn auth() -> JwtAuth {
        JwtAuth::new(
            &SecretString::from(SECRET.to_owned()),
            Duration::from_secs(3600),
        )
    }

    fn mint(auth: &JwtAuth, role: Role, group: Option<&str>) -> String {
        let id = UserId::parse("demo-agent").expect("id");
        let group = group.map(|g| GroupId::parse(g).expect("group"));
        auth.mint(
            &Minted {
                id: &id,
                role,
                group: group.as_ref(),
                token_id: Some("t-1"),
            },
            Duration::from_secs(60),
        )
        .expect("minted")
    }

    fn signed(claims: &Claims) -> String {
        encode(&Header::new(Algorithm::HS256), claims, &auth().encoding).expect("encoded")
    }

    fn claims(role: &str, exp: u64) -> Claims {
        Claims {
            sub: "someone".into(),
            role: role.into(),
            grp: None,
            jti: None,
            exp,
            iat: 0,
        }
    }

    #[test]
    fn a_minted_token_verifies_to_what_it_claims() {
        let token = auth()
            .verify(&mint(&auth(), Role::Supervisor, Some("demo")))
            .expect("valid");
        assert_eq!(token.id.as_str(), "demo-agent");
        assert_eq!(token.role, Role::Supervisor);
        assert_eq!(token.group.as_ref().map(GroupId::as_str), Some("demo"));
        assert_eq!(token.token_id.as_deref(), Some("t-1"));
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let other = JwtAuth::new(
            &SecretString::from("another-secret-entirely-32-bytes-long".to_owned()),
            Duration::from_secs(3600),
        );
        let error = auth()
            .verify(&mint(&other, Role::Agent, None))
            .expect_err("refused");
        assert_eq!(error.code(), "invalid_token");
    }

    #[test]
    fn an_admin_token_signed_with_the_host_secret_is_refused() {
        let token = signed(&claims("admin", now_secs() + 60));
        let error = auth().verify(&token).expect_err("refused");
        assert_eq!(error.code(), "admin_token_refused");
        assert_eq!(error.status(), 401);
    }

    #[test]
    fn a_token_living_past_the_cap_is_refused() {
        let token = signed(&claims("agent", now_secs() + 2 * 3600));
        assert_eq!(
            auth().verify(&token).expect_err("refused").code(),
            "token_lifetime_too_long"
        );
        let id = UserId::parse("a").expect("id");
        let minted = auth().mint(
            &Minted {
                id: &id,
                role: Role::Agent,
                group: None,
                token_id: None,
            },
            Duration::from_secs(7200),
        );
        assert!(minted.is_err(), "minting past the cap is refused too");
    }

    #[test]
    fn an_expired_token_is_refused() {
        assert!(auth().verify(&signed(&claims("agent", 1_000))).is_err());
    }

    #[test]
    fn a_token_with_an_unknown_role_is_refused() {
        let token = signed(&claims("root", now_secs() + 60));
        assert_eq!(
            auth().verify(&token).expect_err("refused").code(),
            "invalid_token"
        );
    }

    #[test]
    fn a_token_with_the_none_algorithm_is_refused() {
        // {"alg":"none"} header, agent claims, no signature.
        let token = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4Iiwicm9sZSI6ImFnZW50IiwiZXhwIjo5OTk5OTk5OTk5fQ.";
        assert!(auth().verify(token).is_err());
    }

    #[test]
    fn a_secret_file_is_written_whole_and_private_and_never_replaced() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("token_secret");
        write_private(&path, "first-secret").expect("written");
        write_private(&path, "second-secret").expect("kept");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "first-secret"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let leftovers = std::fs::read_dir(dir.path()).expect("list").count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }

    #[test]
    fn a_short_secret_is_refused_from_either_source() {
        let dir = tempfile::tempdir().expect("dir");
        let mut settings = Settings {
            data_dir: dir.path().to_path_buf(),
            ..Settings::default()
        };
        settings.auth.token_secret = Some(SecretString::from("short".to_owned()));
        assert!(token_secret(&settings).is_err());
        settings.auth.token_secret = None;
        std::fs::write(dir.path().join("token_secret"), "0123456789abcdef").expect("written");
        assert!(token_secret(&settings).is_err());
    }

    #[test]
    fn a_mysql_config_store_needs_explicit_secrets() {
        let dir = tempfile::tempdir().expect("dir");
        let mut settings = Settings {
            data_dir: dir.path().to_path_buf(),
            ..Settings::default()
        };
        settings.database.url =
            crate::config::DatabaseUrl::MySql("mysql://u:p@127.0.0.1/notify".into());
        assert!(credentials_key(&settings).is_err());
        settings.auth.credentials_key = Some(SecretString::from("k".repeat(32)));
        assert!(credentials_key(&settings).is_ok());
    }
}

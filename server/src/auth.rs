//! HS256 bearer tokens: checking them (the `Authenticator` port) and minting them
//! (`agent-notify token`), plus the secret they are signed with.

use crate::config::Settings;
use anyhow::Context;
use app::domain::{GroupId, UserId};
use app::service::{Authenticator, Caller, Role, ServiceError};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The claims of our tokens.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    grp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sid: Option<String>,
    exp: u64,
    #[serde(default)]
    iat: u64,
}

/// Checks and mints HS256 tokens with one secret.
pub struct JwtAuth {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtAuth {
    /// Tokens signed with `secret`.
    pub fn new(secret: &SecretString) -> Self {
        let bytes = secret.expose_secret().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 30;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            validation,
        }
    }

    /// Mints a token for `caller`, valid for `ttl`.
    pub fn mint(&self, caller: &Caller, ttl: Duration) -> anyhow::Result<String> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
        let claims = Claims {
            sub: caller.id.to_string(),
            role: caller.role,
            grp: caller.group.as_ref().map(ToString::to_string),
            sid: caller.session.clone(),
            exp: now + ttl.as_secs(),
            iat: now,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).context("signing the token")
    }
}

fn invalid_token() -> ServiceError {
    ServiceError::Unauthenticated {
        code: "invalid_token",
        message: "The token is invalid or has expired. Ask for a new one.".into(),
    }
}

impl Authenticator for JwtAuth {
    fn verify(&self, token: &str) -> Result<Caller, ServiceError> {
        let claims = decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| invalid_token())?
            .claims;
        let id = UserId::parse(&claims.sub).map_err(|_| invalid_token())?;
        let group = claims
            .grp
            .as_deref()
            .map(GroupId::parse)
            .transpose()
            .map_err(|_| invalid_token())?;
        if claims.role == Role::Agent && group.is_none() {
            return Err(invalid_token());
        }
        Ok(Caller {
            id,
            role: claims.role,
            group,
            session: claims.sid,
        })
    }

    fn issue(&self, caller: &Caller, ttl: Duration) -> Result<String, ServiceError> {
        self.mint(caller, ttl).map_err(ServiceError::Internal)
    }
}

/// The configured secret, or the one kept in `data_dir/token_secret` (created with
/// 256 random bits on first run, readable by the owner only).
pub fn token_secret(settings: &Settings) -> anyhow::Result<SecretString> {
    kept_secret(
        settings,
        settings.auth.token_secret.as_ref(),
        "token_secret",
        16,
    )
}

/// The key provider credentials are sealed with: `auth.credentials_key`, else one
/// generated on first run and kept in `data_dir/credentials_key`.
pub fn credentials_key(settings: &Settings) -> anyhow::Result<SecretString> {
    kept_secret(
        settings,
        settings.auth.credentials_key.as_ref(),
        "credentials_key",
        32,
    )
}

/// `configured` (at least `min` characters), else the secret kept in `data_dir/<name>`,
/// generated (32 random bytes, hex) the first time.
fn kept_secret(
    settings: &Settings,
    configured: Option<&SecretString>,
    name: &str,
    min: usize,
) -> anyhow::Result<SecretString> {
    if let Some(secret) = configured {
        anyhow::ensure!(
            secret.expose_secret().len() >= min,
            "auth.{name} must be at least {min} characters"
        );
        return Ok(secret.clone());
    }
    let path = settings.data_dir.join(name);
    if path.exists() {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        return Ok(SecretString::from(text.trim().to_owned()));
    }
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("creating {}", settings.data_dir.display()))?;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    write_private(&path, &secret)?;
    Ok(SecretString::from(secret))
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth() -> JwtAuth {
        JwtAuth::new(&SecretString::from(
            "a-test-secret-of-some-length".to_owned(),
        ))
    }

    fn agent() -> Caller {
        Caller::agent(
            UserId::parse("demo-agent").expect("id"),
            GroupId::parse("demo").expect("group"),
        )
    }

    #[test]
    fn a_minted_token_verifies_to_the_same_caller() {
        let token = auth()
            .mint(&agent(), Duration::from_secs(60))
            .expect("minted");
        assert_eq!(auth().verify(&token).expect("valid"), agent());
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let other = JwtAuth::new(&SecretString::from("another-secret-entirely".to_owned()));
        let token = other
            .mint(&agent(), Duration::from_secs(60))
            .expect("minted");
        assert_eq!(
            auth().verify(&token).expect_err("refused").code(),
            "invalid_token"
        );
    }

    #[test]
    fn an_expired_token_is_refused() {
        let expired = Claims {
            sub: "a".into(),
            role: Role::Admin,
            grp: None,
            sid: None,
            exp: 1_000,
            iat: 0,
        };
        let token =
            encode(&Header::new(Algorithm::HS256), &expired, &auth().encoding).expect("encoded");
        assert!(auth().verify(&token).is_err());
    }

    #[test]
    fn an_agent_token_without_a_group_is_refused() {
        let mut caller = agent();
        caller.group = None;
        let token = auth()
            .mint(&caller, Duration::from_secs(60))
            .expect("minted");
        assert!(auth().verify(&token).is_err());
    }

    #[test]
    fn a_token_with_the_none_algorithm_is_refused() {
        // {"alg":"none"} header, admin claims, no signature.
        let token = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4Iiwicm9sZSI6ImFkbWluIiwiZXhwIjo5OTk5OTk5OTk5fQ.";
        assert!(auth().verify(token).is_err());
    }
}

//! Provider credentials at rest: sealed with XChaCha20-Poly1305 (a random 24-byte nonce
//! per write) under a key derived from `auth.credentials_key`. A stored value reads
//! `sealed:v1:<base64 of nonce and ciphertext>`; a value without the prefix is a
//! plaintext one written before sealing existed, read as it is and sealed on its next
//! save.

use anyhow::Context;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::{Digest, Sha256};

const PREFIX: &str = "sealed:v1:";

/// Seals and opens provider credentials: seals with the current key, opens with it
/// or with a previous one (key rotation: `auth.previous_credentials_keys`).
#[derive(Clone)]
pub struct CredentialSeal {
    current: XChaCha20Poly1305,
    previous: Vec<XChaCha20Poly1305>,
}

fn cipher(secret: &str) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(&Sha256::digest(secret.as_bytes()))
}

impl CredentialSeal {
    /// A seal keyed with SHA-256 of `secret`, still opening what `previous` keys sealed.
    pub fn new(secret: &str, previous: &[String]) -> Self {
        Self {
            current: cipher(secret),
            previous: previous.iter().map(|k| cipher(k)).collect(),
        }
    }

    /// `plain`, sealed.
    pub fn seal(&self, plain: &str) -> anyhow::Result<String> {
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .current
            .encrypt(&XNonce::from(nonce), plain.as_bytes())
            .map_err(|_| anyhow::anyhow!("sealing the credentials failed"))?;
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        Ok(format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ))
    }

    /// The plaintext of `stored` (a value written before sealing is returned as it is).
    pub fn open(&self, stored: &str) -> anyhow::Result<String> {
        let Some(sealed) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_owned());
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(sealed)
            .context("sealed credentials are not base64")?;
        anyhow::ensure!(bytes.len() > 24, "sealed credentials are too short");
        let (nonce, ciphertext) = bytes.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().context("sealed credentials' nonce")?;
        let nonce = XNonce::from(nonce);
        let plain = std::iter::once(&self.current)
            .chain(&self.previous)
            .find_map(|key| key.decrypt(&nonce, ciphertext).ok())
            .context(
                "the provider credentials cannot be opened: neither auth.credentials_key nor a previous key sealed them",
            )?;
        String::from_utf8(plain).context("sealed credentials are not UTF-8")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_credentials_open_with_the_same_key_only_and_never_show_the_secret() {
        let seal = CredentialSeal::new("a key of at least thirty-two characters", &[]);
        let sealed = seal.seal(r#"{"auth_token":"s3cret"}"#).expect("sealed");
        assert!(sealed.starts_with(PREFIX) && !sealed.contains("s3cret"));
        assert_ne!(
            sealed,
            seal.seal(r#"{"auth_token":"s3cret"}"#).expect("sealed"),
            "a fresh nonce each time"
        );
        assert_eq!(
            seal.open(&sealed).expect("opened"),
            r#"{"auth_token":"s3cret"}"#
        );
        let other = CredentialSeal::new("another key of at least thirty-two chars", &[]);
        assert!(other.open(&sealed).is_err());
    }

    #[test]
    fn after_a_key_rotation_old_credentials_open_and_new_ones_use_the_new_key() {
        let old_key = "the old key of at least thirty-two chars";
        let old = CredentialSeal::new(old_key, &[]);
        let sealed_before = old.seal("before").expect("sealed");
        let rotated = CredentialSeal::new(
            "the new key of at least thirty-two chars",
            &[old_key.into()],
        );
        assert_eq!(rotated.open(&sealed_before).expect("opened"), "before");
        let sealed_after = rotated.seal("after").expect("sealed");
        assert!(
            old.open(&sealed_after).is_err(),
            "new writes use the new key"
        );
    }

    #[test]
    fn credentials_stored_before_sealing_read_as_they_are() {
        let seal = CredentialSeal::new("a key of at least thirty-two characters", &[]);
        assert_eq!(
            seal.open(r#"{"api_key":"x"}"#).expect("read"),
            r#"{"api_key":"x"}"#
        );
    }
}

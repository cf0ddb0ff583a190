//! A ConductorOne client secret: `secret-token:conductorone.com:v1:<base64url JWK>`, the
//! Ed25519 signing key it carries, and the host a client id names.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::api::secret::SecretString;

const SECRET_PREFIX: &str = "secret-token";
const SECRET_ISSUER: &str = "conductorone.com";
const SECRET_VERSION: &str = "v1";

/// Why a client id or secret was refused. The messages never contain the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error("the client id {0:?} has no host: expected NAME@HOST/SUFFIX")]
    ClientIdWithoutHost(String),
    #[error(
        "the client secret is malformed: {0} (expected secret-token:conductorone.com:v1:<key>)"
    )]
    MalformedSecret(&'static str),
}

/// The host[:port] a client id names: `name@acme.conductor.one/pcc` gives `acme.conductor.one`.
pub fn host_from_client_id(client_id: &str) -> Result<&str, CredentialError> {
    let after_at = client_id
        .split_once('@')
        .map(|(_, rest)| rest)
        .ok_or_else(|| CredentialError::ClientIdWithoutHost(client_id.to_string()))?;
    let host = after_at.split_once('/').map_or(after_at, |(h, _)| h);
    if host.is_empty() {
        return Err(CredentialError::ClientIdWithoutHost(client_id.to_string()));
    }
    Ok(host)
}

/// A parsed client secret: the Ed25519 signing key it carries.
#[derive(Clone)]
pub struct ClientSecret {
    key: SigningKey,
    text: SecretString,
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret([redacted])")
    }
}

#[derive(Deserialize)]
struct Jwk {
    kty: String,
    crv: String,
    x: Option<String>,
    d: Option<String>,
}

impl Drop for Jwk {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        if let Some(d) = self.d.as_mut() {
            d.zeroize();
        }
    }
}

impl ClientSecret {
    /// Parses `secret-token:conductorone.com:v1:<base64url JWK>`. Errors name the part that
    /// is wrong and never echo the secret.
    pub fn parse(text: &str) -> Result<Self, CredentialError> {
        use CredentialError::MalformedSecret as Bad;
        let text = text.trim();
        let parts: Vec<&str> = text.split(':').collect();
        if parts.len() != 4 {
            return Err(Bad("it does not have 4 parts separated by ':'"));
        }
        if parts[0] != SECRET_PREFIX {
            return Err(Bad("it does not start with secret-token"));
        }
        if parts[1] != SECRET_ISSUER {
            return Err(Bad("its issuer is not conductorone.com"));
        }
        if parts[2] != SECRET_VERSION {
            return Err(Bad("its version is not v1"));
        }
        let json = Zeroizing::new(
            B64.decode(parts[3].trim_end_matches('='))
                .map_err(|_| Bad("its key is not base64url"))?,
        );
        let jwk: Jwk =
            serde_json::from_slice(&json).map_err(|_| Bad("its key is not a JSON Web Key"))?;
        if jwk.kty != "OKP" || jwk.crv != "Ed25519" {
            return Err(Bad("its key is not an Ed25519 key (kty OKP, crv Ed25519)"));
        }
        let d = jwk
            .d
            .as_deref()
            .ok_or(Bad("its key is a public key only (no \"d\")"))?;
        let seed = Zeroizing::new(
            B64.decode(d)
                .map_err(|_| Bad("its private key is not base64url"))?,
        );
        let seed: &[u8; 32] = seed
            .as_slice()
            .try_into()
            .map_err(|_| Bad("its private key is not 32 bytes"))?;
        let key = SigningKey::from_bytes(seed);
        if let Some(x) = jwk.x.as_deref() {
            let public = B64
                .decode(x)
                .map_err(|_| Bad("its public key is not base64url"))?;
            if public.as_slice() != key.verifying_key().as_bytes() {
                return Err(Bad("its public key does not match its private key"));
            }
        }
        Ok(Self {
            key,
            text: SecretString::new(text),
        })
    }

    /// Wraps a signing key in the secret format ConductorOne issues.
    pub fn from_signing_key(key: SigningKey) -> Self {
        // Every intermediate that holds the private key is zeroized when dropped.
        let d = Zeroizing::new(B64.encode(key.as_bytes()));
        let jwk = Zeroizing::new(format!(
            r#"{{"kty":"OKP","crv":"Ed25519","x":"{}","d":"{}"}}"#,
            B64.encode(key.verifying_key().as_bytes()),
            d.as_str()
        ));
        let encoded = Zeroizing::new(B64.encode(jwk.as_bytes()));
        let text = SecretString::new(format!(
            "{SECRET_PREFIX}:{SECRET_ISSUER}:{SECRET_VERSION}:{}",
            encoded.as_str()
        ));
        Self { key, text }
    }

    pub fn public_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// Signs `message` with the secret's key (a client assertion).
    pub(super) fn sign(&self, message: &[u8]) -> Signature {
        self.key.sign(message)
    }

    /// The whole secret, for the documented `client_secret` token form.
    pub fn expose(&self) -> &str {
        self.text.expose()
    }

    pub fn as_secret_string(&self) -> SecretString {
        self.text.clone()
    }
}

/// Base64url of a public key, as the JWK's `x`.
pub fn public_key_b64(key: &VerifyingKey) -> String {
    B64.encode(key.as_bytes())
}

/// The published baton-sdk test vector (an already revoked dev credential).
#[cfg(test)]
pub(super) const VECTOR: &str = "secret-token:conductorone.com:v1:eyJrdHkiOiJPS1AiLCJjcnYiOiJFZDI1NTE5IiwieCI6InpwM1BXY2NTQlZPdGhTTnN5ck1zVGVFaDlpTjhTWTNnSDZfcDBEUkZaTWMiLCJkIjoielkzTzFybnItQUV3NW0wbVpCTzBjSEZpWWoxTmlSdk1pU1Y1X1Ffa0tiZyJ9";

#[cfg(test)]
mod tests {
    use super::*;

    fn with_jwk(jwk: &str) -> String {
        format!("secret-token:conductorone.com:v1:{}", B64.encode(jwk))
    }

    #[test]
    fn the_vector_parses_to_its_public_key() {
        let s = ClientSecret::parse(VECTOR).unwrap();
        assert_eq!(
            public_key_b64(&s.public_key()),
            "zp3PWccSBVOthSNsyrMsTeEh9iN8SY3gH6_p0DRFZMc"
        );
        assert!(!format!("{s:?}").contains("eyJ"));
    }

    #[test]
    fn the_corrupted_vector_is_refused_without_echo() {
        let json = String::from_utf8(B64.decode(VECTOR.rsplit(':').next().unwrap()).unwrap())
            .unwrap()
            .replace(r#""kty":"OKP""#, r#""kty":2OKP""#);
        let bad = with_jwk(&json);
        let err = ClientSecret::parse(&bad).unwrap_err().to_string();
        assert!(err.contains("not a JSON Web Key"), "{err}");
        assert!(!err.contains(&bad[34..50]));
    }

    #[test]
    fn wrong_prefix_version_and_shape_are_named() {
        let key = VECTOR.rsplit(':').next().unwrap();
        let cases = [
            (format!("token:conductorone.com:v1:{key}"), "secret-token"),
            (format!("secret-token:conductorone.com:v2:{key}"), "version"),
            (format!("secret-token:example.com:v1:{key}"), "issuer"),
            ("secret-token:conductorone.com:v1".to_string(), "4 parts"),
            (
                "secret-token:conductorone.com:v1:!!!".to_string(),
                "base64url",
            ),
        ];
        for (secret, expect) in cases {
            let err = ClientSecret::parse(&secret).unwrap_err().to_string();
            assert!(err.contains(expect), "{secret}: {err}");
        }
    }

    #[test]
    fn a_public_only_key_is_refused() {
        let bad = with_jwk(
            r#"{"kty":"OKP","crv":"Ed25519","x":"zp3PWccSBVOthSNsyrMsTeEh9iN8SY3gH6_p0DRFZMc"}"#,
        );
        let err = ClientSecret::parse(&bad).unwrap_err().to_string();
        assert!(err.contains("public key only"), "{err}");
    }

    #[test]
    fn a_mismatched_public_key_is_refused() {
        let bad = with_jwk(
            r#"{"kty":"OKP","crv":"Ed25519","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","d":"zY3O1rnr-AEw5m0mZBO0cHFiYj1NiRvMiSV5_Q_kKbg"}"#,
        );
        assert!(ClientSecret::parse(&bad).is_err());
    }

    #[test]
    fn a_generated_secret_round_trips() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let s = ClientSecret::from_signing_key(key.clone());
        let back = ClientSecret::parse(s.expose()).unwrap();
        assert_eq!(back.public_key(), key.verifying_key());
    }
}

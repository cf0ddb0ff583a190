//! ConductorOne client credentials: the client id, the Ed25519 client secret, and the
//! EdDSA-signed client assertion exchanged for an access token (see shared/conductorone/API.md).

use std::fmt;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::secret::SecretString;

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

    /// The whole secret, for the documented `client_secret` token form.
    pub fn expose(&self) -> &str {
        self.text.expose()
    }

    pub fn as_secret_string(&self) -> SecretString {
        self.text.clone()
    }
}

/// A minted token is reused at least this long, even if the server says it expires at once:
/// a token endpoint answering `expires_in: 0` must not be asked again for every call.
pub const SHORTEST_TOKEN_LIFETIME: Duration = Duration::from_secs(10);
/// A minted token is renewed within this long, even if the server says it lives for ever.
pub const LONGEST_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// The lifetime when the reply does not state one as a number (600 s is documented).
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(600);
/// A token is renewed this long before it expires, or a tenth of its lifetime if shorter.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);

/// How long after minting a token is renewed, from the token reply's `expires_in`: seconds as
/// a number or a numeric string, clamped to [`SHORTEST_TOKEN_LIFETIME`] ..=
/// [`LONGEST_TOKEN_LIFETIME`]; anything else (missing, null, words, infinite) takes the
/// documented default. A little before it expires, so a call never carries a dying token.
pub fn renew_after(expires_in: Option<&serde_json::Value>) -> Duration {
    let seconds = match expires_in {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    let lifetime = match seconds {
        Some(s) if s.is_finite() => Duration::from_secs_f64(s.clamp(
            SHORTEST_TOKEN_LIFETIME.as_secs_f64(),
            LONGEST_TOKEN_LIFETIME.as_secs_f64(),
        )),
        _ => DEFAULT_TOKEN_LIFETIME,
    };
    lifetime - TOKEN_MARGIN.min(lifetime / 10)
}

/// Base64url of a public key, as the JWK's `x`.
pub fn public_key_b64(key: &VerifyingKey) -> String {
    B64.encode(key.as_bytes())
}

/// The claims of a client assertion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    pub aud: Audience,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
}

/// cone and the Go SDK send a one-element array; a plain string also occurs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    pub fn contains(&self, host: &str) -> bool {
        match self {
            Audience::One(a) => a == host,
            Audience::Many(all) => all.iter().any(|a| a == host),
        }
    }
}

/// The token host without its port: the assertion's audience.
pub fn audience_for(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split_once(']').map_or(host, |(h, _)| h);
    }
    match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    }
}

/// Builds the compact JWS the token endpoint expects: header `{"alg":"EdDSA","nonce":..}`,
/// claims iss = sub = client id, aud = [audience], iat = now, nbf = now - 120, exp = now + 120.
pub fn make_assertion(
    client_id: &str,
    secret: &ClientSecret,
    audience: &str,
    now: DateTime<Utc>,
) -> String {
    let nonce: [u8; 16] = rand::random();
    let nonce: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
    let header = serde_json::json!({"alg": "EdDSA", "nonce": nonce});
    let t = now.timestamp();
    let claims = Claims {
        iss: client_id.to_string(),
        sub: client_id.to_string(),
        aud: Audience::Many(vec![audience.to_string()]),
        iat: t,
        nbf: t - 120,
        exp: t + 120,
    };
    let signing_input = format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(serde_json::to_vec(&claims).expect("claims serialize"))
    );
    let signature = secret.key.sign(signing_input.as_bytes());
    format!("{signing_input}.{}", B64.encode(signature.to_bytes()))
}

/// Checks a client assertion as a token endpoint does: EdDSA signature by `public_key`,
/// iss = sub = `client_id`, `audience` among aud, nbf not in the future, exp not past and at
/// most five minutes ahead. Returns the claims or why they were refused.
pub fn verify_assertion(
    jws: &str,
    public_key: &VerifyingKey,
    client_id: &str,
    audience: &str,
    now: DateTime<Utc>,
) -> Result<Claims, String> {
    let mut parts = jws.split('.');
    let (Some(header), Some(claims), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("the assertion is not a compact JWS".into());
    };
    let header: serde_json::Value = B64
        .decode(header)
        .ok()
        .and_then(|h| serde_json::from_slice(&h).ok())
        .ok_or("the assertion header is not base64url JSON")?;
    if header["alg"] != "EdDSA" {
        return Err("the assertion is not signed with EdDSA".into());
    }
    let signature: [u8; 64] = B64
        .decode(signature)
        .ok()
        .and_then(|s| s.try_into().ok())
        .ok_or("the assertion signature is not 64 bytes of base64url")?;
    let signed = &jws[..jws.rfind('.').expect("three parts")];
    public_key
        .verify(signed.as_bytes(), &Signature::from_bytes(&signature))
        .map_err(|_| "the assertion signature does not verify")?;
    let claims: Claims = B64
        .decode(claims)
        .ok()
        .and_then(|c| serde_json::from_slice(&c).ok())
        .ok_or("the assertion claims are not valid")?;
    let t = now.timestamp();
    if claims.iss != client_id || claims.sub != client_id {
        return Err("iss and sub must be the client id".into());
    }
    if !claims.aud.contains(audience) {
        return Err(format!("aud must be {audience}"));
    }
    if claims.exp <= t {
        return Err("the assertion has expired".into());
    }
    if claims.exp > t + 300 {
        return Err("exp is more than 5 minutes ahead".into());
    }
    if claims.nbf > t + 5 {
        return Err("the assertion is not valid yet (nbf)".into());
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published baton-sdk test vector (an already revoked dev credential).
    pub const VECTOR: &str = "secret-token:conductorone.com:v1:eyJrdHkiOiJPS1AiLCJjcnYiOiJFZDI1NTE5IiwieCI6InpwM1BXY2NTQlZPdGhTTnN5ck1zVGVFaDlpTjhTWTNnSDZfcDBEUkZaTWMiLCJkIjoielkzTzFybnItQUV3NW0wbVpCTzBjSEZpWWoxTmlSdk1pU1Y1X1Ffa0tiZyJ9";

    fn with_jwk(jwk: &str) -> String {
        format!("secret-token:conductorone.com:v1:{}", B64.encode(jwk))
    }

    #[test]
    fn token_lifetimes_are_clamped_and_renewed_early() {
        use serde_json::json;
        let renew = |v: serde_json::Value| renew_after(Some(&v));
        assert_eq!(renew(json!(3600)), Duration::from_secs(3540));
        assert_eq!(renew(json!(600)), Duration::from_secs(540));
        assert_eq!(renew(json!("600")), Duration::from_secs(540));
        assert_eq!(renew(json!(u64::MAX)), Duration::from_secs(3540));
        assert_eq!(renew(json!(0)), Duration::from_secs(9));
        assert_eq!(renew(json!(-5)), Duration::from_secs(9));
        assert_eq!(renew(json!("soon")), Duration::from_secs(540));
        assert_eq!(renew(json!("inf")), Duration::from_secs(540));
        assert_eq!(renew_after(None), Duration::from_secs(540));
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

    #[test]
    fn host_and_audience() {
        assert_eq!(
            host_from_client_id("strange-hydra-68836@acme.conductor.one/pcc").unwrap(),
            "acme.conductor.one"
        );
        assert_eq!(
            host_from_client_id("x@127.0.0.1:8080/pcc").unwrap(),
            "127.0.0.1:8080"
        );
        assert!(host_from_client_id("no-host").is_err());
        assert!(host_from_client_id("x@/pcc").is_err());
        assert_eq!(audience_for("127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(audience_for("acme.conductor.one"), "acme.conductor.one");
        assert_eq!(audience_for("[::1]:99"), "::1");
    }

    #[test]
    fn the_assertion_carries_the_documented_claims_and_verifies() {
        let s = ClientSecret::parse(VECTOR).unwrap();
        let id = "strange-hydra-68836@acme.conductor.one/pcc";
        let now = Utc::now();
        let jws = make_assertion(id, &s, "acme.conductor.one", now);
        let claims =
            verify_assertion(&jws, &s.public_key(), id, "acme.conductor.one", now).unwrap();
        assert_eq!(claims.iss, id);
        assert_eq!(claims.sub, id);
        assert_eq!(
            claims.aud,
            Audience::Many(vec!["acme.conductor.one".into()])
        );
        assert_eq!(claims.iat, now.timestamp());
        assert_eq!(claims.nbf, now.timestamp() - 120);
        assert_eq!(claims.exp, now.timestamp() + 120);
        let header: serde_json::Value =
            serde_json::from_slice(&B64.decode(jws.split('.').next().unwrap()).unwrap()).unwrap();
        assert_eq!(header["alg"], "EdDSA");
        let nonce = header["nonce"].as_str().unwrap();
        assert_eq!(nonce.len(), 32);
        assert!(
            nonce
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );

        let other = SigningKey::from_bytes(&[1; 32]).verifying_key();
        assert!(verify_assertion(&jws, &other, id, "acme.conductor.one", now).is_err());
        assert!(
            verify_assertion(
                &jws,
                &s.public_key(),
                "someone@else/pcc",
                "acme.conductor.one",
                now
            )
            .is_err()
        );
        assert!(verify_assertion(&jws, &s.public_key(), id, "evil.example", now).is_err());
        let later = now + chrono::Duration::seconds(121);
        assert!(verify_assertion(&jws, &s.public_key(), id, "acme.conductor.one", later).is_err());
        let mut tampered = jws.clone();
        tampered.insert(jws.find('.').unwrap() + 3, 'A');
        assert!(
            verify_assertion(&tampered, &s.public_key(), id, "acme.conductor.one", now).is_err()
        );
    }
}

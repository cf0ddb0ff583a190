//! The client assertion: a compact JWS signed with EdDSA by the client secret, exchanged for
//! an access token (see shared/conductorone/API.md), and its check as a token endpoint makes it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

use super::key::ClientSecret;

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
    let signature = secret.sign(signing_input.as_bytes());
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
    use ed25519_dalek::SigningKey;

    use super::super::key::{VECTOR, host_from_client_id};
    use super::*;

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

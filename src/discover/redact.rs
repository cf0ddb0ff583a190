//! What `--save-raw` takes out of an event before it is written: every field named like a
//! secret (`client_secret`, `secret`, `token`, `password`, `authorization`, `assertion`...,
//! at any depth, also inside a string that holds JSON), the value beside a header or
//! parameter named so (`{"name": "Authorization", "value": ...}`), a JSON Web Key's private
//! parts, and any value shaped like a secret whatever its name (a ConductorOne client
//! secret, a bearer token, a JWT, a PEM private key). Pure: no I/O.

use serde_json::{Map, Value};

use crate::api::secret::holds_client_secret;

/// Parts of a key that mark it as holding a secret, compared lower case, letters and
/// digits only (`clientSecret`, `client_secret` and `Client-Secret` alike).
const SECRET_NAMES: [&str; 11] = [
    "secret",
    "token",
    "password",
    "passwd",
    "passphrase",
    "authorization",
    "assertion",
    "apikey",
    "privatekey",
    "signingkey",
    "cookie",
];

/// The private members of a JSON Web Key (RFC 7518): `d` is an Ed25519 client secret's key.
const JWK_PRIVATE: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "k"];

/// The deepest nesting walked; deeper parts are removed whole, unread.
const MAX_DEPTH: usize = 64;

/// Whether a field of this name is taken out.
pub fn is_secret_name(key: &str) -> bool {
    let key: String = key
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    SECRET_NAMES.iter().any(|name| key.contains(name))
}

/// Whether a value is shaped like a secret, whatever its field is named.
pub fn is_secret_shaped(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    holds_client_secret(s)
        || lower.contains("bearer ")
        || (lower.contains("-----begin") && lower.contains("private key"))
        || s.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .any(is_jwt)
}

/// `header.payload.signature`, each base64url, the header JSON (`eyJ`).
fn is_jwt(word: &str) -> bool {
    let parts: Vec<&str> = word.split('.').collect();
    parts.len() == 3
        && parts[0].starts_with("eyJ")
        && parts[..2].iter().all(|p| p.len() >= 4)
        && parts.iter().all(|p| {
            p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

/// Takes every secret out of `event`; returns how many values were taken out.
pub fn redact(event: &mut Value) -> usize {
    redact_at(event, 0)
}

fn redact_at(value: &mut Value, depth: usize) -> usize {
    match value {
        Value::Object(object) => redact_object(object, depth),
        Value::Array(items) => {
            if depth >= MAX_DEPTH {
                let removed = items.len();
                items.clear();
                return removed;
            }
            let mut removed = 0;
            for item in items.iter_mut() {
                removed += redact_at(item, depth + 1);
            }
            let before = items.len();
            items.retain(|v| !matches!(v, Value::String(s) if is_secret_shaped(s)));
            removed + before - items.len()
        }
        Value::String(s) => redact_embedded(s, depth),
        _ => 0,
    }
}

fn redact_object(object: &mut Map<String, Value>, depth: usize) -> usize {
    let before = object.len();
    if depth >= MAX_DEPTH {
        object.clear();
        return before;
    }
    let is_jwk = object.contains_key("kty");
    let names_secret = ["name", "key", "header"].iter().any(|k| {
        object
            .get(*k)
            .and_then(Value::as_str)
            .is_some_and(is_secret_name)
    });
    object.retain(|key, _| {
        !(is_secret_name(key)
            || (is_jwk && JWK_PRIVATE.contains(&key.as_str()))
            || (names_secret && key == "value"))
    });
    let mut removed = before - object.len();
    // A string holding JSON is redacted inside first: what is left may be worth keeping.
    for v in object.values_mut() {
        removed += redact_at(v, depth + 1);
    }
    let named = object.len();
    object.retain(|_, v| !matches!(v, Value::String(s) if is_secret_shaped(s)));
    removed + named - object.len()
}

/// A string that holds a JSON document is redacted as one, and written back.
fn redact_embedded(s: &mut String, depth: usize) -> usize {
    let trimmed = s.trim_start();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return 0;
    }
    let Ok(mut inner) = serde_json::from_str::<Value>(s) else {
        return 0;
    };
    let removed = redact_at(&mut inner, depth + 1);
    if removed > 0 {
        *s = inner.to_string();
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SECRET: &str = "secret-token:conductorone.com:v1:eyJrdHkiOiJPS1AiLCJjcnYiOiJFZDI1NTE5IiwieCI6InpwM1BXY2NTQlZPdGhTTnN5ck1zVGVFaDlpTjhTWTNnSDZfcDBEUkZaTWMiLCJkIjoielkzTzFybnItQUV3NW0wbVpCTzBjSEZpWWoxTmlSdk1pU1Y1X1Ffa0tiZyJ9";

    #[test]
    fn secret_named_fields_go_at_any_depth() {
        let mut event = json!({
            "metadata": {"uid": "ev-1"},
            "api": {"request": {"data": {
                "client_secret": "x", "clientSecret": "y", "Password": "z",
                "nested": [{"access_token": "t", "assertion": "a", "keep": "k"}],
            }}},
            "Authorization": "whatever",
            "credential": {"id": "C1", "appId": "A1"},
        });
        assert_eq!(redact(&mut event), 6);
        assert_eq!(
            event,
            json!({
                "metadata": {"uid": "ev-1"},
                "api": {"request": {"data": {"nested": [{"keep": "k"}]}}},
                "credential": {"id": "C1", "appId": "A1"},
            })
        );
    }

    #[test]
    fn secret_shaped_values_go_whatever_their_name() {
        let jwt = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl";
        let mut event = json!({
            "note": SECRET,
            "header": format!("Bearer {jwt}"),
            "list": ["fine", jwt, "-----BEGIN PRIVATE KEY-----\nMC4\n-----END PRIVATE KEY-----"],
            "jwk": {"kty": "OKP", "crv": "Ed25519", "x": "pub", "d": "private"},
            "http_headers": [{"name": "Authorization", "value": "xyz"}, {"name": "Accept", "value": "*/*"}],
            "data": format!("{{\"clientSecret\":\"{SECRET}\",\"appId\":\"A1\"}}"),
        });
        redact(&mut event);
        let text = event.to_string();
        for gone in [
            "secret-token",
            "eyJ",
            "PRIVATE KEY",
            "\"private\"",
            "xyz",
            "clientSecret",
        ] {
            assert!(!text.contains(gone), "{gone} in {text}");
        }
        assert_eq!(event["list"], json!(["fine"]));
        assert_eq!(
            event["jwk"],
            json!({"kty": "OKP", "crv": "Ed25519", "x": "pub"})
        );
        assert_eq!(event["http_headers"][1]["value"], "*/*");
        assert_eq!(event["data"], "{\"appId\":\"A1\"}");
    }

    #[test]
    fn ordinary_values_stay() {
        let mut event = json!({
            "class_uid": 3002,
            "user": {"uid": "brave-otter-1@acme.conductor.one/pcc"},
            "message": "rotated a credential for connector K1",
            "path": "/api/v1/apps/A/connectors/K/credentials/C",
        });
        let before = event.clone();
        assert_eq!(redact(&mut event), 0);
        assert_eq!(event, before);
    }
}

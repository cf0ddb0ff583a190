//! A string that must never be shown: client secrets, new credential secrets, access tokens.

use std::fmt;
use std::ops::Range;

use zeroize::Zeroizing;

/// Holds a secret in memory only. Debug and Display print a placeholder, it has no
/// `Serialize`, and its bytes are zeroized when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(Zeroizing<String>);

impl SecretString {
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The secret itself. Callers must not log, print or store what they get.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Its `Zeroizing<String>` wipes the text on drop.
impl zeroize::ZeroizeOnDrop for SecretString {}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<'de> serde::Deserialize<'de> for SecretString {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(SecretString::new)
    }
}

/// What stands in for a client secret in anything printed.
pub const HIDDEN_SECRET: &str = "[a client secret, not printed]";

/// A client secret found where something else belongs (a client id, a profile name, an id,
/// a settings value). Names the place, never the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} holds what looks like a client secret; it was not printed")]
pub struct MisplacedSecret(pub String);

/// Refuses `value` if it holds anything shaped like a client secret; `place` names where it
/// was given (`--client-id`, `CONE_CLIENT_ID`, `line 3`).
pub fn refuse_misplaced_secret(
    place: impl fmt::Display,
    value: &str,
) -> Result<(), MisplacedSecret> {
    if holds_client_secret(value) {
        Err(MisplacedSecret(place.to_string()))
    } else {
        Ok(())
    }
}

/// Whether `text` holds a client secret (`secret-token:...`, any case) or its key part alone
/// (the base64url JSON Web Key after the last `:`), in full or in part.
pub fn holds_client_secret(text: &str) -> bool {
    !secret_spans(text).is_empty()
}

/// `text` with every piece [`holds_client_secret`] would find replaced by [`HIDDEN_SECRET`]:
/// for messages that quote what the user or a parser gave.
pub fn hide_client_secrets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in secret_spans(text) {
        out.push_str(&text[at..span.start]);
        out.push_str(HIDDEN_SECRET);
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The byte ranges of secret-shaped pieces of `text`, in order, not overlapping.
fn secret_spans(text: &str) -> Vec<Range<usize>> {
    // ASCII lowercasing keeps every byte offset.
    let lower = text.to_ascii_lowercase();
    let mut spans: Vec<Range<usize>> = Vec::new();
    let mut from = 0;
    while let Some(i) = lower[from..].find("secret-token:") {
        let start = from + i;
        let end = text[start..]
            .find(|c: char| !is_secret_char(c))
            .map_or(text.len(), |n| start + n);
        spans.push(start..end);
        from = end;
    }
    let mut run_start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        let in_run = c.is_ascii_alphanumeric() || c == '-' || c == '_';
        match (run_start, in_run) {
            (None, true) => run_start = Some(i),
            (Some(s), false) => {
                run_start = None;
                let inside = spans.iter().any(|r| r.start <= s && i <= r.end);
                if !inside && let Some(k) = key_part_start(&text[s..i]) {
                    spans.push(s + k..i);
                }
            }
            _ => {}
        }
    }
    spans.sort_by_key(|r| r.start);
    spans
}

fn is_secret_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '=' | '+' | '/' | '~')
}

/// Where, in a run of base64url characters, a JSON Web Key starts: `eyJ` is `{"` encoded,
/// and a key names `kty`, `crv` or its private part `d`. A cut-off key is decoded as far as
/// it goes, so a part of one is found too.
fn key_part_start(run: &str) -> Option<usize> {
    use base64::Engine;
    run.match_indices("eyJ").map(|(i, _)| i).find(|&i| {
        let key = &run[i..];
        let whole = &key[..key.len() - key.len() % 4];
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(whole)
            .is_ok_and(|json| {
                let json = Zeroizing::new(json);
                [&b"\"kty\""[..], b"\"crv\"", b"\"d\""]
                    .iter()
                    .any(|name| memchr::memmem::find(&json, name).is_some())
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = SecretString::new("hunter2");
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(format!("{s}"), "[redacted]");
        assert_eq!(format!("{:?}", Some(s.clone())), "Some([redacted])");
        assert_eq!(s.expose(), "hunter2");
    }

    const SECRET: &str = "secret-token:conductorone.com:v1:eyJrdHkiOiJPS1AiLCJjcnYiOiJFZDI1NTE5IiwieCI6InpwM1BXY2NTQlZPdGhTTnN5ck1zVGVFaDlpTjhTWTNnSDZfcDBEUkZaTWMiLCJkIjoielkzTzFybnItQUV3NW0wbVpCTzBjSEZpWWoxTmlSdk1pU1Y1X1Ffa0tiZyJ9";

    fn key_part() -> &'static str {
        SECRET.rsplit(':').next().unwrap()
    }

    #[test]
    fn a_secret_or_its_key_part_is_found_whole_in_part_and_inside_other_text() {
        for text in [
            SECRET.to_string(),
            SECRET.to_ascii_uppercase().replace("EYJ", "eyJ"),
            key_part().to_string(),
            key_part()[..40].to_string(),
            format!("https://{SECRET}/x"),
            format!("name@{}", key_part()),
            format!("conductorone.com:v1:{}", &key_part()[..60]),
        ] {
            assert!(holds_client_secret(&text), "{text}");
            let hidden = hide_client_secrets(&text);
            assert!(!hidden.contains(&key_part()[..16]), "{hidden}");
            assert!(hidden.contains(HIDDEN_SECRET), "{hidden}");
        }
        assert_eq!(
            hide_client_secrets(&format!("the client id \"{SECRET}\" has no host")),
            format!("the client id \"{HIDDEN_SECRET}\" has no host")
        );
        assert_eq!(
            hide_client_secrets(&format!("a {} b", key_part())),
            format!("a {HIDDEN_SECRET} b")
        );
    }

    #[test]
    fn ids_names_and_hosts_are_not_secrets() {
        for text in [
            "strange-hydra-68836@acme.conductor.one/pcc",
            "2Gf9fCi5loeoDjTC0MtLnwLQ4Pn",
            "https://acme.conductor.one",
            "eyJhbGciOiJFZERTQSJ9",
            "the secret-token prefix",
            "",
        ] {
            assert!(!holds_client_secret(text), "{text}");
            assert_eq!(hide_client_secrets(text), text);
        }
        assert_eq!(
            refuse_misplaced_secret("--client-id", SECRET)
                .unwrap_err()
                .to_string(),
            "--client-id holds what looks like a client secret; it was not printed"
        );
        assert!(refuse_misplaced_secret("--client-id", "a@b/pcc").is_ok());
    }
}

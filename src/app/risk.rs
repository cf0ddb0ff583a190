//! The rules of a safe revoke, shared by the single dialog and the bulk plan: what makes a
//! revoke risky, the text a risky one is confirmed with, and how far what was typed matches
//! it. Pure.

use chrono::{DateTime, Duration, Utc};

use super::text;

/// Longest text an input (a dialog's, the filter) takes; a typed confirmation also takes its
/// whole expected text.
pub const MAX_TYPED: usize = 64;

/// Why revoking a credential may break something that works now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Risk {
    /// Used within the `recent_use_days` threshold: something depends on it.
    RecentlyUsed(DateTime<Utc>),
    /// Revoking leaves the connector with no live credential. `together`: how many of its
    /// credentials this revoke takes at once (1 for a single revoke).
    LastLive { connector: String, together: usize },
}

impl Risk {
    /// In words for the dialog and the plan: "used 18m ago", "last live credential of Okta".
    pub fn describe(&self, now: DateTime<Utc>) -> String {
        match self {
            Risk::RecentlyUsed(at) => format!("used {}", text::relative(*at, now)),
            Risk::LastLive {
                connector,
                together,
            } if *together > 1 => format!(
                "last live credentials of {}, with {} more of this plan",
                text::sanitize(connector),
                together - 1
            ),
            Risk::LastLive { connector, .. } => {
                format!("last live credential of {}", text::sanitize(connector))
            }
        }
    }
}

/// What makes revoking a credential risky. `live`: live credentials of its connector now
/// (this one included); `together`: how many of them are revoked with this one.
pub fn risks(
    last_used: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    recent_use_days: i64,
    connector: &str,
    live: usize,
    together: usize,
) -> Vec<Risk> {
    let mut out = Vec::new();
    if let Some(used) = last_used
        && used > now - Duration::days(recent_use_days)
    {
        out.push(Risk::RecentlyUsed(used));
    }
    if live <= together {
        out.push(Risk::LastLive {
            connector: connector.to_string(),
            together,
        });
    }
    out
}

/// Which part of the credential the confirmation text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextOf {
    /// The random part of the client id, before its `@` (`strange-hydra-68836`).
    ClientIdName,
    CredentialId,
}

impl TextOf {
    pub fn words(self) -> &'static str {
        match self {
            TextOf::ClientIdName => "its client id before the @",
            TextOf::CredentialId => "its credential id",
        }
    }
}

/// The text a risky revoke is confirmed with: the random part of the client id (before its
/// last `@`; the rest, `@<tenant host>/pcc`, is the same for every credential of a tenant, so
/// two credentials of a tenant never share this part); the credential id when there is no
/// client id or its random part cannot be typed. A credential id that holds what cannot be
/// typed is asked for as the screen shows it (sanitised), which can still be pasted.
pub fn confirmation_text(client_id: Option<&str>, credential_id: &str) -> (TextOf, String) {
    match client_id
        .and_then(|id| id.rsplit_once('@'))
        .map(|(name, _)| name)
        .filter(|name| typeable(name))
    {
        Some(name) => (TextOf::ClientIdName, name.to_string()),
        None => (TextOf::CredentialId, text::sanitize(credential_id)),
    }
}

/// Can a user type exactly this into a dialog: not empty, not too long, and nothing the
/// input refuses or the screen would show as something else.
fn typeable(s: &str) -> bool {
    !s.is_empty() && s.chars().count() <= MAX_TYPED && !s.chars().any(text::is_unsafe)
}

/// How far the text typed matches the text expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typed {
    Empty,
    /// A beginning of the expected text: right so far.
    Prefix,
    Exact,
    /// Wrong from character `from` on (the ones before it match).
    Wrong {
        from: usize,
    },
}

pub fn typed_match(input: &str, expected: &str) -> Typed {
    if input.is_empty() {
        return Typed::Empty;
    }
    if input == expected {
        return Typed::Exact;
    }
    let same = input
        .chars()
        .zip(expected.chars())
        .take_while(|(a, b)| a == b)
        .count();
    if same == input.chars().count() {
        Typed::Prefix
    } else {
        Typed::Wrong { from: same }
    }
}

/// The longest input a typed confirmation of `expected` takes.
pub fn input_limit(expected: &str) -> usize {
    MAX_TYPED.max(expected.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_text_is_the_random_part_of_the_client_id_or_the_credential_id() {
        let of = |c: Option<&str>| confirmation_text(c, "2Xyz");
        assert_eq!(
            of(Some("strange-hydra-68836@acme.conductor.one/pcc")),
            (TextOf::ClientIdName, "strange-hydra-68836".to_string())
        );
        assert_eq!(of(None), (TextOf::CredentialId, "2Xyz".to_string()));
        for untypeable in [
            "@acme.conductor.one/pcc",
            "no-at-sign",
            "bad\u{1b}[31m@h/pcc",
            "rtl\u{202e}@h/pcc",
            "zero\u{200b}width@h/pcc",
        ] {
            assert_eq!(
                of(Some(untypeable)).0,
                TextOf::CredentialId,
                "{untypeable:?}"
            );
        }
        let long = format!("{}@h/pcc", "x".repeat(MAX_TYPED + 1));
        assert_eq!(of(Some(&long)).0, TextOf::CredentialId);
        let (_, shown) = confirmation_text(None, "c1\u{1b}[0m\u{200b}x");
        assert_eq!(shown, "c1\u{fffd}\u{b7}x");
        assert!(
            typeable(&shown),
            "what the screen shows can be typed or pasted"
        );
    }

    #[test]
    fn typing_matches_as_it_goes() {
        assert_eq!(typed_match("", "okta7f3a"), Typed::Empty);
        assert_eq!(typed_match("okta", "okta7f3a"), Typed::Prefix);
        assert_eq!(typed_match("okta7f3a", "okta7f3a"), Typed::Exact);
        assert_eq!(typed_match("okX7", "okta7f3a"), Typed::Wrong { from: 2 });
        assert_eq!(
            typed_match("okta7f3ab", "okta7f3a"),
            Typed::Wrong { from: 8 }
        );
        assert_eq!(typed_match("/pcc", "okta7f3a"), Typed::Wrong { from: 0 });
    }

    #[test]
    fn a_revoke_is_risky_when_recently_used_or_the_last_live_one() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let used = now - Duration::minutes(18);
        assert_eq!(
            risks(Some(used), now, 7, "Okta", 2, 1),
            vec![Risk::RecentlyUsed(used)]
        );
        assert!(risks(Some(now - Duration::days(8)), now, 7, "Okta", 2, 1).is_empty());
        assert!(risks(None, now, 7, "Okta", 3, 2).is_empty());
        let r = risks(None, now, 7, "Okta", 2, 2);
        assert_eq!(
            r.iter().map(|r| r.describe(now)).collect::<Vec<_>>(),
            ["last live credentials of Okta, with 1 more of this plan"]
        );
        assert_eq!(
            risks(Some(used), now, 7, "Okta", 1, 1)
                .iter()
                .map(|r| r.describe(now))
                .collect::<Vec<_>>(),
            ["used 18m ago", "last live credential of Okta"]
        );
    }
}

//! The typed confirmation of a risky revoke: the text that tells a credential apart from every
//! other, how far what was typed matches it, and how much an input takes. Pure.

use crate::text;

/// Longest text an input (a dialog's, the filter) takes; a typed confirmation also takes its
/// whole expected text.
pub const MAX_TYPED: usize = 64;

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
}

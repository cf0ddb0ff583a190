//! What changed about a credential between two refreshes: the kinds of change, one change as
//! the change log keeps it, and the rule that finds them ([`diff`]), pure: the store calls it
//! where it saves what the server said, with the state it held before, and writes the changes
//! in the same transaction.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::api::ConnectorCredential;
use crate::model::{CredentialKey, KnownCredential};

/// How many days the change log keeps a change when the settings do not say
/// (`changes_keep_days`).
pub const DEFAULT_KEEP_DAYS: u32 = 90;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// credboard saw the credential for the first time (just rotated, imported or tracked).
    New,
    /// `deletedAt` was set.
    Revoked,
    /// Its expiry time passed.
    Expired,
    /// The server no longer knows the id (404).
    Gone,
    /// `lastUsedAt` appeared: a connector minted a token with it for the first time.
    FirstUsed,
    /// `lastUsedAt` moved (or was cleared).
    LastUseMoved,
    /// Its display name changed.
    Renamed,
    /// `expiresTime` was set, moved or cleared.
    ExpiryChanged,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 8] = [
        ChangeKind::New,
        ChangeKind::Revoked,
        ChangeKind::Expired,
        ChangeKind::Gone,
        ChangeKind::FirstUsed,
        ChangeKind::LastUseMoved,
        ChangeKind::Renamed,
        ChangeKind::ExpiryChanged,
    ];

    /// The name in the inventory and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::New => "new",
            ChangeKind::Revoked => "revoked",
            ChangeKind::Expired => "expired",
            ChangeKind::Gone => "gone",
            ChangeKind::FirstUsed => "first_used",
            ChangeKind::LastUseMoved => "last_use_moved",
            ChangeKind::Renamed => "renamed",
            ChangeKind::ExpiryChanged => "expiry_changed",
        }
    }

    pub fn parse(text: &str) -> Option<ChangeKind> {
        ChangeKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// As a person reads it: "first used".
    pub fn word(self) -> &'static str {
        match self {
            ChangeKind::FirstUsed => "first used",
            ChangeKind::LastUseMoved => "last use moved",
            ChangeKind::ExpiryChanged => "expiry changed",
            other => other.as_str(),
        }
    }
}

/// One change of one credential. `before` and `after` are the value that changed, when the
/// kind has one: a time in RFC 3339 (UTC) or a name; `None` for a value that was unset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub kind: ChangeKind,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl Change {
    fn bare(kind: ChangeKind) -> Change {
        Change {
            kind,
            before: None,
            after: None,
        }
    }

    fn at(kind: ChangeKind, after: DateTime<Utc>) -> Change {
        Change {
            kind,
            before: None,
            after: Some(time_text(after)),
        }
    }
}

/// A row of the change log: a change of the credential `key`, seen at `seen_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialChange {
    #[serde(flatten)]
    pub key: CredentialKey,
    pub seen_at: DateTime<Utc>,
    #[serde(flatten)]
    pub change: Change,
}

/// What the server answered for a credential now.
#[derive(Debug, Clone, Copy)]
pub enum Answer<'a> {
    Found(&'a ConnectorCredential),
    /// 404: the server no longer knows the id.
    Gone,
}

fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Whether `c` has expired by `at` (revoked ones are dead already: their expiry is no news).
fn expired(c: &ConnectorCredential, at: DateTime<Utc>) -> bool {
    c.deleted_at.is_none() && c.expires_time.is_some_and(|t| t <= at)
}

/// What changed between what the inventory knew of a credential (`before`) and what the
/// server answered at `seen_at`. A credential never fetched before is `new` when found (its
/// state then is no change anyone saw) and nothing when the server does not know it; one
/// known gone and still gone is nothing. Each field is compared with its last known value,
/// kept even while the credential was gone.
pub fn diff(before: &KnownCredential, now: Answer<'_>, seen_at: DateTime<Utc>) -> Vec<Change> {
    let (last, c) = match (&before.last, now) {
        (_, Answer::Gone) if before.gone => return Vec::new(),
        (Some(_), Answer::Gone) => return vec![Change::bare(ChangeKind::Gone)],
        (None, Answer::Gone) => return Vec::new(),
        (None, Answer::Found(_)) => return vec![Change::bare(ChangeKind::New)],
        (Some(last), Answer::Found(c)) => (last, c),
    };
    let mut changes = Vec::new();
    if let (None, Some(at)) = (last.deleted_at, c.deleted_at) {
        changes.push(Change::at(ChangeKind::Revoked, at));
    }
    if last.expires_time != c.expires_time {
        changes.push(Change {
            kind: ChangeKind::ExpiryChanged,
            before: last.expires_time.map(time_text),
            after: c.expires_time.map(time_text),
        });
    }
    let then = before.fetched_at.unwrap_or(seen_at);
    if !expired(last, then)
        && expired(c, seen_at)
        && let Some(at) = c.expires_time
    {
        changes.push(Change::at(ChangeKind::Expired, at));
    }
    match (last.last_used_at, c.last_used_at) {
        (None, Some(at)) => changes.push(Change::at(ChangeKind::FirstUsed, at)),
        (Some(a), b) if Some(a) != b => changes.push(Change {
            kind: ChangeKind::LastUseMoved,
            before: Some(time_text(a)),
            after: b.map(time_text),
        }),
        _ => {}
    }
    if last.display_name != c.display_name {
        changes.push(Change {
            kind: ChangeKind::Renamed,
            before: last.display_name.clone(),
            after: c.display_name.clone(),
        });
    }
    changes
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::model::Source;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0).unwrap()
    }

    fn credential() -> ConnectorCredential {
        ConnectorCredential {
            id: Some("2Cred".into()),
            app_id: Some("2App".into()),
            connector_id: Some("2Conn".into()),
            display_name: Some("deploy".into()),
            created_at: Some(t(-1000)),
            ..Default::default()
        }
    }

    fn known(last: Option<ConnectorCredential>, gone: bool) -> KnownCredential {
        KnownCredential {
            key: CredentialKey::new("2App", "2Conn", "2Cred"),
            source: Source::Import,
            learned_at: t(-2000),
            fetched_at: last.as_ref().map(|_| t(0)),
            last,
            gone,
        }
    }

    fn kinds(changes: &[Change]) -> Vec<ChangeKind> {
        changes.iter().map(|c| c.kind).collect()
    }

    #[test]
    fn a_first_sighting_is_new_and_an_unknown_id_that_stays_unknown_is_nothing() {
        let never = known(None, false);
        assert_eq!(
            diff(&never, Answer::Found(&credential()), t(10)),
            [Change::bare(ChangeKind::New)]
        );
        assert_eq!(diff(&never, Answer::Gone, t(10)), []);
        assert_eq!(diff(&known(None, true), Answer::Gone, t(10)), []);
    }

    #[test]
    fn the_same_state_again_is_no_change() {
        let c = credential();
        assert_eq!(
            diff(&known(Some(c.clone()), false), Answer::Found(&c), t(10)),
            []
        );
    }

    #[test]
    fn a_known_credential_the_server_no_longer_knows_is_gone_once() {
        let c = credential();
        assert_eq!(
            kinds(&diff(&known(Some(c.clone()), false), Answer::Gone, t(10))),
            [ChangeKind::Gone]
        );
        assert_eq!(diff(&known(Some(c), true), Answer::Gone, t(20)), []);
    }

    #[test]
    fn revoked_carries_when() {
        let before = credential();
        let mut after = before.clone();
        after.deleted_at = Some(t(5));
        assert_eq!(
            diff(&known(Some(before), false), Answer::Found(&after), t(10)),
            [Change::at(ChangeKind::Revoked, t(5))]
        );
        // Revoked again (the server moved the time): no news.
        let mut again = after.clone();
        again.deleted_at = Some(t(7));
        assert_eq!(
            diff(&known(Some(after), false), Answer::Found(&again), t(10)),
            []
        );
    }

    #[test]
    fn an_expiry_passing_by_the_clock_is_expired_without_an_expiry_change() {
        let mut c = credential();
        c.expires_time = Some(t(5));
        let before = known(Some(c.clone()), false);
        assert_eq!(
            diff(&before, Answer::Found(&c), t(10)),
            [Change::at(ChangeKind::Expired, t(5))]
        );
        // Not yet: nothing.
        assert_eq!(diff(&before, Answer::Found(&c), t(3)), []);
    }

    #[test]
    fn an_expiry_moved_into_the_past_is_both_an_expiry_change_and_expired() {
        let mut before = credential();
        before.expires_time = Some(t(100));
        let mut after = before.clone();
        after.expires_time = Some(t(-5));
        let changes = diff(&known(Some(before), false), Answer::Found(&after), t(10));
        assert_eq!(
            changes,
            [
                Change {
                    kind: ChangeKind::ExpiryChanged,
                    before: Some(time_text(t(100))),
                    after: Some(time_text(t(-5))),
                },
                Change::at(ChangeKind::Expired, t(-5)),
            ]
        );
    }

    #[test]
    fn an_expired_one_expiring_again_and_a_revoked_one_expiring_are_no_news() {
        let mut c = credential();
        c.expires_time = Some(t(-5));
        assert_eq!(
            diff(&known(Some(c.clone()), false), Answer::Found(&c), t(10)),
            []
        );
        let mut revoked = credential();
        revoked.deleted_at = Some(t(-50));
        revoked.expires_time = Some(t(5));
        assert_eq!(
            diff(
                &known(Some(revoked.clone()), false),
                Answer::Found(&revoked),
                t(10)
            ),
            []
        );
    }

    #[test]
    fn first_use_then_each_move_of_the_last_use() {
        let before = credential();
        let mut used = before.clone();
        used.last_used_at = Some(t(3));
        assert_eq!(
            diff(&known(Some(before), false), Answer::Found(&used), t(10)),
            [Change::at(ChangeKind::FirstUsed, t(3))]
        );
        let mut later = used.clone();
        later.last_used_at = Some(t(8));
        assert_eq!(
            diff(
                &known(Some(used.clone()), false),
                Answer::Found(&later),
                t(10)
            ),
            [Change {
                kind: ChangeKind::LastUseMoved,
                before: Some(time_text(t(3))),
                after: Some(time_text(t(8))),
            }]
        );
        let mut cleared = used.clone();
        cleared.last_used_at = None;
        assert_eq!(
            kinds(&diff(
                &known(Some(used), false),
                Answer::Found(&cleared),
                t(10)
            )),
            [ChangeKind::LastUseMoved]
        );
    }

    #[test]
    fn a_rename_keeps_both_names_and_several_changes_come_together() {
        let before = credential();
        let mut after = before.clone();
        after.display_name = Some("deploy (old)".into());
        after.deleted_at = Some(t(9));
        after.last_used_at = Some(t(2));
        let changes = diff(&known(Some(before), false), Answer::Found(&after), t(10));
        assert_eq!(
            kinds(&changes),
            [
                ChangeKind::Revoked,
                ChangeKind::FirstUsed,
                ChangeKind::Renamed
            ]
        );
        assert_eq!(changes[2].before.as_deref(), Some("deploy"));
        assert_eq!(changes[2].after.as_deref(), Some("deploy (old)"));
    }

    #[test]
    fn a_credential_back_from_gone_is_compared_with_its_last_known_state() {
        let before = credential();
        let mut back = before.clone();
        back.display_name = Some("renamed".into());
        assert_eq!(
            kinds(&diff(
                &known(Some(before), true),
                Answer::Found(&back),
                t(10)
            )),
            [ChangeKind::Renamed]
        );
    }

    #[test]
    fn kinds_read_back_by_their_name() {
        for kind in ChangeKind::ALL {
            assert_eq!(ChangeKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ChangeKind::parse("exploded"), None);
    }
}

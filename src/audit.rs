//! The rules credentials are audited by: the flags of a credential against `now` and the
//! thresholds, the status they come to, why each holds (in words), the counts, and what makes
//! revoking one risky. Pure: the dashboard and the command line read the same rules.
//!
//! The policy checks live beside them, in `audit/`: `catalog` (the checks: ids, titles,
//! severities), `policy` (their thresholds), `mutes`, `checks` (the rules themselves),
//! `findings` (what they find), `stats` (the figures the charts draw).
//!
//! # Flags
//! - revoked: `deletedAt` is set; gone: the server answered 404.
//! - expired: `expiresTime` is at or before now; expiring soon: within the threshold.
//! - never used: no `lastUsedAt`; idle: last used longer ago than the threshold.
//! - active: usable, i.e. fetched and neither revoked, gone nor expired (an active credential
//!   can also be expiring soon, never used or idle).
//! - unknown: never fetched yet.
//!
//! A revoked or gone credential is in the "revoked" group only; the other groups hold live
//! credentials.

pub mod catalog;
pub mod checks;
pub mod findings;
pub mod mutes;
pub mod policy;
pub mod stats;

use chrono::{DateTime, Duration, Utc};

use crate::api::ConnectorCredential;
use crate::text;

bitflags::bitflags! {
    /// What holds for a credential now.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
    pub struct Flags: u8 {
        const REVOKED = 1;
        const GONE = 1 << 1;
        const EXPIRED = 1 << 2;
        const EXPIRING = 1 << 3;
        const NEVER_USED = 1 << 4;
        const IDLE = 1 << 5;
        const UNKNOWN = 1 << 6;
    }
}

impl Flags {
    /// Revoked or gone: no longer usable and nothing to do.
    pub fn is_dead(self) -> bool {
        self.intersects(Flags::REVOKED | Flags::GONE)
    }

    /// Fetched, and neither revoked, gone nor expired.
    pub fn is_active(self) -> bool {
        !self.intersects(Flags::REVOKED | Flags::GONE | Flags::EXPIRED | Flags::UNKNOWN)
    }

    /// Live: neither revoked, gone nor expired as far as credboard knows (never fetched
    /// included), so it may still work.
    pub fn may_work(self) -> bool {
        !self.intersects(Flags::REVOKED | Flags::GONE | Flags::EXPIRED)
    }
}

/// The thresholds the flags are computed against.
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    pub expiring_soon_days: i64,
    pub idle_days: i64,
}

pub fn flags_of(
    last: Option<&ConnectorCredential>,
    gone: bool,
    now: DateTime<Utc>,
    t: Thresholds,
) -> Flags {
    let mut f = Flags::empty();
    f.set(Flags::GONE, gone);
    let Some(c) = last else {
        f.set(Flags::UNKNOWN, !gone);
        return f;
    };
    f.set(Flags::REVOKED, c.deleted_at.is_some());
    let dead = f.is_dead();
    if let Some(exp) = c.expires_time {
        if exp <= now {
            f.insert(Flags::EXPIRED);
        } else if !dead && exp <= now + Duration::days(t.expiring_soon_days) {
            f.insert(Flags::EXPIRING);
        }
    }
    match c.last_used_at {
        None => f.insert(Flags::NEVER_USED),
        Some(used) if !dead && used < now - Duration::days(t.idle_days) => f.insert(Flags::IDLE),
        Some(_) => {}
    }
    f
}

/// The earliest instant, not before `now`, at which [`flags_of`] may answer differently for
/// a credential: its expiry, the start of "expiring soon", the start of "idle". `None` when
/// no time of it can change its flags.
pub fn flags_change_at(
    last: Option<&ConnectorCredential>,
    now: DateTime<Utc>,
    t: Thresholds,
) -> Option<DateTime<Utc>> {
    let c = last?;
    let expiry = c.expires_time.into_iter().flat_map(|exp| {
        [
            Some(exp),
            exp.checked_sub_signed(Duration::days(t.expiring_soon_days)),
        ]
    });
    let idle = c
        .last_used_at
        .map(|used| used.checked_add_signed(Duration::days(t.idle_days)));
    expiry.chain(idle).flatten().filter(|at| *at >= now).min()
}

/// The status a credential shows: the most pressing of its flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Expired,
    Expiring,
    NeverUsed,
    Idle,
    Active,
    Unknown,
    Revoked,
    Gone,
    /// A connector with no tracked credential.
    NoCredential,
}

impl Status {
    pub fn of(flags: Flags) -> Status {
        [
            (Flags::GONE, Status::Gone),
            (Flags::REVOKED, Status::Revoked),
            (Flags::UNKNOWN, Status::Unknown),
            (Flags::EXPIRED, Status::Expired),
            (Flags::EXPIRING, Status::Expiring),
            (Flags::NEVER_USED, Status::NeverUsed),
            (Flags::IDLE, Status::Idle),
        ]
        .into_iter()
        .find(|(f, _)| flags.contains(*f))
        .map_or(Status::Active, |(_, s)| s)
    }

    /// A symbol, so that status never rests on colour alone.
    pub fn symbol(self) -> char {
        match self {
            Status::Expired => '✗',
            Status::Expiring => '!',
            Status::NeverUsed => '○',
            Status::Idle => '~',
            Status::Active => '✓',
            Status::Unknown => '?',
            Status::Revoked | Status::Gone => '⊘',
            Status::NoCredential => '·',
        }
    }

    /// Every status, in the order of [`Status::of`]'s severity.
    pub const ALL: [Status; 9] = [
        Status::Expired,
        Status::Expiring,
        Status::NeverUsed,
        Status::Idle,
        Status::Active,
        Status::Unknown,
        Status::Revoked,
        Status::Gone,
        Status::NoCredential,
    ];

    /// The status a word names, as typed in a filter or on the command line: its
    /// [`word`](Status::word) with `-` or `_` for the space (`never-used`), in any case, or
    /// `unknown` / `expiring-soon`.
    pub fn from_word(word: &str) -> Option<Status> {
        let w = word.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        match w.as_str() {
            "unknown" => return Some(Status::Unknown),
            "expiring-soon" => return Some(Status::Expiring),
            _ => {}
        }
        Status::ALL
            .into_iter()
            .find(|s| s.word().replace(' ', "-") == w)
    }

    /// The word typed for this status: `never-used`.
    pub fn typed_word(self) -> String {
        self.word().replace(' ', "-")
    }

    /// Whether a credential with these flags is in this status's group, the one definition
    /// the dashboard's views, its counts, `list --status` and the filter's `status:` share:
    /// an expired credential that was never used is both `expired` and `never-used`; a
    /// revoked or gone one is only `revoked` (and `gone` if the server answered 404).
    /// `NoCredential` holds no credential (it is the status of connector rows).
    pub fn holds(self, flags: Flags) -> bool {
        let group = match self {
            Status::Expired => Group::Expired,
            Status::Expiring => Group::Expiring,
            Status::NeverUsed => Group::NeverUsed,
            Status::Idle => Group::Idle,
            Status::Active => Group::Active,
            Status::Revoked => Group::Revoked,
            Status::Gone => return flags.contains(Flags::GONE),
            Status::Unknown => return flags.contains(Flags::UNKNOWN) && !flags.is_dead(),
            Status::NoCredential => return false,
        };
        group.holds(flags)
    }

    pub fn word(self) -> &'static str {
        match self {
            Status::Expired => "expired",
            Status::Expiring => "expiring",
            Status::NeverUsed => "never used",
            Status::Idle => "idle",
            Status::Active => "active",
            Status::Unknown => "not fetched",
            Status::Revoked => "revoked",
            Status::Gone => "gone",
            Status::NoCredential => "no credential",
        }
    }
}

/// The groups an auditor asks for: the dashboard's status views and `list --status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    Active,
    Expiring,
    Expired,
    NeverUsed,
    Idle,
    /// Revoked or gone.
    Revoked,
}

impl Group {
    pub fn holds(self, flags: Flags) -> bool {
        match self {
            Group::Revoked => flags.is_dead(),
            _ if flags.is_dead() => false,
            Group::Active => flags.is_active(),
            Group::Expiring => flags.contains(Flags::EXPIRING),
            Group::Expired => flags.contains(Flags::EXPIRED),
            Group::NeverUsed => flags.contains(Flags::NEVER_USED),
            Group::Idle => flags.contains(Flags::IDLE),
        }
    }
}

/// How many credentials hold each flag: what the header shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub total: usize,
    pub active: usize,
    pub expiring: usize,
    pub expired: usize,
    /// Revoked: the server's record says so (`deletedAt`).
    pub revoked: usize,
    /// The server answered 404: not known to be revoked, only no longer there.
    pub gone: usize,
    pub never_used: usize,
    pub idle: usize,
    pub unknown: usize,
    /// Connectors with no tracked credential.
    pub connectors_without: usize,
}

impl Counts {
    /// Counts one credential with these flags.
    pub fn add(&mut self, f: Flags) {
        self.total += 1;
        if f.contains(Flags::GONE) {
            self.gone += 1;
            return;
        }
        // The groups of `Status::holds`, the definition `list --status` and the views use.
        for (status, n) in [
            (Status::Revoked, &mut self.revoked),
            (Status::Unknown, &mut self.unknown),
            (Status::Expiring, &mut self.expiring),
            (Status::Expired, &mut self.expired),
            (Status::NeverUsed, &mut self.never_used),
            (Status::Idle, &mut self.idle),
            (Status::Active, &mut self.active),
        ] {
            *n += usize::from(status.holds(f));
        }
    }
}

/// The reasons behind each flag of a credential, as the detail pane lists them ("never used;
/// created 214 days ago").
pub fn reasons(
    last: Option<&ConnectorCredential>,
    gone: bool,
    flags: Flags,
    now: DateTime<Utc>,
    t: Thresholds,
) -> Vec<(Status, String)> {
    let mut out = Vec::new();
    if gone {
        let known = match last {
            Some(_) => "; what is shown is its last known state",
            None => "; nothing else is known of it",
        };
        out.push((
            Status::Gone,
            format!("gone; the server answered 404 (not found){known}"),
        ));
    }
    let Some(c) = last else {
        if !gone {
            out.push((Status::Unknown, "not fetched yet".to_string()));
        }
        return out;
    };
    // One style with the pane's times beside them: "(2m ago)" and "deleted 2m ago", never
    // "deleted 0 days ago".
    let ago = |t: DateTime<Utc>| text::relative(t, now);
    if let Some(d) = c.deleted_at {
        out.push((Status::Revoked, format!("revoked; deleted {}", ago(d))));
    }
    if flags.contains(Flags::EXPIRED)
        && let Some(x) = c.expires_time
    {
        out.push((Status::Expired, format!("expired {}", ago(x))));
    }
    if flags.contains(Flags::EXPIRING)
        && let Some(x) = c.expires_time
    {
        out.push((
            Status::Expiring,
            format!(
                "expiring soon; {} (threshold {})",
                text::relative(x, now),
                text::days(t.expiring_soon_days)
            ),
        ));
    }
    if flags.contains(Flags::NEVER_USED) {
        let created = match c.created_at {
            Some(at) => format!("created {}", ago(at)),
            None => "creation time unknown".to_string(),
        };
        out.push((Status::NeverUsed, format!("never used; {created}")));
    }
    if flags.contains(Flags::IDLE)
        && let Some(u) = c.last_used_at
    {
        out.push((
            Status::Idle,
            format!(
                "idle; last used {} (threshold {})",
                ago(u),
                text::days(t.idle_days)
            ),
        ));
    }
    if flags.is_active() && out.is_empty() {
        let used = c
            .last_used_at
            .map(|u| format!("; last used {}", text::relative(u, now)))
            .unwrap_or_default();
        out.push((Status::Active, format!("active{used}")));
    }
    out
}

/// Why revoking a credential may break something that works now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Risk {
    /// Used within the `recent_use_days` threshold: something depends on it.
    RecentlyUsed(DateTime<Utc>),
    /// Revoking takes a live credential ([`Flags::may_work`]) and leaves its connector none.
    /// `together`: how many live ones this revoke takes from the connector at once (1 for
    /// a single revoke).
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

/// What a revoke leaves its connector: whether the credential revoked is live
/// ([`Flags::may_work`]), how many live credentials the connector has now (this one
/// included when it is live), and how many of them the revoke takes at once.
#[derive(Debug, Clone, Copy)]
pub struct Leaves {
    pub may_work: bool,
    pub live: usize,
    pub together: usize,
}

/// What makes revoking a credential risky: a recent use, or leaving its connector without
/// a working credential (an expired one breaks nothing by going).
pub fn risks(
    last_used: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    recent_use_days: i64,
    connector: &str,
    leaves: Leaves,
) -> Vec<Risk> {
    let Leaves {
        may_work,
        live,
        together,
    } = leaves;
    let mut out = Vec::new();
    if let Some(used) = last_used
        && used > now - Duration::days(recent_use_days)
    {
        out.push(Risk::RecentlyUsed(used));
    }
    if may_work && live <= together {
        out.push(Risk::LastLive {
            connector: connector.to_string(),
            together,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    const T: Thresholds = Thresholds {
        expiring_soon_days: 7,
        idle_days: 90,
    };

    fn used_and_expiring(used_days: i64, expires_days: i64) -> ConnectorCredential {
        ConnectorCredential {
            last_used_at: Some(now() - Duration::days(used_days)),
            expires_time: Some(now() + Duration::days(expires_days)),
            ..ConnectorCredential::default()
        }
    }

    #[test]
    fn reasons_say_times_in_the_panes_one_relative_style() {
        let c = ConnectorCredential {
            created_at: Some(now() - Duration::days(200)),
            deleted_at: Some(now() - Duration::minutes(2)),
            ..ConnectorCredential::default()
        };
        let flags = flags_of(Some(&c), false, now(), T);
        let said: Vec<String> = reasons(Some(&c), false, flags, now(), T)
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        assert_eq!(said[0], "revoked; deleted 2m ago");
        assert_eq!(
            text::relative(c.deleted_at.unwrap(), now()),
            "2m ago",
            "the Deleted line's own words"
        );
        let c = used_and_expiring(100, 3);
        let flags = flags_of(Some(&c), false, now(), T);
        let said: Vec<String> = reasons(Some(&c), false, flags, now(), T)
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        assert_eq!(
            said,
            [
                "expiring soon; in 3d (threshold 7 days)",
                "idle; last used 100d ago (threshold 90 days)"
            ]
        );
    }

    #[test]
    fn flags_follow_the_times_and_the_thresholds() {
        let f = |c: &ConnectorCredential| flags_of(Some(c), false, now(), T);
        assert_eq!(f(&used_and_expiring(1, 100)), Flags::empty());
        assert_eq!(f(&used_and_expiring(100, 3)), Flags::IDLE | Flags::EXPIRING);
        assert_eq!(f(&used_and_expiring(1, -1)), Flags::EXPIRED);
        let mut revoked = used_and_expiring(100, 3);
        revoked.deleted_at = Some(now());
        assert_eq!(
            f(&revoked),
            Flags::REVOKED,
            "nothing to do about a dead one"
        );
        assert_eq!(flags_of(None, false, now(), T), Flags::UNKNOWN);
        assert_eq!(flags_of(None, true, now(), T), Flags::GONE);
        assert_eq!(Status::of(Flags::IDLE | Flags::EXPIRING), Status::Expiring);
        assert!(Group::Revoked.holds(Flags::GONE) && !Group::Idle.holds(Flags::GONE | Flags::IDLE));
    }

    #[test]
    fn flags_change_at_the_next_threshold() {
        let c = used_and_expiring(10, 30);
        assert_eq!(
            flags_change_at(Some(&c), now(), T),
            Some(now() + Duration::days(23)),
            "expiring soon 7 days before it expires"
        );
        assert_eq!(flags_change_at(None, now(), T), None);
    }

    #[test]
    fn a_revoke_is_risky_when_recently_used_or_the_last_live_one() {
        let now = now();
        let used = now - Duration::minutes(18);
        let leaves = |may_work, live, together| Leaves {
            may_work,
            live,
            together,
        };
        assert_eq!(
            risks(Some(used), now, 7, "Okta", leaves(true, 2, 1)),
            vec![Risk::RecentlyUsed(used)]
        );
        assert!(
            risks(
                Some(now - Duration::days(8)),
                now,
                7,
                "Okta",
                leaves(true, 2, 1)
            )
            .is_empty()
        );
        assert!(risks(None, now, 7, "Okta", leaves(true, 3, 2)).is_empty());
        let r = risks(None, now, 7, "Okta", leaves(true, 2, 2));
        assert_eq!(
            r.iter().map(|r| r.describe(now)).collect::<Vec<_>>(),
            ["last live credentials of Okta, with 1 more of this plan"]
        );
        assert_eq!(
            risks(Some(used), now, 7, "Okta", leaves(true, 1, 1))
                .iter()
                .map(|r| r.describe(now))
                .collect::<Vec<_>>(),
            ["used 18m ago", "last live credential of Okta"]
        );
        // An expired credential leaves nothing less working than it found.
        assert!(risks(None, now, 7, "Okta", leaves(false, 0, 0)).is_empty());
    }
}

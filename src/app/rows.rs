//! The rows of the table: one per tracked credential, plus one per connector without a
//! tracked credential. Derived status flags, typed sort, filter, and the cached order.
//!
//! # Sort order
//! Each column compares typed values (times as times, status by severity). Unset values
//! ("never", "—", no name) sort after every set value in ascending order; descending is the
//! exact reverse, so they come first. Ties fall to the display name, then credential rows
//! before connector rows, then the credential id (the connector id for connector rows), so
//! the order is total and does not move between refreshes.
//!
//! # Status
//! A credential's flags, against `now` and the thresholds:
//! - revoked: `deletedAt` is set; gone: the server answered 404.
//! - expired: `expiresTime` is at or before now; expiring soon: within the threshold.
//! - never used: no `lastUsedAt`; idle: last used longer ago than the threshold.
//! - active: usable, i.e. fetched and neither revoked, gone nor expired (an active credential
//!   can also be expiring soon, never used or idle).
//! - unknown: never fetched yet.
//!
//! Revoked and gone credentials are only in the "revoked" view (and "all"); the other views
//! hold live credentials. Connector rows are only in "all".

use chrono::{DateTime, Utc};

use crate::audit::Group;

use crate::api::ConnectorCredential;

use crate::model::{CredentialKey, Failure};
use crate::text;

pub use crate::audit::{Flags, Status, Thresholds, flags_change_at, flags_of};

/// Sortable columns, in the order `s` cycles through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Name,
    App,
    Connector,
    ClientId,
    Created,
    LastUsed,
    Expires,
    Status,
}

impl Column {
    pub const ALL: [Column; 8] = [
        Column::Name,
        Column::App,
        Column::Connector,
        Column::ClientId,
        Column::Created,
        Column::LastUsed,
        Column::Expires,
        Column::Status,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Column::Name => "Name",
            Column::App => "App",
            Column::Connector => "Connector",
            Column::ClientId => "Client id",
            Column::Created => "Created",
            Column::LastUsed => "Last used",
            Column::Expires => "Expires",
            Column::Status => "Status",
        }
    }

    pub fn next(self) -> Column {
        let i = Column::ALL.iter().position(|c| *c == self).unwrap_or(0);
        Column::ALL[(i + 1) % Column::ALL.len()]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: Column,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort {
            column: Column::Status,
            descending: false,
        }
    }
}

/// The status views Tab cycles through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum View {
    #[default]
    All,
    Active,
    Expiring,
    Expired,
    NeverUsed,
    Idle,
    Revoked,
}

impl View {
    pub const ALL: [View; 7] = [
        View::All,
        View::Active,
        View::Expiring,
        View::Expired,
        View::NeverUsed,
        View::Idle,
        View::Revoked,
    ];

    pub fn name(self) -> &'static str {
        match self {
            View::All => "all",
            View::Active => "active",
            View::Expiring => "expiring soon",
            View::Expired => "expired",
            View::NeverUsed => "never used",
            View::Idle => "idle",
            View::Revoked => "revoked",
        }
    }

    pub fn next(self) -> View {
        let i = View::ALL.iter().position(|v| *v == self).unwrap_or(0);
        View::ALL[(i + 1) % View::ALL.len()]
    }

    pub fn prev(self) -> View {
        let i = View::ALL.iter().position(|v| *v == self).unwrap_or(0);
        View::ALL[(i + View::ALL.len() - 1) % View::ALL.len()]
    }

    /// The credentials it holds; `None` for every row.
    pub fn group(self) -> Option<Group> {
        Some(match self {
            View::All => return None,
            View::Active => Group::Active,
            View::Expiring => Group::Expiring,
            View::Expired => Group::Expired,
            View::NeverUsed => Group::NeverUsed,
            View::Idle => Group::Idle,
            View::Revoked => Group::Revoked,
        })
    }

    pub fn admits(self, kind: EntryKind, flags: Flags) -> bool {
        match self.group() {
            None => true,
            Some(g) => kind == EntryKind::Credential && g.holds(flags),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntryKind {
    Credential,
    /// A connector with no tracked credential: its key's credential_id is empty.
    Connector,
}

/// What is in flight for a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    Revoking,
}

/// One row's data. Entries are never removed from the vector (a connector row that gains a
/// credential is tombstoned), so an entry's index is a stable handle while the state lives.
#[derive(Debug, Clone)]
pub struct Entry {
    pub kind: EntryKind,
    pub key: CredentialKey,
    pub last: Option<ConnectorCredential>,
    pub gone: bool,
    pub fetched_at: Option<DateTime<Utc>>,
    /// The last fetch of this credential failed; the data above is the previous one.
    pub error: Option<Failure>,
    /// That fetch was a refresh's (not a one-off Get after a rotate).
    pub error_in_refresh: bool,
    pub pending: Option<Pending>,
    /// Revoked by us while this refresh generation ran: its Get may have been answered
    /// before the revoke, so a "not deleted" from it is stale and ignored.
    pub(crate) revoked_during: Option<u64>,
    pub marked: bool,
    pub removed: bool,
    /// The connector's slot in `Rows::slots`.
    pub(crate) slot: u32,
    // Derived, kept current by the state.
    pub flags: Flags,
    pub status: Status,
}

impl Entry {
    pub fn new(kind: EntryKind, key: CredentialKey, last: Option<ConnectorCredential>) -> Entry {
        Entry {
            kind,
            key,
            last,
            gone: false,
            fetched_at: None,
            error: None,
            error_in_refresh: false,
            pending: None,
            revoked_during: None,
            marked: false,
            removed: false,
            slot: 0,
            flags: Flags::empty(),
            status: Status::Unknown,
        }
    }

    pub fn display_name(&self) -> Option<&str> {
        self.last.as_ref().and_then(|c| c.display_name.as_deref())
    }

    pub fn client_id(&self) -> Option<&str> {
        self.last.as_ref().and_then(|c| c.client_id.as_deref())
    }

    /// The id that identifies the row: the credential id, or the connector id.
    pub fn row_id(&self) -> &str {
        match self.kind {
            EntryKind::Credential => &self.key.credential_id,
            EntryKind::Connector => &self.key.connector_id,
        }
    }

    pub fn time(&self, column: Column) -> Option<DateTime<Utc>> {
        let c = self.last.as_ref()?;
        match column {
            Column::Created => c.created_at,
            Column::LastUsed => c.last_used_at,
            Column::Expires => c.expires_time,
            _ => None,
        }
    }

    /// Recompute the flags and status against `now`. Returns true when they changed.
    pub fn derive_flags(&mut self, now: DateTime<Utc>, t: Thresholds) -> bool {
        let (flags, status) = match self.kind {
            EntryKind::Connector => (Flags::empty(), Status::NoCredential),
            EntryKind::Credential => {
                let f = flags_of(self.last.as_ref(), self.gone, now, t);
                (f, Status::of(f))
            }
        };
        let changed = flags != self.flags || status != self.status;
        self.flags = flags;
        self.status = status;
        changed
    }
}

/// Append `s` sanitised and lower-cased, as the filter and the string columns see it. Plain
/// ASCII (the common case) is copied and lower-cased in bulk.
pub fn push_lower(out: &mut String, s: &str) {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        let start = out.len();
        out.push_str(s);
        out[start..].make_ascii_lowercase();
        return;
    }
    for c in text::Sanitized::new(s) {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
}

/// Lower-case a query the way the haystack is.
pub fn lower_query(q: &str) -> String {
    let mut s = String::new();
    push_lower(&mut s, q);
    s
}

/// The counts the header shows.
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
    pub connectors_without: usize,
}

impl Counts {
    pub fn apply(&mut self, e: &Entry, sign: isize) {
        self.apply_parts(e.kind, e.flags, e.removed, sign);
    }

    /// Add (sign 1) or remove (sign -1) an entry with these properties.
    pub fn apply_parts(&mut self, kind: EntryKind, f: Flags, removed: bool, sign: isize) {
        if removed {
            return;
        }
        let add = |n: &mut usize| *n = n.wrapping_add_signed(sign);
        if kind == EntryKind::Connector {
            add(&mut self.connectors_without);
            return;
        }
        add(&mut self.total);
        if f.contains(Flags::GONE) {
            add(&mut self.gone);
            return;
        }
        if f.is_dead() {
            add(&mut self.revoked);
            return;
        }
        if f.is_active() {
            add(&mut self.active);
        }
        if f.contains(Flags::UNKNOWN) {
            add(&mut self.unknown);
        }
        if f.contains(Flags::EXPIRING) {
            add(&mut self.expiring);
        }
        if f.contains(Flags::EXPIRED) {
            add(&mut self.expired);
        }
        if f.contains(Flags::NEVER_USED) {
            add(&mut self.never_used);
        }
        if f.contains(Flags::IDLE) {
            add(&mut self.idle);
        }
    }
}

/// The reasons behind each flag, as the detail pane lists them.
pub fn reasons(e: &Entry, now: DateTime<Utc>, t: Thresholds) -> Vec<(Status, String)> {
    match e.kind {
        EntryKind::Connector => vec![(
            Status::NoCredential,
            "no tracked credential for this connector".to_string(),
        )],
        EntryKind::Credential => crate::audit::reasons(e.last.as_ref(), e.gone, e.flags, now, t),
    }
}

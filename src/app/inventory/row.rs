//! One row of the inventory: a tracked credential as last fetched (or a connector with no
//! tracked credential), and beside it what the screen needs: its flags and status against
//! `now`, a pending revoke, a mark, the last fetch's error, and its search text, lower-cased
//! once when the row changes. [`Change`] says what a change did, for the table to redo.

use std::ops::Deref;

use chrono::{DateTime, Utc};

use crate::api::ConnectorCredential;
use crate::audit::{Flags, Status};
use crate::model::{CredentialKey, Failure};
use crate::text;

use super::super::findings::RowFindings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntryKind {
    Credential,
    /// A connector with no tracked credential: its key's credential id is empty.
    Connector,
}

/// What is in flight for a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    Revoking,
}

/// The row's search text: name, app, connector, client id and row id, sanitised and
/// lower-cased, one after another, so that a filter keystroke is one search per row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchText {
    text: String,
    /// Where each of the first four fields ends (every row keeps them: four bytes each).
    ends: [u32; 4],
}

/// The fields of [`SearchText`], in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    App,
    Connector,
    ClientId,
    /// The row's id: the credential id (the connector id for a connector row).
    Id,
}

impl SearchText {
    pub(super) fn new(fields: [&str; 5]) -> SearchText {
        // Sized once, not grown push by push: a load makes one per row.
        let mut text = String::with_capacity(fields.iter().map(|f| f.len() + 1).sum());
        let mut ends = [0; 4];
        for (n, f) in fields.iter().enumerate() {
            if n > 0 {
                text.push('\n');
            }
            if f.bytes().all(|b| (0x20..0x7f).contains(&b)) {
                // Plain ASCII, the common case: nothing to sanitise.
                let start = text.len();
                text.push_str(f);
                text[start..].make_ascii_lowercase();
            } else {
                text.extend(text::Sanitized::new(f).flat_map(char::to_lowercase));
            }
            if n < 4 {
                // A row's fields are names and ids, far below 4 GiB.
                ends[n] = u32::try_from(text.len()).unwrap_or(u32::MAX);
            }
        }
        SearchText { text, ends }
    }

    pub fn field(&self, f: Field) -> &str {
        let n = f as usize;
        let start = if n == 0 {
            0
        } else {
            self.ends[n - 1] as usize + 1
        };
        let end = self.ends.get(n).map_or(self.text.len(), |&e| e as usize);
        self.text.get(start..end).unwrap_or("")
    }

    /// Every field, in order, each apart from the next by a line break.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// Lower-cases a query the way search texts are.
pub fn lower_query(q: &str) -> String {
    text::Sanitized::new(q)
        .flat_map(char::to_lowercase)
        .collect()
}

/// One row's data.
#[derive(Debug, Clone)]
pub struct Row {
    pub kind: EntryKind,
    /// As last fetched, without its secret or its ids (the key holds them).
    pub last: Option<ConnectorCredential>,
    pub gone: bool,
    pub fetched_at: Option<DateTime<Utc>>,
    /// The last fetch of this credential failed; the data above is the previous one.
    /// (Boxed: few rows have one, and every row keeps the room.)
    pub error: Option<Box<Failure>>,
    /// That fetch was a refresh's (not a one-off Get after a rotate).
    pub error_in_refresh: bool,
    pub pending: Option<Pending>,
    /// Revoked by us while this refresh generation ran: its Get may have been answered
    /// before the revoke, so a "not deleted" from it is stale and ignored.
    pub revoked_during: Option<u64>,
    pub marked: bool,
    // Derived, kept current by the inventory.
    pub flags: Flags,
    pub status: Status,
    pub search: SearchText,
    /// The audit's findings about this row (see `app::findings`).
    pub findings: RowFindings,
}

impl Row {
    pub(super) fn new(kind: EntryKind) -> Row {
        Row {
            kind,
            last: None,
            gone: false,
            fetched_at: None,
            error: None,
            error_in_refresh: false,
            pending: None,
            revoked_during: None,
            marked: false,
            flags: Flags::empty(),
            status: Status::Unknown,
            search: SearchText::default(),
            findings: RowFindings::default(),
        }
    }

    pub fn display_name(&self) -> Option<&str> {
        self.last.as_ref().and_then(|c| c.display_name.as_deref())
    }

    pub fn client_id(&self) -> Option<&str> {
        self.last.as_ref().and_then(|c| c.client_id.as_deref())
    }

    /// Live: neither revoked nor gone.
    pub fn is_live(&self) -> bool {
        self.kind == EntryKind::Credential && !self.flags.is_dead()
    }
}

/// A row and its key.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    pub key: &'a CredentialKey,
    pub(super) row: &'a Row,
}

impl Deref for Entry<'_> {
    type Target = Row;

    fn deref(&self) -> &Row {
        self.row
    }
}

impl<'a> Entry<'a> {
    /// The row, for as long as the inventory is borrowed.
    pub fn row(&self) -> &'a Row {
        self.row
    }

    pub fn display_name(&self) -> Option<&'a str> {
        self.row.display_name()
    }

    pub fn client_id(&self) -> Option<&'a str> {
        self.row.client_id()
    }

    /// The id that identifies the row: the credential id, or the connector id.
    pub fn row_id(&self) -> &'a str {
        match self.row.kind {
            EntryKind::Credential => &self.key.credential_id,
            EntryKind::Connector => &self.key.connector_id,
        }
    }
}

/// What a change did to the rows, for the table to know what to redo.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Change {
    /// Rows were added or removed: positions moved.
    pub shape: bool,
    /// A sorted-on value of some row changed (its data, or a name it shows).
    pub order: bool,
    /// A row's flags changed: the views may take it or leave it.
    pub flags: bool,
    /// A row's search text changed.
    pub search: bool,
    /// A row's findings changed: the findings view, a `finding:` filter and a sort by
    /// findings read them.
    pub findings: bool,
}

impl Change {
    pub fn any(self) -> bool {
        self.shape || self.order || self.flags || self.search || self.findings
    }

    pub fn merge(&mut self, other: Change) {
        self.shape |= other.shape;
        self.order |= other.order;
        self.flags |= other.flags;
        self.search |= other.search;
        self.findings |= other.findings;
    }
}

/// What of a row the table sorts and filters on, to tell what a change touched.
pub(super) struct Sorted {
    last: Option<ConnectorCredential>,
    status: Status,
    flags: Flags,
    search: SearchText,
}

impl Sorted {
    pub(super) fn of(row: &Row) -> Sorted {
        Sorted {
            last: row.last.clone(),
            status: row.status,
            flags: row.flags,
            search: row.search.clone(),
        }
    }

    pub(super) fn against(self, row: &Row) -> Change {
        let times = |c: &Option<ConnectorCredential>| {
            c.as_ref()
                .map(|c| (c.created_at, c.last_used_at, c.expires_time))
        };
        Change {
            shape: false,
            order: self.status != row.status
                || self.search != row.search
                || times(&self.last) != times(&row.last),
            flags: self.flags != row.flags,
            search: self.search != row.search,
            findings: false,
        }
    }
}

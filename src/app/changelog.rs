//! What changed, as the dashboard shows it: the change log the worker sends (newest first,
//! from the inventory, where each refresh's saves write it), the rows marked for having
//! changed lately, and the changes window's scroll. A credential credboard sees for the
//! first time (`new`) is listed but does not mark its row: the first refresh after an
//! import would mark every row.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use crate::changes::CredentialChange;
use crate::model::CredentialKey;

/// How long a row stays marked after a refresh saw it change.
pub const MARK_FOR: TimeDelta = TimeDelta::minutes(10);

/// Since when a change marks its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Span {
    /// For [`MARK_FOR`] after it was seen.
    #[default]
    Lately,
    /// Since the session began.
    Session,
}

/// Whether a change marks its row.
fn marks(c: &CredentialChange) -> bool {
    c.change.kind != crate::changes::ChangeKind::New
}

#[derive(Debug, Clone, Default)]
pub struct ChangeLog {
    /// Newest first.
    pub list: Vec<CredentialChange>,
    pub loaded: bool,
    pub span: Span,
    /// For each credential, the positions of its changes in `list` that mark it (newest
    /// first; every kind but `new`).
    by_key: HashMap<CredentialKey, Vec<usize>>,
}

impl ChangeLog {
    pub fn replace(&mut self, list: Vec<CredentialChange>) {
        self.by_key.clear();
        for (i, c) in list.iter().enumerate().filter(|(_, c)| marks(c)) {
            self.by_key.entry(c.key.clone()).or_default().push(i);
        }
        self.list = list;
        self.loaded = true;
    }

    /// A change seen after this instant marks its row.
    pub fn marks_from(&self, now: DateTime<Utc>, session_began: DateTime<Utc>) -> DateTime<Utc> {
        match self.span {
            Span::Lately => now - MARK_FOR,
            Span::Session => session_began - TimeDelta::nanoseconds(1),
        }
    }

    /// The changes of `key` that mark its row now, newest first.
    pub fn marking(&self, key: &CredentialKey, from: DateTime<Utc>) -> Vec<&CredentialChange> {
        self.by_key
            .get(key)
            .into_iter()
            .flatten()
            .map(|&i| &self.list[i])
            .filter(|c| c.seen_at > from)
            .collect()
    }

    pub fn is_marked(&self, key: &CredentialKey, from: DateTime<Utc>) -> bool {
        self.by_key
            .get(key)
            .and_then(|v| v.first())
            .is_some_and(|&i| self.list[i].seen_at > from)
    }

    /// When the next mark goes (lately only): the oldest marking change's end.
    pub fn next_unmark(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.span != Span::Lately {
            return None;
        }
        self.list
            .iter()
            .filter(|c| marks(c))
            .map(|c| c.seen_at + MARK_FOR)
            .filter(|&t| t > now)
            .min()
    }
}

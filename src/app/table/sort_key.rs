//! Where a row sorts under a column: typed values (times as times, status by severity).
//! Unset values ("—", no name, a time not known) sort after every set value in ascending
//! order; descending is the exact reverse, so they come first. "never" under Last used is the
//! oldest use: before every time ascending. Ties fall to the display name, then credential
//! rows before connector rows, then the credential id (the connector id for connector rows),
//! so the order is total and does not move between refreshes.

use chrono::{DateTime, Utc};

use crate::app::inventory::{Entry, EntryKind, Field};
use crate::audit::Status;

use super::Column;

/// A text value: set ones first, unset (empty) last.
fn text_value(s: &str) -> (bool, &str) {
    (s.is_empty(), s)
}

/// A row's place under a column, ascending: compared as a tuple.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Value<'a> {
    None,
    Text((bool, &'a str)),
    Time((bool, Option<DateTime<Utc>>)),
    Status(Status),
    /// Most severe first, then rows with muted findings only, then rows without.
    Findings(u8),
}

/// Where a row's findings sort: critical first, none last.
fn findings_rank(e: &Entry) -> u8 {
    use crate::audit::catalog::Severity;
    match e.findings.worst() {
        Some(Severity::Critical) => 0,
        Some(Severity::High) => 1,
        Some(Severity::Medium) => 2,
        Some(Severity::Low) => 3,
        Some(Severity::Info) => 4,
        None if !e.findings.is_empty() => 5,
        None => 6,
    }
}

type SortKey<'a> = (
    Value<'a>,
    (bool, &'a str),
    EntryKind,
    &'a str,
    &'a str,
    &'a str,
);

pub(super) fn sort_key<'a>(e: Entry<'a>, column: Column) -> SortKey<'a> {
    let search = &e.row().search;
    let field = |f| Value::Text(text_value(search.field(f)));
    let primary = match column {
        Column::Name => Value::None,
        Column::App => field(Field::App),
        Column::Connector => field(Field::Connector),
        Column::ClientId => field(Field::ClientId),
        // Never used (fetched, with no last use) is the oldest use of all: before every
        // time ascending, not among the unknown.
        Column::LastUsed
            if e.kind == EntryKind::Credential
                && e.last.as_ref().is_some_and(|c| c.last_used_at.is_none()) =>
        {
            Value::Time((false, None))
        }
        Column::Created | Column::LastUsed | Column::Expires => {
            let t = column.time(&e);
            Value::Time((t.is_none(), t))
        }
        Column::Status => Value::Status(e.status),
        Column::Findings => Value::Findings(findings_rank(&e)),
    };
    (
        primary,
        text_value(search.field(Field::Name)),
        e.row().kind,
        e.row_id(),
        &e.key.app_id,
        &e.key.connector_id,
    )
}

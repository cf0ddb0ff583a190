//! The filter language, one for the dashboard's `/`, `list --filter` and `audit --filter`:
//! parsed once ([`Query::parse`]), then matched against any row that can say its fields
//! ([`Record`]). Pure: no I/O, no UI.
//!
//! # The language
//! Terms separated by spaces, all of which must hold (AND):
//! - `okta`: a word, found (any case) in the name, app, connector, client id, id or status
//!   word. `"two words"` quotes spaces.
//! - `!word` (or `!` before any term): the term must not hold.
//! - `name:`, `app:`, `connector:`, `client:`, `id:` `value`: the value is found in that
//!   field; the value may be quoted or a `/regex/`.
//! - `status:expired` (any status word: active, expiring, expired, never-used, idle,
//!   revoked, gone, not-fetched, no-credential): the same groups as the dashboard's views and
//!   `list --status`.
//! - `finding:CB-1.2`: the row has that finding (matches nothing where rows carry none).
//! - `lastused>90d`, `created<30d`, `expires<14d` (also `>=`, `<=`; units m, h, d, w, y):
//!   how long ago it was last used or created, how long until it expires. `never` (never
//!   used, no expiry) counts as older, or further, than anything; a time not known (never
//!   fetched) matches no comparison. `lastused:never`, `expires:never`.
//! - `/regex/`: a regular expression (any case) over the same fields as a word; its size is
//!   bounded.
//!
//! A mistake is a [`QueryError`] with the byte span it is at and, where one is near, a
//! suggestion: "unknown field `conector`, did you mean `connector`?".

mod matcher;
mod parse;

use std::ops::Range;

use chrono::{DateTime, Utc};

use crate::audit::catalog::CheckId;
use crate::audit::{Flags, Status};

pub use matcher::highlights;
pub use parse::{QueryError, TextField, TimeField};

/// A parsed filter: the terms, all of which must hold.
#[derive(Debug, Clone, Default)]
pub struct Query {
    terms: Vec<Term>,
    /// As typed.
    source: String,
}

#[derive(Debug, Clone)]
struct Term {
    negated: bool,
    test: Test,
}

#[derive(Debug, Clone)]
enum Test {
    /// Lower-cased text, found in a field or any.
    Text {
        field: Option<TextField>,
        needle: Needle,
    },
    Regex {
        field: Option<TextField>,
        regex: regex::Regex,
    },
    Status(Status),
    Finding(CheckId),
    Time {
        field: TimeField,
        cmp: Cmp,
    },
}

/// Lower-cased text to find, with its searcher built once per filter rather than once per
/// row searched.
#[derive(Debug, Clone)]
struct Needle {
    text: String,
    /// Boxed: a searcher is large beside the other tests.
    finder: Box<memchr::memmem::Finder<'static>>,
}

impl Needle {
    fn new(text: String) -> Needle {
        let finder = Box::new(memchr::memmem::Finder::new(text.as_bytes()).into_owned());
        Needle { text, finder }
    }

    fn as_str(&self) -> &str {
        &self.text
    }

    fn is_in(&self, haystack: &str) -> bool {
        self.finder.find(haystack.as_bytes()).is_some()
    }
}

/// A comparison of a time: how far it is from now (ago for lastused and created, ahead for
/// expires) against a duration, or whether it is `never`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Over { secs: i64, inclusive: bool },
    Under { secs: i64, inclusive: bool },
    Never,
}

/// A time field's value on a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Time {
    At(DateTime<Utc>),
    /// Never used, no expiry: older (or further) than anything.
    Never,
    /// Not known (never fetched, or the server did not say): matches no comparison.
    Unknown,
}

impl Time {
    /// A fetched credential's time for `field`: a missing last use or expiry is `never`
    /// (never used, no expiry); a missing creation time is not known.
    pub fn of_fetched(field: TimeField, t: Option<DateTime<Utc>>) -> Time {
        match (t, field) {
            (Some(t), _) => Time::At(t),
            (None, TimeField::Created) => Time::Unknown,
            (None, TimeField::LastUsed | TimeField::Expires) => Time::Never,
        }
    }
}

/// A row the filter can match: its fields as the user sees them.
pub trait Record {
    /// The field's text, sanitised and lower-cased ([`lower`]).
    fn text(&self, field: TextField) -> &str;
    /// The text of name, app, connector, client and id together, each apart from the next by
    /// a line break, if the record keeps it so: a word is then found in one search of it
    /// (and the status word) instead of one per field. `None`: field by field.
    fn searched_text(&self) -> Option<&str> {
        None
    }
    /// The flags the status groups are read from.
    fn flags(&self) -> Flags;
    /// The status shown.
    fn status(&self) -> Status;
    fn time(&self, field: TimeField) -> Time;
    /// Whether the row has a finding of this check. Rows that carry no findings answer
    /// false: `finding:` then matches nothing, and claims nothing.
    fn has_finding(&self, _check: CheckId) -> bool {
        false
    }
}

/// Lower-cases text the way the filter compares it (sanitised first, as it is drawn).
pub fn lower(s: &str) -> String {
    crate::text::Sanitized::new(s)
        .flat_map(char::to_lowercase)
        .collect()
}

impl Query {
    /// Parses a filter; the empty filter matches every row.
    pub fn parse(source: &str) -> Result<Query, QueryError> {
        let terms = parse::parse(source)?;
        Ok(Query {
            terms,
            source: source.to_string(),
        })
    }

    /// The filter as typed.
    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether every term holds for the row, `now` for the comparisons of times.
    pub fn matches(&self, r: &impl Record, now: DateTime<Utc>) -> bool {
        self.terms.iter().all(|t| matcher::holds(t, r, now))
    }

    /// Whether a term compares a time with now: its answer for a row can change as the
    /// clock goes on.
    pub fn reads_time(&self) -> bool {
        self.terms
            .iter()
            .any(|t| matches!(t.test, Test::Time { .. }))
    }

    /// The first instant after `now` at which the filter's answer for the row may change
    /// with the clock alone (its last use turning 90 days old under `lastused>90d`).
    pub fn turns_after(&self, r: &impl Record, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.terms
            .iter()
            .filter_map(|t| matcher::turns_after(t, r, now))
            .min()
    }

    /// Whether a term reads findings (the CLI computes them only then).
    pub fn uses_findings(&self) -> bool {
        self.terms
            .iter()
            .any(|t| matches!(t.test, Test::Finding(_)))
    }

    /// Where, in a cell's text as shown, what the filter looked for in the column's `field`
    /// is: the matched text of its words and regexes (not of excluded ones), as byte ranges
    /// in order.
    pub fn highlights(&self, shown: &str, field: TextField) -> Vec<Range<usize>> {
        highlights(self, shown, field)
    }
}

#[cfg(test)]
mod tests;

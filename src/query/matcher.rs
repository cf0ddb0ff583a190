//! Whether a term holds for a row, and where in a cell's text the filter's words matched.

use std::ops::Range;

use chrono::{DateTime, Utc};

use crate::audit::Status;

use super::{Cmp, Needle, Query, Record, Term, Test, TextField, Time, TimeField};

pub(super) fn holds(term: &Term, r: &impl Record, now: DateTime<Utc>) -> bool {
    test(&term.test, r, now) != term.negated
}

/// The first instant after `now` at which a time comparison of `term` may read otherwise
/// for the row: where its time is the duration away. Ages are counted in whole seconds,
/// so the second after that instant is a candidate too.
pub(super) fn turns_after(
    term: &Term,
    r: &impl Record,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let Test::Time { field, cmp } = term.test else {
        return None;
    };
    let (Time::At(at), Cmp::Over { secs, .. } | Cmp::Under { secs, .. }) = (r.time(field), cmp)
    else {
        return None;
    };
    let d = chrono::Duration::try_seconds(secs)?;
    let edge = match field {
        TimeField::LastUsed | TimeField::Created => at.checked_add_signed(d)?,
        TimeField::Expires => at.checked_sub_signed(d)?,
    };
    [
        Some(edge),
        edge.checked_add_signed(chrono::Duration::seconds(1)),
    ]
    .into_iter()
    .flatten()
    .find(|t| *t > now)
}

/// The text a field has on a row: the status word for `Status`.
fn text(r: &impl Record, field: TextField) -> &str {
    match field {
        TextField::Status => r.status().word(),
        f => r.text(f),
    }
}

fn fields(field: Option<TextField>) -> &'static [TextField] {
    match field {
        None => &TextField::SEARCHED,
        Some(TextField::Name) => &[TextField::Name],
        Some(TextField::App) => &[TextField::App],
        Some(TextField::Connector) => &[TextField::Connector],
        Some(TextField::Client) => &[TextField::Client],
        Some(TextField::Id) => &[TextField::Id],
        Some(TextField::Status) => &[TextField::Status],
    }
}

fn test(t: &Test, r: &impl Record, now: DateTime<Utc>) -> bool {
    match t {
        Test::Text {
            field: None,
            needle,
        } if !needle.as_str().contains('\n') => match r.searched_text() {
            Some(all) => needle.is_in(all) || needle.is_in(r.status().word()),
            None => any_field(r, None, needle),
        },
        Test::Text { field, needle } => any_field(r, *field, needle),
        Test::Regex { field, regex } => fields(*field).iter().any(|f| regex.is_match(text(r, *f))),
        Test::Status(s) => match r.status() {
            Status::NoCredential => *s == Status::NoCredential,
            _ => s.holds(r.flags()),
        },
        Test::Finding(check) => r.has_finding(*check),
        Test::Time { field, cmp } => time(*field, r.time(*field), *cmp, now),
    }
}

fn any_field(r: &impl Record, field: Option<TextField>, needle: &Needle) -> bool {
    fields(field).iter().any(|f| needle.is_in(text(r, *f)))
}

fn time(field: TimeField, t: Time, cmp: Cmp, now: DateTime<Utc>) -> bool {
    let secs = match t {
        Time::Unknown => return false,
        Time::Never => return matches!(cmp, Cmp::Never | Cmp::Over { .. }),
        Time::At(at) => match field {
            // How long ago.
            TimeField::LastUsed | TimeField::Created => (now - at).num_seconds(),
            // How long until.
            TimeField::Expires => (at - now).num_seconds(),
        },
    };
    match cmp {
        Cmp::Never => false,
        Cmp::Over { secs: d, inclusive } => secs > d || (inclusive && secs == d),
        Cmp::Under { secs: d, inclusive } => secs < d || (inclusive && secs == d),
    }
}

/// See [`Query::highlights`].
pub fn highlights(q: &Query, shown: &str, field: TextField) -> Vec<Range<usize>> {
    let (lowered, map) = lowered(shown);
    let mut out: Vec<Range<usize>> = Vec::new();
    for term in q.terms.iter().filter(|t| !t.negated) {
        let searched = |f: &Option<TextField>| fields(*f).contains(&field);
        match &term.test {
            Test::Text { field: f, needle } if searched(f) && !needle.as_str().is_empty() => {
                let needle = needle.as_str();
                for (at, _) in lowered.match_indices(needle) {
                    out.push(map[at]..map[at + needle.len()]);
                }
            }
            Test::Regex { field: f, regex } if searched(f) => {
                for m in regex.find_iter(&lowered).filter(|m| !m.is_empty()) {
                    out.push(map[m.start()]..map[m.end()]);
                }
            }
            _ => {}
        }
    }
    out.sort_by_key(|r| (r.start, r.end));
    // Overlapping matches become one.
    let mut merged: Vec<Range<usize>> = Vec::new();
    for r in out {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

/// The text lower-cased, and for each byte of it (and its end) the byte of `shown` its
/// character came from, so that a match maps back onto whole characters of what is shown.
fn lowered(shown: &str) -> (String, Vec<usize>) {
    let mut lowered = String::with_capacity(shown.len());
    let mut map = Vec::with_capacity(shown.len() + 1);
    for (at, c) in shown.char_indices() {
        for l in c.to_lowercase() {
            lowered.push(l);
            map.extend(std::iter::repeat_n(at, l.len_utf8()));
        }
    }
    map.push(shown.len());
    (lowered, map)
}

//! The search text of every row in one contiguous buffer, and the sort keys over it. Built so
//! that a filter keystroke or a sort over 100,000 rows reads memory in order and compares
//! small fixed-size keys, falling back to the exact comparison only on ties.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};

use super::rows::{Column, Entry, EntryKind, Flags, Sort, Status, push_lower};

/// Where one entry's text lies in the buffer: "name\napp\nconnector\nclient id\nid".
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    start: u32,
    /// The end of each of the five fields (absolute offsets).
    ends: [u32; 5],
}

pub const NAME: usize = 0;
pub const APP: usize = 1;
pub const CONNECTOR: usize = 2;
pub const CLIENT_ID: usize = 3;

/// A field for [`TextIndex::push`]: as it is, or already sanitised and lower-cased.
pub enum Field<'a> {
    Raw(&'a str),
    Lower(&'a str),
}

#[derive(Debug, Default)]
pub struct TextIndex {
    buf: String,
    spans: Vec<Span>,
    /// Bytes of the buffer no span points at any more.
    garbage: usize,
}

impl TextIndex {
    /// Room for `entries` entries and `bytes` bytes of text.
    pub fn with_capacity(entries: usize, bytes: usize) -> TextIndex {
        TextIndex {
            buf: String::with_capacity(bytes),
            spans: Vec::with_capacity(entries),
            garbage: 0,
        }
    }

    pub fn reserve(&mut self, entries: usize, bytes: usize) {
        self.spans.reserve(entries);
        self.buf.reserve(bytes);
    }

    /// Add an entry after the others.
    pub fn push(&mut self, fields: [Field; 5]) {
        let start = self.buf.len();
        let mut ends = [0u32; 5];
        for (f, field) in fields.into_iter().enumerate() {
            if f > 0 {
                self.buf.push('\n');
            }
            match field {
                Field::Raw(s) => push_lower(&mut self.buf, s),
                Field::Lower(s) => self.buf.push_str(s),
            }
            ends[f] = self.buf.len() as u32;
        }
        self.spans.push(Span {
            start: start as u32,
            ends,
        });
    }

    /// Add the entries of `other` after these, in order.
    pub fn append(&mut self, other: TextIndex) {
        if self.spans.is_empty() && self.buf.is_empty() {
            *self = other;
            return;
        }
        let shift = self.buf.len() as u32;
        self.buf.push_str(&other.buf);
        self.spans.extend(other.spans.into_iter().map(|s| Span {
            start: s.start + shift,
            ends: s.ends.map(|e| e + shift),
        }));
        self.garbage += other.garbage;
    }

    /// Forget the entries from `from` on whose flag in `keep` is not set; later entries
    /// move down. Their text becomes garbage.
    pub fn retain_tail(&mut self, from: usize, keep: &[bool]) {
        let mut k = 0;
        let mut dropped = 0;
        self.spans.retain(|s| {
            k += 1;
            let kept = k <= from || keep[k - 1 - from];
            if !kept {
                dropped += (s.ends[4] - s.start) as usize;
            }
            kept
        });
        self.garbage += dropped;
    }

    /// Set entry `i`'s fields (sanitised and lower-cased here). Entries are added in order.
    pub fn set(&mut self, i: u32, fields: [&str; 5]) {
        let start = self.buf.len();
        let mut ends = [0u32; 5];
        for (f, field) in fields.iter().enumerate() {
            if f > 0 {
                self.buf.push('\n');
            }
            push_lower(&mut self.buf, field);
            ends[f] = self.buf.len() as u32;
        }
        let span = Span {
            start: start as u32,
            ends,
        };
        let i = i as usize;
        if i == self.spans.len() {
            self.spans.push(span);
            return;
        }
        let old = self.spans[i];
        let old_text = &self.buf[old.start as usize..old.ends[4] as usize];
        if old_text == &self.buf[start..]
            && old.ends.map(|e| e - old.start) == ends.map(|e| e - span.start)
        {
            // Unchanged: forget what was just written.
            self.buf.truncate(start);
            return;
        }
        self.garbage += (old.ends[4] - old.start) as usize;
        self.spans[i] = span;
        if self.garbage > (1 << 20) && self.garbage > self.buf.len() / 2 {
            self.compact();
        }
    }

    /// Rewrite the buffer without the garbage, in entry order.
    fn compact(&mut self) {
        let mut buf = String::with_capacity(self.buf.len() - self.garbage);
        for s in &mut self.spans {
            let start = buf.len() as u32;
            buf.push_str(&self.buf[s.start as usize..s.ends[4] as usize]);
            let shift = s.start as i64 - start as i64;
            s.ends = s.ends.map(|e| (e as i64 - shift) as u32);
            s.start = start;
        }
        self.buf = buf;
        self.garbage = 0;
    }

    /// One field of an entry, lower-cased.
    pub fn field(&self, i: u32, f: usize) -> &str {
        let s = &self.spans[i as usize];
        let start = if f == 0 { s.start } else { s.ends[f - 1] + 1 };
        &self.buf[start as usize..s.ends[f] as usize]
    }

    /// Does entry `i`'s text contain `q` (already lower-cased)?
    pub fn matches(&self, i: u32, q: &str) -> bool {
        let s = &self.spans[i as usize];
        q.is_empty() || self.buf[s.start as usize..s.ends[4] as usize].contains(q)
    }

    /// Does entry `i`'s text contain what `finder` looks for?
    pub fn matches_with(&self, i: u32, finder: &memchr::memmem::Finder) -> bool {
        let s = &self.spans[i as usize];
        finder
            .find(&self.buf.as_bytes()[s.start as usize..s.ends[4] as usize])
            .is_some()
    }

    /// Which entries contain what `finder` looks for: one pass over the buffer in order.
    pub fn matching(&self, finder: &memchr::memmem::Finder) -> Vec<bool> {
        let buf = self.buf.as_bytes();
        self.spans
            .iter()
            .map(|s| {
                finder
                    .find(&buf[s.start as usize..s.ends[4] as usize])
                    .is_some()
            })
            .collect()
    }
}

fn unset_last<T: Ord>(a: Option<T>, b: Option<T>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(&b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

fn text_key(s: &str) -> Option<&str> {
    if s.is_empty() { None } else { Some(s) }
}

/// The exact ascending order of two entries by a column; the indices are the last key.
pub fn compare(entries: &[Entry], text: &TextIndex, a: u32, b: u32, column: Column) -> Ordering {
    let (ea, eb) = (&entries[a as usize], &entries[b as usize]);
    let field = |f| unset_last(text_key(text.field(a, f)), text_key(text.field(b, f)));
    let primary = match column {
        Column::Name => Ordering::Equal,
        Column::App => field(APP),
        Column::Connector => field(CONNECTOR),
        Column::ClientId => field(CLIENT_ID),
        Column::Created | Column::LastUsed | Column::Expires => {
            unset_last(ea.time(column), eb.time(column))
        }
        Column::Status => ea.status.cmp(&eb.status),
    };
    primary
        .then_with(|| field(NAME))
        .then_with(|| ea.kind.cmp(&eb.kind))
        .then_with(|| ea.row_id().cmp(eb.row_id()))
        .then_with(|| a.cmp(&b))
}

/// The order under a sort: ascending, or its exact reverse.
pub fn ordered(entries: &[Entry], text: &TextIndex, a: u32, b: u32, sort: Sort) -> Ordering {
    let o = compare(entries, text, a, b, sort.column);
    if sort.descending { o.reverse() } else { o }
}

/// Up to 8 bytes, big-endian, zero-padded.
fn raw8(s: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    let n = s.len().min(8);
    b[..n].copy_from_slice(&s[..n]);
    u64::from_be_bytes(b)
}

/// The first 8 bytes; the empty string (unset) sorts last. No UTF-8 text starts with 0xFF,
/// so no set string reaches `u64::MAX`.
fn prefix(s: &[u8]) -> u64 {
    if s.is_empty() { u64::MAX } else { raw8(s) }
}

/// Bytes 8..16 (or 16..24), zero when the string is shorter.
fn chunk(s: &[u8], from: usize) -> u64 {
    if s.len() > from { raw8(&s[from..]) } else { 0 }
}

fn time_key(t: Option<DateTime<Utc>>) -> u64 {
    match t {
        None => u64::MAX,
        Some(t) => {
            let nanos =
                (t.timestamp() as i128) * 1_000_000_000 + t.timestamp_subsec_nanos() as i128;
            let clamped = nanos.clamp(i64::MIN as i128, i64::MAX as i128) as i64;
            (clamped as u64) ^ (1 << 63)
        }
    }
}

/// A key whose order agrees with [`compare`] wherever two keys differ; equal keys fall back
/// to the exact comparison. (Each word is only consulted when the words before it are equal,
/// which is what makes the "shorter string" and "unset" cases line up; see the tests.)
/// Four words, so that names sharing their first 16 bytes ("baton-okta credential 1041")
/// still rarely tie: a tie costs an exact comparison that reads scattered memory.
pub type Key = (u64, u64, u64, u64);

pub fn sort_key(entries: &[Entry], text: &TextIndex, i: u32, column: Column) -> Key {
    let e = &entries[i as usize];
    let name = text.field(i, NAME).as_bytes();
    match column {
        Column::Name => (
            prefix(name),
            chunk(name, 8),
            chunk(name, 16),
            chunk(name, 24),
        ),
        Column::App | Column::Connector | Column::ClientId => {
            let f = match column {
                Column::App => APP,
                Column::Connector => CONNECTOR,
                _ => CLIENT_ID,
            };
            let field = text.field(i, f).as_bytes();
            // Past 16 bytes the field itself must break ties, not the name: its next bytes
            // come after a word above any name's.
            if field.len() > 16 {
                (prefix(field), chunk(field, 8), u64::MAX, chunk(field, 16))
            } else {
                (prefix(field), chunk(field, 8), prefix(name), chunk(name, 8))
            }
        }
        Column::Created | Column::LastUsed | Column::Expires => (
            time_key(e.time(column)),
            prefix(name),
            chunk(name, 8),
            chunk(name, 16),
        ),
        Column::Status => (
            e.status as u64,
            prefix(name),
            chunk(name, 8),
            chunk(name, 16),
        ),
    }
}

/// Sort entry indices under `sort`. `group` gives, for the app and connector columns, the
/// app or connector an entry belongs to: those names are shared by many rows, so they are
/// ranked once per group and the rows sort on the rank. Names are ranked once per sort too
/// (see [`name_ranks`]), so every column but the client id sorts on a key of its own value
/// and the name's rank, and two keys tie only for equal names.
pub fn sort(
    entries: &[Entry],
    text: &TextIndex,
    items: Vec<u32>,
    sort: Sort,
    group: impl Fn(u32) -> u32,
) -> Vec<u32> {
    let column = sort.column;
    let names = match column {
        Column::ClientId => Vec::new(),
        _ => name_ranks(text, &items, entries.len()),
    };
    let name = |i: u32| names[i as usize] as u64;
    let keyed: Vec<(Key, u32)> = match column {
        Column::App | Column::Connector => {
            let f = if column == Column::App {
                APP
            } else {
                CONNECTOR
            };
            let ranks = rank_groups(text, &items, f, &group);
            items
                .into_iter()
                .map(|i| ((ranks[group(i) as usize], name(i), 0, 0), i))
                .collect()
        }
        Column::ClientId => items
            .into_iter()
            .map(|i| (sort_key(entries, text, i, column), i))
            .collect(),
        Column::Name => items.into_iter().map(|i| ((name(i), 0, 0, 0), i)).collect(),
        Column::Created | Column::LastUsed | Column::Expires => items
            .into_iter()
            .map(|i| {
                (
                    (time_key(entries[i as usize].time(column)), name(i), 0, 0),
                    i,
                )
            })
            .collect(),
        Column::Status => items
            .into_iter()
            .map(|i| ((entries[i as usize].status as u64, name(i), 0, 0), i))
            .collect(),
    };
    let cmp = |a: &(Key, u32), b: &(Key, u32)| {
        a.0.cmp(&b.0)
            .then_with(|| compare(entries, text, a.1, b.1, sort.column))
    };
    let keyed = if sort.descending {
        sorted_by(keyed, |a, b| cmp(b, a))
    } else {
        sorted_by(keyed, cmp)
    };
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Below this many items a sort stays on one thread.
const PARALLEL_SORT: usize = 16_384;

/// `items` sorted by `cmp` (a total order: the result does not depend on how it is made).
/// A large sort is split in two halves sorted on two threads, then merged.
fn sorted_by<T, F>(mut items: Vec<T>, cmp: F) -> Vec<T>
where
    T: Copy + Send,
    F: Fn(&T, &T) -> Ordering + Sync,
{
    let parallel = items.len() >= PARALLEL_SORT
        && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    if !parallel {
        items.sort_unstable_by(&cmp);
        return items;
    }
    let mid = items.len() / 2;
    let (a, b) = items.split_at_mut(mid);
    std::thread::scope(|scope| {
        let first = scope.spawn(|| a.sort_unstable_by(&cmp));
        b.sort_unstable_by(&cmp);
        first
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
    });
    let (a, b) = items.split_at(mid);
    let mut out = Vec::with_capacity(items.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if cmp(&b[j], &a[i]).is_lt() {
            out.push(b[j]);
            j += 1;
        } else {
            out.push(a[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// The rank of each item's name in the order [`compare`] puts names in: equal names get
/// equal ranks, the empty name (unset) ranks last. Indexed by entry; entries not among
/// `items` get `u32::MAX`. Names are sorted on their first 32 bytes, then each run of equal
/// prefixes on the next 32, and so on, so that names sharing a long prefix ("baton-azure-
/// infrastructure credential 25654") cost no comparison that reads scattered memory.
pub fn name_ranks(text: &TextIndex, items: &[u32], entries: usize) -> Vec<u32> {
    let mut ranks = vec![u32::MAX; entries];
    let keyed: Vec<(Key, u32)> = items
        .iter()
        .map(|&i| (name_words(text.field(i, NAME).as_bytes(), 0), i))
        .collect();
    let mut keyed = sorted_by(keyed, |a, b| a.cmp(b));
    let mut next = 0;
    rank_runs(text, &mut keyed, 32, &mut next, &mut ranks);
    ranks
}

/// 32 bytes of a name from `at`, as a key; at 0 the empty name is above every other.
fn name_words(name: &[u8], at: usize) -> Key {
    let first = if at == 0 {
        prefix(name)
    } else {
        chunk(name, at)
    };
    (
        first,
        chunk(name, at + 8),
        chunk(name, at + 16),
        chunk(name, at + 24),
    )
}

/// Rank sorted `keyed` items (keyed by the name bytes before `at`): a run of equal keys is
/// one name if none is longer than `at`, else it is sorted again on the next bytes.
fn rank_runs(
    text: &TextIndex,
    keyed: &mut [(Key, u32)],
    at: usize,
    next: &mut u32,
    ranks: &mut [u32],
) {
    let mut start = 0;
    while start < keyed.len() {
        let key = keyed[start].0;
        let mut end = start + 1;
        while end < keyed.len() && keyed[end].0 == key {
            end += 1;
        }
        let run = &mut keyed[start..end];
        if run.len() > 1 && run.iter().any(|&(_, i)| text.field(i, NAME).len() > at) {
            for item in run.iter_mut() {
                item.0 = name_words(text.field(item.1, NAME).as_bytes(), at);
            }
            run.sort_unstable();
            rank_runs(text, run, at + 32, next, ranks);
        } else {
            for &(_, i) in run.iter() {
                ranks[i as usize] = *next;
            }
            *next += 1;
        }
        start = end;
    }
}

/// The rank of each group's text in field `f`: equal texts get equal ranks, the empty text
/// (unset) ranks last.
fn rank_groups(text: &TextIndex, items: &[u32], f: usize, group: &impl Fn(u32) -> u32) -> Vec<u64> {
    let size = items
        .iter()
        .map(|&i| group(i) as usize + 1)
        .max()
        .unwrap_or(0);
    let mut first = vec![u32::MAX; size];
    let mut groups: Vec<(&str, u32)> = Vec::new();
    for &i in items {
        let g = group(i);
        if first[g as usize] == u32::MAX {
            first[g as usize] = i;
            groups.push((text.field(i, f), g));
        }
    }
    groups.sort_unstable();
    let mut ranks = vec![u64::MAX; size];
    let mut rank = 0u64;
    for (n, (t, g)) in groups.iter().enumerate() {
        if n > 0 && groups[n - 1].0 != *t {
            rank += 1;
        }
        ranks[*g as usize] = if t.is_empty() { u64::MAX } else { rank };
    }
    ranks
}

/// What the view admits without reading the entry: kept beside the entries, small and dense.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hot {
    pub kind: EntryKind,
    pub flags: Flags,
    pub status: Status,
    pub removed: bool,
}

impl Hot {
    pub fn of(e: &Entry) -> Hot {
        Hot {
            kind: e.kind,
            flags: e.flags,
            status: e.status,
            removed: e.removed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_order_like_the_strings() {
        let words = [
            "",
            "a",
            "ab",
            "abcdefgh",
            "abcdefghi",
            "abcdefgi",
            "b",
            "é",
            "日本",
        ];
        for a in words {
            for b in words {
                let (ka, kb) = (prefix(a.as_bytes()), prefix(b.as_bytes()));
                let exact = unset_last(text_key(a), text_key(b));
                if ka != kb {
                    assert_eq!(ka.cmp(&kb), exact, "{a:?} {b:?}");
                }
            }
        }
    }

    #[test]
    fn keys_agree_with_the_exact_order_wherever_they_differ() {
        use crate::api::ConnectorCredential;
        use crate::model::CredentialKey;
        let strings = [
            "",
            "a",
            "ab",
            "abcdefgh",
            "abcdefghi",
            "abcdefghijklmnop",
            "abcdefghijklmnopq",
            "abcdefghijklmnopz",
            "abcdefghijklmnopqrstuvwx",
            "abcdefghijklmnopqrstuvwxy",
            "abcdefghijklmnopqrstuvwxz",
            "abcdefghijklmnopqrstuvwxyz0123",
            "abcdefgi",
            "b",
            "é",
            "日本",
        ];
        let mut entries = Vec::new();
        let mut text = TextIndex::default();
        let mut n = 0u32;
        for name in strings {
            for field in strings {
                let mut e = Entry::new(
                    EntryKind::Credential,
                    CredentialKey {
                        app_id: "a".into(),
                        connector_id: "k".into(),
                        credential_id: format!("id{n:03}"),
                    },
                    Some(ConnectorCredential::default()),
                );
                e.status = if n.is_multiple_of(3) {
                    Status::Active
                } else {
                    Status::Idle
                };
                text.set(n, [name, field, field, field, &e.key.credential_id]);
                entries.push(e);
                n += 1;
            }
        }
        for column in Column::ALL {
            for a in 0..n {
                for b in 0..n {
                    let (ka, kb) = (
                        sort_key(&entries, &text, a, column),
                        sort_key(&entries, &text, b, column),
                    );
                    if ka != kb {
                        assert_eq!(
                            ka.cmp(&kb),
                            compare(&entries, &text, a, b, column),
                            "{column:?} {a} {b}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn sorts_agree_with_the_exact_order() {
        use crate::api::ConnectorCredential;
        use crate::model::CredentialKey;
        // Names, apps and client ids sharing long prefixes, unset ones, equal ones.
        let stems = [
            "",
            "baton-azure-infrastructure credential ",
            "baton-azure-infrastructure credential 1",
            "baton-azure-infrastructure-prod-eu-west-and-more-words credential ",
            "baton-aws credential ",
            "b",
        ];
        let mut entries = Vec::new();
        let mut text = TextIndex::default();
        let mut state = 7u64;
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        for n in 0..(PARALLEL_SORT as u32 + 600) {
            let stem = stems[next(stems.len() as u64) as usize];
            let name = if stem.is_empty() || next(4) == 0 {
                stem.to_string()
            } else {
                format!("{stem}{}", next(40))
            };
            let app = stems[next(stems.len() as u64) as usize];
            let client = format!("{}{}", stems[next(stems.len() as u64) as usize], next(3));
            let mut e = Entry::new(
                if next(10) == 0 {
                    EntryKind::Connector
                } else {
                    EntryKind::Credential
                },
                CredentialKey {
                    app_id: "a".into(),
                    connector_id: format!("k{}", next(3)),
                    credential_id: format!("id{}", next(50)),
                },
                Some(ConnectorCredential {
                    created_at: chrono::DateTime::from_timestamp(next(5) as i64, 0),
                    ..ConnectorCredential::default()
                }),
            );
            e.status = [Status::Active, Status::Idle, Status::Expired][next(3) as usize];
            text.set(n, [&name, app, app, &client, e.row_id()]);
            entries.push(e);
        }
        let items: Vec<u32> = (0..entries.len() as u32).collect();
        for column in Column::ALL {
            for descending in [false, true] {
                let sort_by = Sort { column, descending };
                let fast = sort(&entries, &text, items.clone(), sort_by, |i| {
                    // Groups: one per distinct app text.
                    stems
                        .iter()
                        .position(|s| {
                            *s == text.field(
                                i,
                                if column == Column::Connector {
                                    CONNECTOR
                                } else {
                                    APP
                                },
                            )
                        })
                        .unwrap_or(0) as u32
                });
                let mut exact = items.clone();
                exact.sort_by(|&a, &b| ordered(&entries, &text, a, b, sort_by));
                assert_eq!(fast, exact, "{column:?} descending {descending}");
            }
        }
    }

    #[test]
    fn text_is_reused_when_unchanged_and_compacted_when_stale() {
        let mut t = TextIndex::default();
        t.set(0, ["Name", "App", "Conn", "client@x", "id0"]);
        t.set(1, ["other", "", "", "", "id1"]);
        let len = t.buf.len();
        t.set(0, ["Name", "App", "Conn", "client@x", "id0"]);
        assert_eq!(t.buf.len(), len);
        assert_eq!(t.field(0, APP), "app");
        assert_eq!(t.field(1, NAME), "other");
        assert_eq!(t.field(1, APP), "");
        t.set(0, ["New", "App", "Conn", "client@x", "id0"]);
        assert_eq!(t.field(0, NAME), "new");
        assert!(t.garbage > 0);
        t.compact();
        assert_eq!(t.garbage, 0);
        assert_eq!(t.field(0, NAME), "new");
        assert_eq!(t.field(1, 4), "id1");
        assert!(t.matches(0, "client@"));
        assert!(!t.matches(0, "other"));
        assert_eq!(
            t.matching(&memchr::memmem::Finder::new("id")),
            vec![true, true]
        );
    }
}

/// Finds things by a hash of their ids without storing the ids again: a table of hash ->
/// the newest item with it, and a chain to older items with the same hash. The caller
/// confirms a candidate by comparing the real ids. Compact, and no allocation per lookup.
#[derive(Debug, Default)]
pub struct HashIndex {
    heads: std::collections::HashMap<u64, u32, std::hash::BuildHasherDefault<Prehashed>>,
    next: Vec<u32>,
}

/// No item.
pub const NONE: u32 = u32::MAX;

impl HashIndex {
    pub fn with_capacity(items: usize) -> HashIndex {
        HashIndex {
            heads: std::collections::HashMap::with_capacity_and_hasher(items, Default::default()),
            next: Vec::with_capacity(items),
        }
    }

    pub fn find(&self, hash: u64, mut is: impl FnMut(u32) -> bool) -> Option<u32> {
        let mut c = *self.heads.get(&hash)?;
        while c != NONE {
            if is(c) {
                return Some(c);
            }
            c = self.next[c as usize];
        }
        None
    }

    /// Add item `id` under `hash`.
    pub fn insert(&mut self, hash: u64, id: u32) {
        let prev = self.heads.insert(hash, id).unwrap_or(NONE);
        if self.next.len() <= id as usize {
            self.next.resize(id as usize + 1, NONE);
        }
        self.next[id as usize] = prev;
    }
}

/// A hasher for keys that are hashes already.
#[derive(Debug, Default)]
pub struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | b as u64;
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

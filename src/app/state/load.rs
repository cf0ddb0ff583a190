//! Loading a stored inventory: the apps and connectors first, then the credentials made
//! into entries a run at a time on any thread (at start, on the threads that decode the
//! inventory as it is read: `Store::snapshot_chunked`), then all of it put in place at once.

use chrono::{DateTime, Utc};

use super::{
    Entry, EntryKind, HashIndex, Hot, Rows, State, TextIndex, Thresholds, earliest, held, index,
};
use crate::api::{App, Connector};
use crate::app::rows::{flags_change_at, push_lower};
use crate::model::KnownCredential;

/// A stored inventory on its way into the rows: the apps and connectors in place, and what
/// making a run of credentials into entries needs. Runs are made on many threads at once.
pub struct Loading {
    rows: Rows,
    /// The slots of listed connectors: each has a row until a credential of it is tracked.
    covered: Vec<u32>,
    table: SlotTable,
    now: DateTime<Utc>,
    thresholds: Thresholds,
}

/// A stored inventory made into rows, ready to replace what the dashboard shows.
pub struct Loaded {
    loading: Loading,
    credentials: Prepared,
}

impl std::fmt::Debug for Loaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loaded")
            .field("connectors", &self.loading.rows.slots.len())
            .field("credentials", &self.credentials.entries.len())
            .finish()
    }
}

impl Loading {
    /// Puts the apps and connectors in place; `now` and `thresholds` are the state's (see
    /// [`State::now_and_thresholds`]), for the credentials' flags.
    pub fn new(
        now: DateTime<Utc>,
        thresholds: Thresholds,
        apps: Vec<App>,
        connectors: Vec<Connector>,
    ) -> Loading {
        let mut rows = Rows::default();
        for a in apps {
            rows.set_app(a);
        }
        let mut covered = Vec::with_capacity(connectors.len());
        for k in connectors {
            if let (Some(app), Some(id)) = (k.app_id.clone(), k.id.clone()) {
                let s = rows.slot_of(&app, &id);
                rows.slots[s as usize].connector = Some(Box::new(k));
                covered.push(s);
            }
        }
        let table = SlotTable::new(&rows);
        Loading {
            rows,
            covered,
            table,
            now,
            thresholds,
        }
    }

    /// Makes a run into entries, leaving `credentials` emptied.
    fn prepare_run(&self, credentials: &mut [KnownCredential]) -> Prepared {
        let mut run = Prepared::with_capacity(credentials.len());
        run.add(
            &self.rows,
            &self.table,
            credentials,
            self.now,
            self.thresholds,
        );
        run
    }

    /// The credentials, made by [`Loading::prepare`] (runs joined in order by
    /// [`Prepared::append`]).
    pub fn finish(self, credentials: Prepared) -> Loaded {
        Loaded {
            loading: self,
            credentials,
        }
    }

    /// Makes the credentials into entries in `parts` runs on as many threads.
    fn prepare_in_parts(&self, mut credentials: Vec<KnownCredential>, parts: usize) -> Prepared {
        let per = credentials.len().div_ceil(parts).max(1);
        let runs: Vec<Prepared> = std::thread::scope(|scope| {
            let handles: Vec<_> = credentials
                .chunks_mut(per)
                .map(|chunk| scope.spawn(move || self.prepare_run(chunk)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        // Emptied, but giving back its memory takes milliseconds: not before the first frame.
        std::thread::spawn(move || drop(credentials));
        let mut all = Prepared::empty();
        for run in runs {
            all.append(run);
        }
        all
    }
}

impl State {
    /// Replace everything with the stored inventory.
    pub(crate) fn load(
        &mut self,
        apps: Vec<App>,
        connectors: Vec<Connector>,
        credentials: Vec<KnownCredential>,
    ) {
        let parts = if credentials.len() < PARALLEL_LOAD {
            1
        } else {
            std::thread::available_parallelism()
                .map_or(1, |p| p.get())
                .clamp(1, 8)
        };
        self.load_in_parts(apps, connectors, credentials, parts);
    }

    /// [`State::load`], the credentials made into entries in `parts` runs on as many
    /// threads (one: one by one, on this thread).
    pub(super) fn load_in_parts(
        &mut self,
        apps: Vec<App>,
        connectors: Vec<Connector>,
        credentials: Vec<KnownCredential>,
        parts: usize,
    ) {
        let (now, t) = self.now_and_thresholds();
        let loading = Loading::new(now, t, apps, connectors);
        if parts > 1 {
            let prepared = loading.prepare_in_parts(credentials, parts);
            self.put_loaded(loading.finish(prepared));
            return;
        }
        self.replace_rows(loading, |state| {
            let n = credentials.len();
            state.rows.entries.reserve(n);
            state.rows.hot.reserve(n);
            state.rows.key_index = HashIndex::with_capacity(n);
            for c in credentials {
                state.push_entry(known_entry(c));
            }
        });
    }

    /// Replace everything with an inventory loaded off the event loop.
    pub(crate) fn put_loaded(&mut self, loaded: Loaded) {
        let Loaded {
            loading,
            credentials,
        } = loaded;
        self.replace_rows(loading, |state| state.place(credentials));
    }

    /// Replaces the rows with the loading's apps and connectors, has `fill` add the
    /// credentials, and keeps the selection on the same row if it is still there.
    fn replace_rows(&mut self, loading: Loading, fill: impl FnOnce(&mut State)) {
        let selected = self.selected_row_key();
        self.rows = loading.rows;
        fill(self);
        for s in loading.covered {
            self.ensure_slot_row(s);
        }
        self.rebuild();
        if let Some(k) = selected {
            self.select_row_key(&k);
        }
    }

    /// Puts prepared entries after the rows' own, as [`State::push_entry`] would one by one
    /// (same entries, indices and text).
    fn place(&mut self, prepared: Prepared) {
        let rows = &mut self.rows;
        let base = rows.entries.len() as u32;
        let n = prepared.entries.len();
        if rows.entries.is_empty() {
            rows.key_index = HashIndex::with_capacity(n);
        }
        rows.flags_due = earliest(rows.flags_due, prepared.flags_due);
        adopt_or_extend(&mut rows.entries, prepared.entries);
        adopt_or_extend(&mut rows.hot, prepared.hot);
        rows.text.append(prepared.text);
        let (mut hashes, mut found) = (prepared.hashes, prepared.slots);
        // Index the keys; a key seen before is dropped, as `push_entry` drops it.
        let mut keep: Option<Vec<bool>> = None;
        for (k, &h) in hashes.iter().enumerate() {
            let i = base + k as u32;
            if !rows.insert_key_hashed(h, i) {
                keep.get_or_insert_with(|| vec![true; n])[k] = false;
            }
        }
        if let Some(keep) = keep {
            let b = base as usize;
            retain_tail(&mut rows.entries, b, &keep);
            retain_tail(&mut rows.hot, b, &keep);
            retain_tail(&mut hashes, 0, &keep);
            retain_tail(&mut found, 0, &keep);
            rows.text.retain_tail(b, &keep);
            // Indices moved: index the keys again.
            rows.key_index = HashIndex::with_capacity(rows.entries.len());
            for (i, e) in rows.entries.iter().enumerate() {
                if e.kind == EntryKind::Credential {
                    rows.key_index.insert(rows.hash_key(&e.key), i as u32);
                }
            }
        }
        // Connectors first seen on a credential get their slot now, in order.
        for (k, &s) in found.iter().enumerate() {
            let i = base + k as u32;
            let s = if s == index::NONE {
                let key = &rows.entries[i as usize].key;
                let (app, conn) = (key.app_id.clone(), key.connector_id.clone());
                rows.slot_of(&app, &conn)
            } else {
                s
            };
            rows.entries[i as usize].slot = s;
            rows.slots[s as usize].credentials.push(i);
        }
        for h in &rows.hot[base as usize..] {
            rows.counts.apply_parts(h.kind, h.flags, h.removed, 1);
        }
    }
}

/// Below this many credentials the load runs on one thread: starting threads would cost
/// more than they save.
const PARALLEL_LOAD: usize = 8192;

/// Keep the items of `v` from `from` on whose flag in `keep` is set (and all before `from`).
fn retain_tail<T>(v: &mut Vec<T>, from: usize, keep: &[bool]) {
    let mut k = 0;
    v.retain(|_| {
        k += 1;
        k <= from || keep[k - 1 - from]
    });
}

/// A stored credential as an entry, moved out of the slice (which keeps empty strings).
fn taken_entry(c: &mut KnownCredential) -> Entry {
    let key = std::mem::take(&mut c.key);
    let mut e = Entry::new(EntryKind::Credential, key, c.last.take().map(held));
    e.gone = c.gone;
    e.fetched_at = c.fetched_at;
    e
}

/// A stored credential as an entry, not yet placed.
fn known_entry(c: KnownCredential) -> Entry {
    let mut e = Entry::new(EntryKind::Credential, c.key, c.last.map(held));
    e.gone = c.gone;
    e.fetched_at = c.fetched_at;
    e
}

/// A run of stored credentials made into entries, on any thread: what [`State::put_loaded`]
/// then puts in place.
pub struct Prepared {
    entries: Vec<Entry>,
    hot: Vec<Hot>,
    text: TextIndex,
    /// Each entry's key hash.
    hashes: Vec<u64>,
    /// Each entry's connector slot, or `index::NONE` when the connector has none yet.
    slots: Vec<u32>,
    /// The earliest `flags_change_at` of these entries.
    flags_due: Option<DateTime<Utc>>,
}

/// `more` after what `v` holds; taken over as it is when `v` is empty (no copy).
fn adopt_or_extend<T>(v: &mut Vec<T>, more: Vec<T>) {
    if v.is_empty() {
        *v = more;
    } else {
        v.extend(more);
    }
}

impl Prepared {
    /// Nothing yet, to [`append`](Prepared::append) runs to.
    pub fn empty() -> Prepared {
        Prepared::with_capacity(0)
    }

    /// Adds a run made after this one.
    pub fn append(&mut self, run: Prepared) {
        self.flags_due = earliest(self.flags_due, run.flags_due);
        adopt_or_extend(&mut self.entries, run.entries);
        adopt_or_extend(&mut self.hot, run.hot);
        self.text.append(run.text);
        adopt_or_extend(&mut self.hashes, run.hashes);
        adopt_or_extend(&mut self.slots, run.slots);
    }

    fn with_capacity(n: usize) -> Prepared {
        Prepared {
            entries: Vec::with_capacity(n),
            hot: Vec::with_capacity(n),
            text: TextIndex::with_capacity(n, n * 96),
            hashes: Vec::with_capacity(n),
            slots: Vec::with_capacity(n),
            flags_due: None,
        }
    }

    fn add(
        &mut self,
        rows: &Rows,
        table: &SlotTable,
        credentials: &mut [KnownCredential],
        now: DateTime<Utc>,
        t: Thresholds,
    ) {
        use index::Field::{Lower, Raw};
        let n = credentials.len();
        self.entries.reserve(n);
        self.hot.reserve(n);
        self.text.reserve(n, n * 96);
        for c in credentials {
            let mut e = taken_entry(c);
            e.derive_flags(now, t);
            self.flags_due = earliest(self.flags_due, flags_change_at(e.last.as_ref(), now, t));
            let h = rows.hash_slot(&e.key.app_id, &e.key.connector_id);
            let s = table.find(h, &e.key.app_id, &e.key.connector_id);
            let name = Raw(e.display_name().unwrap_or(""));
            let client = Raw(e.client_id().unwrap_or(""));
            let id = Raw(e.row_id());
            let fields = match s {
                Some(s) => {
                    let (app, conn) = table.names(s);
                    [name, Lower(app), Lower(conn), client, id]
                }
                // A connector not listed yet: its name is its id; the app may be known.
                None => [
                    name,
                    Raw(rows.app_name(&e.key.app_id)),
                    Raw(&e.key.connector_id),
                    client,
                    id,
                ],
            };
            self.text.push(fields);
            self.hot.push(Hot::of(&e));
            self.hashes.push(rows.hash_key(&e.key));
            self.slots.push(s.unwrap_or(index::NONE));
            self.entries.push(e);
        }
    }
}

/// Every connector slot's ids and the lower-cased names its rows show, packed in one buffer,
/// with an open-addressing table over them: built once per load (a few milliseconds for
/// 30,000 connectors), so that finding a credential's slot and copying its names read two
/// nearby places instead of five scattered ones.
struct SlotTable {
    text: String,
    /// Per slot: where its app id, connector id, app name and connector name end in `text`
    /// (each starts where the one before ends; the first at the end of the slot before).
    ends: Vec<[u32; 4]>,
    /// Power-of-two sized; each cell is `(hash >> 32) << 32 | slot`, or `EMPTY`.
    cells: Vec<u64>,
}

impl SlotTable {
    const EMPTY: u64 = u64::MAX;

    fn new(rows: &Rows) -> SlotTable {
        let n = rows.slots.len();
        let size = (n * 2).next_power_of_two().max(16);
        let mut t = SlotTable {
            text: String::with_capacity(n * 64),
            ends: Vec::with_capacity(n),
            cells: vec![Self::EMPTY; size],
        };
        // The lower-cased app names, once per app.
        let mut app_names = String::new();
        let mut app_ends = Vec::with_capacity(rows.apps.len());
        for a in &rows.apps {
            let name = a
                .app
                .as_ref()
                .and_then(|a| a.display_name.as_deref())
                .unwrap_or(&a.id);
            push_lower(&mut app_names, name);
            app_ends.push(app_names.len());
        }
        for (s, slot) in rows.slots.iter().enumerate() {
            let app = &rows.apps[slot.app as usize];
            t.text.push_str(&app.id);
            let a = t.text.len() as u32;
            t.text.push_str(&slot.id);
            let c = t.text.len() as u32;
            let i = slot.app as usize;
            let from = if i == 0 { 0 } else { app_ends[i - 1] };
            t.text.push_str(&app_names[from..app_ends[i]]);
            let an = t.text.len() as u32;
            let name = slot
                .connector
                .as_ref()
                .and_then(|c| c.display_name.as_deref())
                .unwrap_or(&slot.id);
            push_lower(&mut t.text, name);
            t.ends.push([a, c, an, t.text.len() as u32]);
            let h = rows.hash_slot(&app.id, &slot.id);
            let mask = size - 1;
            let mut at = (h as usize) & mask;
            while t.cells[at] != Self::EMPTY {
                at = (at + 1) & mask;
            }
            t.cells[at] = (h >> 32) << 32 | s as u64;
        }
        t
    }

    fn start(&self, s: usize) -> usize {
        if s == 0 {
            0
        } else {
            self.ends[s - 1][3] as usize
        }
    }

    /// The slot of a connector, given `Rows::hash_slot` of its ids.
    fn find(&self, h: u64, app_id: &str, connector_id: &str) -> Option<u32> {
        let mask = self.cells.len() - 1;
        let mut at = (h as usize) & mask;
        loop {
            let cell = self.cells[at];
            if cell == Self::EMPTY {
                return None;
            }
            if cell >> 32 == h >> 32 {
                let s = (cell & 0xFFFF_FFFF) as usize;
                let [a, c, _, _] = self.ends[s];
                let start = self.start(s);
                if &self.text[start..a as usize] == app_id
                    && &self.text[a as usize..c as usize] == connector_id
                {
                    return Some(s as u32);
                }
            }
            at = (at + 1) & mask;
        }
    }

    /// The lower-cased app and connector names of a slot's rows.
    fn names(&self, s: u32) -> (&str, &str) {
        let [_, c, an, cn] = self.ends[s as usize];
        (
            &self.text[c as usize..an as usize],
            &self.text[an as usize..cn as usize],
        )
    }
}

//! What the dashboard knows of the tenant: apps and connectors by id, and one row per tracked
//! credential, plus one per known connector with no tracked credential (a coverage row, whose
//! key has an empty credential id). Plain maps; what a row holds is `row.rs`.

mod row;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use foldhash::fast::RandomState;
use indexmap::IndexMap;

use crate::api::{App, Connector, ConnectorCredential};
use crate::audit::{self, Counts, Flags, Status, Thresholds};
use crate::model::{CredentialKey, KnownCredential, Snapshot, Source};

use super::findings::ByRow;

use row::Sorted;
pub use row::{Change, Entry, EntryKind, Field, Pending, Row, SearchText, lower_query};

/// The maps hash with foldhash, several times faster than the default SipHash on these short
/// ids: loading 100,000 rows hashes each key several times. Its random per-process seed
/// leaves a hostile server no fixed set of colliding ids to send.
type Map<K, V> = HashMap<K, V, RandomState>;

#[derive(Debug, Default)]
struct AppEntry {
    app: Option<App>,
    connectors: Map<String, ConnectorEntry>,
}

#[derive(Debug, Default)]
struct ConnectorEntry {
    connector: Option<Connector>,
    /// Tracked credentials of the connector (rows are never removed).
    credentials: usize,
}

#[derive(Debug, Default)]
pub struct Inventory {
    apps: Map<String, AppEntry>,
    rows: IndexMap<CredentialKey, Row, RandomState>,
    pub counts: Counts,
    /// No row's flags can change before this instant; `None`: none can change at all.
    pub flags_due: Option<DateTime<Utc>>,
}

/// What a row keeps of a fetched credential: not its secret (a new one is shown once, from
/// the rotate's result), nor its three ids (the key holds them).
fn held(mut c: ConnectorCredential) -> ConnectorCredential {
    c.client_secret = None;
    c.id = None;
    c.app_id = None;
    c.connector_id = None;
    c
}

/// An inventory being made from the stored one as it is read, part by part (see
/// `Store::snapshot_in_parts`): each part's rows are made when it comes, while the next is
/// still being read. Every row is judged against the time the first part came, and again
/// at the finish if the clock moved on since.
#[derive(Debug, Default)]
pub struct Loading {
    inv: Inventory,
    now: Option<DateTime<Utc>>,
}

impl Loading {
    /// Makes a part's rows: a credential twice is taken once. The apps and connectors come
    /// with the first part, before the rows that show their names.
    pub fn add(&mut self, part: Snapshot, now: DateTime<Utc>, t: Thresholds) {
        let now = *self.now.get_or_insert(now);
        let inv = &mut self.inv;
        for a in part.apps {
            if let Some(id) = a.id.clone() {
                inv.apps.entry(id).or_default().app = Some(a);
            }
        }
        for k in part.connectors {
            if let (Some(app), Some(id)) = (k.app_id.clone(), k.id.clone()) {
                inv.connector_entry(&app, &id).connector = Some(k);
            }
        }
        let first_new = inv.rows.len();
        inv.rows.reserve(part.credentials.len());
        for KnownCredential {
            key,
            last,
            gone,
            fetched_at,
            ..
        } in part.credentials
        {
            if inv.rows.contains_key(&key) {
                continue;
            }
            inv.connector_entry(&key.app_id, &key.connector_id)
                .credentials += 1;
            let mut row = Row::new(EntryKind::Credential);
            row.last = last.map(held);
            row.gone = gone;
            row.fetched_at = fetched_at;
            inv.rows.insert(key, row);
        }
        for i in first_new..inv.rows.len() {
            inv.derive(i, now, t);
        }
    }

    /// The inventory, with a row for each known connector no credential is tracked on, its
    /// rows judged at `now`. Its counts are made by the caller's [`Inventory::recount`].
    pub fn finish(self, now: DateTime<Utc>, t: Thresholds) -> Inventory {
        let mut inv = self.inv;
        if self.now.is_some_and(|judged| judged != now) {
            inv.rederive_flags(now, t);
        }
        let uncovered: Vec<CredentialKey> = inv
            .apps
            .iter()
            .flat_map(|(app, a)| {
                a.connectors
                    .iter()
                    .filter(|(_, k)| k.credentials == 0 && k.connector.is_some())
                    .map(move |(id, _)| CredentialKey::new(app, id, ""))
            })
            .collect();
        let first_new = inv.rows.len();
        for key in uncovered {
            inv.rows.insert(key, Row::new(EntryKind::Connector));
        }
        for i in first_new..inv.rows.len() {
            inv.derive(i, now, t);
        }
        inv
    }
}

impl Inventory {
    fn connector_entry(&mut self, app: &str, connector: &str) -> &mut ConnectorEntry {
        // Looked up before an owned key is made: nearly every call finds the entry.
        if !self.apps.contains_key(app) {
            self.apps.insert(app.to_string(), AppEntry::default());
        }
        let connectors = &mut self.apps.get_mut(app).expect("just made").connectors;
        if !connectors.contains_key(connector) {
            connectors.insert(connector.to_string(), ConnectorEntry::default());
        }
        connectors.get_mut(connector).expect("just made")
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The row at a position (positions move only when rows are added or removed).
    pub fn at(&self, i: usize) -> Entry<'_> {
        let (key, row) = self.rows.get_index(i).expect("a row's position");
        Entry { key, row }
    }

    pub fn entries(&self) -> impl Iterator<Item = Entry<'_>> {
        self.rows.iter().map(|(key, row)| Entry { key, row })
    }

    pub fn position(&self, key: &CredentialKey) -> Option<usize> {
        self.rows.get_index_of(key)
    }

    /// A tracked credential's row.
    pub fn get(&self, key: &CredentialKey) -> Option<Entry<'_>> {
        let (_, key, row) = self.rows.get_full(key)?;
        (row.kind == EntryKind::Credential).then_some(Entry { key, row })
    }

    /// Apps the server has described (not ids only seen on credentials).
    pub fn known_apps(&self) -> usize {
        self.apps.values().filter(|a| a.app.is_some()).count()
    }

    pub fn app(&self, app_id: &str) -> Option<&App> {
        self.apps.get(app_id)?.app.as_ref()
    }

    pub fn app_name<'a>(&'a self, app_id: &'a str) -> &'a str {
        self.app(app_id)
            .and_then(|a| a.display_name.as_deref())
            .unwrap_or(app_id)
    }

    pub fn connector(&self, app_id: &str, connector_id: &str) -> Option<&Connector> {
        self.apps
            .get(app_id)?
            .connectors
            .get(connector_id)?
            .connector
            .as_ref()
    }

    pub fn connector_name<'a>(&'a self, app_id: &str, connector_id: &'a str) -> &'a str {
        self.connector(app_id, connector_id)
            .and_then(|c| c.display_name.as_deref())
            .unwrap_or(connector_id)
    }

    /// Live tracked credentials of a connector ([`Flags::may_work`]).
    pub fn live_credentials(&self, app_id: &str, connector_id: &str) -> usize {
        self.credentials_of(app_id, connector_id)
            .filter(|e| e.flags.may_work())
            .count()
    }

    /// Tracked credentials of a connector.
    pub fn credentials_of<'a>(
        &'a self,
        app_id: &'a str,
        connector_id: &'a str,
    ) -> impl Iterator<Item = Entry<'a>> {
        self.entries().filter(move |e| {
            e.kind == EntryKind::Credential
                && e.key.app_id == app_id
                && e.key.connector_id == connector_id
        })
    }

    /// [`Inventory::live_credentials`] of every connector, in one pass.
    pub fn live_by_connector(&self) -> HashMap<(&str, &str), usize> {
        let mut live = HashMap::new();
        let credentials = self.entries().filter(|e| e.kind == EntryKind::Credential);
        for e in credentials.filter(|e| e.flags.may_work()) {
            *live
                .entry((e.key.app_id.as_str(), e.key.connector_id.as_str()))
                .or_default() += 1;
        }
        live
    }

    pub fn marked(&self) -> usize {
        self.rows.values().filter(|r| r.marked).count()
    }

    /// Recomputes the counts and when flags can next change.
    pub fn recount(&mut self, now: DateTime<Utc>, t: Thresholds) {
        let mut counts = Counts::default();
        let mut due = None;
        for row in self.rows.values() {
            match row.kind {
                EntryKind::Connector => counts.connectors_without += 1,
                EntryKind::Credential => {
                    counts.add(row.flags);
                    due = earliest(due, audit::flags_change_at(row.last.as_ref(), now, t));
                }
            }
        }
        self.counts = counts;
        self.flags_due = due;
    }

    /// Re-derives row `i`'s flags, status and search text from its data and the names it
    /// shows.
    fn derive(&mut self, i: usize, now: DateTime<Utc>, t: Thresholds) {
        let (key, row) = self.rows.get_index(i).expect("a row's position");
        let app = self.app_name(&key.app_id);
        let connector = self.connector_name(&key.app_id, &key.connector_id);
        let row_id = match row.kind {
            EntryKind::Credential => key.credential_id.as_str(),
            EntryKind::Connector => key.connector_id.as_str(),
        };
        let search = SearchText::new([
            row.display_name().unwrap_or(""),
            app,
            connector,
            row.client_id().unwrap_or(""),
            row_id,
        ]);
        let (flags, status) = match row.kind {
            EntryKind::Connector => (Flags::empty(), Status::NoCredential),
            EntryKind::Credential => {
                let f = audit::flags_of(row.last.as_ref(), row.gone, now, t);
                (f, Status::of(f))
            }
        };
        let (_, row) = self.rows.get_index_mut(i).expect("a row's position");
        row.search = search;
        row.flags = flags;
        row.status = status;
    }

    /// Changes one credential's row through `f` (adding the row when the credential is new),
    /// then re-derives it. Says what changed.
    pub fn change_credential(
        &mut self,
        key: &CredentialKey,
        now: DateTime<Utc>,
        t: Thresholds,
        f: impl FnOnce(&mut Row),
    ) -> Change {
        let mut change = Change::default();
        let i = match self.rows.get_index_of(key) {
            Some(i) => i,
            None => {
                change.merge(self.add_credential(key.clone()));
                self.rows.get_index_of(key).expect("just added")
            }
        };
        let before = Sorted::of(&self.rows[i]);
        let row = &mut self.rows[i];
        f(row);
        if let Some(c) = row.last.take() {
            row.last = Some(held(c));
        }
        self.derive(i, now, t);
        change.merge(before.against(&self.rows[i]));
        change
    }

    fn add_credential(&mut self, key: CredentialKey) -> Change {
        let entry = self.connector_entry(&key.app_id, &key.connector_id);
        entry.credentials += 1;
        let covered = CredentialKey::new(&key.app_id, &key.connector_id, "");
        // The connector has a credential now: its coverage row goes.
        self.rows.shift_remove(&covered);
        self.rows.insert(key, Row::new(EntryKind::Credential));
        Change {
            shape: true,
            ..Change::default()
        }
    }

    /// Records a listed app; its rows show the new name.
    pub fn set_app(&mut self, app: App, now: DateTime<Utc>, t: Thresholds) -> Change {
        let Some(id) = app.id.clone() else {
            return Change::default();
        };
        let entry = self.apps.entry(id.clone()).or_default();
        let renamed = entry.app.as_ref().map(|a| &a.display_name) != Some(&app.display_name);
        entry.app = Some(app);
        if !renamed {
            return Change::default();
        }
        self.rederive_where(now, t, |k| k.app_id == id)
    }

    /// Records a listed connector of `app_id`: its rows show the new name, and a connector
    /// with no tracked credential gets a coverage row.
    pub fn set_connector(
        &mut self,
        app_id: &str,
        mut connector: Connector,
        now: DateTime<Utc>,
        t: Thresholds,
    ) -> Change {
        let Some(id) = connector.id.clone() else {
            return Change::default();
        };
        let app = connector
            .app_id
            .get_or_insert_with(|| app_id.to_string())
            .clone();
        let entry = self.connector_entry(&app, &id);
        let renamed =
            entry.connector.as_ref().map(|k| &k.display_name) != Some(&connector.display_name);
        let uncovered = entry.credentials == 0;
        entry.connector = Some(connector);
        let mut change = Change::default();
        let covered = CredentialKey::new(&app, &id, "");
        if uncovered && !self.rows.contains_key(&covered) {
            self.rows.insert(covered, Row::new(EntryKind::Connector));
            let i = self.rows.len() - 1;
            self.derive(i, now, t);
            change.shape = true;
        }
        if renamed {
            change.merge(self.rederive_where(now, t, |k| k.app_id == app && k.connector_id == id));
        }
        change
    }

    fn rederive_where(
        &mut self,
        now: DateTime<Utc>,
        t: Thresholds,
        of: impl Fn(&CredentialKey) -> bool,
    ) -> Change {
        let mut change = Change::default();
        for i in 0..self.rows.len() {
            let (key, row) = self.rows.get_index(i).expect("a row's position");
            if !of(key) {
                continue;
            }
            let before = Sorted::of(row);
            self.derive(i, now, t);
            change.merge(before.against(&self.rows[i]));
        }
        change
    }

    /// Re-derives every credential's flags against `now`; says whether any changed.
    pub fn rederive_flags(&mut self, now: DateTime<Utc>, t: Thresholds) -> Change {
        let mut change = Change::default();
        for row in self.rows.values_mut() {
            if row.kind != EntryKind::Credential {
                continue;
            }
            let flags = audit::flags_of(row.last.as_ref(), row.gone, now, t);
            if flags != row.flags {
                row.flags = flags;
                row.status = Status::of(flags);
                change.flags = true;
                change.order = true;
            }
        }
        change
    }

    pub fn set_marked(&mut self, i: usize, marked: bool) {
        let row = &mut self.rows[i];
        if row.kind == EntryKind::Credential {
            row.marked = marked;
        }
    }

    pub fn clear_marks(&mut self) {
        for row in self.rows.values_mut() {
            row.marked = false;
        }
    }

    /// What the rows hold, as the inventory's snapshot, for the audit's checks (which read
    /// neither where an id was learned nor when: the rows do not keep them).
    pub fn snapshot(&self) -> Snapshot {
        let apps = self.apps.values().filter_map(|a| a.app.clone()).collect();
        let connectors = self
            .apps
            .values()
            .flat_map(|a| a.connectors.values())
            .filter_map(|k| k.connector.clone())
            .collect();
        let credentials = self
            .rows
            .iter()
            .filter(|(_, r)| r.kind == EntryKind::Credential)
            .map(|(key, r)| KnownCredential {
                key: key.clone(),
                source: Source::Manual,
                learned_at: DateTime::<Utc>::UNIX_EPOCH,
                last: r.last.clone(),
                gone: r.gone,
                fetched_at: r.fetched_at,
            })
            .collect();
        Snapshot {
            apps,
            connectors,
            credentials,
        }
    }

    /// Puts each row's findings on it (none for a row not in `by_row`). A row whose findings
    /// changed may move under a sort or a view.
    pub fn set_findings(&mut self, mut by_row: ByRow) -> Change {
        let mut change = Change::default();
        for (key, row) in self.rows.iter_mut() {
            let new = by_row.remove(key).unwrap_or_default();
            if new != row.findings {
                row.findings = new;
                change.findings = true;
            }
        }
        change
    }

    /// When the newest row was fetched, as stored or since.
    pub fn newest_fetch(&self) -> Option<DateTime<Utc>> {
        self.rows.values().filter_map(|r| r.fetched_at).max()
    }
}

fn earliest(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

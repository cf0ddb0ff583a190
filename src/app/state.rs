//! What is on screen: rows, sort, filter, selection (by row, not by position), modals, toasts,
//! the error history, refresh progress and `now`. Only `update` changes it; the drawing reads it.

use std::collections::{BTreeSet, HashMap, VecDeque};

use chrono::{DateTime, Utc};

use crate::api::{App, Connector, ConnectorCredential, SecretString};

use super::keymap::Keymap;
use super::msg::{CredentialKey, JournalLine};
use super::rows::{self, Column, Counts, Entry, EntryKind, Flags, Sort, Status, Thresholds, View};

/// How the dashboard is set up; the runtime builds it from the command line and settings.
#[derive(Debug, Clone)]
pub struct Options {
    pub host: String,
    pub profile: String,
    pub read_only: bool,
    /// A credential expiring within this many days is "expiring soon".
    pub expiring_soon_days: i64,
    /// A credential last used longer ago than this is "idle".
    pub idle_days: i64,
    /// Revoking a credential used within this many days needs a typed confirmation.
    pub recent_use_days: i64,
    /// False when NO_COLOR is set: symbols and modifiers only.
    pub color: bool,
    pub keymap: Keymap,
}

impl Options {
    pub fn new(host: impl Into<String>, profile: impl Into<String>) -> Options {
        Options {
            host: host.into(),
            profile: profile.into(),
            ..Options::default()
        }
    }

    pub fn thresholds(&self) -> Thresholds {
        Thresholds {
            expiring_soon_days: self.expiring_soon_days,
            idle_days: self.idle_days,
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            host: String::new(),
            profile: "default".to_string(),
            read_only: false,
            expiring_soon_days: 7,
            idle_days: 90,
            recent_use_days: 7,
            color: true,
            keymap: Keymap::default(),
        }
    }
}

/// How long toasts stay, in seconds of `now`.
pub const TOAST_SECONDS: i64 = 4;
pub const ERROR_TOAST_SECONDS: i64 = 8;
/// The error history keeps this many entries.
pub const ERROR_HISTORY: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub text: String,
    pub error: bool,
    pub until: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorRecord {
    pub at: DateTime<Utc>,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct RefreshState {
    /// The generation of the refresh running now.
    pub running: Option<u64>,
    /// A refresh was asked for while one ran: start it when that one is done.
    pub queued: bool,
    /// Credential Gets the running refresh will make, and how many have answered.
    pub total: usize,
    pub done: usize,
    /// Credential Gets of the running refresh that failed.
    pub failed: usize,
    /// Other failures of the running refresh (listing apps, connectors).
    pub errors: usize,
    /// When the last refresh finished; `None` means the rows are the stored snapshot only.
    pub last_done: Option<DateTime<Utc>>,
    pub(crate) last_generation: u64,
}

/// The revoke confirm dialog. Everything it acts on is captured when it opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokeDialog {
    pub key: CredentialKey,
    pub name: Option<String>,
    pub client_id: Option<String>,
    pub last_used: Option<DateTime<Utc>>,
    pub app_name: String,
    pub connector_name: String,
    /// Set when the user must type the last characters of the client id, then Enter.
    pub typed: Option<TypedConfirm>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedConfirm {
    pub expected: String,
    pub input: String,
    /// Why a typed confirmation is needed ("used 2 days ago", "last live credential").
    pub reasons: Vec<String>,
    /// Enter was pressed with the wrong text.
    pub mismatch: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotateDialog {
    pub app_id: String,
    pub connector_id: String,
    pub app_name: String,
    pub connector_name: String,
    /// Live tracked credentials of the connector now.
    pub live: usize,
}

/// A credential in a bulk plan or run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanItem {
    pub key: CredentialKey,
    pub name: Option<String>,
    pub client_id: Option<String>,
    pub flags: Flags,
    pub status: Status,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkPlan {
    pub targets: Vec<PlanItem>,
    /// Marked but not revoked: already revoked or gone, or being revoked.
    pub skipped: Vec<(PlanItem, &'static str)>,
    pub input: String,
    pub mismatch: bool,
    pub scroll: usize,
}

/// The word a bulk revoke must be confirmed with.
pub const BULK_WORD: &str = "revoke";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkOutcome {
    Pending,
    Revoked,
    AlreadyGone,
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkRun {
    pub items: Vec<(PlanItem, BulkOutcome)>,
    pub skipped: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BulkSummary {
    pub pending: usize,
    pub revoked: usize,
    pub already_gone: usize,
    pub failed: usize,
}

impl BulkRun {
    pub fn summary(&self) -> BulkSummary {
        let mut s = BulkSummary::default();
        for (_, o) in &self.items {
            match o {
                BulkOutcome::Pending => s.pending += 1,
                BulkOutcome::Revoked => s.revoked += 1,
                BulkOutcome::AlreadyGone => s.already_gone += 1,
                BulkOutcome::Failed(_) => s.failed += 1,
            }
        }
        s
    }

    pub fn finished(&self) -> bool {
        self.summary().pending == 0
    }
}

/// A new credential's secret, shown once. Dropping this zeroizes the secret.
#[derive(Debug)]
pub struct SecretView {
    pub app_id: String,
    pub connector_id: String,
    pub credential_id: String,
    pub client_id: Option<String>,
    pub name: Option<String>,
    pub(crate) secret: SecretString,
    pub revealed: bool,
    /// A close key was pressed once: the next one closes for good.
    pub close_armed: bool,
}

impl SecretView {
    /// What the modal shows: masked (`secret-token:conductorone.com:v1:••••••••`, never
    /// revealing the length) unless revealed.
    pub fn shown(&self) -> String {
        let s = self.secret.expose();
        if self.revealed {
            return s.to_string();
        }
        let prefix = if s.starts_with("secret-token:") {
            s.rfind(':').map(|i| &s[..=i]).unwrap_or("")
        } else {
            ""
        };
        format!("{prefix}••••••••")
    }
}

#[derive(Debug)]
pub enum Modal {
    Help {
        scroll: usize,
    },
    Errors {
        scroll: usize,
    },
    Journal {
        lines: Option<Vec<JournalLine>>,
        scroll: usize,
    },
    Revoke(RevokeDialog),
    Rotate(RotateDialog),
    BulkPlan(BulkPlan),
    /// The progress and summary of the current bulk run (`State::bulk`).
    Bulk {
        scroll: usize,
    },
}

/// The rows and the indices over them.
#[derive(Debug, Default)]
pub struct Rows {
    pub entries: Vec<Entry>,
    pub apps: HashMap<String, App>,
    pub connectors: HashMap<(String, String), Connector>,
    pub(crate) by_key: HashMap<CredentialKey, u32>,
    pub(crate) connector_rows: HashMap<(String, String), u32>,
    pub(crate) by_app: HashMap<String, Vec<u32>>,
    /// Every live entry, in sort order.
    pub sorted: Vec<u32>,
    /// The entries the view and the filter admit, in sort order: what the table shows.
    pub visible: Vec<u32>,
    pub counts: Counts,
    pub marked: usize,
}

impl Rows {
    pub fn app_name<'a>(&'a self, app_id: &'a str) -> &'a str {
        self.apps
            .get(app_id)
            .and_then(|a| a.display_name.as_deref())
            .unwrap_or(app_id)
    }

    pub fn connector_name<'a>(&'a self, app_id: &str, connector_id: &'a str) -> &'a str {
        self.connectors
            .get(&(app_id.to_string(), connector_id.to_string()))
            .and_then(|c| c.display_name.as_deref())
            .unwrap_or(connector_id)
    }

    pub fn connector(&self, app_id: &str, connector_id: &str) -> Option<&Connector> {
        self.connectors
            .get(&(app_id.to_string(), connector_id.to_string()))
    }

    pub fn index_of(&self, key: &CredentialKey) -> Option<u32> {
        self.by_key.get(key).copied()
    }

    pub fn get(&self, key: &CredentialKey) -> Option<&Entry> {
        self.index_of(key).map(|i| &self.entries[i as usize])
    }

    /// Tracked credential entries of a connector.
    pub fn credentials_of(&self, app_id: &str, connector_id: &str) -> Vec<u32> {
        self.by_app
            .get(app_id)
            .map(|v| {
                v.iter()
                    .copied()
                    .filter(|&i| {
                        let e = &self.entries[i as usize];
                        e.kind == EntryKind::Credential
                            && !e.removed
                            && e.key.connector_id == connector_id
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[derive(Debug)]
pub struct State {
    pub options: Options,
    pub now: DateTime<Utc>,
    /// The terminal size, from `Msg::Resize`.
    pub width: u16,
    pub height: u16,
    pub rows: Rows,
    /// Has the inventory arrived yet?
    pub loaded: bool,
    pub sort: Sort,
    pub view: View,
    /// The filter as typed.
    pub filter: String,
    pub(crate) filter_lower: String,
    /// Typing into the filter.
    pub filter_editing: bool,
    /// The selected row, by entry index (a stable handle, see [`Entry`]).
    pub(crate) selected: Option<u32>,
    /// Its position in `rows.visible`.
    pub cursor: usize,
    /// The first visible row drawn.
    pub offset: usize,
    pub detail: bool,
    pub modal: Option<Modal>,
    /// New secrets waiting to be seen; the first is drawn over everything and takes the keys.
    pub secrets: VecDeque<SecretView>,
    pub toasts: Vec<Toast>,
    pub errors: Vec<ErrorRecord>,
    pub refresh: RefreshState,
    pub bulk: Option<BulkRun>,
    /// Connectors (app id, connector id) with a rotate in flight.
    pub rotating: BTreeSet<(String, String)>,
    /// Advances with every tick while something runs.
    pub spinner: usize,
    pub(crate) quit: bool,
}

impl State {
    pub fn new(options: Options, now: DateTime<Utc>) -> State {
        State {
            options,
            now,
            width: 80,
            height: 24,
            rows: Rows::default(),
            loaded: false,
            sort: Sort::default(),
            view: View::All,
            filter: String::new(),
            filter_lower: String::new(),
            filter_editing: false,
            selected: None,
            cursor: 0,
            offset: 0,
            detail: false,
            modal: None,
            secrets: VecDeque::new(),
            toasts: Vec::new(),
            errors: Vec::new(),
            refresh: RefreshState::default(),
            bulk: None,
            rotating: BTreeSet::new(),
            spinner: 0,
            quit: false,
        }
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    pub fn thresholds(&self) -> Thresholds {
        self.options.thresholds()
    }

    /// The rows are the stored snapshot, not yet confirmed by a refresh.
    pub fn is_current(&self) -> bool {
        self.refresh.last_done.is_some()
    }

    pub fn selected_index(&self) -> Option<u32> {
        self.selected
    }

    pub fn selected_entry(&self) -> Option<&Entry> {
        self.selected.map(|i| &self.rows.entries[i as usize])
    }

    /// The entries of the visible rows, in order.
    pub fn visible_entries(&self) -> impl Iterator<Item = &Entry> + '_ {
        self.rows
            .visible
            .iter()
            .map(|&i| &self.rows.entries[i as usize])
    }

    /// The row ids (credential id, or connector id for connector rows) in visible order.
    pub fn visible_ids(&self) -> Vec<String> {
        self.visible_entries()
            .map(|e| e.row_id().to_string())
            .collect()
    }

    pub fn entry(&self, i: u32) -> &Entry {
        &self.rows.entries[i as usize]
    }

    /// How many rows of the table fit on screen now.
    pub fn page_height(&self) -> usize {
        let l = super::layout::layout(
            ratatui::layout::Rect::new(0, 0, self.width, self.height),
            self,
        );
        (l.rows.height as usize).max(1)
    }

    /// The first row to draw: `offset`, moved as little as needed to show the cursor.
    pub fn effective_offset(&self, page: usize) -> usize {
        let len = self.rows.visible.len();
        let page = page.max(1);
        let mut off = self.offset.min(len.saturating_sub(page));
        if self.cursor < off {
            off = self.cursor;
        } else if self.cursor >= off + page {
            off = self.cursor + 1 - page;
        }
        off
    }

    // ---- changing rows: only `update` calls these ----

    pub(crate) fn now_and_thresholds(&self) -> (DateTime<Utc>, Thresholds) {
        (self.now, self.thresholds())
    }

    fn derive(&mut self, i: u32) {
        let (now, t) = self.now_and_thresholds();
        let e = &self.rows.entries[i as usize];
        let app = self.rows.app_name(&e.key.app_id).to_string();
        let conn = self
            .rows
            .connector_name(&e.key.app_id, &e.key.connector_id)
            .to_string();
        let e = &mut self.rows.entries[i as usize];
        e.derive_flags(now, t);
        e.derive_text(&app, &conn);
    }

    /// Add an entry (derived, counted, indexed). Does not place it in the order: callers
    /// reposition or rebuild.
    fn push_entry(&mut self, entry: Entry) -> u32 {
        let i = self.rows.entries.len() as u32;
        let app = entry.key.app_id.clone();
        match entry.kind {
            EntryKind::Credential => {
                self.rows.by_key.insert(entry.key.clone(), i);
            }
            EntryKind::Connector => {
                self.rows.connector_rows.insert(
                    (entry.key.app_id.clone(), entry.key.connector_id.clone()),
                    i,
                );
            }
        }
        self.rows.entries.push(entry);
        self.rows.by_app.entry(app).or_default().push(i);
        self.derive(i);
        let e = &self.rows.entries[i as usize];
        self.rows.counts.apply(e, 1);
        i
    }

    /// Replace everything with the stored inventory.
    pub(crate) fn load(
        &mut self,
        apps: Vec<App>,
        connectors: Vec<Connector>,
        credentials: Vec<super::msg::KnownCredential>,
    ) {
        let selected_id = self.selected_row_key();
        self.rows = Rows::default();
        for a in apps {
            if let Some(id) = a.id.clone() {
                self.rows.apps.insert(id, a);
            }
        }
        for k in connectors {
            if let (Some(app), Some(id)) = (k.app_id.clone(), k.id.clone()) {
                self.rows.connectors.insert((app, id), k);
            }
        }
        for c in credentials {
            if self.rows.by_key.contains_key(&c.key) {
                continue;
            }
            let mut e = Entry::new(EntryKind::Credential, c.key, c.last.map(strip_secret));
            e.gone = c.gone;
            e.fetched_at = c.fetched_at;
            self.push_entry(e);
        }
        let mut keys: Vec<(String, String)> = self.rows.connectors.keys().cloned().collect();
        keys.sort();
        for (app, conn) in keys {
            self.ensure_connector_row(&app, &conn);
        }
        self.rebuild();
        if let Some(k) = selected_id {
            self.select_row_key(&k);
        }
    }

    /// A connector with no tracked credential gets a row; one with a credential loses it.
    /// Returns true when an entry was added or removed.
    fn ensure_connector_row(&mut self, app: &str, conn: &str) -> Option<u32> {
        let has_credential = !self.rows.credentials_of(app, conn).is_empty();
        let pair = (app.to_string(), conn.to_string());
        let row = self.rows.connector_rows.get(&pair).copied();
        match (has_credential, row) {
            (false, None) => {
                if !self.rows.connectors.contains_key(&pair) {
                    return None;
                }
                let key = CredentialKey {
                    app_id: app.to_string(),
                    connector_id: conn.to_string(),
                    credential_id: String::new(),
                };
                Some(self.push_entry(Entry::new(EntryKind::Connector, key, None)))
            }
            (true, Some(i)) => {
                self.rows.connector_rows.remove(&pair);
                let e = &self.rows.entries[i as usize];
                self.rows.counts.apply(e, -1);
                self.rows.entries[i as usize].removed = true;
                if self.rows.entries[i as usize].marked {
                    self.rows.entries[i as usize].marked = false;
                    self.rows.marked -= 1;
                }
                Some(i)
            }
            _ => None,
        }
    }

    /// Change one credential's data through `f`, then re-derive, recount and reposition it.
    /// Adds the credential when it is not tracked yet.
    pub(crate) fn change_credential(
        &mut self,
        key: &CredentialKey,
        f: impl FnOnce(&mut Entry),
    ) -> u32 {
        let i = match self.rows.by_key.get(key) {
            Some(&i) => i,
            None => {
                let i = self.push_entry(Entry::new(EntryKind::Credential, key.clone(), None));
                self.reposition(i);
                if let Some(c) = self.ensure_connector_row(&key.app_id, &key.connector_id) {
                    self.reposition(c);
                }
                i
            }
        };
        let e = &self.rows.entries[i as usize];
        self.rows.counts.apply(e, -1);
        f(&mut self.rows.entries[i as usize]);
        if let Some(c) = self.rows.entries[i as usize].last.as_mut() {
            c.client_secret = None;
        }
        self.derive(i);
        let e = &self.rows.entries[i as usize];
        self.rows.counts.apply(e, 1);
        self.reposition(i);
        i
    }

    /// Update names after apps or connectors arrived; re-derive the entries of `app_ids`.
    pub(crate) fn rename(&mut self, app_ids: &[String]) {
        let mut touched = Vec::new();
        for app in app_ids {
            if let Some(v) = self.rows.by_app.get(app).cloned() {
                for i in v {
                    let e = &self.rows.entries[i as usize];
                    if e.removed {
                        continue;
                    }
                    let before = (e.haystack.clone(), e.ends);
                    self.derive(i);
                    let e = &self.rows.entries[i as usize];
                    if (e.haystack.as_str(), e.ends) != (before.0.as_str(), before.1) {
                        touched.push(i);
                    }
                }
            }
        }
        self.reposition_many(&touched);
    }

    /// Add connector rows for connectors of these pairs that have no credential.
    pub(crate) fn cover_connectors(&mut self, pairs: &[(String, String)]) {
        let mut touched = Vec::new();
        for (app, conn) in pairs {
            if let Some(i) = self.ensure_connector_row(app, conn) {
                touched.push(i);
            }
        }
        self.reposition_many(&touched);
    }

    fn reposition_many(&mut self, touched: &[u32]) {
        if touched.len() > 256 {
            self.rebuild();
        } else {
            for &i in touched {
                self.reposition(i);
            }
        }
    }

    /// Recompute every flag against `now` (after a tick). Cheap; reorders only on change.
    pub(crate) fn rederive_flags(&mut self) {
        let (now, t) = self.now_and_thresholds();
        let mut changed = Vec::new();
        for (i, e) in self.rows.entries.iter_mut().enumerate() {
            if e.removed {
                continue;
            }
            let before = e.flags;
            if e.derive_flags(now, t) {
                self.rows.counts.apply_parts(e.kind, before, false, -1);
                self.rows.counts.apply(e, 1);
                changed.push(i as u32);
            }
        }
        if !changed.is_empty() && (self.sort.column == Column::Status || self.view != View::All) {
            self.reposition_many(&changed);
        }
    }

    fn admits(&self, i: u32) -> bool {
        let e = &self.rows.entries[i as usize];
        !e.removed && self.view.admits(e.kind, e.flags) && e.matches(&self.filter_lower)
    }

    fn in_place(&self, v: &[u32], p: usize) -> bool {
        let i = v[p];
        let e = &self.rows.entries[i as usize];
        let before_ok = p == 0 || {
            let j = v[p - 1];
            rows::ordered(&self.rows.entries[j as usize], j, e, i, self.sort).is_lt()
        };
        let after_ok = p + 1 >= v.len() || {
            let j = v[p + 1];
            rows::ordered(e, i, &self.rows.entries[j as usize], j, self.sort).is_lt()
        };
        before_ok && after_ok
    }

    fn insertion_point(&self, v: &[u32], i: u32) -> usize {
        let e = &self.rows.entries[i as usize];
        v.partition_point(|&j| {
            rows::ordered(&self.rows.entries[j as usize], j, e, i, self.sort).is_lt()
        })
    }

    /// Put one entry where it belongs in `sorted` and `visible`, keeping the selection.
    pub(crate) fn reposition(&mut self, i: u32) {
        let line = self.cursor.saturating_sub(self.offset);
        let removed = self.rows.entries[i as usize].removed;
        let mut sorted = std::mem::take(&mut self.rows.sorted);
        let pos = sorted.iter().position(|&x| x == i);
        match (pos, removed) {
            (Some(p), true) => {
                sorted.remove(p);
            }
            (Some(p), false) if !self.in_place(&sorted, p) => {
                sorted.remove(p);
                let at = self.insertion_point(&sorted, i);
                sorted.insert(at, i);
            }
            (None, false) => {
                let at = self.insertion_point(&sorted, i);
                sorted.insert(at, i);
            }
            _ => {}
        }
        self.rows.sorted = sorted;
        let admit = self.admits(i);
        let mut visible = std::mem::take(&mut self.rows.visible);
        let pos = visible.iter().position(|&x| x == i);
        match (pos, admit) {
            (Some(p), false) => {
                visible.remove(p);
            }
            (Some(p), true) if !self.in_place(&visible, p) => {
                visible.remove(p);
                let at = self.insertion_point(&visible, i);
                visible.insert(at, i);
            }
            (None, true) => {
                let at = self.insertion_point(&visible, i);
                visible.insert(at, i);
            }
            _ => {}
        }
        self.rows.visible = visible;
        self.sync_selection(line);
    }

    /// Sort everything again (the sort changed, or much data did).
    pub(crate) fn rebuild(&mut self) {
        let line = self.cursor.saturating_sub(self.offset);
        let entries = &self.rows.entries;
        let mut sorted: Vec<u32> = (0..entries.len() as u32)
            .filter(|&i| !entries[i as usize].removed)
            .collect();
        let sort = self.sort;
        sorted.sort_unstable_by(|&a, &b| {
            rows::ordered(&entries[a as usize], a, &entries[b as usize], b, sort)
        });
        self.rows.sorted = sorted;
        self.refilter_from(false, line);
    }

    /// The view or the filter changed. `narrowing`: the new filter contains the old one and
    /// the view did not change, so only the visible rows need checking.
    pub(crate) fn refilter(&mut self, narrowing: bool) {
        let line = self.cursor.saturating_sub(self.offset);
        self.refilter_from(narrowing, line);
    }

    fn refilter_from(&mut self, narrowing: bool, line: usize) {
        let source = if narrowing {
            std::mem::take(&mut self.rows.visible)
        } else {
            self.rows.sorted.clone()
        };
        let visible: Vec<u32> = source.into_iter().filter(|&i| self.admits(i)).collect();
        self.rows.visible = visible;
        self.sync_selection(line);
    }

    pub(crate) fn set_filter(&mut self, filter: String) {
        let lower = rows::lower_query(&filter);
        let narrowing = lower.contains(self.filter_lower.as_str());
        self.filter = filter;
        self.filter_lower = lower;
        self.refilter(narrowing);
    }

    /// After `visible` changed: keep the selected row if it is still there (and on the same
    /// screen line), else select the row now at the cursor's position.
    fn sync_selection(&mut self, line: usize) {
        let len = self.rows.visible.len();
        if len == 0 {
            self.cursor = 0;
            self.offset = 0;
            return;
        }
        let found = self
            .selected
            .and_then(|s| self.rows.visible.iter().position(|&x| x == s));
        match found {
            Some(p) => self.cursor = p,
            None => {
                self.cursor = self.cursor.min(len - 1);
                self.selected = Some(self.rows.visible[self.cursor]);
            }
        }
        self.offset = self.cursor.saturating_sub(line);
        let page = self.page_height();
        self.offset = self.effective_offset(page);
    }

    /// Select the visible row at a position.
    pub(crate) fn select_at(&mut self, pos: usize) {
        let len = self.rows.visible.len();
        if len == 0 {
            return;
        }
        self.cursor = pos.min(len - 1);
        self.selected = Some(self.rows.visible[self.cursor]);
        let page = self.page_height();
        self.offset = self.effective_offset(page);
    }

    /// Select an entry if it is visible. Returns whether it is.
    pub(crate) fn select_entry(&mut self, i: u32) -> bool {
        match self.rows.visible.iter().position(|&x| x == i) {
            Some(p) => {
                self.select_at(p);
                true
            }
            None => false,
        }
    }

    /// What identifies the selected row across a reload.
    pub fn selected_row_key(&self) -> Option<(EntryKind, CredentialKey)> {
        self.selected_entry().map(|e| (e.kind, e.key.clone()))
    }

    fn select_row_key(&mut self, k: &(EntryKind, CredentialKey)) {
        let i = match k.0 {
            EntryKind::Credential => self.rows.by_key.get(&k.1).copied(),
            EntryKind::Connector => self
                .rows
                .connector_rows
                .get(&(k.1.app_id.clone(), k.1.connector_id.clone()))
                .copied(),
        };
        if let Some(i) = i {
            self.selected = Some(i);
            self.select_entry(i);
        }
    }

    pub(crate) fn set_marked(&mut self, i: u32, marked: bool) {
        let e = &mut self.rows.entries[i as usize];
        if e.kind != EntryKind::Credential || e.removed || e.marked == marked {
            return;
        }
        e.marked = marked;
        if marked {
            self.rows.marked += 1;
        } else {
            self.rows.marked -= 1;
        }
    }

    pub(crate) fn toast(&mut self, text: impl Into<String>) {
        let until = self.now + chrono::Duration::seconds(TOAST_SECONDS);
        self.toasts.push(Toast {
            text: text.into(),
            error: false,
            until,
        });
        self.trim_toasts();
    }

    /// An error: a toast, and a line in the history.
    pub(crate) fn error(&mut self, text: impl Into<String>) {
        let text = text.into();
        let until = self.now + chrono::Duration::seconds(ERROR_TOAST_SECONDS);
        self.toasts.push(Toast {
            text: text.clone(),
            error: true,
            until,
        });
        self.trim_toasts();
        self.errors.push(ErrorRecord { at: self.now, text });
        if self.errors.len() > ERROR_HISTORY {
            let extra = self.errors.len() - ERROR_HISTORY;
            self.errors.drain(..extra);
        }
    }

    fn trim_toasts(&mut self) {
        if self.toasts.len() > 5 {
            let extra = self.toasts.len() - 5;
            self.toasts.drain(..extra);
        }
    }

    /// Live (not revoked, not gone) tracked credentials of a connector.
    pub fn live_credentials(&self, app_id: &str, connector_id: &str) -> usize {
        self.rows
            .credentials_of(app_id, connector_id)
            .into_iter()
            .filter(|&i| !self.rows.entries[i as usize].flags.is_dead())
            .count()
    }
}

/// The row never holds a secret, even if a reply carried one.
pub(crate) fn strip_secret(mut c: ConnectorCredential) -> ConnectorCredential {
    c.client_secret = None;
    c
}

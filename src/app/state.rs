//! What is on screen: rows, sort, filter, selection (by row, not by position), modals, toasts,
//! the error history, refresh progress and `now`. Only `update` changes it; the drawing reads it.

use std::collections::{BTreeSet, VecDeque};
use std::hash::BuildHasher;

use chrono::{DateTime, Utc};

use crate::api::{App, Connector, ConnectorCredential, SecretString};

use super::index::{self, HashIndex, Hot, TextIndex};
use super::keymap::Keymap;
use super::msg::JournalLine;
use super::risk::TextOf;
use super::rows::{
    Column, Counts, Entry, EntryKind, Flags, Sort, Status, Thresholds, View, flags_change_at,
};
use crate::model::{CredentialKey, Failure};

mod load;

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
            keymap: Keymap::default(),
        }
    }
}

/// How long toasts stay, in seconds of `now`.
pub const TOAST_SECONDS: i64 = 4;
pub const ERROR_TOAST_SECONDS: i64 = 8;
/// The error history keeps this many entries.
pub const ERROR_HISTORY: usize = 500;

/// What a toast reports: its symbol and colour follow, so a refusal never looks like a
/// success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    /// Something the user asked for happened.
    Done,
    /// Something started, or will happen: not a result yet.
    Info,
    /// The user's request was not carried out, and why (read-only, nothing selected).
    Refused,
    /// Something failed; also in the error history.
    Error,
}

impl ToastKind {
    pub fn symbol(self) -> char {
        match self {
            ToastKind::Done => '✓',
            ToastKind::Info => '•',
            ToastKind::Refused => '!',
            ToastKind::Error => '✗',
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub text: String,
    pub kind: ToastKind,
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
    /// Credential Gets of the running refresh that answered (found or gone).
    pub fetched: usize,
    /// Credential Gets of the running refresh that failed, and the first failure's words.
    pub failed: usize,
    pub first_failure: Option<Failure>,
    /// Other failures of the running refresh (listing apps, connectors).
    pub errors: usize,
    /// How the last refresh that finished went; `None`: the rows are the stored snapshot.
    pub last: Option<Finished>,
    /// When the data was last current: the end of the last refresh that fetched anything,
    /// or before any did, when the newest stored row was fetched.
    pub current_at: Option<DateTime<Utc>>,
    pub(crate) last_generation: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finished {
    pub at: DateTime<Utc>,
    pub outcome: Outcome,
}

/// How a finished refresh went: the header says "refreshed" only for the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every call answered.
    Refreshed,
    /// Some calls failed: `fetched` of `total` credentials are current, and `other_failed`
    /// other calls (listings) failed.
    Partial {
        fetched: usize,
        total: usize,
        other_failed: usize,
    },
    /// Nothing could be fetched: the rows hold what they held before.
    Failed,
}

impl Outcome {
    pub fn of(r: &RefreshState) -> Outcome {
        if r.failed == 0 && r.errors == 0 {
            Outcome::Refreshed
        } else if r.fetched == 0 {
            Outcome::Failed
        } else {
            Outcome::Partial {
                fetched: r.fetched,
                total: r.total.max(r.fetched + r.failed),
                other_failed: r.errors,
            }
        }
    }
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
    /// Set when the revoke is risky: the user must type the credential's own text, then Enter.
    pub typed: Option<TypedConfirm>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedConfirm {
    /// Text that tells this credential apart from every other (see `risk::confirmation_text`).
    pub expected: String,
    pub expected_of: TextOf,
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
    /// Why revoking it is risky, in words ("used 18m ago"); empty when it is not.
    pub risks: Vec<String>,
    /// For a risky item: the text it must be confirmed with, as its single revoke would be.
    pub confirm: Option<(TextOf, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkPlan {
    /// The risky targets first (each confirmed with its own text), then the others.
    pub targets: Vec<PlanItem>,
    /// Marked but not revoked: already revoked or gone, or being revoked.
    pub skipped: Vec<(PlanItem, &'static str)>,
    pub input: String,
    pub mismatch: bool,
    pub scroll: usize,
    /// How many risky targets have been confirmed so far.
    pub confirmed: usize,
}

impl BulkPlan {
    pub fn risky(&self) -> usize {
        self.targets.iter().filter(|t| t.confirm.is_some()).count()
    }

    /// Lines of the plan's list: one per target, one more under each risky target for its
    /// reasons, then a blank line and the skipped.
    pub fn list_lines(&self) -> usize {
        let skipped = match self.skipped.len() {
            0 => 0,
            n => n + 1,
        };
        self.targets.len() + self.risky() + skipped
    }

    /// The list line target `i` starts on.
    pub fn line_of(&self, i: usize) -> usize {
        i + i.min(self.risky())
    }

    /// What the input must match now: the next unconfirmed risky target (its index) and its
    /// text, or, once every risky one is confirmed, `None` and the word for the whole plan.
    pub fn expected(&self) -> (Option<usize>, &str) {
        match self
            .targets
            .get(self.confirmed)
            .and_then(|t| t.confirm.as_ref())
        {
            Some((_, text)) => (Some(self.confirmed), text),
            None => (None, BULK_WORD),
        }
    }
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
    /// Why the inventory has not recorded this credential yet; `None` once it has.
    pub unrecorded: Option<Failure>,
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

/// An app as last listed. Boxed objects keep the slots small, so looking one up (as the load
/// does for every credential) reads little memory.
#[derive(Debug, Default)]
pub struct AppSlot {
    pub id: String,
    pub app: Option<Box<App>>,
    /// Its connectors' slots.
    pub connectors: Vec<u32>,
}

/// A connector's slot: the connector as last listed, its tracked credentials, and its
/// coverage row while it has none.
#[derive(Debug, Default)]
pub struct ConnectorSlot {
    /// Index into `Rows::apps`.
    pub app: u32,
    pub id: String,
    pub connector: Option<Box<Connector>>,
    pub credentials: Vec<u32>,
    pub row: Option<u32>,
}

/// The rows and the indices over them. Apps and connectors live in dense vectors and every
/// entry knows its connector's slot, so deriving an entry needs no lookup by name.
#[derive(Debug, Default)]
pub struct Rows {
    pub entries: Vec<Entry>,
    /// What views and counts read, beside the entries: small and dense.
    pub(crate) hot: Vec<Hot>,
    /// The sanitised, lower-cased text the filter searches and string columns sort on.
    pub(crate) text: TextIndex,
    pub(crate) apps: Vec<AppSlot>,
    app_index: HashIndex,
    pub(crate) slots: Vec<ConnectorSlot>,
    slot_index: HashIndex,
    /// Credential entries by key.
    key_index: HashIndex,
    /// foldhash: several times faster than SipHash on short ids, still seeded per process.
    hasher: foldhash::fast::RandomState,
    /// Every live entry, in sort order.
    pub sorted: Vec<u32>,
    /// The entries the view and the filter admit, in sort order: what the table shows.
    pub visible: Vec<u32>,
    pub counts: Counts,
    pub marked: usize,
    /// No credential's flags can change before this instant (see `rows::flags_change_at`);
    /// `None`: none can change at all. Only ever moved earlier, except by a full pass.
    pub(crate) flags_due: Option<DateTime<Utc>>,
}

impl Rows {
    fn hash_app(&self, app_id: &str) -> u64 {
        self.hasher.hash_one(app_id)
    }

    fn hash_slot(&self, app_id: &str, connector_id: &str) -> u64 {
        self.hasher.hash_one((app_id, connector_id))
    }

    fn app_index_of(&self, app_id: &str) -> Option<u32> {
        self.app_index.find(self.hash_app(app_id), |a| {
            self.apps[a as usize].id == app_id
        })
    }

    /// Apps the server has described (not ids only seen on credentials).
    pub fn known_apps(&self) -> usize {
        self.apps.iter().filter(|a| a.app.is_some()).count()
    }

    pub fn app(&self, app_id: &str) -> Option<&App> {
        let a = self.app_index_of(app_id)?;
        self.apps[a as usize].app.as_deref()
    }

    pub fn app_name<'a>(&'a self, app_id: &'a str) -> &'a str {
        self.app(app_id)
            .and_then(|a| a.display_name.as_deref())
            .unwrap_or(app_id)
    }

    fn slot_index(&self, app_id: &str, connector_id: &str) -> Option<u32> {
        self.slot_index
            .find(self.hash_slot(app_id, connector_id), |s| {
                let slot = &self.slots[s as usize];
                slot.id == connector_id && self.apps[slot.app as usize].id == app_id
            })
    }

    pub fn slot(&self, app_id: &str, connector_id: &str) -> Option<&ConnectorSlot> {
        self.slot_index(app_id, connector_id)
            .map(|s| &self.slots[s as usize])
    }

    pub fn connector(&self, app_id: &str, connector_id: &str) -> Option<&Connector> {
        self.slot(app_id, connector_id)
            .and_then(|s| s.connector.as_deref())
    }

    pub fn connector_name<'a>(&'a self, app_id: &str, connector_id: &'a str) -> &'a str {
        self.connector(app_id, connector_id)
            .and_then(|c| c.display_name.as_deref())
            .unwrap_or(connector_id)
    }

    fn app_slot(&mut self, app_id: &str) -> u32 {
        if let Some(a) = self.app_index_of(app_id) {
            return a;
        }
        let a = self.apps.len() as u32;
        self.apps.push(AppSlot {
            id: app_id.to_string(),
            ..AppSlot::default()
        });
        let h = self.hash_app(app_id);
        self.app_index.insert(h, a);
        a
    }

    /// The slot of a connector, made when new.
    fn slot_of(&mut self, app_id: &str, connector_id: &str) -> u32 {
        if let Some(s) = self.slot_index(app_id, connector_id) {
            return s;
        }
        let a = self.app_slot(app_id);
        let s = self.slots.len() as u32;
        self.slots.push(ConnectorSlot {
            app: a,
            id: connector_id.to_string(),
            ..ConnectorSlot::default()
        });
        self.apps[a as usize].connectors.push(s);
        let h = self.hash_slot(app_id, connector_id);
        self.slot_index.insert(h, s);
        s
    }

    /// Record an app; returns whether the name its rows show changed.
    pub(crate) fn set_app(&mut self, app: App) -> bool {
        let Some(id) = app.id.as_deref() else {
            return false;
        };
        let a = self.app_slot(id);
        let slot = &mut self.apps[a as usize].app;
        let renamed = slot.as_ref().map(|o| &o.display_name) != Some(&app.display_name);
        *slot = Some(Box::new(app));
        renamed
    }

    fn hash_key(&self, key: &CredentialKey) -> u64 {
        self.hasher
            .hash_one((&key.app_id, &key.connector_id, &key.credential_id))
    }

    pub fn index_of(&self, key: &CredentialKey) -> Option<u32> {
        self.key_index
            .find(self.hash_key(key), |i| self.entries[i as usize].key == *key)
    }

    /// Claim index `i` for a key; false when the key is already there.
    fn insert_key(&mut self, key: &CredentialKey, i: u32) -> bool {
        let h = self.hash_key(key);
        claim_key(&mut self.key_index, &self.entries, h, key, i)
    }

    /// Claim index `i`, whose entry is in place already and whose key hashes to `h`, for
    /// its key; false when another entry has that key.
    fn insert_key_hashed(&mut self, h: u64, i: u32) -> bool {
        let key = &self.entries[i as usize].key;
        claim_key(&mut self.key_index, &self.entries, h, key, i)
    }

    pub fn get(&self, key: &CredentialKey) -> Option<&Entry> {
        self.index_of(key).map(|i| &self.entries[i as usize])
    }

    /// Tracked credential entries of a connector.
    pub fn credentials_of(&self, app_id: &str, connector_id: &str) -> Vec<u32> {
        self.slot(app_id, connector_id)
            .map(|s| s.credentials.clone())
            .unwrap_or_default()
    }

    /// Every entry under an app: credentials and coverage rows.
    fn entries_of_app(&self, app_id: &str) -> Vec<u32> {
        let mut out = Vec::new();
        if let Some(a) = self.app_index_of(app_id) {
            for &s in &self.apps[a as usize].connectors {
                let s = &self.slots[s as usize];
                out.extend_from_slice(&s.credentials);
                out.extend(s.row);
            }
        }
        out
    }

    /// The exact order of two entries under a sort.
    pub fn ordered(&self, a: u32, b: u32, sort: Sort) -> std::cmp::Ordering {
        index::ordered(&self.entries, &self.text, a, b, sort)
    }

    /// Lower-cased field text of an entry (see `index::NAME` and friends).
    pub fn field(&self, i: u32, f: usize) -> &str {
        self.text.field(i, f)
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
    /// Until the user picks a row, the first row is selected whatever it is, so rows
    /// arriving at start do not scroll the view away from the top.
    pub(crate) follow_top: bool,
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
    /// See [`State::tick_changed_view`].
    pub(crate) tick_changed: bool,
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
            follow_top: true,
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
            tick_changed: false,
            quit: false,
        }
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    pub fn thresholds(&self) -> Thresholds {
        self.options.thresholds()
    }

    /// The last refresh fetched every row: the data is current.
    pub fn is_current(&self) -> bool {
        self.refresh
            .last
            .is_some_and(|f| f.outcome == Outcome::Refreshed)
    }

    /// When the newest row was fetched, as stored or since.
    pub(crate) fn newest_fetch(&self) -> Option<DateTime<Utc>> {
        self.rows.entries.iter().filter_map(|e| e.fetched_at).max()
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

    pub fn now_and_thresholds(&self) -> (DateTime<Utc>, Thresholds) {
        (self.now, self.thresholds())
    }

    /// The next instant a clock tick would change something drawn: the spinner's next turn
    /// (at once, while something runs), the first toast to expire, the first flag that can
    /// change, the first relative time on screen to read differently. `None`: no tick is
    /// needed.
    pub fn next_tick_due(&self) -> Option<DateTime<Utc>> {
        let spinning = self.refresh.running.is_some() || !self.rotating.is_empty();
        let toast = self.toasts.iter().map(|t| t.until).min();
        [
            spinning.then_some(self.now),
            toast,
            self.rows.flags_due,
            self.screen_text_changes_at(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// When a time on screen shown relative to `now` ("12s ago", "in 6d", "created 214 days
    /// ago") next reads differently: the header's last refresh, the time columns of the rows
    /// on the page, the detail pane, an open revoke dialog. Worked out from what the drawing
    /// shows, so that an idle dashboard draws only when something visible changed.
    pub fn screen_text_changes_at(&self) -> Option<DateTime<Utc>> {
        let now = self.now;
        let mut relative: Vec<DateTime<Utc>> = Vec::new();
        let mut days: Vec<DateTime<Utc>> = Vec::new();
        let mut midnight = None;
        if self.refresh.running.is_none()
            && let Some(f) = self.refresh.last
        {
            relative.push(f.at);
            if f.outcome == Outcome::Failed {
                // "data from 11:59 UTC" gains its date at midnight.
                midnight = (now.date_naive() + chrono::Days::new(1))
                    .and_hms_opt(0, 0, 0)
                    .map(|m| m.and_utc());
            }
        }
        let area = ratatui::layout::Rect::new(0, 0, self.width, self.height);
        let l = super::layout::layout(area, self);
        let page = (l.rows.height as usize).max(1);
        let offset = self.effective_offset(page);
        let shown: Vec<Column> = l.columns.iter().filter_map(|c| c.column).collect();
        for &i in self.rows.visible.iter().skip(offset).take(page) {
            let e = &self.rows.entries[i as usize];
            for column in [Column::Created, Column::LastUsed, Column::Expires] {
                if shown.contains(&column) {
                    relative.extend(e.time(column));
                }
            }
        }
        if self.detail
            && let Some(e) = self.selected_entry()
        {
            relative.extend(e.fetched_at);
            if let Some(c) = e.last.as_ref() {
                let times = [
                    c.created_at,
                    c.updated_at,
                    c.last_used_at,
                    c.expires_time,
                    c.deleted_at,
                ];
                relative.extend(times.iter().flatten());
                days.extend(times.iter().flatten());
            }
            if let Some(k) = self.rows.connector(&e.key.app_id, &e.key.connector_id) {
                relative.extend(k.status.as_ref().and_then(|s| s.completed_at));
                relative.extend(k.sync_disabled_at);
            }
        }
        if let Some(Modal::Revoke(d)) = &self.modal {
            relative.extend(d.last_used);
        }
        let relative = relative
            .into_iter()
            .map(|t| crate::text::relative_changes_at(t, now));
        let days = days
            .into_iter()
            .map(|t| crate::text::days_change_at(t, now));
        relative.chain(days).chain(midnight).min()
    }

    /// The last clock tick changed something drawn besides relative times (the spinner,
    /// a toast, a flag): the runtime redraws after it.
    pub fn tick_changed_view(&self) -> bool {
        self.tick_changed
    }

    /// Recompute an entry's flags and text from its data and the names it resolves to.
    fn derive(&mut self, i: u32) {
        let (now, t) = self.now_and_thresholds();
        let rows = &mut self.rows;
        let e = &mut rows.entries[i as usize];
        e.derive_flags(now, t);
        rows.hot[i as usize] = Hot::of(e);
        let e = &rows.entries[i as usize];
        rows.flags_due = earliest(rows.flags_due, flags_change_at(e.last.as_ref(), now, t));
        let names = slot_names(&rows.apps, &rows.slots, e, e.slot);
        rows.text.set(i, text_fields(e, names));
    }

    /// Add an entry (derived, counted, indexed), unless a credential with its key is there
    /// already. Does not place it in the order: callers reposition or rebuild.
    fn push_entry(&mut self, mut entry: Entry) -> Option<u32> {
        let i = self.rows.entries.len() as u32;
        if entry.kind == EntryKind::Credential && !self.rows.insert_key(&entry.key, i) {
            return None;
        }
        let s = self
            .rows
            .slot_of(&entry.key.app_id, &entry.key.connector_id);
        entry.slot = s;
        match entry.kind {
            EntryKind::Credential => self.rows.slots[s as usize].credentials.push(i),
            EntryKind::Connector => self.rows.slots[s as usize].row = Some(i),
        }
        self.rows.hot.push(Hot::of(&entry));
        self.rows.entries.push(entry);
        self.derive(i);
        let e = &self.rows.entries[i as usize];
        self.rows.counts.apply(e, 1);
        Some(i)
    }

    /// A known connector with no tracked credential gets a row; one with a credential loses
    /// it. Returns the entry added or removed.
    fn ensure_connector_row(&mut self, app: &str, conn: &str) -> Option<u32> {
        let s = self.rows.slot_index(app, conn)?;
        self.ensure_slot_row(s)
    }

    fn ensure_slot_row(&mut self, s: u32) -> Option<u32> {
        let slot = &self.rows.slots[s as usize];
        match (slot.credentials.is_empty(), slot.row) {
            (true, None) => {
                let k = slot.connector.as_ref()?;
                let key = CredentialKey {
                    app_id: k.app_id.clone().unwrap_or_default(),
                    connector_id: k.id.clone().unwrap_or_default(),
                    credential_id: String::new(),
                };
                self.push_entry(Entry::new(EntryKind::Connector, key, None))
            }
            (false, Some(i)) => {
                self.rows.slots[s as usize].row = None;
                let e = &self.rows.entries[i as usize];
                self.rows.counts.apply(e, -1);
                let e = &mut self.rows.entries[i as usize];
                e.removed = true;
                self.rows.hot[i as usize] = Hot::of(e);
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
        let i = match self.rows.index_of(key) {
            Some(i) => i,
            None => {
                let i = self
                    .push_entry(Entry::new(EntryKind::Credential, key.clone(), None))
                    .expect("the key is new");
                self.reposition(i);
                if let Some(c) = self.ensure_connector_row(&key.app_id, &key.connector_id) {
                    self.reposition(c);
                }
                i
            }
        };
        let at = self.locate(i);
        let e = &self.rows.entries[i as usize];
        self.rows.counts.apply(e, -1);
        f(&mut self.rows.entries[i as usize]);
        if let Some(c) = self.rows.entries[i as usize].last.as_mut() {
            keep_held(c);
        }
        self.derive(i);
        let e = &self.rows.entries[i as usize];
        self.rows.counts.apply(e, 1);
        self.reposition_from(i, at);
        i
    }

    /// App names changed: re-derive the apps' entries.
    pub(crate) fn rename(&mut self, app_ids: &[String]) {
        let mut all = Vec::new();
        for app in app_ids {
            all.extend(self.rows.entries_of_app(app));
        }
        self.rederive_text(&all);
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

    /// Record a listed connector; when the name its rows show changed, re-derive them.
    pub(crate) fn set_connector(&mut self, app: &str, connector: Connector) {
        let id = connector.id.clone().unwrap_or_default();
        let s = self.rows.slot_of(app, &id);
        let slot = &mut self.rows.slots[s as usize];
        let renamed =
            slot.connector.as_ref().map(|o| &o.display_name) != Some(&connector.display_name);
        slot.connector = Some(Box::new(connector));
        if renamed {
            let mut of_slot = slot.credentials.clone();
            of_slot.extend(slot.row);
            self.rederive_text(&of_slot);
        }
    }

    /// Re-derive entries whose names may have changed; reorder those whose text did.
    fn rederive_text(&mut self, entries: &[u32]) {
        let mut touched = Vec::new();
        for &i in entries {
            if self.rows.entries[i as usize].removed {
                continue;
            }
            let before: [String; 3] = [index::APP, index::CONNECTOR, index::NAME]
                .map(|f| self.rows.field(i, f).to_string());
            self.derive(i);
            let after = [index::APP, index::CONNECTOR, index::NAME].map(|f| self.rows.field(i, f));
            if before.iter().zip(after).any(|(b, a)| b != a) {
                touched.push(i);
            }
        }
        self.reposition_many(&touched);
    }

    /// Record a listed app; returns whether the name its rows show changed.
    pub(crate) fn set_app(&mut self, app: App) -> bool {
        self.rows.set_app(app)
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

    /// Recompute every flag against `now` (after a tick) when one can have changed: when
    /// `now` reached `Rows::flags_due`, or went back (`earlier`). Reorders only on change;
    /// returns whether any flag changed.
    pub(crate) fn rederive_flags(&mut self, earlier: bool) -> bool {
        let (now, t) = self.now_and_thresholds();
        let due = self.rows.flags_due.is_some_and(|due| now >= due);
        if !due && !earlier {
            return false;
        }
        let mut changed = Vec::new();
        let rows = &mut self.rows;
        let mut next = None;
        for (i, e) in rows.entries.iter_mut().enumerate() {
            if e.removed || e.kind != EntryKind::Credential {
                continue;
            }
            let before = e.flags;
            if e.derive_flags(now, t) {
                rows.counts.apply_parts(e.kind, before, false, -1);
                rows.counts.apply(e, 1);
                rows.hot[i] = Hot::of(e);
                changed.push(i as u32);
            }
            next = earliest(next, flags_change_at(e.last.as_ref(), now, t));
        }
        rows.flags_due = next;
        if !changed.is_empty() && (self.sort.column == Column::Status || self.view != View::All) {
            self.reposition_many(&changed);
        }
        !changed.is_empty()
    }

    fn admits(&self, i: u32) -> bool {
        let h = self.rows.hot[i as usize];
        !h.removed
            && self.view.admits(h.kind, h.flags)
            && self.rows.text.matches(i, &self.filter_lower)
    }

    fn in_place(&self, v: &[u32], p: usize) -> bool {
        let i = v[p];
        let before_ok = p == 0 || self.rows.ordered(v[p - 1], i, self.sort).is_lt();
        let after_ok = p + 1 >= v.len() || self.rows.ordered(i, v[p + 1], self.sort).is_lt();
        before_ok && after_ok
    }

    fn insertion_point(&self, v: &[u32], i: u32) -> usize {
        v.partition_point(|&j| self.rows.ordered(j, i, self.sort).is_lt())
    }

    /// Where an entry sits in a sorted list, found by binary search under its current data,
    /// or by a scan should the list not agree.
    fn locate_in(&self, v: &[u32], i: u32) -> Option<usize> {
        let p = self.insertion_point(v, i);
        if v.get(p) == Some(&i) {
            Some(p)
        } else {
            v.iter().position(|&x| x == i)
        }
    }

    /// Where an entry sits now in `sorted` and `visible`: call before changing its data.
    fn locate(&self, i: u32) -> (Option<usize>, Option<usize>) {
        (
            self.locate_in(&self.rows.sorted, i),
            self.locate_in(&self.rows.visible, i),
        )
    }

    /// Put one entry where it belongs in `sorted` and `visible`, keeping the selection.
    pub(crate) fn reposition(&mut self, i: u32) {
        let at = (
            self.rows.sorted.iter().position(|&x| x == i),
            self.rows.visible.iter().position(|&x| x == i),
        );
        self.reposition_from(i, at);
    }

    /// Like [`State::reposition`], given where the entry was (see [`State::locate`]).
    fn reposition_from(&mut self, i: u32, (in_sorted, in_visible): (Option<usize>, Option<usize>)) {
        let line = self.cursor.saturating_sub(self.offset);
        let belongs = !self.rows.hot[i as usize].removed;
        let mut sorted = std::mem::take(&mut self.rows.sorted);
        self.place_in(&mut sorted, i, in_sorted, belongs);
        self.rows.sorted = sorted;
        let belongs = self.admits(i);
        let mut visible = std::mem::take(&mut self.rows.visible);
        self.place_in(&mut visible, i, in_visible, belongs);
        self.rows.visible = visible;
        self.sync_selection(line);
    }

    /// Puts entry `i`, found at `at` in the ordered list `v` (or not in it), where it
    /// belongs: out if it does not `belong`, else at its place in the order.
    fn place_in(&self, v: &mut Vec<u32>, i: u32, at: Option<usize>, belongs: bool) {
        match (at, belongs) {
            (Some(p), false) => {
                v.remove(p);
            }
            (Some(p), true) if !self.in_place(v, p) => {
                v.remove(p);
                let to = self.insertion_point(v, i);
                v.insert(to, i);
            }
            (None, true) => {
                let to = self.insertion_point(v, i);
                v.insert(to, i);
            }
            _ => {}
        }
    }

    /// Sort everything again (the sort changed, or much data did).
    pub(crate) fn rebuild(&mut self) {
        let line = self.cursor.saturating_sub(self.offset);
        let live: Vec<u32> = (0..self.rows.entries.len() as u32)
            .filter(|&i| !self.rows.hot[i as usize].removed)
            .collect();
        let rows = &self.rows;
        let group = |i: u32| {
            let slot = rows.entries[i as usize].slot;
            match self.sort.column {
                Column::App => rows.slots[slot as usize].app,
                _ => slot,
            }
        };
        let sorted = index::sort(&rows.entries, &rows.text, live, self.sort, group);
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
        let hot = &self.rows.hot;
        let view = self.view;
        let shown = |i: u32| {
            let h = hot[i as usize];
            !h.removed && view.admits(h.kind, h.flags)
        };
        let visible: Vec<u32> = if self.filter_lower.is_empty() {
            self.rows
                .sorted
                .iter()
                .copied()
                .filter(|&i| shown(i))
                .collect()
        } else {
            let finder = memchr::memmem::Finder::new(self.filter_lower.as_bytes());
            let text = &self.rows.text;
            if narrowing && self.rows.visible.len() * 4 < self.rows.entries.len() {
                // Few rows left: check just those.
                let v = std::mem::take(&mut self.rows.visible);
                v.into_iter()
                    .filter(|&i| shown(i) && text.matches_with(i, &finder))
                    .collect()
            } else {
                // One pass over the text in memory order, then the sorted walk.
                let hits = text.matching(&finder);
                self.rows
                    .sorted
                    .iter()
                    .copied()
                    .filter(|&i| hits[i as usize] && shown(i))
                    .collect()
            }
        };
        self.rows.visible = visible;
        self.sync_selection(line);
    }

    pub(crate) fn set_filter(&mut self, filter: String) {
        let lower = super::rows::lower_query(&filter);
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
        if self.follow_top {
            self.cursor = 0;
            self.offset = 0;
            self.selected = Some(self.rows.visible[0]);
            return;
        }
        let v = &self.rows.visible;
        let found = self.selected.and_then(|s| {
            // Usually where it was, or one off after a row moved past it.
            let c = self.cursor;
            [c, c.wrapping_sub(1), c + 1]
                .into_iter()
                .find(|&p| v.get(p) == Some(&s))
                .or_else(|| self.locate_in(v, s))
        });
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

    /// Select the first row, still following the top.
    pub(crate) fn select_top(&mut self) {
        self.cursor = 0;
        self.offset = 0;
        self.selected = self.rows.visible.first().copied();
    }

    /// Select the visible row at a position (the user's choice: stop following the top).
    pub(crate) fn select_at(&mut self, pos: usize) {
        self.follow_top = false;
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
            EntryKind::Credential => self.rows.index_of(&k.1),
            EntryKind::Connector => self
                .rows
                .slot(&k.1.app_id, &k.1.connector_id)
                .and_then(|s| s.row),
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

    /// A success: what the user asked for happened.
    pub(crate) fn toast(&mut self, text: impl Into<String>) {
        self.push_toast(ToastKind::Done, text.into(), TOAST_SECONDS);
    }

    /// Something started or will happen; no result yet.
    pub(crate) fn info(&mut self, text: impl Into<String>) {
        self.push_toast(ToastKind::Info, text.into(), TOAST_SECONDS);
    }

    /// The request was not carried out, and why.
    pub(crate) fn refuse(&mut self, text: impl Into<String>) {
        self.push_toast(ToastKind::Refused, text.into(), TOAST_SECONDS);
    }

    /// An error: a toast, and a line in the history.
    pub(crate) fn error(&mut self, text: impl Into<String>) {
        let text = text.into();
        self.push_toast(ToastKind::Error, text.clone(), ERROR_TOAST_SECONDS);
        self.errors.push(ErrorRecord { at: self.now, text });
        if self.errors.len() > ERROR_HISTORY {
            let extra = self.errors.len() - ERROR_HISTORY;
            self.errors.drain(..extra);
        }
    }

    fn push_toast(&mut self, kind: ToastKind, text: String, seconds: i64) {
        let until = self.now + chrono::Duration::seconds(seconds);
        self.toasts.push(Toast { text, kind, until });
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

/// Index `i` under `key` (hashing to `h`) unless an entry of `entries` has that key already.
fn claim_key(
    index: &mut HashIndex,
    entries: &[Entry],
    h: u64,
    key: &CredentialKey,
    i: u32,
) -> bool {
    if index.find(h, |j| entries[j as usize].key == *key).is_some() {
        return false;
    }
    index.insert(h, i);
    true
}

fn earliest(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The app and connector names the row of entry `e` in slot `s` shows: as listed, or the ids.
fn slot_names<'a>(
    apps: &'a [AppSlot],
    slots: &'a [ConnectorSlot],
    e: &'a Entry,
    s: u32,
) -> (&'a str, &'a str) {
    let slot = &slots[s as usize];
    let app = apps[slot.app as usize]
        .app
        .as_ref()
        .and_then(|a| a.display_name.as_deref())
        .unwrap_or(&e.key.app_id);
    let conn = slot
        .connector
        .as_ref()
        .and_then(|c| c.display_name.as_deref())
        .unwrap_or(&e.key.connector_id);
    (app, conn)
}

/// The fields of an entry's search text, in [`TextIndex`] order.
fn text_fields<'a>(e: &'a Entry, (app, conn): (&'a str, &'a str)) -> [&'a str; 5] {
    [
        e.display_name().unwrap_or(""),
        app,
        conn,
        e.client_id().unwrap_or(""),
        e.row_id(),
    ]
}

/// What an entry keeps of a credential: not its secret (a new one is shown once, from the
/// rotate's result), nor its three ids (the entry's key holds them; 100,000 credentials
/// would otherwise hold each twice).
pub(crate) fn held(mut c: ConnectorCredential) -> ConnectorCredential {
    keep_held(&mut c);
    c
}

fn keep_held(c: &mut ConnectorCredential) {
    c.client_secret = None;
    c.id = None;
    c.app_id = None;
    c.connector_id = None;
}

/// Takes a fetched credential's data into the one held (see [`held`]). Text that did not
/// change keeps the allocation already held: a refresh mostly answers what is known, and
/// the answers were allocated on the worker's threads, so keeping them would scatter the
/// dashboard's memory across every thread's heap.
pub(crate) fn absorb(kept: &mut Option<ConnectorCredential>, fetched: ConnectorCredential) {
    let Some(old) = kept else {
        *kept = Some(held(fetched));
        return;
    };
    fn text(old: &mut Option<String>, new: Option<String>) {
        if *old != new {
            *old = new;
        }
    }
    let ConnectorCredential {
        id: _,
        app_id: _,
        connector_id: _,
        client_id,
        display_name,
        created_at,
        updated_at,
        deleted_at,
        expires_time,
        last_used_at,
        client_secret: _,
    } = fetched;
    text(&mut old.client_id, client_id);
    text(&mut old.display_name, display_name);
    old.created_at = created_at;
    old.updated_at = updated_at;
    old.deleted_at = deleted_at;
    old.expires_time = expires_time;
    old.last_used_at = last_used_at;
    keep_held(old);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixtures::{self, fixed_now, synthetic_inventory};
    use crate::model::{KnownCredential, Snapshot as Inventory};

    /// An inventory with what a load must handle besides the plain case: the same key twice,
    /// credentials of connectors and apps never listed, names to sanitise and lower-case.
    fn awkward(n: usize) -> Inventory {
        let mut inv = synthetic_inventory(n, 3);
        let dup = inv.credentials[7].clone();
        inv.credentials.insert(n / 2, dup);
        let last = inv.credentials[n - 1].clone();
        inv.credentials.push(last);
        for (k, c) in inv.credentials.iter_mut().enumerate().step_by(97) {
            c.key.connector_id = format!("unlisted-{}", k % 5);
            if k % 2 == 0 {
                c.key.app_id = format!("app-unlisted-{}", k % 3);
            }
        }
        for (k, a) in inv.apps.iter_mut().enumerate().step_by(11) {
            a.display_name = Some(format!("Ünïcode \u{1b}[31m APP {k} İ"));
        }
        for k in inv.connectors.iter_mut().step_by(13) {
            k.display_name = None;
        }
        inv.credentials.push(KnownCredential {
            source: crate::model::Source::Import,
            learned_at: fixed_now(),
            key: fixtures::key("app-000001", "conn-000001", "never-fetched"),
            last: None,
            gone: false,
            fetched_at: None,
        });
        inv
    }

    fn loaded(inv: Inventory, parts: usize) -> State {
        let mut s = State::new(fixtures::options(), fixed_now());
        s.width = 200;
        s.height = 60;
        s.load_in_parts(inv.apps, inv.connectors, inv.credentials, parts);
        s
    }

    #[test]
    fn a_load_in_parts_builds_what_one_by_one_builds() {
        for (n, parts) in [(300, 2), (2_000, 3), (20_000, 2)] {
            let inv = awkward(n);
            let given = inv.credentials.len();
            let one = loaded(inv, 1);
            let many = loaded(awkward(n), parts);
            let credentials = |s: &State| {
                s.rows
                    .entries
                    .iter()
                    .filter(|e| e.kind == EntryKind::Credential)
                    .count()
            };
            assert_eq!(
                credentials(&many),
                given - 2,
                "the two repeated keys are dropped"
            );
            let (a, b) = (&one.rows, &many.rows);
            assert_eq!(a.entries.len(), b.entries.len(), "{n}");
            for (i, (x, y)) in a.entries.iter().zip(&b.entries).enumerate() {
                assert_eq!(x.key, y.key, "{n} {i}");
                assert_eq!(x.kind, y.kind);
                assert_eq!(x.last, y.last);
                assert_eq!((x.gone, x.fetched_at), (y.gone, y.fetched_at));
                assert_eq!(
                    (x.flags, x.status, x.removed),
                    (y.flags, y.status, y.removed)
                );
                assert_eq!(x.slot, y.slot);
                assert_eq!(a.hot[i], b.hot[i]);
                for f in 0..5 {
                    assert_eq!(a.field(i as u32, f), b.field(i as u32, f), "{n} {i} {f}");
                }
                if x.kind == EntryKind::Credential {
                    assert_eq!(b.index_of(&y.key), Some(i as u32));
                }
            }
            assert_eq!(a.slots.len(), b.slots.len());
            for (x, y) in a.slots.iter().zip(&b.slots) {
                assert_eq!(
                    (x.app, &x.id, &x.credentials, x.row),
                    (y.app, &y.id, &y.credentials, y.row)
                );
            }
            assert_eq!(a.apps.len(), b.apps.len());
            assert_eq!(a.counts, b.counts);
            assert_eq!(a.sorted, b.sorted);
            assert_eq!(a.visible, b.visible);
            assert_eq!(one.selected, many.selected);
        }
    }
}

//! What is on screen: the inventory's rows through the table (sort, view, filter, selection),
//! the open dialog, new secrets, toasts, the error history, refresh progress, `now` and the
//! terminal's size. Only `update` changes it; the drawing reads it.

use std::collections::{BTreeSet, VecDeque};

use chrono::{DateTime, Utc};
use ratatui::layout::Rect;

use crate::audit::Thresholds;
use crate::audit::mutes::Mute;
use crate::audit::policy::Policy;
use crate::model::{CredentialKey, Failure, Snapshot};

use super::dialogs::{BulkRun, Modal, SecretView};
use super::findings::AuditState;
use super::inventory::{Change, Entry, EntryKind, Inventory, Loading};
use super::keymap::Keymap;
use super::layout::{self, Layout};
use super::msg::WorkId;
use super::prompt::CommandLine;
use super::table::{Column, Table};

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
    /// The audit's thresholds, from the settings' `[audit]`.
    pub policy: Policy,
    /// The settings' `[[audit.mute]]`, as mutes (the inventory's come from the worker).
    pub mutes: Vec<Mute>,
    /// The saved views of the settings, by name.
    pub views: std::collections::BTreeMap<String, super::views::SavedView>,
    /// The settings' `[table] columns`; `None`: every column at its own width.
    pub columns: Option<Vec<super::columns::ColumnSpec>>,
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
            policy: Policy::default(),
            mutes: Vec::new(),
            views: Default::default(),
            columns: None,
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
    /// The command line's work this toast says is under way: it goes when the work is done.
    pub work: Option<WorkId>,
}

impl Toast {
    /// When it goes by itself: `None` for one that says work is under way, which stays until
    /// that work is done.
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.work.is_none().then_some(self.until)
    }
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

#[derive(Debug)]
pub struct State {
    pub options: Options,
    pub now: DateTime<Utc>,
    /// The terminal size, from `Msg::Resize`.
    pub width: u16,
    pub height: u16,
    pub inventory: Inventory,
    /// The stored inventory's parts taken in so far, while the rest is read.
    loading: Option<Loading>,
    pub table: Table,
    /// Has the inventory arrived yet?
    pub loaded: bool,
    pub detail: bool,
    pub modal: Option<Modal>,
    /// New secrets waiting to be seen; the first is drawn over everything and takes the keys.
    pub secrets: VecDeque<SecretView>,
    pub toasts: Vec<Toast>,
    /// The id the command line's next piece of work for the worker gets.
    next_work: WorkId,
    pub errors: Vec<ErrorRecord>,
    pub refresh: RefreshState,
    /// The audit's findings over the rows (see `findings.rs`).
    pub audit: AuditState,
    pub bulk: Option<BulkRun>,
    /// Connectors (app id, connector id) with a rotate in flight.
    pub rotating: BTreeSet<(String, String)>,
    /// Every rotation of the tenant, as the worker last sent them.
    pub rotations: super::rotations::Rotations,
    /// The change log and the rows it marks.
    pub changes: super::changelog::ChangeLog,
    /// A discovery run in the background.
    pub discovery: Option<super::discovery::DiscoveryRun>,
    /// When the dashboard started: the change marks' "since the session began".
    pub session_began: DateTime<Utc>,
    /// Advances with every tick while something runs.
    pub spinner: usize,
    /// The detail pane's scroll, for the row it was scrolled on (another row starts at
    /// the top).
    pub detail_scrolled: Option<(CredentialKey, usize)>,
    /// What is typed into the help's filter (`/` in the help), and whether it is being typed.
    pub window_filter: String,
    pub window_typing: bool,
    /// Wide mode (`w`): whole client ids.
    pub wide: bool,
    /// The columns chosen this session (`:columns`, a view's); `None`: the settings'.
    pub column_choice: Option<Vec<super::columns::ColumnSpec>>,
    /// The command line, while it is open.
    pub command: Option<CommandLine>,
    /// The lines entered on the command line this session, oldest first.
    pub command_history: Vec<String>,
    /// What changed in the rows since the table last caught up (see `update`).
    pub(crate) unsettled: Change,
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
            inventory: Inventory::default(),
            loading: None,
            table: Table::new(),
            loaded: false,
            detail: false,
            modal: None,
            secrets: VecDeque::new(),
            toasts: Vec::new(),
            next_work: 0,
            errors: Vec::new(),
            refresh: RefreshState::default(),
            audit: AuditState::default(),
            bulk: None,
            rotating: BTreeSet::new(),
            rotations: Default::default(),
            changes: Default::default(),
            discovery: None,
            session_began: now,
            spinner: 0,
            command: None,
            wide: false,
            column_choice: None,
            window_filter: String::new(),
            window_typing: false,
            detail_scrolled: None,
            command_history: Vec::new(),
            unsettled: Change::default(),
            tick_changed: false,
            quit: false,
        }
    }

    /// The first line of the detail pane drawn: its scroll, if on the row selected now.
    pub fn detail_scroll(&self) -> usize {
        match (&self.detail_scrolled, self.selected_entry()) {
            (Some((k, n)), Some(e)) if k == e.key => *n,
            _ => 0,
        }
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    pub fn thresholds(&self) -> Thresholds {
        self.options.thresholds()
    }

    /// A change seen after this instant marks its row now.
    pub fn marks_from(&self) -> DateTime<Utc> {
        self.changes.marks_from(self.now, self.session_began)
    }

    /// The last refresh fetched every row: the data is current.
    pub fn is_current(&self) -> bool {
        self.refresh
            .last
            .is_some_and(|f| f.outcome == Outcome::Refreshed)
    }

    /// Nothing is tracked for the tenant: the list is a hint that says how to fill it, with
    /// the known connectors' rows below it.
    pub fn shows_empty_hint(&self) -> bool {
        self.loaded
            && !self
                .inventory
                .entries()
                .any(|e| e.kind == EntryKind::Credential)
    }

    pub fn selected_entry(&self) -> Option<Entry<'_>> {
        self.table.selected(&self.inventory)
    }

    /// The visible rows, in order.
    pub fn visible_entries(&self) -> impl Iterator<Item = Entry<'_>> + '_ {
        self.table.visible_entries(&self.inventory)
    }

    /// The row ids (credential id, or connector id for connector rows) in visible order.
    pub fn visible_ids(&self) -> Vec<String> {
        self.visible_entries()
            .map(|e| e.row_id().to_string())
            .collect()
    }

    pub fn area(&self) -> Rect {
        Rect::new(0, 0, self.width, self.height)
    }

    /// Where everything is on screen now.
    pub fn layout(&self) -> Layout {
        layout::layout_with(self.area(), self.detail, self.columns())
    }

    /// The columns chosen for the table, in their order: every column when none are chosen.
    pub fn chosen_columns(&self) -> Vec<Column> {
        match self.columns().chosen {
            Some(specs) => specs.iter().map(|s| s.column).collect(),
            None => Column::ALL.to_vec(),
        }
    }

    /// How the table's columns are chosen now.
    pub fn columns(&self) -> layout::Columns {
        layout::Columns {
            sorted: self.table.sort.column,
            wide: self.wide,
            chosen: self
                .column_choice
                .clone()
                .or_else(|| self.options.columns.clone()),
        }
    }

    /// How many rows of the table fit on screen now.
    pub fn page_height(&self) -> usize {
        (self.layout().rows.height as usize).max(1)
    }

    /// The first row to draw.
    pub fn effective_offset(&self, page: usize) -> usize {
        self.table.effective_offset(page)
    }

    /// A part of the stored inventory, made into rows that wait for the rest.
    pub(crate) fn load_part(&mut self, part: Snapshot) {
        let t = self.thresholds();
        self.loading.get_or_insert_default().add(part, self.now, t);
    }

    /// The rest of the stored inventory: the rows, with the parts before it, replace the
    /// table's.
    pub(crate) fn load(&mut self, rest: Snapshot) {
        let t = self.thresholds();
        let mut loading = self.loading.take().unwrap_or_default();
        loading.add(rest, self.now, t);
        self.inventory = loading.finish(self.now, t);
        // Settling recounts.
        self.unsettled.shape = true;
    }

    /// The stored inventory could not be read to its end: the parts taken in go.
    pub(crate) fn drop_loading(&mut self) {
        self.loading = None;
    }

    /// The clock reached the time the filter may read otherwise for some row: the table
    /// filters again.
    pub(crate) fn filter_again(&mut self) {
        let page = self.page_height();
        self.table.filter_again(&self.inventory, self.now, page);
    }

    /// Brings the table and the counts up to date with what changed in the rows.
    pub(crate) fn settle(&mut self) {
        let change = std::mem::take(&mut self.unsettled);
        if !change.any() {
            return;
        }
        let page = self.page_height();
        self.table.now = self.now;
        self.table.settle(&self.inventory, change, page);
        self.inventory.recount(self.now, self.thresholds());
    }

    /// The next instant a clock tick would change something drawn: the spinner's next turn
    /// (at once, while something runs), the first toast to expire, the first flag that can
    /// change, the first relative time on screen to read differently. `None`: no tick is
    /// needed.
    pub fn next_tick_due(&self) -> Option<DateTime<Utc>> {
        let spinning = self.refresh.running.is_some() || !self.rotating.is_empty();
        let toast = self.toasts.iter().filter_map(Toast::expires_at).min();
        [
            spinning.then_some(self.now),
            toast,
            self.changes.next_unmark(self.now),
            self.inventory.flags_due,
            self.table.filter_due,
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
        let l = self.layout();
        let page = (l.rows.height as usize).max(1);
        let offset = self.table.effective_offset(page);
        let shown: Vec<Column> = l.columns.iter().filter_map(|c| c.column).collect();
        for e in self
            .table
            .visible_entries(&self.inventory)
            .skip(offset)
            .take(page)
        {
            for column in [Column::Created, Column::LastUsed, Column::Expires] {
                if shown.contains(&column) {
                    relative.extend(column.time(&e));
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
            if let Some(k) = self.inventory.connector(&e.key.app_id, &e.key.connector_id) {
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

    /// The last clock tick changed something drawn (the spinner, a toast, a flag, a
    /// relative time): the runtime redraws after it.
    pub fn tick_changed_view(&self) -> bool {
        self.tick_changed
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

    /// Starts a piece of the command line's work for the worker; `under_way` is shown until
    /// it is done, however long it takes, and not a moment after, so that "exporting…" is
    /// not left beside "exported" nor gone while the export still runs.
    pub(crate) fn start_work(&mut self, under_way: Option<String>) -> WorkId {
        let work = self.next_work;
        self.next_work += 1;
        if let Some(text) = under_way {
            self.info(text);
            if let Some(t) = self.toasts.last_mut() {
                t.work = Some(work);
            }
        }
        work
    }

    /// The worker is done with `work`: what said it was under way goes.
    pub(crate) fn end_work(&mut self, work: WorkId) {
        self.toasts.retain(|t| t.work != Some(work));
    }

    fn push_toast(&mut self, kind: ToastKind, text: String, seconds: i64) {
        let until = self.now + chrono::Duration::seconds(seconds);
        self.toasts.push(Toast {
            text,
            kind,
            until,
            work: None,
        });
        if self.toasts.len() > 5 {
            let extra = self.toasts.len() - 5;
            self.toasts.drain(..extra);
        }
    }
}

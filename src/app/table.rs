//! The table over the inventory: the sort, the status view and the filter, the rows they
//! leave visible (positions into the inventory), the selection (by key, so that a re-sort or
//! a refresh never moves the user to another row) and the scroll offset. Each column sorts
//! by typed keys (`sort_key.rs`).
//!
//! Revoked and gone credentials are only in the "revoked" view (and "all"); the other views
//! hold live credentials. Connector rows are only in "all".

use chrono::{DateTime, Utc};
use rayon::slice::ParallelSliceMut;

use crate::audit::Group;
use crate::model::CredentialKey;

use crate::query::{Query, QueryError};

use super::filter::Subject;
use super::inventory::{Change, Entry, EntryKind, Inventory};

mod sort_key;
use sort_key::sort_key;

/// Sortable columns, in the order `s` cycles through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Name,
    App,
    Connector,
    ClientId,
    Created,
    LastUsed,
    Expires,
    Status,
    /// The highest unmuted severity of the row's findings.
    Findings,
}

impl Column {
    pub const ALL: [Column; 9] = [
        Column::Name,
        Column::App,
        Column::Connector,
        Column::ClientId,
        Column::Created,
        Column::LastUsed,
        Column::Expires,
        Column::Status,
        Column::Findings,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Column::Name => "Name",
            Column::App => "App",
            Column::Connector => "Connector",
            Column::ClientId => "Client id",
            Column::Created => "Created",
            Column::LastUsed => "Last used",
            Column::Expires => "Expires",
            Column::Status => "Status",
            Column::Findings => "Findings",
        }
    }

    /// The column `s` sorts by after this one: the next of `shown`, in their order; the
    /// first of them when this one is not shown (a choice without it, say). Sorting by a
    /// column nobody chose would bring it onto the screen.
    pub fn next_among(self, shown: &[Column]) -> Column {
        let Some(&first) = shown.first() else {
            return self;
        };
        match shown.iter().position(|c| *c == self) {
            Some(i) => shown[(i + 1) % shown.len()],
            None => first,
        }
    }

    /// The time a row shows in this column, if it is a time column.
    pub fn time(self, e: &Entry) -> Option<DateTime<Utc>> {
        let c = e.last.as_ref()?;
        match self {
            Column::Created => c.created_at,
            Column::LastUsed => c.last_used_at,
            Column::Expires => c.expires_time,
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: Column,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort {
            column: Column::Status,
            descending: false,
        }
    }
}

/// The status views Tab cycles through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum View {
    #[default]
    All,
    Active,
    Expiring,
    Expired,
    NeverUsed,
    Idle,
    Revoked,
    /// Rows with findings of the audit (muted ones too: shown as muted, never hidden).
    Findings,
}

impl View {
    pub const ALL: [View; 8] = [
        View::All,
        View::Active,
        View::Expiring,
        View::Expired,
        View::NeverUsed,
        View::Idle,
        View::Revoked,
        View::Findings,
    ];

    pub fn name(self) -> &'static str {
        match self {
            View::All => "all",
            View::Active => "active",
            View::Expiring => "expiring soon",
            View::Expired => "expired",
            View::NeverUsed => "never used",
            View::Idle => "idle",
            View::Revoked => "revoked",
            View::Findings => "with findings",
        }
    }

    pub fn next(self) -> View {
        let i = View::ALL.iter().position(|v| *v == self).unwrap_or(0);
        View::ALL[(i + 1) % View::ALL.len()]
    }

    pub fn prev(self) -> View {
        let i = View::ALL.iter().position(|v| *v == self).unwrap_or(0);
        View::ALL[(i + View::ALL.len() - 1) % View::ALL.len()]
    }

    fn group(self) -> Option<Group> {
        Some(match self {
            View::All | View::Findings => return None,
            View::Active => Group::Active,
            View::Expiring => Group::Expiring,
            View::Expired => Group::Expired,
            View::NeverUsed => Group::NeverUsed,
            View::Idle => Group::Idle,
            View::Revoked => Group::Revoked,
        })
    }

    pub fn admits(self, e: &Entry) -> bool {
        if self == View::Findings {
            return !e.findings.is_empty();
        }
        match self.group() {
            None => true,
            Some(g) => e.kind == EntryKind::Credential && g.holds(e.flags),
        }
    }
}

/// One connector's rows, from a credential of it (`c`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorScope {
    pub app_id: String,
    pub connector_id: String,
    /// The status view shown before, to go back to.
    pub view_before: View,
}

impl ConnectorScope {
    pub fn holds(&self, key: &CredentialKey) -> bool {
        key.app_id == self.app_id && key.connector_id == self.connector_id
    }
}

#[derive(Debug, Default)]
pub struct Table {
    pub sort: Sort,
    pub view: View,
    /// The filter as typed.
    pub filter: String,
    /// The last filter that parsed: the one applied.
    query: Query,
    /// What is wrong with `filter`, when it does not parse (`query` stays applied).
    pub filter_error: Option<QueryError>,
    /// The selection before the filter was opened (and whether the top was followed), to
    /// go back to when the filter is cleared.
    before_filter: Option<(Option<CredentialKey>, bool)>,
    /// The time the filter compares times against (the state's `now`, as of the last
    /// filtering).
    pub now: DateTime<Utc>,
    /// When the clock alone may change what the filter admits (a time comparison turning
    /// for some row): the table filters again then.
    pub filter_due: Option<DateTime<Utc>>,
    /// Typing into the filter.
    pub filter_editing: bool,
    /// Only this connector's rows are shown (`c`), and the view to go back to.
    pub connector: Option<ConnectorScope>,
    /// Every row, in sort order (positions into the inventory).
    order: Vec<usize>,
    /// The rows the view and the filter admit, in sort order: what the table shows.
    pub visible: Vec<usize>,
    /// The selected row; a connector row's key has an empty credential id.
    selected: Option<CredentialKey>,
    /// Until the user picks a row, the first row is selected whatever it is, so rows
    /// arriving at start do not scroll the view away from the top.
    follow_top: bool,
    /// The selected row's position in `visible`.
    pub cursor: usize,
    /// The first visible row drawn.
    pub offset: usize,
}

impl Table {
    pub fn new() -> Table {
        Table {
            follow_top: true,
            ..Table::default()
        }
    }

    /// Brings the table up to date with a change of the rows: sorts again only when a value
    /// it sorts on changed (or rows came or went), filters again only when what the view or
    /// the filter reads changed.
    pub fn settle(&mut self, inv: &Inventory, change: Change, page: usize) {
        let findings_sorted = change.findings && self.sort.column == Column::Findings;
        if change.shape || change.order || findings_sorted {
            self.resort(inv, page);
        } else if (change.flags && self.view != View::All)
            || (change.findings && self.view == View::Findings)
            || (change.any() && !self.query.is_empty())
        {
            self.refilter(inv, page);
        }
    }

    /// Sorts every row again (the sort changed, or the rows did).
    pub fn resort(&mut self, inv: &Inventory, page: usize) {
        let column = self.sort.column;
        let mut order: Vec<usize> = (0..inv.len()).collect();
        // On every core: at 100,000 rows one core alone missed the 50 ms a sort may take.
        order.par_sort_by_cached_key(|&i| sort_key(inv.at(i), column));
        if self.sort.descending {
            order.reverse();
        }
        self.order = order;
        self.refilter(inv, page);
    }

    /// The exact reverse: the order is total, so reversing the lists is the other sort.
    pub fn reverse(&mut self, inv: &Inventory, page: usize) {
        self.sort.descending = !self.sort.descending;
        self.order.reverse();
        let line = self.cursor.saturating_sub(self.offset);
        self.visible.reverse();
        self.reselect(inv, line, page);
    }

    /// The view or the filter changed, or rows did.
    fn refilter(&mut self, inv: &Inventory, page: usize) {
        let line = self.cursor.saturating_sub(self.offset);
        let (view, query, now) = (self.view, &self.query, self.now);
        let scope = self.connector.as_ref();
        let reads_time = query.reads_time();
        let mut due: Option<DateTime<Utc>> = None;
        let shown = |&i: &usize| {
            let e = inv.at(i);
            if !(view.admits(&e) && scope.is_none_or(|s| s.holds(e.key))) {
                return false;
            }
            if reads_time && let Some(at) = query.turns_after(&Subject(e), now) {
                due = Some(due.map_or(at, |d| d.min(at)));
            }
            query.is_empty() || query.matches(&Subject(e), now)
        };
        self.visible = self.order.iter().copied().filter(shown).collect();
        self.filter_due = due;
        self.reselect(inv, line, page);
    }

    /// Filters again against `now`: the clock reached [`Table::filter_due`].
    pub fn filter_again(&mut self, inv: &Inventory, now: DateTime<Utc>, page: usize) {
        self.now = now;
        self.refilter(inv, page);
    }

    /// The filter applied (the last that parsed).
    pub fn query(&self) -> &Query {
        &self.query
    }

    /// Opens the filter, remembering the selection to go back to.
    pub fn begin_filter(&mut self) {
        self.filter_editing = true;
        if self.before_filter.is_none() {
            self.before_filter = Some((self.selected.clone(), self.follow_top));
        }
    }

    /// The filter as typed now: applied if it parses, the cursor on the first match; if it
    /// does not, the mistake is kept beside it and the last filter that parsed stays
    /// applied. Empty: the selection from before the filter comes back.
    pub fn set_filter(&mut self, inv: &Inventory, filter: String, page: usize) {
        match Query::parse(&filter) {
            Ok(query) => {
                self.filter_error = None;
                self.filter = filter;
                if query.source().trim() == self.query.source().trim() {
                    self.query = query;
                    return;
                }
                self.query = query;
                self.refilter(inv, page);
                if self.query.is_empty() {
                    self.restore_selection(inv, page);
                } else {
                    self.select_at(inv, 0, page);
                }
            }
            Err(e) => {
                self.filter = filter;
                self.filter_error = Some(e);
            }
        }
    }

    /// No filter: every row of the view, the selection from before the filter back, or the
    /// selected row kept if there is one.
    pub fn clear_filter(&mut self, inv: &Inventory, page: usize) {
        let matched_nothing = self.visible.is_empty();
        self.filter_error = None;
        self.filter.clear();
        self.query = Query::default();
        self.refilter(inv, page);
        if matched_nothing {
            self.restore_selection(inv, page);
        } else {
            self.before_filter = None;
        }
    }

    /// Esc in the filter: no filter, and the row selected before it.
    pub fn cancel_filter(&mut self, inv: &Inventory, page: usize) {
        self.filter_editing = false;
        self.filter_error = None;
        self.filter.clear();
        self.query = Query::default();
        self.refilter(inv, page);
        self.restore_selection(inv, page);
    }

    /// Enter in the filter: the filter applied is kept; a mistake typed after it is
    /// dropped, and returned to be told.
    pub fn keep_filter(&mut self) -> Option<(String, QueryError)> {
        self.filter_editing = false;
        let error = self.filter_error.take()?;
        let typed = std::mem::replace(&mut self.filter, self.query.source().to_string());
        Some((typed, error))
    }

    /// Selects the row selected before the filter was opened (the top if the top was
    /// followed), if it is visible.
    fn restore_selection(&mut self, inv: &Inventory, page: usize) {
        let Some((key, follow)) = self.before_filter.take() else {
            return;
        };
        if follow {
            self.follow_top = true;
            self.select_top(inv);
            return;
        }
        if let Some(k) = key {
            self.select_key(inv, &k, page);
        }
    }

    /// Shows only one connector's rows (every status), or, with `None`, every row again in
    /// the view shown before.
    pub fn set_connector(&mut self, inv: &Inventory, scope: Option<(String, String)>, page: usize) {
        match scope {
            Some((app_id, connector_id)) => {
                let view_before = self.connector.take().map_or(self.view, |s| s.view_before);
                self.connector = Some(ConnectorScope {
                    app_id,
                    connector_id,
                    view_before,
                });
                self.view = View::All;
            }
            None => {
                if let Some(s) = self.connector.take() {
                    self.view = s.view_before;
                }
            }
        }
        self.refilter(inv, page);
    }

    pub fn set_view(&mut self, inv: &Inventory, view: View, page: usize) {
        self.view = view;
        self.refilter(inv, page);
    }

    pub fn set_sort(&mut self, inv: &Inventory, sort: Sort, page: usize) {
        self.sort = sort;
        self.resort(inv, page);
    }

    /// After `visible` changed: keep the selected row if it is still there (and on the same
    /// screen line), else select the row now at the cursor's position.
    fn reselect(&mut self, inv: &Inventory, line: usize, page: usize) {
        let len = self.visible.len();
        if len == 0 {
            self.cursor = 0;
            self.offset = 0;
            return;
        }
        if self.follow_top {
            self.select_top(inv);
            return;
        }
        let at = self
            .selected
            .as_ref()
            .and_then(|k| inv.position(k))
            .and_then(|i| self.visible.iter().position(|&v| v == i));
        match at {
            Some(p) => self.cursor = p,
            None => {
                self.cursor = self.cursor.min(len - 1);
                self.selected = Some(inv.at(self.visible[self.cursor]).key.clone());
            }
        }
        self.offset = self.cursor.saturating_sub(line);
        self.offset = self.effective_offset(page);
    }

    /// Select the first row, still following the top.
    pub fn select_top(&mut self, inv: &Inventory) {
        self.cursor = 0;
        self.offset = 0;
        self.selected = self.visible.first().map(|&i| inv.at(i).key.clone());
    }

    /// Select the visible row at a position (the user's choice: stop following the top).
    pub fn select_at(&mut self, inv: &Inventory, pos: usize, page: usize) {
        self.follow_top = false;
        let len = self.visible.len();
        if len == 0 {
            return;
        }
        self.cursor = pos.min(len - 1);
        self.selected = Some(inv.at(self.visible[self.cursor]).key.clone());
        self.offset = self.effective_offset(page);
    }

    /// Select a row if it is visible. Returns whether it is.
    pub fn select_key(&mut self, inv: &Inventory, key: &CredentialKey, page: usize) -> bool {
        let at = inv
            .position(key)
            .and_then(|i| self.visible.iter().position(|&v| v == i));
        match at {
            Some(p) => {
                self.select_at(inv, p, page);
                true
            }
            None => false,
        }
    }

    pub fn selected<'a>(&self, inv: &'a Inventory) -> Option<Entry<'a>> {
        let i = *self.visible.get(self.cursor)?;
        Some(inv.at(i))
    }

    /// Every row, in sort order.
    pub fn sorted_entries<'a>(&'a self, inv: &'a Inventory) -> impl Iterator<Item = Entry<'a>> {
        self.order.iter().map(|&i| inv.at(i))
    }

    pub fn visible_entries<'a>(&'a self, inv: &'a Inventory) -> impl Iterator<Item = Entry<'a>> {
        self.visible.iter().map(|&i| inv.at(i))
    }

    /// The first row to draw: `offset`, moved as little as needed to show the cursor.
    pub fn effective_offset(&self, page: usize) -> usize {
        let len = self.visible.len();
        let page = page.max(1);
        let mut off = self.offset.min(len.saturating_sub(page));
        if self.cursor < off {
            off = self.cursor;
        } else if self.cursor >= off + page {
            off = self.cursor + 1 - page;
        }
        off
    }

    /// Scroll so that `offset` is the first row drawn, keeping the selection on screen.
    pub fn scroll_to(&mut self, inv: &Inventory, offset: usize, page: usize) {
        self.offset = offset;
        if self.cursor < offset {
            self.select_at(inv, offset, page);
        } else if self.cursor >= offset + page {
            self.select_at(inv, offset + page - 1, page);
        }
        self.offset = offset;
    }
}

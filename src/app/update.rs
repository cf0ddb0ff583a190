//! `update`: the only place the state changes. Keys, ticks and worker results in; effects out.
//!
//! Rows change one message at a time, but the table sorts and filters again only when it
//! must: [`update_all`] takes a batch (the runtime hands over everything that arrived since
//! the last frame) and brings the table up to date once at its end, and before any key or
//! click, which must see the rows where they are drawn.

mod results;

use chrono::{DateTime, Utc};
use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use super::confirm;
use super::dialogs::{
    self, BulkOutcome, BulkPlan, BulkRun, Modal, PlanStep, RevokeDialog, RotateDialog,
};
use super::inventory::{EntryKind, Pending, Row};
use super::keymap::{Action, Context};
use super::layout;
use super::msg::{Effect, Msg};
use super::state::State;
use super::table::Sort;
use super::view;
use crate::model::CredentialKey;
use crate::text;

/// The contexts whose keys act on the list.
const LIST_CONTEXTS: &[Context] = &[
    Context::Navigation,
    Context::List,
    Context::Actions,
    Context::Marks,
    Context::Windows,
    Context::General,
];

/// Rows the mouse wheel scrolls.
const WHEEL_STEP: usize = 3;

/// Takes in one message.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    update_all(state, [msg])
}

/// Takes in a batch of messages, in order.
pub fn update_all(state: &mut State, msgs: impl IntoIterator<Item = Msg>) -> Vec<Effect> {
    let mut fx = Vec::new();
    for msg in msgs {
        match msg {
            Msg::Key(key) => {
                state.settle();
                on_key(state, key, &mut fx);
            }
            Msg::Mouse(m) => {
                state.settle();
                on_mouse(state, m);
            }
            Msg::Resize { width, height } => {
                state.width = width;
                state.height = height;
                state.settle();
                fix_offset(state);
            }
            Msg::Tick(now) => on_tick(state, now),
            Msg::RefreshDue => request_refresh(state, true, &mut fx),
            Msg::Worker(w) => results::on_worker(state, w, &mut fx),
        }
    }
    state.settle();
    fx
}

/// Changes one credential's row (adding it when new); the table catches up at the end of
/// the batch.
fn change_credential(state: &mut State, key: &CredentialKey, f: impl FnOnce(&mut Row)) {
    let (now, t) = (state.now, state.thresholds());
    let change = state.inventory.change_credential(key, now, t, f);
    state.unsettled.merge(change);
}

fn on_tick(state: &mut State, now: DateTime<Utc>) {
    let earlier = now < state.now;
    let text_due = state.screen_text_changes_at();
    state.now = now;
    let spinning = state.refresh.running.is_some() || !state.rotating.is_empty();
    if spinning {
        state.spinner = state.spinner.wrapping_add(1);
    }
    let toasts = state.toasts.len();
    state.toasts.retain(|t| t.until > now);
    let due = state.inventory.flags_due.is_some_and(|due| now >= due);
    let mut flags = false;
    if due || earlier {
        let change = state.inventory.rederive_flags(now, state.thresholds());
        flags = change.flags;
        state.unsettled.merge(change);
        state.settle();
    }
    state.tick_changed = spinning
        || flags
        || state.toasts.len() != toasts
        || earlier
        || text_due.is_some_and(|at| now >= at);
}

// ---- refresh ----

pub(super) fn request_refresh(state: &mut State, silent: bool, fx: &mut Vec<Effect>) {
    if state.refresh.running.is_some() {
        if !state.refresh.queued {
            state.refresh.queued = true;
            if !silent {
                state.info("a refresh is running; another will follow it");
            }
        }
        return;
    }
    start_refresh(state, fx);
}

pub(super) fn start_refresh(state: &mut State, fx: &mut Vec<Effect>) {
    let r = &mut state.refresh;
    r.last_generation += 1;
    let generation = r.last_generation;
    r.running = Some(generation);
    r.queued = false;
    r.total = 0;
    r.done = 0;
    r.fetched = 0;
    r.failed = 0;
    r.first_failure = None;
    r.errors = 0;
    fx.push(Effect::Refresh { generation });
}

// ---- keys ----

fn is_ctrl_c(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL)
        && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('C'))
}

/// A printable character typed into an input (no ctrl or alt).
fn typed_char(key: &KeyEvent) -> Option<char> {
    match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                && !text::is_unsafe(c) =>
        {
            Some(c)
        }
        _ => None,
    }
}

fn quit(state: &mut State, fx: &mut Vec<Effect>) {
    state.quit = true;
    fx.push(Effect::Quit);
}

fn on_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    if key.kind == KeyEventKind::Release {
        return;
    }
    if !state.secrets.is_empty() {
        secret_key(state, key, fx);
    } else if state.modal.is_some() {
        modal_key(state, key, fx);
    } else if state.table.filter_editing {
        filter_key(state, key, fx);
    } else {
        list_key(state, key, fx);
    }
}

fn secret_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    let km = &state.options.keymap;
    let close = km.is(Action::Close, &key)
        || km.is(Action::Cancel, &key)
        || key.code == KeyCode::Enter
        || is_ctrl_c(&key);
    let reveal = km.is(Action::Reveal, &key);
    let copy = km.is(Action::Copy, &key);
    let Some(view) = state.secrets.front_mut() else {
        return;
    };
    if close {
        if view.close_armed {
            // Dropping the view zeroizes the secret.
            drop(state.secrets.pop_front());
        } else {
            view.close_armed = true;
        }
        return;
    }
    view.close_armed = false;
    if reveal {
        view.revealed = !view.revealed;
    } else if copy {
        fx.push(Effect::Copy(view.secret.clone()));
        // Nothing answers OSC 52: whether the terminal took it cannot be known.
        state.toast("secret sent to the terminal's clipboard (OSC 52)");
    }
}

fn list_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    let km = &state.options.keymap;
    let Some(action) = km.lookup(LIST_CONTEXTS, &key) else {
        if km.is(Action::FilterClear, &key) {
            if !state.table.filter.is_empty() {
                set_filter(state, String::new());
            } else if state.detail {
                state.detail = false;
                fix_offset(state);
            }
        }
        return;
    };
    let page = state.page_height();
    let cursor = state.table.cursor;
    match action {
        Action::MoveDown => select_at(state, cursor + 1),
        Action::MoveUp => select_at(state, cursor.saturating_sub(1)),
        Action::Top => select_at(state, 0),
        Action::Bottom => select_at(state, usize::MAX),
        Action::PageDown => {
            state.table.offset += page;
            select_at(state, cursor + page)
        }
        Action::PageUp => {
            state.table.offset = state.table.offset.saturating_sub(page);
            select_at(state, cursor.saturating_sub(page))
        }
        Action::Filter => state.table.filter_editing = true,
        Action::SortNext => set_sort(
            state,
            Sort {
                column: state.table.sort.column.next(),
                descending: false,
            },
        ),
        Action::SortReverse => reverse_sort(state),
        Action::ViewNext => {
            let view = state.table.view.next();
            state.table.set_view(&state.inventory, view, page);
        }
        Action::ViewPrev => {
            let view = state.table.view.prev();
            state.table.set_view(&state.inventory, view, page);
        }
        Action::ToggleDetail => {
            state.detail = !state.detail;
            fix_offset(state);
        }
        Action::Refresh => request_refresh(state, false, fx),
        Action::Revoke => open_revoke(state),
        Action::Rotate => open_rotate(state),
        Action::Mark => {
            if let Some(&i) = state.table.visible.get(cursor) {
                let e = state.inventory.at(i);
                if e.kind == EntryKind::Connector {
                    state.refuse("a connector row has no credential to mark");
                } else {
                    let m = !e.marked;
                    state.inventory.set_marked(i, m);
                    select_at(state, cursor + 1);
                }
            }
        }
        Action::MarkAll => {
            for &i in &state.table.visible {
                state.inventory.set_marked(i, true);
            }
            let n = state.inventory.marked();
            state.toast(format!("{n} marked"));
        }
        Action::ClearMarks => state.inventory.clear_marks(),
        Action::BulkRevoke => open_bulk_plan(state),
        Action::Journal => {
            state.modal = Some(Modal::Journal {
                lines: None,
                scroll: 0,
            });
            fx.push(Effect::LoadJournal);
        }
        Action::Errors => state.modal = Some(Modal::Errors { scroll: 0 }),
        Action::Help => state.modal = Some(Modal::Help { scroll: 0 }),
        Action::Quit => quit(state, fx),
        _ => {}
    }
}

fn select_at(state: &mut State, pos: usize) {
    let page = state.page_height();
    state.table.select_at(&state.inventory, pos, page);
}

fn set_filter(state: &mut State, filter: String) {
    let page = state.page_height();
    state.table.set_filter(&state.inventory, filter, page);
}

fn set_sort(state: &mut State, sort: Sort) {
    let page = state.page_height();
    state.table.set_sort(&state.inventory, sort, page);
}

fn fix_offset(state: &mut State) {
    let page = state.page_height();
    state.table.offset = state.table.effective_offset(page);
}

fn reverse_sort(state: &mut State) {
    let page = state.page_height();
    state.table.reverse(&state.inventory, page);
}

fn filter_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    let km = &state.options.keymap;
    if is_ctrl_c(&key) {
        return quit(state, fx);
    }
    if km.is(Action::FilterClear, &key) {
        state.table.filter_editing = false;
        set_filter(state, String::new());
        return;
    }
    if km.is(Action::FilterKeep, &key) {
        state.table.filter_editing = false;
        return;
    }
    let cursor = state.table.cursor;
    match key.code {
        KeyCode::Backspace => {
            let mut f = state.table.filter.clone();
            f.pop();
            set_filter(state, f);
        }
        KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            set_filter(state, String::new());
        }
        KeyCode::Down => select_at(state, cursor + 1),
        KeyCode::Up => select_at(state, cursor.saturating_sub(1)),
        _ => {
            if let Some(c) = typed_char(&key)
                && state.table.filter.chars().count() < confirm::MAX_TYPED
            {
                let mut f = state.table.filter.clone();
                f.push(c);
                set_filter(state, f);
            }
        }
    }
}

// ---- revoke ----

fn open_revoke(state: &mut State) {
    if state.options.read_only {
        state.refuse("read-only: revoke is disabled");
        return;
    }
    let Some(e) = state.selected_entry() else {
        state.refuse("nothing selected");
        return;
    };
    if e.kind == EntryKind::Connector {
        let rotate = state.options.keymap.label(Action::Rotate);
        state.refuse(format!(
            "this connector has no tracked credential, nothing to revoke ({rotate} mints one)"
        ));
        return;
    }
    if let Some(why) = dialogs::not_revocable(&e) {
        state.refuse(why);
        return;
    }
    let d = RevokeDialog::open(
        &state.inventory,
        &e,
        state.now,
        state.options.recent_use_days,
    );
    state.modal = Some(Modal::Revoke(d));
}

fn confirm_revoke(state: &mut State, key: CredentialKey, fx: &mut Vec<Effect>) {
    state.modal = None;
    if state.options.read_only {
        return;
    }
    change_credential(state, &key, |e| e.pending = Some(Pending::Revoking));
    fx.push(Effect::Revoke { key });
}

fn modal_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(modal) = state.modal.take() else {
        return;
    };
    let km = &state.options.keymap;
    let confirm = km.is(Action::Confirm, &key);
    let cancel = km.is(Action::Cancel, &key);
    let esc = key.code == KeyCode::Esc;
    let enter = key.code == KeyCode::Enter;
    if is_ctrl_c(&key) && !matches!(modal, Modal::Revoke(_) | Modal::BulkPlan(_)) {
        return quit(state, fx);
    }
    match modal {
        Modal::Revoke(mut d) => {
            if is_ctrl_c(&key) {
                return quit(state, fx);
            }
            match d.typed.as_mut() {
                Some(t) => {
                    if esc {
                        return;
                    }
                    if enter {
                        if t.input.is_empty() {
                            return;
                        }
                        if t.input == t.expected {
                            let k = d.key.clone();
                            return confirm_revoke(state, k, fx);
                        }
                        t.mismatch = true;
                    } else if key.code == KeyCode::Backspace {
                        t.pop();
                    } else if let Some(c) = typed_char(&key) {
                        t.push(c);
                    }
                    state.modal = Some(Modal::Revoke(d));
                }
                None => {
                    if confirm {
                        let k = d.key.clone();
                        return confirm_revoke(state, k, fx);
                    }
                    if cancel || esc || enter {
                        return;
                    }
                    state.modal = Some(Modal::Revoke(d));
                }
            }
        }
        Modal::Rotate(d) => {
            if confirm {
                if state.options.read_only {
                    return;
                }
                state
                    .rotating
                    .insert((d.app_id.clone(), d.connector_id.clone()));
                state.info(format!(
                    "minting a new credential for {}…",
                    text::sanitize(&d.connector_name)
                ));
                fx.push(Effect::Rotate {
                    app_id: d.app_id,
                    connector_id: d.connector_id,
                });
                return;
            }
            if cancel || esc || enter {
                return;
            }
            state.modal = Some(Modal::Rotate(d));
        }
        Modal::BulkPlan(mut p) => {
            if is_ctrl_c(&key) {
                return quit(state, fx);
            }
            if esc {
                return;
            }
            let page = layout::modal_page(state.area(), &Modal::BulkPlan(p.clone()));
            let lines = p.list_lines();
            match key.code {
                KeyCode::Enter => match p.submit(page) {
                    PlanStep::Run => return start_bulk(state, p.targets, p.skipped.len(), fx),
                    PlanStep::Nothing if p.input.is_empty() || p.targets.is_empty() => return,
                    PlanStep::Nothing | PlanStep::Confirmed => {}
                },
                KeyCode::Backspace => p.pop(),
                KeyCode::Down => p.scroll = (p.scroll + 1).min(lines.saturating_sub(page)),
                KeyCode::Up => p.scroll = p.scroll.saturating_sub(1),
                KeyCode::PageDown => p.scroll = (p.scroll + page).min(lines.saturating_sub(page)),
                KeyCode::PageUp => p.scroll = p.scroll.saturating_sub(page),
                _ => {
                    if let Some(c) = typed_char(&key) {
                        p.push(c);
                    }
                }
            }
            state.modal = Some(Modal::BulkPlan(p));
        }
        Modal::Bulk { mut scroll } => {
            if km.is(Action::Retry, &key) {
                retry_failed(state, fx);
                state.modal = Some(Modal::Bulk { scroll });
                return;
            }
            if cancel || esc || enter || km.is(Action::Close, &key) {
                return;
            }
            let len = state.bulk.as_ref().map_or(0, |b| b.items.len());
            let page = layout::modal_page(state.area(), &Modal::Bulk { scroll });
            scroll = scroll_by(km, &key, scroll, len, page);
            state.modal = Some(Modal::Bulk { scroll });
        }
        Modal::Help { scroll } => {
            if cancel || esc || km.is(Action::Close, &key) || km.is(Action::Help, &key) {
                return;
            }
            let len = view::help_lines(km, state.options.read_only).len();
            let page = layout::modal_page(state.area(), &Modal::Help { scroll });
            let scroll = scroll_by(km, &key, scroll, len, page);
            state.modal = Some(Modal::Help { scroll });
        }
        Modal::Errors { scroll } => {
            if cancel || esc || km.is(Action::Close, &key) || km.is(Action::Errors, &key) {
                return;
            }
            let m = Modal::Errors { scroll };
            let len = view::error_lines(&state.errors, modal_text_width(state, &m)).len();
            let page = layout::modal_page(state.area(), &m);
            let scroll = scroll_by(km, &key, scroll, len, page);
            state.modal = Some(Modal::Errors { scroll });
        }
        Modal::Journal { lines, scroll } => {
            if cancel || esc || km.is(Action::Close, &key) || km.is(Action::Journal, &key) {
                return;
            }
            let m = Modal::Journal {
                lines: None,
                scroll,
            };
            let width = modal_text_width(state, &m);
            let len = lines
                .as_ref()
                .map_or(0, |l| view::journal_lines(l, width).len());
            let page = layout::modal_page(
                state.area(),
                &Modal::Journal {
                    lines: None,
                    scroll,
                },
            );
            let scroll = scroll_by(km, &key, scroll, len, page);
            state.modal = Some(Modal::Journal { lines, scroll });
        }
    }
}

/// The width of text inside a modal window (borders and a space each side removed).
pub fn modal_text_width(state: &State, modal: &Modal) -> usize {
    layout::modal_area(state.area(), modal)
        .width
        .saturating_sub(4) as usize
}

fn scroll_by(
    km: &super::keymap::Keymap,
    key: &KeyEvent,
    scroll: usize,
    len: usize,
    page: usize,
) -> usize {
    let max = len.saturating_sub(page);
    let s = match km.lookup(&[Context::Navigation], key) {
        Some(Action::MoveDown) => scroll + 1,
        Some(Action::MoveUp) => scroll.saturating_sub(1),
        Some(Action::PageDown) => scroll + page,
        Some(Action::PageUp) => scroll.saturating_sub(page),
        Some(Action::Top) => 0,
        Some(Action::Bottom) => max,
        _ => scroll,
    };
    s.min(max)
}

// ---- rotate ----

fn open_rotate(state: &mut State) {
    if state.options.read_only {
        state.refuse("read-only: rotate is disabled");
        return;
    }
    let Some(e) = state.selected_entry() else {
        state.refuse("nothing selected");
        return;
    };
    let (app_id, connector_id) = (e.key.app_id.clone(), e.key.connector_id.clone());
    if state
        .rotating
        .contains(&(app_id.clone(), connector_id.clone()))
    {
        state.refuse("a rotate of this connector is already running");
        return;
    }
    let d = RotateDialog::open(&state.inventory, &app_id, &connector_id);
    state.modal = Some(Modal::Rotate(d));
}

// ---- bulk ----

fn open_bulk_plan(state: &mut State) {
    if state.options.read_only {
        state.refuse("read-only: revoke is disabled");
        return;
    }
    if state.inventory.marked() == 0 {
        let mark = state.options.keymap.label(Action::Mark);
        let all = state.options.keymap.label(Action::MarkAll);
        state.refuse(format!(
            "nothing marked: {mark} marks a row, {all} every visible row"
        ));
        return;
    }
    let marked = state
        .table
        .sorted_entries(&state.inventory)
        .filter(|e| e.marked && e.kind == EntryKind::Credential);
    let plan = BulkPlan::open(
        &state.inventory,
        marked,
        state.now,
        state.options.recent_use_days,
    );
    state.modal = Some(Modal::BulkPlan(plan));
}

fn start_bulk(
    state: &mut State,
    targets: Vec<dialogs::PlanItem>,
    skipped: usize,
    fx: &mut Vec<Effect>,
) {
    if state.options.read_only {
        return;
    }
    // The plan consumed the marks, skipped rows included.
    state.inventory.clear_marks();
    for t in &targets {
        change_credential(state, &t.key, |e| e.pending = Some(Pending::Revoking));
        fx.push(Effect::Revoke { key: t.key.clone() });
    }
    state.bulk = Some(BulkRun {
        items: targets
            .into_iter()
            .map(|t| (t, BulkOutcome::Pending))
            .collect(),
        skipped,
    });
    state.modal = Some(Modal::Bulk { scroll: 0 });
}

fn retry_failed(state: &mut State, fx: &mut Vec<Effect>) {
    if state.options.read_only {
        return;
    }
    let Some(b) = state.bulk.as_mut() else { return };
    if !b.finished() {
        return;
    }
    let mut keys = Vec::new();
    for (item, outcome) in b.items.iter_mut() {
        if matches!(outcome, BulkOutcome::Failed(_)) {
            *outcome = BulkOutcome::Pending;
            keys.push(item.key.clone());
        }
    }
    for key in keys {
        change_credential(state, &key, |e| e.pending = Some(Pending::Revoking));
        fx.push(Effect::Revoke { key });
    }
}

// ---- mouse ----

fn on_mouse(state: &mut State, m: MouseEvent) {
    if !state.secrets.is_empty() || state.modal.is_some() {
        return;
    }
    let l = state.layout();
    let page = (l.rows.height as usize).max(1);
    let inside = |r: ratatui::layout::Rect| {
        m.column >= r.x && m.column < r.x + r.width && m.row >= r.y && m.row < r.y + r.height
    };
    let offset = state.table.effective_offset(page);
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            if inside(l.table_header) {
                if let Some(col) = l.column_at(m.column).and_then(|c| c.column) {
                    if state.table.sort.column == col {
                        reverse_sort(state);
                    } else {
                        set_sort(
                            state,
                            Sort {
                                column: col,
                                descending: false,
                            },
                        );
                    }
                }
            } else if inside(l.rows) {
                let pos = offset + (m.row - l.rows.y) as usize;
                if pos < state.table.visible.len() {
                    select_at(state, pos);
                }
            }
        }
        MouseEventKind::ScrollDown => {
            let len = state.table.visible.len();
            let off = (offset + WHEEL_STEP).min(len.saturating_sub(page));
            state.table.scroll_to(&state.inventory, off, page);
        }
        MouseEventKind::ScrollUp => {
            let off = offset.saturating_sub(WHEEL_STEP);
            state.table.scroll_to(&state.inventory, off, page);
        }
        _ => {}
    }
}

//! The list's intents: moving, sorting, the views, the detail pane, marks, opening dialogs
//! and windows; the filter as it is typed; the mouse over the table.

use super::super::dialogs::Modal;
use super::super::intent::{Intent, Step, Window};
use super::super::inventory::EntryKind;
use super::super::msg::Effect;
use super::super::state::State;
use super::super::table::Sort;
use super::dialogs;

/// The longest filter typed: room for several terms of the filter language.
const MAX_FILTER: usize = 256;

/// Rows the mouse wheel scrolls.
const WHEEL_STEP: usize = 3;

pub(super) fn on_list(state: &mut State, intent: Intent, fx: &mut Vec<Effect>) {
    let page = state.page_height();
    let cursor = state.table.cursor;
    match intent {
        Intent::Move(step) => move_by(state, step),
        Intent::Select(_) | Intent::SortBy(_) | Intent::Wheel { .. } => on_mouse(state, intent),
        Intent::EditFilter => state.table.begin_filter(),
        Intent::Back => {
            if !state.table.filter.is_empty() {
                state.table.clear_filter(&state.inventory, page);
            } else if state.table.connector.is_some() {
                state.table.set_connector(&state.inventory, None, page);
            } else if state.detail {
                state.detail = false;
                fix_offset(state);
            }
        }
        Intent::SortNext => set_sort(
            state,
            Sort {
                column: state.table.sort.column.next_among(&state.chosen_columns()),
                descending: false,
            },
        ),
        Intent::SortReverse => reverse_sort(state),
        Intent::ViewNext => {
            let view = state.table.view.next();
            state.table.set_view(&state.inventory, view, page);
        }
        Intent::ViewPrev => {
            let view = state.table.view.prev();
            state.table.set_view(&state.inventory, view, page);
        }
        Intent::ToggleDetail => {
            state.detail = !state.detail;
            fix_offset(state);
        }
        Intent::Refresh => super::request_refresh(state, false, fx),
        Intent::Open(Window::Revoke) => dialogs::open_revoke(state),
        Intent::Open(Window::Rotate) => dialogs::open_rotate(state),
        Intent::Open(Window::BulkPlan) => dialogs::open_bulk_plan(state),
        Intent::Open(Window::Journal) => {
            state.window_filter.clear();
            state.window_typing = false;
            state.modal = Some(Modal::Journal {
                lines: None,
                scroll: 0,
            });
            fx.push(Effect::LoadJournal);
        }
        Intent::Open(Window::Errors) => state.modal = Some(Modal::Errors { scroll: 0 }),
        Intent::Open(Window::Help) => {
            state.window_filter.clear();
            state.window_typing = false;
            state.modal = Some(Modal::Help { scroll: 0 });
        }
        Intent::Open(Window::Overview) => state.modal = Some(Modal::Overview),
        Intent::Open(Window::Rotations) => super::rotations::open_rotations(state),
        Intent::Open(Window::Changes) => super::rotations::open_changes(state),
        Intent::Discover => super::rotations::start_discovery(state, fx),
        Intent::ToggleChangeSpan => super::rotations::toggle_span(state),
        Intent::Mark => {
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
        Intent::MarkAll => {
            for &i in &state.table.visible {
                state.inventory.set_marked(i, true);
            }
            let n = state.inventory.marked();
            state.toast(format!("{n} marked"));
        }
        Intent::ClearMarks => state.inventory.clear_marks(),
        Intent::DetailScroll { down } => scroll_detail(state, down),
        Intent::ToggleWide => {
            state.wide = !state.wide;
            let room = state.layout().rows.width;
            if state.wide && room < super::super::layout::WIDE_MIN {
                state.info(format!(
                    "wide mode: whole client ids need a table {} columns wide ({room} now)",
                    super::super::layout::WIDE_MIN
                ));
            }
            fix_offset(state);
        }
        Intent::ConnectorScope => {
            let scope = match (&state.table.connector, state.selected_entry()) {
                (Some(_), _) | (None, None) => None,
                (None, Some(e)) => Some((e.key.app_id.clone(), e.key.connector_id.clone())),
            };
            state.table.set_connector(&state.inventory, scope, page);
        }
        Intent::OpenCommandLine | Intent::CopyId | Intent::CopyClientId => {
            super::command::on_list(state, intent, fx)
        }
        _ => {}
    }
}

/// The filter being typed: each keystroke filters again; the selection moves as in the
/// list.
pub(super) fn on_filter(state: &mut State, intent: Intent) {
    match intent {
        Intent::Submit => super::views::keep_filter(state),
        Intent::Cancel => {
            let page = state.page_height();
            state.table.cancel_filter(&state.inventory, page);
        }
        Intent::DeleteChar => {
            let mut f = state.table.filter.clone();
            f.pop();
            set_filter(state, f);
        }
        Intent::ClearInput => {
            let page = state.page_height();
            state.table.clear_filter(&state.inventory, page);
        }
        Intent::Type(c) if state.table.filter.chars().count() < MAX_FILTER => {
            let mut f = state.table.filter.clone();
            f.push(c);
            set_filter(state, f);
        }
        Intent::Move(step) => move_by(state, step),
        Intent::Select(_) | Intent::SortBy(_) | Intent::Wheel { .. } => on_mouse(state, intent),
        _ => {}
    }
}

fn move_by(state: &mut State, step: Step) {
    let page = state.page_height();
    let cursor = state.table.cursor;
    match step {
        Step::Down => select_at(state, cursor + 1),
        Step::Up => select_at(state, cursor.saturating_sub(1)),
        Step::Top => select_at(state, 0),
        Step::Bottom => select_at(state, usize::MAX),
        Step::PageDown => {
            state.table.offset += page;
            select_at(state, cursor + page)
        }
        Step::PageUp => {
            state.table.offset = state.table.offset.saturating_sub(page);
            select_at(state, cursor.saturating_sub(page))
        }
    }
}

/// A click on a column title sorts by it (reversing the column sorted on), on a row
/// selects it; the wheel scrolls the rows.
fn on_mouse(state: &mut State, intent: Intent) {
    let page = state.page_height();
    let offset = state.table.effective_offset(page);
    match intent {
        Intent::SortBy(column) if state.table.sort.column == column => reverse_sort(state),
        Intent::SortBy(column) => set_sort(
            state,
            Sort {
                column,
                descending: false,
            },
        ),
        Intent::Select(pos) => select_at(state, pos),
        Intent::Wheel { down: true } => {
            let len = state.table.visible.len();
            let off = (offset + WHEEL_STEP).min(len.saturating_sub(page));
            state.table.scroll_to(&state.inventory, off, page);
        }
        Intent::Wheel { down: false } => {
            let off = offset.saturating_sub(WHEEL_STEP);
            state.table.scroll_to(&state.inventory, off, page);
        }
        _ => {}
    }
}

fn select_at(state: &mut State, pos: usize) {
    let page = state.page_height();
    state.table.select_at(&state.inventory, pos, page);
}

pub(super) fn set_filter(state: &mut State, filter: String) {
    let page = state.page_height();
    state.table.now = state.now;
    state.table.set_filter(&state.inventory, filter, page);
}

fn set_sort(state: &mut State, sort: Sort) {
    let page = state.page_height();
    state.table.set_sort(&state.inventory, sort, page);
}

fn reverse_sort(state: &mut State) {
    let page = state.page_height();
    state.table.reverse(&state.inventory, page);
}

/// A line of the detail pane, kept where its last page stays full.
fn scroll_detail(state: &mut State, down: bool) {
    let Some(pane) = state.layout().detail else {
        return;
    };
    let Some(key) = state.selected_entry().map(|e| e.key.clone()) else {
        return;
    };
    let (w, h) = (pane.width.saturating_sub(2), pane.height.saturating_sub(2));
    let len = super::super::detail::detail_lines(state, w as usize).len();
    let max = len.saturating_sub(h as usize);
    let now = state.detail_scroll();
    let next = if down { now + 1 } else { now.saturating_sub(1) };
    state.detail_scrolled = Some((key, next.min(max)));
}

/// Keeps the first row drawn where the page (which a resize or the detail pane changes)
/// still shows the selection.
pub(super) fn fix_offset(state: &mut State) {
    let page = state.page_height();
    state.table.offset = state.table.effective_offset(page);
}

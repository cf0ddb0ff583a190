//! The only reader of keys and clicks. A key, in what holds the keys now (the [`Focus`]),
//! means an [`Intent`] through the keymap; where the focus takes typing, a character is
//! typed. A click or the wheel over the table is an intent through the layout, so a click
//! lands where the eye sees.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

use super::dialogs::Modal;
use super::intent::Intent;
use super::keymap::Focus;
use super::state::State;
use crate::text;

/// What holds the keys now.
pub fn focus(state: &State) -> Focus {
    if !state.secrets.is_empty() {
        return Focus::Secret;
    }
    match &state.modal {
        Some(Modal::Revoke(d)) if d.typed.is_some() => Focus::Typed,
        Some(Modal::Revoke(_) | Modal::Rotate(_) | Modal::Abandon(_)) => Focus::Confirm,
        Some(Modal::BulkPlan(_)) => Focus::BulkPlan,
        Some(Modal::Bulk { .. }) => Focus::BulkRun,
        Some(Modal::Help { .. } | Modal::Journal { .. }) if state.window_typing => {
            Focus::WindowFilter
        }
        Some(Modal::Help { .. }) => Focus::Help,
        Some(Modal::Errors { .. }) => Focus::Errors,
        Some(Modal::Journal { .. }) => Focus::Journal,
        Some(Modal::Overview) => Focus::Overview,
        Some(Modal::Rotations(_)) => Focus::Rotations,
        Some(Modal::Changes { .. }) => Focus::Changes,
        None if state.command.is_some() => Focus::Command,
        None if state.table.filter_editing => Focus::Filter,
        None => Focus::List,
    }
}

/// What a key means now; `None`: nothing (a key's release, or a key unbound here).
pub fn key(state: &State, key: &KeyEvent) -> Option<Intent> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let focus = focus(state);
    if let Some(intent) = state.options.keymap.read(focus, key) {
        return Some(intent);
    }
    if focus.is_typed_into() {
        return typed_char(key).map(Intent::Type);
    }
    (focus == Focus::Secret).then_some(Intent::Disarm)
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

/// What a click or the wheel means now: only the table takes the mouse, and only while no
/// dialog or window is open.
pub fn mouse(state: &State, m: &MouseEvent) -> Option<Intent> {
    if !matches!(focus(state), Focus::List | Focus::Filter) {
        return None;
    }
    let l = state.layout();
    let inside = |r: Rect| {
        m.column >= r.x && m.column < r.x + r.width && m.row >= r.y && m.row < r.y + r.height
    };
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) if inside(l.table_header) => l
            .column_at(m.column)
            .and_then(|c| c.column)
            .map(Intent::SortBy),
        // Under the empty-list hint the rows start where the hint ends, which only the
        // drawing knows: a click there selects nothing (j/k do).
        MouseEventKind::Down(MouseButton::Left) if inside(l.rows) && !state.shows_empty_hint() => {
            let page = (l.rows.height as usize).max(1);
            let pos = state.table.effective_offset(page) + (m.row - l.rows.y) as usize;
            (pos < state.table.visible.len()).then_some(Intent::Select(pos))
        }
        MouseEventKind::ScrollDown => Some(Intent::Wheel { down: true }),
        MouseEventKind::ScrollUp => Some(Intent::Wheel { down: false }),
        _ => None,
    }
}

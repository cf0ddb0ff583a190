//! The table: column titles with the sort arrow, then only the rows on screen.

use ratatui::Frame;
use ratatui::style::Style;

use crate::app::State;
use crate::app::inventory::{Entry, EntryKind, Pending};
use crate::app::keymap::Action;
use crate::app::layout::{self, ColumnArea, Layout};
use crate::app::table::Column;
use crate::audit::Status;
use crate::text;

use super::theme::Theme;

pub fn draw(frame: &mut Frame, l: &Layout, state: &State, theme: &Theme) {
    draw_titles(frame, l, state, theme);
    let rows = l.rows;
    if rows.height == 0 {
        return;
    }
    let page = rows.height as usize;
    let visible = &state.table.visible;
    if visible.is_empty() {
        let km = &state.options.keymap;
        let msg = if !state.loaded {
            "loading the inventory…".to_string()
        } else if state.inventory.is_empty() {
            format!(
                "no tracked credentials yet: refresh ({}) or track some with `credboard track`",
                km.label(Action::Refresh)
            )
        } else {
            format!(
                "no rows match the view and filter ({} changes the view, {} clears the filter)",
                km.label(Action::ViewNext),
                km.label(Action::FilterClear)
            )
        };
        frame.buffer_mut().set_stringn(
            rows.x + 2,
            rows.y,
            text::fit(&msg, rows.width.saturating_sub(2) as usize),
            rows.width as usize,
            theme.dim(),
        );
        return;
    }
    let offset = state.effective_offset(page);
    let end = (offset + page).min(visible.len());
    for (line, pos) in (offset..end).enumerate() {
        let i = visible[pos];
        let e = state.inventory.at(i);
        let y = rows.y + line as u16;
        let selected = pos == state.table.cursor;
        draw_row(frame, l, state, &e, y, selected, theme);
    }
}

fn draw_titles(frame: &mut Frame, l: &Layout, state: &State, theme: &Theme) {
    let area = l.table_header;
    if area.height == 0 {
        return;
    }
    let buf = frame.buffer_mut();
    buf.set_style(area, theme.table_header());
    for c in &l.columns {
        let Some(col) = c.column else { continue };
        let mut title = col.title().to_string();
        if state.table.sort.column == col {
            title.push(if state.table.sort.descending {
                '▼'
            } else {
                '▲'
            });
        }
        buf.set_stringn(
            c.x,
            area.y,
            text::fit(&title, c.width as usize),
            c.width as usize,
            theme.table_header(),
        );
    }
}

fn time_cell(
    t: Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
    unset: &str,
) -> String {
    match t {
        Some(t) => text::relative(t, now),
        None => unset.to_string(),
    }
}

/// What a credential's cell shows when nothing of it is known (never fetched, or gone
/// before it was): not a value such as "never" that would claim something.
pub const UNKNOWN: &str = "unknown";

/// The text of one cell (unsanitised: the caller fits it).
fn cell(state: &State, e: &Entry, col: Column) -> (String, bool) {
    let now = state.now;
    let c = e.last.as_ref();
    let nothing_known = e.kind == EntryKind::Credential && c.is_none();
    if nothing_known
        && matches!(
            col,
            Column::ClientId | Column::Created | Column::LastUsed | Column::Expires
        )
    {
        return (UNKNOWN.to_string(), true);
    }
    let dim_if_missing = |s: Option<&str>, fallback: &str| match s {
        Some(s) => (s.to_string(), false),
        None => (fallback.to_string(), true),
    };
    match col {
        Column::Name => match e.kind {
            EntryKind::Connector => ("(no tracked credential)".to_string(), true),
            EntryKind::Credential => dim_if_missing(e.display_name(), &e.key.credential_id),
        },
        Column::App => (state.inventory.app_name(&e.key.app_id).to_string(), false),
        Column::Connector => (
            state
                .inventory
                .connector_name(&e.key.app_id, &e.key.connector_id)
                .to_string(),
            false,
        ),
        Column::ClientId => match e.client_id() {
            Some(id) if state.wide && state.layout().rows.width >= layout::WIDE_MIN => {
                (id.to_string(), false)
            }
            Some(id) => (text::short_client_id(id), false),
            None => ("—".to_string(), true),
        },
        Column::Created => (time_cell(c.and_then(|c| c.created_at), now, "—"), false),
        Column::LastUsed => match e.kind {
            EntryKind::Connector => ("—".to_string(), true),
            _ => (
                time_cell(c.and_then(|c| c.last_used_at), now, "never"),
                false,
            ),
        },
        Column::Expires => (time_cell(c.and_then(|c| c.expires_time), now, "—"), false),
        Column::Status => (status_text(e), false),
    }
}

pub fn status_text(e: &Entry) -> String {
    if e.pending == Some(Pending::Revoking) {
        return "… revoking".to_string();
    }
    format!("{} {}", e.status.symbol(), e.status.word())
}

fn draw_row(
    frame: &mut Frame,
    l: &Layout,
    state: &State,
    e: &Entry,
    y: u16,
    selected: bool,
    theme: &Theme,
) {
    let row_style = theme.row(e.status);
    let base = if selected {
        row_style.patch(theme.selected())
    } else {
        row_style
    };
    let buf = frame.buffer_mut();
    let line = ratatui::layout::Rect::new(l.rows.x, y, l.rows.width, 1);
    buf.set_style(line, base);
    for c in &l.columns {
        let ColumnArea { column, x, width } = *c;
        let w = width as usize;
        match column {
            None => {
                let mark = if e.marked {
                    "●"
                } else if e.pending.is_some() {
                    "…"
                } else if e.error.is_some() {
                    "!"
                } else {
                    " "
                };
                let style = if e.error.is_some() && !e.marked {
                    base.patch(theme.warning())
                } else {
                    base
                };
                buf.set_stringn(x, y, mark, w, style);
            }
            Some(col) => {
                let (s, dim) = cell(state, e, col);
                let mut style: Style = base;
                if dim {
                    style = style.patch(theme.dim());
                }
                if col == Column::Status && e.status != Status::NoCredential {
                    style = style.patch(theme.status(e.status));
                }
                if col == Column::Expires && e.status == Status::Expired {
                    style = style.patch(theme.status(Status::Expired));
                }
                if selected {
                    // Keep the selection's background whatever the cell's colour.
                    style = style.patch(theme.selected());
                }
                buf.set_stringn(x, y, text::fit(&s, w), w, style);
            }
        }
    }
}

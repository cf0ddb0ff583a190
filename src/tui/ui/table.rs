//! The table: column titles with the sort arrow, then only the rows on screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;

use crate::app::State;
use crate::app::findings::AuditState;
use crate::app::inventory::{Entry, EntryKind, Pending};
use crate::app::keymap::Action;
use crate::app::layout::{self, ColumnArea, Layout};
use crate::app::table::Column;
use crate::audit::Status;
use crate::query::TextField;
use crate::text;

use super::theme::{MUTED_SYMBOL, Theme, severity_symbol};

pub fn draw(frame: &mut Frame, l: &Layout, state: &State, theme: &Theme) {
    draw_titles(frame, l, state, theme);
    let rows = l.rows;
    if rows.height == 0 {
        return;
    }
    if state.shows_empty_hint() {
        // The known connectors, each a row of its own, below the hint: j/k select them.
        let below = empty_hint(frame, rows, state, theme).saturating_add(1);
        let rest = Rect {
            y: below,
            height: rows.bottom().saturating_sub(below),
            ..rows
        };
        return draw_rows(frame, l, state, rest, theme);
    }
    if state.table.visible.is_empty() {
        let km = &state.options.keymap;
        // Loaded with nothing tracked is the hint above.
        let msg = if !state.loaded {
            "loading the inventory…".to_string()
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
    draw_rows(frame, l, state, rows, theme);
}

/// The visible rows that fit in `area`, scrolled to show the selection.
fn draw_rows(frame: &mut Frame, l: &Layout, state: &State, area: Rect, theme: &Theme) {
    let visible = &state.table.visible;
    let page = area.height as usize;
    if page == 0 {
        return;
    }
    let offset = state.effective_offset(page);
    let end = (offset + page).min(visible.len());
    for (line, pos) in (offset..end).enumerate() {
        let e = state.inventory.at(visible[pos]);
        let y = area.y + line as u16;
        draw_row(frame, l, state, &e, y, pos == state.table.cursor, theme);
    }
}

/// The mark of a row a refresh saw change lately.
pub const CHANGED: &str = "△";

/// The mark of an old credential of a ready rotation: the new one is in use, this one waits
/// for its revoke.
pub const AWAITS_REVOKE: &str = "↻";

/// With nothing tracked for the tenant: how to fill the list, true for this build. Returns
/// the line below the hint.
fn empty_hint(frame: &mut Frame, rows: Rect, state: &State, theme: &Theme) -> u16 {
    const KEY_W: usize = 42;
    let km = &state.options.keymap;
    let connectors = state.inventory.len();
    // (what to press or run, what it does), the first without a key column.
    let mut lines: Vec<(String, String, Style)> = vec![
        (
            String::new(),
            "Nothing is tracked for this tenant yet: ConductorOne's API cannot list a \
             connector's credentials, so credboard knows only the ids it is given."
                .to_string(),
            theme.title(),
        ),
        (String::new(), String::new(), theme.base()),
        (String::new(), "To fill the list:".to_string(), theme.base()),
    ];
    let discovery = match &state.discovery {
        Some(run) => run.words(),
        None => "discover them here, from the tenant's system log (experimental)".to_string(),
    };
    lines.push((km.label(Action::Discover), discovery, theme.key()));
    for (cmd, what) in [
        ("credboard import FILE", "Terraform state, CSV or JSON"),
        (
            "credboard track APP CONNECTOR CREDENTIAL",
            "one id you know (from the web UI)",
        ),
        ("credboard discover", "the same, from the command line"),
    ] {
        lines.push((cmd.to_string(), what.to_string(), theme.base()));
    }
    if connectors > 0 {
        lines.push((String::new(), String::new(), theme.base()));
        lines.push((
            String::new(),
            format!("{connectors} connector(s) known, none with a tracked credential:"),
            theme.dim(),
        ));
    }
    let w = rows.width.saturating_sub(2) as usize;
    let mut y = rows.y;
    for (key, what, style) in lines {
        // The description hangs beside its key where there is room for both.
        let (indent, parts) = if key.is_empty() {
            (0, text::wrap(&what, w.max(10)))
        } else if w >= KEY_W + 20 {
            (KEY_W, text::wrap(&what, w - KEY_W))
        } else {
            (0, text::wrap(&format!("{key}  {what}"), w.max(10)))
        };
        for (i, part) in parts.into_iter().enumerate() {
            if y >= rows.bottom() {
                return y;
            }
            let shown = match (i, indent) {
                (_, 0) => part,
                (0, _) => format!("{}{part}", text::pad(&key, indent)),
                _ => format!("{}{part}", " ".repeat(indent)),
            };
            frame
                .buffer_mut()
                .set_stringn(rows.x + 2, y, &shown, w, style);
            y += 1;
        }
    }
    y
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

/// The text of one cell `width` wide (unsanitised: the caller fits it).
fn cell(state: &State, e: &Entry, col: Column, width: usize) -> (String, bool) {
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
        // Whole in wide mode, or where a width given holds it whole.
        Column::ClientId => match e.client_id() {
            Some(id)
                if (state.wide && state.layout().rows.width >= layout::WIDE_MIN)
                    || text::width(id) <= width =>
            {
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
        Column::Findings => findings_text(e, &state.audit),
    }
}

/// The findings cell: the highest unmuted severity, its symbol and word ("◆ medium"); a row
/// whose findings are all muted says so, dimmed; a row without findings, nothing. Until the
/// checks first answer, dimmed, "… checking" while they run and "? unknown" if they failed:
/// a blank would read as "no findings".
pub fn findings_text(e: &Entry, audit: &AuditState) -> (String, bool) {
    if audit.computed_at.is_none() {
        let word = if audit.checking {
            "… checking"
        } else {
            "? unknown"
        };
        return (word.to_string(), true);
    }
    let f = &e.findings;
    match f.worst() {
        Some(s) => (format!("{} {s}", severity_symbol(s)), false),
        None if f.is_empty() => (String::new(), false),
        None => (format!("{MUTED_SYMBOL} muted"), true),
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
                let changed = state.changes.is_marked(e.key, state.marks_from());
                let mark = if e.marked {
                    "●"
                } else if e.pending.is_some() {
                    "…"
                } else if e.error.is_some() {
                    "!"
                } else if state.rotations.awaits_revoke(e.key) {
                    AWAITS_REVOKE
                } else if changed {
                    CHANGED
                } else {
                    " "
                };
                let style = if (e.error.is_some() || mark == AWAITS_REVOKE) && !e.marked {
                    base.patch(theme.warning())
                } else if mark == CHANGED {
                    base.patch(theme.changed())
                } else {
                    base
                };
                buf.set_stringn(x, y, mark, w, style);
            }
            Some(col) => {
                let (s, dim) = cell(state, e, col, w);
                let mut style: Style = base;
                if dim {
                    style = style.patch(theme.dim());
                }
                if col == Column::Status && e.status != Status::NoCredential {
                    style = style.patch(theme.status(e.status));
                }
                if col == Column::Findings
                    && let Some(s) = e.findings.worst()
                {
                    style = style.patch(theme.severity(s));
                }
                if col == Column::Expires && e.status == Status::Expired {
                    style = style.patch(theme.status(Status::Expired));
                }
                if selected {
                    // Keep the selection's background whatever the cell's colour.
                    style = style.patch(theme.selected());
                }
                let shown = text::fit(&s, w);
                buf.set_stringn(x, y, &shown, w, style);
                mark_matches(buf, state, col, &shown, (x, y, width), theme);
            }
        }
    }
}

/// Highlights, in a cell as drawn, the text the filter's words matched.
fn mark_matches(
    buf: &mut ratatui::buffer::Buffer,
    state: &State,
    col: Column,
    shown: &str,
    (x, y, width): (u16, u16, u16),
    theme: &Theme,
) {
    let query = state.table.query();
    if query.is_empty() {
        return;
    }
    let field = match col {
        Column::Name => TextField::Name,
        Column::App => TextField::App,
        Column::Connector => TextField::Connector,
        Column::ClientId => TextField::Client,
        Column::Status => TextField::Status,
        Column::Created | Column::LastUsed | Column::Expires | Column::Findings => return,
    };
    for r in query.highlights(shown, field) {
        let start = text::width(&shown[..r.start]) as u16;
        let w = (text::width(&shown[r.clone()]) as u16).min(width.saturating_sub(start));
        if w > 0 {
            buf.set_style(Rect::new(x + start, y, w, 1), theme.matched());
        }
    }
}

//! Where everything goes, as a pure function of the terminal area and what is open. The
//! drawing and the mouse hit-testing in `update` both use it, so a click lands where the eye
//! sees.

use ratatui::layout::Rect;

use super::columns::ColumnSpec;
use super::dialogs::Modal;
use super::table::Column;

/// Terminals at least this wide show the detail pane beside the list; narrower ones below.
pub const WIDE: u16 = 140;
pub const HEADER_HEIGHT: u16 = 2;
/// Below [`HEADER_WIDE`] columns the header takes a third line: the audit's findings by
/// severity, which do not fit beside the statuses' counts in words.
pub const NARROW_HEADER_HEIGHT: u16 = 3;
pub const HEADER_WIDE: u16 = 200;
pub const FOOTER_HEIGHT: u16 = 1;

/// One column of the table on screen. `column` is `None` for the mark column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnArea {
    pub column: Option<Column>,
    pub x: u16,
    pub width: u16,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub area: Rect,
    pub header: Rect,
    /// The table's header line.
    pub table_header: Rect,
    /// The lines the rows are drawn on.
    pub rows: Rect,
    pub columns: Vec<ColumnArea>,
    pub detail: Option<Rect>,
    pub footer: Rect,
}

impl Layout {
    /// The column under an x position of the table header or rows.
    pub fn column_at(&self, x: u16) -> Option<ColumnArea> {
        self.columns
            .iter()
            .copied()
            .find(|c| x >= c.x && x < c.x + c.width)
    }

    pub fn column(&self, column: Column) -> Option<ColumnArea> {
        self.columns
            .iter()
            .copied()
            .find(|c| c.column == Some(column))
    }
}

/// How wide the client id column is in wide mode (`w`): a whole client id, as the server
/// makes them ("strange-hydra-68836@acme.conductor.one/pcc").
pub const WIDE_CLIENT_ID: u16 = 44;

/// How the table's columns are chosen: the column sorted on (never dropped on a narrow
/// terminal, so its order and its indicator stay in sight, and shown last when the choice
/// leaves it out), wide mode (`w`) and the columns chosen (`[table] columns`, `:columns`, a
/// view's; `None`: every column at its own width).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    pub sorted: Column,
    pub wide: bool,
    pub chosen: Option<Vec<ColumnSpec>>,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            sorted: Column::Status,
            wide: false,
            chosen: None,
        }
    }
}

fn fixed_width(c: Column, wide: bool) -> Option<u16> {
    match c {
        Column::ClientId if wide => Some(WIDE_CLIENT_ID),
        Column::ClientId => Some(14),
        Column::Created | Column::Expires => Some(9),
        Column::LastUsed => Some(10),
        Column::Status => Some(15),
        Column::Findings => Some(10),
        _ => None,
    }
}

/// A chosen column's width: the one given, else its own (`None`: a share of the room
/// left). A width given wins over wide mode's for the client id.
fn width_of(spec: ColumnSpec, wide: bool) -> Option<u16> {
    spec.width.or_else(|| fixed_width(spec.column, wide))
}

/// The columns asked for, in order, with the sorted one last if it was left out.
fn wanted(how: &Columns) -> Vec<ColumnSpec> {
    let mut cols: Vec<ColumnSpec> = match &how.chosen {
        Some(chosen) => chosen.clone(),
        None => Column::ALL.iter().copied().map(ColumnSpec::of).collect(),
    };
    if !cols.iter().any(|c| c.column == how.sorted) {
        cols.push(ColumnSpec::of(how.sorted));
    }
    cols
}

/// Which columns fit: the least needed go first as the table narrows (the sorted one
/// never).
fn columns_for(width: u16, how: &Columns) -> Vec<ColumnSpec> {
    let width_of = |c: &ColumnSpec| width_of(*c, how.wide);
    let mut cols = wanted(how);
    let drop_order = [
        Column::Created,
        Column::ClientId,
        Column::Expires,
        Column::Findings,
        Column::Connector,
        Column::LastUsed,
        Column::App,
    ];
    let need = |cols: &[ColumnSpec]| -> u16 {
        let fixed: u16 = cols.iter().filter_map(width_of).sum();
        let flex = cols.iter().filter(|c| width_of(c).is_none()).count() as u16;
        // mark + gaps + fixed + at least 10 per flexible column (14 when wide enough)
        1 + cols.len() as u16 + fixed + flex * 12
    };
    for d in drop_order {
        if d == how.sorted {
            continue;
        }
        if need(&cols) <= width {
            break;
        }
        cols.retain(|c| c.column != d);
    }
    // Widths given that still do not fit: the wider than their own go back to their own,
    // so that the sorted column stays on screen.
    if need(&cols) > width {
        for c in &mut cols {
            let own = fixed_width(c.column, how.wide).unwrap_or(12);
            if c.width.is_some_and(|w| w > own) {
                c.width = None;
            }
        }
    }
    cols
}

/// How the room left is shared by the columns without a width, in their order: name takes
/// the larger share (55% beside one other, 40% beside two); otherwise equal shares.
fn shares(flex: &[Column], total: u16) -> Vec<u16> {
    let name = flex.iter().position(|c| *c == Column::Name);
    let mut out = vec![0; flex.len()];
    match (flex.len(), name) {
        (0, _) => {}
        (1, _) => out[0] = total,
        (2, Some(n)) => {
            out[n] = total * 55 / 100;
            out[1 - n] = total - out[n];
        }
        (3, Some(n)) => {
            let a = total * 40 / 100;
            let b = (total - a) / 2;
            out[n] = a;
            let mut rest = (0..3).filter(|i| *i != n);
            out[rest.next().unwrap_or(0)] = b;
            out[rest.next().unwrap_or(0)] = total - a - b;
        }
        (n, _) => {
            let each = total / n as u16;
            out.fill(each);
            out[n - 1] = total - each * (n as u16 - 1);
        }
    }
    out
}

fn table_columns(x: u16, width: u16, how: &Columns) -> Vec<ColumnArea> {
    let cols = columns_for(width, how);
    let width_of = |c: &ColumnSpec| width_of(*c, how.wide);
    let fixed: u16 = cols.iter().filter_map(width_of).sum();
    let gaps = cols.len() as u16;
    let flex_total = width.saturating_sub(1 + gaps + fixed);
    let flex: Vec<Column> = cols
        .iter()
        .filter(|c| width_of(c).is_none())
        .map(|c| c.column)
        .collect();
    let shares = shares(&flex, flex_total);
    let mut out = vec![ColumnArea {
        column: None,
        x,
        width: 1,
    }];
    let end = x.saturating_add(width);
    let mut cx = x + 2;
    let mut fi = 0;
    for c in &cols {
        let w = match width_of(c) {
            Some(w) => w,
            None => {
                let w = shares.get(fi).copied().unwrap_or(0);
                fi += 1;
                w
            }
        };
        // Widths given can ask for more than the table has: what is past its edge is cut.
        if cx >= end {
            break;
        }
        let w = w.min(end - cx);
        out.push(ColumnArea {
            column: Some(c.column),
            x: cx,
            width: w,
        });
        cx = cx.saturating_add(w + 1);
    }
    out
}

/// The screen's regions; `detail`: the detail pane is open.
pub fn layout(area: Rect, detail: bool) -> Layout {
    layout_with(area, detail, Columns::default())
}

/// Wide mode needs a table at least this wide; narrower, client ids stay short.
pub const WIDE_MIN: u16 = 100;

/// [`layout`], with the table's columns chosen `how`.
pub fn layout_with(area: Rect, detail: bool, how: Columns) -> Layout {
    let header_h = if area.width < HEADER_WIDE {
        NARROW_HEADER_HEIGHT
    } else {
        HEADER_HEIGHT
    };
    let header_h = header_h.min(area.height);
    let footer_h = FOOTER_HEIGHT.min(area.height.saturating_sub(header_h));
    let header = Rect::new(area.x, area.y, area.width, header_h);
    let footer = Rect::new(
        area.x,
        area.y + area.height - footer_h,
        area.width,
        footer_h,
    );
    let body = Rect::new(
        area.x,
        area.y + header_h,
        area.width,
        area.height.saturating_sub(header_h + footer_h),
    );
    let (table, detail) = if detail && body.height >= 4 {
        if area.width >= WIDE {
            let dw = (area.width * 36 / 100).clamp(50, 72);
            let t = Rect::new(body.x, body.y, body.width - dw, body.height);
            let d = Rect::new(body.x + body.width - dw, body.y, dw, body.height);
            (t, Some(d))
        } else {
            let dh = (body.height * 45 / 100)
                .max(8)
                .min(body.height.saturating_sub(3));
            let t = Rect::new(body.x, body.y, body.width, body.height - dh);
            let d = Rect::new(body.x, body.y + body.height - dh, body.width, dh);
            (t, Some(d))
        }
    } else {
        (body, None)
    };
    let th = 1.min(table.height);
    let table_header = Rect::new(table.x, table.y, table.width, th);
    let rows = Rect::new(table.x, table.y + th, table.width, table.height - th);
    Layout {
        area,
        header,
        table_header,
        rows,
        columns: table_columns(
            table.x,
            table.width,
            &Columns {
                wide: how.wide && table.width >= WIDE_MIN,
                ..how
            },
        ),
        detail,
        footer,
    }
}

/// A rectangle of at most `w`×`h`, centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The rectangle of a modal window (borders included).
pub fn modal_area(area: Rect, modal: &Modal) -> Rect {
    let (w, h) = match modal {
        Modal::Revoke(d) => (
            74,
            match d.typed.as_ref() {
                None => 13,
                Some(t) => 15 + 2 * t.reasons.len() as u16,
            },
        ),
        Modal::Rotate(_) => (66, 12),
        Modal::Abandon(d) => (70, 12 + d.pending.len().min(4) as u16),
        Modal::Rotations(_) | Modal::Changes { .. } => (
            area.width.saturating_sub(8).max(40),
            area.height.saturating_sub(4),
        ),
        Modal::Help { .. } | Modal::Errors { .. } | Modal::Journal { .. } => (
            area.width.saturating_sub(8).max(40),
            area.height.saturating_sub(4),
        ),
        Modal::Overview => (area.width.saturating_sub(2), area.height.saturating_sub(2)),
        Modal::BulkPlan(_) | Modal::Bulk { .. } => (
            area.width.saturating_sub(8).clamp(40, 110),
            area.height.saturating_sub(4),
        ),
    };
    centered(area, w, h)
}

/// The secret window.
pub fn secret_area(area: Rect) -> Rect {
    centered(area, 84, 13)
}

/// Lines of scrollable content a modal window shows at once (inside borders, minus its
/// fixed lines).
pub fn modal_page(area: Rect, modal: &Modal) -> usize {
    let r = modal_area(area, modal);
    let fixed = match modal {
        Modal::BulkPlan(_) => 6,
        Modal::Bulk { .. } => 5,
        Modal::Rotations(_) => 3,
        Modal::Changes { .. } => 1,
        _ => 0,
    };
    (r.height.saturating_sub(2 + fixed) as usize).max(1)
}

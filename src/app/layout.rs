//! Where everything goes, as a pure function of the terminal area and what is open. The
//! drawing and the mouse hit-testing in `update` both use it, so a click lands where the eye
//! sees.

use ratatui::layout::Rect;

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
/// terminal, so its order and its indicator stay in sight) and wide mode (`w`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    pub sorted: Column,
    pub wide: bool,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            sorted: Column::Status,
            wide: false,
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

/// Which columns fit: the least needed go first as the table narrows.
fn columns_for(width: u16, how: Columns) -> Vec<Column> {
    let fixed_width = |c| fixed_width(c, how.wide);
    let mut cols = Column::ALL.to_vec();
    let drop_order = [
        Column::Created,
        Column::ClientId,
        Column::Expires,
        Column::Findings,
        Column::Connector,
        Column::LastUsed,
        Column::App,
    ];
    let need = |cols: &[Column]| -> u16 {
        let fixed: u16 = cols.iter().filter_map(|c| fixed_width(*c)).sum();
        let flex = cols.iter().filter(|c| fixed_width(**c).is_none()).count() as u16;
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
        cols.retain(|c| *c != d);
    }
    cols
}

fn table_columns(x: u16, width: u16, how: Columns) -> Vec<ColumnArea> {
    let cols = columns_for(width, how);
    let fixed_width = |c| fixed_width(c, how.wide);
    let fixed: u16 = cols.iter().filter_map(|c| fixed_width(*c)).sum();
    let gaps = cols.len() as u16;
    let flex_total = width.saturating_sub(1 + gaps + fixed);
    let flex: Vec<Column> = cols
        .iter()
        .copied()
        .filter(|c| fixed_width(*c).is_none())
        .collect();
    // Name takes the larger share; app and connector split the rest.
    let shares: Vec<u16> = match flex.len() {
        0 => vec![],
        1 => vec![flex_total],
        2 => {
            let a = flex_total * 55 / 100;
            vec![a, flex_total - a]
        }
        _ => {
            let a = flex_total * 40 / 100;
            let b = (flex_total - a) / 2;
            vec![a, b, flex_total - a - b]
        }
    };
    let mut out = vec![ColumnArea {
        column: None,
        x,
        width: 1,
    }];
    let mut cx = x + 2;
    let mut fi = 0;
    for c in cols {
        let w = match fixed_width(c) {
            Some(w) => w,
            None => {
                let w = shares.get(fi).copied().unwrap_or(0);
                fi += 1;
                w
            }
        };
        out.push(ColumnArea {
            column: Some(c),
            x: cx,
            width: w,
        });
        cx += w + 1;
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
            Columns {
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

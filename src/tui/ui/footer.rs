//! The footer: the newest toast (here, so that it never covers a row), the filter being
//! typed, or the view and filter in force, then key hints from the keymap table.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::app::State;
use crate::app::keymap::Action;
use crate::app::state::{Toast, ToastKind};
use crate::app::table::View;
use crate::text;

use super::theme::Theme;

/// At most this many toasts are drawn, the newest first.
const TOASTS_SHOWN: usize = 3;

const SEPARATOR: &str = " │ ";

/// The toasts, newest first, each followed by a separator: the newest fitted to `max`
/// columns, the older ones only where they fit whole.
fn toasts<'a>(state: &State, max: usize, theme: &Theme) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    let mut left = max;
    for (n, t) in state.toasts.iter().rev().take(TOASTS_SHOWN).enumerate() {
        let room = left.saturating_sub(SEPARATOR.len());
        let full = format!("{} {}", t.kind.symbol(), t.text);
        if n > 0 && text::width(&text::sanitize(&full)) > room {
            break;
        }
        let span = toast(state, t, &full, room, theme);
        left = room.saturating_sub(span.width());
        spans.push(span);
        spans.push(Span::raw(SEPARATOR));
    }
    spans
}

/// A toast (`full`: its kind's symbol, then its text) in at most `max` columns. An error cut
/// to fit says where to read all of it.
fn toast<'a>(state: &State, t: &Toast, full: &str, max: usize, theme: &Theme) -> Span<'a> {
    let body = if t.kind == ToastKind::Error && text::width(&text::sanitize(full)) > max {
        let more = format!(
            " ({} for the whole message)",
            state.options.keymap.label(Action::Errors)
        );
        format!(
            "{}{more}",
            text::fit(full, max.saturating_sub(text::width(&more)))
        )
    } else {
        text::fit(full, max)
    };
    Span::styled(body, theme.toast(t.kind))
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    if area.height == 0 {
        return;
    }
    let km = &state.options.keymap;
    let width = area.width as usize;
    let mut spans: Vec<Span> = Vec::new();
    if let Some(line) = &state.command {
        spans.extend(super::prompt::spans(line, km, width, theme));
        return end_line(frame, area, spans);
    }
    if state.table.filter_editing {
        spans.push(Span::styled("/", theme.key()));
        spans.extend(filter_input(
            state,
            width.saturating_sub(2).clamp(8, 60),
            theme,
        ));
        if let Some(e) = &state.table.filter_error {
            // The mistake, before anything else: the last filter that parsed stays applied.
            let used: usize = spans.iter().map(|s| s.width()).sum();
            let room = width.saturating_sub(used + 2);
            spans.push(Span::raw("  "));
            let applied = match state.table.query().source().trim() {
                "" => "no filter".to_string(),
                f => format!("\"{f}\""),
            };
            let what = format!("✗ {}", e.message);
            let shows = format!("  showing {applied}, {}", position(state));
            spans.push(Span::styled(text::fit(&what, room), theme.danger()));
            let room = room.saturating_sub(text::width(&what));
            if room > 0 {
                spans.push(Span::styled(text::fit(&shows, room), theme.label()));
            }
            return end_line(frame, area, spans);
        }
        let mut what = format!("  {}  ", position(state));
        if state.table.filter.trim().is_empty() {
            what = "  words, !word, app:okta, status:idle, lastused>90d, /regex/  ".into();
        }
        spans.push(Span::styled(what, theme.label()));
        spans.push(Span::styled(km.label(Action::FilterKeep), theme.key()));
        spans.push(Span::styled(" keep  ", theme.label()));
        spans.push(Span::styled(km.label(Action::FilterClear), theme.key()));
        spans.push(Span::styled(" clear", theme.label()));
        spans.push(Span::raw(SEPARATOR));
        let used: usize = spans.iter().map(|s| s.width()).sum();
        spans.extend(toasts(state, width.saturating_sub(used), theme));
        return end_line(frame, area, spans);
    }
    spans.extend(toasts(state, width, theme));
    let scope = state.table.connector.as_ref();
    if state.table.view != View::All || !state.table.filter.is_empty() || scope.is_some() {
        let mut what = format!("view: {}", state.table.view.name());
        if let Some(s) = scope {
            let name = state.inventory.connector_name(&s.app_id, &s.connector_id);
            what.push_str(&format!(
                " · connector {} ({} back)",
                text::fit(&text::sanitize(name), 24),
                km.label(Action::ConnectorScope)
            ));
        }
        if !state.table.filter.is_empty() {
            // Up to half the line: a query is read to tell what the rows are.
            what.push_str(&format!(
                " · filter \"{}\"",
                text::fit(&state.table.filter, (width / 2).max(24))
            ));
        }
        what.push_str(&format!(" · {}", position(state)));
        spans.push(Span::styled(what, theme.warning()));
        spans.push(Span::raw(SEPARATOR));
    }
    if let Some(run) = &state.discovery {
        spans.push(Span::styled(run.words(), theme.warning()));
        spans.push(Span::raw(SEPARATOR));
    }
    if state.inventory.marked() > 0 {
        // Read-only refuses the bulk revoke: the footer does not offer it.
        let then = if state.options.read_only {
            "read-only: not revoked".to_string()
        } else {
            format!("{} revokes them", km.label(Action::BulkRevoke))
        };
        spans.push(Span::styled(
            format!("● {} marked ({then})", state.inventory.marked()),
            theme.warning(),
        ));
        spans.push(Span::raw(SEPARATOR));
    }
    let mut used: usize = spans.iter().map(|s| s.width()).sum();
    // When not every hint fits, the most needed are kept (help, quit, the actions, ...),
    // and shown in the table's order.
    // Read-only: the refused actions are not offered (the help marks them unavailable).
    let refused = [km.label(Action::Revoke), km.label(Action::Rotate)];
    let hints: Vec<_> = km
        .footer()
        .into_iter()
        .filter(|(k, _)| !(state.options.read_only && refused.contains(k)))
        .collect();
    let priority = |keys: &str| -> usize {
        let order = [
            Action::Help,
            Action::Quit,
            Action::Revoke,
            Action::Rotate,
            Action::Filter,
            Action::SortNext,
            Action::Refresh,
            Action::ViewNext,
            Action::ToggleDetail,
            Action::Mark,
        ];
        order
            .iter()
            .position(|a| km.label(*a) == keys)
            .unwrap_or(order.len())
    };
    let hint_w = |keys: &str, what: &str| text::width(keys) + 1 + what.len() + 2;
    let mut by_priority: Vec<usize> = (0..hints.len()).collect();
    by_priority.sort_by_key(|&i| priority(&hints[i].0));
    let mut keep = vec![false; hints.len()];
    for i in by_priority {
        let w = hint_w(&hints[i].0, hints[i].1);
        if used + w <= width {
            used += w;
            keep[i] = true;
        }
    }
    for (i, (keys, what)) in hints.into_iter().enumerate() {
        if keep[i] {
            spans.push(Span::styled(keys, theme.key()));
            spans.push(Span::styled(format!(" {what}  "), theme.label()));
        }
    }
    end_line(frame, area, spans);
}

/// "match 12/87": the selected row's place among the rows shown, and how many there are.
/// Without a filter, "row 3/12".
fn position(state: &State) -> String {
    let word = match state.table.query().is_empty() {
        true => "row",
        false => "match",
    };
    match state.table.visible.len() {
        0 => format!("no {word}"),
        n => format!("{word} {}/{n}", (state.table.cursor + 1).min(n)),
    }
}

/// The filter as typed, in at most `max` columns, with the part a mistake is in marked.
fn filter_input<'a>(state: &State, max: usize, theme: &Theme) -> Vec<Span<'a>> {
    let f = state.table.filter.as_str();
    let (a, b) = match &state.table.filter_error {
        Some(e) => {
            let a = e.span.start.min(f.len());
            (a, e.span.end.clamp(a, f.len()))
        }
        None => (f.len(), f.len()),
    };
    let mut left = max.saturating_sub(1);
    let mut spans = Vec::new();
    // Too long to show whole: its end, where the typing is, after an ellipsis.
    let mut start = 0;
    if text::width(&text::sanitize(f)) > left {
        let room = left.saturating_sub(1);
        start = f
            .char_indices()
            .map(|(i, _)| i)
            .find(|&i| text::width(&text::sanitize(&f[i..])) <= room)
            .unwrap_or(f.len());
        spans.push(Span::styled(text::ELLIPSIS.to_string(), theme.input()));
        left = room;
    }
    let (a, b) = (a.max(start), b.max(start));
    let pieces = [
        (f.get(start..a).unwrap_or(""), theme.input()),
        (f.get(a..b).unwrap_or(""), theme.input_error()),
        (f.get(b..).unwrap_or(""), theme.input()),
    ];
    for (piece, style) in pieces {
        if piece.is_empty() || left == 0 {
            continue;
        }
        let shown = text::fit(piece, left);
        left = left.saturating_sub(text::width(&shown));
        spans.push(Span::styled(shown, style));
    }
    spans.push(Span::styled("▏", theme.input()));
    spans
}

/// Draws the footer line, without a separator at its end.
fn end_line(frame: &mut Frame, area: Rect, mut spans: Vec<Span>) {
    while spans.last().is_some_and(|s| s.content == SEPARATOR) {
        spans.pop();
    }
    frame
        .buffer_mut()
        .set_line(area.x, area.y, &Line::from(spans), area.width);
}

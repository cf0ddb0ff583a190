//! The scrollable windows: help (from the keymap table, with each action's `[keys]` name),
//! error history, journal.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::State;
use crate::app::keymap::{Action, Keymap};
use crate::app::msg::JournalLine;
use crate::app::view::{self, HelpLine};
use crate::text;

use super::theme::Theme;
use super::window;

/// Draw `lines` from `scroll`, clamped so the last page stays full, with a position hint in
/// the bottom border.
fn scrolled(
    frame: &mut Frame,
    area: Rect,
    inner: Rect,
    lines: Vec<Line>,
    scroll: usize,
    keymap: &Keymap,
    theme: &Theme,
) {
    let page = inner.height as usize;
    let len = lines.len();
    let scroll = scroll.min(len.saturating_sub(page));
    let shown: Vec<Line> = lines.into_iter().skip(scroll).take(page).collect();
    frame.render_widget(Paragraph::new(shown), inner);
    if len > page && area.height > 0 {
        let hint = format!(
            " {}-{} of {len} · {} scroll ",
            scroll + 1,
            (scroll + page).min(len),
            keymap.pair_label(Action::MoveDown, Action::MoveUp)
        );
        let w = text::width(&hint) as u16;
        if w + 4 < area.width {
            frame.buffer_mut().set_stringn(
                area.x + area.width - w - 2,
                area.y + area.height - 1,
                &hint,
                w as usize,
                theme.label(),
            );
        }
    }
}

pub fn help(frame: &mut Frame, area: Rect, state: &State, scroll: usize, theme: &Theme) {
    let km = &state.options.keymap;
    let filter = text::fit(&state.window_filter, 30);
    let title = if state.window_typing {
        format!(
            "Help — filter: {filter}▏ — {} clears",
            km.label(Action::Back)
        )
    } else if !state.window_filter.is_empty() {
        format!(
            "Help — filter: {filter} — {} closes, {} filters again",
            km.label(Action::Back),
            km.label(Action::Filter)
        )
    } else {
        format!(
            "Help — {} closes, {} filters",
            km.label(Action::Back),
            km.label(Action::Filter)
        )
    };
    let inner = window(frame, area, &title, theme.border(), theme);
    let entries = view::help_shown(km, state.options.read_only, &state.window_filter);
    let column = |width: fn(&HelpLine) -> Option<usize>| {
        entries.iter().filter_map(width).max().unwrap_or(8) + 2
    };
    let key_w = column(|l| match l {
        HelpLine::Key { keys, .. } => Some(text::width(keys)),
        _ => None,
    });
    let name_w = column(|l| match l {
        HelpLine::Key { name, .. } => Some(text::width(name)),
        _ => None,
    });
    let lines: Vec<Line> = entries
        .into_iter()
        .map(|l| match l {
            HelpLine::Title(t) => Line::styled(t, theme.title()),
            HelpLine::Blank => Line::raw(""),
            HelpLine::Note(n) => Line::styled(format!("  {n}"), theme.label()),
            // The description where the keys' descriptions start, unless the usage is longer.
            HelpLine::Command { usage, description } => {
                let w = (key_w + name_w).max(text::width(&usage) + 2);
                Line::from(vec![
                    Span::raw("  "),
                    Span::styled(text::pad(&usage, w), theme.key()),
                    Span::raw(description),
                ])
            }
            HelpLine::Key {
                keys,
                name,
                description,
                unavailable,
                fixed,
            } => {
                let mut spans = vec![
                    Span::raw("  "),
                    Span::styled(text::pad(&keys, key_w), theme.key()),
                    Span::styled(text::pad(name, name_w), theme.label()),
                ];
                if unavailable {
                    // First, so that a narrow window cuts the description, not the refusal.
                    spans.push(Span::styled("(unavailable: read-only) ", theme.warning()));
                    spans.push(Span::styled(description, theme.dim()));
                } else {
                    if fixed {
                        spans.push(Span::styled("(fixed) ", theme.dim()));
                    }
                    spans.push(Span::raw(description));
                }
                Line::from(spans)
            }
        })
        .collect();
    scrolled(
        frame,
        area,
        inner,
        lines,
        scroll,
        &state.options.keymap,
        theme,
    );
}

pub fn errors(frame: &mut Frame, area: Rect, state: &State, scroll: usize, theme: &Theme) {
    let km = &state.options.keymap;
    let title = format!("Errors, newest first — {} closes", km.label(Action::Back));
    let inner = window(frame, area, &title, theme.border(), theme);
    let lines: Vec<Line> = view::error_lines(&state.errors, inner.width as usize)
        .into_iter()
        .map(Line::raw)
        .collect();
    scrolled(frame, area, inner, lines, scroll, km, theme);
}

pub fn journal(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    lines: Option<&[JournalLine]>,
    scroll: usize,
    theme: &Theme,
) {
    let km = &state.options.keymap;
    let filter = text::fit(&state.window_filter, 30);
    let title = if state.window_typing {
        format!(
            "Journal — filter: {filter}▏ — {} clears",
            km.label(Action::Back)
        )
    } else if !state.window_filter.is_empty() {
        format!(
            "Journal — filter: {filter} — {} goes to the top line's row, {} closes",
            km.label(Action::Submit),
            km.label(Action::Back)
        )
    } else {
        format!(
            "Journal, newest first — {} filters, {} goes to the top line's row, {} closes",
            km.label(Action::Filter),
            km.label(Action::Submit),
            km.label(Action::Back)
        )
    };
    let inner = window(frame, area, &title, theme.border(), theme);
    let w = inner.width as usize;
    let shown: Vec<Line> = match lines {
        None => vec![Line::styled("loading…", theme.dim())],
        Some([]) => vec![Line::styled("No actions recorded yet.", theme.dim())],
        Some(lines) => {
            let shown = view::journal_shown(lines, &state.inventory, &state.window_filter, w);
            if shown.is_empty() {
                vec![Line::styled("No journal line matches.", theme.dim())]
            } else {
                shown
                    .into_iter()
                    .map(|l| {
                        let style = if l.failed {
                            theme.danger()
                        } else {
                            theme.base()
                        };
                        Line::styled(l.text, style)
                    })
                    .collect()
            }
        }
    };
    scrolled(frame, area, inner, shown, scroll, km, theme);
}

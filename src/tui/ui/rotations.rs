//! The rotations window (every rotation, its state and age, the selected one's old
//! credentials), the abandon confirmation, and the changes window.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::State;
use crate::app::changelog::Span as MarkSpan;
use crate::app::keymap::Action;
use crate::app::rotations::{AbandonDialog, RotationsWindow};
use crate::app::view;
use crate::rotation::{Fate, Rotation, RotationState};
use crate::text;

use super::theme::Theme;
use super::window;

/// A state's symbol (kept without colour) and style.
pub fn state_mark(s: RotationState, theme: &Theme) -> (&'static str, Style) {
    match s {
        RotationState::Waiting => ("…", theme.warning()),
        RotationState::Ready => ("●", theme.ok()),
        RotationState::Done => ("✓", theme.dim()),
        RotationState::Abandoned(_) => ("✗", theme.dim()),
        RotationState::TimedOut => ("!", theme.danger()),
    }
}

fn line_of(state: &State, r: &Rotation, w: usize) -> String {
    let connector = text::sanitize(state.inventory.connector_name(&r.app_id, &r.connector_id));
    let pending = r.pending().count();
    let new = if w >= 100 {
        format!(
            "{:<24}  ",
            text::fit(&text::sanitize(&r.new_credential_id), 24)
        )
    } else {
        String::new()
    };
    format!(
        "{:>4}  {:<24}  {:<20}  {new}{} of {} left  started {}",
        r.id.to_string(),
        r.state.word(),
        text::fit(&connector, 20),
        pending,
        r.old.len(),
        text::relative(r.started_at, state.now),
    )
}

pub fn rotations(frame: &mut Frame, area: Rect, state: &State, w: &RotationsWindow, theme: &Theme) {
    let km = &state.options.keymap;
    let title = format!(
        "Rotations, newest first — {} closes",
        km.label(Action::Back)
    );
    let inner = window(frame, area, &title, theme.border(), theme);
    let width = inner.width as usize;
    let list = &state.rotations.list;
    let mut lines: Vec<Line> = Vec::new();
    if !state.rotations.loaded {
        lines.push(Line::styled("loading…", theme.dim()));
    } else if list.is_empty() {
        lines.push(Line::styled(
            format!(
                "No rotation yet: {} on a credential's row starts one (it records the connector's \
                 live credentials as the ones to replace).",
                km.label(Action::Rotate)
            ),
            theme.dim(),
        ));
    }
    let cursor = w.cursor.min(list.len().saturating_sub(1));
    // The selected rotation's old credentials below the list.
    let detail = list.get(cursor).map(|r| r.old.len() + 3).unwrap_or(0);
    let page = (inner.height as usize).saturating_sub(detail + 2).max(1);
    let offset = cursor.saturating_sub(page.saturating_sub(1));
    for (i, r) in list.iter().enumerate().skip(offset).take(page) {
        let (mark, style) = state_mark(r.state, theme);
        let mut style = style;
        if i == cursor {
            style = style.patch(theme.selected());
        }
        let body = text::fit(&line_of(state, r, width), width.saturating_sub(2));
        lines.push(Line::from(vec![
            Span::styled(format!("{mark} "), style),
            Span::styled(text::pad(&body, width.saturating_sub(2)), style),
        ]));
    }
    if let Some(r) = list.get(cursor) {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            text::fit(
                &format!(
                    "Rotation {}: new credential {} ({}), started {}{}",
                    r.id,
                    text::sanitize(&r.new_credential_id),
                    match r.first_used_at {
                        Some(t) => format!("first used {}", text::relative(t, state.now)),
                        None => "not used yet".to_string(),
                    },
                    text::absolute(r.started_at),
                    match r.state {
                        RotationState::Abandoned(reason) => format!("; {}", reason.words()),
                        _ => String::new(),
                    }
                ),
                width,
            ),
            theme.title(),
        ));
        for o in &r.old {
            let style = match o.fate {
                Fate::Pending => theme.warning(),
                _ => theme.dim(),
            };
            lines.push(Line::styled(
                text::fit(
                    &format!(
                        "  old {}: {}",
                        text::sanitize(&o.credential_id),
                        o.fate.words()
                    ),
                    width,
                ),
                style,
            ));
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    let hint = Line::from(vec![
        Span::styled(km.label(Action::RevokeOld), theme.key()),
        Span::styled(" revoke the old (ready)   ", theme.label()),
        Span::styled(km.label(Action::Abandon), theme.key()),
        Span::styled(" abandon   ", theme.label()),
        Span::styled(km.pair_label(Action::MoveDown, Action::MoveUp), theme.key()),
        Span::styled(" select", theme.label()),
    ]);
    if inner.height > 0 {
        let y = inner.y + inner.height - 1;
        frame.render_widget(Paragraph::new(hint), Rect::new(inner.x, y, inner.width, 1));
    }
}

pub fn abandon(frame: &mut Frame, area: Rect, state: &State, d: &AbandonDialog, theme: &Theme) {
    let km = &state.options.keymap;
    let inner = window(
        frame,
        area,
        "Abandon the rotation?",
        theme.danger_border(),
        theme,
    );
    let w = inner.width as usize;
    let mut lines = vec![
        Line::raw(format!(
            "Abandon rotation {} of {}? Nothing is revoked for it any more.",
            d.id,
            text::sanitize(&d.connector)
        )),
        Line::raw(""),
        Line::raw(format!(
            "The new credential {} stays live; so do the old ones:",
            text::sanitize(&d.new_credential_id)
        )),
    ];
    for id in d.pending.iter().take(4) {
        lines.push(Line::styled(
            text::fit(&format!("  {}", text::sanitize(id)), w),
            theme.warning(),
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled(km.label(Action::Confirm), theme.key()),
        Span::styled(" abandon   ", theme.label()),
        Span::styled(
            format!(
                "{}/{}",
                km.label(Action::Cancel),
                km.pair_label(Action::Back, Action::Submit)
            ),
            theme.key(),
        ),
        Span::styled(" keep it", theme.label()),
    ]));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

pub fn changes(frame: &mut Frame, area: Rect, state: &State, scroll: usize, theme: &Theme) {
    let km = &state.options.keymap;
    let span = match state.changes.span {
        MarkSpan::Lately => "rows marked △ for 10 min",
        MarkSpan::Session => "rows marked △ since the session began",
    };
    let title = format!(
        "Changes, newest first ({span}, {} toggles) — {} closes",
        km.label(Action::ChangeSpan),
        km.label(Action::Back)
    );
    let inner = window(frame, area, &title, theme.border(), theme);
    let w = inner.width as usize;
    let from = state.marks_from();
    let shown: Vec<Line> = if !state.changes.loaded {
        vec![Line::styled("loading…", theme.dim())]
    } else if state.changes.list.is_empty() {
        vec![Line::styled(
            "No change seen yet: each refresh records what changed per credential.",
            theme.dim(),
        )]
    } else {
        view::change_lines(&state.changes.list, &state.inventory, w)
            .into_iter()
            .map(|(n, l)| {
                let style = if state.changes.list[n].seen_at > from {
                    theme.changed()
                } else {
                    theme.base()
                };
                Line::styled(l, style)
            })
            .collect()
    };
    let page = inner.height as usize;
    let scroll = scroll.min(shown.len().saturating_sub(page));
    let shown: Vec<Line> = shown.into_iter().skip(scroll).take(page).collect();
    frame.render_widget(Paragraph::new(shown), inner);
}

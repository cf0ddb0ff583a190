//! The detail pane: the lines `app::detail` builds for the selected row, in their roles'
//! styles, from the pane's scroll position; when they do not all fit, the bottom border says
//! where the view is and which keys scroll it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};

use crate::app::State;
use crate::app::detail::{self, LABEL_W, Role};
use crate::app::keymap::Action;

use super::theme::Theme;

fn style(role: Role, theme: &Theme) -> Style {
    match role {
        Role::Title => theme.title(),
        Role::Plain => theme.base(),
        Role::Quiet => theme.label(),
        Role::Warning => theme.warning(),
        Role::Danger => theme.danger(),
        Role::Status(s) => theme.status(s),
        Role::Ok => theme.ok(),
        Role::Finding(Some(severity)) => theme.severity(severity),
        Role::Finding(None) => theme.dim(),
        Role::Changed => theme.changed(),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let mut block = Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.border())
        .title(Line::styled(" Details ", theme.title()));
    let inner = Block::new().borders(Borders::ALL).inner(area);
    let lines = detail::detail_lines(state, inner.width as usize);
    if lines.is_empty() {
        frame.render_widget(block, area);
        frame.render_widget(
            Paragraph::new(Line::styled("nothing selected", theme.dim())),
            inner,
        );
        return;
    }
    let page = inner.height as usize;
    let scroll = state.detail_scroll().min(lines.len().saturating_sub(page));
    if lines.len() > page {
        let km = &state.options.keymap;
        let hint = format!(
            " {}-{} of {} · {} more ",
            scroll + 1,
            (scroll + page).min(lines.len()),
            lines.len(),
            km.pair_label(Action::DetailDown, Action::DetailUp)
        );
        block = block.title_bottom(Line::styled(hint, theme.label()).right_aligned());
    }
    frame.render_widget(block, area);
    let shown: Vec<Line> = lines
        .into_iter()
        .skip(scroll)
        .take(page)
        .map(|l| {
            let value = Span::styled(l.text, style(l.role, theme));
            match l.label {
                Some(label) => Line::from(vec![
                    Span::styled(format!("{label:<LABEL_W$}"), theme.label()),
                    value,
                ]),
                None => Line::from(value),
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(shown), inner);
}

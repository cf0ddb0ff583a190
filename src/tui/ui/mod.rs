//! Drawing: reads the state, changes nothing. One file per region; all server text passes
//! through `crate::text` (sanitised, fitted by display width) before it reaches the buffer.

mod detail;
mod dialogs;
mod findings;
mod footer;
mod header;
mod overview;
mod prompt;
mod rotations;
mod secret;
mod table;
pub mod theme;
mod windows;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Borders, Clear};

use crate::app::State;
use crate::app::layout;

pub use crate::app::layout::{Layout, layout};
use theme::Theme;

/// Draw the whole screen from the state, in the theme's colours.
pub fn draw(frame: &mut Frame, state: &State, theme: &Theme) {
    let area = frame.area();
    let l = layout::layout_with(area, state.detail, state.columns());
    header::draw(frame, &l, state, theme);
    table::draw(frame, &l, state, theme);
    if let Some(d) = l.detail {
        detail::draw(frame, d, state, theme);
    }
    footer::draw(frame, l.footer, state, theme);
    if let Some(modal) = state.modal.as_ref() {
        let r = layout::modal_area(area, modal);
        dialogs::draw(frame, r, state, modal, theme);
    }
    if let Some(s) = state.secrets.front() {
        secret::draw(frame, layout::secret_area(area), state, s, theme);
    }
}

/// Clear a window's area, draw its border and title, and return the inside.
fn window(frame: &mut Frame, area: Rect, title: &str, border: Style, theme: &Theme) -> Rect {
    frame.render_widget(Clear, area);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(border)
        .title(Line::styled(format!(" {title} "), theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // One column of padding each side.
    Rect::new(
        inner.x + 1.min(inner.width),
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    )
}

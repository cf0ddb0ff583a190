//! A state drawn as the dashboard draws it, on a test terminal of the state's size, and the
//! frame as text for assertions and snapshots.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

use crate::app::State;
use crate::tui::ui::draw;
use crate::tui::ui::theme::Theme;

/// One frame of `state`, in the default theme.
pub fn render(state: &State) -> Buffer {
    render_in(state, &Theme::default())
}

/// One frame of `state`, in `theme`.
pub fn render_in(state: &State, theme: &Theme) -> Buffer {
    let mut t =
        Terminal::new(TestBackend::new(state.width, state.height)).expect("a test terminal");
    t.draw(|f| draw(f, state, theme)).expect("a frame");
    t.backend().buffer().clone()
}

/// The buffer as text ([`super::text`]), without the blanks that end each row.
pub fn text(buf: &Buffer) -> String {
    super::text(buf)
        .lines()
        .map(|line| format!("{}\n", line.trim_end()))
        .collect()
}

//! The command line (`:`), drawn on the footer's line: what is typed, then the mistake of the
//! last Enter, or what Tab could complete to, or which keys do what.

use ratatui::text::Span;

use crate::app::keymap::{Action, Keymap};
use crate::app::prompt::CommandLine;
use crate::text;

use super::theme::Theme;

pub fn spans<'a>(line: &CommandLine, km: &Keymap, width: usize, theme: &Theme) -> Vec<Span<'a>> {
    // A completed path holds a file's name as the disk has it: made safe to draw.
    let input = format!(
        "{}▏",
        text::fit(
            &text::sanitize(&line.input),
            width.saturating_sub(12).max(8)
        )
    );
    let mut spans = vec![
        Span::styled(":", theme.key()),
        Span::styled(input, theme.input()),
        Span::raw("  "),
    ];
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let room = width.saturating_sub(used);
    if let Some(error) = &line.error {
        // A symbol and words, so that NO_COLOR still says it is a mistake.
        spans.push(Span::styled(
            text::fit(&format!("✗ {}", text::sanitize(error)), room),
            theme.danger(),
        ));
    } else if !line.candidates.is_empty() {
        spans.push(Span::styled(
            text::fit(&text::sanitize(&line.candidates.join("  ")), room),
            theme.label(),
        ));
    } else {
        let hint = format!(
            "{} completes  {} runs  {} closes",
            km.label(Action::Complete),
            km.label(Action::Submit),
            km.label(Action::Back)
        );
        spans.push(Span::styled(text::fit(&hint, room), theme.dim()));
    }
    spans
}

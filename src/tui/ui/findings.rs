//! The audit's findings where the main screen shows them: their counts by severity for the
//! header, each with its symbol and word, so they read without colour.

use ratatui::text::Span;

use crate::audit::catalog::Severity;
use crate::audit::findings::Counts;

use super::theme::{MUTED_SYMBOL, Theme, severity_symbol};

/// How much of the counts the header has room for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Every severity with its word: "✖ 1 critical  ▲ 0 high …".
    Full,
    /// Only the severities found, closer together: "✖1 critical ◆5 medium".
    Compact,
}

/// The header's findings counts, most severe first, then the muted ones.
pub fn count_spans(c: &Counts, fit: Fit, theme: &Theme) -> Vec<Span<'static>> {
    let mut spans = vec![Span::styled(
        match fit {
            Fit::Full => "findings  ",
            Fit::Compact => "findings ",
        },
        theme.label(),
    )];
    let mut any = false;
    for s in Severity::ALL.into_iter().rev() {
        let n = c.of(s);
        if fit == Fit::Compact && n == 0 {
            continue;
        }
        any = true;
        let style = if n == 0 {
            theme.dim()
        } else {
            theme.severity(s)
        };
        let sym = severity_symbol(s);
        match fit {
            Fit::Full => {
                spans.push(Span::styled(format!("{sym} {n}"), style));
                spans.push(Span::styled(format!(" {s}  "), theme.label()));
            }
            Fit::Compact => {
                spans.push(Span::styled(format!("{sym}{n}"), style));
                spans.push(Span::styled(format!(" {s} "), theme.label()));
            }
        }
    }
    if c.muted > 0 {
        any = true;
        let n = c.muted;
        let (num, gap) = match fit {
            Fit::Full => (format!("{MUTED_SYMBOL} {n}"), " muted  "),
            Fit::Compact => (format!("{MUTED_SYMBOL}{n}"), " muted "),
        };
        spans.push(Span::styled(num, theme.dim()));
        spans.push(Span::styled(gap, theme.label()));
    }
    if !any {
        spans.push(Span::styled("no findings", theme.ok()));
    }
    spans
}

//! The audit's findings where the main screen shows them: their counts by severity for the
//! header (each with its symbol and word, so they read without colour) and the detail pane's
//! list of the selected row's findings.

use ratatui::style::Style;
use ratatui::text::Span;

use crate::app::findings::RowFinding;
use crate::audit::catalog::Severity;
use crate::audit::findings::Counts;
use crate::text;

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

/// One finding as the detail pane lists it: "◆ CB-1.1 medium: created 214 days ago; policy:
/// 90 days", and for a muted one, its mute's reason, last day and where it was set.
pub fn detail_text(f: &RowFinding) -> String {
    let about = if f.of_connector {
        "its connector: "
    } else {
        ""
    };
    let head = match &f.mute {
        None => format!("{} {} {}", severity_symbol(f.severity), f.check, f.severity),
        Some(_) => format!("{MUTED_SYMBOL} {} {} (muted)", f.check, f.severity),
    };
    let mut out = format!("{head}: {about}{}", text::sanitize(&f.reason));
    if let Some(m) = &f.mute {
        out.push_str(&format!(
            " — muted until {}: {} ({})",
            m.until.format("%Y-%m-%d"),
            text::sanitize(&m.reason),
            m.origin_text()
        ));
    }
    out
}

/// The style of a finding's line: its severity's, or dim when muted.
pub fn detail_style(f: &RowFinding, theme: &Theme) -> Style {
    match f.mute {
        None => theme.severity(f.severity),
        Some(_) => theme.dim(),
    }
}

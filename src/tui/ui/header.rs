//! The two header lines: tenant, profile, READ-ONLY, refresh state; then the counts.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::text::{Line, Span};

use crate::app::State;
use crate::app::layout::Layout;
use crate::app::state::{Finished, Outcome};
use crate::audit::Status;
use crate::text;

use super::findings::{self, Fit};
use super::theme::Theme;

const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// What the right side of the first line says about freshness: "refreshed" only after a
/// refresh in which every call answered.
pub fn refresh_text(state: &State) -> String {
    let r = &state.refresh;
    let now = state.now;
    // What the rows are while a refresh runs, when the last one did not fetch them all.
    let standing = match r.last.map(|f| f.outcome) {
        None if state.loaded => Some("cached, not yet current".to_string()),
        Some(Outcome::Failed) => Some(data_from(r.current_at, now)),
        Some(Outcome::Partial { fetched, total, .. }) => {
            Some(format!("{fetched} of {total} current"))
        }
        _ => None,
    };
    if r.running.is_some() {
        let before = standing.map(|s| format!("{s} — ")).unwrap_or_default();
        let spin = SPINNER[state.spinner % SPINNER.len()];
        return if r.total > 0 {
            format!(
                "{before}{spin} refreshing: credentials {}/{}",
                r.done.min(r.total),
                r.total
            )
        } else {
            format!("{before}{spin} refreshing…")
        };
    }
    if !state.loaded {
        return "loading inventory…".to_string();
    }
    let Some(Finished { at, outcome }) = r.last else {
        return "cached — not yet current".to_string();
    };
    let when = text::relative(at, now);
    match outcome {
        Outcome::Refreshed => format!("refreshed {when}"),
        Outcome::Partial {
            fetched,
            total,
            other_failed,
        } => {
            let others = match other_failed {
                0 => String::new(),
                1 => ", 1 other call failed".to_string(),
                n => format!(", {n} other calls failed"),
            };
            format!("partly refreshed {when}: {fetched} of {total} current{others}")
        }
        Outcome::Failed => format!("refresh failed {when} — {}", data_from(r.current_at, now)),
    }
}

/// "data from 11:59 UTC" (with the date when it is not today's).
fn data_from(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match at {
        None => "no data fetched yet".to_string(),
        Some(t) if t.date_naive() == now.date_naive() => {
            format!("data from {} UTC", t.format("%H:%M"))
        }
        Some(t) => format!("data from {} UTC", t.format("%Y-%m-%d %H:%M")),
    }
}

pub fn draw(frame: &mut Frame, l: &Layout, state: &State, theme: &Theme) {
    let area = l.header;
    if area.height == 0 {
        return;
    }
    let width = area.width as usize;
    let right = refresh_text(state);
    let right_style = if !state.is_current() && state.refresh.running.is_none() {
        theme.warning()
    } else {
        theme.label()
    };
    let mut left = vec![
        Span::styled("credboard ", theme.title()),
        Span::raw(text::fit(&state.options.host, 40)),
        Span::styled(
            format!(" ({})", text::fit(&state.options.profile, 20)),
            theme.label(),
        ),
    ];
    if state.options.read_only {
        left.push(Span::raw(" "));
        left.push(Span::styled(" READ-ONLY ", theme.badge()));
    }
    if !state.rotating.is_empty() {
        left.push(Span::styled(
            format!("  minting {}…", state.rotating.len()),
            theme.warning(),
        ));
    }
    let left_w: usize = left.iter().map(|s| s.width()).sum();
    let right_w = text::width(&right);
    let buf = frame.buffer_mut();
    if left_w + 2 + right_w <= width {
        buf.set_line(area.x, area.y, &Line::from(left), area.width);
        buf.set_stringn(
            area.x + (width - right_w) as u16,
            area.y,
            &right,
            right_w,
            right_style,
        );
    } else {
        // Narrow: the freshness matters more than the profile.
        let keep = width.saturating_sub(right_w + 1);
        buf.set_line(area.x, area.y, &Line::from(left), keep as u16);
        let x = area.x + width.saturating_sub(right_w) as u16;
        buf.set_stringn(x, area.y, &right, width, right_style);
    }
    if area.height < 2 {
        return;
    }
    let c = &state.inventory.counts;
    let mut counts = vec![
        (c.active, Status::Active, "active"),
        (c.expiring, Status::Expiring, "expiring"),
        (c.expired, Status::Expired, "expired"),
        (c.revoked, Status::Revoked, "revoked"),
        (c.never_used, Status::NeverUsed, "never used"),
        (c.idle, Status::Idle, "idle"),
    ];
    if c.gone > 0 {
        // Beside "revoked": both are no longer usable, but only one is known to be revoked.
        counts.insert(4, (c.gone, Status::Gone, "gone"));
    }
    if c.connectors_without > 0 {
        counts.push((
            c.connectors_without,
            Status::NoCredential,
            "connectors uncovered",
        ));
    }
    // Levels of detail, from the full words down to symbols and numbers.
    let line = |compact: bool, uncovered: bool, short: bool| -> Line<'static> {
        let mut spans = vec![
            Span::styled(format!("{}", c.total), theme.title()),
            Span::styled(
                if compact { " total " } else { " credentials  " },
                theme.label(),
            ),
        ];
        for &(n, s, word) in &counts {
            if !uncovered && s == Status::NoCredential {
                continue;
            }
            let word = match (compact, short, s) {
                (true, _, Status::NoCredential) => "uncovered",
                (_, true, Status::NeverUsed) => "unused",
                (_, true, Status::Expiring) => "expiring",
                _ => word,
            };
            if compact {
                spans.push(Span::styled(format!("{}{n}", s.symbol()), theme.status(s)));
                spans.push(Span::styled(format!(" {word} "), theme.label()));
            } else {
                spans.push(Span::styled(format!("{} {n}", s.symbol()), theme.status(s)));
                spans.push(Span::styled(format!(" {word}  "), theme.label()));
            }
        }
        Line::from(spans)
    };
    let levels = [
        (false, true, false),
        (true, true, false),
        (true, false, false),
        (true, false, true),
    ];
    // The findings' counts follow the statuses' (on a line of their own when the header
    // has three, below 200 columns), once the checks have run.
    let audited = state.audit.computed_at.is_some();
    if area.height >= 3 {
        let chosen = levels
            .iter()
            .map(|&(compact, uncovered, short)| line(compact, uncovered, short))
            .find(|l| l.width() <= width)
            .unwrap_or_else(|| {
                // Still too wide: whole counts go from the end, never half a word, and "…"
                // says some are not shown.
                let mut l = line(true, false, true);
                while l.width() + 1 > width && l.spans.len() > 2 {
                    l.spans.truncate(l.spans.len() - 2);
                }
                l.spans.push(Span::styled("…", theme.label()));
                l
            });
        let buf = frame.buffer_mut();
        buf.set_line(area.x, area.y + 1, &chosen, area.width);
        if audited {
            let c = &state.audit.counts;
            let full = Line::from(findings::count_spans(c, Fit::Full, theme));
            let fits = full.width() <= width;
            let l = if fits {
                full
            } else {
                Line::from(findings::count_spans(c, Fit::Compact, theme))
            };
            buf.set_line(area.x, area.y + 2, &l, area.width);
        }
        return;
    }
    let with_findings = |(compact, uncovered, short), fit| -> Line<'static> {
        let mut l = line(compact, uncovered, short);
        if audited {
            l.spans.push(Span::styled("│ ", theme.label()));
            l.spans
                .extend(findings::count_spans(&state.audit.counts, fit, theme));
        }
        l
    };
    let chosen = levels
        .iter()
        .map(|&lv| (lv, Fit::Full))
        .chain(levels.iter().map(|&lv| (lv, Fit::Compact)))
        .map(|(lv, fit)| with_findings(lv, fit))
        .find(|l| l.width() <= width)
        .unwrap_or_else(|| with_findings(levels[3], Fit::Compact));
    frame
        .buffer_mut()
        .set_line(area.x, area.y + 1, &chosen, area.width);
}

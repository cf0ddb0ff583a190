//! The overview window: the audit's four charts (`audit::stats`, the figures the report
//! draws too) with ratatui's own bar charts: how old the live credentials are, how many
//! expire in each of the next 12 weeks, how long since each was last used, and the findings
//! by check. Bars at or past the policy are marked `!` as well as coloured, so they read
//! without colour. Fits 80×24.

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Paragraph};

use crate::app::State;
use crate::app::keymap::Action;
use crate::audit::catalog::CheckId;
use crate::audit::stats::{self, Chart};
use crate::text;

use super::theme::Theme;
use super::window;

/// What marks a bar at or past the policy's threshold, beside its colour.
pub const BEYOND: &str = "!";

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let close = state.options.keymap.label(Action::Overview);
    let title = format!("Overview — {close} or Esc closes");
    let inner = window(frame, area, &title, theme.border(), theme);
    let Some(figures) = state.audit.figures.as_ref() else {
        let p = Paragraph::new(Line::styled(
            "Nothing to chart yet: the checks run once the inventory has arrived.",
            theme.dim(),
        ));
        frame.render_widget(p, inner);
        return;
    };
    let mut head = vec![summary(state, figures, theme)];
    for u in &state.audit.unavailable {
        head.push(Line::styled(
            text::fit(
                &format!("{} not available: {}", u.check, text::sanitize(&u.why)),
                inner.width as usize,
            ),
            theme.warning(),
        ));
    }
    // The upper charts need a line per bar and their title; the lower ones take what is
    // left, up to a height where the week bars still read.
    let head_h = head.len() as u16;
    let upper_h = 1 + figures.age.bars.len().max(figures.last_use.bars.len()) as u16;
    let lower_min = 1 + figures.findings.bars.len() as u16;
    let gap = u16::from(inner.height > head_h + upper_h + 1 + lower_min);
    let [top_area, upper, _, lower, _] = Layout::vertical([
        Constraint::Length(head_h),
        Constraint::Length(upper_h),
        Constraint::Length(gap),
        Constraint::Max(16),
        Constraint::Fill(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(head), top_area);
    let halves = |r: Rect| -> [Rect; 2] {
        Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)])
            .spacing(2)
            .areas(r)
    };
    let [age, last_use] = halves(upper);
    let [expiring, findings] = halves(lower);
    let p = state.options.policy;
    let age_title = format!("Age (policy: rotate within {} d)", p.rotation_days);
    let use_title = format!("Since last use (policy: within {} d)", p.unused_days);
    horizontal(frame, age, &age_title, &figures.age, theme);
    horizontal(frame, last_use, &use_title, &figures.last_use, theme);
    weeks(
        frame,
        expiring,
        p.expiry_warning_days,
        &figures.expiring,
        theme,
    );
    by_check(frame, findings, &figures.findings, theme);
}

/// "89 live of 120 tracked · ! at or past the policy · checked 12:00 UTC".
fn summary(state: &State, figures: &stats::Figures, theme: &Theme) -> Line<'static> {
    // Every live credential is in exactly one bar of the age chart.
    let live = figures.age.total();
    let tracked = state.inventory.counts.total;
    let when = state
        .audit
        .computed_at
        .map(|t| format!("checked {} UTC", t.format("%H:%M")))
        .unwrap_or_default();
    Line::from(vec![
        Span::styled(format!("{live}"), theme.title()),
        Span::styled(format!(" live of {tracked} tracked  "), theme.label()),
        Span::styled(BEYOND, theme.warning()),
        Span::styled(" at or past the policy  ", theme.label()),
        Span::styled(when, theme.dim()),
    ])
}

/// The chart's title on its first line; the rest for the bars.
fn titled(frame: &mut Frame, area: Rect, title: &str, theme: &Theme) -> Rect {
    if area.height == 0 {
        return area;
    }
    let line = Line::styled(text::fit(title, area.width as usize), theme.title());
    frame.render_widget(
        Paragraph::new(line),
        Rect::new(area.x, area.y, area.width, 1),
    );
    Rect::new(area.x, area.y + 1, area.width, area.height - 1)
}

fn bar_style(beyond: bool, theme: &Theme) -> Style {
    if beyond { theme.warning() } else { theme.ok() }
}

fn mark(label: &str, beyond: bool) -> String {
    if beyond {
        format!("{BEYOND} {label}")
    } else {
        format!("  {label}")
    }
}

/// One bar per line, its label on the left and its count on it.
fn horizontal(frame: &mut Frame, area: Rect, title: &str, chart: &Chart, theme: &Theme) {
    let area = titled(frame, area, title, theme);
    let bars: Vec<Bar> = chart
        .bars
        .iter()
        .map(|b| {
            let style = bar_style(b.beyond_policy, theme);
            Bar::default()
                .label(Line::from(mark(&b.label, b.beyond_policy)))
                .value(b.value as u64)
                .text_value(b.value.to_string())
                .style(style)
                .value_style(style.patch(theme.selected()))
        })
        .collect();
    let chart = BarChart::default()
        .direction(Direction::Horizontal)
        .bar_width(1)
        .bar_gap(0)
        .data(BarGroup::default().bars(&bars));
    frame.render_widget(chart, area);
}

/// The next 12 weeks side by side, week 1 first; the weeks within the policy's warning
/// window are marked.
fn weeks(frame: &mut Frame, area: Rect, warn_days: u32, chart: &Chart, theme: &Theme) {
    let within = chart.bars.iter().filter(|b| b.beyond_policy).count();
    let title = match within {
        0 => "Expiring in each of the next 12 weeks".to_string(),
        1 => format!("Expiry by week ({BEYOND} 1: within {warn_days} d)"),
        n => format!("Expiry by week ({BEYOND} 1–{n}: within {warn_days} d)"),
    };
    let area = titled(frame, area, &title, theme);
    let n = stats::EXPIRY_WEEKS as u16;
    let width = (area.width.saturating_sub(n - 1) / n).clamp(1, 6);
    let bars: Vec<Bar> = chart
        .bars
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let style = bar_style(b.beyond_policy, theme);
            let week = (i + 1).to_string();
            let label = if b.beyond_policy && width >= 3 {
                format!("{BEYOND}{week}")
            } else {
                week
            };
            Bar::default()
                .label(Line::from(label))
                .value(b.value as u64)
                .text_value(b.value.to_string())
                .style(style)
                .value_style(style.patch(theme.selected()))
        })
        .collect();
    let chart = BarChart::default()
        .bar_width(width)
        .bar_gap(1)
        .data(BarGroup::default().bars(&bars));
    frame.render_widget(chart, area);
}

/// One bar per check that ran, in catalog order, coloured by the check's severity; muted
/// findings are counted beside ("+2 muted"), never dropped.
fn by_check(frame: &mut Frame, area: Rect, chart: &Chart, theme: &Theme) {
    let area = titled(frame, area, "Findings by check (+ muted)", theme);
    let bars: Vec<Bar> = chart
        .bars
        .iter()
        .map(|b| {
            // The stats label is "CB-1.1 <title>": the id is what fits here.
            let id = b.label.split(' ').next().unwrap_or(&b.label).to_string();
            let severity = id.parse::<CheckId>().ok().map(CheckId::severity);
            let style = match severity {
                Some(s) if b.value > 0 => theme.severity(s),
                _ => theme.dim(),
            };
            let count = match b.muted {
                0 => b.value.to_string(),
                m => format!("{} +{m} muted", b.value),
            };
            Bar::default()
                .label(Line::from(id))
                .value((b.value + b.muted) as u64)
                .text_value(count)
                .style(style)
                .value_style(theme.label().patch(theme.selected()))
        })
        .collect();
    let chart = BarChart::default()
        .direction(Direction::Horizontal)
        .bar_width(1)
        .bar_gap(0)
        .data(BarGroup::default().bars(&bars));
    frame.render_widget(chart, area);
}

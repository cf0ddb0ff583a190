//! Confirm dialogs (revoke, rotate), the bulk plan and the bulk run; the scrollable windows
//! are in `windows`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::State;
use crate::app::confirm::{self, TextOf, Typed};
use crate::app::dialogs::{
    BULK_WORD, BulkOutcome, BulkPlan, Modal, PlanItem, RevokeDialog, RotateDialog,
};
use crate::app::keymap::{Action, Keymap};
use crate::text;

use super::theme::Theme;
use super::{overview, window, windows};

const LABEL_W: usize = 12;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, modal: &Modal, theme: &Theme) {
    match modal {
        Modal::Revoke(d) => revoke(frame, area, state, d, theme),
        Modal::Rotate(d) => rotate(frame, area, state, d, theme),
        Modal::BulkPlan(p) => bulk_plan(frame, area, state, p, theme),
        Modal::Bulk { scroll } => bulk_run(frame, area, state, *scroll, theme),
        Modal::Help { scroll } => windows::help(frame, area, state, *scroll, theme),
        Modal::Overview => overview::draw(frame, area, state, theme),
        Modal::Errors { scroll } => windows::errors(frame, area, state, *scroll, theme),
        Modal::Journal { lines, scroll } => {
            windows::journal(frame, area, state, lines.as_deref(), *scroll, theme)
        }
        Modal::Rotations(w) => super::rotations::rotations(frame, area, state, w, theme),
        Modal::Changes { scroll } => super::rotations::changes(frame, area, state, *scroll, theme),
        Modal::Abandon(d) => super::rotations::abandon(frame, area, state, d, theme),
    }
}

fn kv<'a>(label: &str, value: String, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{label:<LABEL_W$}"), theme.label()),
        Span::raw(value),
    ])
}

fn keys<'a>(pairs: &[(String, &str)], theme: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    for (i, (k, what)) in pairs.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled("   ", theme.label()));
        }
        spans.push(Span::styled(k.clone(), theme.key()));
        spans.push(Span::styled(format!(" {what}"), theme.label()));
    }
    Line::from(spans)
}

/// The keys that cancel a y/n dialog: "n/Esc/Enter".
fn cancel_keys(keymap: &Keymap) -> String {
    format!(
        "{}/{}",
        keymap.label(Action::Cancel),
        keymap.pair_label(Action::Back, Action::Submit)
    )
}

/// Columns of typed text shown.
const INPUT_W: usize = 40;

/// The line a typed confirmation is typed on: the characters green while they match the
/// expected text, red from the first wrong one, then whether it matches (in words, for
/// terminals without colour).
fn typed<'a>(
    input: &str,
    expected: &str,
    mismatch: bool,
    keymap: &Keymap,
    theme: &Theme,
) -> Line<'a> {
    let matched = confirm::typed_match(input, expected);
    let right = match matched {
        Typed::Wrong { from } => from,
        _ => usize::MAX,
    };
    let good: String = input.chars().take(right).collect();
    let bad: String = input.chars().skip(right).collect();
    let good = text::fit(&good, INPUT_W);
    let bad = text::fit(&bad, INPUT_W.saturating_sub(text::width(&good)));
    let mut spans = vec![
        Span::styled("> ", theme.key()),
        Span::styled(good, theme.input().patch(theme.ok())),
        Span::styled(bad, theme.input().patch(theme.danger())),
        Span::styled("▏", theme.input()),
    ];
    let (note, style) = match matched {
        Typed::Empty => (String::new(), theme.label()),
        Typed::Prefix if mismatch => (
            format!(
                "  ✗ not all of it: {} did nothing",
                keymap.label(Action::Submit)
            ),
            theme.danger(),
        ),
        Typed::Prefix => ("  matches so far".to_string(), theme.label()),
        Typed::Exact => ("  ✓ matches".to_string(), theme.ok()),
        Typed::Wrong { .. } => ("  ✗ does not match".to_string(), theme.danger()),
    };
    spans.push(Span::styled(note, style));
    Line::from(spans)
}

/// The keys under a typed confirmation, then `more`.
fn typed_keys<'a>(more: &[(String, &str)], keymap: &Keymap, theme: &Theme) -> Line<'a> {
    let mut pairs = vec![
        (
            keymap.label(Action::Submit),
            "revoke once it matches (cancels when empty)",
        ),
        (keymap.label(Action::Back), "cancel"),
    ];
    pairs.extend_from_slice(more);
    keys(&pairs, theme)
}

/// "To revoke it, type strange-hydra-68836 (its client id before the @):"
fn expected_line<'a>(lead: &str, expected: &str, of: TextOf, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::raw(format!("{lead} ")),
        Span::styled(text::sanitize(expected), theme.key()),
        Span::raw(format!(" ({}):", of.words())),
    ])
}

fn revoke(frame: &mut Frame, area: Rect, state: &State, d: &RevokeDialog, theme: &Theme) {
    let title = match d.rotation {
        Some(id) => format!("Revoke credential: an old one of rotation {id}"),
        None => "Revoke credential".to_string(),
    };
    let inner = window(frame, area, &title, theme.danger_border(), theme);
    let w = inner.width as usize;
    let v = |s: &str| text::fit(s, w.saturating_sub(LABEL_W));
    let km = &state.options.keymap;
    let lead = if d.expired {
        "Revoke this credential? It has expired: the connector cannot sign in with it now."
    } else {
        "Revoke this credential? The connector using it will stop working."
    };
    let mut lines = vec![
        Line::styled(lead, theme.danger()),
        Line::raw(""),
        kv("Name", v(d.name.as_deref().unwrap_or("—")), theme),
        kv("Credential", v(&d.key.credential_id), theme),
        kv("Client id", v(d.client_id.as_deref().unwrap_or("—")), theme),
        kv(
            "App",
            v(&format!(
                "{} ({})",
                text::sanitize(&d.app_name),
                text::sanitize(&d.key.app_id)
            )),
            theme,
        ),
        kv(
            "Connector",
            v(&format!(
                "{} ({})",
                text::sanitize(&d.connector_name),
                text::sanitize(&d.key.connector_id)
            )),
            theme,
        ),
        kv(
            "Last used",
            match d.last_used {
                Some(t) => format!("{} ({})", text::relative(t, state.now), text::absolute(t)),
                None => "never".to_string(),
            },
            theme,
        ),
        Line::raw(""),
    ];
    match d.typed.as_ref() {
        Some(t) => {
            for r in &t.reasons {
                lines.push(Line::styled(format!("Careful: {r}."), theme.warning()));
            }
            lines.push(expected_line(
                "To revoke it, type",
                &t.expected,
                t.expected_of,
                theme,
            ));
            lines.push(typed(&t.input, &t.expected, t.mismatch, km, theme));
            lines.push(typed_keys(&[], km, theme));
        }
        None => {
            lines.push(keys(
                &[
                    (km.label(Action::Confirm), "revoke"),
                    (cancel_keys(km), "cancel"),
                ],
                theme,
            ));
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn rotate(frame: &mut Frame, area: Rect, state: &State, d: &RotateDialog, theme: &Theme) {
    let inner = window(
        frame,
        area,
        "Rotate: mint a new credential",
        theme.border(),
        theme,
    );
    let w = inner.width as usize;
    let v = |s: &str| text::fit(s, w.saturating_sub(LABEL_W));
    let km = &state.options.keymap;
    let lines = vec![
        Line::raw("Mint a new credential for this connector?"),
        Line::raw(""),
        kv(
            "App",
            v(&format!(
                "{} ({})",
                text::sanitize(&d.app_name),
                text::sanitize(&d.app_id)
            )),
            theme,
        ),
        kv(
            "Connector",
            v(&format!(
                "{} ({})",
                text::sanitize(&d.connector_name),
                text::sanitize(&d.connector_id)
            )),
            theme,
        ),
        kv(
            "Live now",
            match d.live {
                0 => "no live tracked credential: no rotation is recorded".to_string(),
                n => format!(
                    "{n} live tracked credential(s): a rotation replaces them once the \
                     connector uses the new one ({} follows it)",
                    km.label(Action::Rotations)
                ),
            },
            theme,
        ),
        Line::styled("The new secret is shown once.", theme.warning()),
        Line::raw(""),
        keys(
            &[
                (km.label(Action::Confirm), "mint"),
                (cancel_keys(km), "cancel"),
            ],
            theme,
        ),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn item_line<'a>(
    tag: Span<'a>,
    item: &PlanItem,
    notes: Vec<Span<'a>>,
    w: usize,
    theme: &Theme,
) -> Line<'a> {
    let name_w = (w.saturating_sub(10) * 35 / 100).max(8);
    let client_w = (w.saturating_sub(10) * 25 / 100).max(6);
    let name = item.name.as_deref().unwrap_or(&item.key.credential_id);
    let client = item
        .client_id
        .as_deref()
        .map(text::short_client_id)
        .unwrap_or_else(|| "—".to_string());
    let mut spans = vec![
        tag,
        Span::raw(text::pad(name, name_w)),
        Span::raw(" "),
        Span::styled(text::pad(&client, client_w), theme.label()),
        Span::raw(" "),
    ];
    spans.extend(notes);
    Line::from(spans)
}

fn flags_text(item: &PlanItem) -> String {
    use crate::audit::{Flags, Status};
    let mut parts = vec![format!("{} {}", item.status.symbol(), item.status.word())];
    for (f, s) in [
        (Flags::EXPIRING, Status::Expiring),
        (Flags::NEVER_USED, Status::NeverUsed),
        (Flags::IDLE, Status::Idle),
    ] {
        if item.flags.contains(f) && item.status != s {
            parts.push(s.word().to_string());
        }
    }
    parts.join(", ")
}

fn bulk_plan(frame: &mut Frame, area: Rect, state: &State, p: &BulkPlan, theme: &Theme) {
    let km = &state.options.keymap;
    let inner = window(
        frame,
        area,
        "Bulk revoke: the plan",
        theme.danger_border(),
        theme,
    );
    let w = inner.width as usize;
    let (step, expected) = p.expected();
    let mut list: Vec<Line> = Vec::new();
    for (n, t) in p.targets.iter().enumerate() {
        // Risky rows: `!` to confirm, `▶` the one being confirmed, `✓` confirmed.
        let (tag, style) = match (t.confirm.is_some(), step) {
            (false, _) => ("REVOKE   ", theme.danger()),
            (true, Some(i)) if i == n => ("REVOKE ▶ ", theme.warning()),
            (true, _) if n < p.confirmed => ("REVOKE ✓ ", theme.ok()),
            (true, _) => ("REVOKE ! ", theme.warning()),
        };
        let notes = vec![Span::styled(flags_text(t), theme.status(t.status))];
        list.push(item_line(Span::styled(tag, style), t, notes, w, theme));
        if !t.risks.is_empty() {
            let why = format!("risky: {}", t.risks.join("; "));
            list.push(Line::styled(
                format!("{:9}{}", "", text::fit(&why, w.saturating_sub(9))),
                theme.warning(),
            ));
        }
    }
    if !p.skipped.is_empty() {
        list.push(Line::raw(""));
        for (t, why) in &p.skipped {
            list.push(item_line(
                Span::styled("skip     ", theme.dim()),
                t,
                vec![Span::styled(why.to_string(), theme.dim())],
                w,
                theme,
            ));
        }
    }
    let page = crate::app::layout::modal_page(
        Rect::new(0, 0, state.width, state.height),
        &Modal::BulkPlan(p.clone()),
    );
    let scroll = p.scroll.min(list.len().saturating_sub(page));
    let risky = p.risky();
    let head = format!(
        "{} credential(s) will be revoked; {} skipped.",
        p.targets.len(),
        p.skipped.len()
    );
    let second = match risky {
        0 => Line::raw(""),
        n => Line::styled(
            format!("{n} risky (!): each is confirmed with its own text, as a single revoke is."),
            theme.warning(),
        ),
    };
    let mut lines = vec![Line::styled(head, theme.danger()), second];
    lines.extend(list.into_iter().skip(scroll).take(page));
    while lines.len() < page + 2 {
        lines.push(Line::raw(""));
    }
    lines.push(Line::raw(""));
    if p.targets.is_empty() {
        lines.push(Line::raw("Nothing to revoke."));
        let close = km.pair_label(Action::Back, Action::Submit);
        lines.push(keys(&[(close, "close")], theme));
    } else {
        match step.map(|i| &p.targets[i]) {
            Some(t) => {
                let of = t.confirm.as_ref().map_or(TextOf::CredentialId, |c| c.0);
                let name = text::fit(t.name.as_deref().unwrap_or(&t.key.credential_id), 30);
                lines.push(expected_line(
                    &format!("Risky {} of {risky}, {name} (▶): type", p.confirmed + 1),
                    expected,
                    of,
                    theme,
                ));
            }
            None => lines.push(Line::raw(format!(
                "{}Type \"{BULK_WORD}\" and press {} to revoke {} credential(s):",
                if risky > 0 {
                    "Every risky one confirmed. "
                } else {
                    ""
                },
                km.label(Action::Submit),
                p.targets.len()
            ))),
        }
        lines.push(typed(&p.input, expected, p.mismatch, km, theme));
        let scroll = km.pair_label(Action::InputUp, Action::InputDown);
        lines.push(typed_keys(&[(scroll, "scroll")], km, theme));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn bulk_run(frame: &mut Frame, area: Rect, state: &State, scroll: usize, theme: &Theme) {
    let inner = window(frame, area, "Bulk revoke", theme.border(), theme);
    let Some(b) = state.bulk.as_ref() else {
        return;
    };
    let w = inner.width as usize;
    let s = b.summary();
    let done = b.items.len() - s.pending;
    let head = format!(
        "{done}/{} done: {} revoked, {} already gone, {} failed{}",
        b.items.len(),
        s.revoked,
        s.already_gone,
        s.failed,
        if b.skipped > 0 {
            format!(" ({} skipped)", b.skipped)
        } else {
            String::new()
        }
    );
    let mut lines = vec![
        Line::styled(
            head,
            if s.failed > 0 {
                theme.danger()
            } else {
                theme.title()
            },
        ),
        Line::raw(""),
    ];
    let page = crate::app::layout::modal_page(
        Rect::new(0, 0, state.width, state.height),
        &Modal::Bulk { scroll },
    );
    let scroll = scroll.min(b.items.len().saturating_sub(page));
    for (item, outcome) in b.items.iter().skip(scroll).take(page) {
        let (tag, note, style) = match outcome {
            BulkOutcome::Pending => ("…       ", "revoking".to_string(), theme.warning()),
            BulkOutcome::Revoked => ("⊘       ", "revoked".to_string(), theme.ok()),
            BulkOutcome::AlreadyGone => ("⊘       ", "already gone".to_string(), theme.ok()),
            BulkOutcome::Failed(e) => (
                "✗       ",
                format!("failed: {}", text::sanitize(e)),
                theme.danger(),
            ),
        };
        lines.push(item_line(
            Span::styled(tag, style),
            item,
            vec![Span::styled(note, style)],
            w,
            theme,
        ));
    }
    while lines.len() < page + 2 {
        lines.push(Line::raw(""));
    }
    lines.push(Line::raw(""));
    let km = &state.options.keymap;
    let mut hints = Vec::new();
    if s.pending == 0 && s.failed > 0 {
        hints.push((km.label(Action::Retry), "retry the failed"));
    }
    hints.push((
        km.label(Action::Back),
        if s.pending > 0 {
            "close (the run goes on)"
        } else {
            "close"
        },
    ));
    hints.push((km.pair_label(Action::InputUp, Action::InputDown), "scroll"));
    lines.push(keys(&hints, theme));
    frame.render_widget(Paragraph::new(lines), inner);
}

//! The detail pane: every field of the selected credential, absolute and relative times, the
//! app's and connector's names and ids, the connector's sync state, and each flag's reason.
//! Values wrap under their label; the most important lines come first, since a short pane
//! cuts the bottom.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};

use crate::api::ConnectorCredential;
use crate::app::State;
use crate::app::inventory::{EntryKind, Pending};
use crate::app::keymap::Action;
use crate::audit::{self, Status};
use crate::text;

use super::findings;
use super::table::UNKNOWN;
use super::theme::Theme;

/// Longest value drawn in the pane; longer ones are cut before wrapping.
const MAX_VALUE: usize = 600;

const LABEL_W: usize = 14;

/// Lines of the pane, each value wrapped to the width left after its label.
struct Lines<'t> {
    lines: Vec<Line<'static>>,
    width: usize,
    theme: &'t Theme,
}

impl Lines<'_> {
    fn kv(&mut self, label: &str, value: &str, style: Style) {
        let value = text::fit(value, MAX_VALUE);
        let w = self.width.saturating_sub(LABEL_W).max(8);
        for (i, part) in text::wrap(&value, w).into_iter().enumerate() {
            let label = if i == 0 { label } else { "" };
            self.lines.push(Line::from(vec![
                Span::styled(format!("{label:<LABEL_W$}"), self.theme.label()),
                Span::styled(part, style),
            ]));
        }
    }

    /// A line of its own, wrapped to the pane's width.
    fn note(&mut self, value: &str, style: Style) {
        for part in text::wrap(&text::fit(value, MAX_VALUE), self.width.max(8)) {
            self.lines.push(Line::styled(part, style));
        }
    }

    fn flag(&mut self, label: &str, symbol: char, reason: &str, style: Style) {
        self.kv(label, &format!("{symbol} {reason}"), style);
    }
}

fn when(t: Option<DateTime<Utc>>, now: DateTime<Utc>, unset: &str) -> String {
    match t {
        Some(t) => format!("{} ({})", text::absolute(t), text::relative(t, now)),
        None => unset.to_string(),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let block = Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.border())
        .title(Line::styled(" Details ", theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(e) = state.selected_entry() else {
        frame.render_widget(
            Paragraph::new(Line::styled("nothing selected", theme.dim())),
            inner,
        );
        return;
    };
    let now = state.now;
    let b = theme.base();
    let mut l = Lines {
        lines: Vec::new(),
        width: inner.width as usize,
        theme,
    };
    let app_name = state.inventory.app_name(&e.key.app_id);
    let conn_name = state
        .inventory
        .connector_name(&e.key.app_id, &e.key.connector_id);
    // Nothing is known of a credential never fetched (or gone before it was): its fields
    // say so rather than "never" or "no expiry".
    let unset = |fallback: &'static str| match e.last {
        Some(_) => fallback,
        None => UNKNOWN,
    };
    match e.kind {
        EntryKind::Credential => {
            l.kv(
                "Name",
                e.display_name().unwrap_or(unset("—")),
                theme.title(),
            );
        }
        EntryKind::Connector => {
            l.kv(
                "",
                &format!(
                    "No tracked credential for this connector: {} mints one.",
                    state.options.keymap.label(Action::Rotate)
                ),
                theme.warning(),
            );
        }
    }
    let reasons = match e.kind {
        EntryKind::Connector => vec![(
            Status::NoCredential,
            "no tracked credential for this connector".to_string(),
        )],
        EntryKind::Credential => {
            audit::reasons(e.last.as_ref(), e.gone, e.flags, now, state.thresholds())
        }
    };
    for (n, (status, reason)) in reasons.into_iter().enumerate() {
        let label = if n == 0 { "Status" } else { "" };
        l.flag(label, status.symbol(), &reason, theme.status(status));
    }
    if state.audit.computed_at.is_some() {
        if e.findings.is_empty() {
            l.kv("Findings", "none", theme.ok());
        }
        for (n, f) in e.findings.list.iter().enumerate() {
            let label = if n == 0 { "Findings" } else { "" };
            l.kv(
                label,
                &findings::detail_text(f),
                findings::detail_style(f, theme),
            );
        }
    }
    if e.pending == Some(Pending::Revoking) {
        l.kv("In flight", "revoking…", theme.warning());
    }
    if let Some(err) = e.error.as_ref() {
        let what = if e.error_in_refresh {
            "Not fetched by the last refresh"
        } else {
            "The last fetch failed"
        };
        l.note(&format!("{what}: {err}"), theme.danger());
    }
    if e.kind == EntryKind::Credential {
        l.kv("Credential id", &e.key.credential_id, b);
        l.kv("Client id", e.client_id().unwrap_or(unset("—")), b);
    }
    l.kv("App", app_name, b);
    l.kv("App id", &e.key.app_id, theme.label());
    l.kv("Connector", conn_name, b);
    l.kv("Connector id", &e.key.connector_id, theme.label());
    if let Some(k) = state
        .inventory
        .connector(&e.key.app_id, &e.key.connector_id)
    {
        if let Some(s) = k.status.as_ref() {
            let sync = s
                .status
                .as_deref()
                .map(|v| v.trim_start_matches("SYNC_STATUS_").to_lowercase())
                .unwrap_or_else(|| "unknown".to_string());
            let done = s
                .completed_at
                .map(|t| format!(", completed {}", text::relative(t, now)))
                .unwrap_or_default();
            let style = if sync == "error" { theme.danger() } else { b };
            l.kv("Sync", &format!("{sync}{done}"), style);
            if let Some(err) = s.last_error.as_deref() {
                l.kv("Sync error", err, theme.danger());
            }
        }
        if let Some(t) = k.sync_disabled_at {
            let why = k.sync_disabled_reason.as_deref().unwrap_or("");
            l.kv(
                "Sync disabled",
                &format!("{} {why}", text::relative(t, now)),
                theme.warning(),
            );
        }
    }
    if e.kind == EntryKind::Credential {
        let c = e.last.as_ref();
        let time = |f: fn(&ConnectorCredential) -> Option<DateTime<Utc>>, fallback| {
            when(c.and_then(f), now, unset(fallback))
        };
        l.kv("Created", &time(|c| c.created_at, "—"), b);
        l.kv("Updated", &time(|c| c.updated_at, "—"), b);
        l.kv("Last used", &time(|c| c.last_used_at, "never"), b);
        l.kv("Expires", &time(|c| c.expires_time, "no expiry"), b);
        l.kv("Deleted", &time(|c| c.deleted_at, "—"), b);
        l.kv("Fetched", &when(e.fetched_at, now, "never"), b);
        let changes = state.changes.marking(e.key, state.marks_from());
        for (n, c) in changes.iter().take(6).enumerate() {
            let value = match (&c.change.before, &c.change.after) {
                (None, None) => String::new(),
                (b, a) => format!(
                    ": {} -> {}",
                    b.as_deref().unwrap_or("none"),
                    a.as_deref().unwrap_or("none")
                ),
            };
            let label = if n == 0 { "Changed △" } else { "" };
            l.kv(
                label,
                &format!(
                    "{}{value} (seen {})",
                    c.change.kind.word(),
                    text::relative(c.seen_at, now)
                ),
                theme.changed(),
            );
        }
        if let Some(r) = state.rotations.of_credential(e.key) {
            let role = if r.new_credential_id == e.key.credential_id {
                "its new credential"
            } else {
                "an old credential it replaces"
            };
            l.kv(
                "Rotation",
                &format!(
                    "{} {}: {role} ({} lists it)",
                    r.id,
                    r.state.word(),
                    state.options.keymap.label(Action::Rotations)
                ),
                theme.warning(),
            );
        }
    }
    frame.render_widget(Paragraph::new(l.lines), inner);
}

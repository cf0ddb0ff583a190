//! The detail pane: every field of the selected credential, absolute and relative times, the
//! app's and connector's names and ids, the connector's sync state, and each flag's reason.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};

use crate::app::State;
use crate::app::keymap::Action;
use crate::app::rows::{self, EntryKind, Pending};
use crate::app::text;

use super::style::Theme;

/// Longest value drawn in the pane; longer ones are cut (the pane wraps what it shows).
const MAX_VALUE: usize = 600;

const LABEL_W: usize = 14;

fn kv<'a>(label: &str, value: String, theme: &Theme, style: Style) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{label:<LABEL_W$}"), theme.label()),
        Span::styled(value, style),
    ])
}

fn when(t: Option<DateTime<Utc>>, now: DateTime<Utc>, unset: &str) -> String {
    match t {
        Some(t) => format!("{} ({})", text::absolute(t), text::relative(t, now)),
        None => unset.to_string(),
    }
}

fn clean(s: &str) -> String {
    text::fit(s, MAX_VALUE)
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let block = Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.border())
        .title(Line::styled(" Details ", theme.title()));
    let Some(e) = state.selected_entry() else {
        frame.render_widget(
            Paragraph::new(Line::styled("nothing selected", theme.dim())).block(block),
            area,
        );
        return;
    };
    let now = state.now;
    let b = theme.base();
    let mut lines: Vec<Line> = Vec::new();
    let app_name = state.rows.app_name(&e.key.app_id);
    let conn_name = state
        .rows
        .connector_name(&e.key.app_id, &e.key.connector_id);
    match e.kind {
        EntryKind::Credential => {
            lines.push(kv(
                "Name",
                clean(e.display_name().unwrap_or("—")),
                theme,
                theme.title(),
            ));
            lines.push(kv("Credential id", clean(&e.key.credential_id), theme, b));
            lines.push(kv(
                "Client id",
                clean(e.client_id().unwrap_or("—")),
                theme,
                b,
            ));
        }
        EntryKind::Connector => {
            lines.push(Line::styled(
                format!(
                    "No tracked credential for this connector. {} mints one.",
                    state.options.keymap.label(Action::Rotate)
                ),
                theme.warning(),
            ));
        }
    }
    for (n, (status, reason)) in rows::reasons(e, now, state.thresholds())
        .into_iter()
        .enumerate()
    {
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:<LABEL_W$}", if n == 0 { "Status" } else { "" }),
                theme.label(),
            ),
            Span::styled(format!("{} ", status.symbol()), theme.status(status)),
            Span::styled(clean(&reason), theme.status(status)),
        ]));
    }
    lines.push(kv(
        "App",
        format!("{} ({})", clean(app_name), clean(&e.key.app_id)),
        theme,
        b,
    ));
    lines.push(kv(
        "Connector",
        format!("{} ({})", clean(conn_name), clean(&e.key.connector_id)),
        theme,
        b,
    ));
    if let Some(k) = state.rows.connector(&e.key.app_id, &e.key.connector_id) {
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
            lines.push(kv("Sync", format!("{}{done}", clean(&sync)), theme, style));
            if let Some(err) = s.last_error.as_deref() {
                lines.push(kv("Sync error", clean(err), theme, theme.danger()));
            }
        }
        if let Some(t) = k.sync_disabled_at {
            let why = k.sync_disabled_reason.as_deref().unwrap_or("");
            lines.push(kv(
                "Sync disabled",
                format!("{} {}", text::relative(t, now), clean(why)),
                theme,
                theme.warning(),
            ));
        }
    }
    if e.kind == EntryKind::Credential {
        let c = e.last.as_ref();
        lines.push(kv(
            "Created",
            when(c.and_then(|c| c.created_at), now, "—"),
            theme,
            b,
        ));
        lines.push(kv(
            "Updated",
            when(c.and_then(|c| c.updated_at), now, "—"),
            theme,
            b,
        ));
        lines.push(kv(
            "Last used",
            when(c.and_then(|c| c.last_used_at), now, "never"),
            theme,
            b,
        ));
        lines.push(kv(
            "Expires",
            when(c.and_then(|c| c.expires_time), now, "no expiry"),
            theme,
            b,
        ));
        lines.push(kv(
            "Deleted",
            when(c.and_then(|c| c.deleted_at), now, "—"),
            theme,
            b,
        ));
        lines.push(kv("Fetched", when(e.fetched_at, now, "never"), theme, b));
        if let Some(err) = e.error.as_deref() {
            lines.push(kv("Fetch error", clean(err), theme, theme.danger()));
        }
        if e.pending == Some(Pending::Revoking) {
            lines.push(kv(
                "In flight",
                "revoking…".to_string(),
                theme,
                theme.warning(),
            ));
        }
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

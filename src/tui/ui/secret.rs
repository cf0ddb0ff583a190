//! The new secret's window: shown once, masked until revealed, closing asks twice.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::State;
use crate::app::dialogs::SecretView;
use crate::app::keymap::Action;
use crate::text;

use super::theme::Theme;
use super::window;

const LABEL_W: usize = 12;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, s: &SecretView, theme: &Theme) {
    let inner = window(
        frame,
        area,
        "New credential — the secret is shown once",
        theme.danger_border(),
        theme,
    );
    let w = inner.width as usize;
    let km = &state.options.keymap;
    let kv = |label: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{label:<LABEL_W$}"), theme.label()),
            Span::raw(value),
        ])
    };
    let v = |s: &str| text::fit(s, w.saturating_sub(LABEL_W));
    let connector = state.inventory.connector_name(&s.app_id, &s.connector_id);
    let mut lines = vec![
        kv(
            "Connector",
            v(&format!(
                "{} ({})",
                text::sanitize(connector),
                text::sanitize(&s.connector_id)
            )),
        ),
        kv(
            "Credential",
            v(&format!(
                "{} {}",
                s.credential_id,
                s.name
                    .as_deref()
                    .map(|n| format!("({n})"))
                    .unwrap_or_default()
            )),
        ),
        kv("Client id", v(s.client_id.as_deref().unwrap_or("—"))),
        Line::from(vec![
            Span::styled(format!("{:<LABEL_W$}", "Secret"), theme.label()),
            // Never fitted: a cut secret is worse than a wrapped one.
            Span::styled(text::sanitize(&s.shown()), theme.warning()),
        ]),
        Line::raw(""),
        Line::from(vec![
            Span::styled(km.label(Action::Reveal), theme.key()),
            Span::styled(
                if s.revealed { " mask   " } else { " reveal   " },
                theme.label(),
            ),
            Span::styled(km.label(Action::Copy), theme.key()),
            Span::styled(" copy to the clipboard (OSC 52)   ", theme.label()),
            Span::styled(km.pair_label(Action::Close, Action::Submit), theme.key()),
            Span::styled(" close", theme.label()),
        ]),
    ];
    if s.unrecorded.is_some() {
        // First, so that no other line can push it out of the window.
        lines.insert(
            0,
            Line::styled(
                format!(
                    "NOT RECORDED: credential {} is not in the inventory (the error history says \
                     why). Write its id down; credboard keeps trying.",
                    text::sanitize(&s.credential_id)
                ),
                theme.danger(),
            ),
        );
    }
    if s.close_armed {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!(
                "The secret will not be shown again. Press {} again to close.",
                km.label(Action::Close)
            ),
            theme.danger(),
        ));
    }
    if state.secrets.len() > 1 {
        lines.push(Line::styled(
            format!(
                "{} more new secret(s) after this one",
                state.secrets.len() - 1
            ),
            theme.label(),
        ));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

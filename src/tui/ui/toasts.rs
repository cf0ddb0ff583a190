//! Toasts: short-lived results and errors, bottom right, above the footer.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Clear;

use crate::app::State;
use crate::app::layout::Layout;
use crate::app::text;

use super::style::Theme;

/// At most this many toasts are drawn, the newest lowest.
const SHOWN: usize = 3;

pub fn draw(frame: &mut Frame, l: &Layout, state: &State, theme: &Theme) {
    let area = l.area;
    let bottom = l.footer.y;
    let max_w = (area.width as usize).saturating_sub(4).min(90);
    if max_w < 10 {
        return;
    }
    for (n, t) in state.toasts.iter().rev().take(SHOWN).enumerate() {
        let y = bottom.saturating_sub(1 + n as u16);
        if y <= l.header.y + l.header.height {
            break;
        }
        let prefix = if t.error { "✗ " } else { "✓ " };
        let body = text::fit(&format!("{prefix}{}", t.text), max_w - 2);
        let w = text::width(&body) + 2;
        let x = area.x + area.width - w as u16 - 1;
        let r = Rect::new(x, y, w as u16, 1);
        frame.render_widget(Clear, r);
        let buf = frame.buffer_mut();
        buf.set_style(r, theme.toast(t.error));
        buf.set_stringn(x + 1, y, &body, w - 2, theme.toast(t.error));
    }
}

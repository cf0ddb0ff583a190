//! Renders the dashboard on the demo tenant to `assets/screenshot.svg`, and its overview
//! window (`o`) at 80×24 to `assets/overview.svg`, the pictures in the README. Run it again
//! when the UI changes:
//!
//! ```sh
//! cargo run --example screenshot
//! ```

use std::fmt::Write;

use credboard::testkit::{Session, SessionOptions};
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

const WIDTH: u16 = 170;
const HEIGHT: u16 = 40;
const CELL_W: f32 = 8.4;
const CELL_H: f32 = 18.0;
const BACKGROUND: &str = "#1d1f21";
const FOREGROUND: &str = "#d7dae0";

#[tokio::main]
async fn main() {
    let mut session = Session::start(SessionOptions {
        width: WIDTH,
        height: HEIGHT,
        ..Default::default()
    })
    .await;
    session.refreshed(1).await;
    // The header says so once the dashboard has taken in the whole refresh.
    session.see("refreshed").await;
    for _ in 0..3 {
        session.press("j");
    }
    session.press("enter");
    session.see("Details").await;
    session.quit().await;
    let buffer = session.frame();
    session.shutdown().await;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/screenshot.svg");
    std::fs::write(path, svg(&buffer)).expect("write the screenshot");
    println!("wrote {path}");
    overview().await;
}

/// The overview window, at the smallest size it is made for.
async fn overview() {
    let mut session = Session::start(SessionOptions {
        width: 80,
        height: 24,
        ..Default::default()
    })
    .await;
    session.refreshed(1).await;
    session.see("refreshed").await;
    session.press("o");
    session.see("Findings by check").await;
    let buffer = session.frame();
    session.press("esc");
    session.quit().await;
    session.shutdown().await;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/overview.svg");
    std::fs::write(path, svg(&buffer)).expect("write the overview");
    println!("wrote {path}");
}

fn svg(buffer: &Buffer) -> String {
    let (w, h) = (
        f32::from(buffer.area.width) * CELL_W,
        f32::from(buffer.area.height) * CELL_H,
    );
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14px">
<rect width="100%" height="100%" fill="{BACKGROUND}"/>
"#
    );
    for y in 0..buffer.area.height {
        let top = f32::from(y) * CELL_H;
        let mut x = 0;
        while x < buffer.area.width {
            let cell = &buffer[(x, y)];
            let (fg, bg, bold) = colours(cell);
            // A run of cells with the same style becomes one element.
            let mut text = String::new();
            let start = x;
            while x < buffer.area.width
                && colours(&buffer[(x, y)]) == (fg.clone(), bg.clone(), bold)
            {
                text.push_str(buffer[(x, y)].symbol());
                x += 1;
            }
            let left = f32::from(start) * CELL_W;
            let width = f32::from(x - start) * CELL_W;
            if bg != BACKGROUND {
                let _ = writeln!(
                    out,
                    r#"<rect x="{left}" y="{top}" width="{width}" height="{CELL_H}" fill="{bg}"/>"#
                );
            }
            if !text.trim().is_empty() {
                let weight = if bold { r#" font-weight="bold""# } else { "" };
                let _ = writeln!(
                    out,
                    r#"<text x="{left}" y="{}" fill="{fg}"{weight} textLength="{width}" lengthAdjust="spacingAndGlyphs" xml:space="preserve">{}</text>"#,
                    top + CELL_H * 0.75,
                    escape(&text)
                );
            }
        }
    }
    out.push_str("</svg>\n");
    out
}

fn colours(cell: &ratatui::buffer::Cell) -> (String, String, bool) {
    let reversed = cell.modifier.contains(Modifier::REVERSED);
    let mut fg = hex(cell.fg, FOREGROUND);
    let mut bg = hex(cell.bg, BACKGROUND);
    if reversed {
        std::mem::swap(&mut fg, &mut bg);
    }
    (fg, bg, cell.modifier.contains(Modifier::BOLD))
}

fn hex(color: Color, default: &str) -> String {
    match color {
        Color::Reset => default,
        Color::Black => "#1d1f21",
        Color::Red => "#cc6666",
        Color::Green => "#8ec07c",
        Color::Yellow => "#f0c674",
        Color::Blue => "#81a2be",
        Color::Magenta => "#b294bb",
        Color::Cyan => "#8abeb7",
        Color::Gray => "#b4b7b4",
        Color::DarkGray => "#707880",
        Color::LightRed => "#ff7b7b",
        Color::LightGreen => "#b5e890",
        Color::LightYellow => "#ffe29a",
        Color::LightBlue => "#a3c8ff",
        Color::LightMagenta => "#e0b0ff",
        Color::LightCyan => "#a8f0e8",
        Color::White => "#ffffff",
        Color::Rgb(r, g, b) => return format!("#{r:02x}{g:02x}{b:02x}"),
        Color::Indexed(i) => return format!("#{0:02x}{0:02x}{0:02x}", i.saturating_mul(10)),
    }
    .to_string()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

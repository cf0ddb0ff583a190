//! The command line drawn at the sizes the issue names (160x48, 80x24, 60x20): Tab's
//! candidates, a mistake with its suggestion, and the colour a mistake carries.

use credboard::app::{Msg, State};
use credboard::testkit::checks::update;
use credboard::testkit::fixtures::{options, refreshed_state};
use credboard::testkit::keys::{char_event, event};
use credboard::testkit::screen::{render_in as render, text};
use credboard::tui::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::style::Color;

fn keys(s: &mut State, names: &[&str]) {
    for n in names {
        update(s, Msg::Key(event(n)));
    }
}

fn typed(s: &mut State, t: &str) {
    for c in t.chars() {
        update(s, Msg::Key(char_event(c)));
    }
}

fn with_line(width: u16, height: u16, line: &str, then: &[&str]) -> State {
    let mut s = refreshed_state(options(), width, height);
    keys(&mut s, &[":"]);
    typed(&mut s, line);
    keys(&mut s, then);
    s
}

fn last_line(buf: &Buffer) -> String {
    text(buf).lines().last().unwrap_or("").to_string()
}

#[test]
fn candidates_and_a_mistake_at_each_size() {
    for (w, h) in [(160, 48), (80, 24), (60, 20)] {
        let s = with_line(w, h, "sort c", &["tab"]);
        insta::assert_snapshot!(
            format!("candidates_{w}x{h}"),
            text(&render(&s, &Theme::default()))
        );
        let s = with_line(w, h, "sotr name", &["enter"]);
        let buf = render(&s, &Theme::default());
        insta::assert_snapshot!(format!("mistake_{w}x{h}"), last_line(&buf));
    }
}

#[test]
fn a_mistake_is_red_and_keeps_its_symbol_and_words_without_colour() {
    let s = with_line(120, 30, "exprot csv x.csv", &["enter"]);
    let buf = render(&s, &Theme::default());
    let y = s.height - 1;
    let line = last_line(&buf);
    let x = line.find('✗').map(|b| line[..b].chars().count()).unwrap() as u16;
    assert_ne!(buf[(x, y)].fg, Color::Reset, "the mistake carries a colour");
    assert_eq!(buf[(x, y)].fg, buf[(x + 2, y)].fg);
    let no_color = Theme {
        color: false,
        ..Theme::default()
    };
    let plain = render(&s, &no_color);
    let line = last_line(&plain);
    assert!(
        line.contains("✗ unknown command `exprot`, did you mean `export`?"),
        "{line}"
    );
    let x = line.find('✗').map(|b| line[..b].chars().count()).unwrap() as u16;
    assert_eq!(plain[(x, y)].fg, Color::Reset);
}

//! The filter prompt as drawn: a mistake marked where it is with its message, the match
//! count and position, and the matched text highlighted in the table (colour, and with
//! NO_COLOR a modifier). Snapshots at 160x48, 80x24 and 60x20.

use credboard::app::{Msg, State};
use credboard::testkit::checks::update;
use credboard::testkit::fixtures::{options, refreshed_state};
use credboard::testkit::screen::{render_in as render, text};
use credboard::tui::ui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::style::Modifier;

/// NO_COLOR.
fn plain_theme() -> Theme {
    Theme {
        color: false,
        ..Theme::default()
    }
}

fn typed(s: &mut State, keys: &str) {
    for c in keys.chars() {
        update(
            s,
            Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
}

fn filtering(width: u16, height: u16, filter: &str) -> State {
    let mut s = refreshed_state(options(), width, height);
    typed(&mut s, "/");
    typed(&mut s, filter);
    s
}

/// The row and column where `needle` is first drawn, searching rows from `from_y`.
fn find(buf: &Buffer, needle: &str, from_y: u16) -> (u16, u16) {
    let lines = credboard::testkit::text(buf);
    for (y, line) in lines.lines().enumerate().skip(from_y as usize) {
        if let Some(at) = line.find(needle) {
            let x = line[..at].chars().count() as u16;
            return (x, y as u16);
        }
    }
    panic!("{needle:?} not drawn:\n{lines}");
}

const SIZES: [(u16, u16); 3] = [(160, 48), (80, 24), (60, 20)];

#[test]
fn a_mistake_is_shown_where_it_is() {
    for (w, h) in SIZES {
        let s = filtering(w, h, "app:okta conector:baton");
        let buf = render(&s, &Theme::default());
        insta::assert_snapshot!(format!("filter_error_{w}x{h}"), text(&buf));
        // The wrong field is marked in the prompt, in colour and without it.
        let (x, y) = find(&buf, "conector:baton", h - 1);
        assert_eq!(buf[(x, y)].bg, ratatui::style::Color::Red, "at {w}x{h}");
        assert_ne!(
            buf[(x + 8, y)].bg,
            ratatui::style::Color::Red,
            "only `conector`"
        );
        let plain = render(&s, &plain_theme());
        assert!(plain[(x, y)].modifier.contains(Modifier::REVERSED));
        assert_eq!(plain[(x, y)].bg, ratatui::style::Color::Reset);
    }
}

#[test]
fn matches_are_highlighted_with_the_count_and_position() {
    for (w, h) in SIZES {
        let s = filtering(w, h, "okta !old");
        let buf = render(&s, &Theme::default());
        insta::assert_snapshot!(format!("filter_matches_{w}x{h}"), text(&buf));
        assert!(text(&buf).contains("match 1/2"), "at {w}x{h}");
        // "okta" in the first row's name is marked; the letter after it is not.
        let (x, y) = find(&buf, "okta-baton ", 3);
        for dx in 0..4 {
            assert_eq!(
                buf[(x + dx, y)].bg,
                ratatui::style::Color::Yellow,
                "at {w}x{h}"
            );
        }
        assert_ne!(buf[(x + 4, y)].bg, ratatui::style::Color::Yellow);
        let plain = render(&s, &plain_theme());
        let cell = &plain[(x, y)];
        assert!(
            cell.modifier
                .contains(Modifier::UNDERLINED | Modifier::BOLD)
        );
        assert_eq!(cell.bg, ratatui::style::Color::Reset);
        assert!(!plain[(x + 4, y)].modifier.contains(Modifier::UNDERLINED));
    }
}

#[test]
fn a_long_filter_shows_its_end_where_the_typing_is() {
    let long = "app:okta !name:aaaaaaaaaaaaaaaaaaaa !name:bbbbbbbbbbbbbbbbbbbb !name:cccccccccccccccc \
                lastused>90d";
    let s = filtering(60, 20, long);
    assert_eq!(
        s.table.filter, long,
        "longer than a typed confirmation may be"
    );
    let buf = render(&s, &Theme::default());
    let footer = text(&buf).lines().last().unwrap().to_string();
    assert!(footer.starts_with("/…"), "{footer}");
    assert!(footer.contains("lastused>90d▏"), "{footer}");
}

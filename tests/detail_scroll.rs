//! The detail pane when it does not fit (80x24 ended after "Connector"): its border says so
//! and which keys scroll it; scrolling reaches the last line and stops there; another row
//! starts at the top.

use credboard::app::{Msg, State};
use credboard::testkit::checks::update;
use credboard::testkit::fixtures::{options, refreshed_state};
use credboard::testkit::keys::event;

fn press(s: &mut State, name: &str) {
    update(s, Msg::Key(event(name)));
}

fn screen(s: &State) -> String {
    credboard::testkit::screen::text(&credboard::testkit::screen::render(s))
}

#[test]
fn the_pane_scrolls_to_its_last_line_and_stops_there() {
    let mut s = refreshed_state(options(), 80, 24);
    press(&mut s, "enter");
    let first = screen(&s);
    assert!(!first.contains("Fetched"), "{first}");
    assert!(first.contains("ctrl-e/ctrl-y more"), "{first}");
    insta::assert_snapshot!("detail_80x24_top", first);
    for _ in 0..40 {
        press(&mut s, "ctrl-e");
    }
    let last = screen(&s);
    assert!(last.contains("Fetched"), "{last}");
    insta::assert_snapshot!("detail_80x24_bottom", last);
    // One line up from the end shows the line before again: no hidden overshoot.
    let at_end = s.detail_scroll();
    press(&mut s, "ctrl-y");
    assert_eq!(s.detail_scroll(), at_end - 1);
    // Another row starts at the top.
    press(&mut s, "j");
    assert_eq!(s.detail_scroll(), 0);
}

#[test]
fn at_60x20_the_pane_scrolls_too() {
    let mut s = refreshed_state(options(), 60, 20);
    press(&mut s, "enter");
    for _ in 0..60 {
        press(&mut s, "ctrl-e");
    }
    let last = screen(&s);
    assert!(last.contains("Fetched"), "{last}");
    insta::assert_snapshot!("detail_60x20_bottom", last);
}

#[test]
fn a_pane_that_fits_does_not_scroll() {
    let mut s = refreshed_state(options(), 200, 60);
    press(&mut s, "enter");
    press(&mut s, "ctrl-e");
    assert_eq!(s.detail_scroll(), 0);
    assert!(!screen(&s).contains("more"));
}

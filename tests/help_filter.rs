//! The help filters as you type, like lazygit's menu: `/` in the help, then the keys and
//! commands whose keys, name or words hold what is typed, under their sections.

use credboard::app::dialogs::Modal;
use credboard::app::view::{HelpLine, help_shown};
use credboard::app::{Msg, State};
use credboard::testkit::checks::update;
use credboard::testkit::fixtures::{options, refreshed_state};
use credboard::testkit::keys::{char_event, event};

fn press(s: &mut State, name: &str) {
    update(s, Msg::Key(event(name)));
}

fn typed(s: &mut State, t: &str) {
    for c in t.chars() {
        update(s, Msg::Key(char_event(c)));
    }
}

fn names(s: &State) -> Vec<&'static str> {
    help_shown(&s.options.keymap, false, &s.window_filter)
        .into_iter()
        .filter_map(|l| match l {
            HelpLine::Key { name, .. } => Some(name),
            _ => None,
        })
        .collect()
}

fn screen(s: &State) -> String {
    credboard::testkit::screen::text(&credboard::testkit::screen::render(s))
}

#[test]
fn typing_in_the_help_narrows_it_and_esc_clears_then_closes() {
    let mut s = refreshed_state(options(), 80, 24);
    press(&mut s, "?");
    press(&mut s, "/");
    typed(&mut s, "copy");
    assert_eq!(names(&s), ["copy_id", "copy_client_id", "copy"]);
    // "q" is typed, not read as close.
    typed(&mut s, "q");
    assert!(matches!(s.modal, Some(Modal::Help { .. })));
    assert_eq!(s.window_filter, "copyq");
    press(&mut s, "backspace");
    insta::assert_snapshot!("help_filtered_80x24", screen(&s));
    // Enter keeps it; the keys scroll and close again.
    press(&mut s, "enter");
    assert!(!s.window_typing);
    assert_eq!(s.window_filter, "copy");
    press(&mut s, "esc");
    assert!(s.modal.is_none());
    // Opened again, the help is whole.
    press(&mut s, "?");
    assert_eq!(s.window_filter, "");
    // Esc while typing clears the filter and leaves the help open.
    press(&mut s, "/");
    typed(&mut s, "export");
    let shown = help_shown(&s.options.keymap, false, &s.window_filter);
    assert!(
        shown
            .iter()
            .any(|l| matches!(l, HelpLine::Command { usage, .. } if usage.starts_with(":export")))
    );
    press(&mut s, "esc");
    assert_eq!(s.window_filter, "");
    assert!(matches!(s.modal, Some(Modal::Help { .. })));
}

#[test]
fn a_filter_matching_nothing_says_so() {
    let mut s = refreshed_state(options(), 60, 20);
    press(&mut s, "?");
    press(&mut s, "/");
    typed(&mut s, "zzz");
    let shown = screen(&s);
    assert!(
        shown.contains("no key or command matches \"zzz\""),
        "{shown}"
    );
    insta::assert_snapshot!("help_filtered_nothing_60x20", shown);
}

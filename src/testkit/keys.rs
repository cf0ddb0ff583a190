//! Keys for tests, by the names the settings' `[keys]` use ("j", "enter", "ctrl-c",
//! "shift-tab"), so that no test helper spells out a key code.

use crossterm::event::KeyEvent;

use crate::app::keymap::KeySpec;

/// The key named, as the terminal sends it. Panics on a name that is not a key.
pub fn event(name: &str) -> KeyEvent {
    KeySpec::parse(name)
        .unwrap_or_else(|| panic!("{name:?} is not a key name"))
        .event()
}

/// A character, typed.
pub fn char_event(c: char) -> KeyEvent {
    match c {
        ' ' => event("space"),
        c => event(&c.to_string()),
    }
}

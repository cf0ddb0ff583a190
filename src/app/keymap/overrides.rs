//! The settings' `[keys]` merged over the table, and every mistake in them: an unknown
//! action, a key that cannot be read, an action with no key, a fixed key rebound, and a key
//! that would mean two things where keys are read together (see `focus.rs`).

use std::collections::BTreeMap;
use std::fmt;

use super::focus::{Focus, Read};
use super::{Action, KeySpec, Keymap};

/// A mistake in the settings' `[keys]`: the entry, as written, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeysProblem {
    pub entry: String,
    /// Says what is wrong, following the entry's name: "has no key".
    pub message: String,
}

impl fmt::Display for KeysProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`keys.{}` {}", self.entry, self.message)
    }
}

/// The actions that open a dialog the confirm key answers: a double press must not confirm.
const OPENS_A_CONFIRM: [Action; 5] = [
    Action::Revoke,
    Action::Rotate,
    Action::BulkRevoke,
    Action::RevokeOld,
    Action::Abandon,
];

impl Keymap {
    /// The defaults with the user's overrides merged over them: an override replaces every key
    /// of the action it names. Every mistake is a problem: an unknown action, a key that cannot
    /// be read, an action with no key, other keys for a fixed action, a key bound twice where
    /// keys are read together (or onto a fixed key there, such as Enter in a dialog), a
    /// character where it would be typed, and a confirm key that also opens the dialog. With
    /// any problem the keymap returned is the defaults.
    pub fn with_overrides(overrides: &BTreeMap<String, Vec<String>>) -> (Keymap, Vec<KeysProblem>) {
        let mut map = Keymap::default();
        let mut problems = Vec::new();
        let mut problem = |entry: &str, message: String| {
            problems.push(KeysProblem {
                entry: entry.to_string(),
                message,
            })
        };
        let mut overridden = Vec::new();
        for (name, keys) in overrides {
            let Some(index) = map.bindings.iter().position(|b| b.name == name.as_str()) else {
                problem(
                    name,
                    "is not an action; the help (?) and `credboard config --print-default` name \
                     every action"
                        .to_string(),
                );
                continue;
            };
            if keys.is_empty() {
                problem(name, "has no key".to_string());
                continue;
            }
            let mut parsed = Vec::new();
            let mut readable = true;
            for key in keys {
                match KeySpec::parse(key) {
                    Some(k) if !parsed.contains(&k) => parsed.push(k),
                    Some(_) => {}
                    None => {
                        readable = false;
                        problem(
                            name,
                            format!(
                                "has {key:?}, which is not a key (keys are written like \"q\", \
                                 \"ctrl-r\", \"enter\", \"esc\", \"f5\", \"shift-tab\")"
                            ),
                        );
                    }
                }
            }
            if !readable {
                continue;
            }
            let binding = &mut map.bindings[index];
            match binding.fixed {
                // Its own keys written out change nothing.
                Some(_) if same_keys(&parsed, &binding.keys) => {}
                Some(always) => problem(
                    name,
                    format!("cannot be rebound: {} {always}", binding.keys_label()),
                ),
                None => {
                    binding.keys = parsed;
                    overridden.push(binding.action);
                }
            }
        }
        problems.extend(map.clashes(&overridden));
        if problems.is_empty() {
            (map, problems)
        } else {
            (Keymap::default(), problems)
        }
    }

    /// The clashes that involve an overridden action: a key two actions read in one focus
    /// would share while meaning different things there (a fixed one included), a character
    /// where it is typed, and a confirm key that also opens a dialog it would answer. One per
    /// action and key.
    fn clashes(&self, overridden: &[Action]) -> Vec<KeysProblem> {
        let mut found: Vec<(Action, KeySpec, String)> = Vec::new();
        let mut clash = |action: Action, key: KeySpec, message: String| {
            if !found.iter().any(|(a, k, _)| *a == action && *k == key) {
                found.push((action, key, message));
            }
        };
        let is_overridden = |a: Action| overridden.contains(&a);
        for focus in Focus::ALL {
            let reads = focus.reads();
            for (i, a) in reads.iter().enumerate() {
                for &key in self.keys(a.action) {
                    for b in &reads[i + 1..] {
                        let shared = self.keys(b.action).contains(&key)
                            && a.intent != b.intent
                            && !(a.yields || b.yields);
                        if !shared || !(is_overridden(a.action) || is_overridden(b.action)) {
                            continue;
                        }
                        let (mine, other) = if is_overridden(b.action) {
                            (b, a)
                        } else {
                            (a, b)
                        };
                        clash(mine.action, key, self.taken(key, other, focus));
                    }
                    if focus.is_typed_into() && key.is_typed() && is_overridden(a.action) {
                        clash(
                            a.action,
                            key,
                            format!("uses {key}, which is typed into {}", focus.name()),
                        );
                    }
                }
            }
        }
        let confirm = self.keys(Action::Confirm);
        for opener in OPENS_A_CONFIRM {
            for &key in self.keys(opener).iter().filter(|k| confirm.contains(k)) {
                let name = self.binding(opener).name;
                if is_overridden(Action::Confirm) {
                    let message = format!(
                        "uses {key}, which also opens the dialog (`{name}`): a double press would confirm"
                    );
                    clash(Action::Confirm, key, message);
                } else if is_overridden(opener) {
                    let message = format!(
                        "uses {key}, which confirms the dialog it opens: a double press would confirm"
                    );
                    clash(opener, key, message);
                }
            }
        }
        found
            .into_iter()
            .map(|(action, _, message)| KeysProblem {
                entry: self.binding(action).name.to_string(),
                message,
            })
            .collect()
    }

    /// Why `key` cannot be had where `other` reads it in `focus`.
    fn taken(&self, key: KeySpec, other: &Read, focus: Focus) -> String {
        match other.does {
            Some(does) => format!("uses {key}, which {does}"),
            None => format!(
                "uses {key}, which `{}` also uses in {}",
                self.binding(other.action).name,
                focus.name()
            ),
        }
    }
}

fn same_keys(a: &[KeySpec], b: &[KeySpec]) -> bool {
    a.len() == b.len() && a.iter().all(|k| b.contains(k))
}

#[cfg(test)]
mod tests {
    use super::super::table::ROWS;
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn overrides(entries: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        entries
            .iter()
            .map(|(name, keys)| {
                (
                    name.to_string(),
                    keys.iter().map(|k| k.to_string()).collect(),
                )
            })
            .collect()
    }

    fn problems(entries: &[(&str, &[&str])]) -> Vec<String> {
        let (map, problems) = Keymap::with_overrides(&overrides(entries));
        if !problems.is_empty() {
            assert_eq!(
                map.label(Action::Confirm),
                "y",
                "with a problem, the defaults"
            );
        }
        problems.iter().map(ToString::to_string).collect()
    }

    fn bound(map: &Keymap, action: Action, code: KeyCode, mods: KeyModifiers) -> bool {
        let key = KeySpec::of(&KeyEvent::new(code, mods)).unwrap();
        map.keys(action).contains(&key)
    }

    #[test]
    fn overrides_replace_keys() {
        let (map, problems) = Keymap::with_overrides(&overrides(&[
            ("move_down", &["n", "ctrl-n"]),
            ("help", &["F1"]),
        ]));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(map.keys(Action::MoveDown).len(), 2);
        assert!(bound(
            &map,
            Action::MoveDown,
            KeyCode::Char('n'),
            KeyModifiers::CONTROL
        ));
        assert!(!bound(
            &map,
            Action::MoveDown,
            KeyCode::Char('j'),
            KeyModifiers::NONE
        ));
        assert!(bound(&map, Action::Help, KeyCode::F(1), KeyModifiers::NONE));
    }

    #[test]
    fn every_default_binding_written_out_is_valid() {
        let all: BTreeMap<String, Vec<String>> = ROWS
            .iter()
            .map(|d| {
                (
                    d.name.to_string(),
                    d.keys.iter().map(|k| k.to_string()).collect(),
                )
            })
            .collect();
        let (_, problems) = Keymap::with_overrides(&all);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn unknown_actions_unreadable_and_missing_keys_are_named() {
        assert_eq!(
            problems(&[
                ("frobnicate", &["x"]),
                ("refresh", &["bogus-key"]),
                ("quit", &[])
            ]),
            vec![
                "`keys.frobnicate` is not an action; the help (?) and `credboard config \
                 --print-default` name every action",
                "`keys.quit` has no key",
                "`keys.refresh` has \"bogus-key\", which is not a key (keys are written like \
                 \"q\", \"ctrl-r\", \"enter\", \"esc\", \"f5\", \"shift-tab\")",
            ]
        );
    }

    #[test]
    fn two_actions_read_together_cannot_share_a_key() {
        assert_eq!(
            problems(&[("refresh", &["q"])]),
            vec!["`keys.refresh` uses q, which `quit` also uses in the list"]
        );
        assert_eq!(
            problems(&[("help", &["F1"]), ("errors", &["F1"])]),
            vec!["`keys.help` uses F1, which `errors` also uses in the list"]
        );
        assert_eq!(
            problems(&[("copy", &["q"])]),
            vec!["`keys.copy` uses q, which `close` also uses in the new secret's window"]
        );
        // Keys of different scopes may be the same: j moves in the list, Enter keeps a filter.
        assert!(
            problems(&[("filter_keep", &["enter"]), ("cancel", &["n", "esc", "x"])]).is_empty()
        );
        // Cancel and Close mean the same where both are read.
        assert!(problems(&[("close", &["esc", "n"])]).is_empty());
        // A window's scrolling gives way to its closing: n closes it, and moves in the list.
        assert!(problems(&[("move_down", &["n"])]).is_empty());
        assert_eq!(
            problems(&[("retry", &["n"])]),
            vec!["`keys.retry` uses n, which `cancel` also uses in the bulk revoke window"]
        );
    }

    #[test]
    fn a_key_the_dashboard_keeps_cannot_be_taken() {
        assert_eq!(
            problems(&[("confirm", &["enter"])]),
            vec!["`keys.confirm` uses Enter, which cancels a y/n dialog"]
        );
        assert_eq!(
            problems(&[("confirm", &["esc"])]),
            vec!["`keys.confirm` uses Esc, which `cancel` also uses in a confirm dialog"]
        );
        assert_eq!(
            problems(&[("filter_keep", &["k"])]),
            vec!["`keys.filter_keep` uses k, which is typed into the filter"]
        );
        assert_eq!(
            problems(&[("reveal", &["ctrl-c"])]),
            vec!["`keys.reveal` uses ctrl-c, which closes the new secret's window"]
        );
        assert_eq!(
            problems(&[("toggle_detail", &["ctrl-z"])]),
            vec!["`keys.toggle_detail` uses ctrl-z, which suspends to the shell"]
        );
        assert_eq!(
            problems(&[("delete_char", &["x"])]),
            vec!["`keys.delete_char` uses x, which is typed into the filter"]
        );
    }

    #[test]
    fn a_fixed_key_cannot_be_rebound_but_may_be_written_out() {
        assert_eq!(
            problems(&[("back", &["q"]), ("suspend", &["ctrl-s"])]),
            vec![
                "`keys.back` cannot be rebound: Esc always cancels a dialog or closes a window",
                "`keys.suspend` cannot be rebound: ctrl-z always suspends to the shell, as the \
                 terminal would",
            ]
        );
        assert_eq!(
            problems(&[("interrupt", &["ctrl-c", "ctrl-c"])]),
            Vec::<String>::new()
        );
    }

    #[test]
    fn the_confirm_key_cannot_open_the_dialog_it_answers() {
        assert_eq!(
            problems(&[("confirm", &["d"])]),
            vec![
                "`keys.confirm` uses d, which also opens the dialog (`revoke`): a double press \
                 would confirm"
            ]
        );
        assert_eq!(
            // `y` copies in the list by default: moved away, the check still finds the danger.
            problems(&[("rotate", &["y"]), ("copy_id", &["alt-y"])]),
            vec![
                "`keys.rotate` uses y, which confirms the dialog it opens: a double press would \
                 confirm"
            ]
        );
    }
}

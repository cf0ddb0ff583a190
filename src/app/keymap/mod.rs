//! One table of key bindings (`table.rs`): `input` reads keys through it (where each action
//! is read is `focus.rs`), the help overlay, the footer and every hint print keys from it.
//! User overrides from the settings replace the keys of an action; every mistake in them is
//! a problem (`overrides.rs`), which the settings refuse with its line.

mod focus;
mod keys;
mod overrides;
mod table;

use crossterm::event::KeyEvent;

pub use focus::Focus;
pub use keys::KeySpec;
pub use overrides::KeysProblem;
pub use table::{Action, Context};

use super::intent::Intent;

#[derive(Debug, Clone)]
pub struct Binding {
    pub action: Action,
    pub name: &'static str,
    pub keys: Vec<KeySpec>,
    pub description: &'static str,
    pub context: Context,
    pub footer: bool,
    /// A safety key the settings cannot rebind: what it always does.
    pub fixed: Option<&'static str>,
}

impl Binding {
    /// "j/↓" — the keys as the help and footer show them.
    pub fn keys_label(&self) -> String {
        self.keys
            .iter()
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join("/")
    }
}

#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: table::ROWS
                .iter()
                .map(|r| Binding {
                    action: r.action,
                    name: r.name,
                    keys: r
                        .keys
                        .iter()
                        .map(|k| KeySpec::parse(k).expect("default keys parse"))
                        .collect(),
                    description: r.description,
                    context: r.context,
                    footer: r.footer,
                    fixed: r.fixed,
                })
                .collect(),
        }
    }
}

impl Keymap {
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    pub fn binding(&self, action: Action) -> &Binding {
        self.bindings
            .iter()
            .find(|b| b.action == action)
            .expect("every action has a binding")
    }

    pub fn keys(&self, action: Action) -> &[KeySpec] {
        &self.binding(action).keys
    }

    /// What `key` means in `focus`: the first action read there that it is bound to.
    pub fn read(&self, focus: Focus, key: &KeyEvent) -> Option<Intent> {
        let key = KeySpec::of(key)?;
        focus
            .reads()
            .iter()
            .find(|r| self.keys(r.action).contains(&key))
            .map(|r| r.intent)
    }

    /// The first key of an action, for hints like "press y to revoke".
    pub fn label(&self, action: Action) -> String {
        self.keys(action)
            .first()
            .map(|k| k.to_string())
            .unwrap_or_default()
    }

    /// The first keys of two actions, "k/j", for a hint that names a pair.
    pub fn pair_label(&self, first: Action, second: Action) -> String {
        format!("{}/{}", self.label(first), self.label(second))
    }

    /// Footer hints: (keys, short description), in table order.
    pub fn footer(&self) -> Vec<(String, &'static str)> {
        let mut hints = vec![(self.pair_label(Action::MoveDown, Action::MoveUp), "move")];
        for b in self.bindings.iter().filter(|b| b.footer) {
            let short = match b.action {
                Action::SortNext => "sort",
                Action::ViewNext => "view",
                Action::ToggleDetail => "detail",
                Action::Refresh => "refresh",
                Action::Revoke => "revoke",
                Action::Rotate => "rotate",
                Action::Mark => "mark",
                _ => b.description,
            };
            hints.push((self.label(b.action), short));
        }
        hints
    }
}

#[cfg(test)]
mod tests {
    use super::super::intent::{Step, Window};
    use super::*;
    use crossterm::event::{KeyCode, KeyEventKind, KeyModifiers};

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn matching_folds_shift_into_characters() {
        let map = Keymap::default();
        let read = |k| map.read(Focus::List, &k);
        assert_eq!(
            read(key(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Intent::Move(Step::Bottom))
        );
        assert_eq!(
            read(key(KeyCode::Char('G'), KeyModifiers::NONE)),
            Some(Intent::Move(Step::Bottom))
        );
        assert_eq!(
            read(key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Intent::Quit)
        );
        assert_eq!(
            read(key(KeyCode::Tab, KeyModifiers::SHIFT)),
            Some(Intent::ViewPrev)
        );
        assert_eq!(
            read(key(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Intent::ViewPrev)
        );
        // Without ctrl, `c` is its own key, not Ctrl-C's quit.
        assert_eq!(
            read(key(KeyCode::Char('c'), KeyModifiers::NONE)),
            Some(Intent::ConnectorScope)
        );
        let mut release = key(KeyCode::Char('q'), KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        assert_eq!(read(release), None);
    }

    #[test]
    fn one_key_means_what_the_focus_says() {
        let map = Keymap::default();
        let enter = key(KeyCode::Enter, KeyModifiers::NONE);
        let ctrl_c = key(KeyCode::Char('c'), KeyModifiers::CONTROL);
        let down = key(KeyCode::Down, KeyModifiers::NONE);
        assert_eq!(map.read(Focus::List, &enter), Some(Intent::ToggleDetail));
        assert_eq!(map.read(Focus::Filter, &enter), Some(Intent::Submit));
        assert_eq!(map.read(Focus::Confirm, &enter), Some(Intent::Cancel));
        assert_eq!(map.read(Focus::Typed, &enter), Some(Intent::Submit));
        assert_eq!(map.read(Focus::BulkRun, &enter), Some(Intent::Close));
        assert_eq!(map.read(Focus::Secret, &enter), Some(Intent::Close));
        assert_eq!(map.read(Focus::Help, &enter), None);
        assert_eq!(map.read(Focus::Confirm, &ctrl_c), Some(Intent::Quit));
        assert_eq!(map.read(Focus::Secret, &ctrl_c), Some(Intent::Close));
        assert_eq!(
            map.read(Focus::Filter, &down),
            Some(Intent::Move(Step::Down))
        );
        assert_eq!(
            map.read(Focus::BulkPlan, &down),
            Some(Intent::Scroll(Step::Down))
        );
        assert_eq!(
            map.read(Focus::List, &key(KeyCode::Char('J'), KeyModifiers::SHIFT)),
            Some(Intent::Open(Window::Journal))
        );
        let ctrl_z = key(KeyCode::Char('z'), KeyModifiers::CONTROL);
        for focus in Focus::ALL {
            assert_eq!(map.read(focus, &ctrl_z), Some(Intent::Suspend), "{focus:?}");
        }
    }

    #[test]
    fn every_action_has_one_binding_and_footer_hints_come_from_the_table() {
        let map = Keymap::default();
        let mut names: Vec<_> = map.bindings().iter().map(|b| b.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), map.bindings().len());
        let footer = map.footer();
        assert_eq!(footer[0], ("j/k".to_string(), "move"));
        assert!(footer.iter().any(|(k, d)| k == "d" && *d == "revoke"));
        assert!(footer.iter().any(|(k, d)| k == "?" && *d == "help"));
    }

    #[test]
    fn every_action_is_read_somewhere() {
        let map = Keymap::default();
        for b in map.bindings() {
            assert!(
                Focus::ALL
                    .iter()
                    .any(|f| f.reads().iter().any(|r| r.action == b.action)),
                "`{}` is read nowhere",
                b.name
            );
        }
    }
}

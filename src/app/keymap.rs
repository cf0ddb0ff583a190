//! One table of key bindings: `update` reads it to map keys to actions, the help overlay and
//! the footer read it to say what the keys do. User overrides (from the settings file) replace
//! the keys of an action; unknown actions and unparseable keys are reported, never fatal.

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Where a binding applies. The help overlay groups by it, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Context {
    /// Moving in the list; also scrolls the help, journal and error windows.
    Navigation,
    /// What the list shows: filter, sort, views, detail, refresh.
    List,
    /// Revoke and rotate.
    Actions,
    Marks,
    Windows,
    /// While typing a filter.
    Filter,
    /// Confirm dialogs.
    Dialog,
    /// The new secret's window.
    Secret,
    General,
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Context::Navigation => "Move",
            Context::List => "List",
            Context::Actions => "Actions",
            Context::Marks => "Marks and bulk revoke",
            Context::Windows => "Windows",
            Context::Filter => "While filtering",
            Context::Dialog => "Confirm dialogs",
            Context::Secret => "New secret window",
            Context::General => "General",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    MoveDown,
    MoveUp,
    Top,
    Bottom,
    PageDown,
    PageUp,
    Filter,
    SortNext,
    SortReverse,
    ViewNext,
    ViewPrev,
    ToggleDetail,
    Refresh,
    Revoke,
    Rotate,
    Mark,
    MarkAll,
    ClearMarks,
    BulkRevoke,
    Journal,
    Errors,
    Help,
    FilterKeep,
    FilterClear,
    Confirm,
    Cancel,
    Retry,
    Reveal,
    Copy,
    Close,
    Quit,
}

struct Default_ {
    action: Action,
    name: &'static str,
    keys: &'static [&'static str],
    description: &'static str,
    context: Context,
    /// Shown in the footer, in table order.
    footer: bool,
}

const DEFAULTS: &[Default_] = &[
    Default_ {
        action: Action::MoveDown,
        name: "move_down",
        keys: &["j", "down"],
        description: "next row",
        context: Context::Navigation,
        footer: false,
    },
    Default_ {
        action: Action::MoveUp,
        name: "move_up",
        keys: &["k", "up"],
        description: "previous row",
        context: Context::Navigation,
        footer: false,
    },
    Default_ {
        action: Action::Top,
        name: "top",
        keys: &["g", "home"],
        description: "first row",
        context: Context::Navigation,
        footer: false,
    },
    Default_ {
        action: Action::Bottom,
        name: "bottom",
        keys: &["G", "end"],
        description: "last row",
        context: Context::Navigation,
        footer: false,
    },
    Default_ {
        action: Action::PageDown,
        name: "page_down",
        keys: &["pgdn", "ctrl-d"],
        description: "page down",
        context: Context::Navigation,
        footer: false,
    },
    Default_ {
        action: Action::PageUp,
        name: "page_up",
        keys: &["pgup", "ctrl-u"],
        description: "page up",
        context: Context::Navigation,
        footer: false,
    },
    Default_ {
        action: Action::Filter,
        name: "filter",
        keys: &["/"],
        description: "filter",
        context: Context::List,
        footer: true,
    },
    Default_ {
        action: Action::SortNext,
        name: "sort_next",
        keys: &["s"],
        description: "sort by next column",
        context: Context::List,
        footer: true,
    },
    Default_ {
        action: Action::SortReverse,
        name: "sort_reverse",
        keys: &["S"],
        description: "reverse sort order",
        context: Context::List,
        footer: false,
    },
    Default_ {
        action: Action::ViewNext,
        name: "view_next",
        keys: &["tab"],
        description: "next status view",
        context: Context::List,
        footer: true,
    },
    Default_ {
        action: Action::ViewPrev,
        name: "view_prev",
        keys: &["shift-tab"],
        description: "previous status view",
        context: Context::List,
        footer: false,
    },
    Default_ {
        action: Action::ToggleDetail,
        name: "toggle_detail",
        keys: &["enter"],
        description: "details",
        context: Context::List,
        footer: true,
    },
    Default_ {
        action: Action::Refresh,
        name: "refresh",
        keys: &["r"],
        description: "refresh now",
        context: Context::List,
        footer: true,
    },
    Default_ {
        action: Action::Revoke,
        name: "revoke",
        keys: &["d"],
        description: "revoke the selected credential",
        context: Context::Actions,
        footer: true,
    },
    Default_ {
        action: Action::Rotate,
        name: "rotate",
        keys: &["R"],
        description: "rotate: mint a new credential for the connector",
        context: Context::Actions,
        footer: true,
    },
    Default_ {
        action: Action::Mark,
        name: "mark",
        keys: &["space"],
        description: "mark or unmark the row",
        context: Context::Marks,
        footer: true,
    },
    Default_ {
        action: Action::MarkAll,
        name: "mark_all",
        keys: &["a"],
        description: "mark every visible row",
        context: Context::Marks,
        footer: false,
    },
    Default_ {
        action: Action::ClearMarks,
        name: "clear_marks",
        keys: &["A"],
        description: "clear all marks",
        context: Context::Marks,
        footer: false,
    },
    Default_ {
        action: Action::BulkRevoke,
        name: "bulk_revoke",
        keys: &["D"],
        description: "revoke the marked credentials (shows a plan first)",
        context: Context::Marks,
        footer: false,
    },
    Default_ {
        action: Action::Journal,
        name: "journal",
        keys: &["J"],
        description: "action journal",
        context: Context::Windows,
        footer: false,
    },
    Default_ {
        action: Action::Errors,
        name: "errors",
        keys: &["E"],
        description: "error history",
        context: Context::Windows,
        footer: false,
    },
    Default_ {
        action: Action::Help,
        name: "help",
        keys: &["?"],
        description: "help",
        context: Context::Windows,
        footer: true,
    },
    Default_ {
        action: Action::FilterKeep,
        name: "filter_keep",
        keys: &["enter"],
        description: "keep the filter and go back to the list",
        context: Context::Filter,
        footer: false,
    },
    Default_ {
        action: Action::FilterClear,
        name: "filter_clear",
        keys: &["esc"],
        description: "clear the filter (also in the list)",
        context: Context::Filter,
        footer: false,
    },
    Default_ {
        action: Action::Confirm,
        name: "confirm",
        keys: &["y"],
        description: "confirm (typed confirmations end with Enter)",
        context: Context::Dialog,
        footer: false,
    },
    Default_ {
        action: Action::Cancel,
        name: "cancel",
        keys: &["n", "esc"],
        description: "cancel (Enter also cancels a y/n dialog)",
        context: Context::Dialog,
        footer: false,
    },
    Default_ {
        action: Action::Retry,
        name: "retry",
        keys: &["t"],
        description: "retry the failed revokes of a bulk run",
        context: Context::Dialog,
        footer: false,
    },
    Default_ {
        action: Action::Reveal,
        name: "reveal",
        keys: &["v"],
        description: "show or mask the secret",
        context: Context::Secret,
        footer: false,
    },
    Default_ {
        action: Action::Copy,
        name: "copy",
        keys: &["c"],
        description: "copy the secret to the clipboard (OSC 52)",
        context: Context::Secret,
        footer: false,
    },
    Default_ {
        action: Action::Close,
        name: "close",
        keys: &["esc", "q"],
        description: "close windows (the secret asks twice)",
        context: Context::Secret,
        footer: false,
    },
    Default_ {
        action: Action::Quit,
        name: "quit",
        keys: &["q", "ctrl-c"],
        description: "quit",
        context: Context::General,
        footer: true,
    },
];

/// A key as written in settings: "j", "G", "down", "ctrl-c", "shift-tab", "space", "?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeySpec {
    pub code: KeyCode,
    /// Only CONTROL and ALT are compared; for characters, shift is part of the character.
    pub mods: KeyModifiers,
}

impl KeySpec {
    pub fn parse(s: &str) -> Option<KeySpec> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s.trim();
        if rest.is_empty() {
            return None;
        }
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.len() > 1 && (lower.starts_with("ctrl-") || lower.starts_with("ctrl+")) {
                mods |= KeyModifiers::CONTROL;
                rest = &rest[5..];
            } else if rest.len() > 1 && (lower.starts_with("alt-") || lower.starts_with("alt+")) {
                mods |= KeyModifiers::ALT;
                rest = &rest[4..];
            } else if rest.len() > 1 && (lower.starts_with("shift-") || lower.starts_with("shift+"))
            {
                mods |= KeyModifiers::SHIFT;
                rest = &rest[6..];
            } else {
                break;
            }
        }
        let lower = rest.to_ascii_lowercase();
        let code = match lower.as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "space" => KeyCode::Char(' '),
            "tab" if mods.contains(KeyModifiers::SHIFT) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "insert" | "ins" => KeyCode::Insert,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pgdown" | "pagedown" => KeyCode::PageDown,
            f if f.len() >= 2
                && f.starts_with('f')
                && f[1..].chars().all(|c| c.is_ascii_digit()) =>
            {
                let n: u8 = f[1..].parse().ok()?;
                if !(1..=24).contains(&n) {
                    return None;
                }
                KeyCode::F(n)
            }
            _ => {
                let mut chars = rest.chars();
                let c = chars.next()?;
                if chars.next().is_some() || c.is_control() {
                    return None;
                }
                let c = if mods.contains(KeyModifiers::SHIFT) {
                    mods.remove(KeyModifiers::SHIFT);
                    c.to_uppercase().next().unwrap_or(c)
                } else if mods.contains(KeyModifiers::CONTROL) {
                    c.to_ascii_lowercase()
                } else {
                    c
                };
                KeyCode::Char(c)
            }
        };
        Some(KeySpec { code, mods })
    }

    pub fn matches(&self, key: &KeyEvent) -> bool {
        normalize(key) == Some(*self)
    }
}

/// The key as the table stores it: shift folded into characters, only ctrl and alt kept.
fn normalize(key: &KeyEvent) -> Option<KeySpec> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let mut mods = key.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
    let code = match key.code {
        KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
            KeyCode::Char(c.to_ascii_lowercase())
        }
        KeyCode::Tab if key.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
        other => other,
    };
    if code == KeyCode::BackTab {
        mods.remove(KeyModifiers::SHIFT);
    }
    Some(KeySpec { code, mods })
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("shift-Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Insert => f.write_str("Ins"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::F(n) => write!(f, "F{n}"),
            _ => f.write_str("?"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Binding {
    pub action: Action,
    pub name: &'static str,
    pub keys: Vec<KeySpec>,
    pub description: &'static str,
    pub context: Context,
    pub footer: bool,
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
            bindings: DEFAULTS
                .iter()
                .map(|d| Binding {
                    action: d.action,
                    name: d.name,
                    keys: d
                        .keys
                        .iter()
                        .map(|k| KeySpec::parse(k).expect("default keys parse"))
                        .collect(),
                    description: d.description,
                    context: d.context,
                    footer: d.footer,
                })
                .collect(),
        }
    }
}

/// Actions a user may not bind to a key that also triggers a destructive action, nor to
/// Enter or Esc: the confirm key of a dialog must be a deliberate, different key.
const CONFIRM_FORBIDDEN: &[&str] = &["enter", "esc"];

impl Keymap {
    /// The defaults with the user's overrides merged over them: an override replaces every key
    /// of the action it names. Returns warnings for unknown actions, unparseable keys and
    /// rejected confirm keys; the affected action keeps its default keys.
    pub fn with_overrides(overrides: &BTreeMap<String, Vec<String>>) -> (Keymap, Vec<String>) {
        let mut map = Keymap::default();
        let mut warnings = Vec::new();
        for (name, keys) in overrides {
            let Some(index) = map.bindings.iter().position(|b| b.name == name.as_str()) else {
                warnings.push(format!(
                    "keymap: unknown action {name:?} (known: {})",
                    map.bindings
                        .iter()
                        .map(|b| b.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                continue;
            };
            let mut parsed = Vec::new();
            for key in keys {
                match KeySpec::parse(key) {
                    Some(k) => parsed.push(k),
                    None => warnings.push(format!("keymap: {name}: cannot read key {key:?}")),
                }
            }
            if parsed.is_empty() {
                warnings.push(format!(
                    "keymap: {name}: no usable key, keeping the default"
                ));
                continue;
            }
            map.bindings[index].keys = parsed;
        }
        // The confirm key must differ from the keys that open destructive dialogs, and from
        // Enter and Esc (which cancel by default). A rejected confirm key falls back to "y"; a
        // trigger moved onto the confirm key falls back to its default.
        let confirm_overridden = overrides.contains_key("confirm");
        if confirm_overridden && map.confirm_collides(&[]) {
            warnings.push(
                "keymap: confirm must differ from revoke, rotate, bulk_revoke, cancel, Enter and \
                 Esc; keeping \"y\""
                    .to_string(),
            );
            map.reset(Action::Confirm);
        }
        for action in [
            Action::Revoke,
            Action::Rotate,
            Action::BulkRevoke,
            Action::Cancel,
        ] {
            if map.confirm_collides(&[action]) {
                warnings.push(format!(
                    "keymap: {} cannot share a key with confirm; keeping its default",
                    map.binding(action).name
                ));
                map.reset(action);
            }
        }
        (map, warnings)
    }

    /// Does the confirm key collide with Enter, Esc, or (when `only` is empty) any of the
    /// trigger and cancel keys, else with the keys of the actions in `only`?
    fn confirm_collides(&self, only: &[Action]) -> bool {
        let confirm = self.keys(Action::Confirm);
        let mut forbidden = Vec::new();
        if only.is_empty() {
            forbidden.extend(CONFIRM_FORBIDDEN.iter().filter_map(|k| KeySpec::parse(k)));
            for action in [
                Action::Revoke,
                Action::Rotate,
                Action::BulkRevoke,
                Action::Cancel,
            ] {
                forbidden.extend_from_slice(self.keys(action));
            }
        } else {
            for action in only {
                forbidden.extend_from_slice(self.keys(*action));
            }
        }
        confirm.iter().any(|k| forbidden.contains(k))
    }

    fn reset(&mut self, action: Action) {
        let default = Keymap::default();
        let keys = default.keys(action).to_vec();
        if let Some(b) = self.bindings.iter_mut().find(|b| b.action == action) {
            b.keys = keys;
        }
    }

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

    /// Does this key trigger this action?
    pub fn is(&self, action: Action, key: &KeyEvent) -> bool {
        self.keys(action).iter().any(|k| k.matches(key))
    }

    /// The first action among `contexts` bound to this key, in table order.
    pub fn lookup(&self, contexts: &[Context], key: &KeyEvent) -> Option<Action> {
        let k = normalize(key)?;
        self.bindings
            .iter()
            .filter(|b| contexts.contains(&b.context))
            .find(|b| b.keys.contains(&k))
            .map(|b| b.action)
    }

    /// The first key of an action, for hints like "press y to revoke".
    pub fn label(&self, action: Action) -> String {
        self.keys(action)
            .first()
            .map(|k| k.to_string())
            .unwrap_or_default()
    }

    /// Footer hints: (keys, short description), in table order.
    pub fn footer(&self) -> Vec<(String, &'static str)> {
        let mut hints = vec![(
            format!(
                "{}/{}",
                self.label(Action::MoveDown),
                self.label(Action::MoveUp)
            ),
            "move",
        )];
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
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn parses_the_documented_key_names() {
        let p = |s| KeySpec::parse(s).unwrap();
        assert_eq!(p("j").code, KeyCode::Char('j'));
        assert_eq!(p("G").code, KeyCode::Char('G'));
        assert_eq!(p("shift-g").code, KeyCode::Char('G'));
        assert_eq!(p("down").code, KeyCode::Down);
        assert_eq!(
            p("ctrl-c"),
            KeySpec {
                code: KeyCode::Char('c'),
                mods: KeyModifiers::CONTROL
            }
        );
        assert_eq!(p("ctrl-C"), p("ctrl-c"));
        assert_eq!(p("pgup").code, KeyCode::PageUp);
        assert_eq!(
            p("shift-tab"),
            KeySpec {
                code: KeyCode::BackTab,
                mods: KeyModifiers::NONE
            }
        );
        assert_eq!(p("enter").code, KeyCode::Enter);
        assert_eq!(p("esc").code, KeyCode::Esc);
        assert_eq!(p("space").code, KeyCode::Char(' '));
        assert_eq!(p("?").code, KeyCode::Char('?'));
        assert_eq!(p("f5").code, KeyCode::F(5));
        assert_eq!(p("-").code, KeyCode::Char('-'));
        assert!(KeySpec::parse("").is_none());
        assert!(KeySpec::parse("nope").is_none());
        assert!(KeySpec::parse("f99").is_none());
    }

    #[test]
    fn matching_folds_shift_into_characters() {
        let map = Keymap::default();
        let ctx = [Context::Navigation, Context::List, Context::General];
        assert_eq!(
            map.lookup(&ctx, &key(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            map.lookup(&ctx, &key(KeyCode::Char('G'), KeyModifiers::NONE)),
            Some(Action::Bottom)
        );
        assert_eq!(
            map.lookup(&ctx, &key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(
            map.lookup(&ctx, &key(KeyCode::Tab, KeyModifiers::SHIFT)),
            Some(Action::ViewPrev)
        );
        assert_eq!(
            map.lookup(&ctx, &key(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Action::ViewPrev)
        );
        assert_eq!(
            map.lookup(&ctx, &key(KeyCode::Char('c'), KeyModifiers::NONE)),
            None
        );
        let mut release = key(KeyCode::Char('q'), KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        assert_eq!(map.lookup(&ctx, &release), None);
    }

    #[test]
    fn overrides_replace_keys_and_warn_about_unknowns() {
        let mut o = BTreeMap::new();
        o.insert(
            "move_down".to_string(),
            vec!["n".to_string(), "ctrl-n".to_string()],
        );
        o.insert("frobnicate".to_string(), vec!["x".to_string()]);
        o.insert("refresh".to_string(), vec!["bogus-key".to_string()]);
        let (map, warnings) = Keymap::with_overrides(&o);
        assert_eq!(map.keys(Action::MoveDown).len(), 2);
        assert!(map.is(
            Action::MoveDown,
            &key(KeyCode::Char('n'), KeyModifiers::CONTROL)
        ));
        assert!(!map.is(
            Action::MoveDown,
            &key(KeyCode::Char('j'), KeyModifiers::NONE)
        ));
        assert_eq!(map.label(Action::Refresh), "r");
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(warnings.iter().any(|w| w.contains("frobnicate")));
        assert!(warnings.iter().any(|w| w.contains("bogus-key")));
    }

    #[test]
    fn the_confirm_key_cannot_be_the_trigger_or_enter() {
        for bad in ["d", "enter", "esc", "R"] {
            let mut o = BTreeMap::new();
            o.insert("confirm".to_string(), vec![bad.to_string()]);
            let (map, warnings) = Keymap::with_overrides(&o);
            assert_eq!(map.label(Action::Confirm), "y", "{bad}");
            assert_eq!(warnings.len(), 1, "{bad}");
        }
        let mut o = BTreeMap::new();
        o.insert("revoke".to_string(), vec!["y".to_string()]);
        let (map, warnings) = Keymap::with_overrides(&o);
        // Revoke moved onto y, the confirm key: revoke keeps its default instead.
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(map.label(Action::Revoke), "d");
        assert_eq!(map.label(Action::Confirm), "y");
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
}

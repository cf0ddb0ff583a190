//! One table of key bindings: `update` reads it to map keys to actions, the help overlay and
//! the footer read it to say what the keys do. User overrides (from the settings file) replace
//! the keys of an action; every mistake in them (an unknown action, a key that cannot be read,
//! a key that would do two things) is a problem, which the settings refuse with its line.

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

    /// The key event this key is, as a terminal would send it.
    pub fn event(&self) -> KeyEvent {
        KeyEvent::new(self.code, self.mods)
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

/// A key the dashboard handles itself in a scope, beside the table's.
struct Fixed {
    key: &'static str,
    does: &'static str,
    /// It closes or cancels, as [`Action::Cancel`] and [`Action::Close`] do.
    closes: bool,
}

/// Where keys are read together: one key bound twice in a scope reaches only one action.
struct Scope {
    name: &'static str,
    contexts: &'static [Context],
    also: &'static [Action],
    fixed: &'static [Fixed],
    /// A plain character is typed into an input here.
    typing: bool,
}

const SCOPES: &[Scope] = &[
    Scope {
        name: "the list",
        contexts: &[
            Context::Navigation,
            Context::List,
            Context::Actions,
            Context::Marks,
            Context::Windows,
            Context::General,
        ],
        also: &[Action::FilterClear],
        fixed: &[],
        typing: false,
    },
    Scope {
        name: "the filter",
        contexts: &[Context::Filter],
        also: &[],
        fixed: &[
            Fixed {
                key: "ctrl-c",
                does: "quits from the filter",
                closes: false,
            },
            Fixed {
                key: "backspace",
                does: "deletes a character of the filter",
                closes: false,
            },
        ],
        typing: true,
    },
    Scope {
        name: "a confirm dialog",
        contexts: &[Context::Dialog],
        also: &[Action::Close],
        fixed: &[
            Fixed {
                key: "enter",
                does: "cancels a y/n dialog",
                closes: true,
            },
            Fixed {
                key: "esc",
                does: "cancels a dialog",
                closes: true,
            },
            Fixed {
                key: "ctrl-c",
                does: "quits from a dialog",
                closes: false,
            },
        ],
        typing: false,
    },
    Scope {
        name: "the new secret's window",
        contexts: &[Context::Secret],
        also: &[Action::Cancel],
        fixed: &[
            Fixed {
                key: "enter",
                does: "closes the new secret's window",
                closes: true,
            },
            Fixed {
                key: "ctrl-c",
                does: "closes the new secret's window",
                closes: true,
            },
        ],
        typing: false,
    },
];

/// The actions that open a dialog the confirm key answers: a double press must not confirm.
const OPENS_A_CONFIRM: [Action; 3] = [Action::Revoke, Action::Rotate, Action::BulkRevoke];

impl Keymap {
    /// The defaults with the user's overrides merged over them: an override replaces every key
    /// of the action it names. Every mistake is a problem: an unknown action, a key that cannot
    /// be read, an action with no key, a key bound twice where keys are read together (or onto
    /// a key the dashboard keeps, such as Enter in a dialog), and a confirm key that also opens
    /// the dialog. With any problem the keymap returned is the defaults.
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
            if readable {
                map.bindings[index].keys = parsed;
                overridden.push(map.bindings[index].action);
            }
        }
        problems.extend(map.clashes(&overridden));
        if problems.is_empty() {
            (map, problems)
        } else {
            (Keymap::default(), problems)
        }
    }

    /// The clashes that involve an overridden action: a key bound to two actions of one scope
    /// (Cancel and Close are one meaning), onto a key the scope keeps, or typed into an input;
    /// and a confirm key that also opens a dialog it would answer. One per action and key.
    fn clashes(&self, overridden: &[Action]) -> Vec<KeysProblem> {
        let mut found: Vec<(Action, KeySpec, String)> = Vec::new();
        let mut clash = |action: Action, key: KeySpec, message: String| {
            if !found.iter().any(|(a, k, _)| *a == action && *k == key) {
                found.push((action, key, message));
            }
        };
        let is_overridden = |a: Action| overridden.contains(&a);
        let closes = |a: Action| matches!(a, Action::Cancel | Action::Close);
        for scope in SCOPES {
            let members: Vec<&Binding> = self
                .bindings
                .iter()
                .filter(|b| scope.contexts.contains(&b.context) || scope.also.contains(&b.action))
                .collect();
            for (i, a) in members.iter().enumerate() {
                for &key in &a.keys {
                    for b in &members[i + 1..] {
                        let shared =
                            b.keys.contains(&key) && !(closes(a.action) && closes(b.action));
                        if !shared || !(is_overridden(a.action) || is_overridden(b.action)) {
                            continue;
                        }
                        let (mine, other) = if is_overridden(b.action) {
                            (b, a)
                        } else {
                            (a, b)
                        };
                        let message = format!(
                            "uses {key}, which `{}` also uses in {}",
                            other.name, scope.name
                        );
                        clash(mine.action, key, message);
                    }
                    if !is_overridden(a.action) {
                        continue;
                    }
                    for fixed in scope.fixed {
                        if KeySpec::parse(fixed.key) == Some(key)
                            && !(fixed.closes && closes(a.action))
                        {
                            clash(a.action, key, format!("uses {key}, which {}", fixed.does));
                        }
                    }
                    let plain_char = matches!(key.code, KeyCode::Char(_))
                        && !key
                            .mods
                            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
                    if scope.typing && plain_char {
                        clash(
                            a.action,
                            key,
                            format!("uses {key}, which is typed into {}", scope.name),
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

    #[test]
    fn overrides_replace_keys() {
        let (map, problems) = Keymap::with_overrides(&overrides(&[
            ("move_down", &["n", "ctrl-n"]),
            ("help", &["F1"]),
        ]));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(map.keys(Action::MoveDown).len(), 2);
        assert!(map.is(
            Action::MoveDown,
            &key(KeyCode::Char('n'), KeyModifiers::CONTROL)
        ));
        assert!(!map.is(
            Action::MoveDown,
            &key(KeyCode::Char('j'), KeyModifiers::NONE)
        ));
        assert!(map.is(Action::Help, &key(KeyCode::F(1), KeyModifiers::NONE)));
    }

    #[test]
    fn every_default_binding_written_out_is_valid() {
        let all: BTreeMap<String, Vec<String>> = DEFAULTS
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
            problems(&[("rotate", &["y"])]),
            vec![
                "`keys.rotate` uses y, which confirms the dialog it opens: a double press would \
                 confirm"
            ]
        );
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

//! Keys as the settings write them ("j", "G", "down", "ctrl-c", "shift-tab", "space", "?"),
//! read into the key a terminal sends, and shown back the way the help and hints print them.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

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

    /// The key as the table stores it: shift folded into characters, only ctrl and alt
    /// kept. `None` for a key's release.
    pub fn of(key: &KeyEvent) -> Option<KeySpec> {
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

    /// A character with neither ctrl nor alt: typed into an input, never read as a binding
    /// there.
    pub fn is_typed(&self) -> bool {
        matches!(self.code, KeyCode::Char(_))
            && !self
                .mods
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_key_as_sent_folds_shift_into_characters() {
        let of = |code, mods| KeySpec::of(&KeyEvent::new(code, mods));
        let p = |s| KeySpec::parse(s);
        assert_eq!(of(KeyCode::Char('G'), KeyModifiers::SHIFT), p("G"));
        assert_eq!(of(KeyCode::Char('G'), KeyModifiers::NONE), p("G"));
        assert_eq!(of(KeyCode::Char('C'), KeyModifiers::CONTROL), p("ctrl-c"));
        assert_eq!(of(KeyCode::Tab, KeyModifiers::SHIFT), p("shift-tab"));
        assert_eq!(of(KeyCode::BackTab, KeyModifiers::SHIFT), p("shift-tab"));
        let mut release = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        assert_eq!(KeySpec::of(&release), None);
    }

    #[test]
    fn typed_keys_are_plain_characters() {
        let typed = |s| KeySpec::parse(s).unwrap().is_typed();
        assert!(typed("j") && typed("G") && typed("space") && typed("?"));
        assert!(!typed("ctrl-u") && !typed("alt-x") && !typed("enter") && !typed("down"));
    }
}

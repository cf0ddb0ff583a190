//! The colours the dashboard gives each role, and the settings' `[colors]` overrides.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use ratatui::style::Color;

/// A colour per role. Meaning never rests on colour alone: every status also has a symbol
/// and a word, and with NO_COLOR none of these is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    pub expired: Color,
    pub revoked: Color,
    pub expiring: Color,
    pub never_used: Color,
    pub idle: Color,
    pub active: Color,
    pub unknown: Color,
    /// Greyed rows: revoked, gone, connectors without a credential.
    pub dim: Color,
    /// The selected row's background.
    pub selected: Color,
    /// Titles, column headers, keys.
    pub accent: Color,
    pub warning: Color,
    pub danger: Color,
    pub ok: Color,
    pub border: Color,
}

impl Default for Palette {
    fn default() -> Self {
        Palette {
            expired: Color::Red,
            revoked: Color::LightRed,
            expiring: Color::Yellow,
            never_used: Color::Magenta,
            idle: Color::Cyan,
            active: Color::Green,
            unknown: Color::DarkGray,
            dim: Color::DarkGray,
            selected: Color::Indexed(237),
            accent: Color::Cyan,
            warning: Color::Yellow,
            danger: Color::Red,
            ok: Color::Green,
            border: Color::Gray,
        }
    }
}

/// A mistake in the settings' `[colors]`: the entry, as written, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColorsProblem {
    pub entry: String,
    /// Says what is wrong, following the entry's name.
    pub message: String,
}

impl fmt::Display for ColorsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`colors.{}` {}", self.entry, self.message)
    }
}

impl Palette {
    /// The defaults with `overrides` (role → colour name, `#rrggbb`, an index 0-255, or
    /// `default` for the terminal's own) applied, and a problem for each unknown role or
    /// colour. With any problem the palette returned is the defaults.
    pub fn with_overrides(overrides: &BTreeMap<String, String>) -> (Palette, Vec<ColorsProblem>) {
        let mut palette = Palette::default();
        let mut problems = Vec::new();
        for (role, value) in overrides {
            let message = match (palette.slot(role), parse_color(value)) {
                (None, _) => format!(
                    "is not a colour role (roles: {})",
                    Palette::ROLES.join(", ")
                ),
                (Some(slot), Some(color)) => {
                    *slot = color;
                    continue;
                }
                (Some(_), None) => format!(
                    "is {value:?}, which is not a colour (a name like red or light-blue, #rrggbb, \
                     0-255, or default)"
                ),
            };
            problems.push(ColorsProblem {
                entry: role.clone(),
                message,
            });
        }
        if problems.is_empty() {
            (palette, problems)
        } else {
            (Palette::default(), problems)
        }
    }

    pub const ROLES: [&'static str; 14] = [
        "expired",
        "revoked",
        "expiring",
        "never_used",
        "idle",
        "active",
        "unknown",
        "dim",
        "selected",
        "accent",
        "warning",
        "danger",
        "ok",
        "border",
    ];

    fn slot(&mut self, role: &str) -> Option<&mut Color> {
        Some(match role.replace('-', "_").as_str() {
            "expired" => &mut self.expired,
            "revoked" => &mut self.revoked,
            "expiring" => &mut self.expiring,
            "never_used" => &mut self.never_used,
            "idle" => &mut self.idle,
            "active" => &mut self.active,
            "unknown" => &mut self.unknown,
            "dim" => &mut self.dim,
            "selected" => &mut self.selected,
            "accent" => &mut self.accent,
            "warning" => &mut self.warning,
            "danger" => &mut self.danger,
            "ok" => &mut self.ok,
            "border" => &mut self.border,
            _ => return None,
        })
    }
}

fn parse_color(value: &str) -> Option<Color> {
    let v = value.trim();
    if v.eq_ignore_ascii_case("default") {
        return Some(Color::Reset);
    }
    Color::from_str(v).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_apply_and_mistakes_are_named() {
        let mut map: BTreeMap<String, String> = [
            ("expired", "light-red"),
            ("selected", "#005f87"),
            ("never-used", "default"),
            ("expried", "red"),
            ("idle", "sparkly"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let (p, problems) = Palette::with_overrides(&map);
        assert_eq!(p, Palette::default(), "with a mistake, the defaults");
        let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert!(
            shown[0].starts_with("`colors.expried` is not a colour role"),
            "{shown:?}"
        );
        assert!(
            shown[1].starts_with("`colors.idle` is \"sparkly\", which is not a colour"),
            "{shown:?}"
        );

        map.retain(|role, _| role != "expried" && role != "idle");
        let (p, problems) = Palette::with_overrides(&map);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(p.expired, Color::LightRed);
        assert_eq!(p.selected, Color::Rgb(0, 0x5f, 0x87));
        assert_eq!(p.never_used, Color::Reset);
    }
}

//! The colours: the palette each role takes (the settings' `[colors]` overrides it), and the
//! styles the drawing builds from it. With colour off (NO_COLOR) no colour is ever set:
//! meaning is carried by symbols, words and modifiers alone.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};

use crate::app::state::ToastKind;
use crate::audit::Status;
use crate::audit::catalog::Severity;

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

/// How the dashboard is coloured: the runtime hands it to the drawing.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    /// False when NO_COLOR is set: symbols and modifiers only.
    pub color: bool,
    pub palette: Palette,
}

impl Default for Theme {
    fn default() -> Self {
        Theme {
            color: true,
            palette: Palette::default(),
        }
    }
}

impl Theme {
    fn pick(&self, colored: Style, plain: Style) -> Style {
        if self.color { colored } else { plain }
    }

    pub fn base(&self) -> Style {
        Style::new()
    }

    pub fn status(&self, s: Status) -> Style {
        let m = Style::new();
        match s {
            Status::Expired => self.pick(
                m.fg(self.palette.expired).add_modifier(Modifier::BOLD),
                m.add_modifier(Modifier::BOLD),
            ),
            Status::Revoked | Status::Gone => {
                self.pick(m.fg(self.palette.revoked), m.add_modifier(Modifier::DIM))
            }
            Status::Expiring => self.pick(
                m.fg(self.palette.expiring).add_modifier(Modifier::BOLD),
                m.add_modifier(Modifier::BOLD),
            ),
            Status::NeverUsed => self.pick(
                m.fg(self.palette.never_used),
                m.add_modifier(Modifier::ITALIC),
            ),
            Status::Idle => self.pick(m.fg(self.palette.idle), m.add_modifier(Modifier::ITALIC)),
            Status::Active => self.pick(m.fg(self.palette.active), m),
            Status::Unknown => self.pick(m.fg(self.palette.unknown), m.add_modifier(Modifier::DIM)),
            Status::NoCredential => self.dim(),
        }
    }

    /// Revoked, gone and connector rows are drawn greyed.
    pub fn row(&self, s: Status) -> Style {
        match s {
            Status::Revoked | Status::Gone | Status::NoCredential => self.dim(),
            _ => Style::new(),
        }
    }

    pub fn dim(&self) -> Style {
        self.pick(
            Style::new().fg(self.palette.dim),
            Style::new().add_modifier(Modifier::DIM),
        )
    }

    pub fn selected(&self) -> Style {
        self.pick(
            Style::new()
                .bg(self.palette.selected)
                .add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::REVERSED),
        )
    }

    pub fn title(&self) -> Style {
        self.pick(
            Style::new()
                .fg(self.palette.accent)
                .add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD),
        )
    }

    pub fn table_header(&self) -> Style {
        self.pick(
            Style::new()
                .fg(self.palette.accent)
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )
    }

    pub fn key(&self) -> Style {
        self.pick(
            Style::new()
                .fg(self.palette.accent)
                .add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD),
        )
    }

    pub fn label(&self) -> Style {
        self.pick(Style::new().fg(Color::Gray), Style::new())
    }

    pub fn badge(&self) -> Style {
        self.pick(
            Style::new()
                .fg(Color::Black)
                .bg(self.palette.warning)
                .add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        )
    }

    pub fn danger(&self) -> Style {
        self.pick(
            Style::new()
                .fg(self.palette.danger)
                .add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD),
        )
    }

    pub fn warning(&self) -> Style {
        self.pick(
            Style::new()
                .fg(self.palette.warning)
                .add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD),
        )
    }

    pub fn ok(&self) -> Style {
        self.pick(Style::new().fg(self.palette.ok), Style::new())
    }

    pub fn toast(&self, kind: ToastKind) -> Style {
        let on = |bg: Color| Style::new().fg(Color::Black).bg(bg);
        match kind {
            ToastKind::Error => self.pick(
                Style::new()
                    .fg(Color::White)
                    .bg(self.palette.danger)
                    .add_modifier(Modifier::BOLD),
                Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            ),
            ToastKind::Refused => self.pick(
                on(self.palette.warning),
                Style::new().add_modifier(Modifier::REVERSED),
            ),
            ToastKind::Done => self.pick(
                on(self.palette.ok),
                Style::new().add_modifier(Modifier::REVERSED),
            ),
            ToastKind::Info => self.pick(Style::new().fg(self.palette.accent), Style::new()),
        }
    }

    /// A row or a change seen changed lately.
    pub fn changed(&self) -> Style {
        self.pick(
            Style::new()
                .fg(self.palette.accent)
                .add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD),
        )
    }

    pub fn border(&self) -> Style {
        self.pick(Style::new().fg(self.palette.border), Style::new())
    }

    pub fn danger_border(&self) -> Style {
        self.pick(
            Style::new().fg(self.palette.danger),
            Style::new().add_modifier(Modifier::BOLD),
        )
    }

    /// A finding's severity: colour, and without colour a weight (the symbol and the word
    /// are drawn beside it either way, see [`severity_symbol`]).
    pub fn severity(&self, s: Severity) -> Style {
        let m = Style::new();
        match s {
            Severity::Critical => self.pick(
                m.fg(Color::White)
                    .bg(self.palette.danger)
                    .add_modifier(Modifier::BOLD),
                m.add_modifier(Modifier::BOLD | Modifier::REVERSED),
            ),
            Severity::High => self.pick(
                m.fg(self.palette.danger).add_modifier(Modifier::BOLD),
                m.add_modifier(Modifier::BOLD),
            ),
            Severity::Medium => self.pick(m.fg(self.palette.warning), m),
            Severity::Low => self.pick(m.fg(self.palette.accent), m),
            Severity::Info => self.dim(),
        }
    }

    /// The text a filter matched, in the table (over the selection too).
    pub fn matched(&self) -> Style {
        self.pick(
            Style::new()
                .fg(Color::Black)
                .bg(self.palette.warning)
                .add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )
    }

    /// Where a typed filter is wrong.
    pub fn input_error(&self) -> Style {
        self.pick(
            Style::new()
                .fg(Color::White)
                .bg(self.palette.danger)
                .add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        )
    }

    pub fn input(&self) -> Style {
        self.pick(
            Style::new()
                .fg(Color::White)
                .add_modifier(Modifier::UNDERLINED),
            Style::new().add_modifier(Modifier::UNDERLINED),
        )
    }
}

pub use crate::app::findings::{MUTED_SYMBOL, severity_symbol};

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

//! Colours and modifiers. With colour off (NO_COLOR) no colour is ever set: meaning is carried
//! by symbols, words and modifiers alone.

use ratatui::style::{Color, Modifier, Style};

use crate::app::palette::Palette;
use crate::app::rows::Status;
use crate::app::state::ToastKind;

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
    pub palette: Palette,
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

    pub fn border(&self) -> Style {
        self.pick(Style::new().fg(self.palette.border), Style::new())
    }

    pub fn danger_border(&self) -> Style {
        self.pick(
            Style::new().fg(self.palette.danger),
            Style::new().add_modifier(Modifier::BOLD),
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

//! Colours and modifiers. With colour off (NO_COLOR) no colour is ever set: meaning is carried
//! by symbols, words and modifiers alone.

use ratatui::style::{Color, Modifier, Style};

use crate::app::rows::Status;

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
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
                m.fg(Color::Red).add_modifier(Modifier::BOLD),
                m.add_modifier(Modifier::BOLD),
            ),
            Status::Revoked | Status::Gone => {
                self.pick(m.fg(Color::LightRed), m.add_modifier(Modifier::DIM))
            }
            Status::Expiring => self.pick(
                m.fg(Color::Yellow).add_modifier(Modifier::BOLD),
                m.add_modifier(Modifier::BOLD),
            ),
            Status::NeverUsed => self.pick(m.fg(Color::Magenta), m.add_modifier(Modifier::ITALIC)),
            Status::Idle => self.pick(m.fg(Color::Cyan), m.add_modifier(Modifier::ITALIC)),
            Status::Active => self.pick(m.fg(Color::Green), m),
            Status::Unknown => self.pick(m.fg(Color::DarkGray), m.add_modifier(Modifier::DIM)),
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
            Style::new().fg(Color::DarkGray),
            Style::new().add_modifier(Modifier::DIM),
        )
    }

    pub fn selected(&self) -> Style {
        self.pick(
            Style::new()
                .bg(Color::Indexed(237))
                .add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::REVERSED),
        )
    }

    pub fn title(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD),
        )
    }

    pub fn table_header(&self) -> Style {
        self.pick(
            Style::new()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )
    }

    pub fn key(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
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
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        )
    }

    pub fn danger(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD),
        )
    }

    pub fn warning(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD),
        )
    }

    pub fn ok(&self) -> Style {
        self.pick(Style::new().fg(Color::Green), Style::new())
    }

    pub fn toast(&self, error: bool) -> Style {
        if error {
            self.pick(
                Style::new()
                    .fg(Color::White)
                    .bg(Color::Red)
                    .add_modifier(Modifier::BOLD),
                Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            )
        } else {
            self.pick(
                Style::new().fg(Color::Black).bg(Color::Green),
                Style::new().add_modifier(Modifier::REVERSED),
            )
        }
    }

    pub fn border(&self) -> Style {
        self.pick(Style::new().fg(Color::Gray), Style::new())
    }

    pub fn danger_border(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Red),
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

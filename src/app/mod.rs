//! The dashboard's brain, pure and synchronous: no I/O, no tokio, no terminal.
//!
//! Data flows one way: a [`Msg`] goes to [`update`], which changes the [`State`] and returns
//! [`Effect`]s; the drawing (`tui::ui::draw`) reads the state and nothing else.

pub mod fixtures;
pub mod index;
pub mod keymap;
pub mod layout;
pub mod msg;
pub mod risk;
pub mod rows;
pub mod state;
pub mod update;
pub mod view;

/// The old path of `crate::text`, which the command line's files (`cmd/mod.rs`,
/// `cmd/output.rs`) and `tests/cli.rs` still use; it goes once they name `crate::text`.
pub use crate::text;

/// The old path of `tui::ui::theme::Palette`, which `config.rs` still uses; it goes once the
/// settings check names the theme (after the merge).
pub mod palette {
    pub use crate::tui::ui::theme::Palette;
}

pub use keymap::Keymap;
pub use msg::*;
pub use state::{Options, State};
pub use update::update;

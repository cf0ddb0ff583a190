//! The dashboard's brain, pure and synchronous: no I/O, no tokio, no terminal.
//!
//! Data flows one way: a [`Msg`] goes to [`update`], which changes the [`State`] and returns
//! [`Effect`]s; the drawing (`tui::ui::draw`) reads the state and nothing else.

pub mod confirm;
pub mod dialogs;

pub mod inventory;
pub mod keymap;
pub mod layout;
pub mod msg;
pub mod state;
pub mod table;
pub mod update;
pub mod view;

pub use keymap::Keymap;
pub use msg::*;
pub use state::{Options, State};
pub use update::{update, update_all};

/// The old path of `crate::text`, which the command line's files (`cmd/mod.rs`,
/// `cmd/output.rs`) and `tests/cli.rs` still use; it goes once they name `crate::text`.
pub use crate::text;

/// The old path of the audit rules `cmd/mod.rs` and `cmd/output.rs` still use; it goes once
/// they name `crate::audit`.
pub mod rows {
    pub use crate::audit::{Flags, Status, Thresholds, flags_of};
}

/// The old path of `tui::ui::theme::Palette`, which `config.rs` still uses; it goes once the
/// settings check names the theme (after the merge).
pub mod palette {
    pub use crate::tui::ui::theme::Palette;
}

//! The dashboard's brain, pure and synchronous: no I/O, no tokio, no terminal.
//!
//! Data flows one way: a [`Msg`] goes to [`update`]; a key or a click is first read by
//! `input` into an [`Intent`] (through the keymap, in what is open); `update` changes the
//! [`State`] and returns [`Effect`]s; the drawing (`tui::ui::draw`) reads the state and
//! nothing else.

pub mod changelog;
pub mod columns;
pub mod command;
pub mod confirm;
pub mod detail;
pub mod dialogs;
pub mod discovery;
pub mod filter;
pub mod findings;
pub mod input;
pub mod intent;
pub mod inventory;
pub mod keymap;
pub mod layout;
pub mod msg;
pub mod prompt;
pub mod rotations;
pub mod state;
pub mod table;
pub mod update;
pub mod view;
pub mod views;

pub use keymap::Keymap;
pub use msg::*;
pub use state::{Options, State};
pub use update::{update, update_all};

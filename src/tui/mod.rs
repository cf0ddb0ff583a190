//! The terminal runtime and drawing.

pub mod terminal;
pub mod ui;

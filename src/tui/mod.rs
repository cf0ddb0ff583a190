//! The terminal runtime and drawing.

pub mod runtime;
pub mod terminal;
pub mod ui;

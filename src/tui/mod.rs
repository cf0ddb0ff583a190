//! The terminal runtime and drawing.

pub mod headless;
pub mod runtime;
pub mod terminal;
pub mod ui;

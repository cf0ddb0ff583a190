//! Terminal runtime and drawing.

pub mod ui;

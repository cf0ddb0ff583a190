//! The dashboard's brain, pure and synchronous: no I/O, no tokio, no terminal.

pub mod msg;

pub use msg::*;

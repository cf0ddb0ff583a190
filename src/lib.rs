//! credboard: a terminal dashboard for the connector credentials of a ConductorOne tenant.

pub mod api;
pub mod app;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod demo;
pub mod discover;
pub mod import;
pub mod logging;
pub mod memory;
pub mod model;
pub mod ops;
pub mod store;
pub mod tui;
pub mod worker;

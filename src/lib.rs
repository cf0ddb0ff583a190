//! credboard: a terminal dashboard for the connector credentials of a ConductorOne tenant.

pub mod api;
pub mod app;
pub mod audit;
pub mod changes;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod demo;
pub mod discover;
pub mod export;
pub mod import;
pub mod logging;
pub mod memory;
pub mod model;
pub mod ops;
pub mod query;
pub mod report;
pub mod rotation;
pub mod since;
pub mod store;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
pub mod text;
pub mod tui;
pub mod worker;

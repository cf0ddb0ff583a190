//! The audit: policy checks over the inventory, pure, for the dashboard, the CLI and reports.
//! `catalog` (the checks: ids, titles, severities), `policy` (their thresholds), `mutes`,
//! `checks` (the rules themselves), `findings` (what they find), `stats` (the figures the charts draw).

pub mod catalog;
pub mod checks;
pub mod findings;
pub mod mutes;
pub mod policy;
pub mod stats;

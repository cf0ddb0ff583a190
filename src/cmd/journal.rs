//! `credboard journal`: every revoke and rotate of the tenant, newest first.

use crate::cli::{Format, Global};

use super::context::open_store;
use super::{CliError, output};

pub fn run(global: &Global, format: Format) -> Result<(), CliError> {
    let (store, _tmp) = open_store(global)?;
    let entries = store.journal().map_err(CliError::failed)?;
    output::journal(&entries, format).map_err(CliError::failed)
}

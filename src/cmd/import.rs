//! `credboard import FILE`: learn credential ids from Terraform state, CSV or credboard's
//! JSON; a file that cannot be read as a whole adds nothing.

use std::path::Path;

use crate::cli::Global;
use crate::import::parse_import;
use crate::model::Source;

use super::context::open_store;
use super::{CliError, output};

pub fn run(global: &Global, file: &Path) -> Result<(), CliError> {
    let bytes = std::fs::read(file)
        .map_err(|e| CliError::failed(format!("cannot read {}: {e}", file.display())))?;
    let parsed = parse_import(&bytes).map_err(|e| {
        CliError::failed(format!("nothing was imported from {}: {e}", file.display()))
    })?;
    let (store, _tmp) = open_store(global)?;
    let report = store.import(&parsed, Source::Import).map_err(|e| {
        CliError::failed(format!("nothing was imported from {}: {e}", file.display()))
    })?;
    eprintln!(
        "{} from {} into the inventory of tenant {}: {} added, {} already known, {} rejected",
        report.format,
        file.display(),
        store.tenant(),
        report.added.len(),
        report.already_known.len(),
        report.rejected.len()
    );
    for rejected in &report.rejected {
        eprintln!("  rejected {}", output::inert(&rejected.to_string()));
    }
    if report.rejected.is_empty() {
        Ok(())
    } else {
        Err(CliError::failed(format!(
            "{} entries of {} were rejected (the others were imported)",
            report.rejected.len(),
            file.display()
        )))
    }
}

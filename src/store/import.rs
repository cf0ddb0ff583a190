//! The store's side of an import: a parsed file's entries tracked in one transaction.

use serde::Serialize;

use super::{Result, Store, StoreError};
use crate::import::{ImportEntry, ImportFormat, ParsedImport, Rejected};
use crate::model::Source;

/// What [`Store::import`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub format: ImportFormat,
    pub added: Vec<ImportEntry>,
    /// Already tracked with the same ids, including repeats within the file.
    pub already_known: Vec<ImportEntry>,
    /// Rejected while parsing, or because the id is tracked under another app or connector.
    pub rejected: Vec<Rejected>,
}

impl Store {
    /// Tracks every usable entry of `parsed` in one transaction: all of them or, on a
    /// database error, none.
    pub fn import(&self, parsed: &ParsedImport, source: Source) -> Result<ImportReport> {
        let now = chrono::Utc::now();
        self.write(|tx| {
            let mut report = ImportReport {
                format: parsed.format,
                added: Vec::new(),
                already_known: Vec::new(),
                rejected: parsed.rejected.clone(),
            };
            for entry in &parsed.entries {
                match self.track_in(tx, &entry.ids, source, &now) {
                    Ok(true) => report.added.push(entry.clone()),
                    Ok(false) => report.already_known.push(entry.clone()),
                    Err(elsewhere @ StoreError::TrackedElsewhere { .. }) => {
                        report.rejected.push(Rejected {
                            location: entry.location.clone(),
                            reason: elsewhere.to_string(),
                        })
                    }
                    Err(e) => return Err(e),
                }
            }
            Ok(report)
        })
    }
}

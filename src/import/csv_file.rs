//! CSV whose header names `app_id`, `connector_id` and `id`: credboard's `list -o csv`, or a
//! spreadsheet's export.

use super::ids::{check_id, unguard_csv_cell};
use super::{ImportError, ImportFormat, Location, ParsedImport, push_checked};

pub(super) fn parse(text: &str) -> Result<ParsedImport, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(csv_error)?.clone();
    let find = |names: &[&str]| {
        headers.iter().position(|h| {
            let h = h.trim();
            names.iter().any(|n| h.eq_ignore_ascii_case(n))
        })
    };
    let columns = [
        ("app_id", find(&["app_id", "appId"])),
        ("connector_id", find(&["connector_id", "connectorId"])),
        ("id", find(&["id", "credential_id", "credentialId"])),
    ];
    let missing: Vec<&str> = columns
        .iter()
        .filter(|(_, c)| c.is_none())
        .map(|(n, _)| *n)
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::NotRecognized {
            missing: missing.join(", "),
        });
    }
    let mut parsed = ParsedImport {
        format: ImportFormat::Csv,
        entries: Vec::new(),
        rejected: Vec::new(),
    };
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(e)),
        }
        let line = record.position().map_or(0, |p| p.line());
        // A blank line inside the file is skipped by the csv crate; a record of empty
        // fields (",,") is a bad row.
        let mut ids: [String; 3] = Default::default();
        let mut problems = Vec::new();
        for (slot, (name, col)) in ids.iter_mut().zip(columns) {
            let value = unguard_csv_cell(col.and_then(|c| record.get(c)).unwrap_or(""));
            match check_id(name, value) {
                Ok(id) => *slot = id.to_string(),
                Err(why) => problems.push(why),
            }
        }
        push_checked(&mut parsed, Location::CsvLine(line), ids, problems);
    }
    Ok(parsed)
}

fn csv_error(e: csv::Error) -> ImportError {
    let line = e.position().map_or(0, |p| p.line());
    let reason = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("the record has {len} fields where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "the record is not UTF-8 text".to_string(),
        _ => e.to_string(),
    };
    ImportError::Csv { line, reason }
}

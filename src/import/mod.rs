//! Learning credential ids from a file: Terraform state (v4), CSV, or credboard's own JSON.
//!
//! The rule for partial failure: a file that cannot be read *as a whole* (truncated or
//! invalid JSON, a Terraform state of another version, a CSV record with a broken quote or
//! the wrong number of fields, bytes that are not UTF-8) is an [`ImportError`] and adds
//! nothing. A file that parses but holds individually unusable entries (an empty or missing
//! id, an entry that is not an object) imports its good entries and reports each bad one as
//! [`Rejected`] with its location and reason. Parsing touches nothing: the inventory takes the
//! good entries in one transaction, so an import never stops halfway either.
//!
//! The formats:
//! - Terraform state version 4: `resources[]` of type `conductorone_connector_credential`,
//!   each instance's `attributes.app_id`, `.connector_id`, `.id`. Other types are ignored.
//! - CSV whose header names `app_id`, `connector_id` and `id` (any order, any case, other
//!   columns ignored; `appId`, `connectorId`, `credential_id` are accepted as well).
//! - credboard's JSON: an array of objects with `appId`, `connectorId`, `id` (a serialized
//!   ConnectorCredential, i.e. what `credboard list -o json` prints), or an object
//!   `{"credentials": [...]}` holding such an array.

mod credboard_json;
mod csv_file;
mod ids;
mod terraform;

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::model::CredentialKey;

pub use ids::{check_id, guard_csv_cell};

/// The format [`parse_import`] detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportFormat {
    TerraformState,
    Csv,
    CredboardJson,
}

impl fmt::Display for ImportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ImportFormat::TerraformState => "Terraform state",
            ImportFormat::Csv => "CSV",
            ImportFormat::CredboardJson => "credboard JSON",
        })
    }
}

/// Where in the file an entry came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// A CSV record, by its 1-based line number.
    CsvLine(u64),
    /// A Terraform resource instance address, e.g. `conductorone_connector_credential.ci[0]`.
    Resource(String),
    /// The 0-based index in credboard's JSON array.
    JsonIndex(usize),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::CsvLine(n) => write!(f, "line {n}"),
            Location::Resource(a) => f.write_str(a),
            Location::JsonIndex(i) => write!(f, "entry [{i}]"),
        }
    }
}

/// A usable entry of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportEntry {
    pub location: Location,
    pub ids: CredentialKey,
}

/// An entry that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    pub location: Location,
    pub reason: String,
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.reason)
    }
}

/// A file read as a whole, before anything touches the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedImport {
    pub format: ImportFormat,
    pub entries: Vec<ImportEntry>,
    pub rejected: Vec<Rejected>,
}

/// Why a file could not be imported at all. Nothing was added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is not text (not UTF-8); expected Terraform state, CSV or credboard's JSON")]
    NotText,
    #[error("the file is not valid JSON at line {line}, column {column}: {reason}")]
    Json {
        line: usize,
        column: usize,
        reason: String,
    },
    #[error(
        "the file is Terraform state version {0}; credboard reads version 4 (Terraform 0.12 and later: `terraform state pull`)"
    )]
    TerraformVersion(String),
    #[error("the Terraform state is malformed: {0}")]
    TerraformShape(String),
    #[error(
        "the JSON is neither Terraform state (an object with \"version\" and \"resources\") nor credboard's JSON (an array of credentials, or {{\"credentials\": [...]}})"
    )]
    UnknownJson,
    #[error(
        "the file is not a recognised import format: not JSON (Terraform state or credboard's JSON), and not CSV with a header naming app_id, connector_id and id (missing: {missing})"
    )]
    NotRecognized { missing: String },
    #[error("the CSV is malformed at line {line}: {reason}")]
    Csv { line: u64, reason: String },
}

/// Reads a whole file and detects its format. Touches nothing.
pub fn parse_import(bytes: &[u8]) -> Result<ParsedImport, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ImportError::NotText)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(ImportError::Empty);
    }
    // Text with NUL or other control bytes is not any of our formats.
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(ImportError::NotText);
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        parse_json(text)
    } else {
        csv_file::parse(text)
    }
}

fn parse_json(text: &str) -> Result<ParsedImport, ImportError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ImportError::Json {
        line: e.line(),
        column: e.column(),
        reason: json_reason(&e),
    })?;
    match value {
        Value::Object(ref o) if o.contains_key("version") && o.contains_key("resources") => {
            terraform::parse(o)
        }
        Value::Object(mut o) => match o.remove("credentials") {
            Some(Value::Array(items)) => Ok(credboard_json::parse(items)),
            _ => Err(ImportError::UnknownJson),
        },
        Value::Array(items) => Ok(credboard_json::parse(items)),
        _ => Err(ImportError::UnknownJson),
    }
}

/// serde_json's message without its trailing " at line L column C" (we say it ourselves).
fn json_reason(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg,
    }
}

/// Adds an entry if all three ids are usable, else a rejection naming every problem.
fn push_entry(parsed: &mut ParsedImport, location: Location, fields: [(&str, Option<&Value>); 3]) {
    let mut ids: [String; 3] = Default::default();
    let mut problems = Vec::new();
    for (slot, (name, value)) in ids.iter_mut().zip(fields) {
        match value {
            None | Some(Value::Null) => problems.push(format!("{name} is missing")),
            Some(Value::String(s)) => match check_id(name, s) {
                Ok(id) => *slot = id.to_string(),
                Err(why) => problems.push(why),
            },
            Some(_) => problems.push(format!("{name} is not a string")),
        }
    }
    push_checked(parsed, location, ids, problems);
}

fn push_checked(
    parsed: &mut ParsedImport,
    location: Location,
    [app_id, connector_id, credential_id]: [String; 3],
    problems: Vec<String>,
) {
    if problems.is_empty() {
        parsed.entries.push(ImportEntry {
            location,
            ids: CredentialKey {
                app_id,
                connector_id,
                credential_id,
            },
        });
    } else {
        parsed.rejected.push(Rejected {
            location,
            reason: problems.join("; "),
        });
    }
}

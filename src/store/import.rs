//! Learning credential ids from a file: Terraform state (v4), CSV, or credboard's own JSON.
//!
//! The rule for partial failure: a file that cannot be read *as a whole* (truncated or
//! invalid JSON, a Terraform state of another version, a CSV record with a broken quote or
//! the wrong number of fields, bytes that are not UTF-8) is an [`ImportError`] and adds
//! nothing. A file that parses but holds individually unusable entries (an empty or missing
//! id, an entry that is not an object) imports its good entries and reports each bad one as
//! [`Rejected`] with its location and reason. The good entries are added in one transaction,
//! so an import never stops halfway either.
//!
//! The formats:
//! - Terraform state version 4: `resources[]` of type `conductorone_connector_credential`,
//!   each instance's `attributes.app_id`, `.connector_id`, `.id`. Other types are ignored.
//! - CSV whose header names `app_id`, `connector_id` and `id` (any order, any case, other
//!   columns ignored; `appId`, `connectorId`, `credential_id` are accepted as well).
//! - credboard's JSON: an array of objects with `appId`, `connectorId`, `id` (a serialized
//!   ConnectorCredential, i.e. what `credboard list -o json` prints), or an object
//!   `{"credentials": [...]}` holding such an array.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use super::{Result, Store};
use crate::api::secret::{hide_client_secrets, refuse_misplaced_secret};
use crate::model::{CredentialKey, Source};

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
        parse_csv(text)
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
            parse_terraform(o)
        }
        Value::Object(mut o) => match o.remove("credentials") {
            Some(Value::Array(items)) => Ok(parse_credboard(items)),
            _ => Err(ImportError::UnknownJson),
        },
        Value::Array(items) => Ok(parse_credboard(items)),
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

const TF_TYPE: &str = "conductorone_connector_credential";

fn parse_terraform(o: &serde_json::Map<String, Value>) -> Result<ParsedImport, ImportError> {
    match &o["version"] {
        Value::Number(n) if n.as_u64() == Some(4) => {}
        other => {
            let v = match other {
                Value::String(s) => s.clone(),
                v => v.to_string(),
            };
            return Err(ImportError::TerraformVersion(v));
        }
    }
    let resources = match &o["resources"] {
        Value::Array(r) => r.as_slice(),
        Value::Null => &[],
        _ => {
            return Err(ImportError::TerraformShape(
                "\"resources\" is not a list".into(),
            ));
        }
    };
    let mut parsed = ParsedImport {
        format: ImportFormat::TerraformState,
        entries: Vec::new(),
        rejected: Vec::new(),
    };
    for (ri, res) in resources.iter().enumerate() {
        if res.get("type").and_then(Value::as_str) != Some(TF_TYPE) {
            continue;
        }
        let mode = res.get("mode").and_then(Value::as_str).unwrap_or("managed");
        let name = res
            .get("name")
            .and_then(Value::as_str)
            .map_or_else(|| format!("resources[{ri}]"), str::to_string);
        let mut base = String::new();
        if let Some(module) = res.get("module").and_then(Value::as_str) {
            base.push_str(module);
            base.push('.');
        }
        if mode == "data" {
            base.push_str("data.");
        }
        base.push_str(TF_TYPE);
        base.push('.');
        base.push_str(&name);
        let instances = match res.get("instances") {
            Some(Value::Array(i)) => i.as_slice(),
            None | Some(Value::Null) => &[],
            Some(_) => {
                parsed.rejected.push(Rejected {
                    location: Location::Resource(hide_client_secrets(&base)),
                    reason: "\"instances\" is not a list".into(),
                });
                continue;
            }
        };
        for (ii, inst) in instances.iter().enumerate() {
            let address = match inst.get("index_key") {
                Some(Value::Number(n)) => format!("{base}[{n}]"),
                Some(Value::String(s)) => format!("{base}[{}]", Value::String(s.clone())),
                // Without count or for_each there is no key; still tell several apart.
                _ if instances.len() > 1 => format!("{base} (instance {ii})"),
                _ => base.clone(),
            };
            // Names and keys are the file's text: a secret pasted there is not echoed.
            let location = Location::Resource(hide_client_secrets(&address));
            let Some(attrs) = inst.get("attributes").and_then(Value::as_object) else {
                parsed.rejected.push(Rejected {
                    location,
                    reason: "the instance has no attributes".into(),
                });
                continue;
            };
            push_entry(
                &mut parsed,
                location,
                [
                    ("app_id", attrs.get("app_id")),
                    ("connector_id", attrs.get("connector_id")),
                    ("id", attrs.get("id")),
                ],
            );
        }
    }
    Ok(parsed)
}

fn parse_credboard(items: Vec<Value>) -> ParsedImport {
    let mut parsed = ParsedImport {
        format: ImportFormat::CredboardJson,
        entries: Vec::new(),
        rejected: Vec::new(),
    };
    for (i, item) in items.iter().enumerate() {
        let location = Location::JsonIndex(i);
        let Some(o) = item.as_object() else {
            parsed.rejected.push(Rejected {
                location,
                reason: "not an object".into(),
            });
            continue;
        };
        let field = |camel: &str, snake: &str| o.get(camel).or_else(|| o.get(snake));
        push_entry(
            &mut parsed,
            location,
            [
                ("appId", field("appId", "app_id")),
                ("connectorId", field("connectorId", "connector_id")),
                ("id", o.get("id")),
            ],
        );
    }
    parsed
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

/// The longest id credboard accepts; ConductorOne's ids (KSUIDs such as
/// `2Gf9fCi5loeoDjTC0MtLnwLQ4Pn`) have 27 characters.
const MAX_ID_LEN: usize = 128;

/// `value` as a plausible id, trimmed, or why it is not one, naming it `field` ("id is
/// empty"). An id goes into URL paths and into spreadsheets: only letters, digits and
/// `- _ . ~`, not starting as a formula would. A client secret given as an id is named,
/// never quoted.
pub fn check_id<'v>(field: &str, value: &'v str) -> Result<&'v str, String> {
    let s = value.trim();
    refuse_misplaced_secret(field, s).map_err(|e| e.to_string())?;
    let length = s.chars().count();
    let odd = s
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~')));
    let why = if s.is_empty() {
        "is empty".to_string()
    } else if length > MAX_ID_LEN {
        format!("is too long ({length} characters; an id has at most {MAX_ID_LEN})")
    } else if let Some(c) = s.chars().next().filter(|c| FORMULA_STARTS.contains(c)) {
        format!("starts with `{c}`, as a spreadsheet formula does")
    } else if let Some(c) = odd {
        match c {
            ' ' => "contains a space".to_string(),
            c if c.is_ascii_graphic() => {
                format!("contains `{c}` (an id has only letters, digits and - _ . ~)")
            }
            c => format!("contains the character {}", c.escape_unicode()),
        }
    } else {
        return Ok(s);
    };
    Err(format!("{field} {why}"))
}

/// What a spreadsheet reads as the start of a formula in a cell (OWASP's list).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell of credboard's CSV output that a spreadsheet will not run: text starting as a
/// formula gets a leading `'`. A hostile display name cannot become `=HYPERLINK(...)`.
pub fn guard_csv_cell(s: String) -> String {
    if s.starts_with(FORMULA_STARTS) {
        format!("'{s}")
    } else {
        s
    }
}

/// A cell as [`guard_csv_cell`] wrote it, read back: the `'` before a formula's start goes.
fn unguard_csv_cell(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => s,
    }
}

fn parse_csv(text: &str) -> Result<ParsedImport, ImportError> {
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
                    Err(super::StoreError::TrackedElsewhere {
                        app_id,
                        connector_id,
                        ..
                    }) => report.rejected.push(Rejected {
                        location: entry.location.clone(),
                        reason: format!(
                            "credential {} is already tracked under app {app_id}, connector {connector_id}",
                            entry.ids.credential_id
                        ),
                    }),
                    Err(e) => return Err(e),
                }
            }
            Ok(report)
        })
    }
}

//! `credboard audit -o csv`: one row per finding. Like `list -o csv`, every cell is made
//! inert and cannot start a spreadsheet formula (`-o json` keeps strings exactly).

use crate::audit::findings::Audit;
use crate::import::guard_csv_cell;
use crate::text::sanitize;

pub const HEADER: [&str; 15] = [
    "check",
    "severity",
    "muted",
    "mute_until",
    "mute_reason",
    "subject",
    "app_id",
    "connector_id",
    "credential_id",
    "credential_name",
    "client_id",
    "connector_name",
    "app_name",
    "reason",
    "title",
];

fn cell(s: &str) -> String {
    guard_csv_cell(sanitize(s))
}

pub fn findings(audit: &Audit) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    for f in &audit.findings {
        let opt = |s: &Option<String>| cell(s.as_deref().unwrap_or(""));
        let mute = f.mute.as_ref();
        w.write_record([
            f.check.id().to_string(),
            f.severity.as_str().to_string(),
            mute.is_some().to_string(),
            mute.map(|m| m.until.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            cell(mute.map_or("", |m| m.reason.as_str())),
            f.subject.kind().to_string(),
            cell(f.subject.app_id()),
            cell(f.subject.connector_id()),
            cell(f.subject.credential_id().unwrap_or("")),
            opt(&f.labels.credential_name),
            opt(&f.labels.client_id),
            opt(&f.labels.connector_name),
            opt(&f.labels.app_name),
            cell(&f.reason),
            f.check.title().to_string(),
        ])?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

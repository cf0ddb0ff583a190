//! Credentials as CSV and JSON, the one way `credboard list -o csv|json` prints them and the
//! dashboard's `:export` writes them: the same rows give the same bytes. Everything that came
//! from the server is made inert (CSV cells can never start a formula; JSON escapes what
//! could drive a terminal). Pure: it writes to any `Write`.

use std::io::{self, Write};

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::json;

use crate::api::ConnectorCredential;
use crate::audit::{Flags, Status};
use crate::import::guard_csv_cell;
use crate::model::CredentialKey;
use crate::text::sanitize;

/// A credential as `list` prints it.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub ids: CredentialKey,
    pub credential: Option<ConnectorCredential>,
    pub app_name: Option<String>,
    pub connector_name: Option<String>,
    pub flags: Flags,
}

impl Listed {
    pub fn name(&self) -> Option<&str> {
        self.credential.as_ref()?.display_name.as_deref()
    }
}

/// Every flag that holds, as words: "never used, expiring".
pub fn flag_words(flags: Flags) -> Vec<&'static str> {
    [
        (Flags::GONE, "gone"),
        (Flags::REVOKED, "revoked"),
        (Flags::EXPIRED, "expired"),
        (Flags::EXPIRING, "expiring"),
        (Flags::NEVER_USED, "never used"),
        (Flags::IDLE, "idle"),
        (Flags::UNKNOWN, "not fetched"),
    ]
    .into_iter()
    .filter(|(f, _)| flags.contains(*f))
    .map(|(_, w)| w)
    .collect()
}

/// JSON for a terminal: the same values, with every character the sanitiser would not
/// let through (controls JSON leaves raw, such as DEL and the C1 range, bidi overrides,
/// zero-width characters) written as a `\uXXXX` escape. Such characters can only occur
/// inside JSON strings, so the document means exactly what it meant.
pub fn inert_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c != '\n' && (c.is_control() || crate::text::is_unsafe(c)) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

pub fn write_json(out: &mut impl Write, value: &impl serde::Serialize) -> io::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    writeln!(out, "{}", inert_json(&text))
}

/// Text for a CSV cell: inert, and never the start of a spreadsheet formula.
pub fn csv_text(s: &str) -> String {
    guard_csv_cell(sanitize(s))
}

pub fn rfc3339(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// The rows as a JSON array, each the credential as the server gave it plus its ids, names,
/// status and flags.
pub fn credentials_json(out: &mut impl Write, rows: &[Listed]) -> io::Result<()> {
    let list: Vec<_> = rows
        .iter()
        .map(|r| {
            // Nothing known, nothing given: a null lastUsedAt would say "never used".
            let mut v = r
                .credential
                .as_ref()
                .and_then(|c| serde_json::to_value(c).ok())
                .unwrap_or_else(|| json!({}));
            v["id"] = r.ids.credential_id.clone().into();
            v["appId"] = r.ids.app_id.clone().into();
            v["connectorId"] = r.ids.connector_id.clone().into();
            v["appName"] = r.app_name.clone().into();
            v["connectorName"] = r.connector_name.clone().into();
            v["status"] = Status::of(r.flags).word().into();
            v["flags"] = flag_words(r.flags).into();
            v
        })
        .collect();
    write_json(out, &list)
}

/// The rows as CSV with a header line.
pub fn credentials_csv(out: impl Write, rows: &[Listed]) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "app_id",
        "connector_id",
        "id",
        "display_name",
        "app_name",
        "connector_name",
        "client_id",
        "created_at",
        "last_used_at",
        "expires_time",
        "deleted_at",
        "status",
        "flags",
    ])?;
    // CSV lands in terminals as often as in spreadsheets: its text is made inert as in the
    // table, and cannot start a formula (JSON keeps every string exactly, escaped).
    for r in rows {
        let c = r.credential.clone().unwrap_or_default();
        w.write_record([
            csv_text(&r.ids.app_id),
            csv_text(&r.ids.connector_id),
            csv_text(&r.ids.credential_id),
            csv_text(c.display_name.as_deref().unwrap_or("")),
            csv_text(r.app_name.as_deref().unwrap_or("")),
            csv_text(r.connector_name.as_deref().unwrap_or("")),
            csv_text(c.client_id.as_deref().unwrap_or("")),
            rfc3339(c.created_at),
            rfc3339(c.last_used_at),
            rfc3339(c.expires_time),
            rfc3339(c.deleted_at),
            Status::of(r.flags).word().to_string(),
            flag_words(r.flags).join(", "),
        ])?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_what_could_drive_a_terminal_and_means_the_same() {
        let hostile = "a\u{1b}[31mred\u{7f}\u{9b}2J\u{202e}gnp\u{200b}\u{e0041}é日本";
        let text = serde_json::to_string_pretty(&json!({"name": hostile, "n": [1, 2]})).unwrap();
        let inert = inert_json(&text);
        assert!(
            !inert
                .chars()
                .any(|c| c != '\n' && (c.is_control() || crate::text::is_unsafe(c))),
            "{inert}"
        );
        assert!(inert.contains("é日本"), "{inert}");
        let back: serde_json::Value = serde_json::from_str(&inert).unwrap();
        assert_eq!(back["name"], hostile);
    }
}

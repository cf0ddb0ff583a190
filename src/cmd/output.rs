//! Printing for scripts and people: aligned tables for a terminal, JSON and CSV that stay
//! stable. Everything that came from the server is made inert before it is printed.

use std::io::{self, Write};

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::json;

use crate::api::ConnectorCredential;
use crate::audit::{Flags, Status};
use crate::cli::Format;
use crate::import::guard_csv_cell;
use crate::model::{CredentialKey, JournalEntry};
use crate::text::{fit, relative, sanitize, width};

/// What the table prints for a field of a credential of which nothing is known.
const UNKNOWN: &str = "unknown";

/// A credential as `list` prints it.
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

    fn field(
        &self,
        f: impl Fn(&ConnectorCredential) -> Option<DateTime<Utc>>,
    ) -> Option<DateTime<Utc>> {
        self.credential.as_ref().and_then(f)
    }
}

/// Control characters and escape sequences shown inert: a name cannot drive the terminal.
pub fn inert(s: &str) -> String {
    sanitize(s)
}

/// Text for a CSV cell: inert, and never the start of a spreadsheet formula.
pub(super) fn csv_text(s: &str) -> String {
    guard_csv_cell(inert(s))
}

/// `inert`, line by line: a message keeps its line breaks (a settings file's parse error
/// draws a caret under the bad line) while a server's text inside it cannot drive the
/// terminal.
pub fn inert_lines(s: &str) -> String {
    s.split('\n').map(sanitize).collect::<Vec<_>>().join("\n")
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

pub(super) fn write_json(out: &mut impl Write, value: &impl serde::Serialize) -> io::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    writeln!(out, "{}", inert_json(&text))
}

pub(super) fn rfc3339(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default()
}

fn when(t: Option<DateTime<Utc>>, now: DateTime<Utc>, unset: &str) -> String {
    t.map_or_else(|| unset.to_string(), |t| relative(t, now))
}

/// Every flag that holds, as words: "never used, expiring".
fn flag_words(flags: Flags) -> Vec<&'static str> {
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

pub fn credentials(rows: &[Listed], format: Format, now: DateTime<Utc>) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match format {
        Format::Json => {
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
            write_json(&mut out, &list)
        }
        Format::Csv => {
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
            // CSV lands in terminals as often as in spreadsheets: its text is made inert
            // as in the table, and cannot start a formula (`-o json` keeps every string
            // exactly, escaped).
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
        Format::Table => {
            let header = [
                "NAME",
                "APP",
                "CONNECTOR",
                "CLIENT ID",
                "CREATED",
                "LAST USED",
                "EXPIRES",
                "STATUS",
                "ID",
            ];
            let body: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    let c = r.credential.as_ref();
                    // Never fetched, or gone before it was: unknown, not "never".
                    let unset = |fallback| if c.is_some() { fallback } else { UNKNOWN };
                    vec![
                        inert(r.name().unwrap_or(unset("—"))),
                        inert(r.app_name.as_deref().unwrap_or(&r.ids.app_id)),
                        inert(r.connector_name.as_deref().unwrap_or(&r.ids.connector_id)),
                        inert(c.and_then(|c| c.client_id.as_deref()).unwrap_or(unset("—"))),
                        when(r.field(|c| c.created_at), now, unset("—")),
                        when(r.field(|c| c.last_used_at), now, unset("never")),
                        when(r.field(|c| c.expires_time), now, unset("no expiry")),
                        // The dashboard's word for the status (flags in -o json/csv).
                        Status::of(r.flags).word().to_string(),
                        inert(&r.ids.credential_id),
                    ]
                })
                .collect();
            table(&mut out, &header, &body, &[32, 24, 28, 40])
        }
    }
}

pub fn journal(entries: &[JournalEntry], format: Format) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match format {
        Format::Json => write_json(&mut out, &entries),
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "time",
                "profile",
                "actor_client_id",
                "action",
                "app_id",
                "connector_id",
                "credential_id",
                "outcome",
            ])?;
            for e in entries {
                w.write_record([
                    rfc3339(Some(e.time)),
                    csv_text(&e.profile),
                    csv_text(e.actor_client_id.as_deref().unwrap_or("")),
                    e.action.as_str().to_string(),
                    csv_text(&e.app_id),
                    csv_text(&e.connector_id),
                    csv_text(e.credential_id.as_deref().unwrap_or("")),
                    csv_text(&e.outcome.to_string()),
                ])?;
            }
            w.flush()
        }
        Format::Table => {
            let header = [
                "TIME",
                "ACTION",
                "CREDENTIAL",
                "CONNECTOR",
                "APP",
                "ACTOR",
                "OUTCOME",
            ];
            let body: Vec<Vec<String>> = entries
                .iter()
                .map(|e| {
                    vec![
                        rfc3339(Some(e.time)),
                        e.action.to_string(),
                        inert(e.credential_id.as_deref().unwrap_or("—")),
                        inert(&e.connector_id),
                        inert(&e.app_id),
                        inert(e.actor_client_id.as_deref().unwrap_or("access token")),
                        inert(&e.outcome.to_string()),
                    ]
                })
                .collect();
            if body.is_empty() {
                eprintln!("the journal is empty: nothing was revoked or rotated for this tenant");
                return Ok(());
            }
            table(&mut out, &header, &body, &[])
        }
    }
}

/// Columns padded to their widest cell; `caps[i]` limits column i (longer cells are cut
/// with an ellipsis).
pub(super) fn table(
    out: &mut impl Write,
    header: &[&str],
    body: &[Vec<String>],
    caps: &[usize],
) -> io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in body {
        for (i, cell) in row.iter().enumerate() {
            let cap = caps.get(i).copied().unwrap_or(usize::MAX);
            widths[i] = widths[i].max(width(cell).min(cap));
        }
    }
    let line = |cells: Vec<String>| -> String {
        let last = cells.len() - 1;
        cells
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let c = fit(&c, widths[i]);
                if i == last {
                    c
                } else {
                    let pad = widths[i] - width(&c);
                    format!("{c}{}", " ".repeat(pad))
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    writeln!(
        out,
        "{}",
        line(header.iter().map(|h| h.to_string()).collect())
    )?;
    for row in body {
        writeln!(out, "{}", line(row.clone()))?;
    }
    Ok(())
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

    #[test]
    fn messages_keep_their_lines_and_lose_their_escapes() {
        assert_eq!(
            inert_lines("bad.toml line 2\n  | x = = 1\n\u{1b}]0;t\u{7}ok"),
            "bad.toml line 2\n  | x = = 1\n\u{fffd}ok"
        );
    }
}

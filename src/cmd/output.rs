//! Printing for scripts and people: aligned tables for a terminal, JSON and CSV that stay
//! stable. Everything that came from the server is made inert before it is printed.

use std::io::{self, Write};

use chrono::{DateTime, Utc};

use crate::audit::Status;
use crate::cli::Format;
use crate::model::JournalEntry;
use crate::text::{fit, relative, sanitize, width};

/// What the table prints for a field of a credential of which nothing is known.
const UNKNOWN: &str = "unknown";

pub use crate::export::{Listed, inert_json};
pub(super) use crate::export::{csv_text, rfc3339, write_json};

/// Control characters and escape sequences shown inert: a name cannot drive the terminal.
pub fn inert(s: &str) -> String {
    sanitize(s)
}

/// `inert`, line by line: a message keeps its line breaks (a settings file's parse error
/// draws a caret under the bad line) while a server's text inside it cannot drive the
/// terminal.
pub fn inert_lines(s: &str) -> String {
    s.split('\n').map(sanitize).collect::<Vec<_>>().join("\n")
}

fn when(t: Option<DateTime<Utc>>, now: DateTime<Utc>, unset: &str) -> String {
    t.map_or_else(|| unset.to_string(), |t| relative(t, now))
}

pub fn credentials(rows: &[Listed], format: Format, now: DateTime<Utc>) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match format {
        Format::Json => crate::export::credentials_json(&mut out, rows),
        Format::Csv => crate::export::credentials_csv(out, rows),
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
                        when(c.and_then(|c| c.created_at), now, unset("—")),
                        when(c.and_then(|c| c.last_used_at), now, unset("never")),
                        when(c.and_then(|c| c.expires_time), now, unset("no expiry")),
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
    fn messages_keep_their_lines_and_lose_their_escapes() {
        assert_eq!(
            inert_lines("bad.toml line 2\n  | x = = 1\n\u{1b}]0;t\u{7}ok"),
            "bad.toml line 2\n  | x = = 1\n\u{fffd}ok"
        );
    }
}

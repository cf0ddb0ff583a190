//! The dashboard's command line history (`:`), per tenant: the lines entered, oldest first,
//! the newest few kept. A line that holds a client secret is never written.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::params;

use super::{Result, Store};
use crate::api::secret::holds_client_secret;

impl Store {
    /// This tenant's newest `keep` command lines, oldest first.
    pub fn command_history(&self, keep: usize) -> Result<Vec<String>> {
        self.read(|tx| {
            let mut st = tx
                .prepare(
                    "SELECT line FROM command_history WHERE tenant = ?1
                     ORDER BY id DESC LIMIT ?2",
                )
                .map_err(|e| self.err(e))?;
            let mut lines = st
                .query_map(params![self.tenant.as_str(), keep as i64], |r| {
                    r.get::<_, String>(0)
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(|e| self.err(e))?;
            lines.reverse();
            Ok(lines)
        })
    }

    /// Adds a line entered at `at` to this tenant's history and keeps its newest `keep`.
    /// Returns whether it was written: not when it is blank, the same as the newest kept, or
    /// holds a client secret.
    pub fn remember_command(&self, line: &str, at: DateTime<Utc>, keep: usize) -> Result<bool> {
        let line = line.trim();
        if line.is_empty() || holds_client_secret(line) {
            return Ok(false);
        }
        let tenant = self.tenant.as_str();
        self.write(|tx| {
            let newest: Option<String> = tx
                .query_row(
                    "SELECT line FROM command_history WHERE tenant = ?1 ORDER BY id DESC LIMIT 1",
                    params![tenant],
                    |r| r.get(0),
                )
                .map(Some)
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    e => Err(e),
                })
                .map_err(|e| self.err(e))?;
            if newest.as_deref() == Some(line) {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO command_history (tenant, line, entered_at) VALUES (?1, ?2, ?3)",
                params![
                    tenant,
                    line,
                    at.to_rfc3339_opts(SecondsFormat::Micros, true)
                ],
            )
            .map_err(|e| self.err(e))?;
            tx.execute(
                "DELETE FROM command_history WHERE tenant = ?1 AND id NOT IN
                     (SELECT id FROM command_history WHERE tenant = ?1 ORDER BY id DESC LIMIT ?2)",
                params![tenant, keep as i64],
            )
            .map_err(|e| self.err(e))?;
            Ok(true)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        "2026-03-01T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn lines_are_kept_per_tenant_oldest_first_the_newest_few() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(Store::FILE_NAME);
        let acme = Store::open(&path, "acme.conductor.one").unwrap();
        let other = Store::open(&path, "other.conductor.one").unwrap();
        assert!(acme.remember_command("sort name", at(), 3).unwrap());
        assert!(!acme.remember_command(" sort name ", at(), 3).unwrap());
        assert!(!acme.remember_command("  ", at(), 3).unwrap());
        assert!(other.remember_command("refresh", at(), 3).unwrap());
        for l in ["filter app:okta", "view slim", "columns name status"] {
            acme.remember_command(l, at(), 3).unwrap();
        }
        assert_eq!(
            acme.command_history(100).unwrap(),
            ["filter app:okta", "view slim", "columns name status"]
        );
        assert_eq!(
            acme.command_history(2).unwrap(),
            ["view slim", "columns name status"]
        );
        assert_eq!(other.command_history(100).unwrap(), ["refresh"]);
    }

    #[test]
    fn a_line_holding_a_client_secret_is_never_written() {
        let store = Store::open_in_memory("acme.conductor.one").unwrap();
        let secret = "filter secret-token:eyJhbGciOiJFZERTQSIsImtpZCI6IngifQ";
        assert!(holds_client_secret(secret));
        assert!(!store.remember_command(secret, at(), 100).unwrap());
        assert!(store.command_history(100).unwrap().is_empty());
    }
}

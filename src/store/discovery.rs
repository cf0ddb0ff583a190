//! What `credboard discover` keeps: the ids it found in the tenant's system log, each with
//! the event that named it, and how far the tenant's log has been read (migration 4).

use std::fmt;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};

use super::columns::time_text;
use super::{Result, Store, StoreError};
use crate::api::model::ConnectorCredential;
use crate::model::{CredentialKey, Source};

/// A place in a tenant's system log: an event's time and, when it has a usable one, its
/// uid. Ordered by time, then uid, the order the log is read in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LogCursor {
    pub time: DateTime<Utc>,
    pub uid: Option<String>,
}

/// Where a discovered id came from: the system log event that named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub event_uid: Option<String>,
    pub event_time: Option<DateTime<Utc>>,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.event_uid, self.event_time) {
            (Some(uid), _) => write!(f, "system log, event {uid}"),
            (None, Some(time)) => write!(f, "system log, an event of {}", time_text(&time)),
            (None, None) => f.write_str("system log"),
        }
    }
}

/// A credential found in the system log and verified: its ids, the event that named them,
/// and what the verifying Get returned.
#[derive(Debug, Clone)]
pub struct Discovered {
    pub key: CredentialKey,
    pub origin: Origin,
    pub credential: ConnectorCredential,
}

/// What tracking one discovered credential came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tracking {
    /// Tracked now, with source `discover` and its origin.
    New,
    /// Already tracked under the same ids (another run, or another process, got there first).
    AlreadyTracked,
    /// The credential id is tracked under another app or connector: nothing changed.
    TrackedElsewhere(String),
}

impl Store {
    /// Tracks each discovered credential in one transaction: its ids with source `discover`,
    /// its origin, and the verifying Get's answer as its last known state.
    pub fn track_discovered(
        &self,
        found: &[Discovered],
        at: DateTime<Utc>,
    ) -> Result<Vec<Tracking>> {
        self.write(|tx| {
            let mut out = Vec::with_capacity(found.len());
            for d in found {
                out.push(match self.track_in(tx, &d.key, Source::Discover, &at) {
                    Ok(true) => {
                        self.save_origin_in(tx, &d.key.credential_id, &d.origin, &at)?;
                        if d.credential.id.as_deref() == Some(d.key.credential_id.as_str()) {
                            self.save_state_in(tx, &d.credential, &at)?;
                        }
                        Tracking::New
                    }
                    Ok(false) => Tracking::AlreadyTracked,
                    Err(elsewhere @ StoreError::TrackedElsewhere { .. }) => {
                        Tracking::TrackedElsewhere(elsewhere.to_string())
                    }
                    Err(e) => return Err(e),
                });
            }
            Ok(out)
        })
    }

    fn save_origin_in(
        &self,
        tx: &Transaction<'_>,
        credential_id: &str,
        origin: &Origin,
        at: &DateTime<Utc>,
    ) -> Result<()> {
        tx.prepare_cached(
            "INSERT OR REPLACE INTO discovered_origins
                 (tenant, credential_id, event_uid, event_time, discovered_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .and_then(|mut st| {
            st.execute(params![
                self.tenant.as_str(),
                credential_id,
                origin.event_uid,
                origin.event_time.as_ref().map(time_text),
                time_text(at),
            ])
        })
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Where each discovered credential of this tenant came from, by credential id.
    pub fn discovered_origins(&self) -> Result<Vec<(String, Origin)>> {
        self.read(|tx| {
            let mut st = tx
                .prepare(
                    "SELECT credential_id, event_uid, event_time FROM discovered_origins
                     WHERE tenant = ?1 ORDER BY credential_id",
                )
                .map_err(|e| self.err(e))?;
            let mut rows = st
                .query(params![self.tenant.as_str()])
                .map_err(|e| self.err(e))?;
            let mut out = Vec::new();
            while let Some(r) = rows.next().map_err(|e| self.err(e))? {
                let id: String = r.get(0).map_err(|e| self.err(e))?;
                let origin = Origin {
                    event_uid: self.text_at(r, 1)?,
                    event_time: self.time_at(r, 2, "discovered credential's event time")?,
                };
                out.push((id, origin));
            }
            Ok(out)
        })
    }

    /// How far this tenant's system log has been read, if it ever was.
    pub fn system_log_cursor(&self) -> Result<Option<LogCursor>> {
        self.read(|tx| self.cursor_in(tx))
    }

    fn cursor_in(&self, tx: &Transaction<'_>) -> Result<Option<LogCursor>> {
        let row = tx
            .query_row(
                "SELECT event_time, event_uid FROM system_log_cursors WHERE tenant = ?1",
                params![self.tenant.as_str()],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((time, uid)) = row else {
            return Ok(None);
        };
        let time = DateTime::parse_from_rfc3339(&time)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| self.corrupt("system log cursor", e))?;
        Ok(Some(LogCursor { time, uid }))
    }

    /// Records that this tenant's log has been read up to `cursor`. Never moves back: a run
    /// that read an older stretch again (`--since`) leaves a later cursor in place.
    /// Returns the cursor kept.
    pub fn advance_system_log_cursor(&self, cursor: &LogCursor) -> Result<LogCursor> {
        let now = Utc::now();
        self.write(|tx| {
            if let Some(kept) = self.cursor_in(tx)?.filter(|kept| kept >= cursor) {
                return Ok(kept);
            }
            tx.execute(
                "INSERT OR REPLACE INTO system_log_cursors (tenant, event_time, event_uid, read_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    self.tenant.as_str(),
                    time_text(&cursor.time),
                    cursor.uid,
                    time_text(&now),
                ],
            )
            .map_err(|e| self.err(e))?;
            Ok(cursor.clone())
        })
    }
}

//! The action journal: every revoke and rotate, with its outcome, failures included.
//! Append-only: there is no API to edit or delete an entry, and triggers in the schema refuse
//! UPDATE and DELETE on the table.
//!
//! Written ahead: a request that changes the tenant is journaled as `requested` before it is
//! sent, and its outcome is a second entry naming the first ([`Store::append_outcome`]). A
//! request with no outcome (the process was killed, the disk filled) is found by
//! [`Store::unanswered_requests`] and checked at the next start.

use chrono::{DateTime, Utc};
use rusqlite::{Transaction, params};

use super::columns::time_text;
use super::{Result, Store, StoreError};
use crate::api::model::ConnectorCredential;
use crate::model::{Action, CredentialKey, EntryId, JournalEntry, Outcome, Source};

impl Store {
    /// Appends an entry to this tenant's journal; a `requested` entry before its request is
    /// sent (if this fails, send nothing).
    pub fn append_journal(&self, entry: &JournalEntry) -> Result<EntryId> {
        self.write(|tx| self.append_journal_in(tx, entry, None))
    }

    /// Appends the outcome of `request`.
    pub fn append_outcome(&self, request: EntryId, entry: &JournalEntry) -> Result<EntryId> {
        self.write(|tx| self.append_journal_in(tx, entry, Some(request)))
    }

    pub(super) fn append_journal_in(
        &self,
        tx: &Transaction<'_>,
        e: &JournalEntry,
        request: Option<EntryId>,
    ) -> Result<EntryId> {
        tx.prepare_cached(
            "INSERT INTO journal (tenant, profile, time, actor_client_id, action, app_id,
                                  connector_id, credential_id, outcome, message, request_id, pid)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )
        .and_then(|mut st| {
            st.execute(params![
                self.tenant.as_str(),
                e.profile,
                time_text(&e.time),
                e.actor_client_id,
                e.action.as_str(),
                e.app_id,
                e.connector_id,
                e.credential_id,
                e.outcome.kind(),
                e.outcome.message(),
                request.map(|r| r.0),
                std::process::id(),
            ])
        })
        .map_err(|err| self.err(err))?;
        Ok(EntryId(tx.last_insert_rowid()))
    }

    /// Records a successful rotate in one transaction: tracks the new credential (source
    /// rotate), saves it as its last known state and appends the outcome of `request`.
    /// `credential` is the rotate reply; its secret is not stored.
    pub fn record_rotation(
        &self,
        request: EntryId,
        credential: &ConnectorCredential,
        actor_client_id: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let ids = CredentialKey::of(credential).ok_or(StoreError::MissingId {
            what: "a rotated credential (it needs an id, an app id and a connector id)",
        })?;
        self.write(|tx| {
            self.track_in(tx, &ids, Source::Rotate, &at)?;
            self.save_state_in(tx, credential, &at)?;
            self.append_journal_in(
                tx,
                &JournalEntry {
                    time: at,
                    profile: self.profile.clone().unwrap_or_default(),
                    actor_client_id: actor_client_id.map(str::to_string),
                    action: Action::Rotate,
                    app_id: ids.app_id.clone(),
                    connector_id: ids.connector_id.clone(),
                    credential_id: Some(ids.credential_id.clone()),
                    outcome: Outcome::Ok,
                },
                Some(request),
            )
            .map(drop)
        })
    }

    /// This tenant's `requested` entries that no outcome names, oldest first, leaving out
    /// those of a credboard process still running, this one included: their request may be
    /// in flight. One query, so a request written meanwhile is either seen with its process
    /// or not at all.
    pub fn unanswered_requests(&self) -> Result<Vec<(EntryId, JournalEntry)>> {
        Ok(self
            .journal_where(
                "tenant = ?1 AND outcome = 'requested'
                 AND NOT EXISTS (SELECT 1 FROM journal o WHERE o.request_id = journal.id)
                 ORDER BY id",
            )?
            .into_iter()
            .filter(|(_, _, pid)| pid.is_none_or(|p| !process_runs(p)))
            .map(|(id, entry, _)| (id, entry))
            .collect())
    }

    /// This tenant's journal, newest first: its own entries, and those schema 1 wrote under
    /// a profile this tenant adopted.
    pub fn journal(&self) -> Result<Vec<JournalEntry>> {
        Ok(self
            .journal_where(
                "tenant = ?1
                 OR (tenant IS NULL
                     AND profile IN (SELECT profile FROM adoptions WHERE tenant = ?1))
                 ORDER BY id DESC",
            )?
            .into_iter()
            .map(|(_, entry, _)| entry)
            .collect())
    }

    /// The entries a `WHERE` clause (with `?1` the tenant) picks, in its order, each with
    /// the process that wrote it (none for schema 1's).
    fn journal_where(&self, clause: &str) -> Result<Vec<(EntryId, JournalEntry, Option<i64>)>> {
        let conn = self.lock();
        let mut st = conn
            .prepare(&format!(
                "SELECT id, time, profile, actor_client_id, action, app_id, connector_id,
                        credential_id, outcome, message, pid
                 FROM journal WHERE {clause}"
            ))
            .map_err(|e| self.err(e))?;
        let mut rows = st
            .query(params![self.tenant.as_str()])
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let text = |i| r.get::<_, String>(i).map_err(|e| self.err(e));
            let action = match text(4)?.as_str() {
                "revoke" => Action::Revoke,
                "rotate" => Action::Rotate,
                other => return Err(self.corrupt("journal action", format!("{other:?}"))),
            };
            let outcome = text(8)?;
            let outcome = Outcome::from_row(&outcome, self.text_at(r, 9)?)
                .ok_or_else(|| self.corrupt("journal outcome", format!("{outcome:?}")))?;
            out.push((
                EntryId(r.get(0).map_err(|e| self.err(e))?),
                JournalEntry {
                    time: self.required_time_at(r, 1, "journal time")?,
                    profile: text(2)?,
                    actor_client_id: self.text_at(r, 3)?,
                    action,
                    app_id: text(5)?,
                    connector_id: text(6)?,
                    credential_id: self.text_at(r, 7)?,
                    outcome,
                },
                r.get(10).map_err(|e| self.err(e))?,
            ));
        }
        Ok(out)
    }
}

/// Whether `pid` is a running process, this one included (its own requests are in flight,
/// not abandoned). A pid reused since leaves its requests for a later start: deferred, never
/// misjudged.
fn process_runs(pid: i64) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    if u32::try_from(pid).ok() == Some(std::process::id()) {
        return true;
    }
    // Signal 0 checks that the process exists without sending anything; EPERM means it
    // exists but belongs to another user.
    // SAFETY: kill with signal 0 has no effect on the target process.
    let sent = unsafe { libc::kill(pid, 0) };
    sent == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

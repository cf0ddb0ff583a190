//! The action journal: every revoke and rotate, with its outcome, failures included.
//! Append-only: there is no API to edit or delete an entry, and triggers in the schema refuse
//! UPDATE and DELETE on the table.

use std::fmt;

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::{Result, Source, Store, StoreError, TrackedId, time_text};
use crate::api::model::ConnectorCredential;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Revoke,
    Rotate,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Revoke => "revoke",
            Action::Rotate => "rotate",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an action ended. Serialized as `{"kind":"ok"}`, `{"kind":"already_gone"}`,
/// `{"kind":"not_found","message":"..."}` or `{"kind":"failed","message":"..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "message", rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    /// Revoke: the server's own record said the credential was revoked (`deletedAt`) before
    /// credboard asked; nothing was sent. (Schema 1 wrote this for any 404 on revoke.)
    AlreadyGone,
    /// Revoke: the server holds no credential under those ids; nothing was revoked. The
    /// message says what the server answered.
    NotFound(String),
    /// The action failed; the message says why (it must never contain a secret).
    Failed(String),
}

impl Outcome {
    fn kind(&self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::AlreadyGone => "already_gone",
            Outcome::NotFound(_) => "not_found",
            Outcome::Failed(_) => "failed",
        }
    }

    fn message(&self) -> Option<&str> {
        match self {
            Outcome::NotFound(m) | Outcome::Failed(m) => Some(m),
            Outcome::Ok | Outcome::AlreadyGone => None,
        }
    }

    fn from_row(kind: &str, message: Option<String>) -> Option<Outcome> {
        Some(match kind {
            "ok" => Outcome::Ok,
            "already_gone" => Outcome::AlreadyGone,
            "not_found" => Outcome::NotFound(message.unwrap_or_default()),
            "failed" => Outcome::Failed(message.unwrap_or_default()),
            _ => return None,
        })
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Ok => f.write_str("ok"),
            Outcome::AlreadyGone => f.write_str("already revoked"),
            Outcome::NotFound(m) => write!(f, "not found: {m}"),
            Outcome::Failed(m) => write!(f, "failed: {m}"),
        }
    }
}

/// One journal line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    pub time: DateTime<Utc>,
    /// The profile credboard ran with; empty when none was named.
    pub profile: String,
    /// The client id credboard acted as; `None` with a ready-made access token.
    pub actor_client_id: Option<String>,
    pub action: Action,
    pub app_id: String,
    pub connector_id: String,
    /// Revoke: the revoked credential. Rotate: the new credential, if the rotate succeeded.
    pub credential_id: Option<String>,
    pub outcome: Outcome,
}

impl Store {
    /// Appends an entry to this tenant's journal.
    pub fn append_journal(&self, entry: &JournalEntry) -> Result<()> {
        self.write(|tx| self.append_journal_in(tx, entry))
    }

    fn append_journal_in(&self, tx: &rusqlite::Transaction<'_>, e: &JournalEntry) -> Result<()> {
        let message = e.outcome.message();
        tx.prepare_cached(
            "INSERT INTO journal (tenant, profile, time, actor_client_id, action, app_id,
                                  connector_id, credential_id, outcome, message)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
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
                message,
            ])
        })
        .map_err(|err| self.err(err))?;
        Ok(())
    }

    /// Records a successful rotate in one transaction, before anything else can fail: tracks
    /// the new credential (source rotate), saves it as its last known state and appends the
    /// journal entry. `credential` is the rotate reply; its secret is not stored.
    pub fn record_rotation(
        &self,
        credential: &ConnectorCredential,
        actor_client_id: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let ids = TrackedId::of(credential).ok_or(StoreError::MissingId {
            what: "a rotated credential (it needs an id, an app id and a connector id)",
        })?;
        let json = serde_json::to_string(credential).map_err(|source| StoreError::Encode {
            what: "a credential",
            source,
        })?;
        self.write(|tx| {
            self.track_in(tx, &ids, Source::Rotate, &at)?;
            tx.execute(
                "UPDATE credentials SET json = ?3, fetched_at = ?4, gone = 0
                 WHERE tenant = ?1 AND credential_id = ?2",
                params![
                    self.tenant.as_str(),
                    ids.credential_id,
                    json,
                    time_text(&at)
                ],
            )
            .map_err(|e| self.err(e))?;
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
            )
        })
    }

    /// This tenant's journal, newest first: its own entries, and those schema 1 wrote under
    /// a profile this tenant adopted.
    pub fn journal(&self) -> Result<Vec<JournalEntry>> {
        let conn = self.lock();
        let mut st = conn
            .prepare(
                "SELECT time, profile, actor_client_id, action, app_id, connector_id,
                        credential_id, outcome, message
                 FROM journal
                 WHERE tenant = ?1
                    OR (tenant IS NULL
                        AND profile IN (SELECT profile FROM adoptions WHERE tenant = ?1))
                 ORDER BY id DESC",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![self.tenant.as_str()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, Option<String>>(8)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (time, profile, actor, action, app_id, connector_id, cred, outcome, message) =
                row.map_err(|e| self.err(e))?;
            let action = match action.as_str() {
                "revoke" => Action::Revoke,
                "rotate" => Action::Rotate,
                other => return Err(self.corrupt("journal action", format!("{other:?}"))),
            };
            let outcome = Outcome::from_row(&outcome, message)
                .ok_or_else(|| self.corrupt("journal outcome", format!("{outcome:?}")))?;
            out.push(JournalEntry {
                time: self.parse_time("journal time", &time)?,
                profile,
                actor_client_id: actor,
                action,
                app_id,
                connector_id,
                credential_id: cred,
                outcome,
            });
        }
        Ok(out)
    }
}

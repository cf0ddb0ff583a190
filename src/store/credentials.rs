//! The tracked credentials: their ids, how credboard learned them, and what the server last
//! said about each (or that it answered 404: gone).

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};

use super::columns::credential_time;
use super::{Result, Store, StoreError, Tracked};
use crate::api::model::ConnectorCredential;
use crate::changes::{Answer, diff};
use crate::model::{CredentialKey, KnownCredential, Source};

/// The columns [`Store::known_at`] reads, in its order.
const KNOWN_COLUMNS: &str = "app_id, connector_id, credential_id, source, learned_at, fetched_at,
     gone, has_state, display_name, client_id, created_at, updated_at, deleted_at,
     expires_time, last_used_at";

impl Store {
    /// Starts tracking a credential. `Ok(true)` if it is new, `Ok(false)` if it was already
    /// tracked with the same app and connector; an error if the id is tracked under others.
    pub fn track(&self, ids: &CredentialKey, source: Source) -> Result<bool> {
        let now = Utc::now();
        self.write(|tx| self.track_in(tx, ids, source, &now))
    }

    pub(super) fn track_in(
        &self,
        tx: &Transaction<'_>,
        ids: &CredentialKey,
        source: Source,
        learned_at: &DateTime<Utc>,
    ) -> Result<bool> {
        if let Some(existing) = self.tracked_ids_in(tx, &ids.credential_id)? {
            if existing.app_id == ids.app_id && existing.connector_id == ids.connector_id {
                return Ok(false);
            }
            return Err(StoreError::TrackedElsewhere {
                credential_id: existing.credential_id,
                app_id: existing.app_id,
                connector_id: existing.connector_id,
            });
        }
        tx.prepare_cached(
            "INSERT INTO credentials (tenant, credential_id, app_id, connector_id, source, learned_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .and_then(|mut st| {
            st.execute(params![
                self.tenant.as_str(),
                ids.credential_id,
                ids.app_id,
                ids.connector_id,
                source.as_str(),
                credential_time(learned_at),
            ])
        })
        .map_err(|e| self.err(e))?;
        Ok(true)
    }

    fn tracked_ids_in(
        &self,
        tx: &Transaction<'_>,
        credential_id: &str,
    ) -> Result<Option<CredentialKey>> {
        tx.prepare_cached(
            "SELECT app_id, connector_id FROM credentials WHERE tenant = ?1 AND credential_id = ?2",
        )
        .and_then(|mut st| {
            st.query_row(params![self.tenant.as_str(), credential_id], |r| {
                Ok(CredentialKey::new(
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    credential_id,
                ))
            })
            .optional()
        })
        .map_err(|e| self.err(e))
    }

    /// Stops tracking a credential and forgets its last known state. `Ok(false)` if it was
    /// not tracked. The journal keeps its entries.
    pub fn untrack(&self, credential_id: &str) -> Result<bool> {
        self.write(|tx| {
            let n = tx
                .execute(
                    "DELETE FROM credentials WHERE tenant = ?1 AND credential_id = ?2",
                    params![self.tenant.as_str(), credential_id],
                )
                .map_err(|e| self.err(e))?;
            Ok(n > 0)
        })
    }

    /// The tracked credentials, ordered by credential id.
    pub fn tracked(&self) -> Result<Vec<Tracked>> {
        self.read(|tx| {
            let mut st = tx
                .prepare(
                    "SELECT app_id, connector_id, credential_id, source, learned_at
                     FROM credentials WHERE tenant = ?1 ORDER BY credential_id",
                )
                .map_err(|e| self.err(e))?;
            let mut rows = st
                .query(params![self.tenant.as_str()])
                .map_err(|e| self.err(e))?;
            let mut out = Vec::new();
            while let Some(r) = rows.next().map_err(|e| self.err(e))? {
                out.push(Tracked {
                    ids: self.key_at(r)?,
                    source: self.source_at(r, 3)?,
                    learned_at: self.required_time_at(r, 4, "learned_at time")?,
                });
            }
            Ok(out)
        })
    }

    /// How many credentials are tracked.
    pub fn tracked_count(&self) -> Result<usize> {
        self.read(|tx| {
            tx.query_row(
                "SELECT count(*) FROM credentials WHERE tenant = ?1",
                params![self.tenant.as_str()],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| usize::try_from(n).unwrap_or(0))
            .map_err(|e| self.err(e))
        })
    }

    /// Up to `limit` tracked ids, ordered by credential id, starting after `after`: a page of
    /// the inventory, so a caller walking all of it holds one page at a time.
    pub fn tracked_ids_after(&self, after: &str, limit: usize) -> Result<Vec<CredentialKey>> {
        self.read(|tx| {
            let mut st = tx
                .prepare_cached(
                    "SELECT app_id, connector_id, credential_id FROM credentials
                     WHERE tenant = ?1 AND credential_id > ?2 ORDER BY credential_id LIMIT ?3",
                )
                .map_err(|e| self.err(e))?;
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let mut rows = st
                .query(params![self.tenant.as_str(), after, limit])
                .map_err(|e| self.err(e))?;
            let mut out = Vec::new();
            while let Some(r) = rows.next().map_err(|e| self.err(e))? {
                out.push(self.key_at(r)?);
            }
            Ok(out)
        })
    }

    /// Saves what the server said about a tracked credential and clears its gone flag.
    /// `Ok(false)` (nothing saved) if the credential is not tracked.
    pub fn save_credential(
        &self,
        credential: &ConnectorCredential,
        fetched_at: DateTime<Utc>,
    ) -> Result<bool> {
        self.save_credentials(std::slice::from_ref(credential), fetched_at)
            .map(|n| n == 1)
    }

    /// Saves many credentials in one transaction with one prepared statement. Returns how
    /// many were tracked (and so saved); untracked ones are skipped.
    pub fn save_credentials(
        &self,
        credentials: &[ConnectorCredential],
        fetched_at: DateTime<Utc>,
    ) -> Result<usize> {
        self.write(|tx| {
            let mut saved = 0;
            for c in credentials {
                saved += self.save_state_in(tx, c, &fetched_at)?;
            }
            self.prune_changes_in(tx, &fetched_at)?;
            Ok(saved)
        })
    }

    /// Writes `c` as the last known state of the tracked credential of its id, not gone, and
    /// what changed since the state it replaces into the change log; how many rows that was
    /// (0 if it is not tracked). Its secret has no column.
    pub(super) fn save_state_in(
        &self,
        tx: &Transaction<'_>,
        c: &ConnectorCredential,
        fetched_at: &DateTime<Utc>,
    ) -> Result<usize> {
        let id = c.id.as_deref().ok_or(StoreError::MissingId {
            what: "a credential",
        })?;
        let Some(before) = self.known_in(tx, id)? else {
            return Ok(0);
        };
        let changes = diff(&before, Answer::Found(c), *fetched_at);
        self.record_changes_in(tx, &before.key, &changes, fetched_at)?;
        let time = |t: &Option<DateTime<Utc>>| t.as_ref().map(credential_time);
        tx.prepare_cached(
            "UPDATE credentials SET fetched_at = ?3, gone = 0, has_state = 1,
                    display_name = ?4, client_id = ?5, created_at = ?6, updated_at = ?7,
                    deleted_at = ?8, expires_time = ?9, last_used_at = ?10
             WHERE tenant = ?1 AND credential_id = ?2",
        )
        .and_then(|mut st| {
            st.execute(params![
                self.tenant.as_str(),
                id,
                credential_time(fetched_at),
                c.display_name,
                c.client_id,
                time(&c.created_at),
                time(&c.updated_at),
                time(&c.deleted_at),
                time(&c.expires_time),
                time(&c.last_used_at),
            ])
        })
        .map_err(|e| self.err(e))
    }

    /// Records that the server answered 404 for a tracked credential: it is gone. The last
    /// known state is kept. `Ok(false)` if the credential is not tracked.
    pub fn mark_gone(&self, credential_id: &str, fetched_at: DateTime<Utc>) -> Result<bool> {
        self.mark_gone_many(&[credential_id], fetched_at)
            .map(|n| n == 1)
    }

    /// [`Store::mark_gone`] for many ids in one transaction; returns how many were tracked.
    pub fn mark_gone_many<S: AsRef<str>>(
        &self,
        credential_ids: &[S],
        fetched_at: DateTime<Utc>,
    ) -> Result<usize> {
        let fetched = credential_time(&fetched_at);
        self.write(|tx| {
            let mut n = 0;
            for id in credential_ids {
                let Some(before) = self.known_in(tx, id.as_ref())? else {
                    continue;
                };
                let changes = diff(&before, Answer::Gone, fetched_at);
                self.record_changes_in(tx, &before.key, &changes, &fetched_at)?;
                n += tx
                    .prepare_cached(
                        "UPDATE credentials SET fetched_at = ?3, gone = 1
                         WHERE tenant = ?1 AND credential_id = ?2",
                    )
                    .and_then(|mut st| {
                        st.execute(params![self.tenant.as_str(), id.as_ref(), &fetched])
                    })
                    .map_err(|e| self.err(e))?;
            }
            self.prune_changes_in(tx, &fetched_at)?;
            Ok(n)
        })
    }

    /// Every tracked credential with its last known state, ordered by credential id, each
    /// handed to `each` as it is read.
    pub(super) fn credentials_in(
        &self,
        tx: &Transaction<'_>,
        mut each: impl FnMut(KnownCredential),
    ) -> Result<()> {
        let mut st = tx
            .prepare(&format!(
                "SELECT {KNOWN_COLUMNS} FROM credentials WHERE tenant = ?1 ORDER BY credential_id"
            ))
            .map_err(|e| self.err(e))?;
        let mut rows = st
            .query(params![self.tenant.as_str()])
            .map_err(|e| self.err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            each(self.known_at(r)?);
        }
        Ok(())
    }

    /// The tracked credential of this id with its last known state, if it is tracked.
    pub(super) fn known_in(
        &self,
        tx: &Transaction<'_>,
        credential_id: &str,
    ) -> Result<Option<KnownCredential>> {
        let mut st = tx
            .prepare_cached(&format!(
                "SELECT {KNOWN_COLUMNS} FROM credentials WHERE tenant = ?1 AND credential_id = ?2"
            ))
            .map_err(|e| self.err(e))?;
        let mut rows = st
            .query(params![self.tenant.as_str(), credential_id])
            .map_err(|e| self.err(e))?;
        match rows.next().map_err(|e| self.err(e))? {
            Some(r) => self.known_at(r).map(Some),
            None => Ok(None),
        }
    }

    /// A row of [`KNOWN_COLUMNS`].
    fn known_at(&self, r: &rusqlite::Row<'_>) -> Result<KnownCredential> {
        let key = self.key_at(r)?;
        let last = if self.flag_at(r, 7)? {
            // Its ids are the key's and its secret has no column (see `KnownCredential`).
            Some(ConnectorCredential {
                display_name: self.text_at(r, 8)?,
                client_id: self.text_at(r, 9)?,
                created_at: self.time_at(r, 10, "credential's created_at")?,
                updated_at: self.time_at(r, 11, "credential's updated_at")?,
                deleted_at: self.time_at(r, 12, "credential's deleted_at")?,
                expires_time: self.time_at(r, 13, "credential's expires_time")?,
                last_used_at: self.time_at(r, 14, "credential's last_used_at")?,
                ..ConnectorCredential::default()
            })
        } else {
            None
        };
        Ok(KnownCredential {
            source: self.source_at(r, 3)?,
            learned_at: self.required_time_at(r, 4, "learned_at time")?,
            fetched_at: self.time_at(r, 5, "fetched_at time")?,
            gone: self.flag_at(r, 6)?,
            last,
            key,
        })
    }

    /// The key in columns 0 to 2: app id, connector id, credential id.
    fn key_at(&self, r: &rusqlite::Row<'_>) -> Result<CredentialKey> {
        let text = |i| r.get::<_, String>(i).map_err(|e| self.err(e));
        Ok(CredentialKey::new(text(0)?, text(1)?, text(2)?))
    }

    fn source_at(&self, r: &rusqlite::Row<'_>, index: usize) -> Result<Source> {
        let text = self.str_at(r, index)?.unwrap_or_default();
        Source::parse(text).ok_or_else(|| self.corrupt("credential source", format!("{text:?}")))
    }
}

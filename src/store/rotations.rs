//! Rotations (see [`crate::rotation`]): each row moves as its rotation does, and each move is
//! written with its journal entries in one transaction, so a step is recorded whole or not
//! at all, and two processes moving one rotation cannot both take the same step.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};

use super::columns::time_text;
use super::{Result, Store};
use crate::model::{JournalEntry, KnownCredential};
use crate::rotation::{NewRotation, OldCredential, Rotation, RotationId, RotationState};

impl Store {
    /// Records a rotation that starts, and the journal entry `started` makes of it, in one
    /// transaction.
    pub fn start_rotation(
        &self,
        draft: &NewRotation,
        started: impl FnOnce(&Rotation) -> JournalEntry,
    ) -> Result<Rotation> {
        self.write(|tx| {
            let time = |t: &Option<DateTime<Utc>>| t.as_ref().map(time_text);
            let waiting = draft.numbered(RotationId(0));
            tx.prepare_cached(
                "INSERT INTO rotations (tenant, app_id, connector_id, new_credential_id, state,
                                        started_at, deadline)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    self.tenant.as_str(),
                    waiting.app_id,
                    waiting.connector_id,
                    waiting.new_credential_id,
                    waiting.state.as_str(),
                    time_text(&waiting.started_at),
                    time_text(&waiting.deadline),
                ])
            })
            .map_err(|e| self.err(e))?;
            let rotation = draft.numbered(RotationId(tx.last_insert_rowid()));
            let mut st = tx
                .prepare_cached(
                    "INSERT INTO rotation_old_credentials (rotation_id, credential_id, fate,
                                                           settled_at)
                     VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(|e| self.err(e))?;
            for o in &rotation.old {
                st.execute(params![
                    rotation.id.0,
                    o.credential_id,
                    o.fate.as_str(),
                    time(&o.settled_at)
                ])
                .map_err(|e| self.err(e))?;
            }
            self.append_journal_in(tx, &started(&rotation), None)?;
            Ok(rotation)
        })
    }

    /// This tenant's rotations, newest first.
    pub fn rotations(&self) -> Result<Vec<Rotation>> {
        self.read(|tx| {
            let ids: Vec<i64> = tx
                .prepare("SELECT id FROM rotations WHERE tenant = ?1 ORDER BY id DESC")
                .and_then(|mut st| {
                    st.query_map(params![self.tenant.as_str()], |r| r.get(0))?
                        .collect()
                })
                .map_err(|e| self.err(e))?;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                out.extend(self.rotation_in(tx, RotationId(id))?);
            }
            Ok(out)
        })
    }

    /// Rotation `id`, if this tenant has it.
    pub fn rotation(&self, id: RotationId) -> Result<Option<Rotation>> {
        self.read(|tx| self.rotation_in(tx, id))
    }

    /// Moves rotation `id` in one transaction. `step` gets it as stored and the inventory's
    /// state of each credential it watches (those still tracked), and returns the rotation
    /// after and the journal entries to append, or `None` to leave everything as it is.
    /// Returns the rotation as it then is; `None` if this tenant has no rotation `id`.
    pub fn advance_rotation(
        &self,
        id: RotationId,
        step: impl FnOnce(&Rotation, &[KnownCredential]) -> Option<(Rotation, Vec<JournalEntry>)>,
    ) -> Result<Option<Rotation>> {
        self.write(|tx| {
            let Some(before) = self.rotation_in(tx, id)? else {
                return Ok(None);
            };
            let mut known = Vec::new();
            for key in before.watched() {
                known.extend(self.known_in(tx, &key.credential_id)?);
            }
            let Some((after, entries)) = step(&before, &known) else {
                return Ok(Some(before));
            };
            self.write_rotation_in(tx, &after)?;
            for entry in &entries {
                self.append_journal_in(tx, entry, None)?;
            }
            Ok(Some(after))
        })
    }

    fn write_rotation_in(&self, tx: &Transaction<'_>, r: &Rotation) -> Result<()> {
        let time = |t: &Option<DateTime<Utc>>| t.as_ref().map(time_text);
        let reason = match r.state {
            RotationState::Abandoned(reason) => Some(reason.as_str()),
            _ => None,
        };
        tx.prepare_cached(
            "UPDATE rotations SET state = ?3, abandon_reason = ?4, first_used_at = ?5,
                                  ended_at = ?6
             WHERE tenant = ?1 AND id = ?2",
        )
        .and_then(|mut st| {
            st.execute(params![
                self.tenant.as_str(),
                r.id.0,
                r.state.as_str(),
                reason,
                time(&r.first_used_at),
                time(&r.ended_at),
            ])
        })
        .map_err(|e| self.err(e))?;
        let mut st = tx
            .prepare_cached(
                "UPDATE rotation_old_credentials SET fate = ?3, settled_at = ?4
                 WHERE rotation_id = ?1 AND credential_id = ?2",
            )
            .map_err(|e| self.err(e))?;
        for o in &r.old {
            st.execute(params![
                r.id.0,
                o.credential_id,
                o.fate.as_str(),
                time(&o.settled_at)
            ])
            .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    fn rotation_in(&self, tx: &Transaction<'_>, id: RotationId) -> Result<Option<Rotation>> {
        let mut st = tx
            .prepare_cached(
                "SELECT app_id, connector_id, new_credential_id, state, abandon_reason,
                        started_at, deadline, first_used_at, ended_at
                 FROM rotations WHERE tenant = ?1 AND id = ?2",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = st
            .query(params![self.tenant.as_str(), id.0])
            .map_err(|e| self.err(e))?;
        let Some(r) = rows.next().map_err(|e| self.err(e))? else {
            return Ok(None);
        };
        let text = |i| r.get::<_, String>(i).map_err(|e| self.err(e));
        let (state, reason) = (text(3)?, self.text_at(r, 4)?);
        let mut rotation = Rotation {
            id,
            app_id: text(0)?,
            connector_id: text(1)?,
            new_credential_id: text(2)?,
            old: Vec::new(),
            state: RotationState::parse(&state, reason.as_deref())
                .ok_or_else(|| self.corrupt("rotation state", format!("{state:?} ({reason:?})")))?,
            started_at: self.required_time_at(r, 5, "rotation's started_at")?,
            deadline: self.required_time_at(r, 6, "rotation's deadline")?,
            first_used_at: self.time_at(r, 7, "rotation's first_used_at")?,
            ended_at: self.time_at(r, 8, "rotation's ended_at")?,
        };
        rotation.old = self.old_credentials_in(tx, id)?;
        Ok(Some(rotation))
    }

    fn old_credentials_in(
        &self,
        tx: &Transaction<'_>,
        id: RotationId,
    ) -> Result<Vec<OldCredential>> {
        let mut st = tx
            .prepare_cached(
                "SELECT credential_id, fate, settled_at FROM rotation_old_credentials
                 WHERE rotation_id = ?1 ORDER BY credential_id",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = st.query(params![id.0]).map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let fate: String = r.get(1).map_err(|e| self.err(e))?;
            out.push(OldCredential {
                credential_id: r.get(0).map_err(|e| self.err(e))?,
                fate: crate::rotation::Fate::parse(&fate).ok_or_else(|| {
                    self.corrupt("rotation's old credential", format!("{fate:?}"))
                })?,
                settled_at: self.time_at(r, 2, "old credential's settled_at")?,
            });
        }
        Ok(out)
    }

    /// Whether this tenant has an open rotation (waiting or ready) for the connector.
    pub fn open_rotation_of(&self, app_id: &str, connector_id: &str) -> Result<Option<RotationId>> {
        self.read(|tx| {
            tx.query_row(
                "SELECT id FROM rotations
                 WHERE tenant = ?1 AND app_id = ?2 AND connector_id = ?3
                       AND state IN ('waiting', 'ready')
                 ORDER BY id DESC LIMIT 1",
                params![self.tenant.as_str(), app_id, connector_id],
                |r| r.get(0),
            )
            .optional()
            .map(|id| id.map(RotationId))
            .map_err(|e| self.err(e))
        })
    }
}

//! The audit's mutes set from the command line (`credboard audit mute`), per tenant. None is
//! ever deleted: unmute lifts one, once, and the triggers refuse any other change, so the
//! record of what was accepted, why and until when stays whole.

use crate::audit::catalog::CheckId;
use crate::audit::mutes::{Mute, MuteOrigin, MuteTarget};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, params};

use super::columns::time_text;
use super::{Result, Store};

/// What a mute applies to: exactly one credential id or one connector id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MuteScope {
    Credential(String),
    Connector(String),
}

/// A mute to record. The check id is the audit's (`CB-1.2`); the store keeps it as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMute {
    pub check_id: String,
    pub scope: MuteScope,
    pub reason: String,
    /// The last day it mutes (UTC).
    pub until: NaiveDate,
}

/// A mute as the inventory holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMute {
    pub id: i64,
    pub mute: NewMute,
    pub muted_at: DateTime<Utc>,
    /// The profile credboard ran with when it was set.
    pub profile: String,
    pub lifted_at: Option<DateTime<Utc>>,
}

impl StoredMute {
    /// The mute as the audit reads it, lifted or not; `None` when it names a check this
    /// build does not know.
    pub fn mute(&self) -> Option<Mute> {
        Some(Mute {
            check: self.mute.check_id.parse::<CheckId>().ok()?,
            target: match &self.mute.scope {
                MuteScope::Credential(id) => MuteTarget::Credential(id.clone()),
                MuteScope::Connector(id) => MuteTarget::Connector(id.clone()),
            },
            reason: self.mute.reason.clone(),
            until: self.mute.until,
            origin: MuteOrigin::Inventory { id: self.id },
        })
    }
}

/// What `lift_mute` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifting {
    Lifted,
    /// It had been lifted already, at that time; nothing changed.
    AlreadyLifted(DateTime<Utc>),
    /// This tenant has no mute of that number.
    NotFound,
}

const DATE: &str = "%Y-%m-%d";

impl Store {
    /// Records a mute for this tenant; returns its number.
    pub fn add_mute(&self, mute: &NewMute, at: DateTime<Utc>) -> Result<i64> {
        let (credential, connector) = match &mute.scope {
            MuteScope::Credential(id) => (Some(id.as_str()), None),
            MuteScope::Connector(id) => (None, Some(id.as_str())),
        };
        self.write(|tx| {
            tx.execute(
                "INSERT INTO audit_mutes (tenant, check_id, credential_id, connector_id, reason,
                                          until, muted_at, profile)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    self.tenant.as_str(),
                    mute.check_id,
                    credential,
                    connector,
                    mute.reason,
                    mute.until.format(DATE).to_string(),
                    time_text(&at),
                    self.profile.clone().unwrap_or_default(),
                ],
            )
            .map_err(|e| self.err(e))?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// Lifts this tenant's mute number `id`: from `at` on it mutes nothing.
    pub fn lift_mute(&self, id: i64, at: DateTime<Utc>) -> Result<Lifting> {
        self.write(|tx| {
            let lifted: Option<Option<String>> = tx
                .query_row(
                    "SELECT lifted_at FROM audit_mutes WHERE tenant = ?1 AND id = ?2",
                    params![self.tenant.as_str(), id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(|e| self.err(e))?;
            match lifted {
                None => Ok(Lifting::NotFound),
                Some(Some(when)) => {
                    let when = DateTime::parse_from_rfc3339(&when)
                        .map_err(|e| self.corrupt("mute lifting time", e))?;
                    Ok(Lifting::AlreadyLifted(when.with_timezone(&Utc)))
                }
                Some(None) => {
                    tx.execute(
                        "UPDATE audit_mutes SET lifted_at = ?3 WHERE tenant = ?1 AND id = ?2",
                        params![self.tenant.as_str(), id, time_text(&at)],
                    )
                    .map_err(|e| self.err(e))?;
                    Ok(Lifting::Lifted)
                }
            }
        })
    }

    /// Every mute of this tenant, lifted ones included, oldest first.
    pub fn mutes(&self) -> Result<Vec<StoredMute>> {
        self.read(|tx| {
            let mut st = tx
                .prepare(
                    "SELECT id, check_id, credential_id, connector_id, reason, until, muted_at,
                            profile, lifted_at
                     FROM audit_mutes WHERE tenant = ?1 ORDER BY id",
                )
                .map_err(|e| self.err(e))?;
            let mut rows = st
                .query(params![self.tenant.as_str()])
                .map_err(|e| self.err(e))?;
            let mut out = Vec::new();
            while let Some(r) = rows.next().map_err(|e| self.err(e))? {
                let text = |i| r.get::<_, String>(i).map_err(|e| self.err(e));
                let scope = match (self.text_at(r, 2)?, self.text_at(r, 3)?) {
                    (Some(id), None) => MuteScope::Credential(id),
                    (None, Some(id)) => MuteScope::Connector(id),
                    _ => return Err(self.corrupt("mute", "it names no single target")),
                };
                let until = text(5)?;
                let until = NaiveDate::parse_from_str(&until, DATE)
                    .map_err(|_| self.corrupt("mute's last day", format!("{until:?}")))?;
                out.push(StoredMute {
                    id: r.get(0).map_err(|e| self.err(e))?,
                    mute: NewMute {
                        check_id: text(1)?,
                        scope,
                        reason: text(4)?,
                        until,
                    },
                    muted_at: self.required_time_at(r, 6, "mute time")?,
                    profile: text(7)?,
                    lifted_at: self.time_at(r, 8, "mute lifting time")?,
                });
            }
            Ok(out)
        })
    }
}

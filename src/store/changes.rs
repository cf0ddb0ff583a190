//! The change log: what each refresh saw change per credential (see [`crate::changes`]),
//! written in the transaction that saves the credential's new state, and kept for
//! `changes_keep_days` days.

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use rusqlite::{Transaction, params};

use super::{Result, Store};
use crate::changes::{Change, ChangeKind, CredentialChange};
use crate::model::CredentialKey;

/// `seen_at` as the table holds it: always six fractional digits, so that comparing the text
/// compares the times (the pruning and `--since` are text comparisons on an index).
fn seen_text(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

impl Store {
    /// Keeps each change `days` days (at least one); older ones are dropped as credentials
    /// are saved.
    pub fn keep_changes_for_days(&mut self, days: u32) {
        self.changes_keep_days = days.max(1);
    }

    pub(super) fn record_changes_in(
        &self,
        tx: &Transaction<'_>,
        key: &CredentialKey,
        changes: &[Change],
        seen_at: &DateTime<Utc>,
    ) -> Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        let mut st = tx
            .prepare_cached(
                "INSERT INTO credential_changes (tenant, app_id, connector_id, credential_id,
                                                 seen_at, kind, before, after)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .map_err(|e| self.err(e))?;
        let seen = seen_text(seen_at);
        for c in changes {
            st.execute(params![
                self.tenant.as_str(),
                key.app_id,
                key.connector_id,
                key.credential_id,
                seen,
                c.kind.as_str(),
                c.before,
                c.after,
            ])
            .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// Drops this tenant's changes older than the retention, counted back from `now`.
    pub(super) fn prune_changes_in(&self, tx: &Transaction<'_>, now: &DateTime<Utc>) -> Result<()> {
        let oldest = *now - TimeDelta::days(self.changes_keep_days.into());
        tx.prepare_cached("DELETE FROM credential_changes WHERE tenant = ?1 AND seen_at < ?2")
            .and_then(|mut st| st.execute(params![self.tenant.as_str(), seen_text(&oldest)]))
            .map(drop)
            .map_err(|e| self.err(e))
    }

    /// This tenant's changes seen at `since` or later (all that are kept without it), newest
    /// first, at most `limit` of them; changes seen together keep the order they were
    /// written in.
    pub fn changes_since(
        &self,
        since: Option<DateTime<Utc>>,
        limit: Option<usize>,
    ) -> Result<Vec<CredentialChange>> {
        let since = since.map(|t| seen_text(&t)).unwrap_or_default();
        // SQLite reads a negative limit as none.
        let limit = limit.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
        self.read(|tx| {
            let mut st = tx
                .prepare(
                    "SELECT app_id, connector_id, credential_id, seen_at, kind, before, after
                     FROM credential_changes WHERE tenant = ?1 AND seen_at >= ?2
                     ORDER BY seen_at DESC, id DESC LIMIT ?3",
                )
                .map_err(|e| self.err(e))?;
            let mut rows = st
                .query(params![self.tenant.as_str(), since, limit])
                .map_err(|e| self.err(e))?;
            let mut out = Vec::new();
            while let Some(r) = rows.next().map_err(|e| self.err(e))? {
                let text = |i| r.get::<_, String>(i).map_err(|e| self.err(e));
                let kind = text(4)?;
                out.push(CredentialChange {
                    key: CredentialKey::new(text(0)?, text(1)?, text(2)?),
                    seen_at: self.required_time_at(r, 3, "change's seen_at time")?,
                    change: Change {
                        kind: ChangeKind::parse(&kind)
                            .ok_or_else(|| self.corrupt("change kind", format!("{kind:?}")))?,
                        before: self.text_at(r, 5)?,
                        after: self.text_at(r, 6)?,
                    },
                });
            }
            Ok(out)
        })
    }
}

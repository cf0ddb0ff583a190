//! The rows schema 1 kept under a profile name, which cannot say which tenant they came from:
//! they wait in `unadopted_*` tables until a tenant is opened under that profile name, which
//! adopts them, once (see migration 2 in `schema`).

use chrono::Utc;
use rusqlite::{Transaction, params};

use super::columns::time_text;
use super::{Result, Store};

/// Rows written by schema 1 under a profile name that no tenant has adopted yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unadopted {
    pub profile: String,
    pub credentials: usize,
    pub journal_entries: usize,
}

/// Each table whose rows are adopted, with every column but the key's first (`tenant` in the
/// table, `profile` in its `unadopted_` twin).
const ADOPTED: [(&str, &str); 3] = [
    (
        "credentials",
        "credential_id, app_id, connector_id, source, learned_at, fetched_at, gone, has_state,
         display_name, client_id, created_at, updated_at, deleted_at, expires_time,
         last_used_at",
    ),
    (
        "apps",
        "app_id, display_name, description, is_directory, user_count, created_at, updated_at,
         deleted_at, fetched_at",
    ),
    (
        "connectors",
        "app_id, connector_id, display_name, description, has_sync_status, sync_status,
         sync_last_error, sync_completed_at, created_at, updated_at, deleted_at,
         sync_disabled_at, sync_disabled_reason, user_ids, fetched_at",
    ),
];

impl Store {
    /// Moves the rows schema 1 kept under `profile` to this tenant, once: the first tenant
    /// opened under a profile name takes them, and its journal entries with them. A
    /// credential this tenant already tracks keeps its own row.
    pub(super) fn adopt(&self, profile: &str) -> Result<()> {
        const WAITING: &str = "NOT EXISTS (SELECT 1 FROM adoptions WHERE profile = ?1)
            AND (EXISTS (SELECT 1 FROM unadopted_credentials WHERE profile = ?1)
              OR EXISTS (SELECT 1 FROM unadopted_apps WHERE profile = ?1)
              OR EXISTS (SELECT 1 FROM unadopted_connectors WHERE profile = ?1)
              OR EXISTS (SELECT 1 FROM journal WHERE tenant IS NULL AND profile = ?1))";
        let waiting = |tx: &Transaction<'_>| {
            tx.query_row(&format!("SELECT {WAITING}"), params![profile], |r| {
                r.get::<_, bool>(0)
            })
            .map_err(|e| self.err(e))
        };
        // Checked without the write lock first: almost every open has nothing to adopt.
        if !self.read(waiting)? {
            return Ok(());
        }
        let tenant = self.tenant.as_str();
        let moved = self.write(|tx| {
            if !waiting(tx)? {
                return Ok(0);
            }
            tx.execute(
                "INSERT INTO adoptions (profile, tenant, adopted_at) VALUES (?1, ?2, ?3)",
                params![profile, tenant, time_text(&Utc::now())],
            )
            .map_err(|e| self.err(e))?;
            let mut moved = 0;
            for (table, columns) in ADOPTED {
                moved += tx
                    .execute(
                        &format!(
                            "INSERT OR IGNORE INTO {table} (tenant, {columns})
                             SELECT ?2, {columns} FROM unadopted_{table} WHERE profile = ?1"
                        ),
                        params![profile, tenant],
                    )
                    .map_err(|e| self.err(e))?;
                tx.execute(
                    &format!("DELETE FROM unadopted_{table} WHERE profile = ?1"),
                    params![profile],
                )
                .map_err(|e| self.err(e))?;
            }
            // Schema 1's credential times are text: stored as migration 8 stores them.
            tx.execute(
                "UPDATE credentials SET learned_at = credboard_time(learned_at),
                     fetched_at = credboard_time(fetched_at),
                     created_at = credboard_time(created_at),
                     updated_at = credboard_time(updated_at),
                     deleted_at = credboard_time(deleted_at),
                     expires_time = credboard_time(expires_time),
                     last_used_at = credboard_time(last_used_at)
                 WHERE tenant = ?1
                   AND 'text' IN (typeof(learned_at), typeof(fetched_at), typeof(created_at),
                                  typeof(updated_at), typeof(deleted_at), typeof(expires_time),
                                  typeof(last_used_at))",
                params![tenant],
            )
            .map_err(|e| self.err(e))?;
            Ok(moved)
        })?;
        tracing::info!(
            profile,
            tenant,
            moved,
            "adopted the rows schema 1 kept for this profile"
        );
        Ok(())
    }

    /// Profiles whose schema-1 rows wait for a tenant to adopt them, with how many
    /// credentials and journal entries each holds: shown at start, so that none go unseen.
    pub fn unadopted(&self) -> Result<Vec<Unadopted>> {
        self.read(|tx| {
            let mut st = tx
                .prepare(
                    "SELECT profile,
                        (SELECT count(*) FROM unadopted_credentials c WHERE c.profile = p.profile),
                        (SELECT count(*) FROM journal j
                         WHERE j.tenant IS NULL AND j.profile = p.profile)
                     FROM (SELECT profile FROM unadopted_credentials
                           UNION SELECT profile FROM unadopted_apps
                           UNION SELECT profile FROM unadopted_connectors
                           UNION SELECT profile FROM journal WHERE tenant IS NULL) p
                     WHERE profile NOT IN (SELECT profile FROM adoptions)
                     ORDER BY profile",
                )
                .map_err(|e| self.err(e))?;
            let rows = st
                .query_map([], |r| {
                    Ok(Unadopted {
                        profile: r.get(0)?,
                        credentials: usize::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                        journal_entries: usize::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                    })
                })
                .map_err(|e| self.err(e))?;
            rows.collect::<rusqlite::Result<_>>()
                .map_err(|e| self.err(e))
        })
    }
}

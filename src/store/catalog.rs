//! The tenant's apps and connectors as the last refresh listed them: each listing replaces
//! what was stored before it.

use chrono::{DateTime, Utc};
use rusqlite::{Transaction, params};

use super::columns::{list_text, time_text};
use super::{Result, Store, StoreError};
use crate::api::model::{App, Connector, ConnectorStatus};

impl Store {
    /// Replaces the tenant's list of apps with `apps` (the full list a refresh fetched);
    /// connectors of apps no longer listed are dropped too.
    pub fn save_apps(&self, apps: &[App], fetched_at: DateTime<Utc>) -> Result<()> {
        let fetched = time_text(&fetched_at);
        let time = |t: &Option<DateTime<Utc>>| t.as_ref().map(time_text);
        self.write(|tx| {
            tx.execute(
                "DELETE FROM apps WHERE tenant = ?1",
                params![self.tenant.as_str()],
            )
            .map_err(|e| self.err(e))?;
            let mut st = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO apps (tenant, app_id, display_name, description,
                        is_directory, user_count, created_at, updated_at, deleted_at, fetched_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .map_err(|e| self.err(e))?;
            for app in apps {
                let id = app
                    .id
                    .as_deref()
                    .ok_or(StoreError::MissingId { what: "an app" })?;
                st.execute(params![
                    self.tenant.as_str(),
                    id,
                    app.display_name,
                    app.description,
                    app.is_directory,
                    app.user_count,
                    time(&app.created_at),
                    time(&app.updated_at),
                    time(&app.deleted_at),
                    fetched,
                ])
                .map_err(|e| self.err(e))?;
            }
            tx.execute(
                "DELETE FROM connectors WHERE tenant = ?1
                 AND app_id NOT IN (SELECT app_id FROM apps WHERE tenant = ?1)",
                params![self.tenant.as_str()],
            )
            .map_err(|e| self.err(e))?;
            Ok(())
        })
    }

    /// Replaces the connectors of one app with `connectors` (the full list a refresh
    /// fetched). Each is stored, and read back, as a connector of `app_id`.
    pub fn save_connectors(
        &self,
        app_id: &str,
        connectors: &[Connector],
        fetched_at: DateTime<Utc>,
    ) -> Result<()> {
        let fetched = time_text(&fetched_at);
        let time = |t: &Option<DateTime<Utc>>| t.as_ref().map(time_text);
        self.write(|tx| {
            tx.execute(
                "DELETE FROM connectors WHERE tenant = ?1 AND app_id = ?2",
                params![self.tenant.as_str(), app_id],
            )
            .map_err(|e| self.err(e))?;
            let mut st = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO connectors (tenant, app_id, connector_id,
                        display_name, description, has_sync_status, sync_status,
                        sync_last_error, sync_completed_at, created_at, updated_at, deleted_at,
                        sync_disabled_at, sync_disabled_reason, user_ids, fetched_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                             ?16)",
                )
                .map_err(|e| self.err(e))?;
            for k in connectors {
                let id = k.id.as_deref().ok_or(StoreError::MissingId {
                    what: "a connector",
                })?;
                let status = k.status.as_ref();
                st.execute(params![
                    self.tenant.as_str(),
                    app_id,
                    id,
                    k.display_name,
                    k.description,
                    status.is_some(),
                    status.and_then(|s| s.status.as_deref()),
                    status.and_then(|s| s.last_error.as_deref()),
                    status.and_then(|s| s.completed_at.as_ref()).map(time_text),
                    time(&k.created_at),
                    time(&k.updated_at),
                    time(&k.deleted_at),
                    time(&k.sync_disabled_at),
                    k.sync_disabled_reason,
                    list_text(&k.user_ids),
                    fetched,
                ])
                .map_err(|e| self.err(e))?;
            }
            Ok(())
        })
    }

    /// The stored apps, ordered by id.
    pub(super) fn apps_in(&self, tx: &Transaction<'_>) -> Result<Vec<App>> {
        let mut st = tx
            .prepare(
                "SELECT app_id, display_name, description, is_directory, user_count,
                        created_at, updated_at, deleted_at
                 FROM apps WHERE tenant = ?1 ORDER BY app_id",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = st
            .query(params![self.tenant.as_str()])
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            out.push(App {
                id: self.text_at(r, 0)?,
                display_name: self.text_at(r, 1)?,
                description: self.text_at(r, 2)?,
                is_directory: self.flag_at(r, 3)?,
                user_count: r.get(4).map_err(|e| self.err(e))?,
                created_at: self.time_at(r, 5, "app's created_at")?,
                updated_at: self.time_at(r, 6, "app's updated_at")?,
                deleted_at: self.time_at(r, 7, "app's deleted_at")?,
            });
        }
        Ok(out)
    }

    /// The stored connectors, ordered by app id, then connector id.
    pub(super) fn connectors_in(&self, tx: &Transaction<'_>) -> Result<Vec<Connector>> {
        let mut st = tx
            .prepare(
                "SELECT app_id, connector_id, display_name, description, has_sync_status,
                        sync_status, sync_last_error, sync_completed_at, created_at,
                        updated_at, deleted_at, sync_disabled_at, sync_disabled_reason, user_ids
                 FROM connectors WHERE tenant = ?1 ORDER BY app_id, connector_id",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = st
            .query(params![self.tenant.as_str()])
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let status = if self.flag_at(r, 4)? {
                Some(ConnectorStatus {
                    status: self.text_at(r, 5)?,
                    last_error: self.text_at(r, 6)?,
                    completed_at: self.time_at(r, 7, "connector's sync completed_at")?,
                })
            } else {
                None
            };
            out.push(Connector {
                app_id: self.text_at(r, 0)?,
                id: self.text_at(r, 1)?,
                display_name: self.text_at(r, 2)?,
                description: self.text_at(r, 3)?,
                status,
                created_at: self.time_at(r, 8, "connector's created_at")?,
                updated_at: self.time_at(r, 9, "connector's updated_at")?,
                deleted_at: self.time_at(r, 10, "connector's deleted_at")?,
                sync_disabled_at: self.time_at(r, 11, "connector's sync_disabled_at")?,
                sync_disabled_reason: self.text_at(r, 12)?,
                user_ids: self.list_at(r, 13, "connector's user ids")?,
            });
        }
        Ok(out)
    }
}

//! The inventory: a SQLite file holding the credential ids credboard tracks (ConductorOne
//! cannot list them), the last known state of each credential, app and connector (so the
//! dashboard draws at once and works offline), and the append-only action journal.
//!
//! - Tenants are kept apart: every row is keyed by the tenant (host[:port], see [`Tenant`])
//!   the store was opened for, and every query filters on it. Two profiles of one tenant
//!   share its rows; one profile name pointed at another tenant sees none of the first's.
//! - Every write is one `BEGIN IMMEDIATE` transaction. WAL mode and a busy timeout let several
//!   credboard processes share the file; `synchronous = FULL` makes each commit durable even
//!   against a power loss, not only a killed process (commits are few and batched, so the
//!   extra fsync is cheap, and the journal is an audit record).
//! - No client secret is ever stored: model objects are kept as JSON written by their serde
//!   `Serialize`, which skips the secret, and no table has a secret column.

mod import;
mod journal;
mod schema;
mod tenant;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use crate::api::model::{App, Connector, ConnectorCredential};
use crate::model::{CredentialKey, KnownCredential, Snapshot, Source};

pub use import::{
    ImportEntry, ImportError, ImportFormat, ImportReport, Location, ParsedImport, Rejected,
    check_id, guard_csv_cell, parse_import,
};

pub use schema::CURRENT_VERSION as SCHEMA_VERSION;
pub use tenant::{Tenant, TenantError};

/// How long a write waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the inventory could not be read or written. Messages are plain sentences naming the
/// database file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the directory {} for the inventory: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the inventory {}: {source}", path.display())]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "the inventory {} has schema version {found}, newer than this credboard knows ({supported}); upgrade credboard",
        path.display()
    )]
    TooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("cannot upgrade the inventory {} to schema version {version}: {source}", path.display())]
    Migrate {
        path: PathBuf,
        version: u32,
        source: rusqlite::Error,
    },
    #[error(
        "the inventory {} stayed locked by another credboard process for {}s; try again",
        path.display(),
        BUSY_TIMEOUT.as_secs()
    )]
    Busy { path: PathBuf },
    #[error("the inventory {} failed: {source}", path.display())]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("the inventory {} holds an unreadable {what}: {reason}", path.display())]
    Corrupt {
        path: PathBuf,
        what: &'static str,
        reason: String,
    },
    #[error("the inventory cannot be opened for that tenant: {0}")]
    Tenant(#[from] TenantError),
    #[error("cannot save {what} without an id")]
    MissingId { what: &'static str },
    #[error(
        "credential {credential_id} is already tracked under app {app_id}, connector {connector_id}"
    )]
    TrackedElsewhere {
        credential_id: String,
        app_id: String,
        connector_id: String,
    },
    #[error("cannot encode {what} for the inventory: {source}")]
    Encode {
        what: &'static str,
        source: serde_json::Error,
    },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A tracked credential: its ids, and how and when credboard learned them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tracked {
    #[serde(flatten)]
    pub ids: CredentialKey,
    pub source: Source,
    pub learned_at: DateTime<Utc>,
}

/// The inventory, opened for one tenant. `Send + Sync`: one connection behind a mutex.
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
    tenant: Tenant,
    /// The profile credboard runs with, written into journal entries.
    profile: Option<String>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("tenant", &self.tenant)
            .field("profile", &self.profile)
            .finish()
    }
}

/// Rows written by schema 1 under a profile name that no tenant has adopted yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unadopted {
    pub profile: String,
    pub credentials: usize,
    pub journal_entries: usize,
}

pub(crate) fn time_text(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

impl Store {
    /// The database's file name inside the data directory.
    pub const FILE_NAME: &'static str = "inventory.sqlite3";

    /// Where the inventory lives: `<dir>/inventory.sqlite3` with `dir` the override
    /// (`--data-dir`, `CREDBOARD_DATA_DIR`) or the platform's data directory for credboard
    /// (e.g. `~/.local/share/credboard` on Linux). Without a home directory: `./.credboard`.
    pub fn default_path(data_dir_override: Option<&Path>) -> PathBuf {
        let dir = match data_dir_override {
            Some(dir) => dir.to_path_buf(),
            None => directories::ProjectDirs::from("dev", "credboard", "credboard")
                .map(|p| p.data_dir().to_path_buf())
                .unwrap_or_else(|| PathBuf::from(".credboard")),
        };
        dir.join(Self::FILE_NAME)
    }

    /// Opens (creating the file and its directory on first use) and migrates the inventory,
    /// for `tenant`: an API endpoint or host[:port], made into a [`Tenant`].
    pub fn open(path: &Path, tenant: &str) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let open_err = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(open_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        // Rows carry ~0.5 KB of JSON; 16 KiB pages read a large inventory about a quarter
        // faster than the default 4 KiB. Only takes effect on a new file (before WAL).
        conn.pragma_update(None, "page_size", 16384)
            .map_err(open_err)?;
        // journal_mode returns the resulting mode; WAL persists in the file once set.
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(open_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(path = %path.display(), mode, "the inventory is not in WAL mode");
        }
        Self::configure(conn, path.to_path_buf(), Tenant::from_endpoint(tenant)?)
    }

    /// [`Store::open`] for a tenant reached through `profile`: the rows schema 1 kept under
    /// that profile name are adopted by this tenant if no tenant has adopted them yet, and
    /// the journal entries it writes name the profile.
    pub fn open_for_profile(path: &Path, tenant: &str, profile: &str) -> Result<Store> {
        let mut store = Self::open(path, tenant)?;
        store.profile = Some(profile.to_string());
        store.adopt(profile)?;
        Ok(store)
    }

    /// A throwaway inventory in memory (tests, the demo).
    pub fn open_in_memory(tenant: &str) -> Result<Store> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Open {
            path: path.clone(),
            source,
        })?;
        Self::configure(conn, path, Tenant::from_endpoint(tenant)?)
    }

    fn configure(conn: Connection, path: PathBuf, tenant: Tenant) -> Result<Store> {
        let open_err = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(open_err)?;
        let mut conn = conn;
        migrate(&mut conn, &path)?;
        Ok(Store {
            conn: Mutex::new(conn),
            path,
            tenant,
            profile: None,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn tenant(&self) -> &Tenant {
        &self.tenant
    }

    /// The profile the store was opened for, if it was ([`Store::open_for_profile`]).
    pub fn profile(&self) -> Option<&str> {
        self.profile.as_deref()
    }

    /// Moves the rows schema 1 kept under `profile` to this tenant, once: the first tenant
    /// opened under a profile name takes them, and its journal entries with them. A
    /// credential this tenant already tracks keeps its own row.
    fn adopt(&self, profile: &str) -> Result<()> {
        const WAITING: &str = "NOT EXISTS (SELECT 1 FROM adoptions WHERE profile = ?1)
            AND (EXISTS (SELECT 1 FROM unadopted_credentials WHERE profile = ?1)
              OR EXISTS (SELECT 1 FROM unadopted_apps WHERE profile = ?1)
              OR EXISTS (SELECT 1 FROM unadopted_connectors WHERE profile = ?1)
              OR EXISTS (SELECT 1 FROM journal WHERE tenant IS NULL AND profile = ?1))";
        let waiting = |tx: &rusqlite::Transaction<'_>| {
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
            for (table, columns) in [
                (
                    "credentials",
                    "credential_id, app_id, connector_id, source, learned_at, json, fetched_at, gone",
                ),
                ("apps", "app_id, json, fetched_at"),
                ("connectors", "app_id, connector_id, json, fetched_at"),
            ] {
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

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<u32> {
        let conn = self.lock();
        user_version(&conn).map_err(|e| self.err(e))
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock rolled its transaction back (Transaction's Drop);
        // the connection itself is still sound.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn err(&self, source: rusqlite::Error) -> StoreError {
        if matches!(
            source.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        ) {
            StoreError::Busy {
                path: self.path.clone(),
            }
        } else {
            StoreError::Sqlite {
                path: self.path.clone(),
                source,
            }
        }
    }

    fn corrupt(&self, what: &'static str, reason: impl fmt::Display) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            what,
            reason: reason.to_string(),
        }
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction: it takes the write lock up front, so
    /// the busy timeout applies and a concurrent writer cannot make it fail halfway.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.err(e))?;
        let out = f(&tx)?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(out)
    }

    /// Runs `f` in one read transaction, so it sees a single consistent state.
    fn read<T>(&self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(|e| self.err(e))?;
        let out = f(&tx)?;
        tx.finish().map_err(|e| self.err(e))?;
        Ok(out)
    }

    // ----- tracked credentials -----

    /// Starts tracking a credential. `Ok(true)` if it is new, `Ok(false)` if it was already
    /// tracked with the same app and connector; an error if the id is tracked under others.
    pub fn track(&self, ids: &CredentialKey, source: Source) -> Result<bool> {
        let now = Utc::now();
        self.write(|tx| self.track_in(tx, ids, source, &now))
    }

    pub(crate) fn track_in(
        &self,
        tx: &rusqlite::Transaction<'_>,
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
                time_text(learned_at),
            ])
        })
        .map_err(|e| self.err(e))?;
        Ok(true)
    }

    pub(crate) fn tracked_ids_in(
        &self,
        tx: &rusqlite::Transaction<'_>,
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
            let rows = st
                .query_map(params![self.tenant.as_str()], |r| {
                    Ok((
                        CredentialKey::new(
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                        ),
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                })
                .map_err(|e| self.err(e))?;
            let mut out = Vec::new();
            for row in rows {
                let (ids, source, learned_at) = row.map_err(|e| self.err(e))?;
                out.push(self.tracked_from(ids, &source, &learned_at)?);
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
            let rows = st
                .query_map(
                    params![
                        self.tenant.as_str(),
                        after,
                        i64::try_from(limit).unwrap_or(i64::MAX)
                    ],
                    |r| {
                        Ok(CredentialKey::new(
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                        ))
                    },
                )
                .map_err(|e| self.err(e))?;
            rows.collect::<rusqlite::Result<_>>()
                .map_err(|e| self.err(e))
        })
    }

    fn tracked_from(&self, ids: CredentialKey, source: &str, learned_at: &str) -> Result<Tracked> {
        Ok(Tracked {
            ids,
            source: Source::parse(source)
                .ok_or_else(|| self.corrupt("credential source", format!("{source:?}")))?,
            learned_at: self.parse_time("learned_at time", learned_at)?,
        })
    }

    pub(crate) fn parse_time(&self, what: &'static str, s: &str) -> Result<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| self.corrupt(what, format!("{s:?}: {e}")))
    }

    // ----- last known state -----

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
        let fetched = time_text(&fetched_at);
        self.write(|tx| {
            let mut st = tx
                .prepare_cached(
                    "UPDATE credentials SET json = ?3, fetched_at = ?4, gone = 0
                     WHERE tenant = ?1 AND credential_id = ?2",
                )
                .map_err(|e| self.err(e))?;
            let mut saved = 0;
            for c in credentials {
                let id = c.id.as_deref().ok_or(StoreError::MissingId {
                    what: "a credential",
                })?;
                let json = serde_json::to_string(c).map_err(|source| StoreError::Encode {
                    what: "a credential",
                    source,
                })?;
                saved += st
                    .execute(params![self.tenant.as_str(), id, json, fetched])
                    .map_err(|e| self.err(e))?;
            }
            Ok(saved)
        })
    }

    /// Records that the server answered 404 for a tracked credential: it is gone. The last
    /// known object is kept. `Ok(false)` if the credential is not tracked.
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
        let fetched = time_text(&fetched_at);
        self.write(|tx| {
            let mut st = tx
                .prepare_cached(
                    "UPDATE credentials SET fetched_at = ?3, gone = 1
                     WHERE tenant = ?1 AND credential_id = ?2",
                )
                .map_err(|e| self.err(e))?;
            let mut n = 0;
            for id in credential_ids {
                n += st
                    .execute(params![self.tenant.as_str(), id.as_ref(), fetched])
                    .map_err(|e| self.err(e))?;
            }
            Ok(n)
        })
    }

    /// Replaces the tenant's list of apps with `apps` (the full list a refresh fetched);
    /// connectors of apps no longer listed are dropped too.
    pub fn save_apps(&self, apps: &[App], fetched_at: DateTime<Utc>) -> Result<()> {
        let fetched = time_text(&fetched_at);
        self.write(|tx| {
            tx.execute(
                "DELETE FROM apps WHERE tenant = ?1",
                params![self.tenant.as_str()],
            )
            .map_err(|e| self.err(e))?;
            let mut st = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO apps (tenant, app_id, json, fetched_at)
                     VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(|e| self.err(e))?;
            for app in apps {
                let id = app
                    .id
                    .as_deref()
                    .ok_or(StoreError::MissingId { what: "an app" })?;
                let json = serde_json::to_string(app).map_err(|source| StoreError::Encode {
                    what: "an app",
                    source,
                })?;
                st.execute(params![self.tenant.as_str(), id, json, fetched])
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
    /// fetched). A connector without an `app_id` gets `app_id`.
    pub fn save_connectors(
        &self,
        app_id: &str,
        connectors: &[Connector],
        fetched_at: DateTime<Utc>,
    ) -> Result<()> {
        let fetched = time_text(&fetched_at);
        self.write(|tx| {
            tx.execute(
                "DELETE FROM connectors WHERE tenant = ?1 AND app_id = ?2",
                params![self.tenant.as_str(), app_id],
            )
            .map_err(|e| self.err(e))?;
            let mut st = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO connectors (tenant, app_id, connector_id, json, fetched_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(|e| self.err(e))?;
            for k in connectors {
                let id = k
                    .id
                    .as_deref()
                    .ok_or(StoreError::MissingId { what: "a connector" })?;
                let json = if k.app_id.is_some() {
                    serde_json::to_string(k)
                } else {
                    let mut k = k.clone();
                    k.app_id = Some(app_id.to_string());
                    serde_json::to_string(&k)
                }
                .map_err(|source| StoreError::Encode {
                    what: "a connector",
                    source,
                })?;
                st.execute(params![self.tenant.as_str(), app_id, id, json, fetched])
                    .map_err(|e| self.err(e))?;
            }
            Ok(())
        })
    }

    /// Everything stored for this tenant, read in one consistent transaction.
    /// Everything stored for this tenant, read in one consistent transaction: the apps, the
    /// connectors and the tracked credentials (ordered by credential id) with what the
    /// server last said about each.
    pub fn snapshot(&self) -> Result<Snapshot> {
        self.read(|tx| {
            let apps = self.decode_json(
                tx,
                "SELECT json FROM apps WHERE tenant = ?1 ORDER BY app_id",
                "app",
            )?;
            let connectors = self.decode_json(
                tx,
                "SELECT json FROM connectors WHERE tenant = ?1 ORDER BY app_id, connector_id",
                "connector",
            )?;
            let mut st = tx
                .prepare(
                    "SELECT app_id, connector_id, credential_id, source, learned_at,
                            json, fetched_at, gone
                     FROM credentials WHERE tenant = ?1 ORDER BY credential_id",
                )
                .map_err(|e| self.err(e))?;
            let mut rows = st
                .query(params![self.tenant.as_str()])
                .map_err(|e| self.err(e))?;
            let mut credentials = Vec::new();
            while let Some(r) = rows.next().map_err(|e| self.err(e))? {
                let text = |i| r.get::<_, String>(i).map_err(|e| self.err(e));
                let optional = |i| r.get::<_, Option<String>>(i).map_err(|e| self.err(e));
                let key = CredentialKey::new(text(0)?, text(1)?, text(2)?);
                let source = text(3)?;
                let last = match optional(5)? {
                    Some(json) => {
                        let mut c: ConnectorCredential = serde_json::from_str(&json)
                            .map_err(|e| self.corrupt("credential", e))?;
                        c.id = Some(key.credential_id.clone());
                        c.app_id = Some(key.app_id.clone());
                        c.connector_id = Some(key.connector_id.clone());
                        Some(c)
                    }
                    None => None,
                };
                credentials.push(KnownCredential {
                    source: Source::parse(&source)
                        .ok_or_else(|| self.corrupt("credential source", format!("{source:?}")))?,
                    learned_at: self.parse_time("learned_at time", &text(4)?)?,
                    last,
                    fetched_at: optional(6)?
                        .map(|t| self.parse_time("fetched_at time", &t))
                        .transpose()?,
                    gone: r.get(7).map_err(|e| self.err(e))?,
                    key,
                });
            }
            Ok(Snapshot {
                apps,
                connectors,
                credentials,
            })
        })
    }

    /// The objects a `SELECT json ... WHERE tenant = ?1` query finds, decoded.
    fn decode_json<T: serde::de::DeserializeOwned>(
        &self,
        tx: &rusqlite::Transaction<'_>,
        sql: &str,
        what: &'static str,
    ) -> Result<Vec<T>> {
        let mut st = tx.prepare(sql).map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![self.tenant.as_str()], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        rows.map(|json| {
            let json = json.map_err(|e| self.err(e))?;
            serde_json::from_str(&json).map_err(|e| self.corrupt(what, e))
        })
        .collect()
    }
}

fn user_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
}

/// Applies the pending migrations, each in its own immediate transaction.
fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let supported = schema::CURRENT_VERSION;
    loop {
        let version_err = |version, source| StoreError::Migrate {
            path: path.to_path_buf(),
            version,
            source,
        };
        // Cheap check without the write lock: an up-to-date file needs nothing.
        let found = user_version(conn).map_err(|e| version_err(supported, e))?;
        if found == supported {
            return Ok(());
        }
        if found > supported {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found,
                supported,
            });
        }
        let next = found + 1;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| version_err(next, e))?;
        // Another process may have migrated between the check and the lock.
        if user_version(&tx).map_err(|e| version_err(next, e))? == found {
            tx.execute_batch(schema::MIGRATIONS[found as usize])
                .map_err(|e| version_err(next, e))?;
            tx.pragma_update(None, "user_version", next)
                .map_err(|e| version_err(next, e))?;
        }
        tx.commit().map_err(|e| version_err(next, e))?;
    }
}

//! Opening the inventory: where it lives, the connection's settings, the migrations, and
//! the two kinds of transaction every other part runs in.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::columns::credential_time_of;
use super::{Result, Store, StoreError, Tenant, schema};

/// How long a write waits for another process's transaction before giving up.
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

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
        // Measured with schema 2's JSON rows: 16 KiB pages read a large inventory about a
        // quarter faster than the default 4 KiB. Only takes effect on a new file (before WAL).
        conn.pragma_update(None, "page_size", 16384)
            .map_err(open_err)?;
        // journal_mode returns the resulting mode; WAL persists in the file once set.
        let mode: String =
            busy_retried(|| conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)))
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

    fn configure(mut conn: Connection, path: PathBuf, tenant: Tenant) -> Result<Store> {
        let open_err = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(open_err)?;
        // A page cache of 512 KiB, not SQLite's 2 MiB: the load reads each page once, in
        // order, and what a refresh writes is found through a few pages the cache keeps.
        conn.pragma_update(None, "cache_size", -512)
            .map_err(open_err)?;
        // For migration 8 and the adoption of schema-1 rows (see `columns::credential_time_of`).
        conn.create_scalar_function(
            "credboard_time",
            1,
            FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
            |ctx| Ok(credential_time_of(ctx.get_raw(0))),
        )
        .map_err(open_err)?;
        migrate(&mut conn, &path)?;
        Ok(Store {
            conn: Mutex::new(conn),
            path,
            tenant,
            profile: None,
            changes_keep_days: crate::changes::DEFAULT_KEEP_DAYS,
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

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<u32> {
        let conn = self.lock();
        user_version(&conn).map_err(|e| self.err(e))
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock rolled its transaction back (Transaction's Drop);
        // the connection itself is still sound.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn err(&self, source: rusqlite::Error) -> StoreError {
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

    pub(super) fn corrupt(&self, what: &'static str, reason: impl fmt::Display) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            what,
            reason: reason.to_string(),
        }
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction: it takes the write lock up front, so
    /// the busy timeout applies and a concurrent writer cannot make it fail halfway.
    pub(super) fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.err(e))?;
        let out = f(&tx)?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(out)
    }

    /// Runs `f` in one read transaction, so it sees a single consistent state.
    pub(super) fn read<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(|e| self.err(e))?;
        let out = f(&tx)?;
        tx.finish().map_err(|e| self.err(e))?;
        Ok(out)
    }
}

/// `f`, tried again while the file is busy, up to [`BUSY_TIMEOUT`]. Changing the journal
/// mode takes the file for itself without waiting: two processes opening a new inventory
/// at once would see one of them fail.
fn busy_retried<T>(mut f: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let start = std::time::Instant::now();
    loop {
        match f() {
            Err(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && start.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            done => return done,
        }
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

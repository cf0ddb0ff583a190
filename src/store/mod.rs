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
//! - Each field credboard reads has its own typed column, read with one plain query per
//!   table. No table has a secret column, so no client secret can be stored.
//!
//! The files: `open` (opening, migrating, transactions), `schema` (the migrations),
//! `credentials` (tracked ids and their last known state), `catalog` (apps and connectors),
//! `journal`, `mutes` (the audit's, set by command), `import` (taking in a parsed file),
//! `adoption` (schema 1's rows), `tenant`, `columns` (how values sit in columns), `changes`
//! (the change log each save writes), `rotations` (the rotations and their steps),
//! `discovery` (ids found in the system log, and how far it was read), `history` (the
//! dashboard's command line history).

mod adoption;
mod catalog;
mod changes;
mod columns;
mod credentials;
mod discovery;
mod history;
mod import;
mod journal;
mod mutes;
mod open;
mod rotations;
mod schema;
mod tenant;

use std::fmt;
use std::path::PathBuf;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::Serialize;

use crate::model::{CredentialKey, Snapshot, Source};

pub use adoption::Unadopted;
pub use discovery::{Discovered, LogCursor, Origin, Tracking};
pub use import::ImportReport;
pub use mutes::{Lifting, MuteScope, NewMute, StoredMute};
pub use schema::CURRENT_VERSION as SCHEMA_VERSION;
pub use tenant::{Tenant, TenantError};

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
        open::BUSY_TIMEOUT.as_secs()
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
    /// How many days the change log keeps a change (`changes_keep_days`).
    changes_keep_days: u32,
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

impl Store {
    /// Everything stored for this tenant, read in one consistent transaction: the apps, the
    /// connectors and the tracked credentials (ordered by credential id) with what the
    /// server last said about each.
    pub fn snapshot(&self) -> Result<Snapshot> {
        self.snapshot_in_parts(usize::MAX, |_| {})
    }

    /// [`Store::snapshot`] handed over as it is read, so that the caller can make rows of a
    /// part while the next is read: `more` gets each full part of `part` credentials, the
    /// first with the apps and the connectors; what is left is returned. A failed read
    /// returns its error after the parts it handed over.
    pub fn snapshot_in_parts(
        &self,
        part: usize,
        mut more: impl FnMut(Snapshot),
    ) -> Result<Snapshot> {
        self.read(|tx| {
            let mut rest = Snapshot {
                apps: self.apps_in(tx)?,
                connectors: self.connectors_in(tx)?,
                credentials: Vec::new(),
            };
            self.credentials_in(tx, |c| {
                rest.credentials.push(c);
                if rest.credentials.len() == part {
                    more(std::mem::take(&mut rest));
                }
            })?;
            Ok(rest)
        })
    }
}

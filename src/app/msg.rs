//! What crosses the door of the dashboard's brain: messages in, effects out.
//!
//! Keys, clicks, ticks and worker results arrive as [`Msg`]; `update` changes the state and
//! returns [`Effect`]s, which the runtime and the worker carry out. Nothing here does I/O.

use chrono::{DateTime, Utc};
use crossterm::event::{KeyEvent, MouseEvent};

use crate::api::{App, Connector, ConnectorCredential, SecretString};

use super::command::ExportFormat;
use crate::changes::CredentialChange;
use crate::export::Listed;
use crate::model::{CredentialKey, Failure, Minted, RevokeResult, Snapshot};
use crate::rotation::{Rotation, RotationId};

pub use super::findings::{AuditInputs, AuditJob, Checked};

/// One line of the action journal, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalLine {
    pub at: DateTime<Utc>,
    pub profile: String,
    pub actor: String,
    /// "revoke" or "rotate".
    pub action: String,
    pub app_id: String,
    pub connector_id: String,
    pub credential_id: String,
    /// "ok", "already gone", or "failed: <reason>".
    pub outcome: String,
}

// Messages are moved once from the channel into `update`, never stored in bulk.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize {
        width: u16,
        height: u16,
    },
    /// The clock, at most once a second, for relative times.
    Tick(DateTime<Utc>),
    /// The background refresh interval came round: like `r`, without a toast.
    RefreshDue,
    Worker(WorkerMsg),
}

/// One piece of the command line's work for the worker (an export, an import, a track or
/// an untrack): its `Done` names it, so that the toast saying it is under way can go.
pub type WorkId = u64;

/// Results from the worker. `generation` ties a result to the refresh that asked for it:
/// results of a superseded refresh are dropped. `None` marks a one-off fetch, always applied.
#[derive(Debug)]
pub enum WorkerMsg {
    /// The stored inventory, to be made into rows, or the rest of it after the parts before
    /// it; the first refresh follows.
    Inventory(Result<Snapshot, Failure>),
    /// A part of the stored inventory, while the rest is read: more follows, and an
    /// `Inventory` ends it.
    InventoryPart(Snapshot),
    RefreshStarted {
        generation: u64,
        /// How many credential Gets this refresh will make, for "credentials 412/1000".
        credentials: usize,
    },
    /// A page of apps.
    Apps {
        generation: u64,
        apps: Vec<App>,
    },
    Connectors {
        generation: u64,
        app_id: String,
        connectors: Vec<Connector>,
    },
    Credential {
        generation: Option<u64>,
        key: CredentialKey,
        fetched: Fetched,
        at: DateTime<Utc>,
    },
    /// A call of the refresh other than a credential Get failed (listing apps, say).
    RefreshError {
        generation: u64,
        error: Failure,
    },
    RefreshDone {
        generation: u64,
        at: DateTime<Utc>,
    },
    Revoked {
        key: CredentialKey,
        result: Result<RevokeResult, Failure>,
    },
    Rotated {
        app_id: String,
        connector_id: String,
        result: Result<Minted, Failure>,
    },
    /// Whether a rotated credential is recorded in the inventory: `failure` says why not
    /// yet (the worker keeps trying), `None` that it now is.
    RotationRecord {
        credential_id: String,
        failure: Option<Failure>,
    },
    Journal(Result<Vec<JournalLine>, Failure>),
    /// What the audit's checks need from outside: the inventory's mutes, the Findings API's
    /// answer (sent with each refresh).
    Audit(AuditInputs),
    /// A run of the checks asked with [`Effect::Audit`], or why it could not run.
    Checked(Result<Box<Checked>, Failure>),
    /// Every rotation of the tenant as the inventory holds it now, newest first: at start,
    /// after each refresh moved the open ones, after a revoke or an abandon. `note` says why
    /// one did not move as asked (an old credential refused), for a toast.
    Rotations {
        result: Result<Vec<Rotation>, Failure>,
        note: Option<String>,
    },
    /// The change log, newest first (at most [`CHANGES_SHOWN`]): at start and after each
    /// refresh.
    Changes(Result<Vec<CredentialChange>, Failure>),
    /// How a discovery run is getting on, and its end.
    Discovery(DiscoveryMsg),
    /// How an export, import, track or untrack went, in words for a toast.
    Done {
        work: WorkId,
        said: Result<String, Failure>,
    },
    /// Something outside any one request went wrong (the inventory could not be written).
    Error(Failure),
    /// The command line's history of earlier sessions with this tenant, oldest first: at
    /// start, with the stored inventory.
    CommandHistory(Result<Vec<String>, Failure>),
    /// The answer to [`Effect::ListPaths`]: the names in the path's directory that start
    /// with what follows its last `/` (directories ending in `/`), or why it could not be
    /// read; for the command line as it was (`line`).
    Paths {
        line: String,
        names: Result<Vec<String>, String>,
    },
}

/// The most changes the worker sends the dashboard at a time (the newest).
pub const CHANGES_SHOWN: usize = 2000;

/// A discovery run's progress, as the footer shows it; credentials it finds come as
/// [`WorkerMsg::Credential`] one-offs, so their rows appear as they are verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiscoveryMsg {
    Read {
        events: u64,
    },
    Verifying {
        done: usize,
        of: usize,
    },
    /// A credential was verified and tracked (its row came just before).
    Found,
    /// The run ended: what it did in words ("120 events read, 4 new credentials tracked"),
    /// and how many it tracked; or why it could not.
    Done(Result<(String, usize), Failure>),
}

#[derive(Debug, Clone)]
pub enum Fetched {
    Found(ConnectorCredential),
    /// The server answered 404.
    Gone,
    Failed(Failure),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Start a full refresh with this generation (apps, connectors, every tracked credential).
    Refresh {
        generation: u64,
    },
    /// Get these credentials now (after a rotate, to show old and new side by side).
    Fetch {
        keys: Vec<CredentialKey>,
    },
    /// Revoke exactly this credential: the ids captured when the dialog opened.
    Revoke {
        key: CredentialKey,
    },
    /// Revoke an old credential of rotation `id`, as its procedure does: refused when a fresh
    /// Get shows it used after the new credential's first use.
    RevokeForRotation {
        id: RotationId,
        key: CredentialKey,
    },
    /// Mint a new credential for a connector.
    Rotate {
        app_id: String,
        connector_id: String,
    },
    LoadJournal,
    /// Load the inventory's audit mutes and ask the Findings API (CB-1.7), for the
    /// dashboard's findings; asked with each of its refreshes.
    LoadAuditInputs,
    /// Run the audit's checks over these rows, off the event loop.
    Audit(Box<AuditJob>),
    /// Give rotation `id` up (the user confirmed).
    AbandonRotation {
        id: RotationId,
    },
    /// Run discovery from the tenant's system log in the background.
    Discover,
    /// Write these rows (the view, as shown) to a file, as `credboard list -o` prints them.
    Export {
        work: WorkId,
        format: ExportFormat,
        path: String,
        rows: Vec<Listed>,
    },
    /// Learn credential ids from a file, as `credboard import`.
    Import {
        work: WorkId,
        path: String,
    },
    /// Add one credential to the inventory, or take it out (the server is not asked).
    Track {
        work: WorkId,
        key: CredentialKey,
    },
    Untrack {
        work: WorkId,
        key: CredentialKey,
    },
    /// Tab on a file path of the command line (`line`, as it is now): list what `path`'s
    /// directory holds that starts with what follows its last `/` (`~/` is the home
    /// directory).
    ListPaths {
        line: String,
        path: String,
    },
    /// Keep a line entered on the command line in the tenant's stored history.
    RememberCommand(String),
    /// Put text on the clipboard through the terminal (OSC 52).
    Copy(SecretString),
    /// Step aside for the shell until it continues the program (Ctrl-Z: raw mode hands the
    /// tty's suspend character over as a key).
    Suspend,
    Quit,
}

//! Discovery (experimental): learning credential ids from the tenant's system log, the one
//! public place that may name them (the API cannot list a connector's credentials).
//!
//! - `extract`: one event -> its uid, time, candidate triples and client ids (pure; no
//!   event shape is assumed, see there);
//! - `read`: the log, page by page from where the last run stopped;
//! - `verify`: a Get for each new candidate; only what the server confirms is tracked;
//! - `in_use`: client ids seen signing in that no tracked credential has;
//! - `redact` and `raw`: `--save-raw`, the events with every secret taken out;
//! - `run`: one run, and `report`: what it did.
//!
//! Nothing here prints: the command line prints the [`Report`], and the dashboard can follow
//! a run through its [`Progress`].

mod extract;
mod in_use;
mod raw;
mod read;
mod redact;
mod report;
mod run;
mod verify;

use std::path::PathBuf;

use chrono::{DateTime, Duration, Utc};

use crate::api::{ApiError, ConnectorCredential};
use crate::model::CredentialKey;
use crate::store::StoreError;

pub use extract::{Extracted, extract, is_client_id};
pub use raw::RawEvents;
pub use read::ClientSeen;
pub use redact::{is_secret_name, is_secret_shaped, redact};
pub use report::{ClientInUse, Cursor, Found, Report, Unsettled};
pub use run::run;
pub use verify::Checked;

/// How far back the first run reads without `--since`.
pub const DEFAULT_SINCE_DAYS: i64 = 90;
/// The most events one run reads; the next run goes on from there.
pub const DEFAULT_MAX_EVENTS: u64 = 100_000;

/// What a run is asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where reading starts when the tenant's log was never read, or when `since_explicit`.
    pub since: DateTime<Utc>,
    /// `--since` was given: read from it even if an earlier run read further.
    pub since_explicit: bool,
    /// Verify, but track nothing and leave the cursor where it is.
    pub dry_run: bool,
    /// Write the events read, secrets taken out, into a new file in this directory.
    pub save_raw: Option<PathBuf>,
    pub max_events: u64,
    /// Gets in flight at once.
    pub concurrency: usize,
}

impl Options {
    /// The defaults at `now`: the last 90 days, at most 100,000 events.
    pub fn new(now: DateTime<Utc>, concurrency: usize) -> Options {
        Options {
            since: now - Duration::days(DEFAULT_SINCE_DAYS),
            since_explicit: false,
            dry_run: false,
            save_raw: None,
            max_events: DEFAULT_MAX_EVENTS,
            concurrency,
        }
    }
}

/// How a run is getting on, for a caller that shows it as it goes.
#[derive(Debug, Clone)]
pub enum Progress {
    /// A page of the log was read.
    Read { events: u64, pages: u32 },
    /// `done` of `of` candidates have had their Get.
    Verifying { done: usize, of: usize },
    /// A Get confirmed a new credential; `tracked` once it is in the inventory (never in a
    /// dry run).
    Found {
        key: CredentialKey,
        credential: Box<ConnectorCredential>,
        tracked: bool,
    },
}

/// Why a run could not do its work. A run that read part of the log still reports
/// (`Report::read_error`): what was read is not lost.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error(
        "the tenant refused to show its system log ({detail}): {who} needs the role \
         \"Read-Only to System Logs\"; grant it in ConductorOne and run discover again. \
         Nothing was read or tracked"
    )]
    Refused { who: String, detail: String },
    #[error(
        "this tenant has no system log to read ({detail}): discovery needs ConductorOne's \
         system log API (POST /api/v1/systemlog/events). Nothing was read or tracked"
    )]
    Unavailable { detail: String },
    #[error("the system log could not be read: {0}; nothing was tracked")]
    Read(ApiError),
    #[error("{0}")]
    Store(StoreError),
    #[error("--save-raw: cannot write the events into {dir}: {1}", dir = .0.display())]
    SaveRaw(PathBuf, std::io::Error),
}

impl DiscoverError {
    /// The failure of the first page, when nothing was read: a refusal named for what it
    /// means.
    fn from_first_page(e: ApiError, client_id: Option<&str>) -> DiscoverError {
        let detail = e.kind.to_string();
        match e.status() {
            Some(403) => DiscoverError::Refused {
                who: match client_id {
                    Some(id) => format!("the identity of client id {id}"),
                    None => "the identity of the access token".to_string(),
                },
                detail,
            },
            Some(404) => DiscoverError::Unavailable { detail },
            _ => DiscoverError::Read(e),
        }
    }
}

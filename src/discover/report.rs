//! What a discovery run did, for a person or a script (`-o json`): every count the user is
//! told, and the ids behind them.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::read::ClientSeen;
use crate::api::ConnectorCredential;
use crate::model::CredentialKey;
use crate::store::LogCursor;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub tenant: String,
    pub dry_run: bool,
    /// Where reading started: the `--since` time, or the time of the event an earlier run
    /// stopped at (`from_cursor`).
    pub read_from: DateTime<Utc>,
    pub from_cursor: bool,
    pub events_read: u64,
    /// Events an earlier run had read, sent again by the server; not read twice.
    pub events_already_read: u64,
    /// The log was read to its end; `false` after the event cap, the page cap or an error.
    pub read_to_end: bool,
    /// Why reading stopped before the end of the log, when it did.
    pub read_error: Option<String>,
    /// Distinct (app, connector, credential) triples the events named.
    pub candidates: usize,
    /// Triples with an id that is no id (odd characters, too long): skipped.
    pub rejected: usize,
    /// Candidates the inventory already tracks: not fetched again.
    pub already_known: usize,
    /// Candidates a Get confirmed, new to the inventory (tracked unless a dry run).
    pub verified: Vec<Found>,
    pub newly_tracked: usize,
    /// Candidates the server answered 404 for: not tracked.
    pub not_found: Vec<CredentialKey>,
    /// Candidates no Get could settle: not tracked; the next run reads their events again.
    pub unverified: Vec<Unsettled>,
    /// Verified, but the credential id is tracked under another app or connector.
    pub conflicts: Vec<Unsettled>,
    /// Client ids seen signing in that match no tracked credential: a connector uses a
    /// credential credboard does not know.
    pub in_use_not_tracked: Vec<ClientInUse>,
    /// Tracked credentials whose client id is unknown (never fetched, and the Get this run
    /// tried did not answer): they may account for some of `in_use_not_tracked`.
    pub tracked_without_client_id: usize,
    /// Where the next run reads on from (in a dry run, where it would).
    pub next_from: Option<Cursor>,
    /// The `--save-raw` file, and how many values were taken out of its events.
    pub raw_file: Option<String>,
    pub raw_values_removed: usize,
}

/// A verified credential: its ids, the event that named it, and what the Get returned.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Found {
    #[serde(flatten)]
    pub ids: CredentialKey,
    /// "system log, event <uid>"
    pub origin: String,
    pub display_name: Option<String>,
    pub client_id: Option<String>,
    pub revoked: bool,
}

impl Found {
    pub fn new(ids: CredentialKey, origin: String, credential: &ConnectorCredential) -> Found {
        Found {
            ids,
            origin,
            display_name: credential.display_name.clone(),
            client_id: credential.client_id.clone(),
            revoked: credential.deleted_at.is_some(),
        }
    }
}

/// A candidate left as it was, and why.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unsettled {
    #[serde(flatten)]
    pub ids: CredentialKey,
    pub error: String,
}

/// A client id seen signing in, with how often and the latest event.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientInUse {
    pub client_id: String,
    pub events: u64,
    pub last_seen: Option<DateTime<Utc>>,
    pub last_event: Option<String>,
}

impl From<ClientSeen> for ClientInUse {
    fn from(seen: ClientSeen) -> Self {
        ClientInUse {
            client_id: seen.client_id,
            events: seen.events,
            last_seen: seen.last_seen.as_ref().map(|c| c.time),
            last_event: seen.last_seen.and_then(|c| c.uid),
        }
    }
}

/// A place in the log, as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cursor {
    pub time: DateTime<Utc>,
    pub event: Option<String>,
}

impl From<LogCursor> for Cursor {
    fn from(c: LogCursor) -> Self {
        Cursor {
            time: c.time,
            event: c.uid,
        }
    }
}

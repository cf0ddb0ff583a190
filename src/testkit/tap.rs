//! The tap between the worker and the runtime: every message the worker sends, summarised
//! as it passes ([`Seen`]), for a test to wait on and to read back.

use std::sync::Mutex;

use tokio::sync::Notify;

use crate::app::{Fetched, WorkerMsg};
use crate::model::Revocation;

/// A worker message, as the tap saw it. Holds no secret: a hang's report prints them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// The stored inventory, or its end after parts.
    Inventory,
    /// A part of the stored inventory.
    InventoryPart,
    RefreshStarted(u64),
    Apps(u64),
    Connectors(u64),
    /// A credential Get: its generation, its id, and the error if it failed.
    Credential {
        generation: Option<u64>,
        id: String,
        error: Option<String>,
    },
    RefreshError(u64, String),
    RefreshDone(u64),
    /// A revoke: `Ok(true)` when the server said it was revoked already.
    Revoked {
        id: String,
        result: Result<bool, String>,
    },
    /// A rotate: the new credential's id, or the failure.
    Rotated(Result<String, String>),
    /// Whether a rotated credential is recorded yet: the reason it is not, or `None`.
    RotationRecord {
        id: String,
        failure: Option<String>,
    },
    Journal,
    /// The audit's inputs: how many exposed client ids the Findings API reported, or why it
    /// could not say.
    Audit(Result<usize, String>),
    /// A run of the checks: how many findings, or why it could not run.
    Checked(Result<usize, String>),
    /// The rotations: each one's id and state, or the failure.
    Rotations(Result<Vec<(i64, String)>, String>),
    /// The change log: how many changes.
    Changes(Result<usize, String>),
    /// Discovery's progress; its end with what it did, or why not.
    Discovery(Option<Result<String, String>>),
    Error(String),
    /// The stored command line history: how many lines, or why it could not be read.
    CommandHistory(Result<usize, String>),
    /// The names a Tab on a file path found, or why not.
    Paths(Result<Vec<String>, String>),
    /// How a command line's export, import, track or untrack went.
    Done(Result<String, String>),
}

impl Seen {
    pub fn of(msg: &WorkerMsg) -> Seen {
        match msg {
            WorkerMsg::Inventory(_) => Seen::Inventory,
            WorkerMsg::InventoryPart(_) => Seen::InventoryPart,
            WorkerMsg::Done { said, .. } => Seen::Done(said.clone().map_err(|e| e.message)),
            WorkerMsg::RefreshStarted { generation, .. } => Seen::RefreshStarted(*generation),
            WorkerMsg::Apps { generation, .. } => Seen::Apps(*generation),
            WorkerMsg::Connectors { generation, .. } => Seen::Connectors(*generation),
            WorkerMsg::Credential {
                generation,
                key,
                fetched,
                ..
            } => Seen::Credential {
                generation: *generation,
                id: key.credential_id.clone(),
                error: match fetched {
                    Fetched::Failed(e) => Some(e.message.clone()),
                    _ => None,
                },
            },
            WorkerMsg::RefreshError { generation, error } => {
                Seen::RefreshError(*generation, error.message.clone())
            }
            WorkerMsg::RefreshDone { generation, .. } => Seen::RefreshDone(*generation),
            WorkerMsg::Revoked { key, result } => Seen::Revoked {
                id: key.credential_id.clone(),
                result: result
                    .as_ref()
                    .map(|o| o.revocation == Revocation::AlreadyRevoked)
                    .map_err(|e| e.message.clone()),
            },
            WorkerMsg::Rotated { result, .. } => Seen::Rotated(
                result
                    .as_ref()
                    .map(|n| n.credential.id.clone().unwrap_or_default())
                    .map_err(|e| e.message.clone()),
            ),
            WorkerMsg::RotationRecord {
                credential_id,
                failure,
            } => Seen::RotationRecord {
                id: credential_id.clone(),
                failure: failure.as_ref().map(|f| f.message.clone()),
            },
            WorkerMsg::Journal(_) => Seen::Journal,
            WorkerMsg::Audit(inputs) => Seen::Audit(match &inputs.exposure {
                crate::audit::checks::Exposure::Reported(list) => Ok(list.len()),
                crate::audit::checks::Exposure::Unavailable(why) => Err(why.clone()),
            }),
            WorkerMsg::Checked(r) => Seen::Checked(
                r.as_ref()
                    .map(|c| c.counts.unmuted() + c.counts.muted)
                    .map_err(|e| e.message.clone()),
            ),
            WorkerMsg::Rotations { result, .. } => Seen::Rotations(
                result
                    .as_ref()
                    .map(|l| {
                        l.iter()
                            .map(|r| (r.id.0, r.state.as_str().to_string()))
                            .collect()
                    })
                    .map_err(|e| e.message.clone()),
            ),
            WorkerMsg::Changes(result) => Seen::Changes(
                result
                    .as_ref()
                    .map(|l| l.len())
                    .map_err(|e| e.message.clone()),
            ),
            WorkerMsg::Discovery(crate::app::DiscoveryMsg::Done(done)) => Seen::Discovery(Some(
                done.as_ref()
                    .map(|(w, _)| w.clone())
                    .map_err(|e| e.message.clone()),
            )),
            WorkerMsg::Discovery(_) => Seen::Discovery(None),
            WorkerMsg::Error(e) => Seen::Error(e.message.clone()),
            WorkerMsg::Paths { names, .. } => Seen::Paths(names.clone()),
            WorkerMsg::CommandHistory(r) => {
                Seen::CommandHistory(r.as_ref().map(Vec::len).map_err(|e| e.message.clone()))
            }
        }
    }
}

/// What the tap has seen so far.
#[derive(Default)]
pub(super) struct Log {
    seen: Mutex<Vec<Seen>>,
    pub(super) changed: Notify,
}

impl Log {
    pub(super) fn all(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub(super) fn push(&self, s: Seen) {
        self.seen.lock().unwrap().push(s);
        self.changed.notify_waiters();
    }
}

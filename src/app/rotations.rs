//! The rotations window's data: every rotation of the tenant as the worker last sent it
//! (newest first), the selection, and what a new batch changed (a rotation that became
//! ready is said once). The procedure's rule itself is `crate::rotation::machine`, run by
//! the worker below the dashboard; here only what is shown and what Enter may open.

use chrono::{DateTime, Utc};

use crate::model::CredentialKey;
use crate::rotation::machine::{Known, Refusal, may_revoke};
use crate::rotation::{Rotation, RotationId, RotationState};

use super::inventory::Inventory;

#[derive(Debug, Clone, Default)]
pub struct Rotations {
    /// Newest first, as the inventory holds them.
    pub list: Vec<Rotation>,
    /// Has the worker sent them yet?
    pub loaded: bool,
}

/// The rotations window: which rotation is selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RotationsWindow {
    pub cursor: usize,
}

/// The abandon confirmation: the rotation captured when it opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbandonDialog {
    pub id: RotationId,
    pub connector: String,
    pub new_credential_id: String,
    pub pending: Vec<String>,
}

/// What Enter on a rotation leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextRevoke {
    /// The revoke dialog for this old credential.
    Dialog(CredentialKey),
    /// Not ready, or nothing left: why, in words.
    Nothing(String),
    /// The next old credential is refused (used after the switch): why.
    Refused(String),
}

impl Rotations {
    /// Takes a new batch; returns the rotations that became ready with it (waiting before,
    /// or unknown before when `loaded` was already true).
    pub fn replace(&mut self, list: Vec<Rotation>) -> Vec<RotationId> {
        let before = std::mem::replace(&mut self.list, list);
        let was_loaded = std::mem::replace(&mut self.loaded, true);
        self.list
            .iter()
            .filter(|r| r.state == RotationState::Ready)
            .filter(|r| {
                was_loaded
                    && before
                        .iter()
                        .find(|b| b.id == r.id)
                        .is_none_or(|b| b.state != RotationState::Ready)
            })
            .map(|r| r.id)
            .collect()
    }

    pub fn get(&self, id: RotationId) -> Option<&Rotation> {
        self.list.iter().find(|r| r.id == id)
    }

    pub fn ready(&self) -> usize {
        self.list
            .iter()
            .filter(|r| r.state == RotationState::Ready)
            .count()
    }

    /// The open rotation of a connector, if any.
    pub fn open_of(&self, app_id: &str, connector_id: &str) -> Option<&Rotation> {
        self.list
            .iter()
            .find(|r| r.state.is_open() && r.app_id == app_id && r.connector_id == connector_id)
    }

    /// Whether a credential is an old one of a ready rotation, still to be revoked.
    pub fn awaits_revoke(&self, key: &CredentialKey) -> bool {
        self.list.iter().any(|r| {
            r.state == RotationState::Ready
                && r.app_id == key.app_id
                && r.connector_id == key.connector_id
                && r.pending().any(|o| o.credential_id == key.credential_id)
        })
    }

    /// The open rotation a credential belongs to (as the new one or a pending old one).
    pub fn of_credential(&self, key: &CredentialKey) -> Option<&Rotation> {
        self.list.iter().find(|r| {
            r.state.is_open()
                && r.app_id == key.app_id
                && r.connector_id == key.connector_id
                && (r.new_credential_id == key.credential_id
                    || r.pending().any(|o| o.credential_id == key.credential_id))
        })
    }
}

/// What Enter on rotation `r` opens: the revoke dialog of its first pending old credential
/// the inventory can revoke, unless the rotation is not ready or that one is refused
/// (`machine::may_revoke`, on what the last refresh saw).
pub fn next_revoke(r: &Rotation, inv: &Inventory, now: DateTime<Utc>) -> NextRevoke {
    if r.state != RotationState::Ready {
        let why = match r.state {
            RotationState::Waiting => format!(
                "rotation {}: waiting for the connector to use the new credential {}; nothing \
                 is revoked before that",
                r.id, r.new_credential_id
            ),
            other => format!("rotation {} is {}: nothing to revoke", r.id, other.word()),
        };
        return NextRevoke::Nothing(why);
    }
    for old in r.pending() {
        let key = r.key_of(&old.credential_id);
        let Some(e) = inv.get(&key) else { continue };
        let known = e.last.as_ref().map(|c| Known::of_credential(c, now));
        if let Some(k @ Known::Live { .. }) = known {
            if let Err(refusal) = may_revoke(r, &old.credential_id, k) {
                return NextRevoke::Refused(refused_words(r, &old.credential_id, &refusal));
            }
            return NextRevoke::Dialog(key);
        }
    }
    NextRevoke::Nothing(format!(
        "rotation {}: no old credential is left live here; the next refresh settles it",
        r.id
    ))
}

fn refused_words(r: &Rotation, credential_id: &str, refusal: &Refusal) -> String {
    format!("rotation {}: {}", r.id, refusal.words(credential_id))
}

//! Rotation as a procedure: mint a new credential for a connector, wait until the connector
//! really uses it (its `lastUsedAt` appears), then revoke the older credentials it replaces.
//!
//! - this file: the nouns, plain data the inventory keeps ([`Rotation`]) and every layer
//!   shares; like [`crate::model`], it imports nothing above it.
//! - `machine`: the rule that decides the next state from what a refresh saw, pure, with
//!   step tests; `journal`: the journal entries its steps become.
//! - `procedure`: the async shell the command line (and later the dashboard) runs: it gets
//!   the credentials, feeds the machine through the inventory, and revokes through
//!   [`crate::ops::Ops`], with all its protections.

pub mod journal;
pub mod machine;
pub mod procedure;

use std::fmt;

use chrono::{DateTime, Utc};

use crate::model::CredentialKey;

/// How long a rotation waits for its new credential's first use before it times out. A
/// connector syncs far more often than this: a week without a use means it never switched.
pub const FIRST_USE_DEADLINE: chrono::TimeDelta = chrono::TimeDelta::days(7);

/// A rotation's number in the inventory, as `credboard rotations resume ID` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RotationId(pub i64);

impl fmt::Display for RotationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RotationState {
    /// The new credential is minted; its connector has not used it yet.
    Waiting,
    /// The connector used the new credential: the old ones may be revoked.
    Ready,
    /// Every old credential is revoked (by credboard, or by someone else meanwhile).
    Done,
    Abandoned(AbandonReason),
    /// The new credential was not used before the deadline.
    TimedOut,
}

impl RotationState {
    /// The name in the inventory and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            RotationState::Waiting => "waiting",
            RotationState::Ready => "ready",
            RotationState::Done => "done",
            RotationState::Abandoned(_) => "abandoned",
            RotationState::TimedOut => "timed_out",
        }
    }

    /// As a person reads it.
    pub fn word(self) -> &'static str {
        match self {
            RotationState::Waiting => "waiting for first use",
            RotationState::Ready => "ready to revoke the old",
            RotationState::Done => "done",
            RotationState::Abandoned(_) => "abandoned",
            RotationState::TimedOut => "timed out",
        }
    }

    /// Waiting or ready: the procedure may still move it.
    pub fn is_open(self) -> bool {
        matches!(self, RotationState::Waiting | RotationState::Ready)
    }

    /// The state named `state` (with `reason` for an abandoned one), as the inventory holds it.
    pub fn parse(state: &str, reason: Option<&str>) -> Option<RotationState> {
        Some(match state {
            "waiting" => RotationState::Waiting,
            "ready" => RotationState::Ready,
            "done" => RotationState::Done,
            "abandoned" => RotationState::Abandoned(AbandonReason::parse(reason?)?),
            "timed_out" => RotationState::TimedOut,
            _ => return None,
        })
    }
}

/// Why a rotation was given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AbandonReason {
    /// `credboard rotations abandon`.
    ByUser,
    /// Someone revoked the new credential: revoking the old ones would leave the connector
    /// with nothing.
    NewRevoked,
    /// The server no longer knows the new credential.
    NewGone,
    /// The new credential expired.
    NewExpired,
}

impl AbandonReason {
    pub const ALL: [AbandonReason; 4] = [
        AbandonReason::ByUser,
        AbandonReason::NewRevoked,
        AbandonReason::NewGone,
        AbandonReason::NewExpired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AbandonReason::ByUser => "by_user",
            AbandonReason::NewRevoked => "new_revoked",
            AbandonReason::NewGone => "new_gone",
            AbandonReason::NewExpired => "new_expired",
        }
    }

    pub fn parse(text: &str) -> Option<AbandonReason> {
        AbandonReason::ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn words(self) -> &'static str {
        match self {
            AbandonReason::ByUser => "abandoned by the user",
            AbandonReason::NewRevoked => "the new credential was revoked",
            AbandonReason::NewGone => "the server no longer knows the new credential",
            AbandonReason::NewExpired => "the new credential expired",
        }
    }
}

/// What became of an old credential a rotation is to replace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fate {
    /// Still live, to be revoked.
    Pending,
    /// credboard revoked it for this rotation.
    Revoked,
    /// Someone else revoked it meanwhile: it left the set, credboard sent nothing.
    RevokedElsewhere,
    /// The server no longer knows it: it left the set.
    Gone,
    /// It expired: it left the set.
    Expired,
}

impl Fate {
    pub const ALL: [Fate; 5] = [
        Fate::Pending,
        Fate::Revoked,
        Fate::RevokedElsewhere,
        Fate::Gone,
        Fate::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Fate::Pending => "pending",
            Fate::Revoked => "revoked",
            Fate::RevokedElsewhere => "revoked_elsewhere",
            Fate::Gone => "gone",
            Fate::Expired => "expired",
        }
    }

    pub fn parse(text: &str) -> Option<Fate> {
        Fate::ALL.into_iter().find(|f| f.as_str() == text)
    }

    pub fn words(self) -> &'static str {
        match self {
            Fate::Pending => "to be revoked",
            Fate::Revoked => "revoked by credboard",
            Fate::RevokedElsewhere => "revoked by someone else",
            Fate::Gone => "gone",
            Fate::Expired => "expired",
        }
    }
}

/// An old credential of a rotation, captured when the rotation started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldCredential {
    pub credential_id: String,
    pub fate: Fate,
    /// When it stopped being pending.
    pub settled_at: Option<DateTime<Utc>>,
}

/// A rotation as the inventory keeps it, for one connector of one tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    pub id: RotationId,
    pub app_id: String,
    pub connector_id: String,
    pub new_credential_id: String,
    /// The live credentials of the connector when it started, in id order.
    pub old: Vec<OldCredential>,
    pub state: RotationState,
    pub started_at: DateTime<Utc>,
    /// Waiting past this, it times out.
    pub deadline: DateTime<Utc>,
    /// The new credential's first `lastUsedAt`, once seen.
    pub first_used_at: Option<DateTime<Utc>>,
    /// When it became done, abandoned or timed out.
    pub ended_at: Option<DateTime<Utc>>,
}

impl Rotation {
    /// The old credentials still to be revoked.
    pub fn pending(&self) -> impl Iterator<Item = &OldCredential> {
        self.old.iter().filter(|o| o.fate == Fate::Pending)
    }

    pub fn new_key(&self) -> CredentialKey {
        self.key_of(&self.new_credential_id)
    }

    /// The key of one of its credentials: they all belong to its connector.
    pub fn key_of(&self, credential_id: &str) -> CredentialKey {
        CredentialKey::new(&self.app_id, &self.connector_id, credential_id)
    }

    /// Every credential it watches: the new one, then the old ones still pending.
    pub fn watched(&self) -> Vec<CredentialKey> {
        std::iter::once(self.new_key())
            .chain(self.pending().map(|o| self.key_of(&o.credential_id)))
            .collect()
    }
}

/// A rotation about to be recorded: what is known before it has a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRotation {
    pub app_id: String,
    pub connector_id: String,
    pub new_credential_id: String,
    pub old_credential_ids: Vec<String>,
    pub started_at: DateTime<Utc>,
}

impl NewRotation {
    /// The rotation it becomes under number `id`: waiting, every old credential pending.
    pub fn numbered(&self, id: RotationId) -> Rotation {
        let mut old_ids = self.old_credential_ids.clone();
        old_ids.sort();
        old_ids.dedup();
        Rotation {
            id,
            app_id: self.app_id.clone(),
            connector_id: self.connector_id.clone(),
            new_credential_id: self.new_credential_id.clone(),
            old: old_ids
                .into_iter()
                .map(|credential_id| OldCredential {
                    credential_id,
                    fate: Fate::Pending,
                    settled_at: None,
                })
                .collect(),
            state: RotationState::Waiting,
            started_at: self.started_at,
            deadline: self.started_at + FIRST_USE_DEADLINE,
            first_used_at: None,
            ended_at: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_reason_and_fate_reads_back_by_its_name() {
        for state in [
            RotationState::Waiting,
            RotationState::Ready,
            RotationState::Done,
            RotationState::TimedOut,
        ] {
            assert_eq!(RotationState::parse(state.as_str(), None), Some(state));
        }
        for reason in AbandonReason::ALL {
            let state = RotationState::Abandoned(reason);
            assert_eq!(
                RotationState::parse(state.as_str(), Some(reason.as_str())),
                Some(state)
            );
        }
        assert_eq!(RotationState::parse("abandoned", None), None);
        assert_eq!(RotationState::parse("finished", None), None);
        for fate in Fate::ALL {
            assert_eq!(Fate::parse(fate.as_str()), Some(fate));
        }
    }
}

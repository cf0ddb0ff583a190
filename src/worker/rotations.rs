//! The rotation procedure and the change log, for the dashboard: what `R` replaces and the
//! rotation it records (as `credboard rotate --replace` does), every open rotation moved
//! after each refresh through the same machine, the old credentials revoked for a ready one
//! (refused when still in use), abandoning one, and the rotations and changes sent to the
//! dashboard. The procedure itself is `crate::rotation::procedure`; this file only feeds it.

use crate::api::ConnectorCredential;
use crate::app::{CHANGES_SHOWN, WorkerMsg};
use crate::model::{CredentialKey, Failure, FailureKind, Revocation};
use crate::ops::blocking;
use crate::rotation::RotationId;
use crate::rotation::machine::{Known, may_revoke};
use crate::rotation::procedure::Step;

use super::Worker;
use super::limiter::Priority;

impl Worker {
    /// Before `R` mints: the connector's tracked credentials that a Get shows live (what
    /// the rotation replaces); refused when the connector has a rotation under way.
    pub(super) async fn replaceable(
        &self,
        app_id: &str,
        connector_id: &str,
    ) -> Result<Vec<String>, Failure> {
        let (app, conn) = (app_id.to_string(), connector_id.to_string());
        let open = blocking(&self.store, move |s| s.open_rotation_of(&app, &conn))
            .await
            .map_err(|e| Failure::from(&e))?;
        if let Some(id) = open {
            return Err(Failure::new(
                FailureKind::Refused,
                format!(
                    "connector {connector_id} already has rotation {id} under way; nothing was \
                     minted"
                ),
            ));
        }
        let live = {
            let _permit = self.limiter.acquire(Priority::User).await;
            self.procedure.replaceable(app_id, connector_id).await
        };
        live.map(|l| l.into_iter().filter_map(|c| c.id).collect())
            .map_err(|e| {
                Failure::new(
                    FailureKind::Unreachable,
                    format!(
                        "the connector's current credentials could not be checked, so nothing \
                         was minted: {e}"
                    ),
                )
            })
    }

    /// Records the rotation of the credential just minted, replacing `old`, with its journal
    /// entry; then sends every rotation.
    pub(super) async fn start_rotation(&self, minted: &ConnectorCredential, old: &[String]) {
        let note = match self.procedure.start(minted, old).await {
            Ok(_) => None,
            Err(e) => Some(format!(
                "the rotation could not be recorded in the inventory: {e}; once the connector \
                 uses the new credential, revoke {} by hand",
                old.join(", ")
            )),
        };
        if let Some(note) = &note {
            self.send(WorkerMsg::Error(Failure::new(
                FailureKind::Store,
                note.clone(),
            )));
        }
        self.send_rotations(None).await;
    }

    /// Every rotation, as the inventory holds it now.
    pub(super) async fn send_rotations(&self, note: Option<String>) {
        let result = blocking(&self.store, |s| s.rotations())
            .await
            .map_err(|e| Failure::from(&e));
        self.send(WorkerMsg::Rotations { result, note });
    }

    /// The change log, newest first, at most [`CHANGES_SHOWN`].
    pub(super) async fn send_changes(&self) {
        // Only what is shown is read: the log of a large inventory's first refresh has a
        // change per credential, and reading it all held up the rows' first frame.
        let result = blocking(&self.store, |s| s.changes_since(None, Some(CHANGES_SHOWN)))
            .await
            .map_err(|e| Failure::from(&e));
        self.send(WorkerMsg::Changes(result));
    }

    /// After a refresh stored what it fetched: every open rotation moved on what the
    /// inventory now knows (journaling each step), then the rotations and the change log.
    pub(super) async fn after_refresh(&self) {
        if !self.dashboard {
            return;
        }
        let all = blocking(&self.store, |s| s.rotations()).await;
        if let Ok(all) = all {
            for r in all.iter().filter(|r| r.state.is_open()) {
                if let Err(e) = self.procedure.advance(r.id, Step::Seen).await {
                    self.send(WorkerMsg::Error(Failure::from(&e)));
                }
            }
        }
        self.send_rotations(None).await;
        self.send_changes().await;
    }

    /// A revoke credboard made: any open rotation waiting to revoke that credential settles
    /// it (or, already revoked elsewhere, sees it so).
    pub(super) async fn settle_revoked(&self, key: &CredentialKey, revocation: Revocation) {
        let all = match blocking(&self.store, |s| s.rotations()).await {
            Ok(all) => all,
            Err(_) => return,
        };
        let mut moved = false;
        for r in all.iter().filter(|r| {
            r.state.is_open()
                && r.app_id == key.app_id
                && r.connector_id == key.connector_id
                && r.pending().any(|o| o.credential_id == key.credential_id)
        }) {
            let step = match revocation {
                Revocation::Revoked => Step::Revoked(key.credential_id.clone()),
                Revocation::AlreadyRevoked => Step::Seen,
            };
            if let Err(e) = self.procedure.advance(r.id, step).await {
                self.send(WorkerMsg::Error(Failure::from(&e)));
            }
            moved = true;
        }
        if moved {
            self.send_rotations(None).await;
            self.send_changes().await;
        }
    }

    /// Enter on a ready rotation, confirmed: a fresh Get of the new credential (still live)
    /// and of the old one (not used since the switch), then the revoke as any other.
    pub(super) async fn revoke_for_rotation(self, id: RotationId, key: CredentialKey) {
        let refused = self.check_rotation_revoke(id, &key).await;
        match refused {
            None => self.revoke(key).await,
            Some(why) => {
                self.send(WorkerMsg::Revoked {
                    key,
                    result: Err(Failure::new(FailureKind::Refused, why)),
                });
                self.send_rotations(None).await;
            }
        }
    }

    /// Why the old credential `key` must not be revoked for rotation `id` now; `None`: go.
    async fn check_rotation_revoke(&self, id: RotationId, key: &CredentialKey) -> Option<String> {
        let _permit = self.limiter.acquire(Priority::User).await;
        let rotation = match blocking(&self.store, move |s| s.rotation(id)).await {
            Ok(Some(r)) => r,
            Ok(None) => return Some(format!("there is no rotation {id}; nothing was revoked")),
            Err(e) => return Some(format!("rotation {id} could not be read: {e}")),
        };
        // The connector must still have its new credential, and the rotation be ready.
        for failure in self.procedure.refresh(&[rotation.new_key()]).await {
            self.send(WorkerMsg::Error(Failure::new(FailureKind::Store, failure)));
        }
        let rotation = match self.procedure.advance(id, Step::Seen).await {
            Ok(Some((r, _))) => r,
            Ok(None) => return Some(format!("there is no rotation {id}; nothing was revoked")),
            Err(e) => return Some(format!("rotation {id} could not be moved: {e}")),
        };
        if rotation.state != crate::rotation::RotationState::Ready {
            return Some(format!(
                "rotation {id} is {} now: nothing was revoked",
                rotation.state.word()
            ));
        }
        let held = match self.actions.look_up(key).await {
            Ok(held) => held,
            // The revoke itself says what the server holds.
            Err(_) => return None,
        };
        let known = Known::of_credential(&held, chrono::Utc::now());
        match may_revoke(&rotation, &key.credential_id, known) {
            Ok(()) => None,
            Err(refusal) => {
                let mut said = String::new();
                self.procedure
                    .refuse(&rotation, key, &refusal, &mut |p| {
                        if let crate::rotation::procedure::Progress::Failure(m) = p {
                            said = m;
                        }
                    })
                    .await;
                Some(said)
            }
        }
    }

    /// The user confirmed giving rotation `id` up.
    pub(super) async fn abandon_rotation(self, id: RotationId) {
        let note = match self.procedure.advance(id, Step::Abandon).await {
            Ok(Some((r, events))) if events.is_empty() => Some(format!(
                "rotation {id} is {} already: nothing to abandon",
                r.state.word()
            )),
            Ok(Some(_)) => None,
            Ok(None) => Some(format!("there is no rotation {id}")),
            Err(e) => {
                self.send(WorkerMsg::Error(Failure::from(&e)));
                None
            }
        };
        self.send_rotations(note).await;
    }
}

//! What the user asks of the tenant, carried out through [`crate::ops::Ops`] (read-only gate,
//! write-ahead journal, tenant check): revoke, rotate (and making sure a rotated credential's
//! id is recorded), the journal's window and its unanswered requests.

use crate::api::ConnectorCredential;
use crate::app::{Fetched, JournalLine, WorkerMsg};
use crate::model::{CredentialKey, Failure, FailureKind};
use crate::ops::{OpError, RECORD_RETRY_DELAYS, blocking};

use super::limiter::Priority;
use super::{Worker, lock};

impl Worker {
    pub(super) async fn revoke(self, key: CredentialKey) {
        let result = {
            let _permit = self.limiter.acquire(Priority::User).await;
            self.actions.revoke(&key).await
        };
        if let Ok(r) = &result
            && self.dashboard
        {
            self.settle_revoked(&key, r.revocation).await;
        }
        let result = match result {
            Ok(r) => {
                if let Some(e) = &r.unrecorded {
                    self.send(WorkerMsg::Error(Failure::new(
                        FailureKind::Store,
                        format!(
                            "credential {} was revoked, but {e}; the next start checks it",
                            key.credential_id
                        ),
                    )));
                }
                Ok(r)
            }
            // The row was known to exist and the server no longer has it: say that, and
            // show the row as gone with its last known values.
            Err(OpError::NotFound(n)) if n.held_under.is_none() => {
                self.report(None, key.clone(), Fetched::Gone);
                Err(Failure::new(
                    FailureKind::NotFound,
                    "gone: the server no longer knows this id; nothing was revoked",
                ))
            }
            Err(e) => Err(Failure::from(&e)),
        };
        self.send(WorkerMsg::Revoked { key, result });
    }

    pub(super) async fn rotate(self, app_id: String, connector_id: String) {
        // What the rotation replaces, before anything is minted (as `rotate --replace`).
        let old = if self.dashboard {
            match self.replaceable(&app_id, &connector_id).await {
                Ok(old) => old,
                Err(e) => {
                    self.send(WorkerMsg::Rotated {
                        app_id,
                        connector_id,
                        result: Err(e),
                    });
                    return;
                }
            }
        } else {
            Vec::new()
        };
        let result = {
            let _permit = self.limiter.acquire(Priority::User).await;
            self.actions.rotate(&app_id, &connector_id).await
        };
        let minted_ok = result.is_ok();
        let rotation = match &result {
            Ok(m) if m.record_error.is_none() && !old.is_empty() => Some(m.credential.clone()),
            _ => None,
        };
        let (result, unrecorded) = match result {
            Ok(minted) => {
                let unrecorded = minted
                    .record_error
                    .clone()
                    .map(|e| (minted.credential.clone(), e));
                (Ok(minted), unrecorded)
            }
            Err(e) => (Err(Failure::from(&e)), None),
        };
        self.send(WorkerMsg::Rotated {
            app_id,
            connector_id,
            result,
        });
        // The secret is on its way to the screen; now the rotation, then the id kept.
        if let Some(minted) = rotation {
            self.start_rotation(&minted, &old).await;
        } else if self.dashboard && old.is_empty() && minted_ok {
            let note = "no rotation was recorded: the inventory tracks no live credential of \
                        this connector for it to replace";
            self.send_rotations(Some(note.to_string())).await;
        }
        if let Some((credential, error)) = unrecorded {
            self.send(WorkerMsg::Error(Failure::new(
                FailureKind::Store,
                format!(
                    "the new credential {} was minted, but the inventory could not record it: \
                     {error}; credboard keeps trying",
                    credential.id.as_deref().unwrap_or("?")
                ),
            )));
            self.report_record(&credential, Some(Failure::new(FailureKind::Store, error)));
            self.keep_recording(credential).await;
        }
    }

    /// Tries again to record a rotated credential the inventory refused, with a backoff;
    /// then leaves it to be tried at each refresh (the dashboard may run for days).
    async fn keep_recording(&self, credential: ConnectorCredential) {
        let mut last = String::new();
        for delay in RECORD_RETRY_DELAYS {
            tokio::time::sleep(delay).await;
            match self.actions.record_rotation(&credential).await {
                Ok(()) => {
                    self.report_record(&credential, None);
                    return;
                }
                Err(e) => {
                    last = e.to_string();
                    self.report_record(&credential, Some(Failure::from(&e)));
                }
            }
        }
        self.send(WorkerMsg::Error(Failure::new(
            FailureKind::Store,
            format!(
                "the new credential {} is still not recorded in the inventory ({last}); credboard \
                 tries again at each refresh. Until then only the secret window and the log know \
                 its id",
                credential.id.as_deref().unwrap_or("?")
            ),
        )));
        lock(&self.unrecorded).push(credential);
    }

    /// At each refresh, one more try for every rotated credential not yet recorded.
    pub(super) async fn record_unrecorded(self) {
        let waiting = std::mem::take(&mut *lock(&self.unrecorded));
        for credential in waiting {
            match self.actions.record_rotation(&credential).await {
                Ok(()) => self.report_record(&credential, None),
                Err(e) => {
                    self.report_record(&credential, Some(Failure::from(&e)));
                    lock(&self.unrecorded).push(credential);
                }
            }
        }
    }

    fn report_record(&self, credential: &ConnectorCredential, failure: Option<Failure>) {
        self.send(WorkerMsg::RotationRecord {
            credential_id: credential.id.clone().unwrap_or_default(),
            failure,
        });
    }

    /// Checks the journal's requests that have no outcome (see
    /// [`Ops::check_unanswered`]) and says what each check found, in the error history.
    pub async fn check_unanswered(self) {
        match self.actions.check_unanswered().await {
            Ok(checked) => {
                for c in checked {
                    let kind = match c.outcome {
                        Ok(crate::model::Outcome::NotFound(_)) => FailureKind::NotFound,
                        _ => FailureKind::Store,
                    };
                    self.send(WorkerMsg::Error(Failure::new(
                        kind,
                        format!("journal: {c}"),
                    )));
                }
            }
            Err(e) => self.send(WorkerMsg::Error(Failure::new(
                Failure::from(&e).kind,
                format!("journal: the requests without an outcome could not be checked: {e}"),
            ))),
        }
    }

    pub(super) async fn journal(self) {
        let lines = blocking(&self.store, |s| s.journal())
            .await
            .map(|entries| {
                entries
                    .into_iter()
                    .map(|e| JournalLine {
                        at: e.time,
                        profile: e.profile,
                        actor: e.actor_client_id.unwrap_or_else(|| "access token".into()),
                        action: e.action.to_string(),
                        app_id: e.app_id,
                        connector_id: e.connector_id,
                        credential_id: e.credential_id.unwrap_or_default(),
                        outcome: e.outcome.to_string(),
                    })
                    .collect()
            })
            .map_err(|e| Failure::from(&e));
        self.send(WorkerMsg::Journal(lines));
    }
}

//! The rotation procedure's async shell, below every user interface: what a rotation would
//! replace, starting one, watching it (Gets, stored as any refresh stores them, then the
//! machine fed from the inventory), and revoking the old credentials through [`Ops`] (Get
//! first, write-ahead journal, read-only gate, tenant check). The command line drives it;
//! the dashboard's worker can drive the same calls.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use super::journal::{self, Actor};
use super::machine::{Event, Input, Known, Refusal, may_revoke, step};
use super::{NewRotation, Rotation, RotationId, RotationState};
use crate::api::{Client, ConnectorCredential};
use crate::model::{CredentialKey, Minted, Revocation};
use crate::ops::{OpError, Ops, blocking};
use crate::store::{Store, StoreError};

/// The first wait between two Gets of a rotation's credentials; each wait doubles it, up to
/// [`LONGEST_POLL`]: a connector that switches at once is seen at once, one that takes an
/// hour costs a Get of each watched credential every ten seconds.
pub const FIRST_POLL: Duration = Duration::from_millis(500);
pub const LONGEST_POLL: Duration = Duration::from_secs(10);

/// The waits between polls, by themselves.
#[derive(Debug, Clone)]
pub struct Polls {
    next: Duration,
}

impl Default for Polls {
    fn default() -> Self {
        Self { next: FIRST_POLL }
    }
}

impl Polls {
    /// How long to wait before the next poll when `remaining` is left of the wait: never
    /// past its end.
    pub fn next_delay(&mut self, remaining: Duration) -> Duration {
        let delay = self.next.min(remaining);
        self.next = (self.next * 2).min(LONGEST_POLL);
        delay
    }
}

/// What the procedure tells as it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// A step of the rotation (already journaled).
    Step(Event),
    /// A call or a store write failed; the procedure goes on where it safely can.
    Failure(String),
}

/// Why revoking a rotation's old credentials stopped before the end. The rotation stays
/// ready: resuming it carries on.
#[derive(Debug, thiserror::Error)]
pub enum Stopped {
    #[error("credential {} was not revoked: the answer was not yes", .0.credential_id)]
    Declined(CredentialKey),
    #[error("{0}")]
    Failed(OpError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub struct Procedure {
    client: Client,
    store: Arc<Store>,
    ops: Ops,
}

impl Procedure {
    pub fn new(client: Client, store: Arc<Store>, read_only: bool) -> Self {
        Self {
            ops: Ops::new(client.clone(), store.clone(), read_only),
            client,
            store,
        }
    }

    pub fn ops(&self) -> &Ops {
        &self.ops
    }

    fn actor(&self) -> Actor {
        Actor {
            profile: self.store.profile().unwrap_or_default().to_string(),
            client_id: self.client.client_id().map(str::to_string),
        }
    }

    /// What a rotation of the connector would replace now: its tracked credentials that a
    /// Get shows live (not revoked, not expired), in id order. Every Get must answer: a
    /// rotation must know what it replaces.
    pub async fn replaceable(
        &self,
        app_id: &str,
        connector_id: &str,
    ) -> Result<Vec<ConnectorCredential>, String> {
        let snapshot = blocking(&self.store, |s| s.snapshot())
            .await
            .map_err(|e| e.to_string())?;
        let keys: Vec<CredentialKey> = snapshot
            .credentials
            .into_iter()
            .map(|c| c.key)
            .filter(|k| k.app_id == app_id && k.connector_id == connector_id)
            .collect();
        let now = Utc::now();
        let mut live = Vec::new();
        for key in keys {
            let got = self
                .client
                .get_credential(&key.app_id, &key.connector_id, &key.credential_id)
                .await
                .map_err(|e| e.to_string())?;
            self.keep(&key, got.clone()).await?;
            if let Some(c) = got
                && matches!(Known::of_credential(&c, now), Known::Live { .. })
            {
                live.push(c);
            }
        }
        Ok(live)
    }

    /// Mints the new credential ([`Ops::rotate`]: read-only gate, tenant check, journal).
    pub async fn mint(&self, app_id: &str, connector_id: &str) -> Result<Minted, OpError> {
        self.ops.rotate(app_id, connector_id).await
    }

    /// Records a rotation of `minted` replacing `old`, waiting for first use, with its
    /// journal entry.
    pub async fn start(
        &self,
        minted: &ConnectorCredential,
        old: &[String],
    ) -> Result<Rotation, StoreError> {
        let draft = NewRotation {
            app_id: minted.app_id.clone().unwrap_or_default(),
            connector_id: minted.connector_id.clone().unwrap_or_default(),
            new_credential_id: minted.id.clone().unwrap_or_default(),
            old_credential_ids: old.to_vec(),
            started_at: Utc::now(),
        };
        let actor = self.actor();
        blocking(&self.store, move |s| {
            s.start_rotation(&draft, |r| journal::started(r, &actor, r.started_at))
        })
        .await
    }

    /// Gets the credentials and stores what the server says, as a refresh does (the change
    /// log included); returns what failed.
    pub async fn refresh(&self, keys: &[CredentialKey]) -> Vec<String> {
        let mut failures = Vec::new();
        for key in keys {
            let got = self
                .client
                .get_credential(&key.app_id, &key.connector_id, &key.credential_id)
                .await;
            let stored = match got {
                Ok(got) => self.keep(key, got).await,
                Err(e) => Err(e.to_string()),
            };
            failures.extend(stored.err());
        }
        failures
    }

    async fn keep(
        &self,
        key: &CredentialKey,
        got: Option<ConnectorCredential>,
    ) -> Result<(), String> {
        let now = Utc::now();
        let id = key.credential_id.clone();
        blocking(&self.store, move |s| match got {
            Some(c) => s.save_credential(&c, now).map(drop),
            None => s.mark_gone(&id, now).map(drop),
        })
        .await
        .map_err(|e| {
            format!(
                "the state of credential {} could not be stored: {e}",
                key.credential_id
            )
        })
    }

    /// Moves rotation `id` as `input` says (for [`Input::Seen`], from what the inventory
    /// knows now of its credentials), journaling each step. Returns the rotation after and
    /// its events; `None` if this tenant has no rotation `id`.
    pub async fn advance(
        &self,
        id: RotationId,
        input: Step,
    ) -> Result<Option<(Rotation, Vec<Event>)>, StoreError> {
        let actor = self.actor();
        blocking(&self.store, move |s| {
            let mut events = Vec::new();
            let after = s.advance_rotation(id, |rotation, known| {
                let now = Utc::now();
                let seen: HashMap<String, Known> = known
                    .iter()
                    .filter_map(|k| Some((k.key.credential_id.clone(), Known::of(k, now)?)))
                    .collect();
                let input = match &input {
                    Step::Seen => Input::Seen(&seen),
                    Step::Revoked(id) => Input::Revoked(id),
                    Step::Abandon => Input::Abandon,
                };
                let stepped = step(rotation, input, now);
                if stepped.rotation == *rotation {
                    return None;
                }
                let entries = journal::entries(&stepped.rotation, &stepped.events, &actor, now);
                events = stepped.events;
                Some((stepped.rotation, entries))
            })?;
            Ok(after.map(|r| (r, events)))
        })
        .await
    }

    /// Gets a rotation's watched credentials and moves it on what they say.
    async fn watch(
        &self,
        rotation: &Rotation,
        report: &mut impl FnMut(Progress),
    ) -> Result<Rotation, StoreError> {
        for failure in self.refresh(&rotation.watched()).await {
            report(Progress::Failure(failure));
        }
        self.moved(rotation.id, Step::Seen, report).await
    }

    /// [`Procedure::advance`] of a rotation known to exist, its events reported.
    async fn moved(
        &self,
        id: RotationId,
        input: Step,
        report: &mut impl FnMut(Progress),
    ) -> Result<Rotation, StoreError> {
        let (rotation, events) = self
            .advance(id, input)
            .await?
            .ok_or(StoreError::MissingId {
                what: "a rotation that vanished from the inventory",
            })?;
        for event in events {
            report(Progress::Step(event));
        }
        Ok(rotation)
    }

    /// Every open rotation watched once (its credentials got, then moved on what they say),
    /// then every rotation of the tenant, newest first.
    pub async fn watch_open(
        &self,
        mut report: impl FnMut(&Rotation, Progress),
    ) -> Result<Vec<Rotation>, StoreError> {
        let all = blocking(&self.store, |s| s.rotations()).await?;
        for rotation in all.iter().filter(|r| r.state.is_open()) {
            self.watch(rotation, &mut |p| report(rotation, p)).await?;
        }
        blocking(&self.store, |s| s.rotations()).await
    }

    /// Watches rotation `rotation` until it is no longer waiting (its new credential was used,
    /// it timed out or was abandoned) or `wait` has passed; returns it as it then is.
    pub async fn wait_for_first_use(
        &self,
        rotation: Rotation,
        wait: Duration,
        mut report: impl FnMut(Progress),
    ) -> Result<Rotation, StoreError> {
        let until = tokio::time::Instant::now() + wait;
        let mut polls = Polls::default();
        let mut rotation = rotation;
        loop {
            rotation = self.watch(&rotation, &mut report).await?;
            let remaining = until.saturating_duration_since(tokio::time::Instant::now());
            if rotation.state != RotationState::Waiting || remaining.is_zero() {
                return Ok(rotation);
            }
            tokio::time::sleep(polls.next_delay(remaining)).await;
        }
    }

    /// Revokes the old credentials of a ready rotation through [`Ops`], one by one, once a
    /// fresh Get shows the new credential still live. `confirm` (none with `--yes`) is
    /// asked about each old credential as the server holds it; one already revoked, gone or
    /// expired leaves the set without being asked about; one used after the new credential's
    /// first use is refused ([`may_revoke`]: said, journaled, left pending). Returns the
    /// rotation after: done when every old credential is settled.
    pub async fn revoke_old(
        &self,
        rotation: Rotation,
        mut confirm: Option<&mut dyn FnMut(&ConnectorCredential) -> bool>,
        mut report: impl FnMut(Progress),
    ) -> Result<Rotation, Stopped> {
        if rotation.state != RotationState::Ready {
            return Ok(rotation);
        }
        let pending: Vec<CredentialKey> = rotation
            .pending()
            .map(|o| rotation.key_of(&o.credential_id))
            .collect();
        let mut rotation = rotation;
        for key in pending {
            // The connector must still have its new credential before an old one goes.
            for failure in self.refresh(&[rotation.new_key()]).await {
                report(Progress::Failure(failure));
            }
            rotation = self.moved(rotation.id, Step::Seen, &mut report).await?;
            if rotation.state != RotationState::Ready {
                return Ok(rotation);
            }
            let held = match self.ops.look_up(&key).await {
                Ok(held) => held,
                Err(OpError::NotFound(_)) => {
                    rotation = self.settle_vanished(&rotation, &key, &mut report).await?;
                    continue;
                }
                Err(e) => return Err(Stopped::Failed(e)),
            };
            let known = Known::of_credential(&held, Utc::now());
            if !matches!(known, Known::Live { .. }) {
                if let Err(e) = self.keep(&key, Some(held)).await {
                    report(Progress::Failure(e));
                }
                rotation = self.moved(rotation.id, Step::Seen, &mut report).await?;
                continue;
            }
            if let Err(refusal) = may_revoke(&rotation, &key.credential_id, known) {
                self.refuse(&rotation, &key, &refusal, &mut report).await;
                continue;
            }
            if let Some(confirm) = confirm.as_mut()
                && !confirm(&held)
            {
                return Err(Stopped::Declined(key));
            }
            rotation = match self.ops.revoke(&key).await {
                Ok(result) => {
                    if let Some(e) = result.unrecorded {
                        report(Progress::Failure(format!(
                            "credential {} was revoked, but {e}; the next start checks it",
                            key.credential_id
                        )));
                    }
                    let input = match result.revocation {
                        Revocation::Revoked => Step::Revoked(key.credential_id.clone()),
                        // Revoked by someone else since: the stored state says so.
                        Revocation::AlreadyRevoked => Step::Seen,
                    };
                    self.moved(rotation.id, input, &mut report).await?
                }
                Err(OpError::NotFound(_)) => {
                    self.settle_vanished(&rotation, &key, &mut report).await?
                }
                Err(e) => return Err(Stopped::Failed(e)),
            };
        }
        Ok(rotation)
    }

    /// An old credential the procedure will not revoke: said, and journaled (nothing sent);
    /// it stays pending and the rotation ready.
    pub async fn refuse(
        &self,
        rotation: &Rotation,
        key: &CredentialKey,
        refusal: &Refusal,
        report: &mut impl FnMut(Progress),
    ) {
        report(Progress::Failure(format!(
            "rotation {}: {}",
            rotation.id,
            refusal.words(&key.credential_id)
        )));
        let entry = journal::refused(
            rotation,
            &key.credential_id,
            refusal,
            &self.actor(),
            Utc::now(),
        );
        if let Err(e) = blocking(&self.store, move |s| s.append_journal(&entry)).await {
            report(Progress::Failure(format!(
                "the refusal could not be journaled: {e}"
            )));
        }
    }

    /// An old credential the server does not hold under its ids: stored as gone (after a Get
    /// that says so), so the machine lets it leave the set.
    async fn settle_vanished(
        &self,
        rotation: &Rotation,
        key: &CredentialKey,
        report: &mut impl FnMut(Progress),
    ) -> Result<Rotation, StoreError> {
        for failure in self.refresh(std::slice::from_ref(key)).await {
            report(Progress::Failure(failure));
        }
        self.moved(rotation.id, Step::Seen, report).await
    }
}

/// What moves a rotation, as [`Procedure::advance`] takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// What the inventory knows now of its credentials.
    Seen,
    /// credboard revoked this old credential.
    Revoked(String),
    Abandon,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polls_start_quick_slow_down_to_a_bound_and_never_pass_the_end_of_the_wait() {
        let mut polls = Polls::default();
        let long = Duration::from_secs(3600);
        let delays: Vec<u64> = (0..8)
            .map(|_| polls.next_delay(long).as_millis() as u64)
            .collect();
        assert_eq!(
            delays,
            [500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]
        );
        assert_eq!(
            polls.next_delay(Duration::from_millis(300)),
            Duration::from_millis(300)
        );
        assert_eq!(polls.next_delay(Duration::ZERO), Duration::ZERO);
    }
}

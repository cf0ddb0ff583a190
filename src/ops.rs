//! Revoke and rotate, the two actions that change a tenant. The dashboard's worker and the
//! command line both come through here, so read-only mode and the journal are enforced in
//! one place, below any user interface.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;

use crate::api::client::Revoked;
use crate::api::{ApiError, Client, ConnectorCredential};
use crate::model::{
    Action, CredentialKey, EntryId, Failure, FailureKind, JournalEntry, Minted, Outcome,
    Revocation, RevokeResult,
};
use crate::store::{Store, StoreError, Tenant};

#[derive(Debug, thiserror::Error)]
pub enum OpError {
    #[error(
        "read-only mode: {0} is disabled (turn read-only off in the settings or drop --read-only)"
    )]
    ReadOnly(&'static str),
    /// The inventory the keys come from is another tenant's than the one the client reaches.
    #[error(
        "refusing to {action}: the inventory's rows belong to tenant {rows}, but credboard is configured for {client}"
    )]
    OtherTenant {
        action: &'static str,
        rows: Tenant,
        client: String,
    },
    /// The server holds no credential under the ids asked for: nothing was revoked.
    #[error("{0}; nothing was sent")]
    NotFound(Box<NotFound>),
    /// The server's answers contradict each other; the message says how.
    #[error("{0}")]
    Unconfirmed(String),
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The "requested" entry could not be written ahead of the request, so it was not sent.
    #[error("the journal could not record the request, so nothing was sent: {0}")]
    NotJournaled(StoreError),
    #[error("the inventory could not be written: {0}")]
    Store(#[from] StoreError),
}

impl From<&OpError> for Failure {
    fn from(e: &OpError) -> Failure {
        let kind = match e {
            OpError::ReadOnly(_) => FailureKind::ReadOnly,
            OpError::OtherTenant { .. } => FailureKind::OtherTenant,
            OpError::NotFound(_) => FailureKind::NotFound,
            OpError::Unconfirmed(_) => FailureKind::BadReply,
            OpError::Api(e) => return e.into(),
            OpError::NotJournaled(_) | OpError::Store(_) => FailureKind::Store,
        };
        Failure::new(kind, e.to_string())
    }
}

impl From<&StoreError> for Failure {
    fn from(e: &StoreError) -> Failure {
        Failure::new(FailureKind::Store, e.to_string())
    }
}

/// A credential the server does not hold under the ids asked for. A 404 proves only that
/// the server does not hold those three ids together: a mistyped id looks exactly like a
/// deleted one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotFound {
    pub key: CredentialKey,
    /// The app and connector the server holds the id under instead, when it said so; `None`
    /// when it answered 404.
    pub held_under: Option<(String, String)>,
}

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let k = &self.key;
        write!(f, "credential {} was not found: ", k.credential_id)?;
        match &self.held_under {
            None => write!(
                f,
                "the tenant has no such credential under app {}, connector {}",
                k.app_id, k.connector_id
            ),
            Some((app, connector)) => write!(
                f,
                "the tenant holds it under app {app}, connector {connector}, not app {}, connector {}",
                k.app_id, k.connector_id
            ),
        }
    }
}

/// A request the journal holds with no outcome, found at start, and what checking it showed.
#[derive(Debug, Clone)]
pub struct Checked {
    pub request: JournalEntry,
    /// The outcome now journaled for it, or why it could not be checked (it stays
    /// unanswered, to be checked at the next start).
    pub outcome: Result<Outcome, String>,
}

impl fmt::Display for Checked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.request;
        let what = match r.action {
            Action::Revoke => format!(
                "the revoke of credential {}",
                r.credential_id.as_deref().unwrap_or("?")
            ),
            Action::Rotate => format!(
                "the rotate for connector {} of app {}",
                r.connector_id, r.app_id
            ),
        };
        let when = r.time.format("%Y-%m-%d %H:%M:%S UTC");
        match &self.outcome {
            Ok(Outcome::Ok) => write!(
                f,
                "{what}, requested at {when}, had no outcome in the journal: the server says it \
                 is revoked; journaled as done"
            ),
            Ok(outcome) => write!(
                f,
                "{what}, requested at {when}, had no outcome in the journal; journaled as {outcome}"
            ),
            Err(e) => write!(
                f,
                "{what}, requested at {when}, has no outcome in the journal and could not be \
                 checked ({e}); credboard checks it again at the next start"
            ),
        }
    }
}

/// The waits before each new try to record a rotated credential the inventory refused (a
/// full disk may be freed, a lock released). The dashboard then tries at each refresh.
pub const RECORD_RETRY_DELAYS: [Duration; 3] = [
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
];

pub struct Ops {
    client: Client,
    store: Arc<Store>,
    read_only: bool,
    /// Rotated credentials not yet recorded, by id, with the journal request each answers.
    unrecorded: Mutex<HashMap<String, EntryId>>,
}

impl Ops {
    pub fn new(client: Client, store: Arc<Store>, read_only: bool) -> Self {
        Self {
            client,
            store,
            read_only,
            unrecorded: Mutex::default(),
        }
    }

    pub fn read_only(&self) -> bool {
        self.read_only
    }

    /// Gets the credential under exactly these ids, to show or to revoke. A 404, or a reply
    /// naming another app, connector or id, is [`OpError::NotFound`], journaled as such
    /// (nothing is sent).
    pub async fn look_up(&self, key: &CredentialKey) -> Result<ConnectorCredential, OpError> {
        self.same_tenant("revoke")?;
        let got = self
            .client
            .get_credential(&key.app_id, &key.connector_id, &key.credential_id)
            .await;
        let held_under = match got {
            Ok(Some(c)) => match held_elsewhere(&c, key) {
                None => return Ok(c),
                held => held,
            },
            Ok(None) => None,
            Err(e) => {
                let outcome = Outcome::Failed(format!("nothing was sent: {e}"));
                self.journal(self.entry(Action::Revoke, key, outcome))
                    .await?;
                return Err(e.into());
            }
        };
        let not_found = NotFound {
            key: key.clone(),
            held_under,
        };
        let outcome = Outcome::NotFound(not_found.to_string());
        self.journal(self.entry(Action::Revoke, key, outcome))
            .await?;
        Err(OpError::NotFound(Box::new(not_found)))
    }

    /// Revokes exactly `key`. It is got first: ids the server does not hold together are
    /// [`OpError::NotFound`], and "already revoked" comes only from the server's record.
    /// The journal is written ahead: "requested" before the revoke is sent (if that cannot be
    /// written, nothing is sent), the outcome after. The credential as the server holds it
    /// afterwards is stored, so the caller shows what the server now says.
    pub async fn revoke(&self, key: &CredentialKey) -> Result<RevokeResult, OpError> {
        if self.read_only {
            return Err(OpError::ReadOnly("revoke"));
        }
        let current = self.look_up(key).await?;
        if current.deleted_at.is_some() {
            self.journal(self.entry(Action::Revoke, key, Outcome::AlreadyGone))
                .await?;
            let unrecorded = self.keep(key, Some(current.clone())).await;
            return Ok(RevokeResult {
                revocation: Revocation::AlreadyRevoked,
                fresh: Some(current),
                unrecorded,
            });
        }
        let request = self
            .journal(self.entry(Action::Revoke, key, Outcome::Requested))
            .await
            .map_err(OpError::NotJournaled)?;
        let sent = self
            .client
            .revoke(&key.app_id, &key.connector_id, &key.credential_id)
            .await;
        let answered_404 = match sent {
            Ok(Revoked::Now) => false,
            Ok(Revoked::AlreadyGone) => true,
            Err(e) => {
                let outcome = Outcome::Failed(e.to_string());
                // Unanswered, the request is checked at the next start.
                let _ = self.answer(request, Action::Revoke, key, outcome).await;
                return Err(e.into());
            }
        };
        let after = self
            .client
            .get_credential(&key.app_id, &key.connector_id, &key.credential_id)
            .await;
        let (outcome, result) = match (answered_404, after) {
            (false, after) => (Outcome::Ok, Ok((Revocation::Revoked, after.ok().flatten()))),
            // It was live a moment ago: someone else revoked it in between.
            (true, Ok(Some(c))) if c.deleted_at.is_some() => (
                Outcome::AlreadyGone,
                Ok((Revocation::AlreadyRevoked, Some(c))),
            ),
            (true, Ok(None)) => {
                let not_found = NotFound {
                    key: key.clone(),
                    held_under: None,
                };
                (
                    Outcome::NotFound(format!("{not_found}; it vanished while being revoked")),
                    Err(OpError::NotFound(Box::new(not_found))),
                )
            }
            (true, after) => {
                let message = match after {
                    Ok(_) => {
                        "the server answered 404 to the revoke, yet still holds the credential live"
                            .to_string()
                    }
                    Err(e) => format!(
                        "the server answered 404 to the revoke, and the credential could not be read again: {e}"
                    ),
                };
                (
                    Outcome::Failed(message.clone()),
                    Err(OpError::Unconfirmed(message)),
                )
            }
        };
        let answered = self.answer(request, Action::Revoke, key, outcome).await;
        let (revocation, fresh) = result?;
        let kept = self.keep(key, fresh.clone()).await;
        let unrecorded = [
            answered
                .err()
                .map(|e| format!("the journal could not record the outcome: {e}")),
            kept,
        ]
        .into_iter()
        .flatten()
        .reduce(|a, b| format!("{a}; {b}"));
        Ok(RevokeResult {
            revocation,
            fresh,
            unrecorded,
        })
    }

    /// Checks every request the journal holds without an outcome (the process was killed
    /// while it was in flight, or its outcome could not be written) and journals what the
    /// tenant says now: a revoke by getting the credential, a rotate as unknown (no call
    /// lists what it may have minted). Returns what each check found, to show.
    pub async fn check_unanswered(&self) -> Result<Vec<Checked>, OpError> {
        self.same_tenant("check the journal")?;
        let unanswered = self.with_store(|s| s.unanswered_requests()).await?;
        let mut checked = Vec::with_capacity(unanswered.len());
        for (request, entry) in unanswered {
            let outcome = match entry.action {
                Action::Revoke => self.check_revoke(&entry).await,
                Action::Rotate => Ok(Outcome::Unknown(
                    "its reply was never recorded; if it went through, ConductorOne holds a \
                     credential for this connector that credboard does not track, and its secret \
                     is lost: find it in the web UI, then revoke it (or track it)"
                        .into(),
                )),
            };
            let outcome = match outcome {
                Ok(outcome) => {
                    let mut answer = entry.clone();
                    answer.time = Utc::now();
                    answer.outcome = outcome.clone();
                    self.with_store(move |s| s.append_outcome(request, &answer))
                        .await
                        .map(|_| outcome)
                        .map_err(|e| format!("the journal could not record the outcome: {e}"))
                }
                Err(e) => Err(e),
            };
            checked.push(Checked {
                request: entry,
                outcome,
            });
        }
        Ok(checked)
    }

    /// What the tenant says now about a revoke whose outcome was never journaled.
    async fn check_revoke(&self, request: &JournalEntry) -> Result<Outcome, String> {
        let key = CredentialKey::new(
            &request.app_id,
            &request.connector_id,
            request.credential_id.as_deref().unwrap_or_default(),
        );
        let got = self
            .client
            .get_credential(&key.app_id, &key.connector_id, &key.credential_id)
            .await
            .map_err(|e| e.to_string())?;
        let outcome = match &got {
            Some(c) if c.deleted_at.is_some() => Outcome::Ok,
            Some(_) => Outcome::Failed(
                "checked at the next start: the server still holds the credential live, so the \
                 revoke did not go through"
                    .into(),
            ),
            None => Outcome::NotFound(
                "checked at the next start: the tenant no longer knows this id".into(),
            ),
        };
        if let Some(e) = self.keep(&key, got).await {
            tracing::warn!(error = %e, "a checked credential's state could not be stored");
        }
        Ok(outcome)
    }

    /// Refuses to act for a tenant other than the inventory's: its ids mean nothing there,
    /// and a revoke would send them to the wrong tenant.
    fn same_tenant(&self, action: &'static str) -> Result<(), OpError> {
        match Tenant::from_endpoint(self.client.host()) {
            Ok(t) if &t == self.store.tenant() => Ok(()),
            _ => Err(OpError::OtherTenant {
                action,
                rows: self.store.tenant().clone(),
                client: self.client.host().to_string(),
            }),
        }
    }

    /// Stores what the server said about a credential, if it is tracked: the object, or that
    /// it is gone. Returns what failed, if anything did: the action itself is done.
    async fn keep(
        &self,
        key: &CredentialKey,
        fresh: Option<ConnectorCredential>,
    ) -> Option<String> {
        let now = Utc::now();
        let id = key.credential_id.clone();
        self.with_store(move |store| match fresh {
            Some(c) => store.save_credential(&c, now).map(drop),
            None => store.mark_gone(&id, now).map(drop),
        })
        .await
        .err()
        .map(|e| format!("the credential's new state could not be stored: {e}"))
    }

    /// Mints a new credential for a connector and records its id in the inventory as soon
    /// as the reply arrives. The journal is written ahead: if the request cannot be journaled,
    /// nothing is sent. The secret is never stored.
    pub async fn rotate(&self, app_id: &str, connector_id: &str) -> Result<Minted, OpError> {
        if self.read_only {
            return Err(OpError::ReadOnly("rotate"));
        }
        self.same_tenant("rotate")?;
        let key = CredentialKey::new(app_id, connector_id, "");
        let mut requested = self.entry(Action::Rotate, &key, Outcome::Requested);
        requested.credential_id = None;
        let request = self
            .journal(requested)
            .await
            .map_err(OpError::NotJournaled)?;
        let rotated = match self.client.rotate(app_id, connector_id).await {
            Ok(r) => r,
            Err(e) => {
                let mut failed = self.entry(Action::Rotate, &key, Outcome::Failed(e.to_string()));
                failed.credential_id = None;
                // Unanswered, the request is checked at the next start.
                let _ = self
                    .with_store(move |s| s.append_outcome(request, &failed))
                    .await;
                return Err(e.into());
            }
        };
        let mut credential = rotated.credential;
        // Older replies may omit the ids the request named.
        credential.app_id.get_or_insert_with(|| app_id.to_string());
        credential
            .connector_id
            .get_or_insert_with(|| connector_id.to_string());
        if let Some(id) = &credential.id {
            self.lock_unrecorded().insert(id.clone(), request);
        }
        let record_error = self
            .record_rotation(&credential)
            .await
            .err()
            .map(|e| e.to_string());
        Ok(Minted {
            credential,
            secret: rotated.secret,
            record_error,
        })
    }

    /// Records a credential this rotated (tracked, saved, and the outcome of its journal
    /// request written): right after the rotate, and again while that fails.
    pub async fn record_rotation(
        &self,
        credential: &ConnectorCredential,
    ) -> Result<(), StoreError> {
        let id = credential.id.clone().unwrap_or_default();
        let request = self
            .lock_unrecorded()
            .get(&id)
            .copied()
            .ok_or(StoreError::MissingId {
                what: "a rotated credential this credboard did not mint",
            })?;
        let actor = self.client.client_id().map(str::to_string);
        let recorded = credential.clone();
        let result = self
            .with_store(move |store| {
                store.record_rotation(request, &recorded, actor.as_deref(), Utc::now())
            })
            .await;
        match &result {
            Ok(()) => {
                self.lock_unrecorded().remove(&id);
            }
            Err(e) => tracing::error!(
                error = %e,
                credential_id = id,
                "a rotated credential could not be recorded"
            ),
        }
        result
    }

    fn lock_unrecorded(&self) -> std::sync::MutexGuard<'_, HashMap<String, EntryId>> {
        self.unrecorded.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A journal entry about `key`, as this client, now.
    fn entry(&self, action: Action, key: &CredentialKey, outcome: Outcome) -> JournalEntry {
        JournalEntry {
            time: Utc::now(),
            profile: self.store.profile().unwrap_or_default().to_string(),
            actor_client_id: self.client.client_id().map(str::to_string),
            action,
            app_id: key.app_id.clone(),
            connector_id: key.connector_id.clone(),
            credential_id: Some(key.credential_id.clone()),
            outcome,
        }
    }

    async fn journal(&self, entry: JournalEntry) -> Result<EntryId, StoreError> {
        self.with_store(move |store| store.append_journal(&entry))
            .await
    }

    /// Journals the outcome of `request`.
    async fn answer(
        &self,
        request: EntryId,
        action: Action,
        key: &CredentialKey,
        outcome: Outcome,
    ) -> Result<EntryId, StoreError> {
        let entry = self.entry(action, key, outcome);
        self.with_store(move |store| store.append_outcome(request, &entry))
            .await
    }

    async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        blocking(&self.store, f).await
    }
}

/// The app and connector the server holds a credential under, when they are not the ones
/// asked for. Fields the reply leaves out are not held against it.
fn held_elsewhere(c: &ConnectorCredential, key: &CredentialKey) -> Option<(String, String)> {
    let differs = |got: &Option<String>, asked: &str| got.as_deref().is_some_and(|g| g != asked);
    (differs(&c.app_id, &key.app_id) || differs(&c.connector_id, &key.connector_id)).then(|| {
        (
            c.app_id.clone().unwrap_or_else(|| key.app_id.clone()),
            c.connector_id
                .clone()
                .unwrap_or_else(|| key.connector_id.clone()),
        )
    })
}

/// Runs a store call on the blocking pool: SQLite may fsync, and the event loop must not wait.
pub async fn blocking<T: Send + 'static>(
    store: &Arc<Store>,
    f: impl FnOnce(&Store) -> T + Send + 'static,
) -> T {
    let store = Arc::clone(store);
    match tokio::task::spawn_blocking(move || f(&store)).await {
        Ok(value) => value,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // The runtime is shutting down (the program quits): this task is dropped next.
        Err(_) => std::future::pending().await,
    }
}

//! Revoke and rotate, the two actions that change a tenant. The dashboard's worker and the
//! command line both come through here, so read-only mode and the journal are enforced in
//! one place, below any user interface.

use std::fmt;
use std::sync::Arc;

use chrono::Utc;

use crate::api::client::Revoked;
use crate::api::{ApiError, Client, ConnectorCredential, SecretString};
use crate::store::{Action, JournalEntry, Outcome, Store, StoreError, Tenant, TrackedId};

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
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
    #[error("the inventory could not be written: {0}")]
    Store(#[from] StoreError),
}

/// A credential the server does not hold under the ids asked for. A 404 proves only that
/// the server does not hold those three ids together: a mistyped id looks exactly like a
/// deleted one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotFound {
    pub key: TrackedId,
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

/// What a revoke did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// The server accepted the revoke.
    Revoked,
    /// The server's own record said revoked (`deletedAt`) before we asked; nothing was sent.
    AlreadyRevoked,
}

/// What a revoke did, and the credential as the server holds it afterwards.
#[derive(Debug, Clone)]
pub struct RevokeResult {
    pub revocation: Revocation,
    /// The credential as a Get returned it last, when it could.
    pub fresh: Option<ConnectorCredential>,
}

/// A credential just minted, and its secret, which exists only in this value.
#[derive(Debug)]
pub struct RotateResult {
    pub credential: ConnectorCredential,
    pub secret: SecretString,
    /// The rotate succeeded but the inventory could not record it: the secret must still be
    /// shown (it cannot be fetched again), with this warning.
    pub record_error: Option<String>,
}

pub struct Actions {
    client: Client,
    store: Arc<Store>,
    read_only: bool,
}

impl Actions {
    pub fn new(client: Client, store: Arc<Store>, read_only: bool) -> Self {
        Self {
            client,
            store,
            read_only,
        }
    }

    pub fn read_only(&self) -> bool {
        self.read_only
    }

    /// Gets the credential under exactly these ids, to show or to revoke. A 404, or a reply
    /// naming another app, connector or id, is [`ActionError::NotFound`], journaled as such
    /// (nothing is sent).
    pub async fn look_up(&self, key: &TrackedId) -> Result<ConnectorCredential, ActionError> {
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
                self.journal(Action::Revoke, key, Some(&key.credential_id), outcome)
                    .await?;
                return Err(e.into());
            }
        };
        let not_found = NotFound {
            key: key.clone(),
            held_under,
        };
        let outcome = Outcome::NotFound(not_found.to_string());
        self.journal(Action::Revoke, key, Some(&key.credential_id), outcome)
            .await?;
        Err(ActionError::NotFound(Box::new(not_found)))
    }

    /// Revokes exactly `key`. It is got first: ids the server does not hold together are
    /// [`ActionError::NotFound`], and "already revoked" comes only from the server's record.
    /// The outcome is journaled (failures included), and the credential as the server holds
    /// it afterwards is stored, so the caller shows what the server now says.
    pub async fn revoke(&self, key: &TrackedId) -> Result<RevokeResult, ActionError> {
        if self.read_only {
            return Err(ActionError::ReadOnly("revoke"));
        }
        let current = self.look_up(key).await?;
        if current.deleted_at.is_some() {
            self.journal(
                Action::Revoke,
                key,
                Some(&key.credential_id),
                Outcome::AlreadyGone,
            )
            .await?;
            self.keep(key, Some(current.clone())).await?;
            return Ok(RevokeResult {
                revocation: Revocation::AlreadyRevoked,
                fresh: Some(current),
            });
        }
        let sent = self
            .client
            .revoke(&key.app_id, &key.connector_id, &key.credential_id)
            .await;
        let answered_404 = match sent {
            Ok(Revoked::Now) => false,
            Ok(Revoked::AlreadyGone) => true,
            Err(e) => {
                let outcome = Outcome::Failed(e.to_string());
                self.journal(Action::Revoke, key, Some(&key.credential_id), outcome)
                    .await?;
                return Err(e.into());
            }
        };
        let after = self
            .client
            .get_credential(&key.app_id, &key.connector_id, &key.credential_id)
            .await;
        let (outcome, result) = match (answered_404, after) {
            (false, after) => (
                Outcome::Ok,
                Ok(RevokeResult {
                    revocation: Revocation::Revoked,
                    fresh: after.ok().flatten(),
                }),
            ),
            // It was live a moment ago: someone else revoked it in between.
            (true, Ok(Some(c))) if c.deleted_at.is_some() => (
                Outcome::AlreadyGone,
                Ok(RevokeResult {
                    revocation: Revocation::AlreadyRevoked,
                    fresh: Some(c),
                }),
            ),
            (true, Ok(None)) => {
                let not_found = NotFound {
                    key: key.clone(),
                    held_under: None,
                };
                (
                    Outcome::NotFound(format!("{not_found}; it vanished while being revoked")),
                    Err(ActionError::NotFound(Box::new(not_found))),
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
                    Err(ActionError::Unconfirmed(message)),
                )
            }
        };
        self.journal(Action::Revoke, key, Some(&key.credential_id), outcome)
            .await?;
        if let Ok(r) = &result {
            self.keep(key, r.fresh.clone()).await?;
        }
        result
    }

    /// Refuses to act for a tenant other than the inventory's: its ids mean nothing there,
    /// and a revoke would send them to the wrong tenant.
    fn same_tenant(&self, action: &'static str) -> Result<(), ActionError> {
        match Tenant::from_endpoint(self.client.host()) {
            Ok(t) if &t == self.store.tenant() => Ok(()),
            _ => Err(ActionError::OtherTenant {
                action,
                rows: self.store.tenant().clone(),
                client: self.client.host().to_string(),
            }),
        }
    }

    /// Stores what the server said about a revoked credential, if it is tracked: the object,
    /// or that it is gone.
    async fn keep(
        &self,
        key: &TrackedId,
        fresh: Option<ConnectorCredential>,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let id = key.credential_id.clone();
        self.with_store(move |store| match fresh {
            Some(c) => store.save_credential(&c, now).map(drop),
            None => store.mark_gone(&id, now).map(drop),
        })
        .await
    }

    /// Mints a new credential for a connector and records its id in the inventory at once,
    /// before anything else can fail. The secret is never stored.
    pub async fn rotate(
        &self,
        app_id: &str,
        connector_id: &str,
    ) -> Result<RotateResult, ActionError> {
        if self.read_only {
            return Err(ActionError::ReadOnly("rotate"));
        }
        self.same_tenant("rotate")?;
        let key = TrackedId::new(app_id, connector_id, "");
        let rotated = match self.client.rotate(app_id, connector_id).await {
            Ok(r) => r,
            Err(e) => {
                self.journal(Action::Rotate, &key, None, Outcome::Failed(e.to_string()))
                    .await?;
                return Err(e.into());
            }
        };
        let mut credential = rotated.credential;
        // Older replies may omit the ids the request named.
        credential.app_id.get_or_insert_with(|| app_id.to_string());
        credential
            .connector_id
            .get_or_insert_with(|| connector_id.to_string());
        let actor = self.client.client_id().map(str::to_string);
        let recorded = credential.clone();
        let record_error = self
            .with_store(move |store| store.record_rotation(&recorded, actor.as_deref(), Utc::now()))
            .await
            .err()
            .map(|e| e.to_string());
        if let Some(e) = &record_error {
            tracing::error!(error = %e, "a rotated credential could not be recorded");
        }
        Ok(RotateResult {
            credential,
            secret: rotated.secret,
            record_error,
        })
    }

    async fn journal(
        &self,
        action: Action,
        key: &TrackedId,
        credential_id: Option<&str>,
        outcome: Outcome,
    ) -> Result<(), StoreError> {
        let entry = JournalEntry {
            time: Utc::now(),
            profile: self.store.profile().unwrap_or_default().to_string(),
            actor_client_id: self.client.client_id().map(str::to_string),
            action,
            app_id: key.app_id.clone(),
            connector_id: key.connector_id.clone(),
            credential_id: credential_id.map(str::to_string),
            outcome,
        };
        self.with_store(move |store| store.append_journal(&entry))
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
fn held_elsewhere(c: &ConnectorCredential, key: &TrackedId) -> Option<(String, String)> {
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
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .expect("a store task panicked")
}

//! Revoke and rotate, the two actions that change a tenant. The dashboard's worker and the
//! command line both come through here, so read-only mode and the journal are enforced in
//! one place, below any user interface.

use std::sync::Arc;

use chrono::Utc;

use crate::api::client::Revoked;
use crate::api::{ApiError, Client, ConnectorCredential, SecretString};
use crate::store::{Action, JournalEntry, Outcome, Store, StoreError, TrackedId};

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error(
        "read-only mode: {0} is disabled (turn read-only off in the settings or drop --read-only)"
    )]
    ReadOnly(&'static str),
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("the inventory could not be written: {0}")]
    Store(#[from] StoreError),
}

/// What a revoke did.
#[derive(Debug, Clone)]
pub struct RevokeResult {
    /// The server answered 404: it was gone before we asked.
    pub already_gone: bool,
    /// The credential as a Get returned it afterwards, when it could.
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

    /// Revokes exactly `key`, journals the outcome (failures included), then fetches the
    /// credential again so the caller shows what the server now says.
    pub async fn revoke(&self, key: &TrackedId) -> Result<RevokeResult, ActionError> {
        if self.read_only {
            return Err(ActionError::ReadOnly("revoke"));
        }
        let result = self
            .client
            .revoke(&key.app_id, &key.connector_id, &key.credential_id)
            .await;
        let outcome = match &result {
            Ok(Revoked::Now) => Outcome::Ok,
            Ok(Revoked::AlreadyGone) => Outcome::AlreadyGone,
            Err(e) => Outcome::Failed(e.to_string()),
        };
        self.journal(Action::Revoke, key, Some(&key.credential_id), outcome)
            .await?;
        let already_gone = result? == Revoked::AlreadyGone;
        let fresh = self
            .client
            .get_credential(&key.app_id, &key.connector_id, &key.credential_id)
            .await
            .ok()
            .flatten();
        let now = Utc::now();
        let id = key.credential_id.clone();
        let saved = fresh.clone();
        self.with_store(move |store| match saved {
            Some(c) => store.save_credential(&c, now).map(drop),
            None => store.mark_gone(&id, now).map(drop),
        })
        .await?;
        Ok(RevokeResult {
            already_gone,
            fresh,
        })
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
            profile: self.store.profile().to_string(),
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

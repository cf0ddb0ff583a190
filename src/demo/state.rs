//! The tenant's data as the server holds it, and the operations the routes perform on it.
//! No HTTP here: the routes translate requests into these calls and the results into replies.

use std::collections::HashMap;

use chrono::{DateTime, SubsecRound, Utc};
use ed25519_dalek::VerifyingKey;

use crate::api::model::{App, Connector, ConnectorCredential};

/// The time now, to the microsecond: the server stores times as PostgreSQL does, so replies
/// carry at most six fractional digits, as the real service's do.
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// A credential and, if this server knows it, the public key of its secret (only credentials
/// minted by rotate have one: they can get tokens from this server).
#[derive(Debug, Clone)]
pub(crate) struct CredentialRecord {
    pub credential: ConnectorCredential,
    pub public_key: Option<VerifyingKey>,
}

/// A credential the tenant's scanners found published: the Findings API reports it as a
/// `credentialPubliclyExposed` finding.
#[derive(Debug, Clone)]
pub(crate) struct Exposure {
    pub finding_id: String,
    pub credential_id: String,
    pub first_observed: DateTime<Utc>,
    pub source_url: String,
}

/// Apps in listing order, each with its connectors in listing order, and every credential.
#[derive(Debug, Default)]
pub(crate) struct Tenant {
    pub apps: Vec<App>,
    /// Connectors of `apps[i]`.
    pub connectors: Vec<Vec<Connector>>,
    app_index: HashMap<String, usize>,
    /// connector id -> (app index, connector index)
    connector_index: HashMap<String, (usize, usize)>,
    credentials: HashMap<String, CredentialRecord>,
    /// Credential ids in the order they were added.
    order: Vec<String>,
    /// client id -> credential id, for credentials that can get tokens.
    clients: HashMap<String, String>,
    /// Exposed credentials, in the order found.
    pub exposures: Vec<Exposure>,
}

/// Why an operation found nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Missing {
    App,
    Connector,
    Credential,
}

impl Tenant {
    pub fn add_app(&mut self, app: App) -> usize {
        let i = self.apps.len();
        self.app_index.insert(app.id.clone().unwrap_or_default(), i);
        self.apps.push(app);
        self.connectors.push(Vec::new());
        i
    }

    pub fn add_connector(&mut self, app: usize, connector: Connector) {
        let j = self.connectors[app].len();
        self.connector_index
            .insert(connector.id.clone().unwrap_or_default(), (app, j));
        self.connectors[app].push(connector);
    }

    pub fn add_credential(&mut self, record: CredentialRecord) {
        let id = record.credential.id.clone().unwrap_or_default();
        if record.public_key.is_some()
            && let Some(client_id) = &record.credential.client_id
        {
            self.clients.insert(client_id.clone(), id.clone());
        }
        self.order.push(id.clone());
        self.credentials.insert(id, record);
    }

    pub fn app_count(&self) -> usize {
        self.apps.len()
    }

    pub fn connector_count(&self) -> usize {
        self.connectors.iter().map(Vec::len).sum()
    }

    pub fn credential_count(&self) -> usize {
        self.order.len()
    }

    /// The connectors of an app, or `None` if the app is unknown.
    pub fn connectors_of(&self, app_id: &str) -> Option<&[Connector]> {
        self.app_index
            .get(app_id)
            .map(|&i| self.connectors[i].as_slice())
    }

    /// Checks that the connector exists and belongs to the app.
    pub fn connector(&self, app_id: &str, connector_id: &str) -> Result<&Connector, Missing> {
        let &ai = self.app_index.get(app_id).ok_or(Missing::App)?;
        match self.connector_index.get(connector_id) {
            Some(&(a, j)) if a == ai => Ok(&self.connectors[a][j]),
            _ => Err(Missing::Connector),
        }
    }

    pub fn credential(&self, id: &str) -> Option<&ConnectorCredential> {
        self.credentials.get(id).map(|r| &r.credential)
    }

    /// The credential, if it exists under that app and connector.
    pub fn credential_at(
        &self,
        app_id: &str,
        connector_id: &str,
        id: &str,
    ) -> Result<&ConnectorCredential, Missing> {
        self.connector(app_id, connector_id)?;
        match self.credentials.get(id) {
            Some(r)
                if r.credential.app_id.as_deref() == Some(app_id)
                    && r.credential.connector_id.as_deref() == Some(connector_id) =>
            {
                Ok(&r.credential)
            }
            _ => Err(Missing::Credential),
        }
    }

    /// Sets deletedAt (once: a second revoke leaves the first time in place).
    pub fn revoke(
        &mut self,
        app_id: &str,
        connector_id: &str,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Missing> {
        self.credential_at(app_id, connector_id, id)?;
        let c = &mut self
            .credentials
            .get_mut(id)
            .expect("checked above")
            .credential;
        if c.deleted_at.is_none() {
            c.deleted_at = Some(now);
            c.updated_at = Some(now);
        }
        Ok(())
    }

    pub fn touch_last_used(&mut self, id: &str, when: DateTime<Utc>) -> bool {
        self.edit_credential(id, |c| c.last_used_at = Some(when))
    }

    pub fn edit_credential(
        &mut self,
        id: &str,
        edit: impl FnOnce(&mut ConnectorCredential),
    ) -> bool {
        match self.credentials.get_mut(id) {
            Some(r) => {
                edit(&mut r.credential);
                true
            }
            None => false,
        }
    }

    /// Drops a credential: the server no longer knows it.
    pub fn forget(&mut self, id: &str) -> bool {
        let Some(r) = self.credentials.remove(id) else {
            return false;
        };
        self.order.retain(|o| o != id);
        if let Some(client_id) = r.credential.client_id {
            self.clients.remove(&client_id);
        }
        true
    }

    /// The live credential (not revoked, not expired at `now`) whose client id this is, with
    /// its public key.
    pub fn client(&self, client_id: &str, now: DateTime<Utc>) -> Option<(&str, VerifyingKey)> {
        let id = self.clients.get(client_id)?;
        let r = self.credentials.get(id)?;
        let live =
            r.credential.deleted_at.is_none() && r.credential.expires_time.is_none_or(|t| t > now);
        match (live, r.public_key) {
            (true, Some(key)) => Some((id.as_str(), key)),
            _ => None,
        }
    }

    /// (app id, connector id, credential id) of every credential, in the order added.
    pub fn tracked(&self) -> Vec<(String, String, String)> {
        self.order
            .iter()
            .filter_map(|id| self.credentials.get(id))
            .map(|r| {
                let c = &r.credential;
                (
                    c.app_id.clone().unwrap_or_default(),
                    c.connector_id.clone().unwrap_or_default(),
                    c.id.clone().unwrap_or_default(),
                )
            })
            .collect()
    }

    /// The `i`th credential added (the system log names seeded credentials so).
    pub fn credential_in_order(&self, i: usize) -> Option<&ConnectorCredential> {
        self.credentials
            .get(self.order.get(i)?)
            .map(|r| &r.credential)
    }

    /// Every credential in the order added.
    pub fn credentials(&self) -> impl Iterator<Item = &ConnectorCredential> {
        self.order
            .iter()
            .filter_map(|id| self.credentials.get(id))
            .map(|r| &r.credential)
    }

    pub fn contains_credential(&self, id: &str) -> bool {
        self.credentials.contains_key(id)
    }

    pub fn contains_client(&self, client_id: &str) -> bool {
        self.clients.contains_key(client_id)
    }
}

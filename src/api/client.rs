//! One reqwest client for every call: auth, paging, retries, timeouts.

use std::time::Duration;

use super::ClientSecret;
use super::error::ApiError;
use super::model::{App, Connector, ConnectorCredential};
use super::secret::SecretString;

/// How to reach and authenticate with a tenant.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// The client id, `name@host/suffix`. Names the host unless `endpoint` is set.
    pub client_id: Option<String>,
    pub client_secret: Option<ClientSecret>,
    /// A ready-made bearer token (CONDUCTORONE_ACCESS_TOKEN); used instead of minting one.
    pub access_token: Option<SecretString>,
    /// A URL or host[:port] that overrides the host from the client id.
    pub endpoint: Option<String>,
    pub connect_timeout: Option<Duration>,
    pub request_timeout: Option<Duration>,
}

/// The answer to a revoke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoked {
    Now,
    /// The server answered 404: the credential was already gone.
    AlreadyGone,
}

/// A freshly minted credential and its secret, which exists only here, once.
#[derive(Debug)]
pub struct Rotated {
    pub credential: ConnectorCredential,
    pub secret: SecretString,
}

#[derive(Clone)]
pub struct Client {}

impl Client {
    pub fn new(_options: ClientOptions) -> Result<Self, ApiError> {
        todo!()
    }

    /// The tenant's host, as shown to the user.
    pub fn host(&self) -> &str {
        todo!()
    }

    pub async fn list_apps(&self) -> Result<Vec<App>, ApiError> {
        todo!()
    }

    pub async fn list_connectors(&self, _app_id: &str) -> Result<Vec<Connector>, ApiError> {
        todo!()
    }

    /// `Ok(None)` when the server answers 404: the credential is gone.
    pub async fn get_credential(
        &self,
        _app_id: &str,
        _connector_id: &str,
        _id: &str,
    ) -> Result<Option<ConnectorCredential>, ApiError> {
        todo!()
    }

    pub async fn revoke(
        &self,
        _app_id: &str,
        _connector_id: &str,
        _id: &str,
    ) -> Result<Revoked, ApiError> {
        todo!()
    }

    pub async fn rotate(&self, _app_id: &str, _connector_id: &str) -> Result<Rotated, ApiError> {
        todo!()
    }
}

//! Minting a new connector credential (the rotate call): a fresh id, a fresh client id and a
//! real Ed25519 secret-token that this server's token endpoint accepts.

use ed25519_dalek::SigningKey;

use super::seed;
use super::state::{self, CredentialRecord, Tenant};
use crate::api::auth::ClientSecret;
use crate::api::model::ConnectorCredential;

/// A new credential for the connector, not yet added to the tenant, and its secret. The
/// record keeps only the public key: the secret exists in the rotate reply and nowhere else.
pub(crate) fn credential(
    tenant: &Tenant,
    app_id: &str,
    connector_id: &str,
    host: &str,
) -> (CredentialRecord, ClientSecret) {
    let mut rng = rand::thread_rng();
    let secret = ClientSecret::from_signing_key(SigningKey::generate(&mut rand::rngs::OsRng));
    let id = loop {
        let id = seed::ksuid(&mut rng);
        if !tenant.contains_credential(&id) {
            break id;
        }
    };
    let client_id = loop {
        let c = seed::client_id(&mut rng, host);
        if !tenant.contains_client(&c) {
            break c;
        }
    };
    let now = state::now();
    let credential = ConnectorCredential {
        id: Some(id),
        app_id: Some(app_id.to_string()),
        connector_id: Some(connector_id.to_string()),
        client_id: Some(client_id),
        display_name: Some(format!("rotated {}", now.format("%Y-%m-%d %H:%M UTC"))),
        created_at: Some(now),
        updated_at: Some(now),
        deleted_at: None,
        expires_time: None,
        last_used_at: None,
        client_secret: None,
    };
    let record = CredentialRecord {
        credential,
        public_key: Some(secret.public_key()),
    };
    (record, secret)
}

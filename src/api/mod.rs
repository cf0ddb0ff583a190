//! The ConductorOne API client. Knows nothing of the terminal, the dashboard or the inventory.

pub mod auth;
pub mod client;
pub mod error;
pub mod model;
pub mod secret;

pub use auth::{ClientSecret, CredentialError};
pub use client::{Client, ClientOptions};
pub use error::{ApiError, ErrorKind};
pub use model::{App, Connector, ConnectorCredential};
pub use secret::SecretString;

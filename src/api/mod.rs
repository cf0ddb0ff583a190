//! The ConductorOne client. Knows nothing of the terminal, the dashboard or the inventory:
//! `client` (the calls), `auth` (secret, assertion, token), `retry` (when to send again),
//! `reply` (one try and its capped body), `paging` (listings), `findings` (the Findings API),
//! `systemlog` (the tenant's OCSF events), `model`, `error`, `secret`.

pub mod auth;
pub mod client;
pub mod error;
pub mod findings;
pub mod model;
mod paging;
mod reply;
pub mod retry;
pub mod secret;
pub mod systemlog;

pub use auth::{ClientSecret, CredentialError};
pub use client::{Client, ClientOptions};
pub use error::{ApiError, ErrorKind};
pub use model::{App, Connector, ConnectorCredential};
pub use secret::SecretString;

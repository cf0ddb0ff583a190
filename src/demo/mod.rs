//! The embedded demo tenant: a real HTTP server on 127.0.0.1 that speaks the ConductorOne
//! API calls credboard makes, so the whole product runs, and is tested, on any machine.
//!
//! It serves exactly:
//! - `POST /auth/v1/token`: the client-credentials grant, with the EdDSA-signed client
//!   assertion (checked against the client's public key: signature, iss, sub, aud
//!   `127.0.0.1`, exp at most 5 minutes ahead) or the documented `client_secret` form. The
//!   demo client and every credential minted by rotate are clients.
//! - `GET /api/v1/apps`, `GET /api/v1/apps/{app_id}/connectors` (paged),
//!   `GET|POST /api/v1/apps/{app_id}/connectors/{connector_id}/credentials/{id}` (get,
//!   revoke), `POST /api/v1/apps/connectors/credentials` (rotate) and
//!   `POST /api/v1/findings/search` (the Findings API: the credentials the seed marks
//!   `exposed`). Each needs a bearer token this server issued and has not expired.
//! - `POST /api/v1/systemlog/events`: its system log (`systemlog`), the seeded history and
//!   every call that reached a handler, as OCSF events shaped as we assume (`ocsf`).
//!
//! Replies are shaped like the real service's (see `render`). The tenant is seeded from
//! `assets/demo-tenant.json` or generated at a [`Scale`]; [`Faults`] make it slow or wrong
//! on purpose, and [`Stats`] count what it served.
//!
//! Nothing in this module prints, except [`run_foreground`]; nothing logs a secret.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use credboard::demo::{DemoOptions, DemoServer};
//! let server = DemoServer::start(DemoOptions::default()).await?;
//! let (endpoint, client_id) = (server.endpoint(), server.client_id());
//! // ... point a client at `endpoint` with `client_id` and `server.client_secret()` ...
//! server.shutdown().await;
//! # Ok(()) }
//! ```

mod faults;
mod foreground;
mod generate;
mod inject;
mod mint;
mod ocsf;
mod render;
mod reply;
mod routes;
mod seed;
mod server;
mod shared;
mod state;
mod stats;
mod systemlog;

use std::time::Duration;

pub use faults::{
    FaultKind, FaultRule, Faults, Latency, RetryAfter, RouteFilter, RouteKind, Share,
};
pub use foreground::run_foreground;
pub use seed::SEED_FILE;
pub use server::DemoServer;
pub use stats::Stats;

/// How long after it is minted the connector uses a rotated credential, under `--demo` and
/// in `credboard demo-server` unless `--first-use-after` says otherwise.
pub const FIRST_USE_AFTER: Duration = Duration::from_secs(20);

/// How to start a demo tenant. `DemoOptions::default()`: any free port, the seed file, no
/// faults, tokens valid for an hour, minted credentials used only when someone gets a token
/// with them.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// The port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// A generated tenant of this size instead of the seed file.
    pub scale: Option<Scale>,
    /// Faults from the first request on (they can be changed later with `set_faults`).
    pub faults: Faults,
    /// The lifetime of access tokens, sent as `expires_in`.
    pub token_ttl: Duration,
    /// A credential minted by rotate is used by its connector (its `lastUsedAt` set) this
    /// long after it was minted, as a connector that switched to it would; `None`: only when
    /// someone gets a token with it.
    pub first_use_after: Option<Duration>,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            port: 0,
            scale: None,
            faults: Faults::none(),
            token_ttl: Duration::from_secs(3600),
            first_use_after: None,
        }
    }
}

/// The size of a generated tenant, for benchmarks: deterministic for given sizes, with every
/// case an auditor cares about spread over it (credentials land on random connectors, so
/// some connectors have none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    pub apps: usize,
    pub connectors: usize,
    pub credentials: usize,
}

impl Scale {
    /// `credentials` credentials over `credentials / 20` connectors (at least 1) and
    /// `connectors / 10` apps (at least 1): `Scale::credentials(100_000)` is 100,000
    /// credentials, 5,000 connectors, 500 apps.
    pub fn credentials(credentials: usize) -> Self {
        let connectors = (credentials / 20).max(1);
        Self {
            apps: (connectors / 10).max(1),
            connectors,
            credentials,
        }
    }
}

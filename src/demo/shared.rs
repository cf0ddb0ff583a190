//! What every request handler of the demo tenant shares: who it is, its data, the tokens it
//! issued, the faults it injects and what it counted.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Utc};

use super::faults::{FaultState, RouteKind};
use super::state::{self, Tenant};
use super::stats::Counters;
use super::systemlog::{CallNote, SystemLog};
use crate::api::auth::{ClientSecret, audience_for};

/// What every request handler shares.
pub(crate) struct Shared {
    /// When the server started: the seed's relative times are relative to this.
    pub started: DateTime<Utc>,
    /// `127.0.0.1:PORT`, the host part of every client id.
    pub host: String,
    /// The audience assertions must name: the host without its port.
    pub audience: String,
    pub client_id: String,
    pub client_secret: ClientSecret,
    pub token_ttl: Duration,
    /// See [`super::DemoOptions::first_use_after`].
    pub first_use_after: Option<Duration>,
    tenant: RwLock<Tenant>,
    /// Issued access tokens and when they expire.
    tokens: Mutex<HashMap<String, Instant>>,
    faults: Mutex<FaultState>,
    system_log: Mutex<SystemLog>,
    pub counters: Counters,
}

impl Shared {
    pub fn new(
        started: DateTime<Utc>,
        host: String,
        client_id: String,
        client_secret: ClientSecret,
        token_ttl: Duration,
        tenant: Tenant,
        faults: FaultState,
    ) -> Shared {
        let system_log = Mutex::new(SystemLog::empty(&host));
        Shared {
            started,
            audience: audience_for(&host).to_string(),
            host,
            client_id,
            client_secret,
            token_ttl,
            first_use_after: None,
            tenant: RwLock::new(tenant),
            tokens: Mutex::new(HashMap::new()),
            faults: Mutex::new(faults),
            system_log,
            counters: Counters::default(),
        }
    }

    /// Minted credentials are used by their connector `delay` after they were minted.
    pub fn with_first_use_after(mut self, delay: Option<Duration>) -> Shared {
        self.first_use_after = delay;
        self
    }

    /// The same, with `log` as its system log (the seeded history).
    pub fn with_system_log(self, log: SystemLog) -> Shared {
        Shared {
            system_log: Mutex::new(log),
            ..self
        }
    }

    pub fn read_tenant(&self) -> RwLockReadGuard<'_, Tenant> {
        self.tenant.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn write_tenant(&self) -> RwLockWriteGuard<'_, Tenant> {
        self.tenant.write().unwrap_or_else(|e| e.into_inner())
    }

    pub fn lock_faults(&self) -> MutexGuard<'_, FaultState> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn lock_log(&self) -> MutexGuard<'_, SystemLog> {
        self.system_log.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Logs a call that reached its handler, as the real service logs every API call; the
    /// handler may have left a [`CallNote`] on the response saying more.
    pub fn record_call(
        &self,
        route: RouteKind,
        method: &axum::http::Method,
        path: &str,
        response: &axum::response::Response,
    ) {
        let note = response.extensions().get::<CallNote>().cloned();
        let status = response.status().as_u16();
        self.lock_log()
            .record_call(state::now(), route, method.as_str(), path, status, note);
    }

    fn lock_tokens(&self) -> MutexGuard<'_, HashMap<String, Instant>> {
        self.tokens.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new opaque access token, valid for `token_ttl`.
    pub fn issue_token(&self) -> String {
        let token = B64.encode(rand::random::<[u8; 32]>());
        let now = Instant::now();
        let mut tokens = self.lock_tokens();
        tokens.retain(|_, expiry| *expiry > now);
        tokens.insert(token.clone(), now + self.token_ttl);
        token
    }

    /// Forgets every token issued so far.
    pub fn expire_tokens(&self) {
        self.lock_tokens().clear();
    }

    pub fn token_is_valid(&self, token: &str) -> bool {
        self.lock_tokens()
            .get(token)
            .is_some_and(|expiry| *expiry > Instant::now())
    }
}

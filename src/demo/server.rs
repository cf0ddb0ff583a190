//! The running server: starting it, and the handle tests and the CLI hold.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::faults::{FaultState, Faults};
use super::shared::Shared;
use super::state;
use super::stats::Stats;
use super::systemlog::SystemLog;
use super::{DemoOptions, Scale, routes, seed};
use crate::api::auth::ClientSecret;
use crate::api::model::ConnectorCredential;

/// A demo tenant serving on 127.0.0.1. Stop it with [`shutdown`](Self::shutdown); dropping
/// the handle also asks it to stop, without waiting.
pub struct DemoServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl DemoServer {
    /// Binds 127.0.0.1 (never another interface) on `opts.port` (0: any free port), seeds the
    /// tenant and serves in a background task of the current tokio runtime.
    pub async fn start(opts: DemoOptions) -> std::io::Result<DemoServer> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, opts.port)).await?;
        let addr = listener.local_addr()?;
        let host = format!("127.0.0.1:{}", addr.port());
        let started = state::now();
        let scale = opts.scale;
        let seed_host = host.clone();
        // A large scale takes a moment to build: keep it off the async workers.
        let seeded = tokio::task::spawn_blocking(move || {
            let seeded = seed::build(scale.as_ref(), &seed_host, started);
            let log = SystemLog::seeded(&seeded.tenant, &seed_host, started, seeded.seed);
            (seeded, log)
        })
        .await
        .map_err(std::io::Error::other)?;
        let (seeded, system_log) = seeded;
        let client_id = format!("{}@{host}/pcc", seeded.client_name);
        let shared = Arc::new(
            Shared::new(
                started,
                host,
                client_id,
                ClientSecret::from_signing_key(seeded.client_key),
                opts.token_ttl,
                seeded.tenant,
                FaultState::new(opts.faults),
            )
            .with_first_use_after(opts.first_use_after)
            .with_system_log(system_log),
        );
        let (stop, stopped) = oneshot::channel::<()>();
        let app = routes::router(shared.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        Ok(DemoServer {
            addr,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.shared.host)
    }

    /// The demo client's id, `credboard-demo@127.0.0.1:PORT/pcc`: its host is this server.
    pub fn client_id(&self) -> String {
        self.shared.client_id.clone()
    }

    /// The demo client's secret. The key is derived from the seed file, so it is the same
    /// on every start (only the port in the client id changes).
    pub fn client_secret(&self) -> ClientSecret {
        self.shared.client_secret.clone()
    }

    /// When the server started: seeded times are relative to it.
    pub fn started_at(&self) -> DateTime<Utc> {
        self.shared.started
    }

    /// How many apps, connectors and credentials (revoked included) the server holds now.
    pub fn size(&self) -> Scale {
        let t = self.shared.read_tenant();
        Scale {
            apps: t.app_count(),
            connectors: t.connector_count(),
            credentials: t.credential_count(),
        }
    }

    /// (app id, connector id, credential id) of every credential the server holds, seeded
    /// and minted, in the order they were created: an inventory to track.
    pub fn tracked(&self) -> Vec<(String, String, String)> {
        self.shared.read_tenant().tracked()
    }

    /// Every credential the server holds, in the order they were created.
    pub fn credentials(&self) -> Vec<ConnectorCredential> {
        self.shared.read_tenant().credentials().cloned().collect()
    }

    /// The credential as the server holds it (never with a client secret).
    pub fn credential(&self, id: &str) -> Option<ConnectorCredential> {
        self.shared.read_tenant().credential(id).cloned()
    }

    /// Makes a credential look used at `when` (a connector minted a token with it). Returns
    /// false if the id is unknown.
    pub fn touch_last_used(&self, id: &str, when: DateTime<Utc>) -> bool {
        self.shared.write_tenant().touch_last_used(id, when)
    }

    /// Changes a credential as the server holds it (its name, its expiry, ...), as someone
    /// in the web UI would. Returns false if the id is unknown.
    pub fn edit_credential(&self, id: &str, edit: impl FnOnce(&mut ConnectorCredential)) -> bool {
        self.shared.write_tenant().edit_credential(id, edit)
    }

    /// Makes the server forget a credential: its Get answers 404 from now on. Returns false
    /// if the id is unknown.
    pub fn forget(&self, id: &str) -> bool {
        self.shared.write_tenant().forget(id)
    }

    /// Revokes a credential behind the client's back (as someone in the web UI would).
    /// Returns false if the id is unknown.
    pub fn revoke(&self, id: &str) -> bool {
        let mut tenant = self.shared.write_tenant();
        let Some(c) = tenant.credential(id).cloned() else {
            return false;
        };
        let (app, connector) = (
            c.app_id.unwrap_or_default(),
            c.connector_id.unwrap_or_default(),
        );
        tenant.revoke(&app, &connector, id, state::now()).is_ok()
    }

    /// How many events the system log holds now: the seeded history and every call since.
    pub fn system_log_len(&self) -> usize {
        self.shared.lock_log().len()
    }

    /// Appends an event to the system log exactly as given (logged now), for trying other
    /// event shapes than the demo's own.
    pub fn log_event(&self, event: serde_json::Value) {
        self.shared.lock_log().record_custom(state::now(), event);
    }

    /// Replaces the faults; their counters start again from zero.
    pub fn set_faults(&self, faults: Faults) {
        *self.shared.lock_faults() = FaultState::new(faults);
    }

    pub fn faults(&self) -> Faults {
        self.shared.lock_faults().faults().clone()
    }

    pub fn stats(&self) -> Stats {
        self.shared.counters.snapshot()
    }

    pub fn reset_stats(&self) {
        self.shared.counters.reset();
    }

    /// Invalidates every token issued so far: the next /api/ call with one gets 401, as when
    /// a token expires between two calls.
    pub fn expire_tokens(&self) {
        self.shared.expire_tokens();
    }

    /// Stops accepting connections, lets requests in progress finish (waiting at most five
    /// seconds) and returns when the server is down.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
        {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl std::fmt::Debug for DemoServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoServer")
            .field("addr", &self.addr)
            .field("client_id", &self.shared.client_id)
            .finish_non_exhaustive()
    }
}

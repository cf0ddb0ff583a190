//! The async side of the dashboard: carries out [`Effect`]s against the API and the
//! inventory, and reports back as [`WorkerMsg`]s over a channel. It owns no UI state.
//!
//! [`spawn`] starts it: it checks the journal's unanswered requests, sends the stored
//! inventory in parts as it reads it (the dashboard makes each part's rows as it comes,
//! draws them all at once and asks for the first refresh), then carries out effects until
//! the dashboard goes. `refresh.rs` walks the tenant, `actions.rs` revokes
//! and rotates through [`Ops`], `limiter.rs` bounds the requests in flight and `breaker.rs`
//! stops a refresh the tenant no longer answers.

mod actions;
mod audit;
mod breaker;
mod discovery;
mod history;
pub mod limiter;
mod paths;
mod refresh;
mod rotations;
mod stored;

use std::sync::{Arc, Mutex};

use chrono::Utc;
use tokio::sync::mpsc;
use tokio::task::{JoinError, JoinHandle, JoinSet};

use crate::api::{Client, ConnectorCredential};
use crate::app::{Effect, WorkerMsg};
use crate::model::{Failure, FailureKind};
use crate::ops::{Ops, blocking};
use crate::rotation::procedure::Procedure;
use crate::store::Store;
pub use breaker::UNANSWERED_IN_A_ROW;
use limiter::Limiter;
pub use stored::write_export;

/// The runtime's end of the channels to the worker.
pub struct WorkerLink {
    pub effects: mpsc::UnboundedSender<Effect>,
    pub results: mpsc::UnboundedReceiver<WorkerMsg>,
}

/// Starts the worker on the current tokio runtime, with the actions gate (read-only, journal)
/// below it: it checks the journal's unanswered requests beside everything else, sends the
/// stored inventory, then carries out effects. Returns the runtime's link and the task;
/// aborting the task abandons what is in flight.
pub fn spawn(
    client: &Client,
    store: &Arc<Store>,
    read_only: bool,
    concurrency: usize,
) -> (WorkerLink, JoinHandle<()>) {
    let (effects_tx, effects_rx) = mpsc::unbounded_channel();
    let (results_tx, results_rx) = mpsc::unbounded_channel();
    let actions = Arc::new(Ops::new(client.clone(), store.clone(), read_only));
    let mut worker = Worker::new(
        client.clone(),
        store.clone(),
        actions,
        concurrency,
        results_tx,
    );
    worker.dashboard = true;
    tokio::spawn(worker.clone().check_unanswered());
    let task = tokio::spawn(async move {
        worker.send_inventory(START_PART).await;
        worker.run(effects_rx).await
    });
    (
        WorkerLink {
            effects: effects_tx,
            results: results_rx,
        },
        task,
    )
}

/// The stored inventory's parts at start: small enough that little is left to make once
/// the read ends, large enough that a part is not a message per few rows.
const START_PART: usize = 1024;
/// One part: the whole inventory in one message.
const WHOLE: usize = usize::MAX;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[derive(Clone)]
pub struct Worker {
    client: Client,
    store: Arc<Store>,
    actions: Arc<Ops>,
    /// Bounds every request the worker makes, across refreshes, fetches, revokes and
    /// rotates: at most `concurrency` in flight, fewer while the server pushes back.
    limiter: Limiter,
    tx: mpsc::UnboundedSender<WorkerMsg>,
    /// Rotated credentials the inventory refused to record: tried again at each refresh.
    unrecorded: Arc<Mutex<Vec<ConnectorCredential>>>,
    /// The rotation procedure, with its own gate over the same client and inventory.
    procedure: Arc<Procedure>,
    /// Working for the dashboard: `R` records a rotation, each refresh moves the open ones
    /// and sends them with the change log. `credboard refresh` and `list` leave them be.
    pub dashboard: bool,
}

impl Worker {
    pub fn new(
        client: Client,
        store: Arc<Store>,
        actions: Arc<Ops>,
        concurrency: usize,
        tx: mpsc::UnboundedSender<WorkerMsg>,
    ) -> Self {
        let signal = client.clone();
        let procedure = Arc::new(Procedure::new(
            client.clone(),
            store.clone(),
            actions.read_only(),
        ));
        Self {
            procedure,
            dashboard: false,
            limiter: Limiter::with_pushback(concurrency, move || signal.pushback()),
            client,
            store,
            actions,
            tx,
            unrecorded: Arc::default(),
        }
    }

    /// The bound on requests in flight, to watch it adapt (tests, benchmarks).
    pub fn limiter(&self) -> &Limiter {
        &self.limiter
    }

    /// The stored inventory, for the dashboard to draw before anything is fetched, sent in
    /// parts of `part` credentials (the dashboard makes a part's rows while the next is
    /// read). Parts only at start, when no other read of it runs: two reads' parts would mix.
    async fn send_inventory(&self, part: usize) {
        let tx = self.tx.clone();
        let stored = blocking(&self.store, move |s| {
            s.snapshot_in_parts(part, |p| {
                let _ = tx.send(WorkerMsg::InventoryPart(p));
            })
        })
        .await;
        self.send(WorkerMsg::Inventory(stored.map_err(|e| Failure::from(&e))));
        if self.dashboard {
            self.send_rotations(None).await;
            self.send_changes().await;
            self.send_command_history().await;
        }
    }

    /// Runs until the effect channel closes. A new refresh cancels the one before it
    /// (latest wins): its queued requests are never sent, and those in flight are dropped
    /// (the server may still be finishing them for one round trip, beside the new refresh's).
    /// The dashboard also drops stale results by generation.
    pub async fn run(self, mut effects: mpsc::UnboundedReceiver<Effect>) {
        let mut refresh: Option<JoinHandle<()>> = None;
        // The last command line save: each waits for the one before, so lines keep their order.
        let mut saving: Option<JoinHandle<()>> = None;
        let mut others = JoinSet::new();
        while let Some(effect) = effects.recv().await {
            match effect {
                Effect::Refresh { generation } => {
                    if !lock(&self.unrecorded).is_empty() {
                        others.spawn(self.clone().record_unrecorded());
                    }
                    if let Some(previous) = refresh.take() {
                        previous.abort();
                    }
                    let worker = self.clone();
                    refresh = Some(tokio::spawn(async move {
                        worker
                            .ended_even_if_it_panics(generation, worker.clone().refresh(generation))
                            .await
                    }));
                }
                Effect::Fetch { keys } => {
                    others.spawn(self.clone().fetch(keys));
                }
                Effect::Revoke { key } => {
                    others.spawn(self.clone().revoke(key));
                }
                Effect::Rotate {
                    app_id,
                    connector_id,
                } => {
                    others.spawn(self.clone().rotate(app_id, connector_id));
                }
                Effect::LoadJournal => {
                    others.spawn(self.clone().journal());
                }
                Effect::LoadAuditInputs => {
                    others.spawn(self.clone().audit_inputs());
                }
                Effect::Audit(job) => {
                    others.spawn(self.clone().check(job));
                }
                Effect::RevokeForRotation { id, key } => {
                    others.spawn(self.clone().revoke_for_rotation(id, key));
                }
                Effect::AbandonRotation { id } => {
                    others.spawn(self.clone().abandon_rotation(id));
                }
                Effect::Discover => {
                    others.spawn(self.clone().discover());
                }
                Effect::Export {
                    work,
                    format,
                    path,
                    rows,
                } => {
                    others.spawn(self.clone().export(work, format, path, rows));
                }
                Effect::Import { work, path } => {
                    others.spawn(self.clone().import(work, path));
                }
                Effect::Track { work, key } => {
                    others.spawn(self.clone().track(work, key));
                }
                Effect::Untrack { work, key } => {
                    others.spawn(self.clone().untrack(work, key));
                }
                Effect::ListPaths { line, path } => {
                    others.spawn(self.clone().list_paths(line, path));
                }
                Effect::RememberCommand(line) => {
                    let before = saving.take();
                    saving = Some(tokio::spawn(self.clone().remember_command(line, before)));
                }
                // The runtime handles these itself.
                Effect::Copy(_) | Effect::Suspend | Effect::Quit => {}
            }
            while others.try_join_next().is_some() {}
        }
        if let Some(r) = refresh {
            r.abort();
        }
        others.abort_all();
    }

    /// Runs refresh `generation`; if it panics, still ends it, with the failure said, so
    /// whoever waits for its end (`credboard list`, the dashboard's progress) is not left
    /// waiting for ever.
    async fn ended_even_if_it_panics(&self, generation: u64, refresh: impl Future<Output = ()>) {
        use futures::FutureExt as _;
        if let Err(panic) = std::panic::AssertUnwindSafe(refresh).catch_unwind().await {
            self.internal_failure(generation, panic);
            self.send(WorkerMsg::RefreshDone {
                generation,
                at: Utc::now(),
            });
        }
    }

    /// A task of refresh `generation` that panicked is a failure of that refresh, said as one.
    fn reap(&self, generation: u64, joined: Result<(), JoinError>) {
        if let Err(e) = joined
            && e.is_panic()
        {
            self.internal_failure(generation, e.into_panic());
        }
    }

    fn internal_failure(&self, generation: u64, panic: Box<dyn std::any::Any + Send>) {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_string());
        self.send(WorkerMsg::RefreshError {
            generation,
            error: Failure::new(
                FailureKind::Internal,
                format!("internal failure: part of the refresh stopped ({what})"),
            ),
        });
    }

    fn send(&self, msg: WorkerMsg) {
        // The dashboard has quit if this fails; nothing is left to tell.
        let _ = self.tx.send(msg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ClientOptions, SecretString};

    fn worker() -> (
        Worker,
        mpsc::UnboundedReceiver<WorkerMsg>,
        tempfile::TempDir,
    ) {
        let client = Client::new(ClientOptions {
            endpoint: Some("127.0.0.1:9".into()),
            access_token: Some(SecretString::new("unused")),
            ..Default::default()
        })
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(&dir.path().join(Store::FILE_NAME), "test").unwrap());
        let actions = Arc::new(Ops::new(client.clone(), store.clone(), true));
        let (tx, rx) = mpsc::unbounded_channel();
        (Worker::new(client, store, actions, 4, tx), rx, dir)
    }

    fn said(rx: &mut mpsc::UnboundedReceiver<WorkerMsg>) -> Vec<String> {
        std::iter::from_fn(|| rx.try_recv().ok())
            .map(|m| match m {
                WorkerMsg::RefreshError { generation, error } => format!("{generation}: {error}"),
                WorkerMsg::RefreshDone { generation, .. } => format!("{generation}: done"),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[tokio::test]
    async fn a_refresh_that_panics_still_ends_and_says_why() {
        let (worker, mut rx, _dir) = worker();
        worker
            .ended_even_if_it_panics(7, async { panic!("the clock overflowed") })
            .await;
        assert_eq!(
            said(&mut rx),
            [
                "7: internal failure: part of the refresh stopped (the clock overflowed)",
                "7: done"
            ]
        );
    }

    #[tokio::test]
    async fn a_task_of_a_refresh_that_panics_is_a_failure_of_the_refresh() {
        let (worker, mut rx, _dir) = worker();
        let mut tasks = JoinSet::new();
        tasks.spawn(async { panic!("{}", String::from("a get broke")) });
        tasks.spawn(async {});
        while let Some(joined) = tasks.join_next().await {
            worker.reap(3, joined);
        }
        assert_eq!(
            said(&mut rx),
            ["3: internal failure: part of the refresh stopped (a get broke)"]
        );
    }
}

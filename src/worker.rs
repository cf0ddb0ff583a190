//! The async side of the dashboard: carries out [`Effect`]s against the API and the
//! inventory, and reports back as [`WorkerMsg`]s over a channel. It owns no UI state.

pub mod limiter;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::Utc;
use tokio::sync::mpsc;
use tokio::task::{JoinError, JoinHandle, JoinSet};

use crate::api::{ApiError, App, Client, Connector, ConnectorCredential};
use crate::app::{Effect, Fetched, JournalLine, WorkerMsg};
use crate::model::CredentialKey;
use crate::ops::{OpError, Ops, RECORD_RETRY_DELAYS, blocking};
use crate::store::Store;
use limiter::{Limiter, Permit, Priority};

/// Requests in flight at once when the settings do not say (`concurrency` in the settings).
///
/// Measured with `cargo bench --bench refresh` (BENCHMARKS.md; 2 cores, demo tenant, 50 ms
/// per request, 1,203 requests for 1,000 credentials): a refresh takes 1.01 to 1.04 times its
/// lower bound at every concurrency from 1 to 64 (62 s at 1, 15.6 s at 4, 7.9 s at 8, 4.0 s at
/// 16, 2.0 s at 32, 1.1 s at 64; 10,000 credentials: 35.8 s at 16, 9.2 s at 64). credboard's
/// own work is not the limit, so the choice is what to ask of a tenant whose rate limit is
/// not published. 16 refreshes a thousand credentials in about 4 s and ten thousand in about
/// 36 s, at about 320 requests a second when a request takes 50 ms (fewer on slower links);
/// 32 would save 2 s per thousand credentials for twice the burst. A tenant that pushes back
/// (429, 503) gets fewer anyway: the limiter halves from here.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// Calls in a row that get no answer at all before a refresh stops trying the rest: a tenant
/// that accepts connections but never answers would otherwise cost every remaining call its
/// full timeout and retries (minutes per hundred credentials).
pub const UNANSWERED_IN_A_ROW: usize = 8;

/// Answered Gets stored in one transaction, at most: large enough that a fast refresh is not
/// bound by the inventory's commits, small enough that little waits in memory.
const SAVE_BATCH: usize = 512;

/// Tracked ids a refresh reads from the inventory at a time.
const ID_PAGE: usize = 1024;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Stops one refresh once the tenant has stopped answering.
#[derive(Default)]
struct Breaker {
    unanswered: AtomicUsize,
    open: AtomicBool,
}

impl Breaker {
    /// Records a call's outcome; true when this one opened the breaker.
    fn record(&self, unanswered: bool) -> bool {
        if !unanswered {
            self.unanswered.store(0, Ordering::Relaxed);
            return false;
        }
        let n = self.unanswered.fetch_add(1, Ordering::Relaxed) + 1;
        n >= UNANSWERED_IN_A_ROW && !self.open.swap(true, Ordering::Relaxed)
    }

    fn is_open(&self) -> bool {
        self.open.load(Ordering::Relaxed)
    }
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
        Self {
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

    /// Runs until the effect channel closes. A new refresh cancels the one before it
    /// (latest wins): its queued requests are never sent, and those in flight are dropped
    /// (the server may still be finishing them for one round trip, beside the new refresh's).
    /// The dashboard also drops stale results by generation.
    pub async fn run(self, mut effects: mpsc::UnboundedReceiver<Effect>) {
        let mut refresh: Option<JoinHandle<()>> = None;
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
                // The runtime handles these itself.
                Effect::Copy(_) | Effect::Quit => {}
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
            error: format!("internal failure: part of the refresh stopped ({what})"),
        });
    }

    fn send(&self, msg: WorkerMsg) {
        // The dashboard has quit if this fails; nothing is left to tell.
        let _ = self.tx.send(msg);
    }

    /// Walks apps and their connectors while getting every tracked credential, all under one
    /// concurrency bound. Credential Gets start at once, from the inventory; each app page
    /// starts its connectors' listings as soon as it arrives. The walk of the app pages holds
    /// one permit from first page to last: it is the chain everything else hangs off, so it
    /// takes its permit before the Gets queue up. Waiting listings go before waiting Gets:
    /// there are few of them and they name what the credential rows belong to, and the total
    /// time is the same either way (every request still takes one slot for one round trip).
    /// Answers are stored in batches as they arrive.
    async fn refresh(self, generation: u64) {
        let credentials = match blocking(&self.store, |s| s.tracked_count()).await {
            Ok(n) => n,
            Err(e) => {
                self.send(WorkerMsg::RefreshError {
                    generation,
                    error: e.to_string(),
                });
                self.send(WorkerMsg::RefreshDone {
                    generation,
                    at: Utc::now(),
                });
                return;
            }
        };
        self.send(WorkerMsg::RefreshStarted {
            generation,
            credentials,
        });
        let walk = self.limiter.acquire(Priority::Apps).await;
        let breaker = Arc::new(Breaker::default());
        let (answers, answered) = mpsc::unbounded_channel();
        let gets = self.clone().get_all(generation, breaker.clone(), answers);
        let apps = async {
            let mut listings = JoinSet::new();
            let apps = self
                .client
                .list_apps_paged(|page| {
                    self.send(WorkerMsg::Apps {
                        generation,
                        apps: page.to_vec(),
                    });
                    for app in page.iter().filter_map(|a| a.id.clone()) {
                        listings.spawn(self.clone().connectors(generation, app, breaker.clone()));
                    }
                })
                .await;
            drop(walk);
            match apps {
                Ok(apps) => self.save_apps(apps).await,
                Err(e) => self.send(WorkerMsg::RefreshError {
                    generation,
                    error: e.to_string(),
                }),
            }
            while let Some(joined) = listings.join_next().await {
                self.reap(generation, joined);
            }
        };
        tokio::join!(gets, apps, self.store_answers(answered));
        // The answers, each shown and stored, have all been freed.
        let _ = tokio::task::spawn_blocking(crate::memory::give_back_freed).await;
        self.send(WorkerMsg::RefreshDone {
            generation,
            at: Utc::now(),
        });
    }

    /// Gets each tracked credential once a permit is free, so at most the limit's worth of
    /// requests (and of tasks) exist at once, and reads the tracked ids a page at a time as
    /// it goes, whatever the inventory's size. Each answer goes to the dashboard and to
    /// `answers`.
    async fn get_all(
        self,
        generation: u64,
        breaker: Arc<Breaker>,
        answers: mpsc::UnboundedSender<(CredentialKey, Fetched)>,
    ) {
        let mut gets = JoinSet::new();
        let mut after = String::new();
        loop {
            let from = std::mem::take(&mut after);
            let page =
                match blocking(&self.store, move |s| s.tracked_ids_after(&from, ID_PAGE)).await {
                    Ok(page) => page,
                    Err(e) => {
                        self.send(WorkerMsg::RefreshError {
                            generation,
                            error: e.to_string(),
                        });
                        break;
                    }
                };
            let last_page = page.len() < ID_PAGE;
            for key in page {
                after.clone_from(&key.credential_id);
                let permit = match breaker.is_open() {
                    false => Some(self.limiter.acquire(Priority::Credentials).await),
                    true => None,
                };
                let Some(permit) = permit.filter(|_| !breaker.is_open()) else {
                    self.report(Some(generation), key, self.not_fetched());
                    continue;
                };
                let worker = self.clone();
                let breaker = breaker.clone();
                let answers = answers.clone();
                gets.spawn(async move {
                    let answer = worker.get(permit, Some((generation, &breaker)), key).await;
                    let _ = answers.send(answer);
                });
                while let Some(joined) = gets.try_join_next() {
                    self.reap(generation, joined);
                }
            }
            if last_page {
                break;
            }
        }
        while let Some(joined) = gets.join_next().await {
            self.reap(generation, joined);
        }
    }

    /// Stores answered Gets as they arrive, a batch at a time: whatever came in while the
    /// previous batch was being written, up to [`SAVE_BATCH`]. The first failure to store is
    /// reported; later batches are still tried.
    async fn store_answers(&self, mut answered: mpsc::UnboundedReceiver<(CredentialKey, Fetched)>) {
        let mut reported = false;
        let mut buffer = Vec::with_capacity(SAVE_BATCH);
        while answered.recv_many(&mut buffer, SAVE_BATCH).await > 0 {
            let mut found = Vec::new();
            let mut gone = Vec::new();
            for (key, fetched) in buffer.drain(..) {
                match fetched {
                    Fetched::Found(c) => found.push(c),
                    Fetched::Gone => gone.push(key.credential_id),
                    Fetched::Failed(_) => {}
                }
            }
            let at = Utc::now();
            let saved = blocking(&self.store, move |s| {
                s.save_credentials(&found, at)?;
                s.mark_gone_many(&gone, at)
            })
            .await;
            if let Err(e) = saved
                && !std::mem::replace(&mut reported, true)
            {
                self.send(WorkerMsg::Error(e.to_string()));
            }
        }
    }

    /// One app's connectors, shown as they land, then saved (without holding a permit: the
    /// inventory's disk is not the network).
    async fn connectors(self, generation: u64, app_id: String, breaker: Arc<Breaker>) {
        let listed = {
            let _permit = self.limiter.acquire(Priority::Connectors).await;
            if breaker.is_open() {
                return;
            }
            self.client.list_connectors(&app_id).await
        };
        if self.trips(&breaker, listed.as_ref().err(), generation) {
            return;
        }
        match listed {
            Ok(connectors) => {
                self.send(WorkerMsg::Connectors {
                    generation,
                    app_id: app_id.clone(),
                    connectors: connectors.clone(),
                });
                self.save_connectors(&app_id, &connectors).await;
            }
            Err(e) => self.send(WorkerMsg::RefreshError {
                generation,
                error: e.to_string(),
            }),
        }
    }

    /// Feeds a refresh call's outcome to its breaker. When this call opens it, says so once,
    /// in words, for the whole refresh.
    fn trips(&self, breaker: &Breaker, error: Option<&ApiError>, generation: u64) -> bool {
        if breaker.record(error.is_some_and(ApiError::is_unanswered)) {
            self.send(WorkerMsg::RefreshError {
                generation,
                error: format!(
                    "{} is not answering ({UNANSWERED_IN_A_ROW} calls in a row got no reply); the refresh stopped without trying the rest. Last: {}",
                    self.client.host(),
                    error.map(ToString::to_string).unwrap_or_default()
                ),
            });
            return true;
        }
        false
    }

    fn not_fetched(&self) -> Fetched {
        Fetched::Failed(format!(
            "not fetched: the refresh stopped after {UNANSWERED_IN_A_ROW} calls in a row got no reply from {}",
            self.client.host()
        ))
    }

    /// One credential Get under a permit already held, reported as it lands. A refresh
    /// passes its generation and breaker.
    async fn get(
        &self,
        permit: Permit,
        refresh: Option<(u64, &Breaker)>,
        key: CredentialKey,
    ) -> (CredentialKey, Fetched) {
        let result = self
            .client
            .get_credential(&key.app_id, &key.connector_id, &key.credential_id)
            .await;
        drop(permit);
        if let Some((generation, breaker)) = refresh {
            self.trips(breaker, result.as_ref().err(), generation);
        }
        let fetched = match result {
            Ok(Some(c)) => Fetched::Found(c),
            Ok(None) => Fetched::Gone,
            Err(e) => Fetched::Failed(e.to_string()),
        };
        self.report(refresh.map(|(g, _)| g), key.clone(), fetched.clone());
        (key, fetched)
    }

    fn report(&self, generation: Option<u64>, key: CredentialKey, fetched: Fetched) {
        self.send(WorkerMsg::Credential {
            generation,
            key,
            fetched,
            at: Utc::now(),
        });
    }

    /// Credentials the user asked for, at the user's priority, stored together.
    async fn fetch(self, keys: Vec<CredentialKey>) {
        let (answers, answered) = mpsc::unbounded_channel();
        let mut gets = JoinSet::new();
        for key in keys {
            let worker = self.clone();
            let answers = answers.clone();
            gets.spawn(async move {
                let permit = worker.limiter.acquire(Priority::User).await;
                let _ = answers.send(worker.get(permit, None, key).await);
            });
        }
        drop(answers);
        tokio::join!(
            async { while gets.join_next().await.is_some() {} },
            self.store_answers(answered)
        );
    }

    async fn revoke(self, key: CredentialKey) {
        let result = {
            let _permit = self.limiter.acquire(Priority::User).await;
            self.actions.revoke(&key).await
        };
        let result = match result {
            Ok(r) => {
                if let Some(e) = &r.unrecorded {
                    self.send(WorkerMsg::Error(format!(
                        "credential {} was revoked, but {e}; the next start checks it",
                        key.credential_id
                    )));
                }
                Ok(r)
            }
            // The row was known to exist and the server no longer has it: say that, and
            // show the row as gone with its last known values.
            Err(OpError::NotFound(n)) if n.held_under.is_none() => {
                self.report(None, key.clone(), Fetched::Gone);
                Err("gone: the server no longer knows this id; nothing was revoked".to_string())
            }
            Err(e) => Err(e.to_string()),
        };
        self.send(WorkerMsg::Revoked { key, result });
    }

    async fn rotate(self, app_id: String, connector_id: String) {
        let result = {
            let _permit = self.limiter.acquire(Priority::User).await;
            self.actions.rotate(&app_id, &connector_id).await
        };
        let (result, unrecorded) = match result {
            Ok(minted) => {
                let unrecorded = minted
                    .record_error
                    .clone()
                    .map(|e| (minted.credential.clone(), e));
                (Ok(minted), unrecorded)
            }
            Err(e) => (Err(e.to_string()), None),
        };
        self.send(WorkerMsg::Rotated {
            app_id,
            connector_id,
            result,
        });
        // The secret is on its way to the screen; now make sure the id is not lost.
        if let Some((credential, error)) = unrecorded {
            self.send(WorkerMsg::Error(format!(
                "the new credential {} was minted, but the inventory could not record it: {error}; \
                 credboard keeps trying",
                credential.id.as_deref().unwrap_or("?")
            )));
            self.report_record(&credential, Some(error));
            self.keep_recording(credential).await;
        }
    }

    /// Tries again to record a rotated credential the inventory refused, with a backoff;
    /// then leaves it to be tried at each refresh (the dashboard may run for days).
    async fn keep_recording(&self, credential: ConnectorCredential) {
        let mut last = String::new();
        for delay in RECORD_RETRY_DELAYS {
            tokio::time::sleep(delay).await;
            match self.actions.record_rotation(&credential).await {
                Ok(()) => {
                    self.report_record(&credential, None);
                    return;
                }
                Err(e) => {
                    last = e.to_string();
                    self.report_record(&credential, Some(last.clone()));
                }
            }
        }
        self.send(WorkerMsg::Error(format!(
            "the new credential {} is still not recorded in the inventory ({last}); credboard \
             tries again at each refresh. Until then only the secret window and the log know its id",
            credential.id.as_deref().unwrap_or("?")
        )));
        lock(&self.unrecorded).push(credential);
    }

    /// At each refresh, one more try for every rotated credential not yet recorded.
    async fn record_unrecorded(self) {
        let waiting = std::mem::take(&mut *lock(&self.unrecorded));
        for credential in waiting {
            match self.actions.record_rotation(&credential).await {
                Ok(()) => self.report_record(&credential, None),
                Err(e) => {
                    self.report_record(&credential, Some(e.to_string()));
                    lock(&self.unrecorded).push(credential);
                }
            }
        }
    }

    fn report_record(&self, credential: &ConnectorCredential, failure: Option<String>) {
        self.send(WorkerMsg::RotationRecord {
            credential_id: credential.id.clone().unwrap_or_default(),
            failure,
        });
    }

    /// Checks the journal's requests that have no outcome (see
    /// [`Ops::check_unanswered`]) and says what each check found, in the error history.
    pub async fn check_unanswered(self) {
        match self.actions.check_unanswered().await {
            Ok(checked) => {
                for c in checked {
                    self.send(WorkerMsg::Error(format!("journal: {c}")));
                }
            }
            Err(e) => self.send(WorkerMsg::Error(format!(
                "journal: the requests without an outcome could not be checked: {e}"
            ))),
        }
    }

    async fn journal(self) {
        let lines = blocking(&self.store, |s| s.journal())
            .await
            .map(|entries| {
                entries
                    .into_iter()
                    .map(|e| JournalLine {
                        at: e.time,
                        profile: e.profile,
                        actor: e.actor_client_id.unwrap_or_else(|| "access token".into()),
                        action: e.action.to_string(),
                        app_id: e.app_id,
                        connector_id: e.connector_id,
                        credential_id: e.credential_id.unwrap_or_default(),
                        outcome: e.outcome.to_string(),
                    })
                    .collect()
            })
            .map_err(|e| e.to_string());
        self.send(WorkerMsg::Journal(lines));
    }

    async fn save_apps(&self, apps: Vec<App>) {
        let at = Utc::now();
        if let Err(e) = blocking(&self.store, move |s| s.save_apps(&apps, at)).await {
            self.send(WorkerMsg::Error(e.to_string()));
        }
    }

    async fn save_connectors(&self, app_id: &str, connectors: &[Connector]) {
        let at = Utc::now();
        let app_id = app_id.to_string();
        let connectors = connectors.to_vec();
        if let Err(e) = blocking(&self.store, move |s| {
            s.save_connectors(&app_id, &connectors, at)
        })
        .await
        {
            self.send(WorkerMsg::Error(e.to_string()));
        }
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

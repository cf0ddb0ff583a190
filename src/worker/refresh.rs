//! The refresh: the app pages, each app's connectors and a Get for every tracked credential,
//! under one concurrency bound, each answer shown and stored as it lands; and the one-off
//! Gets the dashboard asks for.

use std::sync::{Arc, Mutex};

use chrono::Utc;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::api::{ApiError, App, Connector};
use crate::app::{Fetched, WorkerMsg};
use crate::model::{CredentialKey, Failure, FailureKind};
use crate::ops::blocking;

use super::breaker::{Breaker, UNANSWERED_IN_A_ROW};
use super::limiter::{Permit, Priority};
use super::{Worker, lock};

/// Answered Gets stored in one transaction, at most: large enough that a fast refresh is not
/// bound by the inventory's commits, small enough that little waits in memory.
const SAVE_BATCH: usize = 512;

/// Tracked ids a refresh reads from the inventory at a time.
const ID_PAGE: usize = 1024;

fn is_open(breaker: &Mutex<Breaker>) -> bool {
    lock(breaker).is_open()
}

impl Worker {
    /// Walks apps and their connectors while getting every tracked credential, all under one
    /// concurrency bound. Credential Gets start at once, from the inventory; each app page
    /// starts its connectors' listings as soon as it arrives. The walk of the app pages holds
    /// one permit from first page to last: it is the chain everything else hangs off, so it
    /// takes its permit before the Gets queue up. Waiting listings go before waiting Gets:
    /// there are few of them and they name what the credential rows belong to, and the total
    /// time is the same either way (every request still takes one slot for one round trip).
    /// Answers are stored in batches as they arrive.
    pub(super) async fn refresh(self, generation: u64) {
        let credentials = match blocking(&self.store, |s| s.tracked_count()).await {
            Ok(n) => n,
            Err(e) => {
                self.send(WorkerMsg::RefreshError {
                    generation,
                    error: Failure::from(&e),
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
        let breaker = Arc::new(Mutex::new(Breaker::default()));
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
                    error: Failure::from(&e),
                }),
            }
            while let Some(joined) = listings.join_next().await {
                self.reap(generation, joined);
            }
        };
        tokio::join!(gets, apps, self.store_answers(answered));
        // The answers, each shown and stored, have all been freed.
        let _ = tokio::task::spawn_blocking(crate::memory::give_back_freed).await;
        self.after_refresh().await;
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
        breaker: Arc<Mutex<Breaker>>,
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
                            error: Failure::from(&e),
                        });
                        break;
                    }
                };
            let last_page = page.len() < ID_PAGE;
            for key in page {
                after.clone_from(&key.credential_id);
                let permit = match is_open(&breaker) {
                    false => Some(self.limiter.acquire(Priority::Credentials).await),
                    true => None,
                };
                let Some(permit) = permit.filter(|_| !is_open(&breaker)) else {
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
                self.send(WorkerMsg::Error(Failure::from(&e)));
            }
        }
    }

    /// One app's connectors, shown as they land, then saved (without holding a permit: the
    /// inventory's disk is not the network).
    async fn connectors(self, generation: u64, app_id: String, breaker: Arc<Mutex<Breaker>>) {
        let listed = {
            let _permit = self.limiter.acquire(Priority::Connectors).await;
            if is_open(&breaker) {
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
                error: Failure::from(&e),
            }),
        }
    }

    /// Feeds a refresh call's outcome to its breaker. When this call opens it, says so once,
    /// in words, for the whole refresh.
    fn trips(&self, breaker: &Mutex<Breaker>, error: Option<&ApiError>, generation: u64) -> bool {
        if lock(breaker).record(error.is_some_and(ApiError::is_unanswered)) {
            let last = error.map(Failure::from);
            self.send(WorkerMsg::RefreshError {
                generation,
                error: Failure::new(
                    last.as_ref().map_or(FailureKind::Unreachable, |f| f.kind),
                    format!(
                        "{} is not answering ({UNANSWERED_IN_A_ROW} calls in a row got no reply); the refresh stopped without trying the rest. Last: {}",
                        self.client.host(),
                        last.map(|f| f.message).unwrap_or_default()
                    ),
                ),
            });
            return true;
        }
        false
    }

    fn not_fetched(&self) -> Fetched {
        Fetched::Failed(Failure::new(
            FailureKind::Unreachable,
            format!(
                "not fetched: the refresh stopped after {UNANSWERED_IN_A_ROW} calls in a row got no reply from {}",
                self.client.host()
            ),
        ))
    }

    /// One credential Get under a permit already held, reported as it lands. A refresh
    /// passes its generation and breaker.
    async fn get(
        &self,
        permit: Permit,
        refresh: Option<(u64, &Mutex<Breaker>)>,
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
            Err(e) => Fetched::Failed(Failure::from(&e)),
        };
        self.report(refresh.map(|(g, _)| g), key.clone(), fetched.clone());
        (key, fetched)
    }

    pub(super) fn report(&self, generation: Option<u64>, key: CredentialKey, fetched: Fetched) {
        self.send(WorkerMsg::Credential {
            generation,
            key,
            fetched,
            at: Utc::now(),
        });
    }

    /// Credentials the user asked for, at the user's priority, stored together.
    pub(super) async fn fetch(self, keys: Vec<CredentialKey>) {
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

    async fn save_apps(&self, apps: Vec<App>) {
        let at = Utc::now();
        if let Err(e) = blocking(&self.store, move |s| s.save_apps(&apps, at)).await {
            self.send(WorkerMsg::Error(Failure::from(&e)));
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
            self.send(WorkerMsg::Error(Failure::from(&e)));
        }
    }
}

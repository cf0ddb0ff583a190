//! The worker's refresh against the demo tenant: how many requests, in what order, how many
//! at once, and how it slows down when the tenant pushes back. Nothing here asserts wall-clock
//! time; timeouts only keep a hung test from hanging the suite.
//!
//! The rule under test: every request the worker makes holds a permit of its limiter, so the
//! tenant never sees more than `concurrency` requests of one worker in flight (the token
//! request included; the app-page chain holds a permit too).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use credboard::api::retry::RetryPolicy;
use credboard::api::{Client, ClientOptions};
use credboard::app::{Effect, Fetched, WorkerMsg};
use credboard::demo::{
    DemoOptions, DemoServer, FaultKind, FaultRule, Faults, Latency, RetryAfter, RouteFilter,
    RouteKind, Scale, Share,
};
use credboard::model::{CredentialKey, Source};
use credboard::ops::Ops;
use credboard::store::Store;
use credboard::worker::Worker;
use tokio::sync::mpsc;

const SCALE: Scale = Scale {
    apps: 30,
    connectors: 45,
    credentials: 150,
};
/// Enough for requests to overlap, so that concurrency shows in the tenant's counts.
const LATENCY: Duration = Duration::from_millis(5);
/// Only a guard against a hung worker, never a measurement.
const HANG: Duration = Duration::from_secs(60);

struct Harness {
    server: DemoServer,
    client: Client,
    /// A clone of the running worker: its limiter is shared.
    worker: Worker,
    effects: mpsc::UnboundedSender<Effect>,
    msgs: mpsc::UnboundedReceiver<WorkerMsg>,
    tracked: Vec<CredentialKey>,
    store: Arc<Store>,
}

async fn harness(concurrency: usize, faults: Faults) -> Harness {
    let server = DemoServer::start(DemoOptions {
        scale: Some(SCALE),
        faults: faults.with_latency(Latency::Fixed(LATENCY)),
        ..Default::default()
    })
    .await
    .expect("demo tenant");
    let client = Client::new(ClientOptions {
        client_id: Some(server.client_id()),
        client_secret: Some(server.client_secret()),
        retry: RetryPolicy {
            max_tries: 6,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(40),
            budget: Duration::from_secs(20),
        },
        ..Default::default()
    })
    .expect("client");
    let store = Arc::new(Store::open_in_memory(&server.endpoint()).unwrap());
    let tracked: Vec<CredentialKey> = server
        .tracked()
        .into_iter()
        .map(|(a, c, id)| CredentialKey::new(a, c, id))
        .collect();
    assert_eq!(tracked.len(), SCALE.credentials);
    for t in &tracked {
        store.track(t, Source::Manual).unwrap();
    }
    let actions = Arc::new(Ops::new(client.clone(), store.clone(), false));
    let (tx, msgs) = mpsc::unbounded_channel();
    let (effects, effects_rx) = mpsc::unbounded_channel();
    let worker = Worker::new(client.clone(), store.clone(), actions, concurrency, tx);
    tokio::spawn(worker.clone().run(effects_rx));
    Harness {
        server,
        client,
        worker,
        effects,
        msgs,
        tracked,
        store,
    }
}

impl Harness {
    fn refresh(&self, generation: u64) {
        self.effects.send(Effect::Refresh { generation }).unwrap();
    }

    async fn next(&mut self) -> WorkerMsg {
        tokio::time::timeout(HANG, self.msgs.recv())
            .await
            .expect("the worker answers")
            .expect("the worker runs")
    }

    /// Every message up to and including `RefreshDone` of `generation`.
    async fn until_done(&mut self, generation: u64) -> Vec<WorkerMsg> {
        let mut out = Vec::new();
        loop {
            let msg = self.next().await;
            let done =
                matches!(msg, WorkerMsg::RefreshDone { generation: g, .. } if g == generation);
            out.push(msg);
            if done {
                return out;
            }
        }
    }

    /// The requests one full refresh makes with a fresh token: the token, the app pages,
    /// one connector listing per app (each app has under 100), one Get per credential.
    fn full_refresh_requests(&self) -> u64 {
        1 + SCALE.apps.div_ceil(100) as u64 + SCALE.apps as u64 + SCALE.credentials as u64
    }
}

fn credential_keys(msgs: &[WorkerMsg], generation: u64) -> Vec<CredentialKey> {
    msgs.iter()
        .filter_map(|m| match m {
            WorkerMsg::Credential {
                generation: Some(g),
                key,
                ..
            } if *g == generation => Some(key.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_refresh_never_has_more_requests_in_flight_than_its_concurrency() {
    for concurrency in [1, 4] {
        let mut h = harness(concurrency, Faults::none()).await;
        h.refresh(1);
        h.until_done(1).await;
        let stats = h.server.stats();
        assert_eq!(stats.total, h.full_refresh_requests());
        // At most `concurrency`, and the worker does use them all.
        assert_eq!(stats.peak_in_flight, concurrency as u64, "{stats:?}");
        assert_eq!(h.worker.limiter().stats().in_flight, 0);
    }
}

#[tokio::test]
async fn every_tracked_credential_is_fetched_exactly_once_per_refresh() {
    let mut h = harness(6, Faults::none()).await;
    let want: BTreeSet<_> = h.tracked.iter().cloned().collect();
    for generation in 1..=2 {
        h.server.reset_stats();
        h.refresh(generation);
        let msgs = h.until_done(generation).await;
        let keys = credential_keys(&msgs, generation);
        assert_eq!(keys.len(), want.len(), "one message per credential");
        assert_eq!(keys.into_iter().collect::<BTreeSet<_>>(), want);
        let listed: BTreeSet<_> = msgs
            .iter()
            .filter_map(|m| match m {
                WorkerMsg::Connectors { app_id, .. } => Some(app_id.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(listed.len(), SCALE.apps, "every app's connectors, once");

        let stats = h.server.stats();
        assert_eq!(
            stats.route(RouteKind::GetCredential),
            SCALE.credentials as u64
        );
        assert_eq!(stats.route(RouteKind::ListConnectors), SCALE.apps as u64);
        assert_eq!(stats.route(RouteKind::ListApps), 1);
        // The token is minted once, by the first refresh, and reused by the second.
        let tokens = if generation == 1 { 1 } else { 0 };
        assert_eq!(stats.route(RouteKind::Token), tokens);
        assert_eq!(
            stats.total,
            h.full_refresh_requests() - 1 + tokens,
            "nothing else: {stats:?}"
        );
    }
}

/// Answers are stored as they arrive, not all at the end: a refresh cut short (the program
/// killed, the tenant gone) keeps what it had fetched.
#[tokio::test]
async fn answers_are_stored_while_the_refresh_runs() {
    let mut h = harness(1, Faults::none()).await;
    let stored = |h: &Harness| {
        h.store
            .snapshot()
            .unwrap()
            .credentials
            .iter()
            .filter(|c| c.fetched_at.is_some())
            .count()
    };
    h.refresh(1);
    let mut stored_before_done = 0;
    loop {
        let msg = h.next().await;
        if matches!(msg, WorkerMsg::RefreshDone { .. }) {
            break;
        }
        if matches!(msg, WorkerMsg::Credential { .. }) {
            stored_before_done = stored(&h);
        }
    }
    assert!(
        stored_before_done > 0,
        "nothing was in the inventory until the refresh ended"
    );
    assert_eq!(stored(&h), SCALE.credentials);
}

#[tokio::test]
async fn results_arrive_started_then_credentials_then_done() {
    let mut h = harness(4, Faults::none()).await;
    h.refresh(7);
    let msgs = h.until_done(7).await;
    match &msgs[0] {
        WorkerMsg::RefreshStarted {
            generation: 7,
            credentials,
        } => assert_eq!(*credentials, SCALE.credentials),
        other => panic!("first: {other:?}"),
    }
    assert!(matches!(
        msgs.last(),
        Some(WorkerMsg::RefreshDone { generation: 7, .. })
    ));
    for m in &msgs[1..msgs.len() - 1] {
        match m {
            WorkerMsg::Credential {
                generation,
                fetched,
                ..
            } => {
                assert_eq!(*generation, Some(7));
                assert!(matches!(fetched, Fetched::Found(_)), "{fetched:?}");
            }
            WorkerMsg::Apps { generation, .. } | WorkerMsg::Connectors { generation, .. } => {
                assert_eq!(*generation, 7)
            }
            other => panic!("unexpected in the middle: {other:?}"),
        }
    }
    // The apps arrive before any of their connectors.
    let first_connectors = msgs
        .iter()
        .position(|m| matches!(m, WorkerMsg::Connectors { .. }))
        .unwrap();
    let apps = msgs
        .iter()
        .position(|m| matches!(m, WorkerMsg::Apps { .. }))
        .unwrap();
    assert!(apps < first_connectors);
}

#[tokio::test]
async fn connector_listings_go_before_waiting_credential_gets() {
    let concurrency = 4;
    let mut h = harness(concurrency, Faults::none()).await;
    h.refresh(1);
    let msgs = h.until_done(1).await;
    let last_connectors = msgs
        .iter()
        .rposition(|m| matches!(m, WorkerMsg::Connectors { .. }))
        .unwrap();
    let gets_before = msgs[..last_connectors]
        .iter()
        .filter(|m| matches!(m, WorkerMsg::Credential { .. }))
        .count();
    // The Gets that ran while the token and the first app page were fetched (two round trips
    // on the concurrency - 1 permits the walk leaves: 6 here), and a few beside the last
    // listings: never the queue of 150 (first come, first served lists the connectors last).
    assert!(
        gets_before <= 3 * concurrency,
        "{gets_before} credentials arrived before the last connector listing"
    );
}

#[tokio::test]
async fn a_user_action_does_not_wait_behind_the_refresh() {
    let mut h = harness(2, Faults::none()).await;
    h.refresh(1);
    // Once the refresh is under way, revoke one credential.
    while !matches!(h.next().await, WorkerMsg::Credential { .. }) {}
    let target = h.tracked[100].clone();
    h.effects
        .send(Effect::Revoke {
            key: target.clone(),
        })
        .unwrap();
    let mut gets_meanwhile = 0;
    loop {
        match h.next().await {
            WorkerMsg::Credential { .. } => gets_meanwhile += 1,
            WorkerMsg::Revoked { key, result } => {
                assert_eq!(key, target);
                assert!(result.is_ok(), "{result:?}");
                break;
            }
            WorkerMsg::RefreshDone { .. } => panic!("the revoke waited for the whole refresh"),
            _ => {}
        }
    }
    // It waits for one permit, not for the ~140 Gets queued before it.
    assert!(gets_meanwhile < 20, "{gets_meanwhile} Gets went first");
    h.until_done(1).await;
}

#[tokio::test]
async fn a_superseded_refresh_stops_making_requests() {
    let mut h = harness(4, Faults::none()).await;
    h.refresh(1);
    while !matches!(h.next().await, WorkerMsg::Credential { .. }) {}
    h.refresh(2);
    let msgs = h.until_done(2).await;
    assert!(
        !msgs
            .iter()
            .any(|m| matches!(m, WorkerMsg::RefreshDone { generation: 1, .. })),
        "the first refresh never finishes"
    );
    assert_eq!(credential_keys(&msgs, 2).len(), SCALE.credentials);
    let stats = h.server.stats();
    let gets = stats.route(RouteKind::GetCredential);
    // The second refresh makes every Get; the first only those started before it was
    // superseded, a handful, far from a second full refresh.
    assert!(stats.total < 2 * h.full_refresh_requests(), "{stats:?}");
    assert!(
        gets < (SCALE.credentials + SCALE.credentials / 2) as u64,
        "{gets} Gets"
    );
}

#[tokio::test]
async fn pushback_lowers_concurrency_and_the_refresh_still_completes() {
    // The first 8 Gets answer 429 without Retry-After: the client backs off and retries.
    let faults = Faults::none().with(
        FaultRule::new(FaultKind::TooManyRequests(RetryAfter::Absent))
            .share(Share::FirstN(8))
            .routes(RouteFilter::Only(RouteKind::GetCredential)),
    );
    let mut h = harness(8, faults).await;
    h.refresh(1);
    let msgs = h.until_done(1).await;
    let found = msgs
        .iter()
        .filter(|m| {
            matches!(
                m,
                WorkerMsg::Credential {
                    fetched: Fetched::Found(_),
                    ..
                }
            )
        })
        .count();
    assert_eq!(
        found, SCALE.credentials,
        "every credential, despite the 429s"
    );
    assert_eq!(h.client.pushback(), 8, "the client saw every 429");
    let s = h.worker.limiter().stats();
    assert_eq!(s.pushback, 8);
    assert!(s.cuts >= 1, "{s:?}");
    assert!(s.lowest <= 4, "the limit was at least halved: {s:?}");

    // The tenant is well again: the limit climbs back to the configured 8, and the tenant
    // sees 8 at once again.
    h.server.reset_stats();
    h.refresh(2);
    h.until_done(2).await;
    let s = h.worker.limiter().stats();
    assert_eq!((s.limit, s.max), (8, 8), "{s:?}");
    assert_eq!(h.server.stats().peak_in_flight, 8);
}

#[tokio::test]
async fn steady_pushback_keeps_fewer_requests_in_flight() {
    // A tenant that refuses every other Get for as long as it runs.
    let faults = Faults::none().with(
        FaultRule::new(FaultKind::TooManyRequests(RetryAfter::Absent))
            .share(Share::EveryNth(2))
            .routes(RouteFilter::Only(RouteKind::GetCredential)),
    );
    let mut h = harness(8, faults).await;
    h.refresh(1);
    let msgs = h.until_done(1).await;
    assert_eq!(credential_keys(&msgs, 1).len(), SCALE.credentials);
    let s = h.worker.limiter().stats();
    assert!(s.cuts >= 3, "{s:?}");
    assert!(s.lowest <= 2, "{s:?}");
    // While it pushes back, the limit stays below the maximum.
    assert!(s.limit < 8, "{s:?}");
}

#[tokio::test]
async fn the_client_counts_429_and_503_even_when_a_retry_succeeds() {
    let server = DemoServer::start(DemoOptions::default()).await.unwrap();
    let client = Client::new(ClientOptions {
        client_id: Some(server.client_id()),
        client_secret: Some(server.client_secret()),
        retry: RetryPolicy {
            max_tries: 4,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            budget: Duration::from_secs(10),
        },
        ..Default::default()
    })
    .unwrap();
    let (app, connector, id) = server.tracked().remove(0);
    let only_gets = RouteFilter::Only(RouteKind::GetCredential);
    let cases = [
        (FaultKind::TooManyRequests(RetryAfter::Absent), 2),
        (FaultKind::Status(503), 2),
        // Other failures are not pushback.
        (FaultKind::Status(500), 0),
        (FaultKind::Status(502), 0),
    ];
    let mut total = 0;
    for (kind, counted) in cases {
        server.set_faults(
            Faults::none().with(
                FaultRule::new(kind.clone())
                    .share(Share::FirstN(2))
                    .routes(only_gets.clone()),
            ),
        );
        let got = client.get_credential(&app, &connector, &id).await;
        assert!(matches!(got, Ok(Some(_))), "{kind:?}: {got:?}");
        total += counted;
        assert_eq!(client.pushback(), total, "{kind:?}");
    }
}

/// A tenant that accepts connections but stops answering: the refresh stops after
/// `UNANSWERED_IN_A_ROW` calls without a reply, says why once, and marks the rest as not
/// fetched, instead of spending every remaining call's timeout and retries.
#[tokio::test]
async fn a_tenant_that_stops_answering_ends_the_refresh_early() {
    use credboard::api::client::Timeouts;
    use credboard::worker::UNANSWERED_IN_A_ROW;

    let mut faults = Faults::none().with_latency(Latency::Fixed(Duration::from_secs(30)));
    faults.latency_routes = RouteFilter::Only(RouteKind::GetCredential);
    let server = DemoServer::start(DemoOptions {
        scale: Some(SCALE),
        faults,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = Client::new(ClientOptions {
        client_id: Some(server.client_id()),
        client_secret: Some(server.client_secret()),
        timeouts: Timeouts {
            connect: Duration::from_secs(1),
            request: Duration::from_millis(200),
        },
        retry: RetryPolicy {
            max_tries: 2,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(20),
            budget: Duration::from_secs(5),
        },
        ..Default::default()
    })
    .unwrap();
    let store = Arc::new(Store::open_in_memory("test").unwrap());
    for (a, c, id) in server.tracked() {
        store
            .track(&CredentialKey::new(a, c, id), Source::Manual)
            .unwrap();
    }
    let actions = Arc::new(Ops::new(client.clone(), store.clone(), false));
    let (tx, mut msgs) = mpsc::unbounded_channel();
    let (effects, effects_rx) = mpsc::unbounded_channel();
    tokio::spawn(Worker::new(client, store, actions, 4, tx).run(effects_rx));
    effects.send(Effect::Refresh { generation: 1 }).unwrap();

    let mut errors = Vec::new();
    let mut not_fetched = 0;
    loop {
        match tokio::time::timeout(HANG, msgs.recv())
            .await
            .unwrap()
            .unwrap()
        {
            WorkerMsg::RefreshError { error, .. } => errors.push(error),
            WorkerMsg::Credential {
                fetched: Fetched::Failed(e),
                ..
            } if e.message.starts_with("not fetched") => not_fetched += 1,
            WorkerMsg::RefreshDone { .. } => break,
            _ => {}
        }
    }
    assert_eq!(errors.len(), 1, "said once: {errors:?}");
    assert!(errors[0].message.contains("is not answering"), "{errors:?}");
    let gets = server.stats().route(RouteKind::GetCredential);
    // Each unanswered call is tried twice; up to two waves of 4 more were under way when
    // the breaker opened. Without it: 2 tries for each of the 150.
    assert!(
        gets <= 2 * (UNANSWERED_IN_A_ROW as u64 + 2 * 4),
        "{gets} Gets sent for {} credentials",
        SCALE.credentials
    );
    assert!(
        not_fetched >= SCALE.credentials - UNANSWERED_IN_A_ROW - 2 * 4,
        "{not_fetched}"
    );
    server.shutdown().await;
}

/// Read-only is enforced where effects are carried out: a revoke or rotate sent straight to
/// the worker, as if some view had forgotten to hide its key, is refused before any request.
#[tokio::test]
async fn read_only_refuses_revoke_and_rotate_below_the_ui() {
    let server = DemoServer::start(DemoOptions::default()).await.unwrap();
    let client = Client::new(ClientOptions {
        client_id: Some(server.client_id()),
        client_secret: Some(server.client_secret()),
        ..Default::default()
    })
    .unwrap();
    let store = Arc::new(Store::open_in_memory("test").unwrap());
    let actions = Arc::new(Ops::new(client.clone(), store.clone(), true));
    let (tx, mut msgs) = mpsc::unbounded_channel();
    let (effects, effects_rx) = mpsc::unbounded_channel();
    tokio::spawn(Worker::new(client, store.clone(), actions, 4, tx).run(effects_rx));
    let (app, connector, id) = server.tracked()[0].clone();
    effects
        .send(Effect::Revoke {
            key: CredentialKey::new(&app, &connector, &id),
        })
        .unwrap();
    effects
        .send(Effect::Rotate {
            app_id: app.clone(),
            connector_id: connector.clone(),
        })
        .unwrap();
    let mut refused = 0;
    while refused < 2 {
        match tokio::time::timeout(HANG, msgs.recv())
            .await
            .unwrap()
            .unwrap()
        {
            WorkerMsg::Revoked { result: Err(e), .. }
            | WorkerMsg::Rotated { result: Err(e), .. } => {
                assert!(e.message.contains("read-only"), "{e}");
                refused += 1;
            }
            other => panic!("not refused: {other:?}"),
        }
    }
    let stats = server.stats();
    assert_eq!(stats.route(RouteKind::RevokeCredential), 0);
    assert_eq!(stats.route(RouteKind::RotateCredential), 0);
    assert!(server.credential(&id).unwrap().deleted_at.is_none());
    assert!(
        store.tracked().unwrap().is_empty(),
        "nothing minted, nothing tracked"
    );
    server.shutdown().await;
}

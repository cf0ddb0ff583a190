//! The refresh benchmark: `cargo bench --bench refresh`.
//!
//! Starts the demo tenant with injected latency on every request (the token included),
//! tracks every credential it holds in a throwaway inventory file, runs the dashboard's
//! worker through one full refresh per concurrency and prints, for each run: the requests
//! made, the wall time from `Effect::Refresh` to `RefreshDone`, the lower bound, their
//! ratio, and the most requests the tenant saw in flight at once.
//!
//! The lower bound is what no scheduler can beat at that concurrency: the app pages form a
//! chain (each page's token comes from the page before), and everything else shares the
//! `concurrency` slots, each request occupying one for a full latency:
//!
//! ```text
//! bound = (app pages + ceil((requests - app pages) / concurrency)) × latency
//! ```
//!
//! Settings, from the environment:
//! - `CREDBOARD_BENCH_LATENCY_MS`: injected latency per request (default 50).
//! - `CREDBOARD_BENCH_CONCURRENCY`: comma-separated concurrencies (default `1,16`: one and
//!   the default).
//! - `CREDBOARD_BENCH_LARGE=1`: also 1,000 apps, 5,000 connectors and 10,000 credentials,
//!   with every concurrency above 1 (at 1 it would take about 14 minutes).
//! - `CREDBOARD_BENCH_429_PERCENT=N`: about N % of credential Gets answer 429 (without
//!   Retry-After: the client backs off 50 ms, doubling), to watch the limit adapt. The lower
//!   bound then ignores the backoff waits, so the ratio grows.
//! - `CREDBOARD_BENCH_429_FIRST=N`: the first N credential Gets answer 429, then none: one
//!   burst of pushback, to watch the limit drop and recover.
//!
//! Besides the table's first columns: `1st cred` and `conn done` are when the first credential
//! and the last connector listing arrived; `429s` how many the tenant sent; `low` the lowest
//! concurrency limit the worker fell to (the configured one when nothing pushed back).
//!
//! Run by `cargo test --benches` (no `--bench` argument), it only makes one quick refresh of
//! a small tenant without latency, to show that it still works.

use std::sync::Arc;
use std::time::{Duration, Instant};

use credboard::api::retry::RetryPolicy;
use credboard::api::{Client, ClientOptions};
use credboard::app::{Effect, Fetched, WorkerMsg};
use credboard::config::DEFAULT_CONCURRENCY;
use credboard::demo::{
    DemoOptions, DemoServer, FaultKind, FaultRule, Faults, Latency, RetryAfter, RouteFilter,
    RouteKind, Scale, Share,
};
use credboard::import::parse_import;
use credboard::model::Source;
use credboard::ops::Ops;
use credboard::store::Store;
use credboard::worker::Worker;
use tokio::sync::mpsc;

/// A refresh that has not finished after this long is a bug, not a measurement.
const GIVE_UP: Duration = Duration::from_secs(20 * 60);

struct Run {
    scale: Scale,
    concurrency: usize,
    requests: u64,
    wall: Duration,
    bound: Duration,
    peak: u64,
    /// When the last connector listing arrived.
    connectors_done: Duration,
    /// When the first credential arrived.
    first_credential: Duration,
    too_many: u64,
    lowest_limit: usize,
}

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        if benching {
            bench().await
        } else {
            smoke().await
        }
    });
}

/// Under `cargo test`: one quick refresh, no latency, no table worth reading.
async fn smoke() {
    let scale = Scale {
        apps: 12,
        connectors: 20,
        credentials: 60,
    };
    let server = start(scale, Duration::ZERO, Pushback::default()).await;
    let run = refresh(&server, scale, 4, Duration::ZERO).await;
    assert!(run.requests > 60);
    server.shutdown().await;
    println!("refresh bench: smoke run ok (run `cargo bench --bench refresh` to measure)");
}

async fn bench() {
    let latency = Duration::from_millis(env_number("CREDBOARD_BENCH_LATENCY_MS", 50));
    let pushback = Pushback {
        percent: env_number("CREDBOARD_BENCH_429_PERCENT", 0).min(100) as u8,
        first: env_number("CREDBOARD_BENCH_429_FIRST", 0) as u32,
    };
    let concurrencies: Vec<usize> = match std::env::var("CREDBOARD_BENCH_CONCURRENCY") {
        Ok(list) => list
            .split(',')
            .map(|s| {
                s.trim()
                    .parse()
                    .expect("CREDBOARD_BENCH_CONCURRENCY: numbers")
            })
            .collect(),
        Err(_) => vec![1, DEFAULT_CONCURRENCY],
    };
    let mut sizes = vec![(
        Scale {
            apps: 200,
            connectors: 300,
            credentials: 1_000,
        },
        concurrencies.clone(),
    )];
    if std::env::var("CREDBOARD_BENCH_LARGE").is_ok_and(|v| v == "1") {
        sizes.push((
            Scale {
                apps: 1_000,
                connectors: 5_000,
                credentials: 10_000,
            },
            concurrencies.iter().copied().filter(|&c| c > 1).collect(),
        ));
    }
    println!(
        "refresh: demo tenant on 127.0.0.1, {} ms injected latency per request, 429 on {}, {} cores",
        latency.as_millis(),
        pushback,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!();
    println!(
        "{:>15} {:>4} {:>8} {:>8} {:>8} {:>5} {:>4} {:>8} {:>9} {:>5} {:>3}",
        "apps/conn/creds",
        "conc",
        "requests",
        "wall",
        "bound",
        "ratio",
        "peak",
        "1st cred",
        "conn done",
        "429s",
        "low"
    );
    for (scale, concurrencies) in sizes {
        let server = start(scale, latency, pushback).await;
        for &concurrency in &concurrencies {
            let run = refresh(&server, scale, concurrency, latency).await;
            print_run(&run);
        }
        server.shutdown().await;
    }
}

fn print_run(r: &Run) {
    let size = format!(
        "{}/{}/{}",
        r.scale.apps, r.scale.connectors, r.scale.credentials
    );
    println!(
        "{:>15} {:>4} {:>8} {:>7.2}s {:>7.2}s {:>5.2} {:>4} {:>7.2}s {:>8.2}s {:>5} {:>3}",
        size,
        r.concurrency,
        r.requests,
        r.wall.as_secs_f64(),
        r.bound.as_secs_f64(),
        r.wall.as_secs_f64() / r.bound.as_secs_f64().max(f64::EPSILON),
        r.peak,
        r.first_credential.as_secs_f64(),
        r.connectors_done.as_secs_f64(),
        r.too_many,
        r.lowest_limit,
    );
}

/// Which credential Gets answer 429 (without Retry-After).
#[derive(Debug, Clone, Copy, Default)]
struct Pushback {
    /// About this share of them, all along.
    percent: u8,
    /// The first this many, then none.
    first: u32,
}

impl std::fmt::Display for Pushback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.first, self.percent) {
            (0, 0) => write!(f, "no request"),
            (0, p) => write!(f, "~{p} % of Gets"),
            (n, 0) => write!(f, "the first {n} Gets"),
            (n, p) => write!(f, "the first {n} Gets, then ~{p} %"),
        }
    }
}

async fn start(scale: Scale, latency: Duration, pushback: Pushback) -> DemoServer {
    let mut faults = Faults::none();
    if !latency.is_zero() {
        faults = faults.with_latency(Latency::Fixed(latency));
    }
    let rule = |share| {
        FaultRule::new(FaultKind::TooManyRequests(RetryAfter::Absent))
            .share(share)
            .routes(RouteFilter::Only(RouteKind::GetCredential))
    };
    if pushback.first > 0 {
        faults = faults.with(rule(Share::FirstN(pushback.first)));
    }
    if pushback.percent > 0 {
        faults = faults.with(rule(Share::Percent(pushback.percent)));
    }
    DemoServer::start(DemoOptions {
        scale: Some(scale),
        faults,
        ..Default::default()
    })
    .await
    .expect("the demo tenant starts")
}

/// One full refresh with a fresh client (so its token is minted, and counted, again) and a
/// fresh inventory file tracking every credential of the tenant.
async fn refresh(server: &DemoServer, scale: Scale, concurrency: usize, latency: Duration) -> Run {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Arc::new(Store::open(&dir.path().join("inventory.sqlite3"), "bench").unwrap());
    let tracked = server.tracked();
    let mut csv = String::from("app_id,connector_id,id\n");
    for (app, connector, id) in &tracked {
        csv.push_str(&format!("{app},{connector},{id}\n"));
    }
    let parsed = parse_import(csv.as_bytes()).expect("the inventory parses");
    let report = store.import(&parsed, Source::Import).unwrap();
    assert_eq!(report.added.len(), tracked.len());

    let client = Client::new(ClientOptions {
        client_id: Some(server.client_id()),
        client_secret: Some(server.client_secret()),
        retry: RetryPolicy {
            max_tries: 5,
            base_delay: Duration::from_millis(50),
            max_delay: Duration::from_secs(1),
            budget: Duration::from_secs(30),
        },
        ..Default::default()
    })
    .unwrap();
    let actions = Arc::new(Ops::new(client.clone(), store.clone(), true));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (effects, effects_rx) = mpsc::unbounded_channel();
    let worker = Worker::new(client, store, actions, concurrency, tx);
    let limiter = worker.limiter().clone();
    let task = tokio::spawn(worker.run(effects_rx));

    // Fault counters start again (a burst of 429s hits every run), as do the counts.
    server.set_faults(server.faults());
    server.reset_stats();
    let started = Instant::now();
    effects.send(Effect::Refresh { generation: 1 }).unwrap();
    let mut first_credential = None;
    let mut connectors_done = Duration::ZERO;
    let mut credentials = 0;
    let wall = loop {
        let msg = tokio::time::timeout(GIVE_UP, rx.recv())
            .await
            .expect("the refresh finishes")
            .expect("the worker runs");
        match msg {
            WorkerMsg::Credential { fetched, .. } => {
                assert!(
                    matches!(fetched, Fetched::Found(_)),
                    "a credential Get failed: {fetched:?}"
                );
                credentials += 1;
                first_credential.get_or_insert_with(|| started.elapsed());
            }
            WorkerMsg::Connectors { .. } => connectors_done = started.elapsed(),
            WorkerMsg::RefreshError { error, .. } => panic!("the refresh failed: {error}"),
            WorkerMsg::RefreshDone { .. } => break started.elapsed(),
            _ => {}
        }
    };
    let stats = server.stats();
    drop(effects);
    let _ = task.await;
    assert_eq!(credentials, tracked.len(), "every credential is fetched");

    let app_pages = stats.route(RouteKind::ListApps);
    let too_many = stats.faults_injected;
    let rest = stats.total - app_pages;
    let rounds = app_pages + rest.div_ceil(concurrency as u64);
    Run {
        scale,
        concurrency,
        requests: stats.total,
        wall,
        bound: latency * rounds as u32,
        peak: stats.peak_in_flight,
        connectors_done,
        first_credential: first_credential.unwrap_or_default(),
        too_many,
        lowest_limit: limiter.stats().lowest,
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .map(|v| {
            v.trim()
                .parse()
                .unwrap_or_else(|_| panic!("{name}: a number"))
        })
        .unwrap_or(default)
}

//! The startup benchmark: `cargo bench --bench startup` (issue 6, targets 3 and 5).
//!
//! What it measures is the dashboard's own startup path, in process, from an inventory file
//! of `CREDBOARD_BENCH_CREDENTIALS` (default 100,000) tracked credentials:
//!
//! ```text
//! open:  Store::open
//! read:  Store::snapshot (one plain query per table), as the worker reads it at start
//! place: update(Resize 200x60), update(Worker(Inventory)): the rows made and sorted
//! draw:  one full draw on a 200x60 TestBackend
//! checks: the audit's checks over those rows, as the worker runs them once it is asked:
//!        the stored inventory read again, then checked (off the event loop, after the
//!        frame: not in `total`)
//! ```
//!
//! as the worker and `tui::runtime` run it before the first frame (the real binary adds its
//! own start, the settings, the terminal and the channels between them; see
//! `scripts/first-frame.sh` for launch-to-first-frame of the binary itself). Every run is a
//! fresh process (this benchmark runs itself again), so each pays for fresh memory and cold
//! allocator arenas as a launch does. It prints each stage's median and the total, and the
//! memory the process held right after the first frame (VmRSS) and at its peak (VmHWM).
//!
//! The inventory is made once and kept in `<target>/credboard-bench/`:
//! - `CREDBOARD_BENCH_SHAPE=demo` (default): the demo tenant at that scale
//!   (`Scale::credentials`: 100,000 credentials on 5,000 connectors of 500 apps), filled by
//!   one real refresh through the worker, as a user's inventory is;
//! - `CREDBOARD_BENCH_SHAPE=synthetic`: `fixtures::synthetic_inventory` (a connector per three
//!   credentials: 33,333 connectors of 16,666 apps), a harder case for the load.
//!
//! `CREDBOARD_BENCH_RUNS` sets the runs (default 11). Run by `cargo test --benches` (no
//! `--bench` argument), it only goes once through the path on 2,000 credentials.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use credboard::api::{Client, ClientOptions};
use credboard::app::{Effect, Msg, Options, State, WorkerMsg, update};
use credboard::demo::{DemoOptions, DemoServer, Scale};
use credboard::import::parse_import;
use credboard::model::Source;
use credboard::ops::Ops;
use credboard::store::Store;
use credboard::testkit::fixtures::{fixed_now, synthetic_inventory};
use credboard::worker::Worker;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc;

const STAGES: [&str; 6] = ["open", "read", "place", "draw", "total", "checks"];

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    if let Ok(path) = std::env::var("CREDBOARD_BENCH_CHILD") {
        // As the binary does first thing.
        credboard::memory::tune_heap();
        // One run, in this fresh process: print the stage times and the memory.
        let (times, rows) = run_once(Path::new(&path));
        let line: Vec<String> = times.iter().map(|t| format!("{t:.2}")).collect();
        println!(
            "{} {rows} {} {}",
            line.join(" "),
            status_kb("VmRSS"),
            status_kb("VmHWM")
        );
        return;
    }
    let n = if benching {
        env_number("CREDBOARD_BENCH_CREDENTIALS", 100_000)
    } else {
        2_000
    };
    let shape = std::env::var("CREDBOARD_BENCH_SHAPE").unwrap_or_else(|_| "demo".into());
    let runs = if benching {
        env_number("CREDBOARD_BENCH_RUNS", 11)
    } else {
        1
    };
    let path = inventory(&shape, n);
    println!("inventory: {} ({shape}, {n} credentials)", path.display());
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); STAGES.len()];
    let mut rss = Vec::new();
    let mut hwm = Vec::new();
    for _ in 0..runs {
        let out = Command::new(std::env::current_exe().expect("this benchmark's path"))
            .env("CREDBOARD_BENCH_CHILD", &path)
            .output()
            .expect("the benchmark runs itself");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = String::from_utf8(out.stdout).expect("text");
        let fields: Vec<f64> = line
            .split_whitespace()
            .map(|f| f.parse().expect("a number"))
            .collect();
        for (s, v) in samples.iter_mut().zip(&fields) {
            s.push(*v);
        }
        assert_eq!(
            fields[STAGES.len()] as usize,
            n,
            "every credential is a row"
        );
        rss.push(fields[STAGES.len() + 1] / 1024.0);
        hwm.push(fields[STAGES.len() + 2] / 1024.0);
    }
    println!("median of {runs} fresh processes, milliseconds:");
    for (name, s) in STAGES.iter().zip(&mut samples) {
        println!(
            "  {name:9} {:7.1}   (min {:6.1}, max {:6.1})",
            median(s),
            min(s),
            max(s)
        );
    }
    println!(
        "memory after the first frame: {:.0} MB resident (VmRSS), peak {:.0} MB (VmHWM)",
        median(&mut rss),
        median(&mut hwm)
    );
}

/// The startup path once; the time of each stage in milliseconds, and the rows shown.
fn run_once(path: &Path) -> ([f64; 6], usize) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let t0 = Instant::now();
    let store = Store::open(path, "default").expect("the inventory opens");
    let t1 = Instant::now();
    let mut state = State::new(Options::new("bench", "default"), chrono::Utc::now());
    let loaded = store.snapshot().expect("the stored inventory");
    let t2 = Instant::now();
    update(
        &mut state,
        Msg::Resize {
            width: 200,
            height: 60,
        },
    );
    let asked = update(
        &mut state,
        Msg::Worker(credboard::app::WorkerMsg::Inventory(Ok(loaded))),
    );
    let t3 = Instant::now();
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("a terminal");
    terminal
        .draw(|f| credboard::tui::ui::draw(f, &state, &Default::default()))
        .expect("a frame");
    let t4 = Instant::now();
    let job = credboard::testkit::checks::job_in(asked).expect("the rows are checked");
    // Right after the load the job names the stored inventory, which the worker reads again.
    assert_eq!(job.rows, credboard::app::findings::Rows::Stored);
    let rows = store.snapshot().expect("the stored inventory");
    let checked = credboard::app::findings::check(&job, &rows);
    let t5 = Instant::now();
    std::mem::forget(checked);
    let rows = state.inventory.counts.total;
    // Quitting does not wait for this either: measured above is up to the frame.
    std::mem::forget(state);
    (
        [
            ms(t1 - t0),
            ms(t2 - t1),
            ms(t3 - t2),
            ms(t4 - t3),
            ms(t4 - t0),
            ms(t5 - t4),
        ],
        rows,
    )
}

/// The inventory file for a shape and size, made the first time.
fn inventory(shape: &str, n: usize) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    let dir = target
        .join("credboard-bench")
        .join(format!("inventory-{shape}-{n}"));
    let path = dir.join(Store::FILE_NAME);
    if path.exists() {
        return path;
    }
    std::fs::create_dir_all(&dir).expect("a directory for the inventory");
    // Made beside, then moved in place, so a run stopped halfway leaves nothing behind.
    let partial = dir.join("partial.sqlite3");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
    }
    let started = Instant::now();
    match shape {
        "demo" => demo_inventory(&partial, n),
        "synthetic" => synthetic(&partial, n),
        other => panic!("CREDBOARD_BENCH_SHAPE: demo or synthetic, not {other}"),
    }
    // Fold the write-ahead log into the file before moving it.
    {
        let store = Store::open(&partial, "default").expect("the inventory opens");
        drop(store);
        let conn = rusqlite::Connection::open(&partial).expect("the inventory opens");
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .expect("a checkpoint");
    }
    std::fs::rename(&partial, &path).expect("the inventory moves in place");
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
    }
    eprintln!(
        "made {} in {:.1} s",
        path.display(),
        started.elapsed().as_secs_f64()
    );
    path
}

/// Track every credential of the demo tenant at this scale and refresh once, as a user would.
fn demo_inventory(path: &Path, n: usize) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        let server = DemoServer::start(DemoOptions {
            scale: Some(Scale::credentials(n)),
            ..Default::default()
        })
        .await
        .expect("the demo tenant starts");
        let store = Arc::new(Store::open(path, "default").expect("an inventory"));
        let mut csv = String::from("app_id,connector_id,id\n");
        for (app, connector, id) in server.tracked() {
            csv.push_str(&format!("{app},{connector},{id}\n"));
        }
        let parsed = parse_import(csv.as_bytes()).expect("the ids parse");
        store.import(&parsed, Source::Import).expect("import");
        let client = Client::new(ClientOptions {
            client_id: Some(server.client_id()),
            client_secret: Some(server.client_secret()),
            ..Default::default()
        })
        .expect("a client");
        let actions = Arc::new(Ops::new(client.clone(), store.clone(), true));
        let (tx, mut rx) = mpsc::unbounded_channel();
        let (effects, effects_rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(Worker::new(client, store, actions, 64, tx).run(effects_rx));
        effects
            .send(Effect::Refresh { generation: 1 })
            .expect("the worker runs");
        while let Some(msg) = rx.recv().await {
            match msg {
                WorkerMsg::RefreshError { error, .. } => panic!("the refresh failed: {error}"),
                WorkerMsg::RefreshDone { .. } => break,
                _ => {}
            }
        }
        drop(effects);
        let _ = task.await;
        server.shutdown().await;
    });
}

/// `fixtures::synthetic_inventory`, stored as a refresh would store it.
fn synthetic(path: &Path, n: usize) {
    let inv = synthetic_inventory(n, 1);
    let store = Store::open(path, "default").expect("an inventory");
    let mut csv = String::from("app_id,connector_id,credential_id\n");
    for c in &inv.credentials {
        let k = &c.key;
        csv.push_str(&format!(
            "{},{},{}\n",
            k.app_id, k.connector_id, k.credential_id
        ));
    }
    let parsed = parse_import(csv.as_bytes()).expect("the ids parse");
    store.import(&parsed, Source::Import).expect("import");
    let fetched = fixed_now() - chrono::Duration::hours(1);
    let last: Vec<_> = inv
        .credentials
        .iter()
        .filter_map(|c| c.last.clone())
        .collect();
    store.save_credentials(&last, fetched).expect("save");
    let gone: Vec<&str> = inv
        .credentials
        .iter()
        .filter(|c| c.gone)
        .map(|c| c.key.credential_id.as_str())
        .collect();
    store.mark_gone_many(&gone, fetched).expect("gone");
    store.save_apps(&inv.apps, fixed_now()).expect("apps");
    let mut by_app: std::collections::BTreeMap<String, Vec<_>> = Default::default();
    for k in &inv.connectors {
        by_app
            .entry(k.app_id.clone().unwrap_or_default())
            .or_default()
            .push(k.clone());
    }
    for (app, connectors) in &by_app {
        store
            .save_connectors(app, connectors, fixed_now())
            .expect("connectors");
    }
}

fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(0.0, f64::max)
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .map(|v| {
            v.trim()
                .parse()
                .unwrap_or_else(|_| panic!("{name}: a number"))
        })
        .unwrap_or(default)
}

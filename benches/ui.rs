//! The dashboard's hot paths at 1,000, 10,000 and 100,000 rows (issue 6, target 2, and the
//! reply decoding of a refresh): `cargo bench --bench ui`.
//!
//! Every group runs on `fixtures::synthetic_inventory(n, 1)` (n credentials on n/3 connectors
//! of n/6 apps), loaded as the runtime loads it (`Msg::Resize` 200x60, then the worker's
//! `Inventory`), and drives the state through `update` with the keys a user presses:
//! - `sort/<column>/<n>`: one sort by that column, as `s` (next column) makes it from the
//!   column before: every row sorted again and a new visible list (`S`, reverse, only
//!   reverses the lists);
//! - `sort-long-names/<column>/100000`: the same with names as real tenants have them, long
//!   and sharing long prefixes ("baton-azure-infrastructure credential 41");
//! - `filter/first-char/<n>`: one filter keystroke, alternately typing `o` into an empty
//!   filter (a pass over every row's text) and deleting it (every row again);
//! - `filter/narrowing/<n>`: alternately typing `1` after `okta-` (few rows left: only those
//!   are checked) and deleting it (a pass over every row);
//! - `draw/<n>`: one full frame of 200x60 on a `TestBackend` (every visible cell built);
//! - `findings/all/<n>`: the audit's checks run again over every row (as after a refresh, or
//!   a minute of the clock): asked, run (on the worker in the app) and their findings put on
//!   the rows; `findings/event-loop/<n>`: only the part of it the event loop does (the ask,
//!   with the rows' snapshot, and taking the answer in);
//! - `decode/get/<n>`: `n` credential Get replies (`{"credential":{...}}`) decoded as the
//!   client decodes them; `decode/connectors/<n>`: list-connectors pages of `n` connectors,
//!   100 per page; `decode/apps/<n>`: list-apps pages of `n` apps, 100 per page.

use std::hint::black_box;
use std::time::{Duration, Instant};

use credboard::api::App;
use credboard::api::model::{ConnectorListItem, CredentialReply, Page};
use credboard::app::table::{Column, Sort};
use credboard::app::{Msg, State, WorkerMsg, update};
use credboard::model::Snapshot as Inventory;
use credboard::testkit::fixtures::{fixed_now, options, synthetic_inventory};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

fn loaded(n: usize) -> State {
    loaded_with(synthetic_inventory(n, 1))
}

/// The state at 200x60 with `inventory` loaded and checked, as the runtime starts it.
fn loaded_with(inventory: Inventory) -> State {
    let mut s = State::new(options(), fixed_now());
    credboard::testkit::checks::update(
        &mut s,
        Msg::Resize {
            width: 200,
            height: 60,
        },
    );
    credboard::testkit::checks::update(
        &mut s,
        Msg::Worker(credboard::app::WorkerMsg::Inventory(Ok(inventory))),
    );
    s
}

/// One sort by `column`, as `s` makes it from `before`.
fn sort_step(
    g: &mut BenchmarkGroup<'_, WallTime>,
    id: BenchmarkId,
    s: &mut State,
    before: Column,
    column: Column,
) {
    g.bench_function(id, |b| {
        b.iter(|| {
            s.table.sort = Sort {
                column: before,
                descending: false,
            };
            key(s, KeyCode::Char('s'));
            assert_eq!(s.table.sort.column, column);
            black_box(s.table.visible.len())
        })
    });
}

fn key(s: &mut State, code: KeyCode) {
    update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn typed(s: &mut State, text: &str) {
    for c in text.chars() {
        key(s, KeyCode::Char(c));
    }
}

fn sort(c: &mut Criterion) {
    let mut g = c.benchmark_group("sort");
    g.sample_size(20).warm_up_time(Duration::from_millis(500));
    for n in SIZES {
        let mut s = loaded(n);
        for column in Column::ALL {
            let before = Column::ALL[(Column::ALL.len()
                + Column::ALL.iter().position(|c| *c == column).unwrap()
                - 1)
                % Column::ALL.len()];
            let id = BenchmarkId::new(column.title(), n);
            sort_step(&mut g, id, &mut s, before, column);
        }
    }
    g.finish();
}

/// Names as real tenants have them: long, sharing long prefixes ("baton-okta credential 41").
fn sort_long_names(c: &mut Criterion) {
    let mut g = c.benchmark_group("sort-long-names");
    g.sample_size(20).warm_up_time(Duration::from_millis(500));
    let n = 100_000;
    let mut inv = synthetic_inventory(n, 1);
    for (i, k) in inv.credentials.iter_mut().enumerate() {
        if let Some(c) = k.last.as_mut() {
            let app = ["azure-infrastructure", "okta", "github-enterprise"][i % 3];
            c.display_name = Some(format!("baton-{app} credential {i}"));
        }
    }
    let mut s = loaded_with(inv);
    for (column, before) in [
        (Column::Name, Column::Status),
        (Column::Status, Column::Expires),
    ] {
        let id = BenchmarkId::new(column.title(), n);
        sort_step(&mut g, id, &mut s, before, column);
    }
    g.finish();
}

fn filter(c: &mut Criterion) {
    let mut g = c.benchmark_group("filter");
    g.sample_size(30).warm_up_time(Duration::from_millis(500));
    for n in SIZES {
        let mut s = loaded(n);
        key(&mut s, KeyCode::Char('/'));
        keystroke(&mut g, BenchmarkId::new("first-char", n), &mut s, 'o');
        typed(&mut s, "okta-");
        keystroke(&mut g, BenchmarkId::new("narrowing", n), &mut s, '1');
    }
    g.finish();
}

/// One filter keystroke: alternately typing `c` and deleting it. Leaves the filter as it was.
fn keystroke(g: &mut BenchmarkGroup<'_, WallTime>, id: BenchmarkId, s: &mut State, c: char) {
    let mut typed_one = false;
    g.bench_function(id, |b| {
        b.iter(|| {
            if typed_one {
                key(s, KeyCode::Backspace);
            } else {
                key(s, KeyCode::Char(c));
            }
            typed_one = !typed_one;
            black_box(s.table.visible.len())
        })
    });
    if typed_one {
        key(s, KeyCode::Backspace);
    }
}

fn draw(c: &mut Criterion) {
    let mut g = c.benchmark_group("draw");
    g.sample_size(50);
    for n in SIZES {
        let s = loaded(n);
        let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("a terminal");
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                terminal
                    .draw(|f| credboard::tui::ui::draw(f, &s, &Default::default()))
                    .expect("a frame");
            })
        });
    }
    g.finish();
}

fn findings(c: &mut Criterion) {
    let mut g = c.benchmark_group("findings");
    g.sample_size(10);
    for n in SIZES {
        let mut s = loaded(n);
        let mut at = fixed_now();
        g.bench_with_input(BenchmarkId::new("all", n), &n, |b, _| {
            b.iter(|| {
                // A minute of the clock: the checks are due again, asked, run and taken in.
                at += chrono::Duration::seconds(credboard::app::findings::EVERY);
                credboard::testkit::checks::update(&mut s, Msg::Tick(at));
                black_box(s.audit.counts);
            })
        });
        g.bench_with_input(BenchmarkId::new("event-loop", n), &n, |b, _| {
            // Only what the event loop does of it: ask (the rows' snapshot goes with the job)
            // and take in the answer; the run itself, on the worker, is not timed.
            b.iter_custom(|iters| {
                let mut spent = Duration::ZERO;
                for _ in 0..iters {
                    at += chrono::Duration::seconds(credboard::app::findings::EVERY);
                    let asking = Instant::now();
                    let fx = update(&mut s, Msg::Tick(at));
                    spent += asking.elapsed();
                    let job = credboard::testkit::checks::job_in(fx).expect("the checks are due");
                    let credboard::app::findings::Rows::Shown(rows) = &job.rows else {
                        panic!("a tick's run reads the rows shown");
                    };
                    let checked = Box::new(credboard::app::findings::check(&job, rows));
                    let taking = Instant::now();
                    update(&mut s, Msg::Worker(WorkerMsg::Checked(Ok(checked))));
                    spent += taking.elapsed();
                }
                spent
            })
        });
    }
    g.finish();
}

fn decode(c: &mut Criterion) {
    let mut g = c.benchmark_group("decode");
    g.sample_size(20).warm_up_time(Duration::from_millis(500));
    for n in SIZES {
        let inv = synthetic_inventory(n, 1);
        let gets: Vec<Vec<u8>> = inv
            .credentials
            .iter()
            .map(|k| serde_json::to_vec(&serde_json::json!({ "credential": k.last })).unwrap())
            .collect();
        g.bench_with_input(BenchmarkId::new("get", n), &n, |b, _| {
            b.iter(|| {
                for body in &gets {
                    let reply: CredentialReply = serde_json::from_slice(body).unwrap();
                    black_box(reply);
                }
            })
        });
        let pages = |items: Vec<serde_json::Value>| -> Vec<Vec<u8>> {
            items
                .chunks(100)
                .map(|list| {
                    serde_json::to_vec(&serde_json::json!({ "list": list, "nextPageToken": "t" }))
                        .unwrap()
                })
                .collect()
        };
        // n connectors and n apps (the inventory has fewer of each; repeated to n).
        let connectors: Vec<serde_json::Value> = inv
            .connectors
            .iter()
            .cycle()
            .take(n)
            .map(|k| serde_json::json!({ "connector": k }))
            .collect();
        let connector_pages = pages(connectors);
        g.bench_with_input(BenchmarkId::new("connectors", n), &n, |b, _| {
            b.iter(|| {
                for body in &connector_pages {
                    let page: Page<ConnectorListItem> = serde_json::from_slice(body).unwrap();
                    black_box(page);
                }
            })
        });
        let apps: Vec<serde_json::Value> = inv
            .apps
            .iter()
            .cycle()
            .take(n)
            .map(|a| serde_json::to_value(a).unwrap())
            .collect();
        let app_pages = pages(apps);
        g.bench_with_input(BenchmarkId::new("apps", n), &n, |b, _| {
            b.iter(|| {
                for body in &app_pages {
                    let page: Page<App> = serde_json::from_slice(body).unwrap();
                    black_box(page);
                }
            })
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    sort,
    sort_long_names,
    filter,
    draw,
    findings,
    decode
);
criterion_main!(benches);

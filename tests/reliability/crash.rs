//! Crash safety: a panic restores the terminal, and kill -9 loses nothing committed.
//!
//! Each test runs this test binary again as a child process (see `secrets::child`): the
//! panic under a pseudo-terminal (`script` from util-linux), the inventory writers until
//! they are killed with SIGKILL (`Child::kill` on unix).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use credboard::app::{Inventory, Options, State};
use credboard::store::{Action, JournalEntry, Outcome, Source, Store, TrackedId, parse_import};
use credboard::tui::runtime::{self, RunOptions, WorkerLink};
use tokio::sync::mpsc;

use crate::secrets::{CHILD, child, child_command};

// ---- a panic restores the terminal ----

const PANIC_MESSAGE: &str = "injected panic inside the running dashboard";

/// The child: takes over the terminal as the binary does (color-eyre first, then `enter`),
/// runs the real event loop, and panics inside it (role "panic": in the loop itself; role
/// "task-panic": in a task beside it, as a worker task would).
#[test]
fn child_panics_inside_the_dashboard() {
    let in_task = if child("panic").is_some() {
        false
    } else if child("task-panic").is_some() {
        true
    } else {
        return;
    };
    let _ = color_eyre::install();
    let mut tui = credboard::tui::terminal::enter().expect("a terminal");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (effects, _effects_rx) = mpsc::unbounded_channel();
        let (_results_tx, results) = mpsc::unbounded_channel();
        if in_task {
            tokio::spawn(async {
                tokio::time::sleep(Duration::from_millis(100)).await;
                panic!("{PANIC_MESSAGE}");
            });
        }
        // The first frame is drawn, then the event source fails in the worst way (or, when
        // the task panics, ends a while later).
        let events = futures::stream::once(async move {
            if in_task {
                tokio::time::sleep(Duration::from_millis(2500)).await;
                return Err(std::io::Error::other("the event source ended"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            panic!("{PANIC_MESSAGE}");
        });
        let _ = runtime::run(
            &mut tui,
            State::new(Options::new("acme", "default"), chrono::Utc::now()),
            Inventory::default(),
            Box::pin(events),
            WorkerLink { effects, results },
            RunOptions {
                refresh_every: None,
                tick: Duration::from_millis(100),
            },
            |_| {},
        )
        .await;
    });
    credboard::tui::terminal::restore();
    if !in_task {
        unreachable!("the event loop panicked");
    }
}

fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[test]
fn a_panic_inside_the_dashboard_restores_the_terminal_before_the_report() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    panic_under_a_terminal("panic");
}

#[test]
fn a_panic_in_a_task_beside_the_dashboard_restores_the_terminal_and_ends_the_program() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let text = panic_under_a_terminal("task-panic");
    // Nothing is drawn on the restored terminal: no cursor moves after the report.
    let report = text.find(PANIC_MESSAGE).unwrap();
    let after = &text[report..];
    let drawn = after.match_indices("\u{1b}[").any(|(i, _)| {
        let rest = &after[i + 2..];
        let digits = rest.find(|c: char| !c.is_ascii_digit() && c != ';');
        digits.is_some_and(|n| n > 0 && rest[n..].starts_with('H'))
    });
    assert!(
        !drawn,
        "the dashboard kept drawing on the restored terminal:\n{}",
        after.replace('\u{1b}', "<ESC>")
    );
}

/// Runs the panicking child under a pseudo-terminal, checks what every panic must leave
/// behind, and returns what the terminal received.
fn panic_under_a_terminal(role: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let child = child_command("crash::child_panics_inside_the_dashboard", role, dir.path());
    let mut line = vec![quoted(child.get_program().to_str().unwrap())];
    line.extend(child.get_args().map(|a| quoted(a.to_str().unwrap())));
    // A terminal of a known size; after the child, the terminal's mode as stty sees it.
    let shell = format!(
        "stty cols 100 rows 30; {}; status=$?; echo; echo CHILD-EXIT=$status; stty -a",
        line.join(" ")
    );
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &shell, "/dev/null"])
        .stdin(Stdio::null())
        .env("RUST_BACKTRACE", "0");
    for (k, v) in child.get_envs() {
        cmd.env(k, v.unwrap());
    }
    let out = cmd
        .output()
        .expect("`script` (util-linux) runs the child under a pseudo-terminal");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let shown = text.replace('\u{1b}', "<ESC>");

    let enter = text
        .find("\u{1b}[?1049h")
        .unwrap_or_else(|| panic!("the alternate screen was never entered:\n{shown}"));
    let leave = text[enter..]
        .find("\u{1b}[?1049l")
        .map(|i| i + enter)
        .unwrap_or_else(|| panic!("the alternate screen was not left:\n{shown}"));
    let report = text
        .find(PANIC_MESSAGE)
        .unwrap_or_else(|| panic!("the panic was not reported:\n{shown}"));
    assert!(
        leave < report,
        "the terminal is restored before the report is printed:\n{shown}"
    );
    let after = &text[leave..];
    assert!(
        after.contains("\u{1b}[?25h"),
        "the cursor is shown:\n{shown}"
    );
    let capture = text[enter..]
        .find("\u{1b}[?1000h")
        .map(|i| i + enter)
        .unwrap_or_else(|| panic!("mouse capture was never turned on:\n{shown}"));
    assert!(
        text[capture..report].contains("\u{1b}[?1000l"),
        "mouse capture is turned off:\n{shown}"
    );
    assert!(
        !text.contains("CHILD-EXIT=0"),
        "the child failed as it should:\n{shown}"
    );
    // Raw mode is off again: the line discipline echoes and edits lines.
    let stty = &text[text.find("CHILD-EXIT=").unwrap()..];
    assert!(
        stty.split_whitespace().any(|w| w == "icanon")
            && stty.split_whitespace().any(|w| w == "echo"),
        "the terminal was left in raw mode:\n{stty}"
    );
    text
}

// ---- kill -9 loses nothing committed ----

/// The child: appends journal entries, one transaction each, reporting each commit.
#[test]
fn child_appends_to_the_journal_until_killed() {
    let Some(dir) = child("journal") else { return };
    let store = Store::open(&dir.join(Store::FILE_NAME), "crash").unwrap();
    for i in 0u64.. {
        store
            .append_journal(&JournalEntry {
                time: chrono::Utc::now(),
                profile: "crash".into(),
                actor_client_id: Some("x@acme/pcc".into()),
                action: if i % 2 == 0 {
                    Action::Revoke
                } else {
                    Action::Rotate
                },
                app_id: "a1".into(),
                connector_id: "k1".into(),
                credential_id: Some(format!("c{i}")),
                outcome: Outcome::Failed("x".repeat((i % 500) as usize)),
            })
            .unwrap();
        println!("committed {i}");
    }
}

/// The child: imports batches of credential ids, one transaction per file, reporting each.
#[test]
fn child_imports_until_killed() {
    let Some(dir) = child("import") else { return };
    let store = Store::open(&dir.join(Store::FILE_NAME), "crash").unwrap();
    for batch in 0u64.. {
        let mut csv = String::from("app_id,connector_id,id\n");
        for j in 0..BATCH {
            csv.push_str(&format!("a{batch},k{},b{batch}-{j}\n", j % 7));
        }
        let parsed = parse_import(csv.as_bytes()).unwrap();
        let report = store.import(&parsed, Source::Import).unwrap();
        assert_eq!(report.added.len(), BATCH);
        println!("committed {batch}");
    }
}

const BATCH: usize = 2000;

/// Runs a child until it has reported `commits` commits, kills it with SIGKILL, and returns
/// the last commit it reported.
fn kill_after(role: &str, test: &str, dir: &Path, commits: u64) -> u64 {
    let mut child = child_command(test, role, dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut last = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(n) = line.split("committed ").nth(1) {
            let n: u64 = n.trim().parse().unwrap();
            last = Some(n);
            if n + 1 >= commits {
                break;
            }
        }
    }
    // SIGKILL, at once: the child is in the middle of its next write.
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "killed, not finished");
    last.expect("the child committed something")
}

fn integrity_ok(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

#[test]
fn kill_9_during_journal_appends_keeps_every_committed_entry() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let last = kill_after(
        "journal",
        "crash::child_appends_to_the_journal_until_killed",
        dir.path(),
        300,
    );
    let path = dir.path().join(Store::FILE_NAME);
    let store = Store::open(&path, "crash").expect("the inventory opens after kill -9");
    let journal = store.journal().unwrap();
    let ids: std::collections::HashSet<String> = journal
        .iter()
        .filter_map(|e| e.credential_id.clone())
        .collect();
    for i in 0..=last {
        assert!(
            ids.contains(&format!("c{i}")),
            "entry {i} of {last} was lost"
        );
    }
    // Nothing half-written: every entry is whole.
    for e in &journal {
        let i: u64 = e.credential_id.as_ref().unwrap()[1..].parse().unwrap();
        assert_eq!(e.outcome, Outcome::Failed("x".repeat((i % 500) as usize)));
    }
    drop(store);
    integrity_ok(&path);
}

#[test]
fn kill_9_during_an_import_keeps_every_committed_import_whole() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let last = kill_after("import", "crash::child_imports_until_killed", dir.path(), 4);
    let path = dir.path().join(Store::FILE_NAME);
    let store = Store::open(&path, "crash").expect("the inventory opens after kill -9");
    let tracked = store.tracked().unwrap();
    let mut per_batch = std::collections::BTreeMap::<u64, usize>::new();
    for t in &tracked {
        let batch: u64 = t.ids.app_id[1..].parse().unwrap();
        *per_batch.entry(batch).or_default() += 1;
        assert_eq!(
            t.ids,
            TrackedId::new(
                format!("a{batch}"),
                t.ids.connector_id.clone(),
                t.ids.credential_id.clone()
            )
        );
    }
    for batch in 0..=last {
        assert_eq!(
            per_batch.get(&batch),
            Some(&BATCH),
            "import {batch} of {last} is not whole"
        );
    }
    // The import the kill interrupted is all or nothing.
    for (batch, n) in &per_batch {
        assert_eq!(*n, BATCH, "import {batch} is half there");
    }
    drop(store);
    integrity_ok(&path);
}

// ---- quitting while the worker writes ----

/// Quitting (or a signal) shuts the runtime down while worker tasks may still be running:
/// a store call they make then is cancelled by the runtime. That must end the task
/// quietly; it panicked ("a store task panicked: JoinError::Cancelled"), and the panic
/// hook turned a clean exit into exit 101 with a report.
#[test]
fn a_store_call_cut_off_by_the_runtime_shutting_down_does_not_panic() {
    use futures::FutureExt;
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join(Store::FILE_NAME), "crash").unwrap());
    let panicked = Arc::new(Mutex::new(None));
    let seen = panicked.clone();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.spawn(async move {
        // Still busy on a worker thread when the shutdown begins; then the store call.
        std::thread::sleep(Duration::from_millis(300));
        let call = credboard::actions::blocking(&store, |s| s.tracked().map(|t| t.len()));
        if let Err(panic) = std::panic::AssertUnwindSafe(call).catch_unwind().await {
            let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
            *seen.lock().unwrap() = Some(message);
        }
    });
    std::thread::sleep(Duration::from_millis(50));
    rt.shutdown_timeout(Duration::from_secs(5));
    let panicked = panicked.lock().unwrap().clone();
    assert!(panicked.is_none(), "{panicked:?}");
}

// ---- the real binary quits at once, and gives the terminal back ----

/// `credboard` (the dashboard) under a pseudo-terminal against a tenant that answers no API
/// call for ten minutes: `q` ends it at once, and the terminal is given back.
#[test]
fn the_binary_quits_at_once_with_requests_in_flight_and_restores_the_terminal() {
    use credboard::demo::{DemoOptions, DemoServer, Faults, Latency, RouteFilter};
    use std::io::{Read, Write};
    use std::time::Instant;
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut faults = Faults::none().with_latency(Latency::Fixed(Duration::from_secs(600)));
    faults.latency_routes = RouteFilter::ApiOnly;
    let server = rt
        .block_on(DemoServer::start(DemoOptions {
            faults,
            ..Default::default()
        }))
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_credboard");
    let shell = format!(
        "stty cols 120 rows 30; {} --data-dir {}; echo; echo BINARY-EXIT=$?; stty -a",
        quoted(bin),
        quoted(home.path().join("data").to_str().unwrap())
    );
    let mut script = Command::new("script")
        .args(["-qec", &shell, "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env("TERM", "xterm-256color")
        .env("CONE_CLIENT_ID", server.client_id())
        .env("CONE_CLIENT_SECRET", server.client_secret().expose())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("`script` (util-linux) runs the binary under a pseudo-terminal");
    let mut stdin = script.stdin.take().unwrap();
    let mut stdout = script.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        let _ = stdout.read_to_end(&mut all);
        String::from_utf8_lossy(&all).into_owned()
    });
    // Wait (bounded) until a request is in flight, then press q.
    let started = Instant::now();
    while server.stats().in_flight == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the dashboard never sent a request"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        server.stats().in_flight > 0,
        "requests in flight as q is pressed"
    );
    stdin.write_all(b"q").unwrap();
    stdin.flush().unwrap();
    // The hang detector: generous, it does not measure speed.
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = script.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = script.kill();
            panic!("hang: the dashboard did not quit within 30 s of q");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(stdin);
    let text = reader.join().unwrap();
    let shown = text.replace('\u{1b}', "<ESC>");
    assert!(status.success(), "{shown}");
    assert!(text.contains("BINARY-EXIT=0"), "{shown}");
    let enter = text.find("\u{1b}[?1049h").expect("the alternate screen");
    assert!(
        text[enter..].contains("\u{1b}[?1049l"),
        "the alternate screen was left:\n{shown}"
    );
    let stty = &text[text.find("BINARY-EXIT=").unwrap()..];
    assert!(
        stty.split_whitespace().any(|w| w == "icanon"),
        "the terminal was left in raw mode:\n{stty}"
    );
    drop(server);
}

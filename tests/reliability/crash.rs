//! Crash safety: a panic, a signal or Ctrl-Z gives the terminal back, and kill -9 loses
//! nothing committed. Also what only the real binary on a real terminal shows: a blind run
//! refused, a 0×0 terminal, what a copy sends, the process not dumpable.
//!
//! The panics and the inventory writers run this test binary again as a child process (see
//! `secrets::child`): the panic under a pseudo-terminal (`script` from util-linux), the
//! writers until they are killed with SIGKILL (`Child::kill` on unix). The rest runs the
//! credboard binary under a pseudo-terminal ([`Pty`]).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use credboard::app::{Options, State};
use credboard::import::parse_import;
use credboard::model::{Action, CredentialKey, JournalEntry, Outcome, Source};
use credboard::store::Store;
use credboard::tui::runtime::{self, RunOptions};
use credboard::worker::WorkerLink;
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
            Box::pin(events),
            WorkerLink { effects, results },
            RunOptions {
                refresh_every: None,
                tick: Duration::from_millis(100),

                ..Default::default()
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
    let shown = printable(&text);

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
            CredentialKey::new(
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
        let call = credboard::ops::blocking(&store, |s| s.tracked().map(|t| t.len()));
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

// ---- the real binary under a pseudo-terminal ----

/// A shell line run under a pseudo-terminal (`script` from util-linux) with a clean
/// environment and a throwaway HOME. What the terminal receives is collected as it comes;
/// keys are typed into it.
struct Pty {
    script: std::process::Child,
    keys: Option<std::process::ChildStdin>,
    received: Arc<Mutex<Vec<u8>>>,
    home: tempfile::TempDir,
}

/// The hang detector of every wait below: generous, it does not measure speed.
const HANG: Duration = Duration::from_secs(60);

impl Pty {
    fn run(shell: &str, env: &[(&str, &str)]) -> Pty {
        let home = tempfile::tempdir().unwrap();
        let mut cmd = Command::new("script");
        cmd.args(["-qec", shell, "/dev/null"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join(".config"))
            .env("TERM", "xterm-256color")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut script = cmd
            .spawn()
            .expect("`script` (util-linux) runs the binary under a pseudo-terminal");
        let keys = script.stdin.take();
        let mut out = script.stdout.take().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let sink = received.clone();
        std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n @ 1..) = out.read(&mut chunk) {
                sink.lock().unwrap().extend_from_slice(&chunk[..n]);
            }
        });
        Pty {
            script,
            keys,
            received,
            home,
        }
    }

    fn press(&mut self, keys: &[u8]) {
        let to = self.keys.as_mut().unwrap();
        to.write_all(keys).unwrap();
        to.flush().unwrap();
    }

    /// How many bytes the terminal has received so far: a mark for [`Pty::wait_for`].
    fn mark(&self) -> usize {
        self.received.lock().unwrap().len()
    }

    /// What the terminal received from byte `from` on, escapes shown as `<ESC>`.
    fn shown(&self, from: usize) -> String {
        let all = self.received.lock().unwrap();
        printable(&String::from_utf8_lossy(&all[from.min(all.len())..]))
    }

    /// Waits until the terminal has received `what` after byte `from`; returns where it
    /// ends. Panics, showing everything received after `from`, if it never comes.
    fn wait_for(&self, what: &str, from: usize) -> usize {
        let started = Instant::now();
        loop {
            {
                let all = self.received.lock().unwrap();
                if let Some(at) = memchr::memmem::find(&all[from.min(all.len())..], what.as_bytes())
                {
                    return from + at + what.len();
                }
            }
            if started.elapsed() > HANG {
                panic!(
                    "waited in vain for {:?}; the terminal received:\n{}",
                    what.replace('\u{1b}', "<ESC>"),
                    self.shown(from)
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until the drawn screen (see [`screen`]) shows `what` on a row; returns where
    /// the received bytes end then.
    fn wait_for_screen(&self, what: &str) -> usize {
        let started = Instant::now();
        loop {
            {
                let all = self.received.lock().unwrap();
                if screen(&all).iter().any(|row| row.contains(what)) {
                    return all.len();
                }
            }
            if started.elapsed() > HANG {
                let drawn = screen(&self.received.lock().unwrap()).join("\n");
                let shown = self.shown(0);
                let tail = &shown[shown.floor_char_boundary(shown.len().saturating_sub(2000))..];
                panic!(
                    "waited in vain for {what:?} on the screen:\n{drawn}\nreceived last:\n{tail}"
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The pid a shell line printed as `CREDBOARD-PID=<pid>` (see [`credboard_line`]).
    fn credboard_pid(&self) -> libc::pid_t {
        let end = self.wait_for("CREDBOARD-PID=", 0);
        self.wait_for("\n", end);
        let all = self.received.lock().unwrap();
        let digits: String = all[end..]
            .iter()
            .map(|&b| b as char)
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().unwrap()
    }

    /// Waits for the shell line to end; returns everything the terminal received.
    fn finish(mut self) -> String {
        drop(self.keys.take());
        let started = Instant::now();
        while self.script.try_wait().unwrap().is_none() {
            if started.elapsed() > HANG {
                let _ = self.script.kill();
                panic!("hang: the shell line did not end:\n{}", self.shown(0));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // The reader drains what is left once `script` is gone.
        std::thread::sleep(Duration::from_millis(100));
        String::from_utf8_lossy(&self.received.lock().unwrap()).into_owned()
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.script.kill();
        let _ = self.script.wait();
    }
}

/// What a terminal received, fit for a failure message: escapes shown as `<ESC>`, and the
/// payload of a clipboard write (a new secret) left out.
fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("\u{1b}]52;") {
        out.push_str(&rest[..at + 5]);
        rest = &rest[at + 5..];
        let end = rest.find(['\u{7}', '\u{1b}']).unwrap_or(rest.len());
        out.push_str("[clipboard]");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out.replace('\u{1b}', "<ESC>")
}

/// The screen as the dashboard drew it, replayed from what a 120×30 terminal received:
/// ratatui moves the cursor (`CSI row;col H`) and writes cells, skipping cells that did
/// not change, so text is only whole on the screen, not in the bytes. Styles, modes and
/// other strings are skipped; entering or leaving the alternate screen starts a blank one.
fn screen(bytes: &[u8]) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    const ROWS: usize = 30;
    const COLS: usize = 120;
    let blank = || vec![vec![' '; COLS]; ROWS];
    let mut grid = blank();
    let (mut row, mut col) = (0usize, 0usize);
    let text = String::from_utf8_lossy(bytes);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.next() {
                Some('[') => {
                    let mut params = String::new();
                    let end = loop {
                        match chars.next() {
                            Some(c) if ('\u{40}'..='\u{7e}').contains(&c) => break c,
                            Some(c) => params.push(c),
                            None => break ' ',
                        }
                    };
                    match (end, params.as_str()) {
                        ('H', p) => {
                            let mut at = p.split(';').map(|n| n.parse::<usize>().unwrap_or(1));
                            row = at.next().unwrap_or(1).saturating_sub(1);
                            col = at.next().unwrap_or(1).saturating_sub(1);
                        }
                        ('J', "2") | ('h' | 'l', "?1049") => grid = blank(),
                        _ => {}
                    }
                }
                // OSC and DCS strings end with BEL or ST.
                Some(']' | 'P') => {
                    while let Some(c) = chars.next() {
                        if c == '\u{7}' || (c == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                            break;
                        }
                    }
                }
                _ => {}
            },
            '\r' => col = 0,
            '\n' => row += 1,
            c if c.is_control() => {}
            c => {
                if row < ROWS && col < COLS {
                    grid[row][col] = c;
                }
                col += c.width().unwrap_or(0);
            }
        }
    }
    grid.into_iter().map(|r| r.into_iter().collect()).collect()
}

/// A shell line that runs the binary with `args` in a 120×30 terminal, printing its pid
/// first (the process execs, so the pid stays), then its exit status and the terminal's
/// mode as `stty -a` sees it.
fn credboard_line(args: &[&str]) -> String {
    let mut line = vec![quoted(env!("CARGO_BIN_EXE_credboard"))];
    line.extend(args.iter().map(|a| quoted(a)));
    format!(
        "stty cols 120 rows 30; sh -c 'echo CREDBOARD-PID=$$; exec \"$0\" \"$@\"' {}; \
         status=$?; echo; echo BINARY-EXIT=$status; stty -a",
        line.join(" ")
    )
}

/// `stty -a`'s words after the exit status: the line discipline edits lines and echoes.
fn assert_cooked(text: &str) {
    let stty = &text[text.find("BINARY-EXIT=").unwrap()..];
    let words: Vec<&str> = stty.split_whitespace().collect();
    assert!(
        words.contains(&"icanon") && words.contains(&"echo"),
        "the terminal was left in raw mode:\n{stty}"
    );
}

/// Everything a way out must leave: after byte `from`, the alternate screen left, mouse
/// reporting off and the cursor shown.
fn assert_given_back(received: &[u8], from: usize) {
    let after = &received[from..];
    let shown = printable(&String::from_utf8_lossy(after));
    for (what, sequence) in [
        ("the alternate screen left", "\u{1b}[?1049l"),
        ("mouse reporting off", "\u{1b}[?1000l"),
        ("the cursor shown", "\u{1b}[?25h"),
    ] {
        assert!(
            memchr::memmem::find(after, sequence.as_bytes()).is_some(),
            "{what}: not written:\n{shown}"
        );
    }
}

/// `credboard` (the dashboard) under a pseudo-terminal against a tenant that answers no API
/// call for ten minutes: `q` ends it at once, and the terminal is given back.
#[test]
fn the_binary_quits_at_once_with_requests_in_flight_and_restores_the_terminal() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let (server, _rt) = a_tenant_that_never_answers();
    let data = tempfile::tempdir().unwrap();
    let mut pty = Pty::run(
        &credboard_line(&["--data-dir", data.path().to_str().unwrap()]),
        &[
            ("CONE_CLIENT_ID", &server.client_id()),
            ("CONE_CLIENT_SECRET", server.client_secret().expose()),
        ],
    );
    until_in_flight(&server);
    pty.press(b"q");
    let text = pty.finish();
    let shown = printable(&text);
    assert!(text.contains("BINARY-EXIT=0"), "{shown}");
    let enter = text.find("\u{1b}[?1049h").expect("the alternate screen");
    assert_given_back(text.as_bytes(), enter);
    assert_cooked(&text);
}

/// A demo tenant whose API calls are held for ten minutes, and the runtime serving it.
fn a_tenant_that_never_answers() -> (credboard::demo::DemoServer, tokio::runtime::Runtime) {
    use credboard::demo::{DemoOptions, DemoServer, Faults, Latency, RouteFilter};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut faults = Faults::none().with_latency(Latency::Fixed(Duration::from_secs(600)));
    faults.latency_routes = RouteFilter::ApiOnly;
    let server = rt
        .block_on(DemoServer::start(DemoOptions {
            faults,
            ..Default::default()
        }))
        .unwrap();
    (server, rt)
}

/// Waits until the dashboard has requests in flight, and a moment more.
fn until_in_flight(server: &credboard::demo::DemoServer) {
    let started = Instant::now();
    while server.stats().in_flight == 0 {
        assert!(
            started.elapsed() < HANG,
            "the dashboard never sent a request"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    assert!(server.stats().in_flight > 0, "requests are in flight");
}

/// `kill -<signal>` of the running dashboard: it gives the terminal back and exits with
/// 128 + the signal's number.
fn a_signal_restores_the_terminal_and_exits_with_128_plus_n(signal: libc::c_int) {
    let mut pty = Pty::run(&credboard_line(&["--demo"]), &[]);
    let pid = pty.credboard_pid();
    pty.wait_for_screen("(demo)");
    // It answers keys: the help opens.
    pty.press(b"?");
    pty.wait_for_screen("Esc closes");
    let sent = pty.mark();
    // SAFETY: kill(2) with a pid this test started and a valid signal number.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "kill {pid}");
    let text = pty.finish();
    let shown = printable(&text);
    assert!(
        text.contains(&format!("BINARY-EXIT={}", 128 + signal)),
        "exit status 128+{signal}:\n{shown}"
    );
    assert_given_back(text.as_bytes(), sent);
    assert_cooked(&text);
}

#[test]
fn sigterm_restores_the_terminal_and_exits_143() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    a_signal_restores_the_terminal_and_exits_with_128_plus_n(libc::SIGTERM);
}

#[test]
fn sighup_restores_the_terminal_and_exits_129() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    a_signal_restores_the_terminal_and_exits_with_128_plus_n(libc::SIGHUP);
}

#[test]
fn sigint_as_a_signal_restores_the_terminal_and_exits_130() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    a_signal_restores_the_terminal_and_exits_with_128_plus_n(libc::SIGINT);
}

/// SIGTERM while every API call is in flight: the calls are abandoned, the program ends at
/// once, and the inventory it was writing is whole.
#[test]
fn sigterm_with_requests_in_flight_ends_at_once_and_leaves_the_inventory_whole() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let (server, _rt) = a_tenant_that_never_answers();
    let data = tempfile::tempdir().unwrap();
    let pty = Pty::run(
        &credboard_line(&["--data-dir", data.path().to_str().unwrap()]),
        &[
            ("CONE_CLIENT_ID", &server.client_id()),
            ("CONE_CLIENT_SECRET", server.client_secret().expose()),
        ],
    );
    let pid = pty.credboard_pid();
    until_in_flight(&server);
    let sent = pty.mark();
    // SAFETY: as above.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let text = pty.finish();
    assert!(text.contains("BINARY-EXIT=143"), "{}", printable(&text));
    assert_given_back(text.as_bytes(), sent);
    let path = data.path().join(Store::FILE_NAME);
    drop(Store::open(&path, "default").expect("the inventory opens"));
    integrity_ok(&path);
}

/// Ctrl-Z in an interactive shell with job control: the dashboard steps aside (main
/// screen, mouse off, cursor shown) and stops; `fg` brings it back drawn, and it answers
/// keys.
#[test]
fn ctrl_z_suspends_to_the_shell_and_fg_redraws_the_dashboard() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    const PROMPT: &str = "READY> ";
    // Through env: a non-interactive shell on the way drops PS1.
    let mut pty = Pty::run(
        &format!("exec env PS1={} bash --norc --noprofile -i", quoted(PROMPT)),
        &[],
    );
    let at = pty.wait_for(PROMPT, 0);
    pty.press(b"stty cols 120 rows 30\n");
    pty.wait_for(PROMPT, at);
    let data = pty.home.path().join("data");
    pty.press(
        format!(
            "{} --demo --data-dir {}\n",
            quoted(env!("CARGO_BIN_EXE_credboard")),
            quoted(data.to_str().unwrap())
        )
        .as_bytes(),
    );
    pty.wait_for_screen("(demo)");

    let suspended = pty.mark();
    pty.press(b"\x1a");
    let stopped = pty.wait_for("Stopped", suspended);
    pty.wait_for(PROMPT, stopped);
    let received = pty.received.lock().unwrap()[..stopped].to_vec();
    assert_given_back(&received, suspended);

    let resumed = pty.mark();
    pty.press(b"fg\n");
    pty.wait_for("\u{1b}[?1049h", resumed);
    // Drawn again in full: the header is on the fresh alternate screen.
    pty.wait_for_screen("(demo)");
    // It answers keys again: the help opens, Esc closes it, q quits.
    pty.press(b"?");
    let drawn = pty.wait_for_screen("Esc closes");
    pty.press(b"\x1b");
    std::thread::sleep(Duration::from_millis(500));
    pty.press(b"q");
    let quit = pty.wait_for(PROMPT, drawn);
    pty.press(b"echo BINARY-EXIT=$?\n");
    pty.wait_for("BINARY-EXIT=0", quit);
    pty.press(b"exit\n");
    pty.finish();
}

/// The running binary is marked non-dumpable (no core dump, no ptrace or /proc/PID/mem by
/// other processes of its user): it holds the client secret, and after a rotate a new one.
/// The kernel shows the mark as /proc/PID belonging to root instead of the process's user,
/// so the binary runs as another user when the test runs as root. Any command will do: the
/// demo server stays up long enough to look.
#[test]
#[cfg(target_os = "linux")]
fn the_running_binary_is_not_dumpable() {
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::process::CommandExt;
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_credboard"));
    cmd.args(["demo-server", "--port", "0"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", "/nonexistent")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        cmd.uid(65534).gid(65534);
    }
    let mut child = cmd.spawn().unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let owner = std::fs::metadata(&status).map(|m| m.uid());
    let text = std::fs::read_to_string(&status).unwrap_or_default();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(first.contains("demo tenant"), "it started: {first:?}");
    let user = text
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().next())
        .and_then(|uid| uid.parse::<u32>().ok());
    assert!(user.is_some_and(|u| u != 0), "runs as a user: {text}");
    assert_eq!(owner.unwrap(), 0, "/proc/PID is root's, not {user:?}'s");
}

// ---- the dashboard refuses to run blind, and copes with a 0×0 terminal ----

/// `credboard --demo > file` at a terminal: refused with exit 2 and a pointer to
/// `credboard list`, and nothing written to the file.
#[test]
fn the_dashboard_with_stdout_not_a_terminal_is_refused_and_writes_nothing() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("dashboard.out");
    let pty = Pty::run(
        &format!(
            "{} --demo > {}; echo BINARY-EXIT=$?",
            quoted(env!("CARGO_BIN_EXE_credboard")),
            quoted(file.to_str().unwrap())
        ),
        &[],
    );
    let text = pty.finish();
    let shown = printable(&text);
    assert!(text.contains("BINARY-EXIT=2"), "exit 2:\n{shown}");
    assert!(text.contains("credboard list"), "points to list:\n{shown}");
    assert!(
        !text.contains('\u{1b}'),
        "the terminal was not touched:\n{shown}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"", "nothing in the file");
}

/// `credboard --demo < /dev/null`: no keys can come, refused the same way.
#[test]
fn the_dashboard_with_stdin_not_a_terminal_is_refused() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let pty = Pty::run(
        &format!(
            "{} --demo < /dev/null; echo BINARY-EXIT=$?",
            quoted(env!("CARGO_BIN_EXE_credboard"))
        ),
        &[],
    );
    let text = pty.finish();
    let shown = printable(&text);
    assert!(text.contains("BINARY-EXIT=2"), "exit 2:\n{shown}");
    assert!(text.contains("credboard list"), "points to list:\n{shown}");
    assert!(
        !text.contains('\u{1b}'),
        "the terminal was not touched:\n{shown}"
    );
}

/// A terminal of 0 rows and 0 columns: the dashboard runs, draws nothing that loops or
/// panics, and `q` ends it at once, terminal given back.
#[test]
fn a_zero_by_zero_terminal_still_quits_on_q() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let line = credboard_line(&["--demo"]).replace("stty cols 120 rows 30", "stty cols 0 rows 0");
    let mut pty = Pty::run(&line, &[]);
    let entered = pty.wait_for("\u{1b}[?1049h", 0);
    // Past the first frames, with the refresh under way or done.
    std::thread::sleep(Duration::from_millis(1500));
    pty.press(b"q");
    let text = pty.finish();
    let shown = printable(&text);
    assert!(text.contains("BINARY-EXIT=0"), "{shown}");
    assert!(!text.contains("panicked"), "{shown}");
    assert_given_back(text.as_bytes(), entered);
    assert_cooked(&text);
}

// ---- the clipboard: what is sent, inside and outside a multiplexer ----

/// Rotates on the demo tenant in the binary under a pseudo-terminal with `env`, presses `c`
/// in the secret window, and returns what the terminal received from the key press to the
/// toast that followed.
fn copy_in_the_secret_window(env: &[(&str, &str)]) -> Vec<u8> {
    let mut pty = Pty::run(&credboard_line(&["--demo"]), env);
    pty.wait_for_screen("refreshed");
    pty.press(b"R");
    pty.wait_for_screen("Mint a new credential");
    pty.press(b"y");
    pty.wait_for_screen("the secret is shown once");
    let copied = pty.mark();
    pty.press(b"c");
    let toast = pty.wait_for_screen("secret sent to the terminal's clipboard");
    let received = pty.received.lock().unwrap()[copied..toast].to_vec();
    // Closing the secret window takes two presses, then q quits.
    for key in [b"\x1b", b"\x1b", b"q"] {
        std::thread::sleep(Duration::from_millis(500));
        pty.press(key);
    }
    let text = pty.finish();
    assert!(text.contains("BINARY-EXIT=0"), "{}", printable(&text));
    received
}

/// The base64 of the first OSC 52 sequence in `bytes`, checked to carry a new secret.
fn sent_to_the_clipboard(bytes: &[u8]) -> String {
    let start = memchr::memmem::find(bytes, b"\x1b]52;c;").expect("an OSC 52 sequence") + 7;
    let end = start + bytes[start..].iter().position(|&b| b == 0x07).unwrap();
    let base64 = String::from_utf8(bytes[start..end].to_vec()).unwrap();
    let secret = base64::engine::general_purpose::STANDARD
        .decode(&base64)
        .expect("base64");
    assert!(
        secret.starts_with(b"secret-token:conductorone.com:v1:"),
        "the new secret is what is sent"
    );
    base64
}

fn osc52(base64: &str) -> Vec<u8> {
    [b"\x1b]52;c;".as_slice(), base64.as_bytes(), b"\x07"].concat()
}

#[test]
fn copy_outside_a_multiplexer_sends_plain_osc_52_and_says_sent_not_copied() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let received = copy_in_the_secret_window(&[]);
    let base64 = sent_to_the_clipboard(&received);
    let plain = osc52(&base64);
    assert_eq!(
        memchr::memmem::find_iter(&received, &plain).count(),
        1,
        "the sequence, once"
    );
    assert!(
        memchr::memmem::find(&received, b"\x1bP").is_none(),
        "no passthrough outside a multiplexer"
    );
}

/// In tmux (3.3 has `allow-passthrough` off by default), the plain sequence is what
/// `set-clipboard on` takes; the passthrough after it serves `allow-passthrough on`.
#[test]
fn copy_inside_tmux_sends_plain_osc_52_for_set_clipboard_then_the_passthrough() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let received = copy_in_the_secret_window(&[("TMUX", "/tmp/tmux-1000/default,4242,0")]);
    let base64 = sent_to_the_clipboard(&received);
    let plain = osc52(&base64);
    let wrapped = [b"\x1bPtmux;\x1b".as_slice(), &plain, b"\x1b\\"].concat();
    assert!(
        memchr::memmem::find(&received, &[plain, wrapped].concat()).is_some(),
        "the plain sequence, then the same in the passthrough (not printed: it holds the secret)"
    );
}

/// GNU screen does not know OSC 52: the sequence goes through its passthrough (DCS), in
/// pieces within screen's string limit, and arrives whole at the outer terminal.
#[test]
fn copy_inside_screen_sends_osc_52_through_screens_passthrough() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let received = copy_in_the_secret_window(&[("STY", "4242.pts-0.host")]);
    let first = memchr::memmem::find(&received, b"\x1bP\x1b]52;c;").expect("a DCS string");
    let mut inner = Vec::new();
    let mut rest = &received[first..];
    while rest.starts_with(b"\x1bP") {
        let end = memchr::memmem::find(rest, b"\x1b\\").unwrap() + 2;
        assert!(end <= 256, "a piece of {end} bytes is past screen's limit");
        inner.extend_from_slice(&rest[2..end - 2]);
        rest = &rest[end..];
    }
    assert_eq!(inner, osc52(&sent_to_the_clipboard(&inner)));
}

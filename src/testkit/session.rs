//! The whole dashboard without a terminal, as the binary wires it: the demo tenant, a real
//! inventory (in a temporary directory unless given one), the real worker and the real
//! runtime on a test terminal, driven by scripted keys. For end-to-end tests and the
//! README's screenshot.
//!
//! What a test sees while it runs:
//! - every message the worker sends, summarised, through a tap between the worker and the
//!   runtime ([`Seen`], [`Session::wait_for`]), and each one whole if it asks
//!   ([`SessionOptions::tap`]);
//! - every frame drawn ([`Session::see`], [`Session::screen`]);
//! - the final `State`, when the runtime returns ([`Session::quit`], [`Session::end`]).
//!
//! Ordering: keys and worker messages reach the runtime on two channels, so a key sent just
//! after a worker message may be handled before it. [`Session::settle`] sends a probe behind
//! everything the worker has sent so far and waits until a frame shows it: from then on the
//! state has taken in all of it.

use std::io;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossterm::event::Event;
use futures::channel::mpsc as keys;
use ratatui::Terminal;
use ratatui::buffer::Buffer;
use tempfile::TempDir;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::api::client::{Limits, Timeouts};
use crate::api::retry::RetryPolicy;
use crate::api::{Client, ClientOptions, SecretString};
use crate::app::{Options, State, WorkerMsg};
use crate::demo::{DemoOptions, DemoServer};
use crate::model::{CredentialKey, Failure, FailureKind, Source};
use crate::store::Store;
use crate::tui::runtime::{self, RunOptions};
use crate::worker::{self, WorkerLink};

use super::backend::{Screen, WatchedBackend, text};
use super::keys::{char_event, event};
use super::tap::{Log, Seen};

/// How long any wait of a session may take before it counts as a hang. Generous: it
/// detects hangs, it does not measure speed.
pub const HANG: Duration = Duration::from_secs(60);

/// Sees each worker message whole, before the dashboard does.
pub type Tap = Box<dyn FnMut(&WorkerMsg) + Send>;

pub struct SessionOptions {
    /// The demo tenant's scale and faults (with [`Session::start`]).
    pub demo: DemoOptions,
    pub width: u16,
    pub height: u16,
    pub read_only: bool,
    pub concurrency: usize,
    pub timeouts: Timeouts,
    pub retry: RetryPolicy,
    pub limits: Limits,
    /// Reach the tenant here instead of the demo server's own address (a dead endpoint).
    pub endpoint: Option<String>,
    /// Keep the inventory here instead of in a temporary directory.
    pub data_dir: Option<PathBuf>,
    /// Track every credential of the demo tenant before the dashboard starts, as `--demo`
    /// does; otherwise the inventory holds what it held.
    pub track_demo: bool,
    /// The shortest time between two clock ticks.
    pub tick: Duration,
    pub tap: Option<Tap>,
}

impl Default for SessionOptions {
    fn default() -> Self {
        Self {
            demo: DemoOptions::default(),
            width: 160,
            height: 40,
            read_only: false,
            concurrency: 16,
            timeouts: Timeouts {
                connect: Duration::from_secs(5),
                request: Duration::from_secs(10),
            },
            retry: quick_retries(),
            limits: Limits::default(),
            endpoint: None,
            data_dir: None,
            track_demo: true,
            tick: Duration::from_millis(200),
            tap: None,
        }
    }
}

/// Retries fast enough for tests; still several tries, still bounded by a budget.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_tries: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
        budget: Duration::from_secs(10),
    }
}

/// The text of the probes [`Session::settle`] adds to the error history.
pub const PROBE: &str = "settle-probe-";

/// The error history without the probes [`Session::settle`] added.
pub fn real_errors(state: &State) -> Vec<String> {
    state
        .errors
        .iter()
        .map(|e| e.text.clone())
        .filter(|t| !t.starts_with(PROBE))
        .collect()
}

pub struct Session {
    server: Option<DemoServer>,
    pub store: Arc<Store>,
    log: Arc<Log>,
    screen: Arc<Screen>,
    copied: Arc<Mutex<Vec<String>>>,
    keys: Option<keys::UnboundedSender<io::Result<Event>>>,
    probe: mpsc::UnboundedSender<WorkerMsg>,
    probes: u64,
    run: Option<JoinHandle<color_eyre::Result<State>>>,
    worker: JoinHandle<()>,
    /// The inventory's directory, when it is a temporary one.
    _temp: Option<TempDir>,
}

impl Session {
    /// A demo tenant as `opts.demo` says and the dashboard on it. The dashboard starts its
    /// first refresh at once.
    pub async fn start(mut opts: SessionOptions) -> Session {
        let demo = std::mem::take(&mut opts.demo);
        let server = DemoServer::start(demo)
            .await
            .expect("the demo tenant starts");
        Self::on(server, opts).await
    }

    /// The dashboard on a demo tenant already running.
    pub async fn on(server: DemoServer, opts: SessionOptions) -> Session {
        let (dir, temp) = match &opts.data_dir {
            Some(d) => (d.clone(), None),
            None => {
                let t = TempDir::new().expect("a temporary directory");
                (t.path().to_path_buf(), Some(t))
            }
        };
        // The inventory of the tenant the client reaches: actions refuse any other.
        let tenant = opts.endpoint.clone().unwrap_or_else(|| server.endpoint());
        let store =
            Arc::new(Store::open(&dir.join(Store::FILE_NAME), &tenant).expect("the inventory"));
        if opts.track_demo {
            for (app, connector, credential) in server.tracked() {
                store
                    .track(
                        &CredentialKey::new(app, connector, credential),
                        Source::Import,
                    )
                    .expect("track");
            }
        }
        let client = Client::new(ClientOptions {
            client_id: Some(server.client_id()),
            client_secret: Some(server.client_secret()),
            endpoint: opts.endpoint.clone(),
            timeouts: opts.timeouts,
            retry: opts.retry,
            limits: opts.limits,
            ..Default::default()
        })
        .expect("a client");
        let (link, worker) = worker::spawn(&client, &store, opts.read_only, opts.concurrency);

        // The tap: worker -> log (and the test's tap) -> runtime.
        let log = Arc::new(Log::default());
        let (to_runtime, from_tap) = mpsc::unbounded_channel();
        let mut from_worker = link.results;
        let (tap_log, tap_tx, mut tap) = (log.clone(), to_runtime.clone(), opts.tap);
        tokio::spawn(async move {
            while let Some(msg) = from_worker.recv().await {
                let seen = Seen::of(&msg);
                if let Some(tap) = tap.as_mut() {
                    tap(&msg);
                }
                if tap_tx.send(msg).is_err() {
                    break;
                }
                tap_log.push(seen);
            }
        });

        let mut options = Options::new(client.host(), "test");
        options.read_only = opts.read_only;
        let state = State::new(options, chrono::Utc::now());
        let screen = Arc::new(Screen::default());
        let copied = Arc::new(Mutex::new(Vec::new()));
        let (keys, key_stream) = keys::unbounded();
        let published = screen.clone();
        let backend = WatchedBackend::new(opts.width, opts.height, move |frame: &Buffer| {
            published.publish(frame)
        });
        let clipboard = copied.clone();
        let effects = link.effects;
        let tick = opts.tick;
        let run = tokio::spawn(async move {
            let mut terminal = Terminal::new(backend).expect("a terminal");
            runtime::run(
                &mut terminal,
                state,
                key_stream,
                WorkerLink {
                    effects,
                    results: from_tap,
                },
                RunOptions {
                    refresh_every: None,
                    tick,
                    ..Default::default()
                },
                move |s: &SecretString| clipboard.lock().unwrap().push(s.expose().to_string()),
            )
            .await
        });
        Session {
            server: Some(server),
            store,
            log,
            screen,
            copied,
            keys: Some(keys),
            probe: to_runtime,
            probes: 0,
            run: Some(run),
            worker,
            _temp: temp,
        }
    }

    pub fn server(&self) -> &DemoServer {
        self.server.as_ref().expect("the server is still up")
    }

    /// Presses the key named as the settings name keys: "j", "enter", "esc", "S".
    pub fn press(&self, name: &str) {
        self.send(event(name));
    }

    pub fn type_text(&self, text: &str) {
        for c in text.chars() {
            self.send(char_event(c));
        }
    }

    fn send(&self, key: crossterm::event::KeyEvent) {
        if let Some(keys) = &self.keys {
            let _ = keys.unbounded_send(Ok(Event::Key(key)));
        }
    }

    /// Every worker message so far, summarised.
    pub fn seen(&self) -> Vec<Seen> {
        self.log.all()
    }

    /// Waits until the worker has sent a message matching `pred`; returns it.
    pub async fn wait_for(&self, what: &str, pred: impl Fn(&Seen) -> bool) -> Seen {
        let found = tokio::time::timeout(HANG, async {
            loop {
                let changed = self.log.changed.notified();
                if let Some(s) = self.log.all().into_iter().find(&pred) {
                    return s;
                }
                changed.await;
            }
        })
        .await;
        match found {
            Ok(s) => s,
            Err(_) => panic!(
                "hang: no {what} within {HANG:?}; the worker sent {:#?}",
                self.log.all()
            ),
        }
    }

    /// Waits for the end of refresh `generation`.
    pub async fn refreshed(&self, generation: u64) {
        self.wait_for(&format!("end of refresh {generation}"), |s| {
            *s == Seen::RefreshDone(generation)
        })
        .await;
    }

    /// Waits until a frame drawn holds `needle`; returns that frame's text.
    pub async fn see(&self, needle: &str) -> String {
        self.see_that(&format!("{needle:?}"), |frame| frame.contains(needle))
            .await
    }

    /// Waits until a frame drawn is `what`, as `pred` tells; returns that frame's text.
    pub async fn see_that(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let found = tokio::time::timeout(HANG, async {
            loop {
                let drawn = self.screen.drawn.notified();
                let frame = self.screen();
                if pred(&frame) {
                    return frame;
                }
                drawn.await;
            }
        })
        .await;
        match found {
            Ok(t) => t,
            Err(_) => panic!(
                "hang: no frame shows {what} within {HANG:?}; the last:\n{}",
                self.screen()
            ),
        }
    }

    /// The last frame drawn, as text.
    pub fn screen(&self) -> String {
        text(&self.screen.last())
    }

    /// The last frame drawn, with its colours.
    pub fn frame(&self) -> Buffer {
        self.screen.last()
    }

    /// Secrets the dashboard put on the clipboard (OSC 52 in a real terminal).
    pub fn copied(&self) -> Vec<String> {
        self.copied.lock().unwrap().clone()
    }

    /// Returns once the state has taken in every message the worker sent so far (see the
    /// module).
    pub async fn settle(&mut self) {
        self.probes += 1;
        let probe = format!("{PROBE}{}", self.probes);
        self.probe
            .send(WorkerMsg::Error(Failure::new(
                FailureKind::Store,
                probe.clone(),
            )))
            .expect("the runtime runs");
        self.see(&probe).await;
    }

    /// Presses `q` and waits (bounded) for the runtime to return its final state.
    pub async fn quit(&mut self) -> State {
        self.press("q");
        self.finish().await
    }

    /// Ends the key stream, as a terminal that went away, whatever is open; the runtime
    /// returns its final state.
    pub async fn end(&mut self) -> State {
        self.keys = None;
        self.finish().await
    }

    /// Waits (bounded) for the runtime to return, then abandons the worker, as the binary
    /// does.
    pub async fn finish(&mut self) -> State {
        let run = self.run.take().expect("still running");
        let state = match tokio::time::timeout(HANG, run).await {
            Ok(joined) => joined.expect("the runtime task").expect("the runtime"),
            Err(_) => panic!("hang: the dashboard did not quit within {HANG:?}"),
        };
        self.worker.abort();
        // The demo tenant's seed holds hostile names: no frame may have drawn one raw.
        if let Some(frame) = self.screen.unsafe_frame() {
            panic!("a frame held a control or escape character:\n{frame:?}");
        }
        state
    }

    /// Stops the demo tenant.
    pub async fn shutdown(&mut self) {
        if let Some(s) = self.server.take() {
            s.shutdown().await;
        }
    }

    /// Takes the demo tenant out of the session, running, for another session on it (a
    /// restart of the dashboard).
    pub fn take_server(&mut self) -> DemoServer {
        self.server.take().expect("the server is still up")
    }

    /// Drops the demo tenant without waiting for the requests it still holds: it stops in
    /// the background.
    pub fn abandon_server(&mut self) {
        drop(self.server.take());
    }
}

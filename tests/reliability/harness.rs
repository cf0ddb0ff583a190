//! The whole dashboard on a `TestBackend`: the demo tenant, a real inventory in a temporary
//! directory, the real worker and actions (through `cmd::dashboard::spawn_worker`, as the
//! binary wires them) and the real runtime, driven by scripted keys.
//!
//! What the test can see while it runs:
//! - every message the worker sends, summarised, through a tap between the worker and the
//!   runtime ([`Seen`]);
//! - the last frame drawn, as text ([`Dash::screen`]);
//! - the final `State`, when the runtime returns.
//!
//! Ordering: keys and worker messages reach the runtime on two channels, so a key sent just
//! after a worker message may be handled before it. [`Dash::settle`] sends a probe message
//! behind everything the worker has sent so far and waits until a frame shows it: from then
//! on the state has taken in all of it.

use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use credboard::api::client::{Limits, Timeouts};
use credboard::api::retry::RetryPolicy;
use credboard::api::{Client, ClientOptions, SecretString};
use credboard::app::{Fetched, Options, State, WorkerMsg};
use credboard::demo::{DemoOptions, DemoServer, Faults};
use credboard::model::{CredentialKey, Source};
use credboard::store::Store;
use credboard::testkit::WatchedBackend;
use credboard::tui::runtime::{self, RunOptions};
use credboard::tui::ui::theme::Theme;
use credboard::worker::{self, WorkerLink};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures::channel::mpsc as fmpsc;
use ratatui::Terminal;
use ratatui::buffer::Buffer;
use tempfile::TempDir;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

/// How long any wait in these tests may take before it counts as a hang. Generous: it
/// detects hangs, it does not measure speed.
pub const HANG: Duration = Duration::from_secs(60);

/// Retries fast enough for tests; still several tries, still bounded by a budget.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_tries: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
        budget: Duration::from_secs(10),
    }
}

pub struct DashOptions {
    pub faults: Faults,
    pub timeouts: Timeouts,
    pub retry: RetryPolicy,
    pub limits: Limits,
    /// Reach the tenant here instead of the demo server's own address (a dead endpoint).
    pub endpoint: Option<String>,
    pub read_only: bool,
    pub width: u16,
    pub height: u16,
    pub concurrency: usize,
    /// Keep the inventory here instead of in a temporary directory.
    pub data_dir: Option<PathBuf>,
}

impl Default for DashOptions {
    fn default() -> Self {
        Self {
            faults: Faults::none(),
            timeouts: Timeouts {
                connect: Duration::from_secs(5),
                request: Duration::from_secs(10),
            },
            retry: quick_retries(),
            limits: Limits::default(),
            endpoint: None,
            read_only: false,
            width: 160,
            height: 40,
            concurrency: 16,
            data_dir: None,
        }
    }
}

/// A worker message, as the tap saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// The stored inventory.
    Inventory,
    RefreshStarted(u64),
    Apps(u64),
    Connectors(u64),
    /// A credential Get: its generation, its id, and the error if it failed.
    Credential {
        generation: Option<u64>,
        id: String,
        error: Option<String>,
    },
    RefreshError(u64, String),
    RefreshDone(u64),
    Revoked {
        id: String,
        result: Result<bool, String>,
    },
    Rotated(Result<String, String>),
    /// Whether a rotated credential is recorded yet: the reason it is not, or `None`.
    RotationRecord {
        id: String,
        failure: Option<String>,
    },
    Journal,
    Error(String),
}

#[derive(Default)]
pub struct Log {
    seen: Mutex<Vec<Seen>>,
    /// New secrets as the worker handed them to the dashboard (for the leak searches).
    pub secrets: Mutex<Vec<String>>,
    changed: Notify,
}

impl Log {
    pub fn all(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn push(&self, s: Seen) {
        self.seen.lock().unwrap().push(s);
        self.changed.notify_waiters();
    }
}

/// The last frame drawn, as text.
#[derive(Default)]
pub struct Screen {
    text: Mutex<String>,
    frames: AtomicU64,
    drawn: Notify,
    /// The first frame that held a control or escape character, if any did.
    unsafe_frame: Mutex<Option<String>>,
}

impl Screen {
    /// Takes a frame as drawn.
    fn publish(&self, frame: &Buffer) {
        let text = credboard::testkit::text(frame);
        if text
            .chars()
            .any(|c| c != '\n' && (c.is_control() || credboard::text::is_unsafe(c)))
        {
            self.unsafe_frame
                .lock()
                .unwrap()
                .get_or_insert(text.clone());
        }
        *self.text.lock().unwrap() = text;
        self.frames.fetch_add(1, Ordering::SeqCst);
        self.drawn.notify_waiters();
    }
}

pub struct Dash {
    pub server: Option<DemoServer>,
    /// The inventory's directory, when it is a temporary one.
    _temp: Option<TempDir>,
    pub store: Arc<Store>,
    pub log: Arc<Log>,
    pub screen: Arc<Screen>,
    /// Secrets the dashboard put on the clipboard (OSC 52 in the real terminal).
    pub copied: Arc<Mutex<Vec<String>>>,
    keys: fmpsc::UnboundedSender<io::Result<Event>>,
    probe: mpsc::UnboundedSender<WorkerMsg>,
    probes: u64,
    run: Option<JoinHandle<color_eyre::Result<State>>>,
    worker: JoinHandle<()>,
}

impl Dash {
    /// A demo tenant with `opts.faults` and the dashboard on it, every credential of the
    /// tenant tracked (as `--demo` does). The dashboard starts its first refresh at once.
    pub async fn start(opts: DashOptions) -> Dash {
        let server = DemoServer::start(DemoOptions {
            faults: opts.faults.clone(),
            ..Default::default()
        })
        .await
        .expect("demo tenant");
        Self::on(server, opts).await
    }

    pub async fn on(server: DemoServer, opts: DashOptions) -> Dash {
        let (dir, temp) = match &opts.data_dir {
            Some(d) => (d.clone(), None),
            None => {
                let t = tempfile::tempdir().unwrap();
                (t.path().to_path_buf(), Some(t))
            }
        };
        // The inventory of the tenant the client reaches: actions refuse any other.
        let tenant = opts.endpoint.clone().unwrap_or_else(|| server.endpoint());
        let store = Arc::new(Store::open(&dir.join(Store::FILE_NAME), &tenant).unwrap());
        for (app, connector, credential) in server.tracked() {
            store
                .track(
                    &CredentialKey::new(app, connector, credential),
                    Source::Import,
                )
                .unwrap();
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
        .unwrap();
        let (link, worker) = worker::spawn(&client, &store, opts.read_only, opts.concurrency);

        // The tap: worker -> log -> runtime.
        let log = Arc::new(Log::default());
        let (to_ui, ui_rx) = mpsc::unbounded_channel();
        let mut from_worker = link.results;
        let tap_log = log.clone();
        let tap_tx = to_ui.clone();
        tokio::spawn(async move {
            while let Some(msg) = from_worker.recv().await {
                let seen = summarise(&msg, &tap_log);
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
        let (keys, key_rx) = fmpsc::unbounded();
        let published = screen.clone();
        let backend = WatchedBackend::new(opts.width, opts.height, move |frame: &Buffer| {
            published.publish(frame)
        });
        let copy_log = copied.clone();
        let effects = link.effects;
        let run = tokio::spawn(async move {
            let mut terminal = Terminal::new(backend).unwrap();
            runtime::run(
                &mut terminal,
                state,
                key_rx,
                WorkerLink {
                    effects,
                    results: ui_rx,
                },
                RunOptions {
                    refresh_every: None,
                    tick: Duration::from_millis(200),
                    theme: Theme {
                        color: false,
                        ..Theme::default()
                    },
                },
                move |s: &SecretString| copy_log.lock().unwrap().push(s.expose().to_string()),
            )
            .await
        });
        Dash {
            server: Some(server),
            _temp: temp,
            store,
            log,
            screen,
            copied,
            keys,
            probe: to_ui,
            probes: 0,
            run: Some(run),
            worker,
        }
    }

    pub fn server(&self) -> &DemoServer {
        self.server.as_ref().expect("the server is still up")
    }

    pub fn key(&self, code: KeyCode) {
        let _ = self
            .keys
            .unbounded_send(Ok(Event::Key(KeyEvent::new(code, KeyModifiers::NONE))));
    }

    pub fn char(&self, c: char) {
        self.key(KeyCode::Char(c));
    }

    pub fn type_str(&self, s: &str) {
        for c in s.chars() {
            self.char(c);
        }
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

    /// Waits until a frame drawn by the runtime contains `needle`; returns that frame.
    pub async fn see(&self, needle: &str) -> String {
        let found = tokio::time::timeout(HANG, async {
            loop {
                let drawn = self.screen.drawn.notified();
                let text = self.screen();
                if text.contains(needle) {
                    return text;
                }
                drawn.await;
            }
        })
        .await;
        match found {
            Ok(t) => t,
            Err(_) => panic!(
                "hang: no frame shows {needle:?} within {HANG:?}; the last:\n{}",
                self.screen()
            ),
        }
    }

    pub fn screen(&self) -> String {
        self.screen.text.lock().unwrap().clone()
    }

    /// Returns once the state has taken in every message the worker sent so far (see the
    /// module docs).
    pub async fn settle(&mut self) {
        self.probes += 1;
        let text = format!("{PROBE}{}", self.probes);
        self.probe
            .send(WorkerMsg::Error(credboard::model::Failure::new(
                credboard::model::FailureKind::Store,
                text.clone(),
            )))
            .unwrap();
        self.see(&text).await;
    }

    /// The keys still work: `?` opens the help, Esc closes it.
    pub async fn answers_keys(&self) {
        self.char('?');
        self.see("Help").await;
        self.see("refresh now").await;
        self.key(KeyCode::Esc);
    }

    /// Presses `q` and waits (bounded) for the runtime to return its final state.
    pub async fn quit(&mut self) -> State {
        self.char('q');
        self.finish().await
    }

    /// Waits (bounded) for the runtime to return, then abandons the worker, as the binary does.
    pub async fn finish(&mut self) -> State {
        let run = self.run.take().expect("still running");
        let state = match tokio::time::timeout(HANG, run).await {
            Ok(joined) => joined.expect("the runtime task").expect("the runtime"),
            Err(_) => panic!("hang: the dashboard did not quit within {HANG:?}"),
        };
        self.worker.abort();
        // The demo tenant's seed holds hostile names: no frame may have drawn one raw.
        if let Some(frame) = self.screen.unsafe_frame.lock().unwrap().as_ref() {
            panic!("a frame held a control or escape character:\n{frame:?}");
        }
        state
    }

    pub async fn shutdown(&mut self) {
        if let Some(s) = self.server.take() {
            s.shutdown().await;
        }
    }
}

/// Errors the probes added, left out.
pub const PROBE: &str = "settle-probe-";

pub fn real_errors(state: &State) -> Vec<String> {
    state
        .errors
        .iter()
        .map(|e| e.text.clone())
        .filter(|t| !t.starts_with(PROBE))
        .collect()
}

fn summarise(msg: &WorkerMsg, log: &Log) -> Seen {
    match msg {
        WorkerMsg::RefreshStarted { generation, .. } => Seen::RefreshStarted(*generation),
        WorkerMsg::Apps { generation, .. } => Seen::Apps(*generation),
        WorkerMsg::Connectors { generation, .. } => Seen::Connectors(*generation),
        WorkerMsg::Credential {
            generation,
            key,
            fetched,
            ..
        } => Seen::Credential {
            generation: *generation,
            id: key.credential_id.clone(),
            error: match fetched {
                Fetched::Failed(e) => Some(e.message.clone()),
                _ => None,
            },
        },
        WorkerMsg::RefreshError { generation, error } => {
            Seen::RefreshError(*generation, error.message.clone())
        }
        WorkerMsg::RefreshDone { generation, .. } => Seen::RefreshDone(*generation),
        WorkerMsg::Revoked { key, result } => Seen::Revoked {
            id: key.credential_id.clone(),
            result: result
                .as_ref()
                .map(|o| o.revocation == credboard::model::Revocation::AlreadyRevoked)
                .map_err(|e| e.message.clone()),
        },
        WorkerMsg::Rotated { result, .. } => Seen::Rotated(match result {
            Ok(n) => {
                log.secrets
                    .lock()
                    .unwrap()
                    .push(n.secret.expose().to_string());
                Ok(n.credential.id.clone().unwrap_or_default())
            }
            Err(e) => Err(e.message.clone()),
        }),
        WorkerMsg::RotationRecord {
            credential_id,
            failure,
        } => Seen::RotationRecord {
            id: credential_id.clone(),
            failure: failure.as_ref().map(|f| f.message.clone()),
        },
        WorkerMsg::Inventory(_) => Seen::Inventory,
        WorkerMsg::Journal(_) => Seen::Journal,
        WorkerMsg::Error(e) => Seen::Error(e.message.clone()),
    }
}

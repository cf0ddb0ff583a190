//! The whole dashboard, end to end: the real runtime, worker, inventory and API client on a
//! `TestBackend`, against the demo tenant on 127.0.0.1, driven by scripted keys.

use std::sync::Arc;
use std::time::Duration;

use credboard::actions::Actions;
use credboard::api::client::RetryPolicy;
use credboard::api::{Client, ClientOptions};
use credboard::app::rows::{Column, EntryKind};
use credboard::app::{Options, State};
use credboard::demo::{DemoOptions, DemoServer, RouteKind};
use credboard::store::{Source, Store, TrackedId};
use credboard::tui::runtime::{self, RunOptions, WorkerLink};
use credboard::worker::Worker;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures::channel::mpsc as keys;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tempfile::TempDir;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

struct Dashboard {
    server: DemoServer,
    store: Arc<Store>,
    keys: keys::UnboundedSender<std::io::Result<Event>>,
    run: JoinHandle<(State, String)>,
    _dir: TempDir,
}

impl Dashboard {
    async fn start(width: u16, height: u16) -> Self {
        let server = DemoServer::start(DemoOptions::default()).await.unwrap();
        let dir = TempDir::new().unwrap();
        let store = Arc::new(Store::open(&dir.path().join("inventory.sqlite3"), "demo").unwrap());
        for (app, connector, credential) in server.tracked() {
            store
                .track(&TrackedId::new(app, connector, credential), Source::Import)
                .unwrap();
        }
        let client = Client::new(ClientOptions {
            client_id: Some(server.client_id()),
            client_secret: Some(server.client_secret()),
            retry: RetryPolicy {
                base_delay: Duration::from_millis(10),
                ..Default::default()
            },
            ..Default::default()
        })
        .unwrap();
        let (effects, effects_rx) = mpsc::unbounded_channel();
        let (results_tx, results) = mpsc::unbounded_channel();
        let actions = Arc::new(Actions::new(client.clone(), store.clone(), false));
        let worker = Worker::new(client, store.clone(), actions, 8, results_tx);
        tokio::spawn(worker.run(effects_rx));
        let (keys, key_stream) = keys::unbounded();
        let inventory = store.snapshot().unwrap().into();
        let options = Options::new(server.addr().to_string(), "demo");
        let state = State::new(options, chrono::Utc::now());
        let run = tokio::spawn(async move {
            let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
            let state = runtime::run(
                &mut terminal,
                state,
                inventory,
                key_stream,
                WorkerLink { effects, results },
                RunOptions {
                    refresh_every: None,
                    ..Default::default()
                },
                |_| {},
            )
            .await
            .unwrap();
            (state, screen(terminal.backend()))
        });
        Self {
            server,
            store,
            keys,
            run,
            _dir: dir,
        }
    }

    fn press(&self, code: KeyCode) {
        self.keys
            .unbounded_send(Ok(Event::Key(KeyEvent::new(code, KeyModifiers::NONE))))
            .unwrap();
    }

    fn type_text(&self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c));
        }
    }

    /// Waits until the demo tenant has answered `n` more credential Gets than `before`,
    /// then a moment more for the results to reach the loop.
    async fn until_gets(&self, n: u64) {
        for _ in 0..500 {
            if self.server.stats().route(RouteKind::GetCredential) >= n {
                tokio::time::sleep(Duration::from_millis(150)).await;
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the refresh never finished");
    }

    /// Quits and returns the final state and the last frame drawn.
    async fn quit(self) -> (State, String, DemoServer, Arc<Store>) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        self.press(KeyCode::Char('q'));
        let (state, screen) = tokio::time::timeout(Duration::from_secs(20), self.run)
            .await
            .expect("the dashboard quits")
            .unwrap();
        (state, screen, self.server, self.store)
    }
}

fn screen(backend: &TestBackend) -> String {
    let buffer = backend.buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

const CREDENTIALS: u64 = 120;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_rows_appear_and_the_data_is_current() {
    let d = Dashboard::start(160, 48).await;
    d.until_gets(CREDENTIALS).await;
    let (state, screen, server, store) = d.quit().await;
    assert!(state.is_current(), "a refresh completed");
    let credentials = state
        .visible_entries()
        .filter(|e| e.kind == EntryKind::Credential)
        .count();
    assert_eq!(credentials, CREDENTIALS as usize);
    assert!(screen.contains("120 credentials"), "{screen}");
    assert!(screen.contains("Okta"), "app names resolved: {screen}");
    assert_eq!(
        store.tracked().unwrap().len(),
        CREDENTIALS as usize,
        "nothing lost"
    );
    let snapshot = store.snapshot().unwrap();
    assert!(
        snapshot.credentials.iter().all(|c| c.fetched_at.is_some()),
        "the refresh was stored"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sort_reverse_filter_and_detail() {
    let d = Dashboard::start(200, 50).await;
    d.until_gets(CREDENTIALS).await;
    d.press(KeyCode::Char('S'));
    d.press(KeyCode::Char('/'));
    d.type_text("github");
    d.press(KeyCode::Enter);
    d.press(KeyCode::Enter);
    let (state, screen, server, _) = d.quit().await;
    assert!(state.sort.descending, "S reversed the order");
    assert_eq!(state.filter, "github");
    let visible: Vec<_> = state.visible_entries().collect();
    assert!(!visible.is_empty());
    for e in &visible {
        let text = format!(
            "{} {} {} {}",
            e.display_name().unwrap_or(""),
            state.rows.app_name(&e.key.app_id),
            state
                .rows
                .connector_name(&e.key.app_id, &e.key.connector_id),
            e.client_id().unwrap_or("")
        )
        .to_lowercase();
        assert!(text.contains("github"), "{text}");
    }
    assert!(state.detail, "Enter opened the detail pane");
    assert!(screen.contains("Details"), "{screen}");
    assert!(screen.contains("github"), "the filter is shown: {screen}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sorting_by_connector_orders_the_rows_and_keeps_every_one() {
    let d = Dashboard::start(160, 40).await;
    d.until_gets(CREDENTIALS).await;
    for _ in 0..3 {
        d.press(KeyCode::Char('s'));
    }
    let (state, _, server, _) = d.quit().await;
    assert_eq!(
        state.sort.column,
        Column::Connector,
        "Status, then Name, App, Connector"
    );
    let names: Vec<String> = state
        .visible_entries()
        .map(|e| {
            state
                .rows
                .connector_name(&e.key.app_id, &e.key.connector_id)
                .to_lowercase()
        })
        .collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "{names:?}");
    assert_eq!(
        state
            .visible_entries()
            .filter(|e| e.kind == EntryKind::Credential)
            .count(),
        CREDENTIALS as usize
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_keeps_the_selection_on_the_same_credential() {
    let d = Dashboard::start(160, 40).await;
    d.until_gets(CREDENTIALS).await;
    d.press(KeyCode::Char('g'));
    for _ in 0..5 {
        d.press(KeyCode::Char('j'));
    }
    // `r` reloads everything; the cursor stays where the user put it.
    tokio::time::sleep(Duration::from_millis(100)).await;
    d.press(KeyCode::Char('r'));
    d.until_gets(2 * CREDENTIALS).await;
    let (state, _, server, _) = d.quit().await;
    assert_eq!(state.cursor, 5, "the cursor did not move");
    assert!(state.selected_entry().is_some());
    assert!(
        server.stats().route(RouteKind::ListApps) >= 2,
        "a second walk happened"
    );
    server.shutdown().await;
}

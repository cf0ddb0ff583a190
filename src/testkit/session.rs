//! The whole dashboard without a terminal: the real runtime, worker, inventory and client
//! on a `TestBackend`, against a demo tenant, driven by scripted keys. For end-to-end
//! tests and the README's screenshot.

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::Event;
use futures::channel::mpsc as keys;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use tempfile::TempDir;
use tokio::task::JoinHandle;

use crate::api::retry::RetryPolicy;
use crate::api::{Client, ClientOptions};
use crate::app::{Options, State};
use crate::demo::{DemoOptions, DemoServer, RouteKind};
use crate::model::{CredentialKey, Source};
use crate::store::Store;
use crate::tui::runtime::{self, RunOptions};

pub struct Session {
    pub server: DemoServer,
    pub store: Arc<Store>,
    keys: keys::UnboundedSender<std::io::Result<Event>>,
    run: JoinHandle<(State, Buffer)>,
    _dir: TempDir,
}

impl Session {
    /// Starts a demo tenant and the dashboard on a `width`×`height` test terminal, with a
    /// fresh inventory tracking every demo credential.
    pub async fn start(demo: DemoOptions, width: u16, height: u16) -> Self {
        let server = DemoServer::start(demo)
            .await
            .expect("the demo tenant starts");
        let dir = TempDir::new().expect("a temporary directory");
        let store = Arc::new(
            Store::open(&dir.path().join(Store::FILE_NAME), &server.endpoint()).expect("a store"),
        );
        for (app, connector, credential) in server.tracked() {
            store
                .track(
                    &CredentialKey::new(app, connector, credential),
                    Source::Import,
                )
                .expect("track");
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
        .expect("a client");
        let (link, _worker) = crate::worker::spawn(&client, &store, false, 8);
        let (keys, key_stream) = keys::unbounded();
        let options = Options::new(server.addr().to_string(), "demo");
        let state = State::new(options, chrono::Utc::now());
        let run = tokio::spawn(async move {
            let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
            let state = runtime::run(
                &mut terminal,
                state,
                key_stream,
                link,
                RunOptions {
                    refresh_every: None,
                    ..Default::default()
                },
                |_| {},
            )
            .await
            .expect("the dashboard runs");
            (state, terminal.backend().buffer().clone())
        });
        Self {
            server,
            store,
            keys,
            run,
            _dir: dir,
        }
    }

    /// Presses the key named as the settings name keys: "j", "enter", "esc", "S".
    pub fn press(&self, name: &str) {
        let _ = self
            .keys
            .unbounded_send(Ok(Event::Key(super::keys::event(name))));
    }

    pub fn type_text(&self, text: &str) {
        for c in text.chars() {
            let _ = self
                .keys
                .unbounded_send(Ok(Event::Key(super::keys::char_event(c))));
        }
    }

    /// Waits until the demo tenant has answered `n` credential Gets in all, then a moment
    /// more for the results to reach the loop. Panics after ten seconds.
    pub async fn until_gets(&self, n: u64) {
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
    pub async fn quit(self) -> (State, Buffer, DemoServer, Arc<Store>) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        self.press("q");
        let (state, buffer) = tokio::time::timeout(Duration::from_secs(20), self.run)
            .await
            .expect("the dashboard quits")
            .expect("the dashboard task");
        (state, buffer, self.server, self.store)
    }
}

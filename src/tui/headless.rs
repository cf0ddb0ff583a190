//! The whole dashboard without a terminal: the real runtime, worker, inventory and client
//! on a `TestBackend`, against a demo tenant, driven by scripted keys. For end-to-end
//! tests, the README's screenshot and benchmarks.

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures::channel::mpsc as keys;
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::{Position, Size};
use tempfile::TempDir;
use tokio::task::JoinHandle;

use crate::api::client::RetryPolicy;
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

    pub fn press(&self, code: KeyCode) {
        let _ = self
            .keys
            .unbounded_send(Ok(Event::Key(KeyEvent::new(code, KeyModifiers::NONE))));
    }

    pub fn type_text(&self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c));
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
        self.press(KeyCode::Char('q'));
        let (state, buffer) = tokio::time::timeout(Duration::from_secs(20), self.run)
            .await
            .expect("the dashboard quits")
            .expect("the dashboard task");
        (state, buffer, self.server, self.store)
    }
}

/// The buffer as plain text, one line per row, a wide character once (not with the cell
/// it covers).
pub fn text(buffer: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut covered = 0;
        for x in 0..buffer.area.width {
            if covered > 0 {
                covered -= 1;
                continue;
            }
            let symbol = buffer[(x, y)].symbol();
            out.push_str(symbol);
            covered = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
        }
        out.push('\n');
    }
    out
}

/// A `TestBackend` that hands each frame it is flushed to `on_frame`: tests count the
/// frames, or read each one as it is drawn.
pub struct WatchedBackend<F> {
    inner: TestBackend,
    on_frame: F,
}

impl<F: FnMut(&Buffer)> WatchedBackend<F> {
    pub fn new(width: u16, height: u16, on_frame: F) -> Self {
        Self {
            inner: TestBackend::new(width, height),
            on_frame,
        }
    }
}

impl<F: FnMut(&Buffer)> Backend for WatchedBackend<F> {
    type Error = <TestBackend as Backend>::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.inner.draw(content)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush()?;
        (self.on_frame)(self.inner.buffer());
        Ok(())
    }
}

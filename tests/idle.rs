//! Idle, the dashboard is quiet (issue 6, target 4): clock ticks keep coming, but a frame is
//! drawn only when something on screen changed. The runtime runs on a paused tokio clock, so
//! ten seconds of ticks pass at once; frames are counted at the backend.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::Utc;
use credboard::app::{State, WorkerMsg};
use credboard::testkit::WatchedBackend;
use credboard::testkit::fixtures::{options, sample_inventory};
use credboard::tui::runtime::{self, RunOptions};
use credboard::worker::WorkerLink;
use crossterm::event::Event;
use futures::channel::mpsc as keys;
use ratatui::Terminal;
use ratatui::buffer::Buffer;
use tokio::sync::mpsc;

struct Dashboard {
    frames: Arc<AtomicUsize>,
    keys: keys::UnboundedSender<std::io::Result<Event>>,
    results: mpsc::UnboundedSender<WorkerMsg>,
    run: tokio::task::JoinHandle<State>,
    _effects: mpsc::UnboundedReceiver<credboard::app::Effect>,
}

/// The dashboard on the sample inventory, its worker played by the test.
fn start() -> Dashboard {
    let frames = Arc::new(AtomicUsize::new(0));
    let counted = frames.clone();
    let backend = WatchedBackend::new(160, 40, move |_: &Buffer| {
        counted.fetch_add(1, Ordering::SeqCst);
    });
    let (keys, key_stream) = keys::unbounded();
    let (effects, effects_rx) = mpsc::unbounded_channel();
    let (results, results_rx) = mpsc::unbounded_channel();
    let state = State::new(options(), Utc::now());
    let run = tokio::spawn(async move {
        let mut terminal = Terminal::new(backend).expect("a terminal");
        runtime::run(
            &mut terminal,
            state,
            key_stream,
            WorkerLink {
                effects,
                results: results_rx,
            },
            RunOptions {
                refresh_every: None,
                tick: Duration::from_secs(1),

                ..Default::default()
            },
            |_| {},
        )
        .await
        .expect("the dashboard runs")
    });
    // The worker's first message: the stored inventory.
    results
        .send(WorkerMsg::Inventory(Ok(sample_inventory())))
        .unwrap();
    Dashboard {
        frames,
        keys,
        results,
        run,
        _effects: effects_rx,
    }
}

impl Dashboard {
    fn frames(&self) -> usize {
        self.frames.load(Ordering::SeqCst)
    }

    fn press(&self, c: char) {
        let key = credboard::testkit::keys::char_event(c);
        self.keys.unbounded_send(Ok(Event::Key(key))).unwrap();
    }

    /// The refresh the inventory asked for (generation 1) finished `ago` before now.
    fn refreshed(&self, ago: chrono::Duration) {
        self.results
            .send(WorkerMsg::RefreshDone {
                generation: 1,
                at: Utc::now() - ago,
            })
            .unwrap();
    }

    async fn quit(self) -> State {
        self.press('q');
        self.run.await.expect("the dashboard stops")
    }
}

/// Let `seconds` of ticks pass (the clock is paused: at once).
async fn idle(seconds: u64) {
    tokio::time::sleep(Duration::from_secs(seconds) + Duration::from_millis(500)).await;
}

#[tokio::test(start_paused = true)]
async fn idle_ticks_draw_nothing() {
    let d = start();
    // Refreshed two hours ago: nothing on screen reads differently for an hour.
    d.refreshed(chrono::Duration::hours(2));
    idle(2).await;
    let settled = d.frames();
    assert!(settled >= 2, "the first frame, and one for the refresh");
    idle(10).await;
    assert_eq!(d.frames(), settled, "ten idle seconds, no frame");
    // A key is drawn at once.
    d.press('j');
    idle(1).await;
    assert_eq!(d.frames(), settled + 1);
    let state = d.quit().await;
    assert!(
        state.now > Utc::now() - chrono::Duration::seconds(60),
        "ticks still set the clock"
    );
}

#[tokio::test(start_paused = true)]
async fn ticks_draw_what_changes() {
    let d = start();
    // While the refresh runs, its spinner turns: a frame a tick.
    idle(3).await;
    let spinning = d.frames();
    assert!(
        spinning >= 4,
        "a frame per tick while the spinner turns: {spinning}"
    );
    d.refreshed(chrono::Duration::hours(2));
    idle(1).await;
    let settled = d.frames();
    idle(5).await;
    assert_eq!(d.frames(), settled, "done: the spinner stopped");
    d.quit().await;
}

//! The event loop: one `select!` over terminal events, worker messages and a clock tick.
//! Generic over the ratatui backend and the event stream, so tests run the whole dashboard
//! on a `TestBackend` with scripted keys.
//!
//! Idle, it is quiet. The clock ticks (`Msg::Tick`: toasts expire, flags follow the time)
//! at most once a second, and only when a tick is due (`State::next_tick_due`): while the
//! spinner turns, when a toast expires, a flag can change, or a relative time on screen
//! ("12s ago", "in 6d") reads differently; at the latest every `MAX_SLEEP`. Any other message
//! is preceded by a tick when the last one is a period old, so `update` always sees the
//! time. A tick draws only when it changed something drawn (`State::tick_changed_view`).
//! Nothing else wakes the loop: the terminal's event stream blocks in its own thread, and
//! the background refresh fires once a period.
//!
//! The process's signals come in through the [`Host`]: SIGTERM, SIGHUP and SIGINT end the
//! loop with [`Stopped`], so the caller gives the terminal back and exits 128+n; SIGTSTP
//! and `Effect::Suspend` (Ctrl-Z, which raw mode delivers as a key, read by the keymap like
//! any other) step aside for the shell; SIGCONT sets the terminal up again. Either way the
//! whole screen is redrawn.

use std::future::Future;
use std::time::Duration;

use chrono::Utc;
use crossterm::event::{Event, KeyEventKind};
use futures::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::layout::Rect;
use tokio::time::{Instant, MissedTickBehavior, interval_at};

use crate::api::SecretString;
use crate::app::{Effect, Msg, State, WorkerMsg, update_all};
use crate::tui::ui::{self, theme::Theme};
use crate::worker::WorkerLink;

/// The longest the loop sleeps without a tick, in case the wall clock jumped.
const MAX_SLEEP: Duration = Duration::from_secs(30);

/// Worker messages handled before the next frame is drawn: a refresh delivers thousands of
/// results, and drawing after each would waste most frames.
const BATCH: usize = 2_000;

pub struct RunOptions {
    /// Reload in the background this often; `None` never.
    pub refresh_every: Option<Duration>,
    /// The shortest time between two clock ticks (they come only when due; see the module).
    pub tick: Duration,
    pub theme: Theme,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            refresh_every: Some(Duration::from_secs(60)),
            tick: Duration::from_secs(1),
            theme: Theme::default(),
        }
    }
}

/// What the loop needs from the terminal it runs on, beyond drawing.
pub trait Host {
    /// Puts `secret` on the clipboard.
    fn copy(&mut self, secret: &SecretString);

    /// The next signal for the loop. Must be cancel-safe: the loop drops it when something
    /// else comes first.
    fn signal(&mut self) -> impl Future<Output = Signal> {
        std::future::pending()
    }

    /// Gives the terminal back, stops the program until the shell continues it, and sets
    /// the terminal up again.
    fn suspend(&mut self) {}

    /// Sets the terminal up again after the program was stopped and continued by others.
    fn resume(&mut self) {}
}

/// A host that is only a clipboard: no signals, nothing to step aside from.
struct Clipboard<F>(F);

impl<F: FnMut(&SecretString)> Host for Clipboard<F> {
    fn copy(&mut self, secret: &SecretString) {
        (self.0)(secret)
    }
}

/// A signal, as the loop acts on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// End the loop with this error.
    Stop(Stopped),
    /// Step aside for the shell, as Ctrl-Z does.
    Suspend,
    /// The program was continued after being stopped.
    Continue,
}

/// The loop ended because the process was told to stop by a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("stopped by {name}")]
pub struct Stopped {
    pub name: &'static str,
    pub number: i32,
}

/// Runs the dashboard until the user quits (or `events` ends) and returns the final state.
/// `copy` is the clipboard; no signals reach this loop (the tests' and tools' case).
pub async fn run<B, E>(
    terminal: &mut Terminal<B>,
    state: State,
    events: E,
    worker: WorkerLink,
    options: RunOptions,
    copy: impl FnMut(&SecretString),
) -> color_eyre::Result<State>
where
    B: Backend,
    B::Error: std::error::Error + Send + Sync + 'static,
    E: Stream<Item = std::io::Result<Event>> + Unpin,
{
    let host = Clipboard(copy);
    run_with_host(terminal, state, events, worker, options, host).await
}

/// [`run`] on a real terminal's `host`: its clipboard and signals. A signal that stops the
/// program ends the loop with the error [`Stopped`].
pub async fn run_with_host<B, E>(
    terminal: &mut Terminal<B>,
    mut state: State,
    mut events: E,
    mut worker: WorkerLink,
    options: RunOptions,
    mut host: impl Host,
) -> color_eyre::Result<State>
where
    B: Backend,
    B::Error: std::error::Error + Send + Sync + 'static,
    E: Stream<Item = std::io::Result<Event>> + Unpin,
{
    let mut last_tick = Instant::now();
    let period = options
        .refresh_every
        .unwrap_or(Duration::from_secs(86_400 * 365));
    let mut refresh = interval_at(Instant::now() + period, period);
    refresh.set_missed_tick_behavior(MissedTickBehavior::Skip);

    let size = terminal.size()?;
    let mut pending = vec![Msg::Resize {
        width: size.width,
        height: size.height,
    }];
    let mut dirty = true;
    // What a batch took in freed much at once (every row's findings replaced, the rows
    // made again): the pages go back once the batch is drawn.
    let mut freed_in_bulk = false;
    loop {
        // A suspend adds the redraw after it: taken in before anything is drawn.
        while !pending.is_empty() {
            // Neither a tick nor a part of the stored inventory changes what is shown by
            // itself: the rows show once the rest has come.
            let unseen = pending
                .iter()
                .all(|m| matches!(m, Msg::Tick(_) | Msg::Worker(WorkerMsg::InventoryPart(_))));
            freed_in_bulk |= pending.iter().any(frees_in_bulk);
            // One batch: the table sorts and filters again at most once for all of it.
            for effect in update_all(&mut state, pending.drain(..)) {
                match effect {
                    Effect::Quit => {}
                    Effect::Copy(secret) => host.copy(&secret),
                    Effect::Suspend => {
                        host.suspend();
                        pending.push(redraw_all(terminal)?);
                    }
                    effect => {
                        // The worker only stops when the dashboard quits: nothing to report.
                        let _ = worker.effects.send(effect);
                    }
                }
            }
            dirty |= !unseen || state.tick_changed_view();
        }
        if state.should_quit() {
            return Ok(state);
        }
        if dirty {
            terminal.draw(|frame| ui::draw(frame, &state, &options.theme))?;
            dirty = false;
            if std::mem::take(&mut freed_in_bulk) {
                tokio::task::spawn_blocking(crate::memory::give_back_freed);
            }
        }
        // The next tick: when one is due, not sooner than a period after the last.
        let wait = state.next_tick_due().map_or(MAX_SLEEP, |at| {
            (at - Utc::now())
                .to_std()
                .unwrap_or_default()
                .min(MAX_SLEEP)
        });
        let wake = (Instant::now() + wait).max(last_tick + options.tick);
        // Whatever comes in sees the time: a tick first when the last is a period old.
        let mut tick_if_stale = |pending: &mut Vec<Msg>| {
            if last_tick.elapsed() >= options.tick {
                pending.push(Msg::Tick(Utc::now()));
                last_tick = Instant::now();
            }
        };
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => {
                    if let Some(msg) = to_msg(event) {
                        tick_if_stale(&mut pending);
                        pending.push(msg);
                    }
                }
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(state),
            },
            signal = host.signal() => match signal {
                Signal::Stop(stopped) => return Err(stopped.into()),
                Signal::Suspend => {
                    host.suspend();
                    pending.push(redraw_all(terminal)?);
                }
                Signal::Continue => {
                    host.resume();
                    pending.push(redraw_all(terminal)?);
                }
            },
            Some(result) = worker.results.recv() => {
                tick_if_stale(&mut pending);
                pending.push(Msg::Worker(result));
                while pending.len() < BATCH {
                    match worker.results.try_recv() {
                        Ok(more) => pending.push(Msg::Worker(more)),
                        Err(_) => break,
                    }
                }
            }
            _ = tokio::time::sleep_until(wake) => {
                pending.push(Msg::Tick(Utc::now()));
                last_tick = Instant::now();
            }
            _ = refresh.tick(), if options.refresh_every.is_some() => {
                tick_if_stale(&mut pending);
                pending.push(Msg::RefreshDue);
            }
        }
    }
}

/// Clears the screen and forgets what it showed, so that the next frame draws every cell:
/// after the program stepped aside, the screen holds whatever the shell left there, and
/// its size may have changed. (Not `Terminal::clear`: it asks the terminal where the cursor
/// is, and a terminal that does not answer would stop the dashboard.)
fn redraw_all<B>(terminal: &mut Terminal<B>) -> color_eyre::Result<Msg>
where
    B: Backend,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let size = terminal.size()?;
    terminal.resize(Rect::new(0, 0, size.width, size.height))?;
    Ok(Msg::Resize {
        width: size.width,
        height: size.height,
    })
}

fn to_msg(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => Some(Msg::Key(key)),
        Event::Mouse(mouse) => Some(Msg::Mouse(mouse)),
        Event::Resize(width, height) => Some(Msg::Resize { width, height }),
        _ => None,
    }
}

/// A message whose taking in frees memory in bulk: the stored inventory (the rows made
/// again, what its load allocated on the way) or a run of the checks (every row's findings
/// replaced; the worker handed back its own before sending).
fn frees_in_bulk(msg: &Msg) -> bool {
    matches!(
        msg,
        Msg::Worker(WorkerMsg::Inventory(_) | WorkerMsg::Checked(_))
    )
}

//! The real terminal: raw mode, the alternate screen and mouse capture on the way in, and
//! the same undone on the way out: on quitting, on a panic, on SIGTERM, SIGHUP and SIGINT,
//! and while the program is suspended (Ctrl-Z, SIGTSTP). Also the clipboard, through OSC 52.

use std::future::Future;
use std::io::{self, Write};

use base64::Engine;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use zeroize::Zeroizing;

use crate::api::SecretString;
use crate::tui::runtime::{Host, Signal, Stopped};

pub type Tui = Terminal<CrosstermBackend<io::Stdout>>;

/// Takes over the terminal. Installs a panic hook that restores it before the panic report
/// is printed, so a crash never leaves the shell in raw mode. A panic on another thread (a
/// worker task) ends the program too: the event loop would otherwise go on drawing on a
/// terminal that is no longer set up for it, with its worker gone. The hook holds the stdout
/// lock from the restore to the exit, so the event loop cannot draw a frame over the report.
pub fn enter() -> io::Result<Tui> {
    let previous = std::panic::take_hook();
    let owner = std::thread::current().id();
    std::panic::set_hook(Box::new(move |info| {
        let _no_drawing = io::stdout().lock();
        restore();
        previous(info);
        if std::thread::current().id() != owner {
            std::process::exit(101);
        }
    }));
    set_up()?;
    Terminal::new(CrosstermBackend::new(io::stdout()))
}

fn set_up() -> io::Result<()> {
    enable_raw_mode()?;
    execute!(io::stdout(), EnterAlternateScreen, EnableMouseCapture)
}

/// Gives the terminal back. Safe to call more than once.
pub fn restore() {
    let _ = execute!(io::stdout(), DisableMouseCapture, LeaveAlternateScreen);
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), crossterm::cursor::Show);
}

/// The real terminal as the event loop's host: the clipboard through OSC 52, the process's
/// signals, and stepping aside for the shell.
pub struct Console {
    signals: Signals,
}

impl Console {
    /// Starts catching the signals. Made before [`enter`], so that no signal can end the
    /// program while the terminal is raw.
    pub fn new() -> io::Result<Self> {
        Ok(Self {
            signals: Signals::new()?,
        })
    }
}

impl Host for Console {
    fn copy(&mut self, secret: &SecretString) {
        copy_osc52(secret);
    }

    fn signal(&mut self) -> impl Future<Output = Signal> {
        self.signals.next()
    }

    fn suspend(&mut self) {
        restore();
        stop_until_continued();
        self.resume();
    }

    fn resume(&mut self) {
        // The shell may have put the tty back in cooked mode while the program was stopped,
        // and crossterm would take raw mode as still on: leave it, then enter it again.
        let _ = disable_raw_mode();
        let _ = set_up();
    }
}

/// The signals the dashboard answers, caught for as long as it runs.
#[cfg(unix)]
struct Signals {
    terminate: tokio::signal::unix::Signal,
    hangup: tokio::signal::unix::Signal,
    interrupt: tokio::signal::unix::Signal,
    suspend: tokio::signal::unix::Signal,
    resumed: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn new() -> io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            terminate: signal(SignalKind::terminate())?,
            hangup: signal(SignalKind::hangup())?,
            interrupt: signal(SignalKind::interrupt())?,
            suspend: signal(SignalKind::from_raw(libc::SIGTSTP))?,
            resumed: signal(SignalKind::from_raw(libc::SIGCONT))?,
        })
    }

    async fn next(&mut self) -> Signal {
        let stop = |name, number| Signal::Stop(Stopped { name, number });
        tokio::select! {
            Some(()) = self.terminate.recv() => stop("SIGTERM", libc::SIGTERM),
            Some(()) = self.hangup.recv() => stop("SIGHUP", libc::SIGHUP),
            Some(()) = self.interrupt.recv() => stop("SIGINT", libc::SIGINT),
            Some(()) = self.suspend.recv() => Signal::Suspend,
            Some(()) = self.resumed.recv() => Signal::Continue,
            else => std::future::pending().await,
        }
    }
}

/// Stops the whole program as the tty's suspend key would, so that the shell sees the job
/// stopped; returns once it is continued (`fg`). SIGTSTP is caught (see [`Signals`]), so
/// its default action, stopping, is put back for the moment of raising it.
#[cfg(unix)]
fn stop_until_continued() {
    // SAFETY: sigaction with valid pointers to zero-initialised (plain C) structs, and
    // raise with a valid signal number; the previous action is put back as it was.
    unsafe {
        let mut default: libc::sigaction = std::mem::zeroed();
        default.sa_sigaction = libc::SIG_DFL;
        let mut caught: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(libc::SIGTSTP, &default, &mut caught) != 0 {
            return;
        }
        libc::raise(libc::SIGTSTP);
        libc::sigaction(libc::SIGTSTP, &caught, std::ptr::null_mut());
    }
}

/// Elsewhere only Ctrl-C, as a signal, stops the program; nothing suspends it.
#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn new() -> io::Result<Self> {
        Ok(Self)
    }

    async fn next(&mut self) -> Signal {
        match tokio::signal::ctrl_c().await {
            Ok(()) => Signal::Stop(Stopped {
                name: "Ctrl-C",
                number: 2,
            }),
            Err(_) => std::future::pending().await,
        }
    }
}

#[cfg(not(unix))]
fn stop_until_continued() {}

/// Copies text to the clipboard of the terminal the user sits at, over SSH too: OSC 52,
/// wrapped for tmux's passthrough when inside tmux.
pub fn copy_osc52(text: &SecretString) {
    let encoded = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(text.expose()));
    let sequence = Zeroizing::new(if std::env::var_os("TMUX").is_some() {
        format!("\x1bPtmux;\x1b\x1b]52;c;{}\x07\x1b\\", encoded.as_str())
    } else {
        format!("\x1b]52;c;{}\x07", encoded.as_str())
    });
    let mut out = io::stdout();
    let _ = out.write_all(sequence.as_bytes());
    let _ = out.flush();
}

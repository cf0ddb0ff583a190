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
    multiplexer: Multiplexer,
}

impl Console {
    /// Starts catching the signals. Made before [`enter`], so that no signal can end the
    /// program while the terminal is raw.
    pub fn new() -> io::Result<Self> {
        Ok(Self {
            signals: Signals::new()?,
            multiplexer: Multiplexer::from_env(),
        })
    }
}

impl Host for Console {
    fn copy(&mut self, secret: &SecretString) {
        let sequence = osc52(secret.expose(), self.multiplexer);
        let mut out = io::stdout();
        let _ = out.write_all(&sequence);
        let _ = out.flush();
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

/// The terminal multiplexer the program runs inside, as its environment says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Multiplexer {
    None,
    Tmux,
    Screen,
}

impl Multiplexer {
    pub fn from_env() -> Self {
        let set = |name| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        if set("TMUX") {
            Self::Tmux
        } else if set("STY") {
            Self::Screen
        } else {
            Self::None
        }
    }
}

/// The longest string GNU screen passes through whole (its limit since 2008; 768 since
/// 4.2.1), the wrapping included.
const SCREEN_STRING_LIMIT: usize = 256;

/// The bytes that ask the terminal the user sits at to put `text` on its clipboard
/// (OSC 52). Whether it does is the terminal's choice; nothing answers.
///
/// - Alone: the sequence itself.
/// - In tmux: the sequence itself, which tmux takes into its buffer and passes on to its own
///   terminal when `set-clipboard` is `on`; then the same in tmux's passthrough, which
///   reaches the outer terminal when `allow-passthrough` is `on` (and is dropped otherwise).
/// - In screen, which does not know OSC 52: the sequence in screen's passthrough (DCS), in
///   pieces that fit screen's string limit; the outer terminal receives it whole.
pub fn osc52(text: &str, multiplexer: Multiplexer) -> Zeroizing<Vec<u8>> {
    let encoded = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(text));
    // Sized once: growing would leave copies of the secret behind in freed memory.
    let mut out = Zeroizing::new(Vec::with_capacity(2 * encoded.len() + 64));
    let plain = |out: &mut Vec<u8>| {
        out.extend_from_slice(b"\x1b]52;c;");
        out.extend_from_slice(encoded.as_bytes());
        out.push(0x07);
    };
    match multiplexer {
        Multiplexer::None => plain(&mut out),
        Multiplexer::Tmux => {
            plain(&mut out);
            out.extend_from_slice(b"\x1bPtmux;\x1b");
            plain(&mut out);
            out.extend_from_slice(b"\x1b\\");
        }
        Multiplexer::Screen => {
            let mut sequence = Zeroizing::new(Vec::with_capacity(encoded.len() + 8));
            plain(&mut sequence);
            for piece in sequence.chunks(SCREEN_STRING_LIMIT - 4) {
                out.extend_from_slice(b"\x1bP");
                out.extend_from_slice(piece);
                out.extend_from_slice(b"\x1b\\");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "secret-token:conductorone.com:v1:eyJrdHkiOiJPS1AifQ";

    fn plain() -> Vec<u8> {
        let b64 = base64::engine::general_purpose::STANDARD.encode(SECRET);
        [b"\x1b]52;c;".as_slice(), b64.as_bytes(), b"\x07"].concat()
    }

    #[test]
    fn a_plain_terminal_gets_the_osc_52_sequence_alone() {
        assert_eq!(*osc52(SECRET, Multiplexer::None), plain());
    }

    #[test]
    fn tmux_gets_the_plain_sequence_for_set_clipboard_then_the_passthrough() {
        let bytes = osc52(SECRET, Multiplexer::Tmux);
        let wrapped = [b"\x1bPtmux;\x1b".as_slice(), &plain(), b"\x1b\\".as_slice()].concat();
        assert_eq!(*bytes, [plain(), wrapped].concat());
    }

    #[test]
    fn screen_gets_the_sequence_in_passthrough_pieces_within_its_limit() {
        let long = SECRET.repeat(20);
        let bytes = osc52(&long, Multiplexer::Screen);
        let mut inner = Vec::new();
        let mut rest: &[u8] = &bytes;
        while !rest.is_empty() {
            assert!(rest.starts_with(b"\x1bP"), "a DCS string");
            let end = memchr::memmem::find(rest, b"\x1b\\").expect("terminated") + 2;
            assert!(end <= SCREEN_STRING_LIMIT, "{end} bytes");
            inner.extend_from_slice(&rest[2..end - 2]);
            rest = &rest[end..];
        }
        let b64 = base64::engine::general_purpose::STANDARD.encode(&long);
        assert_eq!(
            inner,
            [b"\x1b]52;c;".as_slice(), b64.as_bytes(), b"\x07"].concat()
        );
    }
}

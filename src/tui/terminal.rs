//! The real terminal: raw mode, the alternate screen and mouse capture on the way in, and the
//! same undone on every way out, panics included. Also the clipboard, through OSC 52.

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
    enable_raw_mode()?;
    execute!(io::stdout(), EnterAlternateScreen, EnableMouseCapture)?;
    Terminal::new(CrosstermBackend::new(io::stdout()))
}

/// Gives the terminal back. Safe to call more than once.
pub fn restore() {
    let _ = execute!(io::stdout(), DisableMouseCapture, LeaveAlternateScreen);
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), crossterm::cursor::Show);
}

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

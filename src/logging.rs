//! Logs go to a file, never to the screen. Nothing credboard logs carries a secret: secrets
//! live in types whose Debug and Display print a placeholder.

use std::path::Path;
use std::str::FromStr;

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::filter::LevelFilter;

/// The log file's name inside its directory.
pub const FILE_NAME: &str = "credboard.log";

/// Sends tracing output to `dir/credboard.log`, at the level named by `CREDBOARD_LOG`
/// (error, warn, info, debug, trace; default info). Keep the guard alive: dropping it
/// flushes the file. `None` if the file cannot be opened: the dashboard runs without logs.
pub fn to_file(dir: &Path) -> Option<WorkerGuard> {
    let level = std::env::var("CREDBOARD_LOG")
        .ok()
        .and_then(|l| LevelFilter::from_str(&l).ok())
        .unwrap_or(LevelFilter::INFO);
    std::fs::create_dir_all(dir).ok()?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(FILE_NAME))
        .ok()?;
    // The default queue holds 128,000 lines, made up front: 4 MB resident for a log that
    // takes a few lines a minute. A burst beyond this is dropped, not waited for.
    let (writer, guard) = NonBlockingBuilder::default()
        .buffered_lines_limit(4096)
        .lossy(true)
        .finish(file);
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_max_level(level)
        .try_init()
        .ok()?;
    Some(guard)
}

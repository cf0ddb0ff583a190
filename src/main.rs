//! credboard's entry point: parse the command line, run the command, exit with its code.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use credboard::cli::Cli;

fn main() -> ExitCode {
    refuse_dumps();
    credboard::memory::tune_heap();
    // Installed first, so even a failure while starting up is reported properly.
    let _ = color_eyre::install();
    let cli = Cli::parse_hiding_secrets();
    // The store's work waits on one connection anyway: a few threads for it, not tokio's
    // default of up to 512 (a refresh started fifty, each with its own stack and caches).
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(8)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(credboard::cmd::run(cli));
    // Requests still in flight are abandoned: quitting must be instant.
    runtime.shutdown_timeout(Duration::from_millis(200));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Not eprintln: after a SIGHUP the terminal is gone, and a failed write must not
            // turn the exit status into a panic's.
            let _ = writeln!(std::io::stderr(), "error: {e}");
            ExitCode::from(u8::try_from(e.code).unwrap_or(1))
        }
    }
}

/// The process holds client secrets and, after a rotate, a new one: no core dump of it, and
/// no ptrace or /proc/PID/mem reading by other processes of the same user (as ssh-agent
/// does). Linux only; elsewhere nothing.
fn refuse_dumps() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_DUMPABLE takes plain integers and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}

//! The subcommands, one file each: each turns a parsed command line into calls on the client,
//! the inventory and the ops, and prints for a person (stderr) or a script (stdout).
//! `context` builds what they share; `output` prints.

mod audit;
mod changes;
mod completions;
mod config;
mod context;
pub mod dashboard;
mod demo_server;
mod discover;
mod filter;
mod gather;
mod import;
mod journal;
mod list;
mod mute;
mod output;
mod refresh;
mod report;
mod revoke;
mod rotate;
mod rotations;
mod track;

use std::fmt;

use crate::api::secret::{hide_client_secrets, refuse_misplaced_secret};
use crate::cli::{Cli, Command};
use crate::model::CredentialKey;

pub use context::Context;

/// An error for the user: one sentence and its cause, and the exit code it deserves.
#[derive(Debug)]
pub struct CliError {
    pub code: i32,
    pub message: String,
}

impl CliError {
    /// Usage or configuration: exit code 2.
    pub fn config(e: impl fmt::Display) -> Self {
        Self {
            code: 2,
            message: shown(&e.to_string()),
        }
    }

    /// The operation failed: exit code 1.
    pub fn failed(e: impl fmt::Display) -> Self {
        Self {
            code: 1,
            message: shown(&e.to_string()),
        }
    }
}

/// A message as it may be printed, once for every command: it may quote a server (an error
/// body, a name), made inert, or what the user typed, where a client secret is hidden.
fn shown(message: &str) -> String {
    output::inert_lines(&hide_client_secrets(message))
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

pub async fn run(cli: Cli) -> Result<(), CliError> {
    for (name, value) in cli.typed_values() {
        refuse_misplaced_secret(name, &value).map_err(CliError::config)?;
    }
    let global = &cli.global;
    if let (Some(_), [flag, ..]) = (&cli.command, cli.dashboard.given().as_slice()) {
        return Err(CliError::config(format!(
            "{flag} before a command is the dashboard's: `list` and `audit` take \
             `--filter` after their name"
        )));
    }
    match cli.command {
        None => dashboard::run(global, &cli.dashboard).await,
        Some(Command::List {
            output,
            status,
            filter,
        }) => list::run(global, output, status, filter.as_deref()).await,
        Some(Command::Revoke {
            app_id,
            connector_id,
            credential_id,
            yes,
        }) => {
            let key = CredentialKey::new(app_id, connector_id, credential_id);
            revoke::run(global, key, yes).await
        }
        Some(Command::Rotate {
            app_id,
            connector_id,
            output,
            replace,
            wait,
            yes,
        }) => {
            let replace = replace.then_some(rotate::Replace { wait, yes });
            rotate::run(global, &app_id, &connector_id, output, replace).await
        }
        Some(Command::Rotations { action, output }) => rotations::run(global, action, output).await,
        Some(Command::Changes { since, output }) => changes::run(global, since, output).await,
        Some(Command::Import { file }) => import::run(global, &file),
        Some(Command::Discover {
            since,
            dry_run,
            save_raw,
            max_events,
            output,
        }) => {
            let asked = discover::Asked {
                since,
                dry_run,
                save_raw,
                max_events,
            };
            discover::run(global, asked, output).await
        }
        Some(Command::Track {
            app_id,
            connector_id,
            credential_id,
        }) => track::track(global, &app_id, &connector_id, &credential_id),
        Some(Command::Untrack { credential_id }) => track::untrack(global, &credential_id),
        Some(Command::Journal { output }) => journal::run(global, output),
        Some(Command::DemoServer {
            port,
            scale,
            first_use_after,
        }) => demo_server::run(port, scale, first_use_after).await,
        Some(Command::Audit {
            mutes: Some(command),
            ..
        }) => mute::run(global, &command),
        Some(Command::Audit { mutes: None, run }) => audit::run(global, &run).await,
        Some(Command::Report {
            format,
            file,
            since,
            offline,
        }) => report::run(global, format, file.as_deref(), since, offline).await,
        Some(Command::Config { print_default }) => config::run(global, print_default),
        Some(Command::Completions { shell }) => {
            completions::run(shell);
            Ok(())
        }
    }
}

//! The subcommands: each turns a parsed command line into calls on the client, the
//! inventory and the actions, and prints for a person (stderr) or a script (stdout).

mod context;
pub mod dashboard;
mod list;
mod output;

use std::fmt;
use std::io::{IsTerminal, Write};

use clap::CommandFactory;

use crate::api::secret::{hide_client_secrets, refuse_misplaced_secret};
use crate::cli::{Cli, Command, SecretFormat};
use crate::config::Settings;
use crate::model::{CredentialKey, Source};
use crate::model::{Revocation, RevokeResult};
use crate::ops::{OpError, Ops};

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
    match cli.command {
        None => dashboard::run(global).await,
        Some(Command::List { output, status }) => list::run(global, output, status).await,
        Some(Command::Revoke {
            app_id,
            connector_id,
            credential_id,
            yes,
        }) => {
            revoke(
                global,
                CredentialKey::new(app_id, connector_id, credential_id),
                yes,
            )
            .await
        }
        Some(Command::Rotate {
            app_id,
            connector_id,
            output,
        }) => rotate(global, &app_id, &connector_id, output).await,
        Some(Command::Import { file }) => import(global, &file),
        Some(Command::Track {
            app_id,
            connector_id,
            credential_id,
        }) => {
            let ids = CredentialKey::new(
                plausible_id("APP_ID", &app_id)?,
                plausible_id("CONNECTOR_ID", &connector_id)?,
                plausible_id("CREDENTIAL_ID", &credential_id)?,
            );
            let (store, _tmp) = context::open_store(global)?;
            let added = store
                .track(&ids, Source::Manual)
                .map_err(CliError::failed)?;
            let verb = if added {
                "now tracking"
            } else {
                "already tracked:"
            };
            eprintln!(
                "{verb} credential {} in the inventory of tenant {}",
                output::inert(&ids.credential_id),
                store.tenant()
            );
            Ok(())
        }
        Some(Command::Untrack { credential_id }) => {
            let (store, _tmp) = context::open_store(global)?;
            if store.untrack(&credential_id).map_err(CliError::failed)? {
                eprintln!(
                    "no longer tracking credential {}",
                    output::inert(&credential_id)
                );
                Ok(())
            } else {
                Err(CliError::failed(format!(
                    "credential {credential_id} is not tracked for tenant {}",
                    store.tenant()
                )))
            }
        }
        Some(Command::Journal { output }) => {
            let (store, _tmp) = context::open_store(global)?;
            let entries = store.journal().map_err(CliError::failed)?;
            output::journal(&entries, output).map_err(CliError::failed)
        }
        Some(Command::DemoServer { port, scale }) => {
            crate::demo::run_foreground(port, scale.map(crate::demo::Scale::credentials))
                .await
                .map_err(|e| CliError::failed(format!("the demo tenant stopped: {e}")))
        }
        Some(Command::Config { print_default }) => {
            if print_default {
                print!("{}", Settings::default_file_text());
                Ok(())
            } else {
                check_settings(global)
            }
        }
        Some(Command::Completions { shell }) => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "credboard",
                &mut std::io::stdout(),
            );
            Ok(())
        }
    }
}

/// `value` trimmed, or a usage error naming `argument` and why it is no id.
fn plausible_id(argument: &str, value: &str) -> Result<String, CliError> {
    match crate::import::check_id(argument, value) {
        Ok(id) => Ok(id.to_string()),
        Err(why) => Err(CliError::config(format!("{why}; nothing was tracked"))),
    }
}

/// `credboard config`: every problem of the settings file with its line (exit 2), or that it
/// is valid, with how many warnings were printed above.
fn check_settings(global: &crate::cli::Global) -> Result<(), CliError> {
    let path = global.config.clone().or_else(Settings::default_path);
    let exists = path.as_ref().is_some_and(|p| p.exists());
    let (_, warnings) = Settings::load(global.config.as_deref()).map_err(CliError::config)?;
    for w in &warnings {
        eprintln!("warning: {}", shown(w));
    }
    let verdict = match (&path, exists) {
        (Some(p), true) => format!("the settings in {} are valid", p.display()),
        (Some(p), false) => format!(
            "there is no settings file at {}: the defaults apply",
            p.display()
        ),
        (None, _) => "there is no settings directory: the defaults apply".to_string(),
    };
    let warned = match warnings.len() {
        0 => String::new(),
        1 => ", with the warning above".to_string(),
        n => format!(", with the {n} warnings above"),
    };
    eprintln!(
        "{}{warned}; `credboard config --print-default` shows every setting",
        shown(&verdict)
    );
    Ok(())
}

async fn revoke(
    global: &crate::cli::Global,
    key: CredentialKey,
    yes: bool,
) -> Result<(), CliError> {
    let ctx = Context::new(global).await?;
    ctx.check_unanswered().await;
    let actions = Ops::new(ctx.client.clone(), ctx.store.clone(), ctx.read_only);
    let result = confirm_and_revoke(&ctx, &actions, &key, yes).await;
    ctx.close().await;
    let id = output::inert(&key.credential_id);
    let revoked = result?;
    match revoked.revocation {
        Revocation::AlreadyRevoked => eprintln!("credential {id} was already revoked"),
        Revocation::Revoked => eprintln!("revoked credential {id}"),
    }
    if let Some(e) = revoked.unrecorded {
        eprintln!(
            "warning: {}; the journal holds the request, and the next start checks it",
            output::inert(&e)
        );
    }
    Ok(())
}

/// Asks on a terminal (unless `yes`) about the credential as the server holds it, then
/// revokes it. Ids the server does not hold are refused before anything is asked.
async fn confirm_and_revoke(
    ctx: &Context,
    actions: &Ops,
    key: &CredentialKey,
    yes: bool,
) -> Result<RevokeResult, CliError> {
    let not_revoked = |e: OpError| match e {
        OpError::ReadOnly(_)
        | OpError::NotFound(_)
        | OpError::OtherTenant { .. }
        | OpError::NotJournaled(_) => CliError::failed(e),
        e => CliError::failed(format!(
            "credential {} was not revoked: {e}",
            key.credential_id
        )),
    };
    if actions.read_only() {
        return Err(CliError::failed(OpError::ReadOnly("revoke")));
    }
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(CliError::config(
                "refusing to revoke without confirmation: stdin is not a terminal; pass --yes",
            ));
        }
        let held = actions.look_up(key).await.map_err(not_revoked)?;
        if held.deleted_at.is_none() {
            eprint!("{}Type yes to revoke: ", question(ctx, key, &held));
            let _ = std::io::stderr().flush();
            let mut answer = String::new();
            let _ = std::io::stdin().read_line(&mut answer);
            if answer.trim() != "yes" {
                eprintln!("not revoked");
                return Err(CliError::failed("cancelled: nothing was revoked"));
            }
        }
    }
    actions.revoke(key).await.map_err(not_revoked)
}

/// The confirmation's text: the credential as the server holds it under these ids.
fn question(ctx: &Context, key: &CredentialKey, held: &crate::api::ConnectorCredential) -> String {
    let now = chrono::Utc::now();
    let thresholds = crate::app::rows::Thresholds {
        expiring_soon_days: ctx.settings.thresholds.expiring_soon_days.into(),
        idle_days: ctx.settings.thresholds.idle_days.into(),
    };
    let status = crate::app::rows::Status::of(crate::app::rows::flags_of(
        Some(held),
        false,
        now,
        thresholds,
    ));
    let last_used = match held.last_used_at {
        Some(t) => format!(
            "{} ({})",
            crate::app::text::relative(t, now),
            crate::app::text::absolute(t)
        ),
        None => "never".to_string(),
    };
    let or_dash = |v: &Option<String>| output::inert(v.as_deref().unwrap_or("—"));
    format!(
        "Revoke this credential?\n  name       {}\n  client id  {}\n  last used  {}\n  status     {}\n  id         {} (connector {}, app {})\n",
        or_dash(&held.display_name),
        or_dash(&held.client_id),
        last_used,
        status.word(),
        output::inert(&key.credential_id),
        output::inert(&key.connector_id),
        output::inert(&key.app_id),
    )
}

async fn rotate(
    global: &crate::cli::Global,
    app_id: &str,
    connector_id: &str,
    format: SecretFormat,
) -> Result<(), CliError> {
    let ctx = Context::new(global).await?;
    ctx.check_unanswered().await;
    let actions = Ops::new(ctx.client.clone(), ctx.store.clone(), ctx.read_only);
    let result = actions.rotate(app_id, connector_id).await;
    ctx.close().await;
    let rotated = result.map_err(|e| {
        CliError::failed(format!(
            "no credential was minted for connector {connector_id}: {e}"
        ))
    })?;
    let id = output::inert(rotated.credential.id.as_deref().unwrap_or("?"));
    match format {
        SecretFormat::Text => println!("{}", rotated.secret.expose()),
        SecretFormat::Json => {
            let mut value = serde_json::to_value(&rotated.credential).map_err(CliError::failed)?;
            value["clientSecret"] = rotated.secret.expose().into();
            println!("{}", output::inert_json(&value.to_string()));
        }
    }
    eprintln!(
        "minted credential {id} (client id {}) for connector {connector_id}; the secret above is shown only once",
        output::inert(rotated.credential.client_id.as_deref().unwrap_or("?"))
    );
    let mut record_error = rotated.record_error;
    for delay in crate::ops::RECORD_RETRY_DELAYS {
        let Some(e) = &record_error else { break };
        eprintln!(
            "the new credential {id} is not recorded in the inventory yet ({}); trying again in {}s",
            output::inert(e),
            delay.as_secs()
        );
        tokio::time::sleep(delay).await;
        record_error = actions
            .record_rotation(&rotated.credential)
            .await
            .err()
            .map(|e| e.to_string());
    }
    match record_error {
        None => {
            eprintln!("recorded in the inventory and the journal");
            Ok(())
        }
        Some(e) => Err(CliError::failed(format!(
            "the new credential {id} could not be recorded in the inventory: {e}; track it with `credboard track {app_id} {connector_id} {id}`"
        ))),
    }
}

fn import(global: &crate::cli::Global, file: &std::path::Path) -> Result<(), CliError> {
    let bytes = std::fs::read(file)
        .map_err(|e| CliError::failed(format!("cannot read {}: {e}", file.display())))?;
    let parsed = crate::import::parse_import(&bytes).map_err(|e| {
        CliError::failed(format!("nothing was imported from {}: {e}", file.display()))
    })?;
    let (store, _tmp) = context::open_store(global)?;
    let report = store.import(&parsed, Source::Import).map_err(|e| {
        CliError::failed(format!("nothing was imported from {}: {e}", file.display()))
    })?;
    eprintln!(
        "{} from {} into the inventory of tenant {}: {} added, {} already known, {} rejected",
        report.format,
        file.display(),
        store.tenant(),
        report.added.len(),
        report.already_known.len(),
        report.rejected.len()
    );
    for rejected in &report.rejected {
        eprintln!("  rejected {}", output::inert(&rejected.to_string()));
    }
    if report.rejected.is_empty() {
        Ok(())
    } else {
        Err(CliError::failed(format!(
            "{} entries of {} were rejected (the others were imported)",
            report.rejected.len(),
            file.display()
        )))
    }
}

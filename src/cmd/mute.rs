//! `credboard audit mute`, `unmute` and `mutes`: accepting a finding for a while, in the
//! inventory of the tenant, and listing every mute with where it stands.

use chrono::{NaiveDate, Utc};
use serde_json::json;

use crate::audit::catalog::CheckId;
use crate::cli::{Format, Global, MuteCommand};
use crate::import::check_id;
use crate::report::document::{MuteLine, MuteState};
use crate::report::rfc3339;
use crate::store::{Lifting, MuteScope, NewMute, Store};

use super::context::{self, open_store};
use super::gather::mute_lines;
use super::{CliError, output};

pub fn run(global: &Global, command: &MuteCommand) -> Result<(), CliError> {
    match command {
        MuteCommand::Mute {
            check,
            credential,
            connector,
            reason,
            until,
        } => {
            let scope = match (credential, connector) {
                (Some(id), None) => MuteScope::Credential(plausible("--credential", id)?),
                (None, Some(id)) => MuteScope::Connector(plausible("--connector", id)?),
                // clap requires exactly one.
                _ => return Err(CliError::config("name --credential ID or --connector ID")),
            };
            mute(global, *check, scope, reason, *until)
        }
        MuteCommand::Unmute { id } => unmute(global, *id),
        MuteCommand::Mutes { output } => list(global, *output),
    }
}

fn plausible(argument: &str, value: &str) -> Result<String, CliError> {
    check_id(argument, value)
        .map(str::to_string)
        .map_err(|why| CliError::config(format!("{why}; nothing was muted")))
}

/// Whether the inventory knows the id: a tracked credential, or a connector it has seen.
fn known(store: &Store, scope: &MuteScope) -> Result<bool, CliError> {
    let snapshot = store.snapshot().map_err(CliError::failed)?;
    Ok(match scope {
        MuteScope::Credential(id) => snapshot
            .credentials
            .iter()
            .any(|c| c.key.credential_id == *id),
        MuteScope::Connector(id) => {
            snapshot
                .connectors
                .iter()
                .any(|c| c.id.as_deref() == Some(id.as_str()))
                || snapshot
                    .credentials
                    .iter()
                    .any(|c| c.key.connector_id == *id)
        }
    })
}

fn mute(
    global: &Global,
    check: CheckId,
    scope: MuteScope,
    reason: &str,
    until: NaiveDate,
) -> Result<(), CliError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(CliError::config(
            "--reason must say why the finding is accepted; nothing was muted",
        ));
    }
    let today = Utc::now().date_naive();
    if until < today {
        return Err(CliError::config(format!(
            "--until {until} is past (today is {today} UTC): a mute needs a last day today or \
             later; nothing was muted"
        )));
    }
    let (store, _tmp) = open_store(global)?;
    let (what, id) = match &scope {
        MuteScope::Credential(id) => ("credential", id),
        MuteScope::Connector(id) => ("connector", id),
    };
    if !known(&store, &scope)? {
        return Err(CliError::config(format!(
            "{what} {} is not in the inventory of tenant {} (`credboard list` shows the tracked \
             credentials); nothing was muted",
            output::inert(id),
            store.tenant()
        )));
    }
    let number = store
        .add_mute(
            &NewMute {
                check_id: check.id().to_string(),
                scope: scope.clone(),
                reason: reason.to_string(),
                until,
            },
            Utc::now(),
        )
        .map_err(CliError::failed)?;
    eprintln!(
        "muted {check} for {what} {} through {until} (UTC) as mute #{number}, in the inventory \
         of tenant {}",
        output::inert(id),
        store.tenant()
    );
    if global.demo {
        eprintln!("note: the demo's inventory is thrown away when credboard ends");
    }
    Ok(())
}

fn unmute(global: &Global, id: i64) -> Result<(), CliError> {
    let (store, _tmp) = open_store(global)?;
    match store.lift_mute(id, Utc::now()).map_err(CliError::failed)? {
        Lifting::Lifted => {
            eprintln!("lifted mute #{id}: its findings count again");
            Ok(())
        }
        Lifting::AlreadyLifted(at) => {
            eprintln!("mute #{id} was already lifted at {}", rfc3339(at));
            Ok(())
        }
        Lifting::NotFound => Err(CliError::failed(format!(
            "tenant {} has no mute #{id} (`credboard audit mutes` lists them; a mute of the \
             settings is lifted by editing the file)",
            store.tenant()
        ))),
    }
}

fn state_text(state: MuteState) -> String {
    match state {
        MuteState::Active => "active".into(),
        MuteState::Expired => "expired".into(),
        MuteState::Lifted(at) => format!("lifted {}", rfc3339(at)),
    }
}

fn list(global: &Global, format: Format) -> Result<(), CliError> {
    let settings = context::settings(global)?;
    let (store, _tmp) = open_store(global)?;
    let stored = store.mutes().map_err(CliError::failed)?;
    let lines: Vec<MuteLine> = mute_lines(&settings, &stored, Utc::now());
    let mut out = std::io::stdout().lock();
    let set = |m: &MuteLine| {
        m.set
            .as_ref()
            .map(|(at, profile)| (rfc3339(*at), profile.clone()))
    };
    match format {
        Format::Json => {
            let list: Vec<_> = lines
                .iter()
                .map(|m| {
                    json!({
                        "check": m.check,
                        "target": m.target,
                        "reason": m.reason,
                        "until": m.until.format("%Y-%m-%d").to_string(),
                        "origin": m.origin,
                        "set_at": set(m).map(|s| s.0),
                        "set_by_profile": set(m).map(|s| s.1),
                        "state": state_text(m.state),
                    })
                })
                .collect();
            let text = serde_json::to_string_pretty(&list).map_err(CliError::failed)?;
            use std::io::Write;
            writeln!(out, "{}", output::inert_json(&text)).map_err(CliError::failed)
        }
        Format::Csv | Format::Table if lines.is_empty() => {
            eprintln!(
                "no mute: neither the settings nor the inventory of tenant {} hold one",
                store.tenant()
            );
            Ok(())
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            let cell = |s: &str| crate::import::guard_csv_cell(output::inert(s));
            let result: Result<(), csv::Error> = (|| {
                w.write_record([
                    "check", "target", "reason", "until", "origin", "set_at", "state",
                ])?;
                for m in &lines {
                    w.write_record([
                        cell(&m.check),
                        cell(&m.target),
                        cell(&m.reason),
                        m.until.format("%Y-%m-%d").to_string(),
                        cell(&m.origin),
                        set(m).map(|s| s.0).unwrap_or_default(),
                        state_text(m.state),
                    ])?;
                }
                w.flush()?;
                Ok(())
            })();
            result.map_err(CliError::failed)
        }
        Format::Table => {
            let header = ["CHECK", "TARGET", "THROUGH", "STATE", "ORIGIN", "REASON"];
            let body: Vec<Vec<String>> = lines
                .iter()
                .map(|m| {
                    vec![
                        output::inert(&m.check),
                        output::inert(&m.target),
                        m.until.format("%Y-%m-%d").to_string(),
                        state_text(m.state),
                        output::inert(&m.origin),
                        output::inert(&m.reason),
                    ]
                })
                .collect();
            output::table(&mut out, &header, &body, &[8, 40, 10, 30, 30]).map_err(CliError::failed)
        }
    }
}

//! `credboard rotations`: every rotation with its state and age (the credentials of those
//! under way got first, so their states are current); `resume ID` carries one on, as
//! `rotate --replace` does after minting; `abandon ID` gives one up.

use std::collections::{HashMap, HashSet};
use std::io::{IsTerminal, Write};
use std::time::Duration;

use chrono::Utc;
use serde_json::json;

use crate::api::ConnectorCredential;
use crate::cli::{Global, ListFormat, RotationsAction};
use crate::ops::{OpError, blocking};
use crate::rotation::machine::Event;
use crate::rotation::procedure::{Procedure, Progress, Step, Stopped};
use crate::rotation::{Rotation, RotationId, RotationState};
use crate::text::{absolute, relative};

use super::{CliError, Context, output};

/// How long `--replace` and `resume` wait for the first use without `--wait`.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(600);

pub async fn run(
    global: &Global,
    action: Option<RotationsAction>,
    format: ListFormat,
) -> Result<(), CliError> {
    let ctx = Context::new(global).await?;
    let procedure = Procedure::new(ctx.client.clone(), ctx.store.clone(), ctx.read_only);
    let result = match action {
        None => list(&ctx, &procedure, format).await,
        Some(RotationsAction::Resume { id, wait, yes }) => {
            ctx.check_unanswered().await;
            let wait = wait.unwrap_or(DEFAULT_WAIT);
            resume(&ctx, &procedure, RotationId(id), wait, yes).await
        }
        Some(RotationsAction::Abandon { id }) => abandon(&procedure, RotationId(id)).await,
    };
    ctx.close().await;
    result
}

/// "10m", "90s", "1500ms", "2h".
pub fn duration_words(d: Duration) -> String {
    let s = d.as_secs();
    match d.subsec_millis() {
        0 if s > 0 && s.is_multiple_of(3600) => format!("{}h", s / 3600),
        0 if s > 0 && s.is_multiple_of(60) => format!("{}m", s / 60),
        0 => format!("{s}s"),
        _ => format!("{}ms", d.as_millis()),
    }
}

async fn resume(
    ctx: &Context,
    procedure: &Procedure,
    id: RotationId,
    wait: Duration,
    yes: bool,
) -> Result<(), CliError> {
    if ctx.read_only {
        return Err(CliError::failed(OpError::ReadOnly("revoke")));
    }
    if !yes && !std::io::stdin().is_terminal() {
        return Err(CliError::config(
            "refusing to resume without confirmation: stdin is not a terminal, so revoking the \
             old credentials cannot be asked about; pass --yes",
        ));
    }
    let rotation = blocking(&ctx.store, move |s| s.rotation(id))
        .await
        .map_err(CliError::failed)?
        .ok_or_else(|| no_such(ctx, id))?;
    match rotation.state {
        RotationState::Done => {
            eprintln!("rotation {id} is done already: no old credential is left live");
            Ok(())
        }
        RotationState::Waiting | RotationState::Ready => {
            carry_on(ctx, procedure, rotation, wait, yes).await
        }
        RotationState::Abandoned(_) | RotationState::TimedOut => Err(ended(&rotation)),
    }
}

fn no_such(ctx: &Context, id: RotationId) -> CliError {
    CliError::failed(format!(
        "tenant {} has no rotation {id}; `credboard rotations` lists them",
        ctx.store.tenant()
    ))
}

/// Why a finished rotation cannot be carried on.
fn ended(r: &Rotation) -> CliError {
    let why = match r.state {
        RotationState::Abandoned(reason) => format!("was abandoned ({})", reason.words()),
        _ => format!(
            "timed out: its new credential {} was not used by {}",
            r.new_credential_id,
            absolute(r.deadline)
        ),
    };
    CliError::failed(format!(
        "rotation {} {why}; nothing more is revoked for it. Old credentials left live: {}",
        r.id,
        pending_list(r)
    ))
}

fn pending_list(r: &Rotation) -> String {
    let ids: Vec<&str> = r.pending().map(|o| o.credential_id.as_str()).collect();
    if ids.is_empty() {
        "none".into()
    } else {
        ids.join(", ")
    }
}

/// Waits for the first use (if still waiting), then revokes the old credentials, asking on
/// the terminal unless `yes`. Ok only once no old credential is left live.
pub async fn carry_on(
    ctx: &Context,
    procedure: &Procedure,
    rotation: Rotation,
    wait: Duration,
    yes: bool,
) -> Result<(), CliError> {
    let id = rotation.id;
    let mut reporter = Reporter::default();
    let rotation = match rotation.state {
        RotationState::Waiting => procedure
            .wait_for_first_use(rotation, wait, |p| reporter.say(id, p))
            .await
            .map_err(CliError::failed)?,
        _ => rotation,
    };
    let rotation = match rotation.state {
        RotationState::Ready => {
            let mut ask = |held: &ConnectorCredential| ask(ctx, &rotation, held);
            let confirm: Option<&mut dyn FnMut(&ConnectorCredential) -> bool> =
                if yes { None } else { Some(&mut ask) };
            procedure
                .revoke_old(rotation.clone(), confirm, |p| reporter.say(id, p))
                .await
                .map_err(|e| stopped(id, e))?
        }
        _ => rotation,
    };
    match rotation.state {
        RotationState::Done => Ok(()),
        RotationState::Waiting => Err(CliError::failed(format!(
            "the connector did not use the new credential {} within {}; rotation {id} keeps \
             waiting (it times out {}): `credboard rotations resume {id}` carries it on, \
             `credboard rotations abandon {id}` gives it up",
            rotation.new_credential_id,
            duration_words(wait),
            relative(rotation.deadline, Utc::now())
        ))),
        RotationState::Ready => Err(CliError::failed(format!(
            "rotation {id} is ready but still has {} to revoke: `credboard rotations resume \
             {id}` carries it on",
            pending_list(&rotation)
        ))),
        RotationState::Abandoned(_) | RotationState::TimedOut => Err(ended(&rotation)),
    }
}

fn stopped(id: RotationId, e: Stopped) -> CliError {
    CliError::failed(format!(
        "{e}; rotation {id} stays ready to revoke the rest: `credboard rotations resume {id}` \
         carries it on"
    ))
}

/// The terminal's confirmation for one old credential, as `credboard revoke` asks it.
fn ask(ctx: &Context, rotation: &Rotation, held: &ConnectorCredential) -> bool {
    let key = rotation.key_of(held.id.as_deref().unwrap_or_default());
    eprint!(
        "Rotation {}: the connector uses the new credential.\n{}Type yes to revoke: ",
        rotation.id,
        super::revoke::question(ctx, &key, held)
    );
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    answer.trim() == "yes"
}

/// Says on stderr what the procedure does; a failure whose cause was said already (poll
/// after poll, credential after credential) is only counted.
#[derive(Default)]
struct Reporter {
    causes: HashSet<String>,
    failures: usize,
}

impl Reporter {
    fn say(&mut self, id: RotationId, progress: Progress) {
        match progress {
            Progress::Step(event) => {
                eprintln!("rotation {id}: {}", output::inert(&event_words(&event)))
            }
            Progress::Failure(message) => {
                self.failures += 1;
                if self.causes.insert(cause(&message).to_string()) {
                    eprintln!("warning: rotation {id}: {}", output::inert(&message));
                }
            }
        }
    }
}

/// A failure without the call it befell: "get credential 2abc: the server answered 500"
/// is caused by "the server answered 500".
fn cause(message: &str) -> &str {
    message
        .strip_prefix("get credential ")
        .and_then(|rest| rest.split_once(": "))
        .map_or(message, |(_, cause)| cause)
}

fn event_words(event: &Event) -> String {
    match event {
        Event::FirstUsed { at } => format!(
            "the connector used the new credential at {}: ready to revoke the old ones",
            absolute(*at)
        ),
        Event::Left {
            credential_id,
            fate,
            ..
        } => format!(
            "credential {credential_id}: {}, so it leaves the set; credboard sent nothing for it",
            fate.words()
        ),
        Event::Revoked { credential_id } => format!("revoked credential {credential_id}"),
        Event::Done => "done: no old credential is left live".into(),
        Event::Abandoned(reason) => format!("abandoned: {}", reason.words()),
        Event::TimedOut => "timed out: the new credential was not used before its deadline".into(),
    }
}

async fn abandon(procedure: &Procedure, id: RotationId) -> Result<(), CliError> {
    let moved = procedure
        .advance(id, Step::Abandon)
        .await
        .map_err(CliError::failed)?;
    let Some((rotation, events)) = moved else {
        return Err(CliError::failed(format!(
            "there is no rotation {id}; `credboard rotations` lists them"
        )));
    };
    if events.is_empty() {
        return Err(CliError::failed(format!(
            "rotation {id} is {} already: nothing to abandon",
            rotation.state.word()
        )));
    }
    eprintln!(
        "rotation {id} abandoned: nothing more is revoked for it; the new credential {} and \
         the old ones left live ({}) stay as they are",
        output::inert(&rotation.new_credential_id),
        output::inert(&pending_list(&rotation))
    );
    Ok(())
}

async fn list(ctx: &Context, procedure: &Procedure, format: ListFormat) -> Result<(), CliError> {
    let mut reporter = Reporter::default();
    let rotations = procedure
        .watch_open(|r, p| reporter.say(r.id, p))
        .await
        .map_err(CliError::failed)?;
    let snapshot = blocking(&ctx.store, |s| s.snapshot())
        .await
        .map_err(CliError::failed)?;
    let apps: HashMap<String, Option<String>> = snapshot
        .apps
        .into_iter()
        .filter_map(|a| Some((a.id?, a.display_name)))
        .collect();
    let connectors: HashMap<String, Option<String>> = snapshot
        .connectors
        .into_iter()
        .filter_map(|c| Some((c.id?, c.display_name)))
        .collect();
    let name = |names: &HashMap<String, Option<String>>, id: &str| names.get(id).cloned().flatten();
    let mut out = std::io::stdout().lock();
    match format {
        ListFormat::Json => {
            let list: Vec<_> = rotations
                .iter()
                .map(|r| {
                    json!({
                        "id": r.id.0,
                        "state": r.state.as_str(),
                        "abandonReason": match r.state {
                            RotationState::Abandoned(reason) => Some(reason.as_str()),
                            _ => None,
                        },
                        "appId": r.app_id,
                        "appName": name(&apps, &r.app_id),
                        "connectorId": r.connector_id,
                        "connectorName": name(&connectors, &r.connector_id),
                        "newCredentialId": r.new_credential_id,
                        "startedAt": r.started_at,
                        "deadline": r.deadline,
                        "firstUsedAt": r.first_used_at,
                        "endedAt": r.ended_at,
                        "old": r.old.iter().map(|o| json!({
                            "credentialId": o.credential_id,
                            "fate": o.fate.as_str(),
                            "settledAt": o.settled_at,
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            output::write_json(&mut out, &list).map_err(CliError::failed)?;
        }
        ListFormat::Table if rotations.is_empty() => eprintln!(
            "no rotation for tenant {}: `credboard rotate APP_ID CONNECTOR_ID --replace` starts one",
            ctx.store.tenant()
        ),
        ListFormat::Table => {
            let now = Utc::now();
            let header = [
                "ID",
                "STATE",
                "STARTED",
                "CONNECTOR",
                "APP",
                "NEW",
                "OLD",
                "NEXT",
            ];
            let body: Vec<Vec<String>> = rotations
                .iter()
                .map(|r| {
                    let old: Vec<String> = r
                        .old
                        .iter()
                        .map(|o| format!("{} ({})", o.credential_id, o.fate.words()))
                        .collect();
                    vec![
                        r.id.to_string(),
                        r.state.word().to_string(),
                        relative(r.started_at, now),
                        output::inert(
                            &name(&connectors, &r.connector_id).unwrap_or(r.connector_id.clone()),
                        ),
                        output::inert(&name(&apps, &r.app_id).unwrap_or(r.app_id.clone())),
                        output::inert(&r.new_credential_id),
                        output::inert(&old.join(", ")),
                        next_step(r, now),
                    ]
                })
                .collect();
            output::table(&mut out, &header, &body, &[]).map_err(CliError::failed)?;
        }
    }
    match reporter.failures {
        0 => Ok(()),
        n => Err(CliError::failed(format!(
            "{n} calls failed while getting the credentials of the rotations under way; their \
             states are as the inventory last knew them"
        ))),
    }
}

/// What comes next for a rotation, for the table.
fn next_step(r: &Rotation, now: chrono::DateTime<Utc>) -> String {
    match r.state {
        RotationState::Waiting => {
            format!("times out {}; resume {}", relative(r.deadline, now), r.id)
        }
        RotationState::Ready => format!("resume {} to revoke the old", r.id),
        RotationState::Abandoned(reason) => reason.words().to_string(),
        RotationState::Done | RotationState::TimedOut => match r.ended_at {
            Some(t) => format!("ended {}", relative(t, now)),
            None => String::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_they_are_typed() {
        assert_eq!(duration_words(Duration::from_secs(600)), "10m");
        assert_eq!(duration_words(Duration::from_secs(7200)), "2h");
        assert_eq!(duration_words(Duration::from_secs(90)), "90s");
        assert_eq!(duration_words(Duration::from_millis(1500)), "1500ms");
        assert_eq!(duration_words(Duration::ZERO), "0s");
    }
}

//! `credboard rotate`: mint a new credential for a connector; its secret alone on stdout,
//! once, and the new credential recorded (tried again while the inventory refuses it).
//! With `--replace`, a rotation: the connector's live credentials recorded as the ones to
//! replace, then carried on as `credboard rotations resume` does.

use std::io::IsTerminal;
use std::time::Duration;

use crate::api::ConnectorCredential;
use crate::cli::{Global, SecretFormat};
use crate::ops::{OpError, RECORD_RETRY_DELAYS, blocking};
use crate::rotation::Rotation;
use crate::rotation::procedure::Procedure;

use super::rotations::{DEFAULT_WAIT, carry_on, duration_words};
use super::{CliError, Context, output};

/// `--replace` and its flags.
#[derive(Debug, Clone, Copy)]
pub struct Replace {
    pub wait: Option<Duration>,
    pub yes: bool,
}

pub async fn run(
    global: &Global,
    app_id: &str,
    connector_id: &str,
    format: SecretFormat,
    replace: Option<Replace>,
) -> Result<(), CliError> {
    let ctx = Context::new(global).await?;
    ctx.check_unanswered().await;
    let procedure = Procedure::new(ctx.client.clone(), ctx.store.clone(), ctx.read_only);
    let result = match replace {
        None => mint_and_show(&procedure, app_id, connector_id, format)
            .await
            .map(drop),
        Some(replace) => rotation(&ctx, &procedure, app_id, connector_id, format, replace).await,
    };
    ctx.close().await;
    result
}

/// Mints the credential, prints its secret (the first thing on stdout, and the only place
/// it ever goes), and records it, trying again while the inventory refuses it.
async fn mint_and_show(
    procedure: &Procedure,
    app_id: &str,
    connector_id: &str,
    format: SecretFormat,
) -> Result<ConnectorCredential, CliError> {
    let rotated = procedure.mint(app_id, connector_id).await.map_err(|e| {
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
    for delay in RECORD_RETRY_DELAYS {
        let Some(e) = &record_error else { break };
        eprintln!(
            "the new credential {id} is not recorded in the inventory yet ({}); trying again in {}s",
            output::inert(e),
            delay.as_secs()
        );
        tokio::time::sleep(delay).await;
        record_error = procedure
            .ops()
            .record_rotation(&rotated.credential)
            .await
            .err()
            .map(|e| e.to_string());
    }
    match record_error {
        None => {
            eprintln!("recorded in the inventory and the journal");
            Ok(rotated.credential)
        }
        Some(e) => Err(CliError::failed(format!(
            "the new credential {id} could not be recorded in the inventory: {e}; track it with `credboard track {app_id} {connector_id} {id}`"
        ))),
    }
}

/// `rotate --replace`: everything that can refuse does so before anything is minted.
async fn rotation(
    ctx: &Context,
    procedure: &Procedure,
    app_id: &str,
    connector_id: &str,
    format: SecretFormat,
    replace: Replace,
) -> Result<(), CliError> {
    if ctx.read_only {
        return Err(CliError::failed(OpError::ReadOnly("rotate")));
    }
    if !replace.yes && !std::io::stdin().is_terminal() {
        return Err(CliError::config(
            "refusing to rotate with --replace without confirmation: stdin is not a terminal, \
             so revoking the old credentials cannot be asked about; pass --yes. Nothing was minted",
        ));
    }
    let (app, connector) = (app_id.to_string(), connector_id.to_string());
    let open = blocking(&ctx.store, move |s| s.open_rotation_of(&app, &connector))
        .await
        .map_err(CliError::failed)?;
    if let Some(id) = open {
        return Err(CliError::config(format!(
            "connector {connector_id} already has rotation {id} under way: carry it on with \
             `credboard rotations resume {id}` or give it up with `credboard rotations abandon \
             {id}`. Nothing was minted"
        )));
    }
    let old = procedure
        .replaceable(app_id, connector_id)
        .await
        .map_err(|e| {
            CliError::failed(format!(
                "the connector's current credentials could not be checked, so nothing was \
                 minted: {e}"
            ))
        })?;
    if old.is_empty() {
        return Err(CliError::config(format!(
            "nothing to replace: the inventory tracks no live credential of connector \
             {connector_id} (app {app_id}), and ConductorOne cannot list them. Track the one in \
             use first (`credboard track {app_id} {connector_id} CREDENTIAL_ID` or `credboard \
             import FILE`), or rotate without --replace. Nothing was minted"
        )));
    }
    let old_ids: Vec<String> = old.iter().filter_map(|c| c.id.clone()).collect();
    let minted = mint_and_show(procedure, app_id, connector_id, format)
        .await
        .map_err(|e| {
            CliError::failed(format!(
                "{e}. No rotation was recorded: once the connector uses the new credential, \
                 revoke {} with `credboard revoke`",
                old_ids.join(", ")
            ))
        })?;
    let rotation = start(procedure, &minted, &old_ids).await?;
    let wait = replace.wait.unwrap_or(DEFAULT_WAIT);
    eprintln!(
        "rotation {} started: waiting up to {} for connector {} to use the new credential, then \
         revoking {}",
        rotation.id,
        duration_words(wait),
        output::inert(connector_id),
        output::inert(&old_ids.join(", "))
    );
    carry_on(ctx, procedure, rotation, wait, replace.yes).await
}

/// Records the rotation, trying again while the inventory refuses it.
async fn start(
    procedure: &Procedure,
    minted: &ConnectorCredential,
    old_ids: &[String],
) -> Result<Rotation, CliError> {
    let mut result = procedure.start(minted, old_ids).await;
    for delay in RECORD_RETRY_DELAYS {
        let Err(e) = &result else { break };
        eprintln!(
            "the rotation is not recorded in the inventory yet ({}); trying again in {}s",
            output::inert(&e.to_string()),
            delay.as_secs()
        );
        tokio::time::sleep(delay).await;
        result = procedure.start(minted, old_ids).await;
    }
    result.map_err(|e| {
        CliError::failed(format!(
            "the rotation could not be recorded in the inventory: {e}. The new credential {} is; \
             once its connector uses it, revoke {} with `credboard revoke`",
            minted.id.as_deref().unwrap_or("?"),
            old_ids.join(", ")
        ))
    })
}

//! `credboard rotate`: mint a new credential for a connector; its secret alone on stdout,
//! once, and the new credential recorded (tried again while the inventory refuses it).

use crate::cli::{Global, SecretFormat};
use crate::ops::Ops;

use super::{CliError, Context, output};

pub async fn run(
    global: &Global,
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

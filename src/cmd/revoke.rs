//! `credboard revoke`: get the credential, ask about what the server holds (unless `--yes`),
//! then revoke it through the ops gate.

use std::io::{IsTerminal, Write};

use crate::api::ConnectorCredential;
use crate::cli::Global;
use crate::model::{CredentialKey, Revocation, RevokeResult};
use crate::ops::{OpError, Ops};

use super::{CliError, Context, output};

pub async fn run(global: &Global, key: CredentialKey, yes: bool) -> Result<(), CliError> {
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
pub(super) fn question(ctx: &Context, key: &CredentialKey, held: &ConnectorCredential) -> String {
    let now = chrono::Utc::now();
    let thresholds = crate::audit::Thresholds {
        expiring_soon_days: ctx.settings.thresholds.expiring_soon_days.into(),
        idle_days: ctx.settings.thresholds.idle_days.into(),
    };
    let status =
        crate::audit::Status::of(crate::audit::flags_of(Some(held), false, now, thresholds));
    let last_used = match held.last_used_at {
        Some(t) => format!(
            "{} ({})",
            crate::text::relative(t, now),
            crate::text::absolute(t)
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

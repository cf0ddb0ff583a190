//! `credboard track` and `credboard untrack`: one credential id into or out of the inventory,
//! by hand.

use crate::cli::Global;
use crate::import::check_id;
use crate::model::{CredentialKey, Source};

use super::context::open_store;
use super::{CliError, output};

pub fn track(
    global: &Global,
    app_id: &str,
    connector_id: &str,
    credential_id: &str,
) -> Result<(), CliError> {
    let ids = CredentialKey::new(
        plausible_id("APP_ID", app_id)?,
        plausible_id("CONNECTOR_ID", connector_id)?,
        plausible_id("CREDENTIAL_ID", credential_id)?,
    );
    let (store, _tmp) = open_store(global)?;
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

pub fn untrack(global: &Global, credential_id: &str) -> Result<(), CliError> {
    let (store, _tmp) = open_store(global)?;
    if store.untrack(credential_id).map_err(CliError::failed)? {
        eprintln!(
            "no longer tracking credential {}",
            output::inert(credential_id)
        );
        Ok(())
    } else {
        Err(CliError::failed(format!(
            "credential {credential_id} is not tracked for tenant {}",
            store.tenant()
        )))
    }
}

/// `value` trimmed, or a usage error naming `argument` and why it is no id.
fn plausible_id(argument: &str, value: &str) -> Result<String, CliError> {
    match check_id(argument, value) {
        Ok(id) => Ok(id.to_string()),
        Err(why) => Err(CliError::config(format!("{why}; nothing was tracked"))),
    }
}

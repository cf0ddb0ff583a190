//! `credboard demo-server`: the demo tenant in the foreground, for curl, cone or the SDKs.

use std::time::Duration;

use crate::demo::{FIRST_USE_AFTER, Scale, run_foreground};

use super::CliError;

pub async fn run(
    port: u16,
    scale: Option<usize>,
    first_use_after: Option<Duration>,
) -> Result<(), CliError> {
    let first_use_after = first_use_after.unwrap_or(FIRST_USE_AFTER);
    run_foreground(port, scale.map(Scale::credentials), first_use_after)
        .await
        .map_err(|e| CliError::failed(format!("the demo tenant stopped: {e}")))
}

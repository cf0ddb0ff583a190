//! `credboard demo-server`: the demo tenant in the foreground, for curl, cone or the SDKs.

use crate::demo::{Scale, run_foreground};

use super::CliError;

pub async fn run(port: u16, scale: Option<usize>) -> Result<(), CliError> {
    run_foreground(port, scale.map(Scale::credentials))
        .await
        .map_err(|e| CliError::failed(format!("the demo tenant stopped: {e}")))
}

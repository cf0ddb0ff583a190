//! The command line's values as typed: a client secret typed in the wrong place (as an id,
//! a path, a reason) is hidden in clap's usage errors, and every value that names something
//! is listed by the name the user knows it by, to be checked before use.

use std::path::PathBuf;

use clap::Parser;

use crate::api::secret::{hide_client_secrets, holds_client_secret};

use super::{Cli, Command, MuteCommand};

impl Cli {
    /// Parses the command line as [`Parser::parse`] does, except that a usage error quoting a
    /// client secret (typed in the wrong place) is printed with the secret hidden.
    pub fn parse_hiding_secrets() -> Cli {
        match Cli::try_parse() {
            Ok(cli) => cli,
            Err(e) => {
                let text = e.render().to_string();
                if !holds_client_secret(&text) {
                    e.exit();
                }
                eprint!("{}", hide_client_secrets(&text));
                std::process::exit(e.exit_code());
            }
        }
    }

    /// Every value typed on the command line that names something, by the name the user
    /// knows it by: each is checked before use, so that a client secret typed in the wrong
    /// place is never echoed nor stored. `--client-secret` is the one place for a secret.
    pub fn typed_values(&self) -> Vec<(&'static str, String)> {
        let g = &self.global;
        let path = |p: &Option<PathBuf>| p.as_ref().map(|p| p.to_string_lossy().into_owned());
        let mut values = vec![
            ("--profile", g.profile.clone()),
            ("--client-id", g.client_id.clone()),
            ("--api-endpoint", g.api_endpoint.clone()),
            ("--data-dir (or CREDBOARD_DATA_DIR)", path(&g.data_dir)),
            ("--config (or CREDBOARD_CONFIG)", path(&g.config)),
        ];
        let id = |name, value: &String| (name, Some(value.clone()));
        match &self.command {
            Some(Command::Revoke {
                app_id,
                connector_id,
                credential_id,
                ..
            })
            | Some(Command::Track {
                app_id,
                connector_id,
                credential_id,
            }) => values.extend([
                id("APP_ID", app_id),
                id("CONNECTOR_ID", connector_id),
                id("CREDENTIAL_ID", credential_id),
            ]),
            Some(Command::Rotate {
                app_id,
                connector_id,
                ..
            }) => values.extend([id("APP_ID", app_id), id("CONNECTOR_ID", connector_id)]),
            Some(Command::Untrack { credential_id }) => {
                values.push(id("CREDENTIAL_ID", credential_id))
            }
            Some(Command::Import { file }) => {
                values.push(("FILE", Some(file.to_string_lossy().into_owned())))
            }
            Some(Command::Audit {
                mutes:
                    Some(MuteCommand::Mute {
                        credential,
                        connector,
                        reason,
                        ..
                    }),
                ..
            }) => values.extend([
                ("--credential", credential.clone()),
                ("--connector", connector.clone()),
                ("--reason", Some(reason.clone())),
            ]),
            Some(Command::Report {
                file: Some(file), ..
            }) => values.push(("--output", Some(file.to_string_lossy().into_owned()))),
            Some(Command::Discover {
                save_raw: Some(dir),
                ..
            }) => values.push(("--save-raw", Some(dir.to_string_lossy().into_owned()))),
            _ => {}
        }
        values
            .into_iter()
            .filter_map(|(name, value)| value.map(|v| (name, v)))
            .collect()
    }
}

//! The command line, as clap sees it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::api::secret::{hide_client_secrets, holds_client_secret};
use crate::discover::{DEFAULT_MAX_EVENTS, Since, parse_since};

const EXAMPLES: &str = "\
Examples:
  credboard --demo                      the dashboard on the embedded demo tenant
  credboard                             the dashboard on the tenant of cone's default profile
  credboard --profile prod --read-only  look, but never revoke or rotate
  credboard list --status never-used -o csv
  credboard import terraform.tfstate    learn credential ids from Terraform state
  credboard track APP_ID CONNECTOR_ID CREDENTIAL_ID
  credboard discover --dry-run          find credential ids in the tenant's system log
  NEW_SECRET=$(credboard rotate APP_ID CONNECTOR_ID)   the secret alone on stdout
  credboard revoke APP_ID CONNECTOR_ID CREDENTIAL_ID
  credboard demo-server --port 8443     a demo tenant for curl or the official SDKs

The dashboard: j/k move, / filter, s/S sort, Tab status view, Enter details, r refresh,
d revoke, space/a/A marks and D bulk revoke, R rotate (the secret is shown once),
J journal, E errors, q quit; ? lists every key. Keys and colours can be changed in the
settings. NO_COLOR turns colours off.

Configuration: cone's ~/.conductorone/config.yaml (CONE_CONFIG_PATH), the CONE_* and
CONDUCTORONE_* environment variables, then these flags; a flag beats the environment,
which beats the file. Settings (refresh interval, concurrency, read-only, thresholds,
keys, colours): ~/.config/credboard/config.toml; credboard config --print-default.
The inventory of credential ids and the journal: ~/.local/share/credboard, with the log
credboard.log (CREDBOARD_LOG=debug for more).

Exit codes: 0 done, 1 the operation failed, 2 usage or configuration error.";

/// A terminal dashboard for the connector credentials of a ConductorOne tenant.
///
/// Without a command, opens the dashboard.
#[derive(Debug, Parser)]
#[command(name = "credboard", version, after_long_help = EXAMPLES, after_help = "More: credboard --help")]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Use the embedded demo tenant and a throwaway inventory: nothing of yours is touched.
    #[arg(long, global = true)]
    pub demo: bool,
    /// The profile of cone's config.yaml [env: CONE_PROFILE; default: default]
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// Client id, e.g. name@acme.conductor.one/pcc [env: CONE_CLIENT_ID, CONDUCTORONE_CLIENT_ID]
    #[arg(long, global = true)]
    pub client_id: Option<String>,
    /// Client secret; prefer the environment, a flag is visible to other users in `ps`
    /// [env: CONE_CLIENT_SECRET, CONDUCTORONE_CLIENT_SECRET]
    #[arg(long, global = true, hide_env_values = true)]
    pub client_secret: Option<String>,
    /// API endpoint, a URL or host[:port] [env: CONE_API_ENDPOINT, CONDUCTORONE_SERVER_URL]
    #[arg(long, global = true)]
    pub api_endpoint: Option<String>,
    /// Where the inventory lives
    #[arg(long, global = true, env = "CREDBOARD_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// credboard's settings file (default: config.toml in the config directory)
    #[arg(long, global = true, env = "CREDBOARD_CONFIG")]
    pub config: Option<PathBuf>,
    /// Refuse to revoke or rotate, whatever the settings say
    #[arg(long, global = true)]
    pub read_only: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Refresh the tracked credentials and print them
    List {
        /// table: aligned columns; json: every field exactly; csv: cells a spreadsheet would
        /// run as a formula get a leading ' (import takes it off)
        #[arg(short, long, value_enum, default_value_t = Format::Table)]
        output: Format,
        #[arg(long, value_enum, default_value_t = StatusFilter::All)]
        status: StatusFilter,
    },
    /// Revoke one credential (asks first on a terminal unless --yes)
    Revoke {
        app_id: String,
        connector_id: String,
        credential_id: String,
        /// Do not ask
        #[arg(long)]
        yes: bool,
    },
    /// Mint a new credential for a connector; prints its secret once on stdout
    Rotate {
        app_id: String,
        connector_id: String,
        /// text: the secret alone; json: the credential with its secret
        #[arg(short, long, value_enum, default_value_t = SecretFormat::Text)]
        output: SecretFormat,
    },
    /// Learn credential ids from Terraform state, CSV or credboard's JSON output
    Import { file: PathBuf },
    /// Find credential ids in the tenant's system log (experimental)
    ///
    /// Each id found is verified with a Get before it is tracked; a 404 is not tracked. Reads
    /// the log oldest first, from --since on the first run and from the last event read on
    /// later runs, so a daily run is cheap. Client ids seen signing in that match no
    /// tracked credential are reported as in use, not tracked. Needs the role "Read-Only to
    /// System Logs". The events' shape is not known for certain: --save-raw writes what the
    /// tenant sent, secrets taken out, to report it.
    Discover {
        /// Read from this far back (90d, 12h, 2w) or this date or time (2026-05-01,
        /// 2026-05-01T08:00:00Z), even if an earlier run read further [default: 90d on the
        /// first run, then from the last event read]
        #[arg(long, value_parser = parse_since)]
        since: Option<Since>,
        /// Verify what the log names, but track nothing and leave the log to be read again
        #[arg(long)]
        dry_run: bool,
        /// Also write the events read into a new file in DIR, every secret taken out
        #[arg(long, value_name = "DIR")]
        save_raw: Option<PathBuf>,
        /// Read at most this many events; the next run goes on from there
        #[arg(long, default_value_t = DEFAULT_MAX_EVENTS)]
        max_events: u64,
        /// text: what was found, for a person; json: every count and id, for scripts
        #[arg(short, long, value_enum, default_value_t = ReportFormat::Text)]
        output: ReportFormat,
    },
    /// Track a credential id by hand
    Track {
        app_id: String,
        connector_id: String,
        credential_id: String,
    },
    /// Stop tracking a credential id
    Untrack { credential_id: String },
    /// Print the action journal: every revoke and rotate, failures included
    Journal {
        #[arg(short, long, value_enum, default_value_t = Format::Table)]
        output: Format,
    },
    /// Run the demo tenant in the foreground, for curl or the official SDKs
    DemoServer {
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Generate this many credentials instead of the seeded tenant
        #[arg(long)]
        scale: Option<usize>,
    },
    /// credboard's settings
    Config {
        /// Print the default settings file, with comments
        #[arg(long)]
        print_default: bool,
    },
    /// Print shell completions
    Completions { shell: clap_complete::Shell },
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SecretFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFilter {
    Active,
    Revoked,
    Expired,
    Expiring,
    NeverUsed,
    Idle,
    All,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}

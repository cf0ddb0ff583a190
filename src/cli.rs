//! The command line, as clap sees it.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::api::secret::{hide_client_secrets, holds_client_secret};

const EXAMPLES: &str = "\
Examples:
  credboard --demo                      the dashboard on the embedded demo tenant
  credboard                             the dashboard on the tenant of cone's default profile
  credboard --profile prod --read-only  look, but never revoke or rotate
  credboard list --status never-used -o csv
  credboard import terraform.tfstate    learn credential ids from Terraform state
  credboard track APP_ID CONNECTOR_ID CREDENTIAL_ID
  NEW_SECRET=$(credboard rotate APP_ID CONNECTOR_ID)   the secret alone on stdout
  credboard rotate APP_ID CONNECTOR_ID --replace --wait 30m --yes
                                        then revoke the old ones once the new one is used
  credboard rotations                   every rotation, its state and age
  credboard changes --since 24h -o csv  what the refreshes saw change, for a daily report
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
    ///
    /// With --replace, a rotation: the connector's other live credentials (those the
    /// inventory tracks) are recorded as the ones to replace, credboard waits until the
    /// connector uses the new credential, then revokes them (asking on a terminal unless
    /// --yes). Exit 0 only once they are revoked; if the wait runs out, exit 1 and the
    /// rotation keeps waiting: `credboard rotations resume ID` carries on.
    Rotate {
        app_id: String,
        connector_id: String,
        /// text: the secret alone; json: the credential with its secret
        #[arg(short, long, value_enum, default_value_t = SecretFormat::Text)]
        output: SecretFormat,
        /// A whole rotation: wait for the new credential's first use, then revoke the old ones
        #[arg(long)]
        replace: bool,
        /// How long to wait for the first use, e.g. 90s, 30m, 2h [default: 10m]
        #[arg(long, value_parser = parse_duration, requires = "replace")]
        wait: Option<Duration>,
        /// Revoke the old credentials without asking (needed when stdin is not a terminal)
        #[arg(long, requires = "replace")]
        yes: bool,
    },
    /// List rotations with their state and age (getting their credentials first), or
    /// resume or abandon one
    Rotations {
        #[command(subcommand)]
        action: Option<RotationsAction>,
        /// table: aligned columns; json: every field exactly
        #[arg(short, long, value_enum, default_value_t = ListFormat::Table)]
        output: ListFormat,
    },
    /// Refresh, then print what the refreshes saw change per credential, newest first
    ///
    /// Kinds: new, revoked, expired, gone, first_used, last_use_moved, renamed,
    /// expiry_changed. Kept `changes_keep_days` days (90 by default).
    Changes {
        /// Only changes seen this recently, e.g. 24h, 7d [default: every change kept]
        #[arg(long, value_parser = parse_duration)]
        since: Option<Duration>,
        /// table: aligned columns; json: every field exactly; csv: cells a spreadsheet would
        /// run as a formula get a leading '
        #[arg(short, long, value_enum, default_value_t = Format::Table)]
        output: Format,
    },
    /// Learn credential ids from Terraform state, CSV or credboard's JSON output
    Import { file: PathBuf },
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
        /// A credential minted by rotate is used by its connector this long after, e.g. 5s
        /// [default: 20s, as under --demo]
        #[arg(long, value_parser = parse_duration)]
        first_use_after: Option<Duration>,
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

/// What `credboard rotations` does besides listing.
#[derive(Debug, Subcommand)]
pub enum RotationsAction {
    /// Carry on with a waiting or ready rotation: wait for the first use, then revoke the old
    /// credentials (asking on a terminal unless --yes); exit 0 once they are revoked
    Resume {
        /// The rotation's number, as `credboard rotations` lists it
        id: i64,
        /// How long to wait for the first use, e.g. 90s, 30m, 2h [default: 10m]
        #[arg(long, value_parser = parse_duration)]
        wait: Option<Duration>,
        /// Revoke without asking (needed when stdin is not a terminal)
        #[arg(long)]
        yes: bool,
    },
    /// Give a waiting or ready rotation up: nothing more is revoked for it
    Abandon {
        /// The rotation's number, as `credboard rotations` lists it
        id: i64,
    },
}

/// The longest duration a flag takes: ten years.
const LONGEST_DURATION: Duration = Duration::from_secs(10 * 366 * 24 * 3600);

/// A duration as the flags take it: a whole number and a unit, `500ms`, `30s`, `10m`, `24h`,
/// `7d`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad =
        || "write a whole number and a unit (ms, s, m, h or d), like 30s, 10m or 24h".to_string();
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &text[digits.len()..];
    let n: u64 = digits.parse().map_err(|_| bad())?;
    let millis_per = match unit {
        "ms" => 1,
        "s" => 1000,
        "m" => 60 * 1000,
        "h" => 3600 * 1000,
        "d" => 24 * 3600 * 1000,
        _ => return Err(bad()),
    };
    n.checked_mul(millis_per)
        .map(Duration::from_millis)
        .filter(|d| *d <= LONGEST_DURATION)
        .ok_or_else(|| "at most ten years".to_string())
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
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SecretFormat {
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

    #[test]
    fn durations_take_a_whole_number_and_a_unit() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("24h"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(7 * 86_400)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        for bad in ["", "10", "m", "1.5h", "-3s", "10 m", "3w", "ten minutes"] {
            assert!(
                parse_duration(bad).unwrap_err().contains("a unit"),
                "{bad:?}"
            );
        }
        assert!(parse_duration("99999999999d").is_err());
        assert!(parse_duration("18446744073709551615ms").is_err());
    }
}

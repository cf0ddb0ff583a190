//! The command line, as clap sees it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  credboard --demo                      the dashboard on the embedded demo tenant
  credboard                             the dashboard on the tenant of cone's default profile
  credboard --profile prod --read-only  look, but never revoke or rotate
  credboard list --status never-used -o csv
  credboard import terraform.tfstate    learn credential ids from Terraform state
  credboard track APP_ID CONNECTOR_ID CREDENTIAL_ID
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

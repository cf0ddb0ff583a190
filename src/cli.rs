//! The command line, as clap sees it: its commands, flags, value types and value parsers.
//! Keeping a client secret typed in the wrong place out of its errors and checks is
//! `cli/typed.rs`.

mod typed;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::audit::catalog::{CheckId, Severity};
use crate::discover::DEFAULT_MAX_EVENTS;
use crate::since::{Since, parse_since};

const EXAMPLES: &str = "\
Examples:
  credboard --demo                      the dashboard on the embedded demo tenant
  credboard                             the dashboard on the tenant of cone's default profile
  credboard --profile prod --read-only  look, but never revoke or rotate
  credboard list --status never-used -o csv
  credboard list --filter 'app:okta lastused>90d !status:revoked'
  credboard --demo --filter 'status:expired' --sort lastused:desc
  credboard import terraform.tfstate    learn credential ids from Terraform state
  credboard track APP_ID CONNECTOR_ID CREDENTIAL_ID
  credboard discover --dry-run          find credential ids in the tenant's system log
  NEW_SECRET=$(credboard rotate APP_ID CONNECTOR_ID)   the secret alone on stdout
  credboard rotate APP_ID CONNECTOR_ID --replace --wait 30m --yes
                                        then revoke the old ones once the new one is used
  credboard rotations                   every rotation, its state and age
  credboard changes --since 24h -o csv  what the refreshes saw change, for a daily report
  credboard revoke APP_ID CONNECTOR_ID CREDENTIAL_ID
  credboard demo-server --port 8443     a demo tenant for curl or the official SDKs
  credboard audit --fail-on high        exit 3 when a high or critical finding is not muted
  credboard audit -o ocsf >> siem.jsonl OCSF 1.3 Detection Findings, one per line
  credboard audit mute CB-1.2 --credential ID --reason 'break-glass' --until 2027-01-31
  credboard report --output audit.html  the report an auditor can file (-o md for Markdown)

Filters (/ in the dashboard, --filter): words, !word, name: app: connector: client: id:,
status:never-used, finding:CB-1.2, lastused>90d created<30d expires<14d, /regex/.

The dashboard: j/k move, / filter, s/S sort, Tab status view, Enter details, r refresh,
d revoke, space/a/A marks and D bulk revoke, R rotate (the secret is shown once; a
rotation revokes the old credentials once the new one is used, after your confirmation),
O rotations, C changes (changed rows marked △, M since the session began), F discover
from the system log, J journal, E errors, o overview (the audit's charts), q quit; ? lists
every key. Each row shows its audit findings (the checks of `credboard audit`) in the
Findings column. Keys and colours can be changed in the
settings. NO_COLOR turns colours off.

Configuration: cone's ~/.conductorone/config.yaml (CONE_CONFIG_PATH), the CONE_* and
CONDUCTORONE_* environment variables, then these flags; a flag beats the environment,
which beats the file. Settings (refresh interval, concurrency, read-only, thresholds,
keys, colours, the table's columns, saved views): ~/.config/credboard/config.toml;
credboard config --print-default.
The inventory of credential ids and the journal: ~/.local/share/credboard, with the log
credboard.log (CREDBOARD_LOG=debug for more).

Exit codes: 0 done, 1 the operation failed, 2 usage or configuration error, 3 (audit)
an unmuted finding at or above --fail-on.";

/// A terminal dashboard for the connector credentials of a ConductorOne tenant.
///
/// Without a command, opens the dashboard.
#[derive(Debug, Parser)]
#[command(name = "credboard", version, after_long_help = EXAMPLES, after_help = "More: credboard --help")]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(flatten)]
    pub dashboard: DashboardArgs,
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
    // The value is not shown: unset, clap would print `CREDBOARD_DATA_DIR=`, as if set empty.
    #[arg(
        long,
        global = true,
        env = "CREDBOARD_DATA_DIR",
        hide_env_values = true
    )]
    pub data_dir: Option<PathBuf>,
    /// credboard's settings file (default: config.toml in the config directory)
    #[arg(long, global = true, env = "CREDBOARD_CONFIG", hide_env_values = true)]
    pub config: Option<PathBuf>,
    /// Refuse to revoke or rotate, whatever the settings say
    #[arg(long, global = true)]
    pub read_only: bool,
}

/// How the dashboard opens (only without a command).
#[derive(Debug, Args, Default)]
pub struct DashboardArgs {
    /// Open the dashboard on a saved view of the settings (`[views.NAME]`): its filter, sort
    /// and columns
    #[arg(long, value_name = "NAME")]
    pub view: Option<String>,
    /// Open the dashboard filtered, in the filter language: 'app:okta lastused>90d'
    /// (after --view's)
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
    /// Open the dashboard sorted by a column, `COLUMN[:asc|desc]`: name, app, connector,
    /// client, created, lastused, expires, status, findings (after --view's)
    #[arg(long, value_name = "COLUMN")]
    pub sort: Option<String>,
}

impl DashboardArgs {
    /// The flags given, by name, for a command that takes none of them.
    pub fn given(&self) -> Vec<&'static str> {
        [
            ("--view", self.view.is_some()),
            ("--filter", self.filter.is_some()),
            ("--sort", self.sort.is_some()),
        ]
        .into_iter()
        .filter(|(_, g)| *g)
        .map(|(n, _)| n)
        .collect()
    }
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
        /// Only the credentials this filter matches, in the dashboard's filter language:
        /// 'app:okta lastused>90d !status:revoked' (see the README)
        #[arg(long, value_name = "EXPR")]
        filter: Option<String>,
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
        #[arg(short, long, value_enum, default_value_t = DiscoverFormat::Text)]
        output: DiscoverFormat,
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
    /// Check the credentials against the audit's policy (CB-1.1 ... CB-3.1); exit 3 when an
    /// unmuted finding is at or above --fail-on
    ///
    /// Refreshes first, as list does (or --offline). The checks' thresholds and mutes are
    /// in the settings' [audit] section; `credboard audit mute` mutes from here.
    #[command(args_conflicts_with_subcommands = true)]
    Audit {
        #[command(subcommand)]
        mutes: Option<MuteCommand>,
        #[command(flatten)]
        run: AuditArgs,
    },
    /// Write the audit report an auditor can file: one self-contained HTML or Markdown file
    ///
    /// Tenant, profile, time, credboard's version, the thresholds in force, counts, charts,
    /// the findings, coverage, the mutes and the journal of the period.
    Report {
        /// html: one page with inline SVG charts, no script; md: Markdown, charts as tables
        #[arg(short = 'o', long = "format", value_enum, default_value_t = ReportFormat::Html)]
        format: ReportFormat,
        /// Write the report to FILE (replaced whole, never half-written) instead of stdout
        #[arg(long = "output", value_name = "FILE")]
        file: Option<PathBuf>,
        /// The journal's period: 90d, 12w, 24h, or since a date (2026-01-31)
        #[arg(long, default_value = "90d", value_parser = parse_since)]
        since: Since,
        /// Use the stored inventory without refreshing; CB-1.7 is not checked
        #[arg(long)]
        offline: bool,
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

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// table: aligned columns; json: one document with a schema_version; csv: inert cells;
    /// md: Markdown; ocsf: one OCSF 1.3 Detection Finding per line
    #[arg(short, long, value_enum, default_value_t = AuditFormat::Table)]
    pub output: AuditFormat,
    /// Exit 3 when an unmuted finding of this severity or above exists
    #[arg(long, value_enum, default_value_t = SeverityArg::Medium)]
    pub fail_on: SeverityArg,
    /// Run only these checks, e.g. --check CB-1.2,CB-1.7
    #[arg(long, value_delimiter = ',', value_parser = parse_check, value_name = "IDS")]
    pub check: Vec<CheckId>,
    /// Use the stored inventory without refreshing (says how old it is); CB-1.7 is not
    /// checked
    #[arg(long)]
    pub offline: bool,
    /// Only the findings about credentials (or connectors) this filter matches, in the
    /// dashboard's filter language: 'app:okta !status:revoked', 'finding:CB-1.2'
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum MuteCommand {
    /// Mute a check for one credential, or a connector and its credentials, through a day
    ///
    /// Muted findings are still shown, marked muted; they no longer fail --fail-on. After
    /// its last day (UTC) a mute mutes nothing. Kept in the inventory for the tenant.
    Mute {
        #[arg(value_parser = parse_check)]
        check: CheckId,
        /// The credential's id
        #[arg(
            long,
            required_unless_present = "connector",
            conflicts_with = "connector"
        )]
        credential: Option<String>,
        /// The connector's id: mutes the check for the connector and all its credentials
        #[arg(long)]
        connector: Option<String>,
        /// Why the finding is accepted (shown in every output and the report)
        #[arg(long)]
        reason: String,
        /// The last day it mutes, YYYY-MM-DD (UTC)
        #[arg(long, value_parser = parse_day)]
        until: chrono::NaiveDate,
    },
    /// Lift a mute set with `audit mute`, by its number (see `audit mutes`)
    Unmute { id: i64 },
    /// List the mutes, the settings' and the inventory's, lifted and expired ones included
    Mutes {
        #[arg(short, long, value_enum, default_value_t = Format::Table)]
        output: Format,
    },
}

/// `--check` and `audit mute CHECK`: a check id, or a usage error that suggests one.
fn parse_check(s: &str) -> Result<CheckId, String> {
    s.parse::<CheckId>().map_err(|e| e.to_string())
}

fn parse_day(s: &str) -> Result<chrono::NaiveDate, String> {
    crate::audit::mutes::parse_until(s)
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
pub enum AuditFormat {
    Table,
    Json,
    Csv,
    Md,
    Ocsf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Html,
    Md,
}

/// `--fail-on`: a severity of the audit's findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SeverityArg {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl From<SeverityArg> for Severity {
    fn from(s: SeverityArg) -> Severity {
        match s {
            SeverityArg::Info => Severity::Info,
            SeverityArg::Low => Severity::Low,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::High => Severity::High,
            SeverityArg::Critical => Severity::Critical,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SecretFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiscoverFormat {
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

//! Configuration: who credboard talks to ([`profile`]: cone's profiles, the environment,
//! flags) and how it behaves ([`settings`]: credboard's own TOML settings; `audit`: their
//! `[audit]` section; `file`: reading the file, each problem with its line).
//!
//! Nothing here reads the process environment or the home directory by itself: callers pass
//! an environment lookup and a home directory ([`process_env`], [`home_dir`] give the real
//! ones), so every rule is testable without touching the machine.

mod audit;
mod file;
pub mod profile;
pub mod settings;

use std::path::{Path, PathBuf};

use crate::api::CredentialError;
use crate::api::secret::{MisplacedSecret, hide_client_secrets};

pub use file::SettingsFile;
pub use profile::{
    ProfileFlags, ResolvedProfile, Sources, ValueSource, cone_config_path, permission_warning,
    resolve_profile,
};
pub use settings::{
    AuditSettings, DEFAULT_CONCURRENCY, MuteSetting, ProfileSettings, Settings, Thresholds,
};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "credboard is not configured: no credentials for profile `{profile}`. Configure it as you would cone: \
         add `profiles: {{ {profile}: {{ client-id: ..., client-secret: ... }} }}` to ~/.conductorone/config.yaml \
         (or $CONE_CONFIG_PATH/config.yaml), or set CONE_CLIENT_ID and CONE_CLIENT_SECRET, or pass \
         --client-id and --client-secret. To try credboard without a tenant, run it with --demo."
    )]
    NotConfigured { profile: String },
    #[error(
        "profile `{profile}` has a {have} (from {have_from}) but no {missing}; set it the same way, or with {hint}"
    )]
    Incomplete {
        profile: String,
        have: &'static str,
        have_from: ValueSource,
        missing: &'static str,
        hint: &'static str,
    },
    #[error("there is no profile `{profile}` in {}{}", path.display(), available_list(available))]
    ProfileNotFound {
        profile: String,
        path: PathBuf,
        available: Vec<String>,
    },
    #[error("the client secret from {origin} cannot be used: {reason}")]
    BadSecret {
        origin: ValueSource,
        reason: CredentialError,
    },
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}{}: {reason}", path.display(), at_line(*line, *column))]
    ConeFile {
        path: PathBuf,
        line: Option<usize>,
        column: Option<usize>,
        reason: String,
    },
    #[error("{}{}: {reason}", path.display(), at_line(*line, *column))]
    Settings {
        path: PathBuf,
        line: Option<usize>,
        column: Option<usize>,
        reason: String,
    },
    #[error("{}", problem_lines(path, problems))]
    SettingsInvalid {
        path: PathBuf,
        problems: Vec<SettingsProblem>,
    },
    #[error("the settings file {} does not exist", path.display())]
    SettingsNotFound { path: PathBuf },
    #[error(transparent)]
    MisplacedSecret(#[from] MisplacedSecret),
}

/// One thing wrong in a settings file that parses: a value out of range, a `[keys]` or
/// `[colors]` mistake, a client secret where it does not belong.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SettingsProblem {
    pub line: Option<usize>,
    pub message: String,
}

/// Each problem on its own line, with the file and its line.
fn problem_lines(path: &Path, problems: &[SettingsProblem]) -> String {
    let lines: Vec<String> = problems
        .iter()
        .map(|p| format!("{}{}: {}", path.display(), at_line(p.line, None), p.message))
        .collect();
    match lines.as_slice() {
        [one] => one.clone(),
        _ => format!(
            "{} problems in the settings:\n{}",
            lines.len(),
            lines.join("\n")
        ),
    }
}

fn available_list(names: &[String]) -> String {
    if names.is_empty() {
        " (it has no profiles)".to_string()
    } else {
        let names: Vec<String> = names.iter().map(|n| hide_client_secrets(n)).collect();
        format!(" (it has: {})", names.join(", "))
    }
}

fn at_line(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(", line {l}, column {c}"),
        (Some(l), None) => format!(", line {l}"),
        _ => String::new(),
    }
}

/// The real process environment, for [`resolve_profile`].
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The user's home directory, for [`resolve_profile`].
pub fn home_dir() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf())
}

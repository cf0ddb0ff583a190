//! Configuration: who credboard talks to (cone's profiles, the environment, flags) and how it
//! behaves (credboard's own TOML settings).
//!
//! Nothing here reads the process environment or the home directory by itself: callers pass
//! an environment lookup and a home directory ([`process_env`], [`home_dir`] give the real
//! ones), so every rule is testable without touching the machine.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize};
use toml::de::{DeTable, DeValue};

use crate::api::secret::{MisplacedSecret, hide_client_secrets, refuse_misplaced_secret};
use crate::api::{ClientSecret, CredentialError, SecretString};
use crate::app::keymap::Keymap;
use crate::app::palette::Palette;

/// Why credboard cannot use its configuration. Messages never contain a secret.
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
#[derive(Debug, Clone, PartialEq, Eq)]
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

// ---------------------------------------------------------------------------------------
// Profiles: cone's configuration, the environment, flags
// ---------------------------------------------------------------------------------------

/// The command-line flags that choose and override a profile.
#[derive(Debug, Clone, Default)]
pub struct ProfileFlags {
    pub profile: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub api_endpoint: Option<String>,
}

/// Where a configuration value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueSource {
    /// A command-line flag, e.g. `--client-id`.
    Flag(&'static str),
    /// An environment variable, e.g. `CONE_CLIENT_ID`.
    Env(&'static str),
    /// A profile in cone's config.yaml.
    ConeFile { path: PathBuf, profile: String },
    /// Nothing chose it (the profile name `default`).
    Default,
}

impl fmt::Display for ValueSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueSource::Flag(name) => write!(f, "the {name} flag"),
            ValueSource::Env(name) => f.write_str(name),
            ValueSource::ConeFile { path, profile } => {
                write!(f, "profile `{profile}` of {}", path.display())
            }
            ValueSource::Default => f.write_str("the default"),
        }
    }
}

impl ValueSource {
    /// The flag, variable or file entry a value of `field` (cone's name) was given in.
    fn place(&self, field: &str) -> String {
        match self {
            ValueSource::Flag(name) | ValueSource::Env(name) => name.to_string(),
            ValueSource::ConeFile { path, profile } => {
                format!("`{field}` of profile `{profile}` in {}", path.display())
            }
            ValueSource::Default => field.to_string(),
        }
    }
}

/// Where each resolved value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sources {
    pub profile: ValueSource,
    pub client_id: Option<ValueSource>,
    pub client_secret: Option<ValueSource>,
    pub access_token: Option<ValueSource>,
    pub api_endpoint: Option<ValueSource>,
}

/// A profile with every value resolved: flag > environment > cone's file.
#[derive(Debug, Clone)]
pub struct ResolvedProfile {
    pub name: String,
    pub client_id: Option<String>,
    pub client_secret: Option<ClientSecret>,
    /// A ready-made token (CONDUCTORONE_ACCESS_TOKEN); used instead of id and secret.
    pub access_token: Option<SecretString>,
    /// `--api-endpoint`, CONE_API_ENDPOINT or CONDUCTORONE_SERVER_URL, as given (a URL or
    /// host[:port]). `None`: the client uses the host in the client id.
    pub api_endpoint: Option<String>,
    pub sources: Sources,
    /// Not fatal, to show the user: e.g. cone's file is readable by others.
    pub warnings: Vec<String>,
}

impl ResolvedProfile {
    /// It can authenticate: a token, or a client id with its secret.
    pub fn is_configured(&self) -> bool {
        self.access_token.is_some() || (self.client_id.is_some() && self.client_secret.is_some())
    }

    /// One line for the user: `profile `prod`: client id from CONE_CLIENT_ID, ...`.
    pub fn describe_sources(&self) -> String {
        let mut parts = Vec::new();
        let s = &self.sources;
        for (what, src) in [
            ("access token", &s.access_token),
            ("client id", &s.client_id),
            ("client secret", &s.client_secret),
            ("API endpoint", &s.api_endpoint),
        ] {
            if let Some(src) = src {
                parts.push(format!("{what} from {src}"));
            }
        }
        let chosen = match &s.profile {
            ValueSource::Default => String::new(),
            src => format!(" (chosen by {src})"),
        };
        format!(
            "profile `{}`{chosen}: configured from {}",
            self.name,
            if parts.is_empty() {
                "nothing".to_string()
            } else {
                parts.join(", ")
            }
        )
    }
}

/// The file cone reads: `$CONE_CONFIG_PATH/config.yaml`, else `~/.conductorone/config.yaml`.
/// A CONE_CONFIG_PATH that names a `.yaml`/`.yml` file is taken as the file itself.
pub fn cone_config_path(
    env: &dyn Fn(&str) -> Option<String>,
    home: Option<&Path>,
) -> Option<PathBuf> {
    if let Some(dir) = non_empty(env("CONE_CONFIG_PATH")) {
        let p = PathBuf::from(dir);
        let is_file = p
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
        return Some(if is_file { p } else { p.join("config.yaml") });
    }
    home.map(|h| h.join(".conductorone").join("config.yaml"))
}

#[derive(Debug, Default, Deserialize)]
struct ConeFile {
    #[serde(default)]
    profiles: Option<BTreeMap<String, Option<ConeProfile>>>,
}

#[derive(Debug, Default, Deserialize)]
struct ConeProfile {
    #[serde(rename = "client-id", default)]
    client_id: Option<String>,
    #[serde(rename = "client-secret", default)]
    client_secret: Option<SecretString>,
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// The first non-empty value among `candidates`, with its source.
fn first(candidates: Vec<(Option<String>, ValueSource)>) -> Option<(String, ValueSource)> {
    candidates
        .into_iter()
        .find_map(|(v, src)| non_empty(v).map(|v| (v, src)))
}

/// [`first`] for a secret.
fn first_secret(
    candidates: Vec<(Option<SecretString>, ValueSource)>,
) -> Option<(SecretString, ValueSource)> {
    candidates.into_iter().find_map(|(v, src)| {
        let trimmed = v?.expose().trim().to_string();
        (!trimmed.is_empty()).then(|| (SecretString::new(trimmed), src))
    })
}

/// Hides values a parser quoted in its message: cone's file holds secrets, and a secret in
/// the wrong place would be echoed as `invalid type: string "..."`. Also hides anything that
/// looks like a client secret outside quotes.
fn redact(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut parts = msg.split('"');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let rest: Vec<&str> = parts.collect();
    for chunk in rest.chunks(2) {
        match chunk {
            // A closed quote: hide its content, keep what follows.
            [_, after] => {
                out.push_str("\"[redacted]\"");
                out.push_str(after);
            }
            // An unbalanced quote: hide everything after it.
            [_] => out.push_str("\"[redacted]"),
            _ => {}
        }
    }
    hide_client_secrets(&out)
}

/// Reads cone's file: `Ok(None)` if it does not exist. Warns if it holds a secret and is
/// readable by group or others.
fn read_cone_file(
    path: &Path,
    warnings: &mut Vec<String>,
) -> Result<Option<ConeFile>, ConfigError> {
    let text = match read_wiped(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(ConfigError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    if text.trim().is_empty() {
        return Ok(Some(ConeFile::default()));
    }
    let file: ConeFile = serde_yaml::from_str(&text).map_err(|e| {
        let loc = e.location();
        ConfigError::ConeFile {
            path: path.to_path_buf(),
            line: loc.as_ref().map(|l| l.line()),
            column: loc.as_ref().map(|l| l.column()),
            reason: redact(&strip_location(&e.to_string())),
        }
    })?;
    let holds_secret = file.profiles.iter().flatten().any(|(_, p)| {
        p.as_ref()
            .and_then(|p| p.client_secret.as_ref())
            .is_some_and(|s| !s.expose().trim().is_empty())
    });
    if holds_secret && let Some(w) = permission_warning(path) {
        warnings.push(w);
    }
    Ok(Some(file))
}

/// A file that holds a secret, read whole into a buffer that is wiped when dropped (std
/// sizes it from the file's length, so it is not regrown, which would leave copies).
fn read_wiped(path: &Path) -> std::io::Result<zeroize::Zeroizing<String>> {
    std::fs::read_to_string(path).map(zeroize::Zeroizing::new)
}

/// serde_yaml appends " at line L column C"; we report the position ourselves.
fn strip_location(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// A warning if a file holding a secret can be read by group or others (unix only).
pub fn permission_warning(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            return Some(format!(
                "{} holds a client secret and is readable by group or others (mode {:03o}); run: chmod 600 {}",
                path.display(),
                mode & 0o777,
                path.display()
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    None
}

/// Resolves the profile to use. Each value is taken, in order, from a flag, the environment,
/// then the profile in cone's file (first non-empty wins). Errors: a malformed secret (naming
/// where it came from, never its text), a profile that was asked for by name but exists
/// nowhere, half a credential, or nothing at all ([`ConfigError::NotConfigured`]).
pub fn resolve_profile(
    flags: &ProfileFlags,
    env: &dyn Fn(&str) -> Option<String>,
    home: Option<&Path>,
) -> Result<ResolvedProfile, ConfigError> {
    let (name, profile_src) = first(vec![
        (flags.profile.clone(), ValueSource::Flag("--profile")),
        (env("CONE_PROFILE"), ValueSource::Env("CONE_PROFILE")),
    ])
    .unwrap_or_else(|| ("default".to_string(), ValueSource::Default));
    refuse_misplaced_secret(profile_src.place("profile"), &name)?;

    let mut warnings = Vec::new();
    let cone_path = cone_config_path(env, home);
    let cone = match &cone_path {
        Some(p) => read_cone_file(p, &mut warnings)?,
        None => None,
    };
    let file_profile = cone
        .as_ref()
        .and_then(|f| f.profiles.as_ref())
        .and_then(|ps| ps.get(&name))
        .map(|p| {
            p.as_ref().map_or_else(Default::default, |p| ConeProfile {
                client_id: p.client_id.clone(),
                client_secret: p.client_secret.clone(),
            })
        });
    let file_src = || ValueSource::ConeFile {
        path: cone_path.clone().unwrap_or_default(),
        profile: name.clone(),
    };
    let (file_id, file_secret) = match &file_profile {
        Some(p) => (p.client_id.clone(), p.client_secret.clone()),
        None => (None, None),
    };

    let client_id = first(vec![
        (flags.client_id.clone(), ValueSource::Flag("--client-id")),
        (env("CONE_CLIENT_ID"), ValueSource::Env("CONE_CLIENT_ID")),
        (
            env("CONDUCTORONE_CLIENT_ID"),
            ValueSource::Env("CONDUCTORONE_CLIENT_ID"),
        ),
        (file_id, file_src()),
    ]);
    // Our copies of the secret are wiped when dropped, the ones not chosen included.
    let secret_text = first_secret(vec![
        (
            flags.client_secret.clone().map(SecretString::new),
            ValueSource::Flag("--client-secret"),
        ),
        (
            env("CONE_CLIENT_SECRET").map(SecretString::new),
            ValueSource::Env("CONE_CLIENT_SECRET"),
        ),
        (
            env("CONDUCTORONE_CLIENT_SECRET").map(SecretString::new),
            ValueSource::Env("CONDUCTORONE_CLIENT_SECRET"),
        ),
        (file_secret, file_src()),
    ]);
    let access_token = first(vec![(
        env("CONDUCTORONE_ACCESS_TOKEN"),
        ValueSource::Env("CONDUCTORONE_ACCESS_TOKEN"),
    )]);
    let api_endpoint = first(vec![
        (
            flags.api_endpoint.clone(),
            ValueSource::Flag("--api-endpoint"),
        ),
        (
            env("CONE_API_ENDPOINT"),
            ValueSource::Env("CONE_API_ENDPOINT"),
        ),
        (
            env("CONDUCTORONE_SERVER_URL"),
            ValueSource::Env("CONDUCTORONE_SERVER_URL"),
        ),
    ]);

    if let Some((id, src)) = &client_id {
        refuse_misplaced_secret(src.place("client-id"), id)?;
    }
    if let Some((endpoint, src)) = &api_endpoint {
        refuse_misplaced_secret(src.place("api-endpoint"), endpoint)?;
    }

    let client_secret = match secret_text {
        Some((text, origin)) => match ClientSecret::parse(text.expose()) {
            Ok(s) => Some((s, origin)),
            Err(reason) => return Err(ConfigError::BadSecret { origin, reason }),
        },
        None => None,
    };

    let resolved = ResolvedProfile {
        name: name.clone(),
        sources: Sources {
            profile: profile_src.clone(),
            client_id: client_id.as_ref().map(|(_, s)| s.clone()),
            client_secret: client_secret.as_ref().map(|(_, s)| s.clone()),
            access_token: access_token.as_ref().map(|(_, s)| s.clone()),
            api_endpoint: api_endpoint.as_ref().map(|(_, s)| s.clone()),
        },
        client_id: client_id.map(|(v, _)| v),
        client_secret: client_secret.map(|(v, _)| v),
        access_token: access_token.map(|(v, _)| SecretString::new(v)),
        api_endpoint: api_endpoint.map(|(v, _)| v),
        warnings,
    };

    if resolved.is_configured() {
        return Ok(resolved);
    }
    // A profile named on purpose that exists nowhere is most likely a typo.
    if file_profile.is_none()
        && profile_src != ValueSource::Default
        && let (Some(path), Some(file)) = (&cone_path, &cone)
    {
        return Err(ConfigError::ProfileNotFound {
            profile: name,
            path: path.clone(),
            available: file
                .profiles
                .as_ref()
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default(),
        });
    }
    match (&resolved.sources.client_id, &resolved.sources.client_secret) {
        (Some(from), None) => Err(ConfigError::Incomplete {
            profile: name,
            have: "client id",
            have_from: from.clone(),
            missing: "client secret",
            hint: "--client-secret or CONE_CLIENT_SECRET",
        }),
        (None, Some(from)) => Err(ConfigError::Incomplete {
            profile: name,
            have: "client secret",
            have_from: from.clone(),
            missing: "client id",
            hint: "--client-id or CONE_CLIENT_ID",
        }),
        _ => Err(ConfigError::NotConfigured { profile: name }),
    }
}

// ---------------------------------------------------------------------------------------
// credboard's own settings (TOML)
// ---------------------------------------------------------------------------------------

const DEFAULT_FILE: &str = include_str!("../assets/default-config.toml");

/// credboard's settings. Every key is optional; see assets/default-config.toml.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Seconds between automatic refreshes; 0 turns them off.
    pub refresh_interval: u64,
    /// Requests in flight at once during a refresh. 16 hides ~50 ms of latency well (16
    /// requests per round trip is ~320 credentials a second) while staying far from
    /// anything that looks like hammering the API or tripping its rate limits.
    pub concurrency: usize,
    /// Seconds before one API request is abandoned.
    pub request_timeout: u64,
    /// MiB of one API reply at most; reading stops past it.
    pub max_reply_mib: u64,
    /// Refuse revoke and rotate in every profile (unless a profile says otherwise).
    pub read_only: bool,
    pub thresholds: Thresholds,
    /// Per-profile settings, by cone profile name.
    pub profiles: BTreeMap<String, ProfileSettings>,
    /// Key binding overrides: action name -> keys. Names are checked by the keymap.
    #[serde(deserialize_with = "keys_map")]
    pub keys: BTreeMap<String, Vec<String>>,
    /// Colour overrides: role -> colour name or "#rrggbb". Checked by the UI.
    pub colors: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    /// Expiring within this many days: "expiring soon".
    pub expiring_soon_days: u32,
    /// Unused for this many days: "idle".
    pub idle_days: u32,
    /// Used within this many days: revoking asks to type the name.
    pub recent_use_days: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfileSettings {
    /// Overrides the global `read_only` for this profile when set.
    pub read_only: Option<bool>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            refresh_interval: 60,
            concurrency: crate::worker::DEFAULT_CONCURRENCY,
            request_timeout: 30,
            max_reply_mib: crate::api::client::DEFAULT_MAX_REPLY_MIB,
            read_only: false,
            thresholds: Thresholds::default(),
            profiles: BTreeMap::new(),
            keys: BTreeMap::new(),
            colors: BTreeMap::new(),
        }
    }
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            expiring_soon_days: 7,
            idle_days: 90,
            recent_use_days: 7,
        }
    }
}

/// `action = "q"` or `action = ["q", "ctrl-c"]`.
fn keys_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Vec<String>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    let raw = BTreeMap::<String, OneOrMany>::deserialize(d)?;
    Ok(raw
        .into_iter()
        .map(|(k, v)| {
            let keys = match v {
                OneOrMany::One(s) => vec![s],
                OneOrMany::Many(v) => v,
            };
            (k, keys)
        })
        .collect())
}

/// Which keys exist, for the unknown-key warnings. `*` matches any name (a map).
const KNOWN_KEYS: &[&str] = &[
    "refresh_interval",
    "concurrency",
    "request_timeout",
    "max_reply_mib",
    "read_only",
    "thresholds",
    "thresholds.expiring_soon_days",
    "thresholds.idle_days",
    "thresholds.recent_use_days",
    "profiles",
    "profiles.*",
    "profiles.*.read_only",
    "keys",
    "keys.*",
    "colors",
    "colors.*",
];

impl Settings {
    /// The default settings file, with comments.
    pub fn default_file_text() -> &'static str {
        DEFAULT_FILE
    }

    /// `<config dir>/config.toml`, e.g. ~/.config/credboard/config.toml on Linux.
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("dev", "credboard", "credboard")
            .map(|p| p.config_dir().join("config.toml"))
    }

    /// Whether revoke and rotate are refused for `profile`.
    pub fn is_read_only(&self, profile: &str) -> bool {
        self.profiles
            .get(profile)
            .and_then(|p| p.read_only)
            .unwrap_or(self.read_only)
    }

    /// Loads the settings from `path` (`--config`), or from [`Settings::default_path`].
    /// The default file missing gives the defaults; a `--config` file missing is an error.
    /// Returns warnings (unknown keys) to show the user.
    pub fn load(path: Option<&Path>) -> Result<(Settings, Vec<String>), ConfigError> {
        let (path, explicit) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => match Self::default_path() {
                Some(p) => (p, false),
                None => return Ok((Settings::default(), Vec::new())),
            },
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text, &path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
                Ok((Settings::default(), Vec::new()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(ConfigError::SettingsNotFound { path })
            }
            Err(source) => Err(ConfigError::Read { path, source }),
        }
    }

    /// Parses settings text; `path` only names the file in messages. Text that is not TOML
    /// of the right types is one error with its line and column. Every other mistake (a value
    /// out of range, a `[keys]` or `[colors]` entry that cannot be used, a client secret
    /// anywhere in the file) is named with its line, all of them at once. Unknown keys are
    /// warnings, with their line.
    pub fn parse(text: &str, path: &Path) -> Result<(Settings, Vec<String>), ConfigError> {
        let parse_err = |e: toml::de::Error| {
            let (line, column) = match e.span() {
                Some(span) => {
                    let (l, c) = line_col(text, span.start);
                    (Some(l), Some(c))
                }
                None => (None, None),
            };
            ConfigError::Settings {
                path: path.to_path_buf(),
                line,
                column,
                reason: hide_client_secrets(e.message().trim()),
            }
        };
        let invalid = |problems| ConfigError::SettingsInvalid {
            path: path.to_path_buf(),
            problems,
        };
        let parsed = DeTable::parse(text).map_err(parse_err)?;
        let doc = Located {
            text,
            table: parsed.get_ref(),
        };
        // Before anything is decoded: a decoding error quotes the value it could not use.
        let mut secrets = Vec::new();
        doc.misplaced_secrets(doc.table, "", &mut secrets);
        if !secrets.is_empty() {
            return Err(invalid(secrets));
        }
        let settings: Settings = toml::from_str(text).map_err(parse_err)?;
        let mut unknown = Vec::new();
        doc.unknown_keys(doc.table, "", &mut unknown);
        unknown.sort();
        let warnings = unknown
            .into_iter()
            .map(|(line, key)| {
                let hint = suggestion(&key)
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                format!(
                    "{}{}: unknown key `{key}`{hint}",
                    path.display(),
                    at_line(Some(line), None)
                )
            })
            .collect();
        let mut problems = settings.problems(&doc);
        problems.sort_by_key(|p| p.line);
        if problems.is_empty() {
            Ok((settings, warnings))
        } else {
            Err(invalid(problems))
        }
    }

    /// Everything wrong with values that decoded: ranges, `[keys]` and `[colors]`.
    fn problems(&self, doc: &Located) -> Vec<SettingsProblem> {
        let mut problems = Vec::new();
        let mut bad = |key: &[&str], message: String| {
            problems.push(SettingsProblem {
                line: doc.line_of(key),
                message,
            })
        };
        if (1..5).contains(&self.refresh_interval) {
            bad(
                &["refresh_interval"],
                "`refresh_interval` must be 0 (off) or at least 5 seconds".into(),
            );
        }
        if !(1..=64).contains(&self.concurrency) {
            bad(
                &["concurrency"],
                "`concurrency` must be between 1 and 64".into(),
            );
        }
        if !(1..=600).contains(&self.request_timeout) {
            bad(
                &["request_timeout"],
                "`request_timeout` must be between 1 and 600 seconds".into(),
            );
        }
        if !(1..=1024).contains(&self.max_reply_mib) {
            bad(
                &["max_reply_mib"],
                "`max_reply_mib` must be between 1 and 1024 MiB".into(),
            );
        }
        for (key, v) in [
            ("expiring_soon_days", self.thresholds.expiring_soon_days),
            ("idle_days", self.thresholds.idle_days),
        ] {
            if v == 0 {
                bad(
                    &["thresholds", key],
                    format!("`thresholds.{key}` must be at least 1 day"),
                );
            }
        }
        for p in Keymap::with_overrides(&self.keys).1 {
            bad(&["keys", &p.entry], p.to_string());
        }
        for p in Palette::with_overrides(&self.colors).1 {
            bad(&["colors", &p.entry], p.to_string());
        }
        problems
    }
}

/// A parsed settings file with its text, to say on which line a key is.
struct Located<'a> {
    text: &'a str,
    table: &'a DeTable<'a>,
}

impl Located<'_> {
    fn line(&self, span: std::ops::Range<usize>) -> usize {
        line_col(self.text, span.start).0
    }

    /// The line of the key at `path` (`["keys", "help"]`), if the file has it.
    fn line_of(&self, path: &[&str]) -> Option<usize> {
        let mut table = self.table;
        let (last, parents) = path.split_last()?;
        for part in parents {
            let (_, value) = table.iter().find(|(k, _)| k.get_ref() == part)?;
            table = value.get_ref().as_table()?;
        }
        let (key, _) = table.iter().find(|(k, _)| k.get_ref() == last)?;
        Some(self.line(key.span()))
    }

    /// A problem for every key or string in `table` that holds a client secret.
    fn misplaced_secrets(&self, table: &DeTable, prefix: &str, out: &mut Vec<SettingsProblem>) {
        let mut found = |span: std::ops::Range<usize>, place: String, text: &str| {
            if let Err(e) = refuse_misplaced_secret(place, text) {
                out.push(SettingsProblem {
                    line: Some(self.line(span)),
                    message: e.to_string(),
                });
                return true;
            }
            false
        };
        let mut tables = Vec::new();
        for (k, v) in table {
            if found(k.span(), "a key".into(), k.get_ref()) {
                continue;
            }
            let key = dotted(prefix, k.get_ref());
            let mut values = vec![v];
            while let Some(v) = values.pop() {
                match v.get_ref() {
                    DeValue::String(text) => {
                        found(v.span(), format!("`{key}`"), text);
                    }
                    DeValue::Array(items) => values.extend(items),
                    DeValue::Table(t) => tables.push((key.clone(), t)),
                    _ => {}
                }
            }
        }
        for (key, t) in tables {
            self.misplaced_secrets(t, &key, out);
        }
    }

    /// Every key path not in [`KNOWN_KEYS`] (not descending below one), with its line.
    fn unknown_keys(&self, table: &DeTable, prefix: &str, out: &mut Vec<(usize, String)>) {
        for (k, v) in table {
            let key = dotted(prefix, k.get_ref());
            if !is_known(&key) {
                out.push((self.line(k.span()), key));
            } else if let DeValue::Table(t) = v.get_ref() {
                self.unknown_keys(t, &key, out);
            }
        }
    }
}

fn dotted(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn is_known(key: &str) -> bool {
    KNOWN_KEYS.iter().any(|pattern| {
        let mut p = pattern.split('.');
        let mut k = key.split('.');
        loop {
            match (p.next(), k.next()) {
                (None, None) => return true,
                (Some(a), Some(b)) if a == "*" || a == b => {}
                _ => return false,
            }
        }
    })
}

/// The closest known key (same depth, edit distance at most 3), for a typo.
fn suggestion(key: &str) -> Option<String> {
    let (parent, last) = key.rsplit_once('.').unwrap_or(("", key));
    KNOWN_KEYS
        .iter()
        .filter(|k| !k.contains('*'))
        .filter_map(|k| {
            let (kp, kl) = k.rsplit_once('.').unwrap_or(("", k));
            (kp == parent).then(|| (edit_distance(last, kl), *k))
        })
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, k)| k.to_string())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checked by the compiler (the closures are never called): cone's file text and the
    /// secrets taken from it, the environment or a flag are wiped when dropped.
    #[test]
    fn the_texts_that_hold_a_client_secret_are_wiped_on_drop() {
        fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>(_: impl FnOnce() -> T) {}
        wiped_on_drop(|| read_wiped(Path::new("config.yaml")).unwrap());
        wiped_on_drop(|| ConeProfile::default().client_secret.unwrap());
        wiped_on_drop(|| first_secret(Vec::new()).unwrap().0);
        let chosen = first_secret(vec![
            (
                Some(SecretString::new("  ")),
                ValueSource::Flag("--client-secret"),
            ),
            (Some(SecretString::new(" secret ")), ValueSource::Default),
        ]);
        assert_eq!(
            chosen.map(|(s, _)| s.expose().to_string()),
            Some("secret".into())
        );
    }

    #[test]
    fn redact_hides_secret_tokens() {
        assert_eq!(
            redact("invalid type: string \"secret-token:a:b:c\", expected x"),
            "invalid type: string \"[redacted]\", expected x"
        );
        assert_eq!(redact("nothing here"), "nothing here");
        assert_eq!(
            redact("invalid type: string \"hunter2\", expected a map"),
            "invalid type: string \"[redacted]\", expected a map"
        );
        assert_eq!(redact("a \"b\" c \"d"), "a \"[redacted]\" c \"[redacted]");
        assert_eq!(
            redact("x secret-token:a:b y"),
            "x [a client secret, not printed] y"
        );
    }

    #[test]
    fn line_and_column_from_offset() {
        assert_eq!(line_col("ab\ncd\nef", 0), (1, 1));
        assert_eq!(line_col("ab\ncd\nef", 4), (2, 2));
        assert_eq!(line_col("ab\ncd\nef", 6), (3, 1));
    }

    #[test]
    fn known_keys_match_patterns() {
        assert!(is_known("profiles.prod.read_only"));
        assert!(is_known("keys.quit"));
        assert!(!is_known("profiles.prod.readonly"));
        assert!(!is_known("refresh_intervall"));
        assert_eq!(
            suggestion("refresh_intervall").as_deref(),
            Some("refresh_interval")
        );
        assert_eq!(
            suggestion("thresholds.idle_dayz").as_deref(),
            Some("thresholds.idle_days")
        );
        assert_eq!(suggestion("zzzzzzzzzzzz"), None);
    }
}

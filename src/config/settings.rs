//! credboard's own settings: a TOML file of intervals, thresholds, read-only, key bindings
//! and colours. Every mistake is named with the file and its line; what `[keys]` and
//! `[colors]` may hold is checked by the layers that use them, through [`SettingsFile`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize};

pub use super::audit::{AuditSettings, MuteSetting};
use super::file::SettingsFile;
use super::{ConfigError, SettingsProblem};
use crate::audit::catalog::CheckId;
use crate::audit::mutes::parse_until;

const DEFAULT_FILE: &str = include_str!("../../assets/default-config.toml");

/// Requests in flight at once when the settings do not say (`concurrency` in the settings).
///
/// credboard's own work is not the limit of a refresh (BENCHMARKS.md: within a few per cent
/// of the latency bound at every concurrency from 1 to 64), so the choice is what to ask of a
/// tenant whose rate limit is not published. 16 refreshes a thousand credentials in about 4 s
/// when a request takes 50 ms; 32 would save 2 s per thousand for twice the burst. A tenant
/// that pushes back (429, 503) gets fewer anyway: the limiter halves from here.
pub const DEFAULT_CONCURRENCY: usize = 16;

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
    /// Days the change log keeps what each refresh saw change.
    pub changes_keep_days: u32,
    pub thresholds: Thresholds,
    /// The audit's thresholds and mutes.
    pub audit: AuditSettings,
    /// Per-profile settings, by cone profile name.
    pub profiles: BTreeMap<String, ProfileSettings>,
    /// Key binding overrides: action name -> keys. Names are checked by the keymap.
    #[serde(deserialize_with = "keys_map")]
    pub keys: BTreeMap<String, Vec<String>>,
    /// Colour overrides: role -> colour name or "#rrggbb". Checked by the UI.
    pub colors: BTreeMap<String, String>,
    /// Saved views of the dashboard, by name (`[views.NAME]`): the filter is checked here,
    /// the sort and columns by the dashboard.
    pub views: BTreeMap<String, ViewSetting>,
    /// The dashboard's table (`[table]`).
    pub table: TableSetting,
}

/// `[table]`: `columns = ["name", "app:20", "lastused", "status"]`, the columns in order,
/// each optionally `:WIDTH` in cells; checked by the dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TableSetting {
    pub columns: Option<Vec<String>>,
}

/// One `[views.NAME]`: `filter = "app:okta lastused>90d"`, `sort = "lastused:desc"`,
/// `columns = ["name", "app", "lastused"]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ViewSetting {
    pub filter: Option<String>,
    pub sort: Option<String>,
    pub columns: Option<Vec<String>>,
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
            concurrency: DEFAULT_CONCURRENCY,
            request_timeout: 30,
            max_reply_mib: crate::api::client::DEFAULT_MAX_REPLY_MIB,
            read_only: false,
            changes_keep_days: crate::changes::DEFAULT_KEEP_DAYS,
            thresholds: Thresholds::default(),
            audit: AuditSettings::default(),
            profiles: BTreeMap::new(),
            keys: BTreeMap::new(),
            colors: BTreeMap::new(),
            views: BTreeMap::new(),
            table: TableSetting::default(),
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

    /// [`SettingsFile::read`] with no checks but config's own.
    pub fn load(path: Option<&Path>) -> Result<(Settings, Vec<String>), ConfigError> {
        SettingsFile::read(path)?.finish(Vec::new())
    }

    /// [`SettingsFile::parse`] with no checks but config's own.
    pub fn parse(text: &str, path: &Path) -> Result<(Settings, Vec<String>), ConfigError> {
        SettingsFile::parse(text, path)?.finish(Vec::new())
    }

    /// Everything config can tell is wrong with values that decoded: ranges, and a `[keys]`
    /// entry without a key. Whether a key or a colour can be used is for the layers that
    /// use them to say ([`SettingsFile::finish`]).
    pub(super) fn problems(&self, file: &SettingsFile) -> Vec<SettingsProblem> {
        let mut problems = Vec::new();
        let mut bad = |key: &[&str], message: String| {
            problems.push(SettingsProblem {
                line: file.line_of(key),
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
        if !(1..=3650).contains(&self.changes_keep_days) {
            bad(
                &["changes_keep_days"],
                "`changes_keep_days` must be between 1 and 3650 days".into(),
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
        for (name, view) in &self.views {
            if let Some(Err(e)) = view.filter.as_deref().map(crate::query::Query::parse) {
                bad(
                    &["views", name, "filter"],
                    format!(
                        "`views.{name}.filter`: {} (at byte {} of the filter)",
                        e.message, e.span.start
                    ),
                );
            }
        }
        for (action, keys) in &self.keys {
            if keys.is_empty() {
                bad(&["keys", action], format!("`keys.{action}` has no key"));
            }
        }
        let a = &self.audit;
        for (key, v, max) in [
            ("rotation_days", a.rotation_days, 3650),
            ("unused_days", a.unused_days, 3650),
            ("never_used_grace_days", a.never_used_grace_days, 3650),
            ("overlap_days", a.overlap_days, 3650),
            ("expiry_warning_days", a.expiry_warning_days, 3650),
            ("fetch_stale_hours", a.fetch_stale_hours, 8760),
        ] {
            if !(1..=max).contains(&v) {
                bad(
                    &["audit", key],
                    format!("`audit.{key}` must be between 1 and {max}"),
                );
            }
        }
        for (i, mute) in a.mutes.iter().enumerate() {
            let index = i.to_string();
            let at = |key: &str| {
                let path = ["audit", "mute", index.as_str(), key];
                match file.line_of(&path) {
                    Some(line) => Some(line),
                    None => file.line_of(&path[..3]),
                }
            };
            let n = i + 1;
            let mut wrong = |key: &str, message: String| {
                problems.push(SettingsProblem {
                    line: at(key),
                    message: format!("`[[audit.mute]]` number {n}: {message}"),
                })
            };
            if let Err(e) = mute.check.parse::<CheckId>() {
                wrong("check", e.to_string());
            }
            match (&mute.credential, &mute.connector) {
                (Some(_), None) | (None, Some(_)) => {}
                _ => wrong(
                    "credential",
                    "name exactly one of `credential = \"ID\"` and `connector = \"ID\"`".into(),
                ),
            }
            if mute.reason.trim().is_empty() {
                wrong(
                    "reason",
                    "`reason` must say why the finding is accepted".into(),
                );
            }
            if let Err(e) = parse_until(&mute.until) {
                wrong("until", format!("`until` must be its last day: {e}"));
            }
        }
        problems
    }
}

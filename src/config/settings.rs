//! credboard's own settings: a TOML file of intervals, thresholds, read-only, key bindings
//! and colours. Every mistake is named with the file and its line; what `[keys]` and
//! `[colors]` may hold is checked by the layers that use them, through [`SettingsFile`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize};
use toml::de::{DeTable, DeValue};

pub use super::audit::{AuditSettings, MuteSetting};
use super::{ConfigError, SettingsProblem, at_line};
use crate::api::secret::{hide_client_secrets, refuse_misplaced_secret};
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
    "changes_keep_days",
    "thresholds",
    "thresholds.expiring_soon_days",
    "thresholds.idle_days",
    "thresholds.recent_use_days",
    "audit",
    "audit.rotation_days",
    "audit.unused_days",
    "audit.never_used_grace_days",
    "audit.overlap_days",
    "audit.expiry_warning_days",
    "audit.fetch_stale_hours",
    "audit.mute",
    "audit.mute.check",
    "audit.mute.credential",
    "audit.mute.connector",
    "audit.mute.reason",
    "audit.mute.until",
    "profiles",
    "profiles.*",
    "profiles.*.read_only",
    "keys",
    "keys.*",
    "colors",
    "colors.*",
    "views",
    "views.*",
    "views.*.filter",
    "views.*.sort",
    "views.*.columns",
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
    fn problems(&self, file: &SettingsFile) -> Vec<SettingsProblem> {
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

/// A settings file that parsed, with the problems config found in it and the line of each
/// key, so that the layers that read `[keys]` and `[colors]` can check them and have their
/// problems named with file and line like the rest ([`SettingsFile::finish`]).
#[derive(Debug)]
pub struct SettingsFile {
    pub settings: Settings,
    path: PathBuf,
    warnings: Vec<String>,
    problems: Vec<SettingsProblem>,
    lines: BTreeMap<Vec<String>, usize>,
}

impl SettingsFile {
    /// Reads the settings from `path` (`--config`), or from [`Settings::default_path`].
    /// The default file missing gives the defaults; a `--config` file missing is an error.
    pub fn read(path: Option<&Path>) -> Result<SettingsFile, ConfigError> {
        let (path, explicit) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => match Settings::default_path() {
                Some(p) => (p, false),
                None => return Ok(SettingsFile::defaults(PathBuf::new())),
            },
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text, &path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
                Ok(SettingsFile::defaults(path))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(ConfigError::SettingsNotFound { path })
            }
            Err(source) => Err(ConfigError::Read { path, source }),
        }
    }

    fn defaults(path: PathBuf) -> SettingsFile {
        SettingsFile {
            settings: Settings::default(),
            path,
            warnings: Vec::new(),
            problems: Vec::new(),
            lines: BTreeMap::new(),
        }
    }

    /// Parses settings text; `path` only names the file in messages. Text that is not TOML
    /// of the right types, or that holds a client secret anywhere, is an error at once (with
    /// its line). Values out of range are kept for [`SettingsFile::finish`], to be named with
    /// the others. Unknown keys are warnings, with their line.
    pub fn parse(text: &str, path: &Path) -> Result<SettingsFile, ConfigError> {
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
        let parsed = DeTable::parse(text).map_err(parse_err)?;
        let doc = Located {
            text,
            table: parsed.get_ref(),
        };
        // Before anything is decoded: a decoding error quotes the value it could not use.
        let mut secrets = Vec::new();
        doc.misplaced_secrets(doc.table, "", &mut secrets);
        if !secrets.is_empty() {
            return Err(ConfigError::SettingsInvalid {
                path: path.to_path_buf(),
                problems: secrets,
            });
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
        let mut lines = BTreeMap::new();
        doc.key_lines(doc.table, &[], &mut lines);
        let mut file = SettingsFile {
            settings,
            path: path.to_path_buf(),
            warnings,
            problems: Vec::new(),
            lines,
        };
        file.problems = file.settings.problems(&file);
        Ok(file)
    }

    /// The line of the key at `path` (`["keys", "help"]`), if the file has it.
    pub fn line_of(&self, path: &[&str]) -> Option<usize> {
        let path: Vec<String> = path.iter().map(|p| p.to_string()).collect();
        self.lines.get(&path).copied()
    }

    /// The settings and the warnings to show, or every problem at once, config's and the
    /// `more` that others found (a problem found twice is named once), in the file's order.
    pub fn finish(
        self,
        more: Vec<SettingsProblem>,
    ) -> Result<(Settings, Vec<String>), ConfigError> {
        let mut seen = std::collections::HashSet::new();
        let mut problems: Vec<SettingsProblem> = self
            .problems
            .into_iter()
            .chain(more)
            .filter(|p| seen.insert(p.clone()))
            .collect();
        problems.sort_by_key(|p| p.line);
        if problems.is_empty() {
            Ok((self.settings, self.warnings))
        } else {
            Err(ConfigError::SettingsInvalid {
                path: self.path,
                problems,
            })
        }
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

    /// The line of every key in `table`, by its path (`["keys", "help"]`).
    fn key_lines(
        &self,
        table: &DeTable,
        prefix: &[String],
        out: &mut BTreeMap<Vec<String>, usize>,
    ) {
        for (k, v) in table {
            let mut path = prefix.to_vec();
            path.push(k.get_ref().to_string());
            match v.get_ref() {
                DeValue::Table(t) => self.key_lines(t, &path, out),
                // `[[audit.mute]]`: each table under its index, at its header's line.
                DeValue::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if let DeValue::Table(t) = item.get_ref() {
                            let mut at = path.clone();
                            at.push(i.to_string());
                            self.key_lines(t, &at, out);
                            out.insert(at, self.line(item.span()));
                        }
                    }
                }
                _ => {}
            }
            out.insert(path, self.line(k.span()));
        }
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
                continue;
            }
            match v.get_ref() {
                DeValue::Table(t) => self.unknown_keys(t, &key, out),
                DeValue::Array(items) => {
                    for item in items.iter() {
                        if let DeValue::Table(t) = item.get_ref() {
                            self.unknown_keys(t, &key, out);
                        }
                    }
                }
                _ => {}
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
            (kp == parent).then(|| (strsim::levenshtein(last, kl), *k))
        })
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, k)| k.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn problems_found_elsewhere_are_named_with_their_line_once() {
        let file = SettingsFile::parse(
            "concurrency = 0\n[keys]\nquit = []\nhelp = \"?\"\n",
            Path::new("/cfg/config.toml"),
        )
        .unwrap();
        assert_eq!(file.line_of(&["keys", "help"]), Some(4));
        assert_eq!(file.line_of(&["keys", "nope"]), None);
        let elsewhere = vec![
            SettingsProblem {
                line: file.line_of(&["keys", "help"]),
                message: "`keys.help` is taken".into(),
            },
            SettingsProblem {
                line: Some(3),
                message: "`keys.quit` has no key".into(),
            },
        ];
        let message = file.finish(elsewhere).unwrap_err().to_string();
        assert_eq!(
            message,
            "3 problems in the settings:\n\
             /cfg/config.toml, line 1: `concurrency` must be between 1 and 64\n\
             /cfg/config.toml, line 3: `keys.quit` has no key\n\
             /cfg/config.toml, line 4: `keys.help` is taken"
        );
    }
}

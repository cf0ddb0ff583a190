//! A settings file as read from disk: parsed, checked, every problem named with its line,
//! unknown keys warned about with the nearest known one. `settings` holds what it parses to.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use super::settings::Settings;
use super::{ConfigError, SettingsProblem, at_line};
use crate::api::secret::{hide_client_secrets, refuse_misplaced_secret};

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
    "table",
    "table.columns",
];

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
                // `[[audit.mute]]`: each table under its index, at its header's line; each
                // item of a list of values (`columns = [...]`) under its index, at its line.
                DeValue::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let mut at = path.clone();
                        at.push(i.to_string());
                        if let DeValue::Table(t) = item.get_ref() {
                            self.key_lines(t, &at, out);
                        }
                        out.insert(at, self.line(item.span()));
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

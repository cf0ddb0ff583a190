//! Who credboard talks to: cone's config.yaml, the environment and the flags, resolved into
//! one profile (flag > environment > file) with where each value came from.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::ConfigError;
use crate::api::secret::{hide_client_secrets, refuse_misplaced_secret};
use crate::api::{ClientSecret, SecretString};

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
}

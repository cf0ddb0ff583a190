//! Configuration: cone's profiles, the environment and flags (precedence, errors, the
//! permission warning), and credboard's TOML settings.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use credboard::config::{
    ConfigError, ProfileFlags, ResolvedProfile, Settings, ValueSource, resolve_profile,
};

/// The published baton-sdk test vector (an already revoked dev credential).
const SECRET_A: &str = "secret-token:conductorone.com:v1:eyJrdHkiOiJPS1AiLCJjcnYiOiJFZDI1NTE5IiwieCI6InpwM1BXY2NTQlZPdGhTTnN5ck1zVGVFaDlpTjhTWTNnSDZfcDBEUkZaTWMiLCJkIjoielkzTzFybnItQUV3NW0wbVpCTzBjSEZpWWoxTmlSdk1pU1Y1X1Ffa0tiZyJ9";
/// The same with `"kty":"OKP"` turned into `"kty":2OKP"`: must be refused.
const BAD_SECRET: &str = "secret-token:conductorone.com:v1:eyJrdHkiOjJPS1AiLCJjcnYiOiJFZDI1NTE5IiwieCI6InpwM1BXY2NTQlZPdGhTTnN5ck1zVGVFaDlpTjhTWTNnSDZfcDBEUkZaTWMiLCJkIjoielkzTzFybnItQUV3NW0wbVpCTzBjSEZpWWoxTmlSdk1pU1Y1X1Ffa0tiZyJ9";
const PUBLIC_A: &str = "zp3PWccSBVOthSNsyrMsTeEh9iN8SY3gH6_p0DRFZMc";

struct Env(HashMap<&'static str, String>);

impl Env {
    fn new(vars: &[(&'static str, &str)]) -> Self {
        Env(vars.iter().map(|(k, v)| (*k, v.to_string())).collect())
    }
    fn get(&self) -> impl Fn(&str) -> Option<String> + '_ {
        |name| self.0.get(name).cloned()
    }
}

/// A home directory with cone's file holding `yaml`, mode 600.
fn home_with(yaml: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join(".conductorone");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("config.yaml");
    std::fs::write(&file, yaml).unwrap();
    set_mode(&file, 0o600);
    home
}

fn set_mode(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

fn cone_yaml() -> String {
    format!(
        "# cone's config\nprofiles:\n  default:\n    client-id: file-default@acme.conductor.one/pcc\n    client-secret: {SECRET_A}\n  prod:\n    client-id: file-prod@prod.conductor.one/pcc\n    client-secret: {SECRET_A}\n  partial:\n    client-id: only-id@acme.conductor.one/pcc\n"
    )
}

fn resolve(
    flags: &ProfileFlags,
    env: &Env,
    home: Option<&Path>,
) -> Result<ResolvedProfile, ConfigError> {
    resolve_profile(flags, &env.get(), home)
}

fn cone_file(home: &Path) -> PathBuf {
    home.join(".conductorone/config.yaml")
}

#[test]
fn the_cone_file_works_as_is() {
    let home = home_with(&cone_yaml());
    let p = resolve(&ProfileFlags::default(), &Env::new(&[]), Some(home.path())).unwrap();
    assert!(p.is_configured());
    assert_eq!(p.name, "default");
    assert_eq!(
        p.client_id.as_deref(),
        Some("file-default@acme.conductor.one/pcc")
    );
    assert_eq!(
        credboard::api::auth::public_key_b64(&p.client_secret.as_ref().unwrap().public_key()),
        PUBLIC_A
    );
    assert_eq!(p.api_endpoint, None);
    assert_eq!(p.sources.profile, ValueSource::Default);
    assert_eq!(
        p.sources.client_id,
        Some(ValueSource::ConeFile {
            path: cone_file(home.path()),
            profile: "default".into()
        })
    );
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let line = p.describe_sources();
    assert!(
        line.contains("client id from profile `default` of"),
        "{line}"
    );
    assert!(!format!("{p:?}").contains(SECRET_A));
}

#[test]
fn the_profile_comes_from_the_flag_then_cone_profile() {
    let home = home_with(&cone_yaml());
    let env = Env::new(&[("CONE_PROFILE", "prod")]);
    let p = resolve(&ProfileFlags::default(), &env, Some(home.path())).unwrap();
    assert_eq!(p.name, "prod");
    assert_eq!(p.sources.profile, ValueSource::Env("CONE_PROFILE"));
    assert_eq!(
        p.client_id.as_deref(),
        Some("file-prod@prod.conductor.one/pcc")
    );
    let flags = ProfileFlags {
        profile: Some("default".into()),
        ..Default::default()
    };
    let p = resolve(&flags, &env, Some(home.path())).unwrap();
    assert_eq!(p.name, "default");
    assert_eq!(p.sources.profile, ValueSource::Flag("--profile"));
}

#[test]
fn flag_beats_env_beats_file() {
    let home = home_with(&cone_yaml());
    let flags = ProfileFlags {
        client_id: Some("flag@acme.conductor.one/pcc".into()),
        api_endpoint: Some("flag.example:8443".into()),
        ..Default::default()
    };
    let env = Env::new(&[
        ("CONE_CLIENT_ID", "cone-env@acme.conductor.one/pcc"),
        ("CONDUCTORONE_CLIENT_ID", "sdk-env@acme.conductor.one/pcc"),
        ("CONE_API_ENDPOINT", "https://cone-env.example"),
        ("CONDUCTORONE_SERVER_URL", "https://sdk-env.example"),
    ]);
    let p = resolve(&flags, &env, Some(home.path())).unwrap();
    assert_eq!(p.client_id.as_deref(), Some("flag@acme.conductor.one/pcc"));
    assert_eq!(p.sources.client_id, Some(ValueSource::Flag("--client-id")));
    assert_eq!(p.api_endpoint.as_deref(), Some("flag.example:8443"));
    // The secret was given by no flag or env: it still comes from the file.
    assert!(matches!(
        p.sources.client_secret,
        Some(ValueSource::ConeFile { .. })
    ));

    let p = resolve(&ProfileFlags::default(), &env, Some(home.path())).unwrap();
    assert_eq!(
        p.client_id.as_deref(),
        Some("cone-env@acme.conductor.one/pcc")
    );
    assert_eq!(
        p.sources.client_id,
        Some(ValueSource::Env("CONE_CLIENT_ID"))
    );
    assert_eq!(p.api_endpoint.as_deref(), Some("https://cone-env.example"));

    let env = Env::new(&[
        ("CONE_CLIENT_ID", ""),
        ("CONDUCTORONE_CLIENT_ID", "sdk-env@acme.conductor.one/pcc"),
        ("CONDUCTORONE_SERVER_URL", "https://sdk-env.example"),
        ("CONDUCTORONE_CLIENT_SECRET", SECRET_A),
    ]);
    let p = resolve(&ProfileFlags::default(), &env, Some(home.path())).unwrap();
    assert_eq!(
        p.client_id.as_deref(),
        Some("sdk-env@acme.conductor.one/pcc"),
        "an empty value counts as unset"
    );
    assert_eq!(
        p.sources.client_secret,
        Some(ValueSource::Env("CONDUCTORONE_CLIENT_SECRET"))
    );
    assert_eq!(p.api_endpoint.as_deref(), Some("https://sdk-env.example"));
}

#[test]
fn env_alone_is_enough_and_an_access_token_too() {
    let env = Env::new(&[
        ("CONE_CLIENT_ID", "e@acme.conductor.one/pcc"),
        ("CONE_CLIENT_SECRET", SECRET_A),
    ]);
    let p = resolve(&ProfileFlags::default(), &env, None).unwrap();
    assert!(p.is_configured());
    assert_eq!(p.access_token, None);

    let env = Env::new(&[("CONDUCTORONE_ACCESS_TOKEN", "tok-123")]);
    let p = resolve(&ProfileFlags::default(), &env, None).unwrap();
    assert!(p.is_configured());
    assert_eq!(p.access_token.as_ref().unwrap().expose(), "tok-123");
    assert!(!format!("{p:?}").contains("tok-123"));
    assert!(p.describe_sources().contains("CONDUCTORONE_ACCESS_TOKEN"));
}

#[test]
fn cone_config_path_moves_the_file() {
    let elsewhere = tempfile::tempdir().unwrap();
    let file = elsewhere.path().join("config.yaml");
    std::fs::write(&file, cone_yaml()).unwrap();
    set_mode(&file, 0o600);
    let env = Env::new(&[("CONE_CONFIG_PATH", elsewhere.path().to_str().unwrap())]);
    let home = tempfile::tempdir().unwrap(); // has no cone file
    let p = resolve(&ProfileFlags::default(), &env, Some(home.path())).unwrap();
    assert_eq!(
        p.sources.client_id,
        Some(ValueSource::ConeFile {
            path: file,
            profile: "default".into()
        })
    );
}

#[test]
fn a_missing_profile_names_the_file_and_what_it_has() {
    let home = home_with(&cone_yaml());
    let flags = ProfileFlags {
        profile: Some("staging".into()),
        ..Default::default()
    };
    let err = resolve(&flags, &Env::new(&[]), Some(home.path())).unwrap_err();
    assert!(
        matches!(err, ConfigError::ProfileNotFound { .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("no profile `staging`"), "{msg}");
    assert!(msg.contains("default, partial, prod"), "{msg}");
}

#[test]
fn half_a_credential_says_what_is_missing() {
    let home = home_with(&cone_yaml());
    let flags = ProfileFlags {
        profile: Some("partial".into()),
        ..Default::default()
    };
    let err = resolve(&flags, &Env::new(&[]), Some(home.path())).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("no client secret"), "{msg}");
    assert!(msg.contains("CONE_CLIENT_SECRET"), "{msg}");
}

#[test]
fn nothing_configured_says_how_and_mentions_demo() {
    let home = tempfile::tempdir().unwrap();
    let err = resolve(&ProfileFlags::default(), &Env::new(&[]), Some(home.path())).unwrap_err();
    assert!(matches!(err, ConfigError::NotConfigured { .. }), "{err:?}");
    let msg = err.to_string();
    for needle in [
        "--demo",
        "config.yaml",
        "CONE_CLIENT_ID",
        "--client-id",
        "client-secret",
    ] {
        assert!(msg.contains(needle), "{needle} missing from: {msg}");
    }
    // Without a home directory at all, the same.
    let err = resolve(&ProfileFlags::default(), &Env::new(&[]), None).unwrap_err();
    assert!(matches!(err, ConfigError::NotConfigured { .. }));
}

#[test]
fn a_malformed_secret_names_its_source_never_its_text() {
    let leak = "secret-token:conductorone.com:v2:LEAKME";
    let home = home_with(&format!(
        "profiles:\n  default:\n    client-id: a@acme.conductor.one/pcc\n    client-secret: {BAD_SECRET}\n"
    ));
    // From the file.
    let err = resolve(&ProfileFlags::default(), &Env::new(&[]), Some(home.path())).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, ConfigError::BadSecret { .. }), "{err:?}");
    assert!(msg.contains("profile `default` of"), "{msg}");
    assert!(msg.contains("config.yaml"), "{msg}");
    assert!(
        !msg.contains(BAD_SECRET) && !msg.contains("eyJrdHki"),
        "{msg}"
    );
    assert!(!format!("{err:?}").contains("eyJrdHki"));

    // From each environment name and the flag.
    for (name, src) in [
        ("CONE_CLIENT_SECRET", "CONE_CLIENT_SECRET"),
        ("CONDUCTORONE_CLIENT_SECRET", "CONDUCTORONE_CLIENT_SECRET"),
    ] {
        let env = Env::new(&[(name, leak), ("CONE_CLIENT_ID", "a@b/c")]);
        let msg = resolve(&ProfileFlags::default(), &env, None)
            .unwrap_err()
            .to_string();
        assert!(msg.contains(src), "{msg}");
        assert!(!msg.contains("LEAKME"), "{msg}");
    }
    let flags = ProfileFlags {
        client_secret: Some(leak.into()),
        ..Default::default()
    };
    let msg = resolve(&flags, &Env::new(&[]), Some(home.path()))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("--client-secret flag"), "{msg}");
    assert!(!msg.contains("LEAKME"), "{msg}");
}

#[test]
fn a_broken_cone_file_gives_a_line_and_no_secret() {
    let home = home_with(&format!(
        "profiles:\n  default:\n    client-id: a\n    client-secret: {SECRET_A}\n  bad: [unclosed\n"
    ));
    let err = resolve(&ProfileFlags::default(), &Env::new(&[]), Some(home.path())).unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, ConfigError::ConeFile { line: Some(_), .. }),
        "{err:?}"
    );
    assert!(msg.contains("config.yaml, line"), "{msg}");
    assert!(!msg.contains("eyJrdHki"), "{msg}");

    let home = home_with(&format!("profiles: {SECRET_A}\n"));
    let msg = resolve(&ProfileFlags::default(), &Env::new(&[]), Some(home.path()))
        .unwrap_err()
        .to_string();
    assert!(!msg.contains("eyJrdHki"), "{msg}");
}

#[cfg(unix)]
#[test]
fn a_cone_file_readable_by_others_warns() {
    let home = home_with(&cone_yaml());
    set_mode(&cone_file(home.path()), 0o644);
    let p = resolve(&ProfileFlags::default(), &Env::new(&[]), Some(home.path())).unwrap();
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    assert!(p.warnings[0].contains("readable by group or others"));
    assert!(p.warnings[0].contains("chmod 600"));
    set_mode(&cone_file(home.path()), 0o640);
    let p = resolve(&ProfileFlags::default(), &Env::new(&[]), Some(home.path())).unwrap();
    assert_eq!(p.warnings.len(), 1);
}

// ----- settings -----

fn parse(text: &str) -> Result<(Settings, Vec<String>), ConfigError> {
    Settings::parse(text, Path::new("/cfg/config.toml"))
}

#[test]
fn the_default_file_is_exactly_the_defaults() {
    let (s, warnings) = parse(Settings::default_file_text()).unwrap();
    assert_eq!(s, Settings::default());
    assert!(warnings.is_empty(), "{warnings:?}");
    let d = Settings::default();
    assert_eq!(d.refresh_interval, 60);
    assert_eq!(d.concurrency, 16);
    assert!(!d.read_only);
    assert_eq!(d.thresholds.expiring_soon_days, 7);
    assert_eq!(d.thresholds.idle_days, 90);
    assert_eq!(d.thresholds.recent_use_days, 7);
    // An empty file too.
    assert_eq!(parse("").unwrap().0, Settings::default());
}

#[test]
fn settings_are_read() {
    let (s, warnings) = parse(
        r##"
refresh_interval = 120
concurrency = 4
read_only = true
[thresholds]
idle_days = 30
[profiles.dev]
read_only = false
[profiles.prod]
[keys]
quit = "x"
refresh = ["r", "f5"]
[colors]
expired = "#ff0000"
"##,
    )
    .unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(s.refresh_interval, 120);
    assert_eq!(s.concurrency, 4);
    assert_eq!(s.thresholds.idle_days, 30);
    assert_eq!(s.thresholds.expiring_soon_days, 7);
    assert!(
        !s.is_read_only("dev"),
        "a profile overrides the global flag"
    );
    assert!(s.is_read_only("prod"));
    assert!(s.is_read_only("other"));
    assert_eq!(s.keys["quit"], vec!["x"]);
    assert_eq!(s.keys["refresh"], vec!["r", "f5"]);
    assert_eq!(s.colors["expired"], "#ff0000");

    let (s, _) = parse("[profiles.prod]\nread_only = true\n").unwrap();
    assert!(s.is_read_only("prod"));
    assert!(!s.is_read_only("default"));
}

#[test]
fn unknown_keys_warn_and_name_the_key() {
    let (s, warnings) = parse(
        "refresh_intervall = 5\nconcurrency = 8\n[thresholds]\nidle_dayz = 3\n[profiles.prod]\nreadonly = true\n[colours]\nx = 1\n",
    )
    .unwrap();
    assert_eq!(s.concurrency, 8);
    assert_eq!(
        warnings,
        vec![
            "/cfg/config.toml, line 1: unknown key `refresh_intervall` (did you mean `refresh_interval`?)",
            "/cfg/config.toml, line 4: unknown key `thresholds.idle_dayz` (did you mean `thresholds.idle_days`?)",
            "/cfg/config.toml, line 6: unknown key `profiles.prod.readonly`",
            "/cfg/config.toml, line 7: unknown key `colours` (did you mean `colors`?)",
        ]
    );
}

#[test]
fn a_parse_error_gives_file_line_and_reason() {
    let err = parse("concurrency = 4\n\nrefresh_interval = = 3\n").unwrap_err();
    match &err {
        ConfigError::Settings { line, .. } => assert_eq!(*line, Some(3)),
        other => panic!("{other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.starts_with("/cfg/config.toml, line 3, column"), "{msg}");

    // A wrong type is located too.
    let err = parse("concurrency = 4\n[thresholds]\nidle_days = \"ninety\"\n").unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("line 3"), "{msg}");
}

#[test]
fn out_of_range_values_are_refused() {
    for (text, key) in [
        ("concurrency = 0", "concurrency"),
        ("concurrency = 1000", "concurrency"),
        ("refresh_interval = 2", "refresh_interval"),
        ("[thresholds]\nidle_days = 0", "thresholds.idle_days"),
        ("[keys]\nquit = []", "keys.quit"),
    ] {
        let msg = parse(text).unwrap_err().to_string();
        assert!(msg.contains(&format!("`{key}`")), "{text}: {msg}");
    }
    assert_eq!(parse("refresh_interval = 0").unwrap().0.refresh_interval, 0);
}

#[test]
fn loading_files() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.toml");
    let err = Settings::load(Some(&missing)).unwrap_err();
    assert!(
        matches!(err, ConfigError::SettingsNotFound { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("nope.toml"));

    let file = dir.path().join("config.toml");
    std::fs::write(&file, "concurrency = 3\nbogus = 1\n").unwrap();
    let (s, warnings) = Settings::load(Some(&file)).unwrap();
    assert_eq!(s.concurrency, 3);
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].contains(&file.display().to_string()));
    assert!(warnings[0].contains("`bogus`"));

    assert!(
        Settings::default_path()
            .map(|p| p.ends_with("config.toml"))
            .unwrap_or(true)
    );
}

// ----- settings, through the binary -----

/// The binary with a clean environment and an empty home.
fn credboard(home: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("credboard").unwrap();
    cmd.env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    cmd
}

/// Each bad settings file, checked with `credboard config` and used by a command: exit 2,
/// and the message names the file, the line and the problem.
#[test]
fn bad_settings_files_name_the_file_and_the_line() {
    let home = tempfile::tempdir().unwrap();
    let cases: &[(&str, &str, usize, &str)] = &[
        (
            "unknown action",
            "concurrency = 4\n[keys]\nfrobnicate = \"x\"\n",
            3,
            "`keys.frobnicate` is not an action",
        ),
        (
            "two actions of the list on one key",
            "[keys]\nhelp = \"r\"\n",
            2,
            "`keys.help` uses r, which `refresh` also uses in the list",
        ),
        (
            "two overrides on one key",
            "[keys]\nhelp = \"f1\"\n\nerrors = [\"E\", \"F1\"]\n",
            2,
            "`keys.help` uses F1, which `errors` also uses in the list",
        ),
        (
            "a key that shadows quit",
            "[keys]\nrefresh = [\"r\", \"ctrl-c\"]\n",
            2,
            "`keys.refresh` uses ctrl-c, which `quit` also uses in the list",
        ),
        (
            "a confirm key that cancels",
            "[keys]\nconfirm = \"enter\"\n",
            2,
            "`keys.confirm` uses Enter, which cancels a y/n dialog",
        ),
        (
            "a confirm key that opens the dialog",
            "[keys]\n\nconfirm = \"d\"\n",
            3,
            "`keys.confirm` uses d, which also opens the dialog (`revoke`): a double press would confirm",
        ),
        (
            "a key that is typed into the filter",
            "[keys]\nfilter_clear = \"x\"\n",
            2,
            "`keys.filter_clear` uses x, which is typed into the filter",
        ),
        (
            "a fixed key rebound",
            "[keys]\nquit = \"q\"\nsuspend = \"ctrl-s\"\n",
            3,
            "`keys.suspend` cannot be rebound: ctrl-z always suspends to the shell, as the terminal would",
        ),
        (
            "a key that cannot be read",
            "[keys]\nrefresh = \"hyper-r\"\n",
            2,
            "`keys.refresh` has \"hyper-r\", which is not a key",
        ),
        (
            "an invalid colour",
            "[colors]\nexpired = \"red\"\naccent = \"sparkly\"\n",
            3,
            "`colors.accent` is \"sparkly\", which is not a colour",
        ),
        (
            "an unknown colour role",
            "[colors]\naccnet = \"red\"\n",
            2,
            "`colors.accnet` is not a colour role",
        ),
        (
            "a value out of range",
            "refresh_interval = 60\nconcurrency = 0\n",
            2,
            "`concurrency` must be between 1 and 64",
        ),
        (
            "an unknown column",
            "[table]\ncolumns = [\n  \"name\",\n  \"conector:20\",\n]\n",
            4,
            "`table.columns`: no column `conector`; did you mean `connector`?",
        ),
        (
            "a column's width out of range",
            "[table]\ncolumns = [\"name\", \"app:0\"]\n",
            2,
            "`table.columns`: `app:0`: the width `0` is not a number of cells from 3 to 200",
        ),
        (
            "a column named twice",
            "[table]\ncolumns = [\"name\", \"status\",\n  \"Name:30\"]\n",
            3,
            "`table.columns`: `Name:30` is named twice",
        ),
        (
            "no column at all",
            "\n[table]\ncolumns = []\n",
            3,
            "`table.columns` is empty",
        ),
        (
            "a view's column width",
            "[views.slim]\ncolumns = [\"name:x\"]\n",
            2,
            "`views.slim.columns`: `name:x`: the width `x` is not a number",
        ),
        (
            "a file that does not parse",
            "refresh_interval = 60\n[keys\n",
            2,
            "",
        ),
    ];
    for (what, text, line, message) in cases {
        let file = home.path().join("config.toml");
        std::fs::write(&file, text).unwrap();
        let expected = format!("{}, line {line}", file.display());
        for command in [&["config"][..], &["list", "--demo"]] {
            let out = credboard(home.path())
                .args(command)
                .arg("--config")
                .arg(&file)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{what}, {command:?}: {stderr}");
            assert!(
                stderr.contains(&expected) && stderr.contains(message),
                "{what}, {command:?}: {stderr}"
            );
            assert!(!stderr.contains("are valid"), "{what}: {stderr}");
        }
    }

    // Every problem at once, each with its line.
    let file = home.path().join("config.toml");
    std::fs::write(
        &file,
        "concurrency = 0\n[keys]\nfrobnicate = \"x\"\n[colors]\naccent = \"sparkly\"\n",
    )
    .unwrap();
    let out = credboard(home.path())
        .arg("config")
        .arg("--config")
        .arg(&file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for line in [1, 3, 5] {
        assert!(
            stderr.contains(&format!("{}, line {line}: ", file.display())),
            "{line}: {stderr}"
        );
    }
}

/// An unknown key is a warning with its line, not an error: the settings still apply, and
/// `credboard config` says they are valid with the warning.
#[test]
fn an_unknown_key_is_a_warning_with_its_line() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("config.toml");
    std::fs::write(
        &file,
        "concurrency = 4\nrefresh_intervall = 30\n[keys]\nhelp = \"f1\"\n",
    )
    .unwrap();
    let out = credboard(home.path())
        .arg("config")
        .arg("--config")
        .arg(&file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "warning: {}, line 2: unknown key `refresh_intervall` (did you mean `refresh_interval`?)",
            file.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "the settings in {} are valid, with the warning above",
            file.display()
        )),
        "{stderr}"
    );
}

/// `config --print-default` lists every action of the keymap by its `[keys]` name, with its
/// default keys, under the heading the help shows it in: the file cannot drift from the table.
#[test]
fn the_default_file_lists_every_action_with_its_default_keys() {
    use credboard::app::keymap::{KeySpec, Keymap};
    let home = tempfile::tempdir().unwrap();
    let out = credboard(home.path())
        .args(["config", "--print-default"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text, Settings::default_file_text());
    let section = text
        .split("\n[keys]\n")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .expect("a [keys] section");
    let mut listed = Vec::new();
    let mut heading = "";
    for line in section.lines() {
        let Some(entry) = line.strip_prefix("# ") else {
            continue;
        };
        if !entry.contains(" = ") {
            heading = entry;
            continue;
        }
        let table: toml::Table = toml::from_str(entry).unwrap_or_else(|e| panic!("{entry}: {e}"));
        for (name, keys) in table {
            let keys: Vec<KeySpec> = keys
                .as_array()
                .unwrap_or_else(|| panic!("{entry}: a list of keys"))
                .iter()
                .map(|k| KeySpec::parse(k.as_str().unwrap()).unwrap_or_else(|| panic!("{entry}")))
                .collect();
            listed.push((heading.to_string(), name, keys));
        }
    }
    let table: Vec<(String, String, Vec<KeySpec>)> = Keymap::default()
        .bindings()
        .iter()
        .map(|b| {
            (
                b.context.title().to_string(),
                b.name.to_string(),
                b.keys.clone(),
            )
        })
        .collect();
    assert_eq!(listed, table);
}

/// A dashboard under a pseudo-terminal (`script` from util-linux): keys are written to it,
/// and everything it draws is collected. Killed on drop.
struct Dashboard {
    child: std::process::Child,
    screen: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
}

impl Dashboard {
    fn start(home: &Path, args: &[&str]) -> Dashboard {
        use std::io::Read;
        use std::process::{Command, Stdio};
        let binary = assert_cmd::cargo::cargo_bin("credboard");
        let quoted: Vec<String> = std::iter::once(binary.to_str().unwrap())
            .chain(args.iter().copied())
            .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
            .collect();
        let shell = format!("stty cols 120 rows 40; exec {}", quoted.join(" "));
        let mut child = Command::new("script")
            .args(["-qec", &shell, "/dev/null"])
            .env_clear()
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("TERM", "xterm-256color")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("`script` (util-linux) runs the dashboard under a pseudo-terminal");
        let screen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut stdout = child.stdout.take().unwrap();
        let sink = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Dashboard { child, screen }
    }

    /// Everything drawn since the last call.
    fn take(&self) -> String {
        String::from_utf8_lossy(&std::mem::take(&mut *self.screen.lock().unwrap())).into_owned()
    }

    /// Waits until `text` is drawn (a hang detector, not a speed assertion), and returns
    /// what was drawn up to then.
    fn wait_for(&self, text: &str) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let mut drawn = String::new();
        while !drawn.contains(text) {
            assert!(
                std::time::Instant::now() < deadline,
                "{text:?} was never drawn:\n{}",
                drawn.replace('\u{1b}', "<ESC>")
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
            drawn.push_str(&self.take());
        }
        drawn
    }

    fn press(&mut self, keys: &str) {
        use std::io::Write;
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(keys.as_bytes()).unwrap();
        stdin.flush().unwrap();
    }
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Under `--demo` only the tenant is the demo's: the user's `[keys]` and `[colors]` apply.
/// Help rebound to F1 opens on F1, and the accent colour is the user's.
#[test]
fn the_demo_honours_the_users_keys_and_colours() {
    let home = tempfile::tempdir().unwrap();
    let settings = home.path().join("config.toml");
    std::fs::write(
        &settings,
        "[keys]\nhelp = \"f1\"\n[colors]\naccent = \"#ff0000\"\n",
    )
    .unwrap();
    let mut dashboard = Dashboard::start(
        home.path(),
        &["--demo", "--config", settings.to_str().unwrap()],
    );
    // The first frame: the footer names the help key as the user bound it.
    let first = dashboard.wait_for("F1");
    assert!(
        first.contains("\u{1b}[38;2;255;0;0"),
        "the accent is the user's red:\n{}",
        first.replace('\u{1b}', "<ESC>")
    );
    dashboard.press("\u{1b}OP");
    dashboard.wait_for("Help — Esc closes");
    dashboard.press("q");
    dashboard.press("\u{1b}");
    std::thread::sleep(std::time::Duration::from_millis(500));
    dashboard.press("q");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while dashboard.child.try_wait().unwrap().is_none() {
        assert!(std::time::Instant::now() < deadline, "q did not quit");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

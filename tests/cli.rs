//! Every subcommand run as the real binary, against the demo tenant (`--demo`, or a demo
//! tenant started here and reached through cone's environment variables, as a real tenant
//! would be).

use std::path::Path;

use assert_cmd::Command;
use credboard::demo::{DemoOptions, DemoServer};
use predicates::prelude::*;
use serde_json::Value;
use tempfile::TempDir;

/// The binary with a clean environment: no cone configuration, no settings, an empty home.
fn credboard(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("credboard").unwrap();
    cmd.env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    cmd
}

fn stdout_json(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// The demo tenant's credentials, as `list --demo -o json` prints them.
fn demo_list(home: &Path, status: &str) -> Vec<Value> {
    let out = credboard(home)
        .args(["list", "--demo", "-o", "json", "--status", status])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout_json(&out).as_array().unwrap().clone()
}

#[test]
fn help_and_version() {
    let home = TempDir::new().unwrap();
    credboard(home.path())
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:").and(predicate::str::contains("--demo")));
    credboard(home.path())
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("credboard "));
    credboard(home.path()).arg("frobnicate").assert().code(2);
}

#[test]
fn no_configuration_says_how_to_configure_and_mentions_demo() {
    let home = TempDir::new().unwrap();
    credboard(home.path())
        .arg("list")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--demo"));
}

#[test]
fn a_malformed_secret_is_a_configuration_error_that_does_not_echo_it() {
    let home = TempDir::new().unwrap();
    credboard(home.path())
        .env("CONE_CLIENT_ID", "x@acme.conductor.one/pcc")
        .env(
            "CONE_CLIENT_SECRET",
            "secret-token:conductorone.com:v2:SUPERSECRETVALUE",
        )
        .arg("list")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("CONE_CLIENT_SECRET")
                .and(predicate::str::contains("SUPERSECRETVALUE").not()),
        );
}

#[test]
fn a_settings_file_that_does_not_parse_names_file_and_line() {
    let home = TempDir::new().unwrap();
    let bad = home.path().join("bad.toml");
    std::fs::write(&bad, "refresh_interval = 30\nconcurrency = = 4\n").unwrap();
    credboard(home.path())
        .args(["list", "--demo", "--config"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.toml").and(predicate::str::contains("line 2")));
}

#[test]
fn config_print_default_prints_the_commented_defaults() {
    let home = TempDir::new().unwrap();
    let out = credboard(home.path())
        .args(["config", "--print-default"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("refresh_interval"), "{text}");
    assert!(text.contains('#'), "commented");
}

#[test]
fn list_on_the_demo_tenant_in_each_format() {
    let home = TempDir::new().unwrap();
    let all = demo_list(home.path(), "all");
    assert!(all.len() >= 100, "{} credentials", all.len());
    let first = &all[0];
    for key in [
        "id",
        "appId",
        "connectorId",
        "appName",
        "connectorName",
        "status",
        "flags",
    ] {
        assert!(first.get(key).is_some(), "{key} in {first}");
    }
    assert!(all.iter().all(|c| c.get("clientSecret").is_none()));

    let revoked = demo_list(home.path(), "revoked");
    assert!(!revoked.is_empty() && revoked.len() < all.len());
    assert!(
        revoked.iter().all(|c| !c["deletedAt"].is_null()),
        "only revoked ones"
    );
    let never = demo_list(home.path(), "never-used");
    assert!(never.iter().all(|c| c["lastUsedAt"].is_null()));

    credboard(home.path())
        .args(["list", "--demo", "-o", "csv"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("app_id,connector_id,id,"));
    let table = credboard(home.path())
        .args(["list", "--demo"])
        .output()
        .unwrap();
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.starts_with("NAME"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "no escape sequence from a hostile name reaches stdout"
    );
}

/// A character that could drive or fool a terminal: controls (newline aside), escapes,
/// bidi overrides, zero-width characters.
fn unsafe_chars(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| c != '\n' && (c.is_control() || credboard::app::text::is_unsafe(c)))
        .collect()
}

/// The demo tenant's seed holds hostile names (escape sequences, controls, bidi): no output
/// format lets one reach the terminal raw, and JSON still carries every name exactly.
#[test]
fn no_output_format_lets_a_hostile_name_drive_the_terminal() {
    let home = TempDir::new().unwrap();
    for format in ["table", "csv", "json"] {
        let out = credboard(home.path())
            .args(["list", "--demo", "--status", "all", "-o", format])
            .output()
            .unwrap();
        assert!(out.status.success());
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let text = String::from_utf8(bytes.clone()).unwrap();
            let bad = unsafe_chars(&text);
            assert!(bad.is_empty(), "{format} {stream} holds {bad:?}");
        }
    }
    // JSON escapes them instead: the names parse back exactly as the tenant has them.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt
        .block_on(DemoServer::start(DemoOptions::default()))
        .unwrap();
    let mut seeded: Vec<String> = server
        .credentials()
        .into_iter()
        .filter_map(|c| c.display_name)
        .collect();
    rt.block_on(server.shutdown());
    let mut listed: Vec<String> = demo_list(home.path(), "all")
        .iter()
        .filter_map(|c| c["displayName"].as_str().map(str::to_string))
        .collect();
    seeded.sort();
    listed.sort();
    assert!(
        seeded.iter().any(|n| !unsafe_chars(n).is_empty()),
        "the seed has hostile names"
    );
    assert_eq!(listed, seeded);
}

#[test]
fn rotate_prints_the_secret_alone_on_stdout() {
    let home = TempDir::new().unwrap();
    let target = &demo_list(home.path(), "active")[0];
    let out = credboard(home.path())
        .args(["rotate", "--demo"])
        .args([
            target["appId"].as_str().unwrap(),
            target["connectorId"].as_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("secret-token:conductorone.com:v1:"));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("minted credential"), "{stderr}");
    assert!(
        !stderr.contains("secret-token"),
        "the secret is only on stdout"
    );

    let json = credboard(home.path())
        .args(["rotate", "--demo", "-o", "json"])
        .args([
            target["appId"].as_str().unwrap(),
            target["connectorId"].as_str().unwrap(),
        ])
        .output()
        .unwrap();
    let v = stdout_json(&json);
    assert!(
        v["clientSecret"]
            .as_str()
            .unwrap()
            .starts_with("secret-token:")
    );
    assert!(v["id"].is_string());
}

#[test]
fn revoke_asks_refuses_without_a_terminal_and_honours_read_only() {
    let home = TempDir::new().unwrap();
    let target = &demo_list(home.path(), "active")[0];
    let ids = [
        target["appId"].as_str().unwrap(),
        target["connectorId"].as_str().unwrap(),
        target["id"].as_str().unwrap(),
    ];
    credboard(home.path())
        .args(["revoke", "--demo"])
        .args(ids)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));
    credboard(home.path())
        .args(["revoke", "--demo", "--read-only", "--yes"])
        .args(ids)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("read-only"));
    credboard(home.path())
        .args(["revoke", "--demo", "--yes"])
        .args(ids)
        .assert()
        .success()
        .stderr(predicate::str::contains("revoked credential"));
    credboard(home.path())
        .args([
            "revoke",
            "--demo",
            "--yes",
            ids[0],
            ids[1],
            "no-such-credential",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("already revoked"));
}

#[test]
fn track_untrack_import_and_journal_keep_the_inventory() {
    let home = TempDir::new().unwrap();
    let data = home.path().join("data");
    let run = |args: &[&str]| {
        let mut c = credboard(home.path());
        c.arg("--data-dir").arg(&data).args(args);
        c
    };
    run(&["track", "app1", "conn1", "cred1"])
        .assert()
        .success()
        .stderr(predicate::str::contains("now tracking"));
    run(&["track", "app1", "conn1", "cred1"])
        .assert()
        .success()
        .stderr(predicate::str::contains("already tracked"));
    let csv = home.path().join("creds.csv");
    std::fs::write(&csv, "id,app_id,connector_id,note\ncred2,app1,conn1,x\n,app1,conn1,no id\ncred1,app1,conn1,dup\n").unwrap();
    run(&["import", csv.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("1 added")
                .and(predicate::str::contains("1 already known"))
                .and(predicate::str::contains("1 rejected"))
                .and(predicate::str::contains("line 3")),
        );
    let broken = home.path().join("broken.json");
    std::fs::write(
        &broken,
        r#"{"version":4,"resources":[{"type":"conductorone_connector_credential","#,
    )
    .unwrap();
    run(&["import", broken.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nothing was imported"));
    run(&["untrack", "cred2"]).assert().success();
    run(&["untrack", "cred2"]).assert().code(1);
    run(&["journal"])
        .assert()
        .success()
        .stderr(predicate::str::contains("journal is empty"));
    assert!(data.join("inventory.sqlite3").exists());
}

/// A tenant reached the way a real one is: cone's environment variables, the real
/// inventory in --data-dir. Rotate, revoke and a failure land in the journal; the secrets
/// land nowhere on disk.
#[test]
fn against_a_tenant_configured_like_cone_the_journal_records_and_secrets_stay_off_disk() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt
        .block_on(DemoServer::start(DemoOptions::default()))
        .unwrap();
    let home = TempDir::new().unwrap();
    let data = home.path().join("data");
    let (app, connector, _) = server.tracked()[0].clone();
    let client_secret = server.client_secret().expose().to_string();
    let run = |args: &[&str]| {
        let mut c = credboard(home.path());
        c.env("CONE_CLIENT_ID", server.client_id())
            .env("CONE_CLIENT_SECRET", &client_secret)
            .arg("--data-dir")
            .arg(&data)
            .args(args);
        c.output().unwrap()
    };
    let rotated = run(&["rotate", &app, &connector]);
    assert!(
        rotated.status.success(),
        "{}",
        String::from_utf8_lossy(&rotated.stderr)
    );
    let new_secret = String::from_utf8(rotated.stdout.clone())
        .unwrap()
        .trim()
        .to_string();
    let listed = run(&["list", "-o", "json"]);
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let list = stdout_json(&listed);
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "the rotated credential is tracked"
    );
    let new_id = list[0]["id"].as_str().unwrap().to_string();
    assert!(
        run(&["revoke", "--yes", &app, &connector, &new_id])
            .status
            .success()
    );
    let failed = run(&["rotate", &app, "no-such-connector"]);
    assert_eq!(failed.status.code(), Some(1));
    // Captured output: the new secret only on the rotate's stdout, the client secret nowhere.
    for (what, out) in [
        ("rotate", &rotated),
        ("list", &listed),
        ("failed rotate", &failed),
    ] {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains(&client_secret),
            "client secret in {what}'s stderr"
        );
        assert!(
            !stderr.contains(&new_secret),
            "new secret in {what}'s stderr"
        );
        if what != "rotate" {
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                !stdout.contains(&client_secret),
                "client secret in {what}'s stdout"
            );
            assert!(
                !stdout.contains(&new_secret),
                "new secret in {what}'s stdout"
            );
        }
    }

    let journal = stdout_json(&run(&["journal", "-o", "json"]));
    let actions: Vec<(&str, &str)> = journal
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["outcome"]["kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [("rotate", "failed"), ("revoke", "ok"), ("rotate", "ok")]
    );
    assert_eq!(journal[0]["actorClientId"], server.client_id());

    for entry in walk(home.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(&client_secret),
            "client secret in {}",
            entry.display()
        );
        assert!(
            !text.contains(&new_secret),
            "new secret in {}",
            entry.display()
        );
    }
    rt.block_on(server.shutdown());
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn completions_and_the_settings_check() {
    let home = TempDir::new().unwrap();
    credboard(home.path())
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("credboard").and(predicate::str::contains("demo-server")));
    let settings = home.path().join("settings.toml");
    std::fs::write(&settings, "refresh_intervall = 30\n").unwrap();
    credboard(home.path())
        .arg("config")
        .arg("--config")
        .arg(&settings)
        .assert()
        .success()
        .stderr(predicate::str::contains("refresh_intervall"));
}

/// A revoked credential's secret from baton-sdk's tests (see API.md), and its key part: the
/// base64url JSON Web Key after the last `:`.
const SECRET: &str = "secret-token:conductorone.com:v1:eyJrdHkiOiJPS1AiLCJjcnYiOiJFZDI1NTE5IiwieCI6InpwM1BXY2NTQlZPdGhTTnN5ck1zVGVFaDlpTjhTWTNnSDZfcDBEUkZaTWMiLCJkIjoielkzTzFybnItQUV3NW0wbVpCTzBjSEZpWWoxTmlSdk1pU1Y1X1Ffa0tiZyJ9";

fn key_part() -> &'static str {
    SECRET.rsplit(':').next().unwrap()
}

/// Any piece of the key part long enough to be recognised: "not in full, not in part".
fn leaks(text: &str) -> Option<&'static str> {
    let key = key_part();
    (0..=key.len() - 12)
        .map(|i| &key[i..i + 12])
        .find(|piece| text.contains(piece))
}

/// Runs `cmd` and checks that it refuses with exit 2, says `expected`, and prints no part of
/// the secret on stdout or stderr.
fn refuses_without_echo(mut cmd: Command, what: &str, expected: &str) {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for (stream, text) in [("stdout", &stdout), ("stderr", &stderr)] {
        assert!(
            leaks(text).is_none(),
            "{what}: the secret's key part is in {stream}: {text}"
        );
    }
    assert_eq!(out.status.code(), Some(2), "{what}: {stderr}");
    assert!(stderr.contains(expected), "{what}: {stderr}");
}

/// A client secret typed where something else belongs is named as a client secret and never
/// printed back, whole or in part, nor stored: each flag, the environment, each command's
/// arguments, and clap's own usage errors.
#[test]
fn a_client_secret_typed_where_something_else_belongs_is_never_printed() {
    let home = TempDir::new().unwrap();
    let data = home.path().join("data");
    let key = key_part();
    let refused = |args: &[&str], env: &[(&str, &str)], place: &str| {
        let mut cmd = credboard(home.path());
        cmd.arg("--data-dir")
            .arg(&data)
            .args(args)
            .envs(env.iter().copied());
        let what = args.join(" ").replace(SECRET, "SECRET").replace(key, "KEY");
        let said = match place {
            "clap" => "[a client secret, not printed]".to_string(),
            place => format!("{place} holds what looks like a client secret; it was not printed"),
        };
        refuses_without_echo(cmd, &what, &said);
    };
    let id = "a@acme.conductor.one/pcc";
    refused(
        &["list", "--client-id", SECRET, "--client-secret", SECRET],
        &[],
        "--client-id",
    );
    refused(&["list", "--client-id", key], &[], "--client-id");
    refused(
        &[
            "list",
            "--client-id",
            id,
            "--client-secret",
            SECRET,
            "--api-endpoint",
            SECRET,
        ],
        &[],
        "--api-endpoint",
    );
    refused(&["list", "--profile", SECRET], &[], "--profile");
    refused(
        &["list"],
        &[("CONE_CLIENT_ID", SECRET), ("CONE_CLIENT_SECRET", SECRET)],
        "CONE_CLIENT_ID",
    );
    refused(&["list"], &[("CONE_PROFILE", key)], "CONE_PROFILE");
    refused(
        &["track", "app", "conn", "cred"],
        &[("CONE_PROFILE", SECRET)],
        "CONE_PROFILE",
    );
    refused(
        &["list"],
        &[
            ("CONE_CLIENT_ID", id),
            ("CONE_CLIENT_SECRET", SECRET),
            ("CONDUCTORONE_SERVER_URL", SECRET),
        ],
        "CONDUCTORONE_SERVER_URL",
    );
    refused(&["track", SECRET, "conn", "cred"], &[], "APP_ID");
    refused(&["track", "app", "conn", key], &[], "CREDENTIAL_ID");
    refused(&["untrack", SECRET], &[], "CREDENTIAL_ID");
    refused(
        &["revoke", "--demo", "--yes", "app", "conn", SECRET],
        &[],
        "CREDENTIAL_ID",
    );
    refused(&["rotate", "--demo", "app", SECRET], &[], "CONNECTOR_ID");
    refused(&["import", SECRET], &[], "FILE");
    // clap's own usage errors quote the argument: the secret in them is hidden.
    refused(&["list", "--demo", "--status", SECRET], &[], "clap");
    refused(&["track", "app", "conn", "cred", key], &[], "clap");
    refused(&[SECRET], &[], "clap");
    // Nothing was stored either.
    let files = if data.exists() {
        walk(&data)
    } else {
        Vec::new()
    };
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            leaks(&String::from_utf8_lossy(&bytes)).is_none(),
            "{}",
            file.display()
        );
    }
}

/// The same for what credboard reads from files: its settings, cone's config.yaml, and a line
/// of an import file (which is refused, naming its line, while the good lines are imported).
#[test]
fn a_client_secret_in_a_file_where_something_else_belongs_is_never_printed() {
    let home = TempDir::new().unwrap();
    let settings = home.path().join("settings.toml");
    std::fs::write(
        &settings,
        format!("concurrency = 4\n[colors]\naccent = \"{SECRET}\"\n"),
    )
    .unwrap();
    let mut cmd = credboard(home.path());
    cmd.args(["config", "--config"]).arg(&settings);
    refuses_without_echo(
        cmd,
        "a settings value",
        &format!(
            "{}, line 3: `colors.accent` holds what looks like a client secret; it was not printed",
            settings.display()
        ),
    );
    std::fs::write(
        &settings,
        format!("concurrency = \"{}\"\n", &key_part()[..40]),
    )
    .unwrap();
    let mut cmd = credboard(home.path());
    cmd.args(["list", "--demo", "--config"]).arg(&settings);
    refuses_without_echo(
        cmd,
        "part of a key as a settings value",
        "line 1: `concurrency` holds what looks like a client secret",
    );

    let cone = home.path().join(".conductorone");
    std::fs::create_dir_all(&cone).unwrap();
    let yaml = cone.join("config.yaml");
    std::fs::write(
        &yaml,
        format!("profiles:\n  default:\n    client-id: {SECRET}\n    client-secret: {SECRET}\n"),
    )
    .unwrap();
    refuses_without_echo(
        {
            let mut c = credboard(home.path());
            c.arg("list");
            c
        },
        "cone's client-id",
        "`client-id` of profile `default`",
    );
    std::fs::write(&yaml, format!("profiles:\n  {SECRET}:\n    client-id: a\n")).unwrap();
    let out = credboard(home.path())
        .args(["list", "--profile", "prod"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("there is no profile `prod`") && leaks(&stderr).is_none(),
        "{stderr}"
    );

    let data = home.path().join("data");
    let csv = home.path().join("ids.csv");
    std::fs::write(
        &csv,
        format!("app_id,connector_id,id\na,k,good\na,k,{SECRET}\n"),
    )
    .unwrap();
    let out = credboard(home.path())
        .arg("--data-dir")
        .arg(&data)
        .arg("import")
        .arg(&csv)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("1 added") && stderr.contains("1 rejected"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 3: id holds what looks like a client secret; it was not printed"),
        "{stderr}"
    );
    assert!(leaks(&stderr).is_none() && leaks(&String::from_utf8_lossy(&out.stdout)).is_none());
    for file in walk(&data) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            leaks(&String::from_utf8_lossy(&bytes)).is_none(),
            "{}",
            file.display()
        );
    }
}

/// `track` takes only what could be an id, naming the argument and the reason (exit 2), and
/// tracks nothing then.
#[test]
fn track_refuses_implausible_ids_naming_the_argument() {
    let home = TempDir::new().unwrap();
    let data = home.path().join("data");
    let run = |args: &[&str]| {
        let mut c = credboard(home.path());
        c.arg("--data-dir").arg(&data).args(args);
        c.output().unwrap()
    };
    let long = "x".repeat(200);
    for (args, expected) in [
        (
            ["app", "conn", "two words"],
            "CREDENTIAL_ID contains a space",
        ),
        (
            ["app", "conn", "=HYPERLINK(x)"],
            "CREDENTIAL_ID starts with `=`, as a spreadsheet formula does",
        ),
        (["+app", "conn", "cred"], "APP_ID starts with `+`"),
        (["app", "@conn", "cred"], "CONNECTOR_ID starts with `@`"),
        (["app", "conn", "-cred"], "CREDENTIAL_ID starts with `-`"),
        (
            ["app", "conn", "cred\u{7}"],
            "CREDENTIAL_ID contains the character \\u{7}",
        ),
        (["app", "conn", "c/../d"], "CREDENTIAL_ID contains `/`"),
        (
            ["app", "conn", long.as_str()],
            "CREDENTIAL_ID is too long (200 characters; an id has at most 128)",
        ),
        (["app", "conn", ""], "CREDENTIAL_ID is empty"),
    ] {
        let out = run(&[&["track", "--"][..], &args].concat());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(expected) && stderr.contains("nothing was tracked"),
            "{args:?}: {stderr}"
        );
        let untrack = run(&["untrack", "--", args[2]]);
        let said = String::from_utf8_lossy(&untrack.stderr);
        assert!(
            said.contains("is not tracked"),
            "{args:?} was tracked after all: {said}"
        );
    }
    let out = run(&["track", "app", "conn", " 2Gf9fCi5loeoDjTC0MtLnwLQ4Pn "]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        run(&["untrack", "2Gf9fCi5loeoDjTC0MtLnwLQ4Pn"])
            .status
            .success()
    );
}

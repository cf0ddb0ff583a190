//! Every subcommand run as the real binary, against the demo tenant (`--demo`, or a demo
//! tenant started here and reached through cone's environment variables, as a real tenant
//! would be).

use std::path::Path;

use assert_cmd::Command;
use credboard::demo::{DemoOptions, DemoServer};
use predicates::prelude::*;
use serde_json::Value;
use tempfile::TempDir;

#[path = "support/tenant.rs"]
mod tenant;

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
        .filter(|&c| c != '\n' && (c.is_control() || credboard::text::is_unsafe(c)))
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
        .code(1)
        .stderr(
            predicate::str::contains("not found")
                .and(predicate::str::contains("already revoked").not()),
        );
}

/// A demo tenant started here and reached the way a real one is: cone's environment
/// variables, and an inventory in a data directory that outlives each run.
struct ConeTenant(tenant::Tenant);

impl std::ops::Deref for ConeTenant {
    type Target = tenant::Tenant;
    fn deref(&self) -> &tenant::Tenant {
        &self.0
    }
}

impl ConeTenant {
    fn start() -> Self {
        ConeTenant(tenant::Tenant::start())
    }

    /// The binary started in the background, as `command` would run it.
    fn spawn(&self, args: &[&str]) -> std::process::Child {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("credboard"))
            .env_clear()
            .env("HOME", self.home.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("CONE_CLIENT_ID", self.server().client_id())
            .env("CONE_CLIENT_SECRET", &self.secret)
            .arg("--data-dir")
            .arg(&self.data)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }

    fn inventory(&self) -> std::path::PathBuf {
        self.data.join("inventory.sqlite3")
    }

    /// The journal as `credboard journal -o json` prints it, newest first, as
    /// (action, credential id, outcome kind).
    fn journal(&self) -> Vec<(String, String, String)> {
        let out = self.run(&["journal", "-o", "json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout_json(&out)
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["action"].as_str().unwrap().to_string(),
                    e["credentialId"].as_str().unwrap_or("").to_string(),
                    e["outcome"]["kind"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    /// The credential as a Get over HTTP returns it now.
    fn get(
        &self,
        app: &str,
        connector: &str,
        id: &str,
    ) -> Option<credboard::api::ConnectorCredential> {
        let client = credboard::api::Client::new(credboard::api::ClientOptions {
            client_id: Some(self.server().client_id()),
            client_secret: Some(self.server().client_secret()),
            ..Default::default()
        })
        .unwrap();
        self.rt
            .block_on(client.get_credential(app, connector, id))
            .unwrap()
    }
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The ids of a credential as the demo tenant holds it.
fn triple(c: &credboard::api::ConnectorCredential) -> [String; 3] {
    [
        c.app_id.clone().unwrap(),
        c.connector_id.clone().unwrap(),
        c.id.clone().unwrap(),
    ]
}

/// A mistyped id, a wrong app id or a wrong connector id is "not found" (exit 1), journaled
/// so, and nothing is sent: the credential the user meant stays live, and the tool never
/// says it was revoked.
#[test]
fn revoke_of_an_id_the_tenant_does_not_hold_there_is_not_found_and_sends_nothing() {
    let tenant = ConeTenant::start();
    let creds = tenant.server().credentials();
    let live = creds.iter().find(|c| c.deleted_at.is_none()).unwrap();
    let [app, connector, id] = triple(live);
    let other_app = creds
        .iter()
        .find_map(|c| c.app_id.clone().filter(|a| *a != app))
        .unwrap();
    let other_connector = creds
        .iter()
        .find_map(|c| c.connector_id.clone().filter(|k| *k != connector))
        .unwrap();
    let mistyped = format!("2NOPE{}", &id[5..]);
    let cases = [
        ("a mistyped credential id", [&app, &connector, &mistyped]),
        ("a wrong app id", [&other_app, &connector, &id]),
        ("a wrong connector id", [&app, &other_connector, &id]),
    ];
    for (what, [a, k, c]) in cases {
        let out = tenant.run(&["revoke", "--yes", a, k, c]);
        let text = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{what}: {text}");
        assert!(text.contains("not found"), "{what}: {text}");
        assert!(!text.contains("already revoked"), "{what}: {text}");
        assert!(!text.contains("revoked credential"), "{what}: {text}");
    }
    assert_eq!(
        tenant
            .server()
            .stats()
            .route(credboard::demo::RouteKind::RevokeCredential),
        0,
        "no revoke was sent"
    );
    assert!(
        tenant
            .get(&app, &connector, &id)
            .unwrap()
            .deleted_at
            .is_none(),
        "the credential the user meant is still live"
    );
    let journal = tenant.journal();
    let expected: Vec<(String, String, String)> = [&id, &id, &mistyped]
        .into_iter()
        .map(|c| ("revoke".into(), c.to_string(), "not_found".into()))
        .collect();
    assert_eq!(journal, expected);
}

/// "already revoked" only when the server's own record says so; a live credential is
/// revoked, and a Get afterwards shows it revoked.
#[test]
fn revoke_says_already_revoked_only_from_the_servers_record_and_revokes_a_live_one() {
    let tenant = ConeTenant::start();
    let creds = tenant.server().credentials();
    let revoked = creds.iter().find(|c| c.deleted_at.is_some()).unwrap();
    let [app, connector, id] = triple(revoked);
    let out = tenant.run(&["revoke", "--yes", &app, &connector, &id]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("already revoked"), "{}", stderr(&out));

    let live = creds.iter().find(|c| c.deleted_at.is_none()).unwrap();
    let [app, connector, live_id] = triple(live);
    let out = tenant.run(&["revoke", "--yes", &app, &connector, &live_id]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("revoked credential {live_id}")),
        "{}",
        stderr(&out)
    );
    assert!(
        tenant
            .get(&app, &connector, &live_id)
            .unwrap()
            .deleted_at
            .is_some(),
        "a Get afterwards shows it revoked"
    );
    let kinds: Vec<(String, String)> = tenant
        .journal()
        .into_iter()
        .map(|(_, c, o)| (c, o))
        .collect();
    assert_eq!(
        kinds,
        [
            (live_id.clone(), "ok".to_string()),
            (live_id, "requested".to_string()),
            (id, "already_gone".to_string()),
        ]
    );
}

/// On a terminal, the question names what the server holds under those ids (name, client
/// id, last use, status); an id it does not hold is not asked about at all.
#[test]
fn revoke_on_a_terminal_asks_about_the_credential_the_server_holds() {
    let tenant = ConeTenant::start();
    let live = tenant
        .server()
        .credentials()
        .into_iter()
        .find(|c| {
            c.deleted_at.is_none()
                && c.last_used_at.is_some()
                && c.display_name
                    .as_deref()
                    .is_some_and(|n| n.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-'))
        })
        .unwrap();
    let [app, connector, id] = triple(&live);
    let under_a_terminal = |ids: [&str; 3]| {
        let cmd = tenant.command();
        let mut line = vec![cmd.get_program().to_str().unwrap().to_string()];
        line.extend(cmd.get_args().map(|a| a.to_str().unwrap().to_string()));
        line.extend(["revoke".to_string()]);
        line.extend(ids.map(str::to_string));
        let shell = format!("{}; echo EXIT=$?", line.join(" "));
        let mut script = std::process::Command::new("script");
        script
            .args(["-qec", &shell, "/dev/null"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped());
        for (k, v) in cmd.get_envs() {
            match v {
                Some(v) => script.env(k, v),
                None => script.env_remove(k),
            };
        }
        let mut child = script
            .spawn()
            .expect("`script` (util-linux) gives the child a terminal");
        use std::io::Write as _;
        child.stdin.take().unwrap().write_all(b"no\n").unwrap();
        let out = child.wait_with_output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let text = under_a_terminal([&app, &connector, &id]);
    for shown in [
        live.display_name.as_deref().unwrap(),
        live.client_id.as_deref().unwrap(),
        "last used",
        "Type yes",
        "EXIT=1",
    ] {
        assert!(text.contains(shown), "{shown:?} in:\n{text}");
    }
    assert!(
        ["active", "idle", "expiring", "never used"]
            .iter()
            .any(|s| text.contains(s)),
        "a status in:\n{text}"
    );
    let text = under_a_terminal([&app, &connector, &format!("2NOPE{}", &id[5..])]);
    assert!(text.contains("not found"), "{text}");
    assert!(!text.contains("Type yes"), "{text}");
    assert!(text.contains("EXIT=1"), "{text}");
    assert_eq!(
        tenant
            .server()
            .stats()
            .route(credboard::demo::RouteKind::RevokeCredential),
        0
    );
}

#[test]
fn track_untrack_import_and_journal_keep_the_inventory() {
    let home = TempDir::new().unwrap();
    let data = home.path().join("data");
    let run = |args: &[&str]| {
        let mut c = credboard(home.path());
        c.arg("--data-dir")
            .arg(&data)
            .args(["--api-endpoint", "acme.conductor.one"])
            .args(args);
        c
    };
    run(&["track", "app1", "conn1", "cred1"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "now tracking credential cred1 in the inventory of tenant acme.conductor.one",
        ));
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

/// Without a configuration that names a tenant, ids have nowhere to go: track and import
/// refuse (exit 2) and say how to name one; named, they say which tenant's inventory they
/// went to, and a configuration of the same tenant under another profile sees them.
#[test]
fn track_and_import_say_which_tenant_they_write_to_or_refuse_without_one() {
    let home = TempDir::new().unwrap();
    let data = home.path().join("data");
    let csv = home.path().join("creds.csv");
    std::fs::write(
        &csv,
        "app_id,connector_id,id\napp1,conn1,cred1\napp1,conn1,cred2\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let mut c = credboard(home.path());
        c.arg("--data-dir").arg(&data).args(args);
        c.output().unwrap()
    };
    for args in [
        vec!["track", "app1", "conn1", "cred1"],
        vec!["import", csv.to_str().unwrap()],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        for way in ["--api-endpoint", "--client-id", "--profile"] {
            assert!(stderr(&out).contains(way), "{args:?}: {}", stderr(&out));
        }
    }
    assert!(
        !data.join("inventory.sqlite3").exists(),
        "nothing was written anywhere"
    );
    let out = run(&[
        "--api-endpoint",
        "https://ACME.conductor.one",
        "import",
        csv.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("into the inventory of tenant acme.conductor.one: 2 added"),
        "{}",
        stderr(&out)
    );
    // Another profile configured for the same tenant (by its client id) shares the rows;
    // a profile of another tenant does not see them.
    let untrack = |client_id: &str| {
        let mut c = credboard(home.path());
        c.env("CONE_PROFILE", "ops")
            .env("CONE_CLIENT_ID", client_id)
            .arg("--data-dir")
            .arg(&data)
            .args(["untrack", "cred2"]);
        c.output().unwrap()
    };
    let elsewhere = untrack("bot@other.conductor.one/pcc");
    assert_eq!(elsewhere.status.code(), Some(1), "{}", stderr(&elsewhere));
    assert!(stderr(&elsewhere).contains("not tracked for tenant other.conductor.one"));
    let same = untrack("bot@acme.conductor.one/pcc");
    assert!(same.status.success(), "{}", stderr(&same));
}

/// One profile name pointed at another tenant: `list` and the journal show none of the
/// first tenant's rows, which are all still there for the first tenant.
#[test]
fn one_profile_name_pointed_at_another_tenant_sees_none_of_the_first_tenants_rows() {
    let first = ConeTenant::start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let second = rt
        .block_on(DemoServer::start(DemoOptions::default()))
        .unwrap();
    let (app, connector, _) = first.server().tracked()[0].clone();
    let rotated = first.run(&["rotate", &app, &connector]);
    assert!(rotated.status.success(), "{}", stderr(&rotated));
    let listed = first.run(&["list", "-o", "json"]);
    assert_eq!(stdout_json(&listed).as_array().unwrap().len(), 1);

    // The same (default) profile, now configured for the second tenant.
    let on_second = |args: &[&str]| {
        let mut c = credboard(first.home.path());
        c.env("CONE_CLIENT_ID", second.client_id())
            .env("CONE_CLIENT_SECRET", second.client_secret().expose())
            .arg("--data-dir")
            .arg(&first.data)
            .args(args);
        c.output().unwrap()
    };
    let listed = on_second(&["list", "-o", "json"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert_eq!(
        stdout_json(&listed),
        serde_json::json!([]),
        "{}",
        stderr(&listed)
    );
    assert!(
        stderr(&listed).contains("no credential is tracked for tenant 127.0.0.1:"),
        "{}",
        stderr(&listed)
    );
    let journal = on_second(&["journal", "-o", "json"]);
    assert_eq!(stdout_json(&journal), serde_json::json!([]));
    // Back on the first tenant, everything is still there.
    assert_eq!(
        stdout_json(&first.run(&["list", "-o", "json"]))
            .as_array()
            .unwrap()
            .len(),
        1
    );
    rt.block_on(second.shutdown());
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
        [
            ("rotate", "failed"),
            ("rotate", "requested"),
            ("revoke", "ok"),
            ("revoke", "requested"),
            ("rotate", "ok"),
            ("rotate", "requested"),
        ]
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

// ---- the journal is written ahead ----

/// Makes the inventory refuse new rows of `table`, as a full disk would (SQLite on a tiny
/// filesystem is not available here, and root ignores a read-only file).
fn refuse_inserts(inventory: &Path, table: &str) {
    rusqlite::Connection::open(inventory)
        .unwrap()
        .execute_batch(&format!(
            "CREATE TRIGGER disk_full_{table} BEFORE INSERT ON {table}
             BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;"
        ))
        .unwrap();
}

/// If the intent cannot be journaled, nothing is sent, and the user is told why.
#[test]
fn a_revoke_or_rotate_whose_request_cannot_be_journaled_is_not_sent() {
    let tenant = ConeTenant::start();
    let live = tenant
        .server()
        .credentials()
        .into_iter()
        .find(|c| c.deleted_at.is_none())
        .unwrap();
    let [app, connector, id] = triple(&live);
    assert!(
        tenant.run(&["journal"]).status.success(),
        "the inventory exists"
    );
    refuse_inserts(&tenant.inventory(), "journal");
    tenant.server().reset_stats();

    let out = tenant.run(&["revoke", "--yes", &app, &connector, &id]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    for said in [
        "the journal could not record the request, so nothing was sent",
        "database or disk is full",
    ] {
        assert!(stderr(&out).contains(said), "{said:?} in {}", stderr(&out));
    }
    let out = tenant.run(&["rotate", &app, &connector]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("nothing was sent"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty(), "no secret: nothing was minted");

    let stats = tenant.server().stats();
    use credboard::demo::RouteKind;
    assert_eq!(
        stats.route(RouteKind::RevokeCredential),
        0,
        "no revoke was sent"
    );
    assert_eq!(
        stats.route(RouteKind::RotateCredential),
        0,
        "no rotate was sent"
    );
    assert!(
        tenant
            .get(&app, &connector, &id)
            .unwrap()
            .deleted_at
            .is_none(),
        "the credential is still live"
    );
}

/// A revoke that reached the server is in the journal even when the process is killed
/// while it waits for the reply; the next command that reaches the tenant checks it with a
/// Get, journals what the server says, and says so.
#[test]
fn the_journal_holds_a_revoke_that_reached_the_server_when_the_process_is_killed() {
    use credboard::demo::{Faults, Latency, RouteFilter, RouteKind};
    let tenant = ConeTenant::start();
    let live = tenant
        .server()
        .credentials()
        .into_iter()
        .find(|c| c.deleted_at.is_none())
        .unwrap();
    let [app, connector, id] = triple(&live);
    // The tenant holds the revoke's reply back.
    tenant.server().set_faults(Faults {
        latency: Latency::Fixed(std::time::Duration::from_secs(2)),
        latency_routes: RouteFilter::Only(RouteKind::RevokeCredential),
        rules: Vec::new(),
    });
    let mut child = tenant.spawn(&["revoke", "--yes", &app, &connector, &id]);
    let waited = std::time::Instant::now();
    while tenant.server().stats().route(RouteKind::RevokeCredential) == 0 {
        assert!(
            waited.elapsed() < std::time::Duration::from_secs(60),
            "hang: the revoke never reached the tenant"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    // The tenant carries the revoke out; its reply is still held back when the process dies.
    assert!(tenant.server().revoke(&id));
    child.kill().unwrap();
    assert!(!child.wait().unwrap().success(), "killed, not finished");
    while tenant.server().stats().in_flight > 0 {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    tenant.server().set_faults(Faults::none());

    let journal = tenant.journal();
    assert_eq!(
        journal,
        [("revoke".to_string(), id.clone(), "requested".to_string())],
        "the revoke is journaled as requested, with no outcome"
    );

    let out = tenant.run(&["list"]);
    let text = stderr(&out);
    assert!(
        text.contains(&format!(
            "journal: the revoke of credential {id}, requested at"
        )) && text.contains("the server says it is revoked"),
        "{text}"
    );
    assert_eq!(
        tenant.journal()[0],
        ("revoke".to_string(), id.clone(), "ok".to_string()),
        "the outcome is what the server says"
    );
    // Checked once: the next start has nothing left to check.
    assert!(!stderr(&tenant.run(&["list"])).contains("journal:"));
}

/// Journal entries as a process killed after writing its request leaves them: each
/// request of a process no longer running, with no outcome.
fn write_unanswered(tenant: &ConeTenant, requests: &[(&str, &str, &str, Option<&str>)]) {
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    gone.wait().unwrap();
    let conn = rusqlite::Connection::open(tenant.inventory()).unwrap();
    let host = tenant.server().endpoint().replace("http://", "");
    for (action, app, connector, id) in requests {
        conn.execute(
            "INSERT INTO journal (tenant, profile, time, actor_client_id, action, app_id,
                                  connector_id, credential_id, outcome, pid)
             VALUES (?1, 'default', '2026-01-02T03:04:05Z', ?2, ?3, ?4, ?5, ?6, 'requested', ?7)",
            rusqlite::params![
                host,
                tenant.server().client_id(),
                action,
                app,
                connector,
                id,
                gone.id()
            ],
        )
        .unwrap();
    }
}

/// At the next start every request without an outcome is checked with a Get, the result
/// journaled and shown: a revoke the server did carry out is done, one it did not is not, an
/// id the tenant does not know is not found, and a rotate (which no Get can check) is
/// unknown, with what to do.
#[test]
fn requests_without_an_outcome_are_checked_and_journaled_at_the_next_start() {
    let tenant = ConeTenant::start();
    let creds = tenant.server().credentials();
    let mut live = creds.iter().filter(|c| c.deleted_at.is_none());
    let [app, connector, went_through] = triple(live.next().unwrap());
    let [app2, connector2, did_not] = triple(live.next().unwrap());
    assert!(
        tenant.run(&["journal"]).status.success(),
        "the inventory exists"
    );
    write_unanswered(
        &tenant,
        &[
            ("revoke", &app, &connector, Some(&went_through)),
            ("revoke", &app2, &connector2, Some(&did_not)),
            (
                "revoke",
                &app,
                &connector,
                Some("2NOPEnotarealcredentialid00"),
            ),
            ("rotate", &app, &connector, None),
        ],
    );
    // The first reached the tenant before its process died.
    assert!(tenant.server().revoke(&went_through));

    let out = tenant.run(&["list"]);
    let text = stderr(&out);
    for said in [
        format!(
            "the revoke of credential {went_through}, requested at 2026-01-02 03:04:05 UTC, had no outcome in the journal: the server says it is revoked"
        ),
        format!(
            "the revoke of credential {did_not}, requested at 2026-01-02 03:04:05 UTC, had no outcome in the journal; journaled as failed: checked at the next start: the server still holds the credential live"
        ),
        "the revoke of credential 2NOPEnotarealcredentialid00".to_string(),
        "journaled as not found".to_string(),
        format!("the rotate for connector {connector} of app {app}"),
        "journaled as unknown".to_string(),
    ] {
        assert!(text.contains(&said), "{said:?} in:\n{text}");
    }
    let outcomes: Vec<(String, String)> = tenant
        .journal()
        .into_iter()
        .take(4)
        .map(|(action, id, outcome)| (format!("{action} {id}"), outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("rotate ".to_string(), "unknown".to_string()),
            (
                "revoke 2NOPEnotarealcredentialid00".to_string(),
                "not_found".to_string()
            ),
            (format!("revoke {did_not}"), "failed".to_string()),
            (format!("revoke {went_through}"), "ok".to_string()),
        ]
    );
    assert!(!stderr(&tenant.run(&["list"])).contains("journal:"));
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
        .args(["--api-endpoint", "acme.conductor.one", "import"])
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
        c.arg("--data-dir")
            .arg(&data)
            .args(["--api-endpoint", "acme.conductor.one"])
            .args(args);
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

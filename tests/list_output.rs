//! `credboard list` run as the real binary against a tenant reached the way a real one is
//! (cone's environment variables, the inventory in --data-dir): what it prints says only
//! what is known.

use std::path::Path;

use assert_cmd::Command;
use credboard::demo::{DemoOptions, DemoServer};
use serde_json::Value;
use tempfile::TempDir;

/// The binary with a clean environment, the demo tenant's client and `endpoint`.
fn credboard(home: &Path, server: &DemoServer, endpoint: &str) -> Command {
    let mut cmd = Command::cargo_bin("credboard").unwrap();
    cmd.env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("CONE_CLIENT_ID", server.client_id())
        .env("CONE_CLIENT_SECRET", server.client_secret().expose())
        .env("CONE_API_ENDPOINT", endpoint)
        .arg("--data-dir")
        .arg(home.join("data"));
    cmd
}

fn run(cmd: &mut Command) -> (String, String) {
    let out = cmd.output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_credential_the_server_does_not_know_is_listed_as_gone_with_nothing_invented() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt
        .block_on(DemoServer::start(DemoOptions::default()))
        .unwrap();
    let home = TempDir::new().unwrap();
    let endpoint = server.endpoint();
    let (app, connector, _) = server.tracked()[0].clone();
    let unknown = "2NOPEnopeNOPEnopeNOPEnope12";
    let (_, err) =
        run(credboard(home.path(), &server, &endpoint).args(["track", &app, &connector, unknown]));
    assert!(err.contains("now tracking"), "{err}");

    let (table, err) = run(credboard(home.path(), &server, &endpoint).arg("list"));
    let row = table
        .lines()
        .find(|l| l.contains(unknown))
        .unwrap_or_else(|| panic!("not listed:\n{table}\n{err}"));
    assert!(row.contains("gone"), "{row}");
    for invented in ["never", "no expiry"] {
        assert!(!row.contains(invented), "{invented:?} in {row}");
    }
    assert!(row.contains("unknown"), "{row}");

    let (json, err) = run(credboard(home.path(), &server, &endpoint).args(["list", "-o", "json"]));
    let list: Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {err}"));
    let entry = &list[0];
    assert_eq!(entry["id"], unknown);
    assert_eq!(entry["status"], "gone");
    for field in ["lastUsedAt", "expiresTime", "createdAt", "clientId"] {
        assert!(
            entry.get(field).is_none(),
            "{field} is not known, so not given: {entry}"
        );
    }
    rt.block_on(server.shutdown());
}

/// An endpoint on 127.0.0.1 where nothing listens: a port bound, then closed.
fn dead_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

#[test]
fn against_an_unreachable_tenant_list_says_each_kind_of_failure_once_and_ends_there() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt
        .block_on(DemoServer::start(DemoOptions::default()))
        .unwrap();
    let home = TempDir::new().unwrap();
    // Track the demo tenant's 120 credentials, then point at an endpoint nobody answers.
    let csv = home.path().join("ids.csv");
    let mut ids = String::from("app_id,connector_id,id\n");
    for (app, connector, id) in server.tracked() {
        ids.push_str(&format!("{app},{connector},{id}\n"));
    }
    std::fs::write(&csv, ids).unwrap();
    // The inventory is the tenant's, named by its endpoint: import for the one that is down.
    let endpoint = dead_endpoint();
    let (_, err) = run(credboard(home.path(), &server, &endpoint)
        .arg("import")
        .arg(&csv));
    assert!(err.contains("120 added"), "{err}");

    let out = credboard(home.path(), &server, &endpoint)
        .arg("list")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines.len() <= 5,
        "one line per kind of failure, not one per call ({} lines):\n{stderr}",
        lines.len()
    );
    let (last, warnings) = lines.split_last().expect("something is said");
    assert!(
        last.starts_with("error: ") && last.contains("120 of 120 credentials"),
        "the last line sums up: {last}"
    );
    assert!(
        warnings.iter().all(|l| l.starts_with("warning: ")),
        "{stderr}"
    );
    let mut unique = warnings.to_vec();
    unique.dedup();
    assert_eq!(unique.len(), warnings.len(), "{stderr}");
    // Every credential is counted once, under the cause that kept it from being fetched.
    let counted: usize = warnings
        .iter()
        .filter_map(|l| {
            let rest = l.strip_prefix("warning: ")?;
            let (n, what) = rest.split_once(' ')?;
            what.starts_with("credential")
                .then(|| n.parse::<usize>().ok())
                .flatten()
        })
        .sum();
    assert_eq!(counted, 120, "{stderr}");
    assert!(
        stderr.contains("could not connect to the server"),
        "the cause, in words:\n{stderr}"
    );
    rt.block_on(server.shutdown());
}

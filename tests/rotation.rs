//! Rotation as a procedure, as a user meets it: the real binary (`rotate --replace`,
//! `rotations`, `rotations resume`, `rotations abandon`) against a demo tenant started here
//! and reached through cone's environment variables, with the inventory in a data directory
//! that outlives each run. What reached the tenant is read from the tenant itself.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use chrono::Utc;
use credboard::api::ConnectorCredential;
use credboard::demo::{
    DemoOptions, DemoServer, FaultKind, FaultRule, Faults, RouteFilter, RouteKind,
};
use serde_json::Value;
use tempfile::TempDir;

/// A demo tenant and a credboard configured for it, like a real one.
struct Tenant {
    rt: tokio::runtime::Runtime,
    server: Option<DemoServer>,
    home: TempDir,
    data: PathBuf,
    client_secret: String,
}

impl Tenant {
    fn start(first_use_after: Option<Duration>) -> Self {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let server = rt
            .block_on(DemoServer::start(DemoOptions {
                first_use_after,
                ..DemoOptions::default()
            }))
            .unwrap();
        let home = TempDir::new().unwrap();
        let data = home.path().join("data");
        let client_secret = server.client_secret().expose().to_string();
        Self {
            rt,
            server: Some(server),
            home,
            data,
            client_secret,
        }
    }

    fn server(&self) -> &DemoServer {
        self.server.as_ref().unwrap()
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("HOME", self.home.path().display().to_string()),
            ("PATH", std::env::var("PATH").unwrap_or_default()),
            ("CONE_CLIENT_ID", self.server().client_id()),
            ("CONE_CLIENT_SECRET", self.client_secret.clone()),
        ]
    }

    fn command(&self) -> Command {
        let mut c = Command::cargo_bin("credboard").unwrap();
        c.env_clear()
            .envs(self.env())
            .arg("--data-dir")
            .arg(&self.data);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }

    fn inventory(&self) -> PathBuf {
        self.data.join("inventory.sqlite3")
    }

    /// The journal, oldest first, as (action, credential id, outcome kind, message).
    fn journal(&self) -> Vec<(String, String, String, String)> {
        let out = self.run(&["journal", "-o", "json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let mut entries: Vec<_> = json(&out)
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let text = |v: &Value| v.as_str().unwrap_or("").to_string();
                (
                    text(&e["action"]),
                    text(&e["credentialId"]),
                    text(&e["outcome"]["kind"]),
                    text(&e["outcome"]["message"]),
                )
            })
            .collect();
        entries.reverse();
        entries
    }

    /// The journal's (action, credential id, outcome kind), oldest first.
    fn journal_kinds(&self) -> Vec<(String, String, String)> {
        self.journal()
            .into_iter()
            .map(|(a, c, k, _)| (a, c, k))
            .collect()
    }

    /// `credboard rotations -o json`, which first gets the credentials of those under way.
    fn rotations(&self) -> Vec<Value> {
        let out = self.run(&["rotations", "-o", "json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        json(&out).as_array().unwrap().clone()
    }

    fn credential(&self, id: &str) -> ConnectorCredential {
        self.server().credential(id).unwrap()
    }

    fn is_live(&self, id: &str) -> bool {
        self.credential(id).deleted_at.is_none()
    }

    /// The connector's credential `id` starts being used, as when the connector switched.
    fn use_credential(&self, id: &str) {
        assert!(self.server().touch_last_used(id, Utc::now()));
    }

    fn revokes_served(&self) -> u64 {
        self.server().stats().route(RouteKind::RevokeCredential)
    }

    fn rotates_served(&self) -> u64 {
        self.server().stats().route(RouteKind::RotateCredential)
    }
}

impl Drop for Tenant {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.rt.block_on(server.shutdown());
        }
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            stderr(out)
        )
    })
}

/// A connector with exactly one live credential, every credential of it tracked: (app id,
/// connector id, the live credentials' ids). With `two`, a second live credential is minted
/// first by a plain rotate, so that the rotation has two to replace.
fn connector(tenant: &Tenant, two: bool) -> (String, String, Vec<String>) {
    let now = Utc::now();
    let live =
        |c: &ConnectorCredential| c.deleted_at.is_none() && c.expires_time.is_none_or(|t| t > now);
    let all = tenant.server().credentials();
    let lone = |c: &&ConnectorCredential| {
        live(c)
            && all
                .iter()
                .filter(|o| o.connector_id == c.connector_id && live(o))
                .count()
                == 1
    };
    let first = all.iter().find(lone).unwrap().clone();
    let (app, conn) = (first.app_id.unwrap(), first.connector_id.unwrap());
    for c in tenant.server().credentials() {
        if c.connector_id.as_deref() == Some(&conn) {
            let out = tenant.run(&["track", &app, &conn, c.id.as_deref().unwrap()]);
            assert!(out.status.success(), "{}", stderr(&out));
        }
    }
    if two {
        let out = tenant.run(&["rotate", &app, &conn]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let mut ids: Vec<String> = tenant
        .server()
        .credentials()
        .into_iter()
        .filter(|c| c.connector_id.as_deref() == Some(&conn) && live(c))
        .map(|c| c.id.unwrap())
        .collect();
    ids.sort();
    (app, conn, ids)
}

/// The id of the credential minted last.
fn newest(tenant: &Tenant) -> String {
    tenant
        .server()
        .credentials()
        .last()
        .unwrap()
        .id
        .clone()
        .unwrap()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn s(parts: &[&str]) -> (String, String, String) {
    (parts[0].into(), parts[1].into(), parts[2].into())
}

/// The whole procedure: the secret alone on stdout, the old credentials revoked on the
/// tenant once the connector used the new one, each step in the journal, exit 0.
#[test]
fn replace_revokes_the_old_ones_once_the_connector_uses_the_new_one() {
    let tenant = Tenant::start(Some(Duration::from_millis(200)));
    let (app, conn, old) = connector(&tenant, true);
    assert_eq!(old.len(), 2);
    let before = tenant.journal().len();
    let out = tenant.run(&["rotate", &app, &conn, "--replace", "--wait", "60s", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("secret-token:conductorone.com:v1:"));
    let secret = stdout.trim();
    let err = stderr(&out);
    assert!(!err.contains(secret), "the secret only on stdout:\n{err}");
    for said in ["rotation 1 started", "ready to revoke", "done"] {
        assert!(err.contains(said), "{said:?} in\n{err}");
    }

    let new = newest(&tenant);
    assert!(!old.contains(&new));
    for id in &old {
        assert!(!tenant.is_live(id), "{id} revoked on the tenant");
    }
    let fresh = tenant.credential(&new);
    assert!(fresh.deleted_at.is_none() && fresh.last_used_at.is_some());

    let steps: Vec<_> = tenant.journal_kinds().split_off(before);
    assert_eq!(
        steps,
        [
            s(&["rotate", "", "requested"]),
            s(&["rotate", &new, "ok"]),
            s(&["rotate", &new, "rotation_started"]),
            s(&["rotate", &new, "first_used"]),
            s(&["revoke", &old[0], "requested"]),
            s(&["revoke", &old[0], "ok"]),
            s(&["revoke", &old[1], "requested"]),
            s(&["revoke", &old[1], "ok"]),
            s(&["rotate", &new, "rotation_done"]),
        ]
    );
    let rotations = tenant.rotations();
    assert_eq!(rotations.len(), 1);
    assert_eq!(rotations[0]["state"], "done");
    assert_eq!(rotations[0]["newCredentialId"], new.as_str());
    let fates: Vec<(&str, &str)> = rotations[0]["old"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["credentialId"].as_str().unwrap(),
                o["fate"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        fates,
        [(old[0].as_str(), "revoked"), (old[1].as_str(), "revoked")]
    );
    for file in walk(tenant.home.path()) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(secret),
            "the secret in {}",
            file.display()
        );
    }
}

/// What cannot be finished is refused before anything is minted: no --yes off a terminal
/// (exit 2), read-only (exit 1), nothing tracked to replace (exit 2), a bad --wait (exit 2).
#[test]
fn replace_refuses_before_minting_what_it_cannot_finish() {
    let tenant = Tenant::start(Some(Duration::from_millis(200)));
    let (app, conn, old) = connector(&tenant, false);
    let untracked = tenant
        .server()
        .credentials()
        .into_iter()
        .find(|c| c.connector_id.as_deref() != Some(&conn))
        .unwrap();
    let journal = tenant.journal();
    tenant.server().reset_stats();
    let refusals: [(&[&str], i32, &str); 5] = [
        (&["rotate", &app, &conn, "--replace"], 2, "pass --yes"),
        (
            &["rotate", &app, &conn, "--replace", "--yes", "--read-only"],
            1,
            "read-only",
        ),
        (
            &[
                "rotate",
                untracked.app_id.as_deref().unwrap(),
                untracked.connector_id.as_deref().unwrap(),
                "--replace",
                "--yes",
            ],
            2,
            "nothing to replace",
        ),
        (
            &["rotate", &app, &conn, "--replace", "--wait", "soon"],
            2,
            "a unit",
        ),
        (&["rotate", &app, &conn, "--wait", "5s"], 2, "--replace"),
    ];
    for (args, code, said) in refusals {
        let out = tenant
            .command()
            .args(args)
            .write_stdin("")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(said),
            "{said:?} for {args:?}: {}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty(), "{args:?} printed {:?}", out.stdout);
    }
    assert_eq!(tenant.rotates_served(), 0, "nothing was minted");
    assert_eq!(tenant.journal(), journal);
    assert!(tenant.rotations().is_empty());
    assert!(old.iter().all(|id| tenant.is_live(id)));
}

/// A wait that runs out: exit 1, the rotation still waiting, nothing revoked; once the
/// connector uses the new credential, `rotations resume` finishes it (exit 0), and a second
/// resume finds it done.
#[test]
fn a_wait_that_runs_out_exits_1_and_resume_finishes_the_rotation() {
    let tenant = Tenant::start(None);
    let (app, conn, old) = connector(&tenant, false);
    let out = tenant.run(&["rotate", &app, &conn, "--replace", "--wait", "1s", "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    let err = stderr(&out);
    assert!(err.contains("rotations resume 1"), "{err}");
    assert!(err.contains("keeps waiting"), "{err}");
    let rotations = tenant.rotations();
    assert_eq!(rotations[0]["state"], "waiting");
    assert!(old.iter().all(|id| tenant.is_live(id)));
    assert_eq!(tenant.revokes_served(), 0);

    let new = newest(&tenant);
    tenant.use_credential(&new);
    let out = tenant.run(&["rotations", "resume", "1", "--yes", "--wait", "60s"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(old.iter().all(|id| !tenant.is_live(id)));
    assert!(tenant.is_live(&new));
    assert_eq!(tenant.rotations()[0]["state"], "done");
    let again = tenant.run(&["rotations", "resume", "1", "--yes"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(
        stderr(&again).contains("done already"),
        "{}",
        stderr(&again)
    );
    let started = tenant
        .journal_kinds()
        .iter()
        .filter(|(_, _, k)| k == "rotation_started")
        .count();
    assert_eq!(started, 1);
}

/// A process killed in the middle of the wait leaves its rotation waiting in the inventory;
/// the next process picks it up and finishes it, each step journaled once.
#[test]
fn a_rotation_left_by_a_killed_process_is_picked_up_by_the_next() {
    let tenant = Tenant::start(None);
    let (app, conn, old) = connector(&tenant, false);
    let mut first = std::process::Command::new(assert_cmd::cargo::cargo_bin("credboard"))
        .env_clear()
        .envs(tenant.env())
        .arg("--data-dir")
        .arg(&tenant.data)
        .args(["rotate", &app, &conn, "--replace", "--wait", "10m", "--yes"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Until the rotation is in the inventory (bounded: the process may have failed).
    let recorded = (0..600).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        rusqlite::Connection::open(tenant.inventory())
            .and_then(|c| c.query_row("SELECT count(*) FROM rotations", [], |r| r.get::<_, i64>(0)))
            .is_ok_and(|n| n == 1)
    });
    assert!(recorded, "the first process recorded its rotation");
    first.kill().unwrap();
    let _ = first.wait();
    assert_eq!(tenant.rotations()[0]["state"], "waiting");

    let new = newest(&tenant);
    tenant.use_credential(&new);
    let out = tenant.run(&["rotations", "resume", "1", "--yes", "--wait", "60s"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(old.iter().all(|id| !tenant.is_live(id)));
    let kinds: Vec<String> = tenant
        .journal_kinds()
        .into_iter()
        .filter(|(a, _, _)| a == "rotate")
        .map(|(_, _, k)| k)
        .collect();
    assert_eq!(
        kinds,
        [
            "requested",
            "ok",
            "rotation_started",
            "first_used",
            "rotation_done"
        ]
    );
}

/// An old credential revoked by someone else while the rotation waits leaves the set: the
/// rotation is done without credboard revoking it, and the journal says so.
#[test]
fn an_old_credential_revoked_by_someone_else_leaves_the_set_without_a_revoke() {
    let tenant = Tenant::start(None);
    let (app, conn, old) = connector(&tenant, true);
    let out = tenant.run(&["rotate", &app, &conn, "--replace", "--wait", "1s", "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(tenant.server().revoke(&old[0]));
    tenant.use_credential(&newest(&tenant));
    tenant.server().reset_stats();
    let out = tenant.run(&["rotations", "resume", "1", "--yes", "--wait", "60s"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("revoked by someone else"),
        "{}",
        stderr(&out)
    );
    assert_eq!(tenant.revokes_served(), 1, "only the other old credential");
    assert!(!tenant.is_live(&old[1]));

    let journal = tenant.journal();
    let about_first: Vec<&(String, String, String, String)> =
        journal.iter().filter(|e| e.1 == old[0]).collect();
    assert_eq!(about_first.len(), 1, "{about_first:?}");
    let (action, _, kind, message) = about_first[0];
    assert_eq!(
        (action.as_str(), kind.as_str()),
        ("rotate", "left_rotation")
    );
    assert!(message.contains("revoked by someone else"), "{message}");
    assert!(message.contains("sent nothing"), "{message}");
    let rotation = &tenant.rotations()[0];
    assert_eq!(rotation["state"], "done");
    assert_eq!(rotation["old"][0]["fate"], "revoked_elsewhere");
    assert_eq!(rotation["old"][1]["fate"], "revoked");
}

/// The new credential revoked while the rotation waits: the rotation is abandoned and the
/// old credentials, which the connector may still need, are never revoked.
#[test]
fn the_new_credential_revoked_meanwhile_abandons_the_rotation_and_spares_the_old() {
    let tenant = Tenant::start(None);
    let (app, conn, old) = connector(&tenant, false);
    let out = tenant.run(&["rotate", &app, &conn, "--replace", "--wait", "1s", "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let new = newest(&tenant);
    tenant.use_credential(&new);
    assert!(tenant.server().revoke(&new));
    tenant.server().reset_stats();
    let out = tenant.run(&["rotations", "resume", "1", "--yes", "--wait", "60s"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the new credential was revoked"),
        "{}",
        stderr(&out)
    );
    assert_eq!(tenant.revokes_served(), 0);
    assert!(old.iter().all(|id| tenant.is_live(id)));
    let rotation = &tenant.rotations()[0];
    assert_eq!(rotation["state"], "abandoned");
    assert_eq!(rotation["abandonReason"], "new_revoked");
    assert!(
        tenant
            .journal_kinds()
            .contains(&s(&["rotate", &new, "rotation_abandoned"]))
    );
}

/// `rotations abandon` gives a waiting rotation up (nothing revoked), once; a resume then
/// refuses.
#[test]
fn abandon_gives_a_rotation_up_and_resume_then_refuses() {
    let tenant = Tenant::start(None);
    let (app, conn, old) = connector(&tenant, false);
    let out = tenant.run(&["rotate", &app, &conn, "--replace", "--wait", "0s", "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = tenant.run(&["rotations", "abandon", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rotation = &tenant.rotations()[0];
    assert_eq!(rotation["state"], "abandoned");
    assert_eq!(rotation["abandonReason"], "by_user");
    for args in [
        &["rotations", "abandon", "1"][..],
        &["rotations", "resume", "1", "--yes"],
        &["rotations", "resume", "7", "--yes"],
    ] {
        let out = tenant.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
    }
    tenant.use_credential(&newest(&tenant));
    assert_eq!(tenant.run(&["rotations"]).status.code(), Some(0));
    assert!(old.iter().all(|id| tenant.is_live(id)));
    assert_eq!(tenant.revokes_served(), 0);
    // A new rotation of the same connector may start now.
    let out = tenant.run(&["rotate", &app, &conn, "--replace", "--wait", "0s", "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("rotation 2 started"),
        "{}",
        stderr(&out)
    );
    let second = tenant.run(&["rotate", &app, &conn, "--replace", "--yes"]);
    assert_eq!(second.status.code(), Some(2), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("already has rotation 2"),
        "{}",
        stderr(&second)
    );
}

/// Past its deadline (the clock moved on: the inventory's deadline set back), a waiting
/// rotation times out at the next look, journaled, the old credentials left live.
#[test]
fn past_its_deadline_a_waiting_rotation_times_out() {
    let tenant = Tenant::start(None);
    let (app, conn, old) = connector(&tenant, false);
    let out = tenant.run(&["rotate", &app, &conn, "--replace", "--wait", "0s", "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    rusqlite::Connection::open(tenant.inventory())
        .unwrap()
        .execute("UPDATE rotations SET deadline = '2001-01-01T00:00:00Z'", [])
        .unwrap();
    let rotation = &tenant.rotations()[0];
    assert_eq!(rotation["state"], "timed_out");
    let new = newest(&tenant);
    assert!(
        tenant
            .journal_kinds()
            .contains(&s(&["rotate", &new, "rotation_timed_out"]))
    );
    assert!(old.iter().all(|id| tenant.is_live(id)));
    let out = tenant.run(&["rotations", "resume", "1", "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("timed out"), "{}", stderr(&out));
}

/// Polls the tenant answers with garbage keep the rotation waiting, lose nothing, and are
/// said once, not once per poll.
#[test]
fn polls_answered_with_garbage_keep_the_rotation_waiting_and_are_said_once() {
    let tenant = Tenant::start(None);
    let (app, conn, _) = connector(&tenant, false);
    let out = tenant.run(&["rotate", &app, &conn, "--replace", "--wait", "0s", "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let journal = tenant.journal();
    tenant.use_credential(&newest(&tenant));
    tenant.server().set_faults(
        Faults::none().with(
            FaultRule::new(FaultKind::MalformedBody)
                .routes(RouteFilter::Only(RouteKind::GetCredential)),
        ),
    );
    let out = tenant.run(&["rotations", "resume", "1", "--yes", "--wait", "2s"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.matches("warning:").count(), 1, "{err}");
    assert!(err.contains("keeps waiting"), "{err}");
    assert_eq!(tenant.journal(), journal, "no step was taken");
    assert_eq!(tenant.revokes_served(), 0);
    tenant.server().set_faults(Faults::none());
    assert_eq!(tenant.rotations()[0]["state"], "ready");
}

/// On a terminal, each old credential is asked about as `credboard revoke` asks (what the
/// server holds, "Type yes"); "no" revokes nothing more and the rotation stays ready.
#[test]
fn on_a_terminal_each_old_credential_is_asked_about_and_no_keeps_the_rotation_ready() {
    let tenant = Tenant::start(Some(Duration::from_millis(200)));
    let (app, conn, old) = connector(&tenant, true);
    let mut line = vec![
        assert_cmd::cargo::cargo_bin("credboard")
            .display()
            .to_string(),
        "--data-dir".into(),
        tenant.data.display().to_string(),
    ];
    line.extend(["rotate", &app, &conn, "--replace", "--wait", "60s"].map(String::from));
    let shell = format!("{} > /dev/null; echo EXIT=$?", line.join(" "));
    let mut script = std::process::Command::new("script");
    script
        .args(["-qec", &shell, "/dev/null"])
        .env_clear()
        .envs(tenant.env())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = script
        .spawn()
        .expect("`script` (util-linux) gives the child a terminal");
    use std::io::Write as _;
    child.stdin.take().unwrap().write_all(b"yes\nno\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("EXIT=1"), "{text}");
    assert_eq!(text.matches("Type yes to revoke").count(), 2, "{text}");
    for id in &old {
        assert!(text.contains(id.as_str()), "{id} asked about:\n{text}");
    }
    assert!(text.contains("stays ready"), "{text}");
    assert!(!tenant.is_live(&old[0]), "the first answered yes");
    assert!(tenant.is_live(&old[1]), "the second answered no");
    let rotation = &tenant.rotations()[0];
    assert_eq!(rotation["state"], "ready");
    assert_eq!(rotation["old"][1]["fate"], "pending");
}

//! The ways a rotation gets done: at once, after a wait that ran out, after a killed
//! process, on a terminal.

use super::*;

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

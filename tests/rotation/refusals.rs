//! What `rotate --replace` refuses before anything is minted.

use super::*;

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

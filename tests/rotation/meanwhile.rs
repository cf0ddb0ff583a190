//! What others (someone in the web UI, the clock, a failing tenant) do while a rotation is
//! under way, and giving one up.

use super::*;

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

    // From the rotation's start on (the second old credential was minted by a rotate).
    let journal = tenant.journal();
    let start = journal
        .iter()
        .position(|e| e.2 == "rotation_started")
        .unwrap();
    let about_first: Vec<&(String, String, String, String)> =
        journal[start..].iter().filter(|e| e.1 == old[0]).collect();
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

/// A connector with two deployments: one switched to the new credential, the other still
/// uses an old one. That old one is refused (not revoked, said why, journaled), the other
/// is revoked, and the rotation stays ready with the used one pending: exit 1.
#[test]
fn an_old_credential_used_after_the_switch_is_refused_and_the_rotation_stays_ready() {
    let tenant = Tenant::start(None);
    let (app, conn, old) = connector(&tenant, true);
    let out = tenant.run(&["rotate", &app, &conn, "--replace", "--wait", "1s", "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let new = newest(&tenant);
    let switched = Utc::now() - chrono::TimeDelta::seconds(30);
    assert!(tenant.server().touch_last_used(&new, switched));
    // The second deployment keeps signing in with the first old credential.
    tenant.use_credential(&old[0]);
    tenant.server().reset_stats();
    let out = tenant.run(&["rotations", "resume", "1", "--yes", "--wait", "60s"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let said = stderr(&out);
    assert!(said.contains("something still uses it"), "{said}");
    assert!(said.contains("is ready but still has"), "{said}");
    assert!(tenant.is_live(&old[0]), "the used one is spared");
    assert!(!tenant.is_live(&old[1]), "the unused one is revoked");
    assert_eq!(tenant.revokes_served(), 1);
    let rotation = &tenant.rotations()[0];
    assert_eq!(rotation["state"], "ready");
    let refused = tenant
        .journal()
        .into_iter()
        .find(|e| e.1 == old[0] && e.2 == "failed")
        .expect("the refusal is journaled");
    assert!(refused.3.contains("sent nothing"), "{refused:?}");
}

//! The dashboard's side of issues 14 and 15 end to end: the real runtime, worker, inventory
//! and client on a `TestBackend`, against the demo tenant, driven by keys. `R` leads to a
//! ready rotation and a confirmed revoke of the old credential, with the journal holding
//! each step; a restart resumes it; the changes window after two refreshes; discovery from
//! an empty inventory.

use std::time::Duration;

use chrono::Utc;
use credboard::api::ConnectorCredential;
use credboard::demo::DemoOptions;
use credboard::model::{Action, Outcome};
use credboard::testkit::{Seen, Session, SessionOptions};

fn demo(first_use_after: Duration) -> DemoOptions {
    DemoOptions {
        first_use_after: Some(first_use_after),
        ..Default::default()
    }
}

fn live(c: &ConnectorCredential) -> bool {
    c.deleted_at.is_none() && c.expires_time.is_none_or(|t| t > Utc::now())
}

/// A connector of the demo tenant with exactly one live credential, whose name no other
/// credential's name contains: (its name, its id).
fn lone_credential(d: &Session) -> (String, String) {
    let all = d.server().credentials();
    all.iter()
        .filter(|c| live(c))
        .filter(|c| {
            all.iter()
                .filter(|o| o.connector_id == c.connector_id && live(o))
                .count()
                == 1
        })
        .filter_map(|c| Some((c.display_name.clone()?, c.id.clone()?)))
        .find(|(name, _)| {
            name.len() > 8
                && name
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == ' ')
                && all
                    .iter()
                    .filter(|o| o.display_name.as_deref().is_some_and(|n| n.contains(name)))
                    .count()
                    == 1
        })
        .expect("the seed has such a credential")
}

fn rotations_seen(d: &Session) -> Vec<Vec<(i64, String)>> {
    d.seen()
        .into_iter()
        .filter_map(|s| match s {
            Seen::Rotations(Ok(l)) => Some(l),
            _ => None,
        })
        .collect()
}

async fn rotation_in(d: &Session, state: &str) {
    d.wait_for(
        &format!("rotation 1 {state}"),
        |s| matches!(s, Seen::Rotations(Ok(l)) if l.iter().any(|(id, st)| *id == 1 && st == state)),
    )
    .await;
}

/// Selects the row of `name` through the filter, and starts a rotation of its connector.
async fn rotate(d: &mut Session, name: &str) -> String {
    d.press("/");
    d.type_text(name);
    d.press("enter");
    d.settle().await;
    d.press("R");
    d.see("Mint a new credential for this connector?").await;
    d.press("y");
    let minted = d
        .wait_for("the rotate", |s| matches!(s, Seen::Rotated(_)))
        .await;
    let Seen::Rotated(Ok(new_id)) = minted else {
        panic!("{minted:?}");
    };
    // The secret's window closes on a second press.
    d.see("the secret is shown once").await;
    d.press("esc");
    d.press("esc");
    rotation_in(d, "waiting").await;
    new_id
}

/// In the revoke dialog: answers it as it asks (y, or the credential's own text).
async fn confirm_revoke(d: &mut Session) {
    let screen = d.see("Revoke this credential?").await;
    match screen.split("To revoke it, type ").nth(1) {
        Some(rest) => {
            let text: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
            d.type_text(&text);
            d.press("enter");
        }
        None => d.press("y"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotate_becomes_ready_and_the_confirmed_revoke_finishes_it_with_every_step_journaled() {
    let mut d = Session::start(SessionOptions {
        demo: demo(Duration::from_millis(200)),
        width: 160,
        height: 48,
        ..Default::default()
    })
    .await;
    d.refreshed(1).await;
    d.settle().await;
    let (name, old) = lone_credential(&d);
    let new = rotate(&mut d, &name).await;
    let started = d.store.rotations().unwrap();
    assert_eq!(started.len(), 1);
    assert_eq!(started[0].new_credential_id, new);
    let olds: Vec<&str> = started[0]
        .old
        .iter()
        .map(|o| o.credential_id.as_str())
        .collect();
    assert_eq!(olds, [old.as_str()], "the live credential it replaces");

    // Nothing is revoked while waiting: Enter in the rotations window refuses.
    d.press("O");
    d.see("waiting for first use").await;
    d.press("enter");
    d.see("nothing is revoked before that").await;
    d.press("esc");

    // The connector switches; the next refresh sees it.
    tokio::time::sleep(Duration::from_millis(400)).await;
    d.press("r");
    rotation_in(&d, "ready").await;
    d.see("uses the new credential; ready to revoke the old ones")
        .await;
    assert!(d.server().credential(&old).unwrap().deleted_at.is_none());

    d.press("O");
    d.see("ready to revoke the old").await;
    d.press("enter");
    confirm_revoke(&mut d).await;
    d.wait_for(
        "the revoke",
        |s| matches!(s, Seen::Revoked { id, result: Ok(false) } if *id == old),
    )
    .await;
    rotation_in(&d, "done").await;
    assert!(d.server().credential(&old).unwrap().deleted_at.is_some());
    assert!(d.server().credential(&new).unwrap().deleted_at.is_none());
    d.quit().await;

    // Newest first, as the journal window shows it.
    let journal = d.store.journal().unwrap();
    let steps: Vec<(Action, &str, &str)> = journal
        .iter()
        .map(|e| {
            (
                e.action,
                e.credential_id.as_deref().unwrap_or(""),
                e.outcome.kind(),
            )
        })
        .filter(|(_, id, _)| *id == new || *id == old)
        .rev()
        .collect();
    let at = |step: (Action, &str, &str)| {
        steps
            .iter()
            .position(|s| *s == step)
            .unwrap_or_else(|| panic!("{step:?} in {steps:?}"))
    };
    let order = [
        at((Action::Rotate, new.as_str(), "rotation_started")),
        at((Action::Rotate, new.as_str(), "first_used")),
        at((Action::Revoke, old.as_str(), "requested")),
        at((Action::Revoke, old.as_str(), "ok")),
        at((Action::Rotate, new.as_str(), "rotation_done")),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{steps:?}");
    assert!(journal.iter().any(
        |e| matches!(&e.outcome, Outcome::RotationDone(m) if m.contains("1 revoked by credboard"))
    ));
    d.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quitting_mid_way_and_starting_again_resumes_the_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = Session::start(SessionOptions {
        demo: demo(Duration::from_millis(200)),
        data_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    })
    .await;
    d.refreshed(1).await;
    d.settle().await;
    let (name, old) = lone_credential(&d);
    rotate(&mut d, &name).await;
    d.quit().await;
    let server = d.take_server();
    tokio::time::sleep(Duration::from_millis(400)).await;

    // The dashboard starts again on the same inventory: the worker loads the rotation, and
    // its first refresh sees the first use.
    let mut again = Session::on(
        server,
        SessionOptions {
            data_dir: Some(dir.path().to_path_buf()),
            track_demo: false,
            ..Default::default()
        },
    )
    .await;
    let first = again
        .wait_for("the stored rotations", |s| matches!(s, Seen::Rotations(_)))
        .await;
    assert_eq!(first, Seen::Rotations(Ok(vec![(1, "waiting".to_string())])));
    again.refreshed(1).await;
    rotation_in(&again, "ready").await;
    again.press("O");
    again.see("ready to revoke the old").await;
    again.press("enter");
    confirm_revoke(&mut again).await;
    rotation_in(&again, "done").await;
    assert!(
        again
            .server()
            .credential(&old)
            .unwrap()
            .deleted_at
            .is_some()
    );
    assert!(rotations_seen(&again).len() >= 3);
    again.quit().await;
    again.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_changes_window_after_two_refreshes_lists_what_changed_and_marks_the_rows() {
    let mut d = Session::start(SessionOptions {
        width: 160,
        height: 48,
        ..Default::default()
    })
    .await;
    d.refreshed(1).await;
    d.settle().await;
    let (name, id) = lone_credential(&d);
    // Someone revokes it in the web UI; the second refresh sees it.
    assert!(d.server().revoke(&id));
    d.press("r");
    d.refreshed(2).await;
    d.wait_for(
        "the change log after refresh 2",
        |s| matches!(s, Seen::Changes(Ok(n)) if *n > 0),
    )
    .await;
    d.settle().await;
    d.press("/");
    d.type_text(&name);
    d.press("enter");
    let screen = d.see("match 1/1 ").await;
    let row = screen
        .lines()
        .find(|l| l.contains(&name))
        .unwrap_or_else(|| panic!("{name} on screen: {screen}"));
    assert!(row.starts_with('△'), "{row}");
    d.press("C");
    let shown = d.see("Changes, newest first").await;
    let first = shown
        .lines()
        .find(|l| l.contains("│ 20"))
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(
        first.contains("revoked") && first.contains(&name),
        "{first}"
    );
    assert!(
        shown.contains("new "),
        "the first refresh's changes below: {shown}"
    );
    d.press("esc");
    let state = d.quit().await;
    // Only that row is marked: the first refresh's "new" changes mark nothing.
    let from = state.marks_from();
    let marked: Vec<String> = state
        .inventory
        .entries()
        .filter(|e| state.changes.is_marked(e.key, from))
        .map(|e| e.key.credential_id.clone())
        .collect();
    assert_eq!(marked, std::slice::from_ref(&id));
    d.shutdown().await;
}

async fn discovery_from_an_empty_inventory(read_only: bool) {
    let mut d = Session::start(SessionOptions {
        width: 160,
        height: 48,
        track_demo: false,
        read_only,
        ..Default::default()
    })
    .await;
    d.refreshed(1).await;
    d.see("Nothing is tracked for this tenant yet").await;
    d.press("F");
    let done = d
        .wait_for("the end of discovery", |s| {
            matches!(s, Seen::Discovery(Some(_)))
        })
        .await;
    let Seen::Discovery(Some(Ok(words))) = done else {
        panic!("{done:?}");
    };
    assert!(words.contains("events read"), "{words}");
    let tracked = d.store.tracked().unwrap().len();
    assert!(tracked > 0, "{words}");
    assert!(
        words.contains(&format!("{tracked} new credentials tracked")),
        "{words}"
    );
    d.see(&format!("discovery: {words}")).await;
    // The rows arrived as they were verified, then the refresh that followed named them.
    d.refreshed(2).await;
    d.settle().await;
    let state = d.quit().await;
    let rows = state
        .visible_entries()
        .filter(|e| e.kind == credboard::app::inventory::EntryKind::Credential)
        .count();
    assert_eq!(rows, tracked);
    let found = d
        .seen()
        .into_iter()
        .filter(|s| {
            matches!(
                s,
                Seen::Credential {
                    generation: None,
                    ..
                }
            )
        })
        .count();
    assert_eq!(found, tracked, "each one sent as it was verified");
    d.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_from_an_empty_inventory_shows_the_demo_tenants_credentials() {
    discovery_from_an_empty_inventory(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_runs_in_read_only_mode_too() {
    discovery_from_an_empty_inventory(true).await;
}

/// The old credential is used again after the new one's first use while the revoke dialog is
/// open (a second deployment): the worker's fresh Get refuses it, nothing is revoked, the
/// journal says so, and the rotation stays ready.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_credential_used_after_the_switch_is_refused_even_once_confirmed() {
    let mut d = Session::start(SessionOptions {
        demo: demo(Duration::from_millis(200)),
        width: 160,
        height: 48,
        ..Default::default()
    })
    .await;
    d.refreshed(1).await;
    d.settle().await;
    let (name, old) = lone_credential(&d);
    rotate(&mut d, &name).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    d.press("r");
    rotation_in(&d, "ready").await;
    d.press("O");
    d.see("ready to revoke the old").await;
    d.press("enter");
    d.see("Revoke this credential?").await;
    // Meanwhile the other deployment signs in with the old credential.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(d.server().touch_last_used(&old, Utc::now()));
    confirm_revoke(&mut d).await;
    let refused = d
        .wait_for("the refused revoke", |s| matches!(s, Seen::Revoked { .. }))
        .await;
    let Seen::Revoked {
        result: Err(why), ..
    } = refused
    else {
        panic!("{refused:?}");
    };
    assert!(why.contains("something still uses it"), "{why}");
    assert!(d.server().credential(&old).unwrap().deleted_at.is_none());
    d.see("rotation 1: not revoked: something still uses it")
        .await;
    d.quit().await;
    let rotation = &d.store.rotations().unwrap()[0];
    assert_eq!(rotation.state.as_str(), "ready");
    let journal = d.store.journal().unwrap();
    let entry = journal
        .iter()
        .find(|e| e.credential_id.as_deref() == Some(old.as_str()) && e.outcome.kind() == "failed")
        .expect("the refusal is journaled");
    assert!(
        entry.outcome.to_string().contains("sent nothing"),
        "{}",
        entry.outcome
    );
    assert!(
        !journal
            .iter()
            .any(|e| e.credential_id.as_deref() == Some(old.as_str())
                && e.outcome.kind() == "requested"),
        "no revoke was requested"
    );
    d.shutdown().await;
}

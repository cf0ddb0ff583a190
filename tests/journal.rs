//! The write-ahead journal as the dashboard meets it: the whole dashboard (`testkit::Session`)
//! against the demo tenant over HTTP, on an inventory file prepared before it starts. A
//! request left without an outcome is checked when the dashboard starts and shown; a rotated
//! credential the inventory refuses to record is shown with its id and a warning until it is
//! recorded.

use std::path::{Path, PathBuf};

use credboard::demo::{DemoOptions, DemoServer};
use credboard::model::{Action, Outcome};
use credboard::store::Store;
use credboard::testkit::{Seen, Session, SessionOptions};
use tempfile::TempDir;

/// The demo tenant and an empty inventory file for it, in `dir`; `before` prepares the file
/// (as an earlier run or a broken disk left it) before the dashboard starts.
async fn start(dir: &TempDir, before: impl FnOnce(&DemoServer, &Path)) -> Session {
    let server = DemoServer::start(DemoOptions::default()).await.unwrap();
    let inventory = inventory(dir);
    drop(Store::open(&inventory, &server.endpoint()).unwrap());
    before(&server, &inventory);
    Session::on(
        server,
        SessionOptions {
            data_dir: Some(dir.path().to_path_buf()),
            track_demo: false,
            width: 110,
            height: 32,
            ..Default::default()
        },
    )
    .await
}

fn inventory(dir: &TempDir) -> PathBuf {
    dir.path().join(Store::FILE_NAME)
}

/// Journal entries as a process killed after writing its requests leaves them: requests of
/// a process no longer running, with no outcome.
fn write_unanswered(server: &DemoServer, inventory: &Path, requests: &[(&str, &str, &str)]) {
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    gone.wait().unwrap();
    let conn = rusqlite::Connection::open(inventory).unwrap();
    for (app, connector, id) in requests {
        conn.execute(
            "INSERT INTO journal (tenant, profile, time, actor_client_id, action, app_id,
                                  connector_id, credential_id, outcome, pid)
             VALUES (?1, 'default', '2026-01-02T03:04:05Z', ?2, 'revoke', ?3, ?4, ?5,
                     'requested', ?6)",
            rusqlite::params![
                server.endpoint().replace("http://", ""),
                server.client_id(),
                app,
                connector,
                id,
                gone.id()
            ],
        )
        .unwrap();
    }
}

#[tokio::test]
async fn a_request_left_without_an_outcome_is_checked_when_the_dashboard_starts() {
    let mut target = None;
    let dir = TempDir::new().unwrap();
    let mut d = start(&dir, |server, inventory| {
        let live = server
            .credentials()
            .into_iter()
            .find(|c| c.deleted_at.is_none())
            .unwrap();
        let (app, connector, id) = (
            live.app_id.unwrap(),
            live.connector_id.unwrap(),
            live.id.unwrap(),
        );
        write_unanswered(server, inventory, &[(&app, &connector, &id)]);
        // It reached the tenant before its process died.
        assert!(server.revoke(&id));
        target = Some(id);
    })
    .await;
    let id = target.unwrap();
    let expected = format!(
        "journal: the revoke of credential {id}, requested at 2026-01-02 03:04:05 UTC, had no \
         outcome in the journal: the server says it is revoked; journaled as done"
    );
    d.wait_for("the check", |s| *s == Seen::Error(expected.clone()))
        .await;
    d.settle().await;
    let state = d.quit().await;
    assert!(
        state.errors.iter().any(|e| e.text == expected),
        "in the error history: {:#?}",
        state.errors
    );
    let journal = d.store.journal().unwrap();
    assert_eq!(journal[0].credential_id.as_deref(), Some(id.as_str()));
    assert_eq!(journal[0].outcome, Outcome::Ok);
    assert_eq!(journal[1].outcome, Outcome::Requested);
    assert!(d.store.unanswered_requests().unwrap().is_empty());
    d.shutdown().await;
}

/// Makes the inventory refuse new rows of `table`, as a full disk would.
fn refuse_inserts(inventory: &Path, table: &str) {
    rusqlite::Connection::open(inventory)
        .unwrap()
        .execute_batch(&format!(
            "CREATE TRIGGER disk_full_{table} BEFORE INSERT ON {table}
             BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;"
        ))
        .unwrap();
}

#[tokio::test]
async fn a_rotated_credential_the_inventory_refuses_is_shown_with_its_id_until_recorded() {
    let dir = TempDir::new().unwrap();
    let mut d = start(&dir, |_, path| refuse_inserts(path, "credentials")).await;
    // Nothing is tracked: the list holds the tenant's connectors. Rotate the first.
    d.refreshed(1).await;
    d.settle().await;
    d.press("R");
    d.press("y");
    let rotated = d
        .wait_for("the rotate", |s| matches!(s, Seen::Rotated(_)))
        .await;
    let Seen::Rotated(Ok(id)) = rotated else {
        panic!("the rotate failed: {rotated:?}")
    };
    assert!(!id.is_empty());
    let screen = d.see("NOT RECORDED").await;
    d.wait_for(
        "the error",
        |s| matches!(s, Seen::Error(e) if e.contains("could not record")),
    )
    .await;
    let warning: String = screen
        .lines()
        .skip_while(|l| !l.contains("NOT RECORDED"))
        .take(3)
        .collect();
    assert!(warning.contains(&id), "the id is in the warning:\n{screen}");
    assert!(d.store.tracked().unwrap().is_empty());
    let journal = d.store.journal().unwrap();
    assert_eq!(
        (journal.len(), journal[0].action, &journal[0].outcome),
        (1, Action::Rotate, &Outcome::Requested),
        "the rotate's request is journaled, its outcome not yet"
    );

    // The disk has room again: the worker's next try records it, and the warning goes.
    rusqlite::Connection::open(inventory(&dir))
        .unwrap()
        .execute_batch("DROP TRIGGER disk_full_credentials;")
        .unwrap();
    d.wait_for("the credential recorded", |s| {
        *s == Seen::RotationRecord {
            id: id.clone(),
            failure: None,
        }
    })
    .await;
    let screen = d
        .see_that("the secret window without the warning", |f| {
            !f.contains("NOT RECORDED")
        })
        .await;
    assert!(screen.contains("secret is shown once"), "{screen}");
    // The secret window is still open: the dashboard ends as when its terminal goes.
    let state = d.end().await;
    assert!(
        state
            .secrets
            .front()
            .is_some_and(|v| v.unrecorded.is_none()),
        "recorded: {:#?}",
        state.secrets
    );
    assert!(
        state
            .toasts
            .iter()
            .any(|t| t.text == format!("credential {id} is now recorded in the inventory")),
        "{:#?}",
        state.toasts
    );
    assert!(
        state
            .errors
            .iter()
            .any(|e| e.text.contains(&id) && e.text.contains("database or disk is full")),
        "the error history says why: {:#?}",
        state.errors
    );
    let tracked: Vec<String> = d
        .store
        .tracked()
        .unwrap()
        .into_iter()
        .map(|t| t.ids.credential_id)
        .collect();
    assert_eq!(tracked, std::slice::from_ref(&id));
    let journal = d.store.journal().unwrap();
    assert_eq!(journal.len(), 2, "the request and its outcome");
    assert_eq!(
        (journal[0].credential_id.as_deref(), &journal[0].outcome),
        (Some(id.as_str()), &Outcome::Ok)
    );
    d.shutdown().await;
}

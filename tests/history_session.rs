//! The command line's history outlives the session: a line entered, the dashboard quit and
//! started again on the same inventory, and `↑` brings the line back. A line that cannot be
//! saved is an error in the error history; the dashboard goes on.

use std::time::Duration;

use credboard::store::Store;
use credboard::testkit::{HANG, Seen, Session, SessionOptions, real_errors};

/// Waits (bounded) until the inventory holds `line` as the newest of its history.
async fn stored(store: &Store, line: &str) {
    let waited = tokio::time::timeout(HANG, async {
        while store
            .command_history(100)
            .unwrap()
            .last()
            .map(String::as_str)
            != Some(line)
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "hang: {line:?} never reached the inventory");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_entered_is_found_with_up_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = Session::start(SessionOptions {
        data_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    })
    .await;
    let first = d
        .wait_for("the stored history", |s| {
            matches!(s, Seen::CommandHistory(_))
        })
        .await;
    assert_eq!(first, Seen::CommandHistory(Ok(0)));
    d.refreshed(1).await;
    d.press(":");
    d.type_text("sort lastused desc");
    d.press("enter");
    d.see("Last used▼").await;
    d.press(":");
    d.type_text("filter app:okta");
    d.press("enter");
    stored(&d.store, "filter app:okta").await;
    d.quit().await;
    let server = d.take_server();

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
        .wait_for("the stored history", |s| {
            matches!(s, Seen::CommandHistory(_))
        })
        .await;
    assert_eq!(first, Seen::CommandHistory(Ok(2)));
    again.settle().await;
    again.press(":");
    again.press("up");
    again.see(":filter app:okta").await;
    again.press("up");
    again.see(":sort lastused desc").await;
    // The line brought back runs as typed.
    again.press("enter");
    again.see("Last used▼").await;
    let state = again.quit().await;
    // Entered again, it is the newest line, as in a shell.
    assert_eq!(
        state.command_history,
        [
            "sort lastused desc",
            "filter app:okta",
            "sort lastused desc"
        ]
    );
    assert!(real_errors(&state).is_empty(), "{:?}", real_errors(&state));
    again.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_that_cannot_be_saved_is_an_error_and_the_command_still_runs() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = Session::start(SessionOptions {
        data_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    })
    .await;
    d.wait_for("the stored history", |s| {
        matches!(s, Seen::CommandHistory(_))
    })
    .await;
    d.refreshed(1).await;
    // The inventory loses its history table under the running dashboard.
    rusqlite::Connection::open(dir.path().join(Store::FILE_NAME))
        .unwrap()
        .execute_batch("DROP TABLE command_history")
        .unwrap();
    d.press(":");
    d.type_text("sort name desc");
    d.press("enter");
    d.wait_for(
        "the failed save",
        |s| matches!(s, Seen::Error(m) if m.contains("history could not be saved")),
    )
    .await;
    d.see("Name▼").await;
    d.settle().await;
    let state = d.quit().await;
    let errors = real_errors(&state);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("the command line's history could not be saved: "),
        "{errors:?}"
    );
    // Still in this session's history.
    assert_eq!(state.command_history, ["sort name desc"]);
    d.shutdown().await;
}

//! The whole dashboard, end to end: the real runtime, worker, inventory and API client on a
//! `TestBackend`, against the demo tenant on 127.0.0.1, driven by scripted keys.

use std::time::Duration;

use credboard::app::inventory::EntryKind;
use credboard::app::table::Column;
use credboard::demo::{DemoOptions, RouteKind, Scale};
use credboard::testkit::{Seen, Session, SessionOptions};

/// The dashboard on the demo tenant, its first refresh taken in.
async fn start(width: u16, height: u16) -> Session {
    let mut d = Session::start(SessionOptions {
        width,
        height,
        ..Default::default()
    })
    .await;
    d.refreshed(1).await;
    d.settle().await;
    d
}

const CREDENTIALS: u64 = 120;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_rows_appear_and_the_data_is_current() {
    let mut d = start(160, 48).await;
    let state = d.quit().await;
    let screen = d.screen();
    assert!(state.is_current(), "a refresh completed");
    let credentials = state
        .visible_entries()
        .filter(|e| e.kind == EntryKind::Credential)
        .count();
    assert_eq!(credentials, CREDENTIALS as usize);
    assert!(screen.contains("120 credentials"), "{screen}");
    assert!(screen.contains("Okta"), "app names resolved: {screen}");
    assert_eq!(
        d.store.tracked().unwrap().len(),
        CREDENTIALS as usize,
        "nothing lost"
    );
    let snapshot = d.store.snapshot().unwrap();
    assert!(
        snapshot.credentials.iter().all(|c| c.fetched_at.is_some()),
        "the refresh was stored"
    );
    d.shutdown().await;
}

/// The worker sends a large stored inventory in parts at start (the rows of one are made
/// while the next is read): every tracked credential is a row once it has all come, none
/// twice, and the screen counts them all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_inventory_read_in_parts_shows_every_credential_once() {
    let n = 2_500;
    let mut d = Session::start(SessionOptions {
        demo: DemoOptions {
            scale: Some(Scale::credentials(n)),
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    d.wait_for("the stored inventory", |s| *s == Seen::Inventory)
        .await;
    let seen = d.seen();
    let parts = seen
        .iter()
        .take_while(|s| **s != Seen::Inventory)
        .filter(|s| **s == Seen::InventoryPart)
        .count();
    assert!(parts >= 2, "{n} credentials in one message: {seen:?}");
    d.see(&format!("{n} credentials")).await;
    let state = d.quit().await;
    let mut rows: Vec<_> = state
        .inventory
        .entries()
        .filter(|e| e.kind == EntryKind::Credential)
        .map(|e| e.key.credential_id.clone())
        .collect();
    rows.sort();
    let mut tracked: Vec<_> = d.server().tracked().into_iter().map(|t| t.2).collect();
    tracked.sort();
    assert_eq!(rows, tracked);
    d.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sort_reverse_filter_and_detail() {
    let mut d = start(200, 50).await;
    d.press("S");
    d.press("/");
    d.type_text("github");
    d.press("enter");
    d.press("enter");
    let state = d.quit().await;
    let screen = d.screen();
    assert!(state.table.sort.descending, "S reversed the order");
    assert_eq!(state.table.filter, "github");
    let visible: Vec<_> = state.visible_entries().collect();
    assert!(!visible.is_empty());
    for e in &visible {
        let text = format!(
            "{} {} {} {}",
            e.display_name().unwrap_or(""),
            state.inventory.app_name(&e.key.app_id),
            state
                .inventory
                .connector_name(&e.key.app_id, &e.key.connector_id),
            e.client_id().unwrap_or("")
        )
        .to_lowercase();
        assert!(text.contains("github"), "{text}");
    }
    assert!(state.detail, "Enter opened the detail pane");
    assert!(screen.contains("Details"), "{screen}");
    assert!(screen.contains("github"), "the filter is shown: {screen}");
    d.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sorting_by_connector_orders_the_rows_and_keeps_every_one() {
    let mut d = start(160, 40).await;
    for _ in 0..4 {
        d.press("s");
    }
    let state = d.quit().await;
    assert_eq!(
        state.table.sort.column,
        Column::Connector,
        "Status, then Findings, Name, App, Connector"
    );
    let names: Vec<String> = state
        .visible_entries()
        .map(|e| {
            state
                .inventory
                .connector_name(&e.key.app_id, &e.key.connector_id)
                .to_lowercase()
        })
        .collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "{names:?}");
    assert_eq!(
        state
            .visible_entries()
            .filter(|e| e.kind == EntryKind::Credential)
            .count(),
        CREDENTIALS as usize
    );
    d.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_keeps_the_selection_on_the_same_credential() {
    let mut d = start(160, 40).await;
    d.press("g");
    for _ in 0..5 {
        d.press("j");
    }
    // `r` reloads everything; the cursor stays where the user put it.
    tokio::time::sleep(Duration::from_millis(100)).await;
    d.press("r");
    d.refreshed(2).await;
    d.settle().await;
    let state = d.quit().await;
    assert_eq!(state.table.cursor, 5, "the cursor did not move");
    assert!(state.selected_entry().is_some());
    assert!(
        d.server().stats().route(RouteKind::ListApps) >= 2,
        "a second walk happened"
    );
    d.shutdown().await;
}

/// A live credential of the demo tenant used within the last hour: revoking it needs a
/// typed confirmation.
fn recently_used(server: &credboard::demo::DemoServer) -> String {
    server
        .credentials()
        .into_iter()
        .find(|c| {
            c.deleted_at.is_none()
                && c.last_used_at
                    .is_some_and(|u| u > chrono::Utc::now() - chrono::Duration::hours(1))
        })
        .and_then(|c| c.id)
        .expect("the demo tenant has a credential used minutes ago")
}

/// Filters the list down to one credential, runs `answer` against it, quits and checks that
/// no revoke request reached the tenant and the credential is still live.
async fn nothing_revoked_after(answer: impl FnOnce(&Session)) {
    let mut d = start(160, 48).await;
    let id = recently_used(d.server());
    d.press("/");
    d.type_text(&id);
    d.press("enter");
    answer(&d);
    let state = d.quit().await;
    assert_eq!(
        d.server().stats().route(RouteKind::RevokeCredential),
        0,
        "no revoke request reached the tenant"
    );
    assert!(d.server().credential(&id).unwrap().deleted_at.is_none());
    assert!(state.bulk.is_none(), "no bulk run started");
    d.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_answer_for_every_credential_revokes_nothing() {
    // What used to be asked for every credential: the last 4 characters of a client id.
    nothing_revoked_after(|d| {
        d.press("d");
        d.type_text("/pcc");
        d.press("enter");
        d.press("esc");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_revoke_of_a_recently_used_credential_needs_more_than_the_word() {
    nothing_revoked_after(|d| {
        d.press("space");
        d.press("D");
        d.type_text("revoke");
        d.press("enter");
        d.press("esc");
    })
    .await;
}

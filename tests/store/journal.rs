//! The journal: append-only, newest first, written ahead; and the actions that write it.

use credboard::api::ConnectorCredential;
use credboard::model::{Action, JournalEntry, Outcome, Source};
use credboard::store::{Store, StoreError};

use super::{cred, entry, ids, kept, t};

#[test]
fn the_journal_records_success_and_failure_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inv.sqlite3");
    let store = Store::open(&path, "p").unwrap();
    let ok = entry("p", Action::Revoke, Outcome::Ok, t(1));
    let gone = entry("p", Action::Revoke, Outcome::AlreadyGone, t(2));
    let mut failed = entry(
        "p",
        Action::Rotate,
        Outcome::Failed("the server answered 503".into()),
        t(3),
    );
    failed.credential_id = None;
    failed.actor_client_id = None;
    for e in [&ok, &gone, &failed] {
        store.append_journal(e).unwrap();
    }
    assert_eq!(store.journal().unwrap(), vec![failed, gone, ok]);

    // Nothing edits or deletes a journal row, not even SQL behind credboard's back.
    let raw = rusqlite::Connection::open(&path).unwrap();
    assert!(raw.execute("DELETE FROM journal", []).is_err());
    assert!(
        raw.execute("UPDATE journal SET outcome = 'ok'", [])
            .is_err()
    );
    assert_eq!(store.journal().unwrap().len(), 3);
}

#[test]
fn journal_entries_serialize_for_scripts() {
    let e = entry("p", Action::Rotate, Outcome::Failed("boom".into()), t(0));
    let v = serde_json::to_value(&e).unwrap();
    assert_eq!(v["action"], "rotate");
    assert_eq!(v["outcome"]["kind"], "failed");
    assert_eq!(v["outcome"]["message"], "boom");
    assert_eq!(v["actorClientId"], "bot@acme.conductor.one/pcc");
    let back: JournalEntry = serde_json::from_value(v).unwrap();
    assert_eq!(back, e);
}

#[test]
fn a_rotation_is_tracked_saved_and_journaled_at_once() {
    let store = Store::open_in_memory("p").unwrap();
    let c = cred("a1", "k1", "new1");
    let mut requested = entry("p", Action::Rotate, Outcome::Requested, t(0));
    requested.credential_id = None;
    let request = store.append_journal(&requested).unwrap();
    store
        .record_rotation(request, &c, Some("me"), t(0))
        .unwrap();
    let snap = store.snapshot().unwrap();
    assert_eq!(snap.credentials.len(), 1);
    assert_eq!(snap.credentials[0].source, Source::Rotate);
    assert_eq!(snap.credentials[0].key, ids("a1", "k1", "new1"));
    assert_eq!(snap.credentials[0].last, Some(kept(&c)));
    let j = store.journal().unwrap();
    assert_eq!(j.len(), 2);
    assert_eq!(j[0].action, Action::Rotate);
    assert_eq!(j[0].credential_id.as_deref(), Some("new1"));
    assert_eq!(j[0].outcome, Outcome::Ok);
    assert_eq!(j[1].outcome, Outcome::Requested);
    let err = store
        .record_rotation(request, &ConnectorCredential::default(), None, t(1))
        .unwrap_err();
    assert!(matches!(err, StoreError::MissingId { .. }));
}

/// The actions (the dashboard's worker and the command line both use them) refuse to act
/// with keys of one tenant's inventory on another tenant: nothing is sent.
#[tokio::test]
async fn actions_refuse_the_rows_of_another_tenant() {
    use credboard::demo::{DemoOptions, DemoServer};
    use credboard::ops::{OpError, Ops};
    let server = DemoServer::start(DemoOptions::default()).await.unwrap();
    let client = credboard::api::Client::new(credboard::api::ClientOptions {
        client_id: Some(server.client_id()),
        client_secret: Some(server.client_secret()),
        ..Default::default()
    })
    .unwrap();
    let (app, connector, id) = server.tracked()[0].clone();
    let key = ids(&app, &connector, &id);
    let elsewhere = std::sync::Arc::new(Store::open_in_memory("acme.conductor.one").unwrap());
    elsewhere.track(&key, Source::Import).unwrap();
    let actions = Ops::new(client.clone(), elsewhere, false);
    server.reset_stats();
    let refused = actions.revoke(&key).await.unwrap_err();
    assert!(
        matches!(refused, OpError::OtherTenant { .. }),
        "{refused:?}"
    );
    let message = refused.to_string();
    assert!(message.contains("acme.conductor.one"), "{message}");
    let rotate = actions.rotate(&app, &connector).await.unwrap_err();
    assert!(matches!(rotate, OpError::OtherTenant { .. }), "{rotate:?}");
    assert_eq!(server.stats().total, 0, "nothing reached the tenant");

    // The tenant's own inventory is served.
    let own = std::sync::Arc::new(Store::open_in_memory(&server.endpoint()).unwrap());
    let actions = Ops::new(client, own, false);
    assert!(actions.revoke(&key).await.is_ok());
    server.shutdown().await;
}

/// A request whose process is gone and that no outcome answers is unanswered; one answered,
/// or of a process still running (this one, or another credboard's), is not: it may be in
/// flight.
#[test]
fn unanswered_requests_are_those_of_processes_no_longer_running() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(Store::FILE_NAME);
    let store = Store::open(&path, "acme.conductor.one").unwrap();
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    gone.wait().unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let write = |credential: &str, pid: u32| {
        conn.execute(
            "INSERT INTO journal (tenant, profile, time, action, app_id, connector_id,
                                  credential_id, outcome, pid)
             VALUES ('acme.conductor.one', 'p', '2026-01-02T03:04:05Z', 'revoke', 'a1', 'k1',
                     ?1, 'requested', ?2)",
            rusqlite::params![credential, pid],
        )
        .unwrap();
    };
    write("abandoned", gone.id());
    write("answered", gone.id());
    // pid 1 is always running.
    write("in-flight-elsewhere", 1);
    store
        .append_journal(&JournalEntry {
            credential_id: Some("in-flight-here".into()),
            ..entry("p", Action::Revoke, Outcome::Requested, t(0))
        })
        .unwrap();
    let pending = |store: &Store| -> Vec<String> {
        store
            .unanswered_requests()
            .unwrap()
            .into_iter()
            .filter_map(|(_, e)| e.credential_id)
            .collect()
    };
    assert_eq!(pending(&store), ["abandoned", "answered"]);
    let (answered, _) = store.unanswered_requests().unwrap().remove(1);
    store
        .append_outcome(answered, &entry("p", Action::Revoke, Outcome::Ok, t(1)))
        .unwrap();
    assert_eq!(pending(&store), ["abandoned"]);
    // Another tenant's requests are not this one's to check.
    let other = Store::open(&path, "other.conductor.one").unwrap();
    assert!(pending(&other).is_empty());
}

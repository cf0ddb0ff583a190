//! Inventories written by older schemas open with every row and journal entry.

use std::path::Path;

use credboard::model::{Action, Outcome, Source};
use credboard::store::{SCHEMA_VERSION, Store, StoreError};

use super::{entry, ids, t};

#[test]
fn a_newer_schema_is_refused_with_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inv.sqlite3");
    drop(Store::open(&path, "p").unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 7)
        .unwrap();
    let err = Store::open(&path, "p").unwrap_err();
    assert!(matches!(err, StoreError::TooNew { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("upgrade credboard"), "{msg}");
}

/// Copies an inventory an older credboard wrote (tests/fixtures/README.md says how each was
/// made) to a temporary directory, so the committed file is never changed.
pub fn inventory_written_by(fixture: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(Store::FILE_NAME);
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(fixture),
        &path,
    )
    .unwrap();
    (dir, path)
}

fn credential_ids(store: &Store) -> Vec<String> {
    store
        .tracked()
        .unwrap()
        .into_iter()
        .map(|t| t.ids.credential_id)
        .collect()
}

/// Every row and journal entry of a file written by schema 1 is there after the upgrade,
/// under the tenant that first opens each profile.
#[test]
fn an_inventory_written_by_schema_1_migrates_without_losing_anything() {
    let (_dir, path) = inventory_written_by("inventory-v1.sqlite3");
    let acme = Store::open_for_profile(&path, "acme.conductor.one", "default").unwrap();
    assert_eq!(acme.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION, 8);
    assert_eq!(
        credential_ids(&acme),
        [
            "2CredAwsNeverFetched",
            "2CredOktaImported",
            "2CredOktaManual",
            "2CredOktaRotated",
            "2CredShared"
        ]
    );
    let tracked = acme.tracked().unwrap();
    let source = |id: &str| tracked.iter().find(|t| t.ids.credential_id == id).unwrap();
    assert_eq!(source("2CredOktaImported").source, Source::Import);
    assert_eq!(source("2CredOktaManual").source, Source::Manual);
    assert_eq!(source("2CredOktaRotated").source, Source::Rotate);
    assert_eq!(
        source("2CredOktaImported").ids,
        ids("2AppOkta", "2ConnOkta", "2CredOktaImported")
    );
    let snap = acme.snapshot().unwrap();
    let entry_of = |id: &str| {
        snap.credentials
            .iter()
            .find(|e| e.key.credential_id == id)
            .unwrap()
    };
    let imported = entry_of("2CredOktaImported");
    assert_eq!(
        imported.last.as_ref().unwrap().client_id.as_deref(),
        Some("okta-ci@acme.conductor.one/pcc")
    );
    assert_eq!(imported.fetched_at, Some(t(10)));
    let gone = entry_of("2CredOktaManual");
    assert!(gone.gone);
    assert_eq!(
        gone.last.as_ref().unwrap().display_name.as_deref(),
        Some("okta-old credential")
    );
    assert!(entry_of("2CredAwsNeverFetched").last.is_none());
    assert!(entry_of("2CredOktaRotated").last.is_some());
    let apps: Vec<_> = snap.apps.iter().map(|a| a.id.clone().unwrap()).collect();
    assert_eq!(apps, ["2AppAws", "2AppOkta"]);
    let connectors: Vec<_> = snap
        .connectors
        .iter()
        .map(|c| c.id.clone().unwrap())
        .collect();
    assert_eq!(connectors, ["2ConnAws", "2ConnAwsIdle", "2ConnOkta"]);
    let journal: Vec<_> = acme
        .journal()
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.credential_id, e.outcome, e.time))
        .collect();
    assert_eq!(
        journal,
        [
            (
                Action::Rotate,
                None,
                Outcome::Failed("the server answered 500: internal error".into()),
                t(50)
            ),
            (
                Action::Revoke,
                Some("2CredOktaManual".into()),
                Outcome::Failed("the server answered 503: service unavailable".into()),
                t(42)
            ),
            (
                Action::Revoke,
                Some("2CredOktaManual".into()),
                Outcome::AlreadyGone,
                t(41)
            ),
            (
                Action::Revoke,
                Some("2CredOktaManual".into()),
                Outcome::Ok,
                t(40)
            ),
            (
                Action::Rotate,
                Some("2CredOktaRotated".into()),
                Outcome::Ok,
                t(30)
            ),
        ]
    );
    // The other profile's rows wait, named, for the first tenant opened under it.
    let waiting = acme.unadopted().unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(
        (
            waiting[0].profile.as_str(),
            waiting[0].credentials,
            waiting[0].journal_entries
        ),
        ("prod", 2, 2)
    );
    let prod = Store::open_for_profile(&path, "prod.example.conductor.one", "prod").unwrap();
    assert_eq!(credential_ids(&prod), ["2CredGhDeploy", "2CredShared"]);
    let snap = prod.snapshot().unwrap();
    assert_eq!(snap.apps.len(), 1);
    assert_eq!(snap.connectors.len(), 1);
    assert_eq!(
        snap.credentials[0]
            .last
            .as_ref()
            .unwrap()
            .client_id
            .as_deref(),
        Some("gh-deploy@prod.example.conductor.one/pcc")
    );
    let journal = prod.journal().unwrap();
    assert_eq!(journal.len(), 2);
    assert!(
        journal
            .iter()
            .all(|e| e.actor_client_id.is_none() && e.profile == "prod")
    );
    assert!(acme.unadopted().unwrap().is_empty());

    // Adoption happens once: another tenant under profile `default` gets nothing of it.
    let elsewhere = Store::open_for_profile(&path, "elsewhere.conductor.one", "default").unwrap();
    assert!(elsewhere.tracked().unwrap().is_empty());
    assert!(elsewhere.journal().unwrap().is_empty());
    drop((acme, prod, elsewhere));

    // New entries follow the old ones, the journal is still append-only, and every row of
    // the file is accounted for: 7 credentials, 3 apps, 4 connectors, 7 journal entries.
    let acme = Store::open_for_profile(&path, "acme.conductor.one", "default").unwrap();
    acme.append_journal(&entry("default", Action::Revoke, Outcome::Ok, t(99)))
        .unwrap();
    assert_eq!(acme.journal().unwrap().len(), 6);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(count("SELECT count(*) FROM credentials"), 7);
    assert_eq!(count("SELECT count(*) FROM apps"), 3);
    assert_eq!(count("SELECT count(*) FROM connectors"), 4);
    assert_eq!(count("SELECT count(*) FROM journal"), 8);
    assert_eq!(count("SELECT max(id) FROM journal"), 8);
    for sql in ["UPDATE journal SET outcome = 'ok'", "DELETE FROM journal"] {
        let err = conn.execute(sql, []).unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
}

/// Schema 7 adds the command line's history: an inventory of schema 6 (made here by taking a
/// file of this build back: its history table dropped and its version set to 6, every other
/// table as schema 6 wrote it but the credentials' times, which migration 8 takes as they
/// are) opens with its rows and an empty history, which then keeps lines.
/// An older fixture, migrated through every step, gets the table too.
#[test]
fn schema_7_adds_an_empty_command_history_and_keeps_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(Store::FILE_NAME);
    {
        let store = Store::open(&path, "acme.conductor.one").unwrap();
        store.track(&ids("a", "c", "k1"), Source::Manual).unwrap();
        store.remember_command("sort name", t(0), 100).unwrap();
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("DROP TABLE command_history; PRAGMA user_version = 6;")
        .unwrap();
    drop(conn);
    let store = Store::open(&path, "acme.conductor.one").unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(credential_ids(&store), ["k1"]);
    assert!(store.command_history(100).unwrap().is_empty());
    store.remember_command("refresh", t(1), 100).unwrap();
    assert_eq!(store.command_history(100).unwrap(), ["refresh"]);

    let (_dir, path) = inventory_written_by("inventory-v2.sqlite3");
    let store = Store::open(&path, "acme.conductor.one").unwrap();
    assert!(store.command_history(100).unwrap().is_empty());
    assert!(store.remember_command("view slim", t(2), 100).unwrap());
}

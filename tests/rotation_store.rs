//! The inventory's side of rotations and of the change log: schema 4 on inventories older
//! credboards wrote (tests/fixtures), every journal entry kept as it was; a rotation's step
//! written whole with its journal entries or not at all; rows kept per tenant.

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use credboard::api::ConnectorCredential;
use credboard::changes::ChangeKind;
use credboard::model::{Action, JournalEntry, Outcome};
use credboard::rotation::{Fate, NewRotation, RotationId, RotationState};
use credboard::store::{SCHEMA_VERSION, Store};
use rusqlite::Connection;

fn fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(Store::FILE_NAME);
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
        &path,
    )
    .unwrap();
    (dir, path)
}

/// Every journal row as text, column by column, in id order.
fn journal_rows(path: &Path, columns: &str) -> Vec<Vec<Option<String>>> {
    let conn = Connection::open(path).unwrap();
    let n = columns.split(',').count();
    let mut st = conn
        .prepare(&format!("SELECT {columns} FROM journal ORDER BY id"))
        .unwrap();
    st.query_map([], |r| {
        (0..n)
            .map(|i| {
                r.get::<_, rusqlite::types::Value>(i).map(|v| match v {
                    rusqlite::types::Value::Null => None,
                    rusqlite::types::Value::Integer(i) => Some(i.to_string()),
                    rusqlite::types::Value::Text(t) => Some(t),
                    other => Some(format!("{other:?}")),
                })
            })
            .collect()
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn draft(new: &str, old: &[&str]) -> NewRotation {
    NewRotation {
        app_id: "2AppOkta".into(),
        connector_id: "2ConnOkta".into(),
        new_credential_id: new.into(),
        old_credential_ids: old.iter().map(|s| s.to_string()).collect(),
        started_at: Utc.timestamp_opt(1_800_000_000, 0).unwrap(),
    }
}

fn step_entry(outcome: Outcome, credential_id: &str) -> JournalEntry {
    JournalEntry {
        time: Utc.timestamp_opt(1_800_000_100, 0).unwrap(),
        profile: "default".into(),
        actor_client_id: None,
        action: Action::Rotate,
        app_id: "2AppOkta".into(),
        connector_id: "2ConnOkta".into(),
        credential_id: Some(credential_id.into()),
        outcome,
    }
}

const SCHEMA_1_COLUMNS: &str = "id, profile, time, actor_client_id, action, app_id, connector_id, credential_id, outcome, message";
const SCHEMA_2_COLUMNS: &str = "id, tenant, profile, time, actor_client_id, action, app_id, \
     connector_id, credential_id, outcome, message, request_id, pid";

#[test]
fn schema_4_keeps_every_journal_entry_of_older_inventories_and_takes_rotation_steps() {
    for (name, columns) in [
        ("inventory-v1.sqlite3", SCHEMA_1_COLUMNS),
        ("inventory-v2.sqlite3", SCHEMA_2_COLUMNS),
    ] {
        let (_dir, path) = fixture(name);
        let before = journal_rows(&path, columns);
        assert!(!before.is_empty(), "{name}");
        let store = Store::open_for_profile(&path, "acme.conductor.one", "default").unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(SCHEMA_VERSION, 8);
        assert_eq!(
            journal_rows(&path, columns),
            before,
            "{name}: every entry as it was"
        );
        let unanswered = store.unanswered_requests().unwrap();

        let rotation = store
            .start_rotation(&draft("2CredNew", &["2CredOktaImported"]), |r| {
                step_entry(
                    Outcome::RotationStarted(format!("rotation {}", r.id)),
                    "2CredNew",
                )
            })
            .unwrap();
        let journal = store.journal().unwrap();
        assert_eq!(
            journal[0].outcome,
            Outcome::RotationStarted(format!("rotation {}", rotation.id))
        );
        let last_old_id: i64 = before.last().unwrap()[0]
            .as_deref()
            .unwrap()
            .parse()
            .unwrap();
        let newest: i64 = Connection::open(&path)
            .unwrap()
            .query_row("SELECT max(id) FROM journal", [], |r| r.get(0))
            .unwrap();
        assert!(
            newest > last_old_id,
            "{name}: new entries follow the old ids"
        );
        assert_eq!(store.unanswered_requests().unwrap(), unanswered, "{name}");

        let conn = Connection::open(&path).unwrap();
        for statement in ["UPDATE journal SET message = 'x'", "DELETE FROM journal"] {
            let err = conn.execute(statement, []).unwrap_err().to_string();
            assert!(err.contains("append-only"), "{name}: {statement}: {err}");
        }
    }
}

#[test]
fn the_change_log_compares_with_the_state_an_older_schema_kept() {
    let (_dir, path) = fixture("inventory-v2.sqlite3");
    let store = Store::open_for_profile(&path, "acme.conductor.one", "default").unwrap();
    let snapshot = store.snapshot().unwrap();
    let known = snapshot
        .credentials
        .iter()
        .find(|c| {
            c.last
                .as_ref()
                .is_some_and(|l| l.deleted_at.is_none() && l.expires_time.is_none())
                && !c.gone
        })
        .unwrap();
    let mut renamed: ConnectorCredential = known.last.clone().unwrap();
    renamed.id = Some(known.key.credential_id.clone());
    renamed.display_name = Some("renamed after the upgrade".into());
    let at = Utc::now();
    assert!(store.save_credential(&renamed, at).unwrap());
    let changes = store.changes_since(None, None).unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].key, known.key);
    assert_eq!(changes[0].change.kind, ChangeKind::Renamed);
    assert_eq!(
        changes[0].change.before,
        known.last.as_ref().unwrap().display_name
    );
    assert_eq!(
        changes[0].change.after.as_deref(),
        Some("renamed after the upgrade")
    );
    // The same state again changes nothing.
    store.save_credential(&renamed, at).unwrap();
    assert_eq!(store.changes_since(None, None).unwrap().len(), 1);
}

#[test]
fn a_limited_read_of_the_change_log_is_its_newest_changes_in_order() {
    let (_dir, path) = fixture("inventory-v2.sqlite3");
    let store = Store::open_for_profile(&path, "acme.conductor.one", "default").unwrap();
    let snapshot = store.snapshot().unwrap();
    let start = Utc::now();
    for (n, known) in snapshot
        .credentials
        .iter()
        .filter(|c| c.last.is_some())
        .take(3)
        .enumerate()
    {
        let mut renamed: ConnectorCredential = known.last.clone().unwrap();
        renamed.id = Some(known.key.credential_id.clone());
        renamed.display_name = Some(format!("renamed {n}"));
        let at = start + chrono::Duration::seconds(n as i64);
        assert!(store.save_credential(&renamed, at).unwrap());
    }
    let all = store.changes_since(None, None).unwrap();
    assert!(all.len() >= 3, "{all:?}");
    assert!(
        all.iter()
            .take_while(|c| c.change.after.as_deref() != Some("renamed 1"))
            .any(|c| c.change.after.as_deref() == Some("renamed 2")),
        "newest first: {all:?}"
    );
    assert_eq!(store.changes_since(None, Some(2)).unwrap(), all[..2]);
    assert_eq!(store.changes_since(None, Some(0)).unwrap(), []);
}

#[test]
fn a_rotation_step_is_written_whole_or_not_at_all_and_stays_with_its_tenant() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(Store::FILE_NAME);
    let acme = Store::open(&path, "acme.conductor.one").unwrap();
    let started = acme
        .start_rotation(&draft("2CredNew", &["b", "a"]), |_| {
            step_entry(Outcome::RotationStarted("started".into()), "2CredNew")
        })
        .unwrap();
    assert_eq!(acme.rotation(started.id).unwrap().as_ref(), Some(&started));
    assert_eq!(
        started
            .old
            .iter()
            .map(|o| o.credential_id.as_str())
            .collect::<Vec<_>>(),
        ["a", "b"]
    );

    let mut ready = started.clone();
    ready.state = RotationState::Ready;
    ready.first_used_at = Some(Utc.timestamp_opt(1_800_000_050, 0).unwrap());
    ready.old[0].fate = Fate::RevokedElsewhere;
    ready.old[0].settled_at = ready.first_used_at;
    // The journal refuses the step's entry (as a full disk would): the rotation stays.
    Connection::open(&path)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER full BEFORE INSERT ON journal
             BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
        )
        .unwrap();
    let entries = vec![step_entry(Outcome::FirstUsed("used".into()), "2CredNew")];
    let refused = acme.advance_rotation(started.id, |_, _| Some((ready.clone(), entries.clone())));
    assert!(refused.is_err());
    assert_eq!(acme.rotation(started.id).unwrap().as_ref(), Some(&started));
    Connection::open(&path)
        .unwrap()
        .execute_batch("DROP TRIGGER full;")
        .unwrap();
    let moved = acme
        .advance_rotation(started.id, |_, _| Some((ready.clone(), entries.clone())))
        .unwrap();
    assert_eq!(moved.as_ref(), Some(&ready));
    assert_eq!(acme.rotation(started.id).unwrap().as_ref(), Some(&ready));
    assert_eq!(
        acme.journal().unwrap()[0].outcome,
        Outcome::FirstUsed("used".into())
    );
    assert_eq!(
        acme.open_rotation_of("2AppOkta", "2ConnOkta").unwrap(),
        Some(started.id)
    );

    let beta = Store::open(&path, "beta.conductor.one").unwrap();
    assert!(beta.rotations().unwrap().is_empty());
    assert_eq!(beta.rotation(started.id).unwrap(), None);
    assert_eq!(
        beta.open_rotation_of("2AppOkta", "2ConnOkta").unwrap(),
        None
    );
    let untouched = beta
        .advance_rotation(started.id, |_, _| panic!("another tenant's rotation"))
        .unwrap();
    assert_eq!(untouched, None);
    assert_eq!(acme.rotations().unwrap(), [ready]);
    assert_eq!(acme.rotation(RotationId(started.id.0 + 1)).unwrap(), None);
}

//! What `credboard discover` keeps in the inventory (migration 4): credentials tracked with
//! source `discover` and the event that named each, and how far each tenant's system log was
//! read. Older inventories (tests/fixtures) upgrade to it with every row and entry kept.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, TimeZone, Utc};
use credboard::api::ConnectorCredential;
use credboard::model::{CredentialKey, Source};
use credboard::store::{Discovered, LogCursor, Origin, SCHEMA_VERSION, Store, Tracking};
use rusqlite::Connection;

fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_780_000_000 + secs, 0).unwrap()
}

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

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn found(app: &str, connector: &str, id: &str, uid: &str) -> Discovered {
    Discovered {
        key: CredentialKey::new(app, connector, id),
        origin: Origin {
            event_uid: Some(uid.into()),
            event_time: Some(t(-60)),
        },
        credential: ConnectorCredential {
            id: Some(id.into()),
            app_id: Some(app.into()),
            connector_id: Some(connector.into()),
            client_id: Some(format!("{id}@acme.conductor.one/pcc")),
            display_name: Some(format!("found {id}")),
            ..Default::default()
        },
    }
}

/// Every (credential id, source) pair in the file, in credentials tracked or waiting for
/// adoption, in order.
fn sources(conn: &Connection, tables: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for table in tables {
        let mut st = conn
            .prepare(&format!("SELECT credential_id, source FROM {table}"))
            .unwrap();
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap);
        out.extend(rows);
    }
    out.sort();
    out
}

/// Each fixture upgrades with every credential row (tracked or waiting for adoption) and the
/// source it had, every journal entry, and then takes discovered credentials.
#[test]
fn older_inventories_upgrade_with_every_row_and_take_discovered_ids() {
    assert_eq!(SCHEMA_VERSION, 8);
    for (name, tables_before) in [
        ("inventory-v1.sqlite3", &["credentials"][..]),
        (
            "inventory-v2.sqlite3",
            &["credentials", "unadopted_credentials"][..],
        ),
    ] {
        let (_dir, path) = fixture(name);
        let before = Connection::open(&path).unwrap();
        let rows_before = sources(&before, tables_before);
        let journal_before = count(&before, "SELECT count(*) FROM journal");
        drop(before);
        assert!(rows_before.len() >= 5, "{name}: {rows_before:?}");

        let acme = Store::open_for_profile(&path, "acme.conductor.one", "default").unwrap();
        assert_eq!(acme.schema_version().unwrap(), SCHEMA_VERSION, "{name}");
        let after = Connection::open(&path).unwrap();
        assert_eq!(
            sources(&after, &["credentials", "unadopted_credentials"]),
            rows_before,
            "{name}"
        );
        assert_eq!(
            count(&after, "SELECT count(*) FROM journal"),
            journal_before,
            "{name}"
        );
        let tracked_before = acme.tracked().unwrap();

        let outcomes = acme
            .track_discovered(&[found("2AppNew", "2ConnNew", "2CredNew", "evt-1")], t(0))
            .unwrap();
        assert_eq!(outcomes, [Tracking::New], "{name}");
        let tracked = acme.tracked().unwrap();
        assert_eq!(tracked.len(), tracked_before.len() + 1);
        let new = tracked
            .iter()
            .find(|t| t.ids.credential_id == "2CredNew")
            .unwrap();
        assert_eq!(new.source, Source::Discover);
        assert_eq!(
            acme.discovered_origins().unwrap(),
            [(
                "2CredNew".to_string(),
                Origin {
                    event_uid: Some("evt-1".into()),
                    event_time: Some(t(-60)),
                }
            )]
        );
        // Rows schema 1 kept for profile prod are adopted into the rebuilt table.
        let waiting = count(
            &after,
            "SELECT count(*) FROM unadopted_credentials WHERE profile = 'prod'",
        );
        assert!(waiting > 0, "{name}");
        drop(acme);
        let prod = Store::open_for_profile(&path, "prod.conductor.one", "prod").unwrap();
        assert_eq!(prod.tracked().unwrap().len() as i64, waiting, "{name}");
    }
}

#[test]
fn a_discovered_credential_is_tracked_with_its_origin_and_last_known_state() {
    let store = Store::open_in_memory("acme.conductor.one").unwrap();
    store
        .track(&CredentialKey::new("A", "K", "2Known"), Source::Import)
        .unwrap();
    let outcomes = store
        .track_discovered(
            &[
                found("A", "K", "2Found", "evt-7"),
                found("A", "K", "2Known", "evt-8"),
                found("A", "OTHER", "2Known", "evt-9"),
            ],
            t(0),
        )
        .unwrap();
    assert_eq!(outcomes[0], Tracking::New);
    assert_eq!(outcomes[1], Tracking::AlreadyTracked);
    assert!(
        matches!(&outcomes[2], Tracking::TrackedElsewhere(why) if why.contains("already tracked under app A, connector K")),
        "{outcomes:?}"
    );
    let snap = store.snapshot().unwrap();
    let entry = snap
        .credentials
        .iter()
        .find(|c| c.key.credential_id == "2Found")
        .unwrap();
    assert_eq!(entry.source, Source::Discover);
    let last = entry.last.as_ref().expect("the Get's answer is kept");
    assert_eq!(last.display_name.as_deref(), Some("found 2Found"));
    assert_eq!(entry.fetched_at, Some(t(0)));
    // The known one keeps its source and gets no origin.
    let origins = store.discovered_origins().unwrap();
    assert_eq!(origins.len(), 1);
    assert_eq!(origins[0].1.to_string(), "system log, event evt-7");
    // Untracking takes the origin with it.
    assert!(store.untrack("2Found").unwrap());
    assert!(store.discovered_origins().unwrap().is_empty());
}

#[test]
fn the_cursor_is_kept_per_tenant_and_never_moves_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(Store::FILE_NAME);
    let acme = Store::open(&path, "acme.conductor.one").unwrap();
    let beta = Store::open(&path, "beta.conductor.one").unwrap();
    assert_eq!(acme.system_log_cursor().unwrap(), None);
    let at = |secs: i64, uid: &str| LogCursor {
        time: t(secs) + Duration::milliseconds(250),
        uid: Some(uid.into()),
    };
    assert_eq!(
        acme.advance_system_log_cursor(&at(10, "evt-10")).unwrap(),
        at(10, "evt-10")
    );
    assert_eq!(
        acme.advance_system_log_cursor(&at(5, "evt-5")).unwrap(),
        at(10, "evt-10"),
        "an older place leaves the later one"
    );
    assert_eq!(acme.system_log_cursor().unwrap(), Some(at(10, "evt-10")));
    assert_eq!(beta.system_log_cursor().unwrap(), None, "another tenant's");
    acme.advance_system_log_cursor(&at(20, "evt-20")).unwrap();
    drop(acme);
    let reopened = Store::open(&path, "acme.conductor.one").unwrap();
    assert_eq!(
        reopened.system_log_cursor().unwrap(),
        Some(at(20, "evt-20"))
    );
}

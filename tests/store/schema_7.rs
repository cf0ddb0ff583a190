//! An inventory written by schema 7 (credential times as RFC 3339 text;
//! tests/fixtures/inventory-v7.sqlite3, made with the code of 1c45b83) opens with its
//! credential times as integers where they fit, and every time reads back to the nanosecond.
//!
//! The expected values come from the file itself, read before the upgrade as schema 7's code
//! read it (each time parsed from its text), and from what the fixture is known to hold.

use chrono::{DateTime, Utc};
use credboard::api::ConnectorCredential;
use credboard::model::Snapshot;
use credboard::store::{SCHEMA_VERSION, Store};
use rusqlite::Connection;
use rusqlite::types::Value;

use super::migrations::inventory_written_by;

const TIME_COLUMNS: [&str; 7] = [
    "learned_at",
    "fetched_at",
    "created_at",
    "updated_at",
    "deleted_at",
    "expires_time",
    "last_used_at",
];

/// A column's SQLite storage class and its value as text.
type Stored = (String, Option<String>);

/// Every credential's time columns as stored, by credential id, in [`TIME_COLUMNS`] order.
fn stored_times(conn: &Connection) -> Vec<(String, Vec<Stored>)> {
    let columns = TIME_COLUMNS
        .iter()
        .map(|c| format!("typeof({c}), CAST({c} AS TEXT)"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut st = conn
        .prepare(&format!(
            "SELECT credential_id, {columns} FROM credentials ORDER BY credential_id"
        ))
        .unwrap();
    st.query_map([], |r| {
        let times = (0..TIME_COLUMNS.len())
            .map(|i| Ok((r.get(1 + 2 * i)?, r.get(2 + 2 * i)?)))
            .collect::<rusqlite::Result<_>>()?;
        Ok((r.get(0)?, times))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// Every row of the change log, every column, in the order it was written.
fn change_log(conn: &Connection) -> Vec<Vec<Value>> {
    let mut st = conn
        .prepare("SELECT * FROM credential_changes ORDER BY id")
        .unwrap();
    let n = st.column_count();
    st.query_map([], |r| (0..n).map(|i| r.get(i)).collect())
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn t(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

/// The times of one credential as schema 7 read them: each text parsed.
fn parsed(times: &[Stored]) -> Vec<Option<DateTime<Utc>>> {
    times
        .iter()
        .map(|(kind, text)| {
            assert!(kind == "text" || kind == "null", "schema 7 wrote {kind}");
            text.as_deref().map(t)
        })
        .collect()
}

/// One credential's times as the store reads them, in [`TIME_COLUMNS`] order.
fn read_times(snapshot: &Snapshot, id: &str) -> Vec<Option<DateTime<Utc>>> {
    let c = snapshot
        .credentials
        .iter()
        .find(|c| c.key.credential_id == id)
        .unwrap();
    let last = c.last.clone().unwrap_or_default();
    vec![
        Some(c.learned_at),
        c.fetched_at,
        last.created_at,
        last.updated_at,
        last.deleted_at,
        last.expires_time,
        last.last_used_at,
    ]
}

#[test]
fn an_inventory_written_by_schema_7_keeps_every_credential_time_to_the_nanosecond() {
    let (_dir, path) = inventory_written_by("inventory-v7.sqlite3");
    let raw = Connection::open(&path).unwrap();
    let version: u32 = raw
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, 7);
    let before = stored_times(&raw);
    let changes_before = change_log(&raw);
    assert_eq!(changes_before.len(), 8);
    drop(raw);
    let ids: Vec<&str> = before.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "2CredDiscovered",
            "2CredEdges",
            "2CredGone",
            "2CredNanos",
            "2CredNeverExpires",
            "2CredUnfetched"
        ]
    );

    let store = Store::open(&path, "acme.conductor.one").unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION, 8);
    let snapshot = store.snapshot().unwrap();
    for (id, times) in &before {
        assert_eq!(read_times(&snapshot, id), parsed(times), "{id}");
    }
    let nanos = snapshot
        .credentials
        .iter()
        .find(|c| c.key.credential_id == "2CredNanos")
        .unwrap();
    let last = nanos.last.as_ref().unwrap();
    assert_eq!(
        last.display_name.as_deref(),
        Some("デプロイ \"prod\"\nsecond line")
    );
    assert_eq!(last.last_used_at, Some(t("2026-12-01T10:00:00.000000123Z")));
    assert_eq!(nanos.fetched_at, Some(t("2026-12-01T10:11:12.987654321Z")));
    let gone = snapshot
        .credentials
        .iter()
        .find(|c| c.key.credential_id == "2CredGone")
        .unwrap();
    assert!(gone.gone);

    // Integers where a time fits in nanoseconds since 1970 and is not a leap second; the
    // text schema 7 wrote where it does not.
    let raw = Connection::open(&path).unwrap();
    let after = stored_times(&raw);
    let kind = |id: &str, column: &str| {
        let (_, times) = after.iter().find(|(i, _)| i == id).unwrap();
        let i = TIME_COLUMNS.iter().position(|c| *c == column).unwrap();
        times[i].clone()
    };
    let int = |n: i64| ("integer".to_string(), Some(n.to_string()));
    let text = |s: &str| ("text".to_string(), Some(s.to_string()));
    assert_eq!(
        kind("2CredNanos", "last_used_at"),
        int(1_796_119_200_000_000_123)
    );
    assert_eq!(kind("2CredNeverExpires", "created_at"), int(0));
    assert_eq!(
        kind("2CredNeverExpires", "expires_time"),
        text("9999-12-31T23:59:59.999999999Z")
    );
    assert_eq!(
        kind("2CredEdges", "created_at"),
        text("1600-01-01T00:00:00Z")
    );
    assert_eq!(kind("2CredEdges", "updated_at"), int(i64::MIN));
    assert_eq!(kind("2CredEdges", "deleted_at"), int(i64::MAX));
    assert_eq!(
        kind("2CredEdges", "expires_time"),
        text("2262-04-11T23:47:16.854775808Z")
    );
    assert_eq!(
        kind("2CredEdges", "last_used_at"),
        text("2016-12-31T23:59:60.500Z")
    );
    assert_eq!(kind("2CredUnfetched", "fetched_at"), ("null".into(), None));
    assert_eq!(change_log(&raw), changes_before);

    // Saved again as read, every time reads back the same.
    let fetched_at = t("2026-12-02T00:00:00.000000001Z");
    let saved: Vec<ConnectorCredential> = snapshot
        .credentials
        .iter()
        .filter_map(|c| {
            let mut last = c.last.clone()?;
            last.id = Some(c.key.credential_id.clone());
            Some(last)
        })
        .collect();
    assert_eq!(store.save_credentials(&saved, fetched_at).unwrap(), 5);
    let again = store.snapshot().unwrap();
    for (old, new) in snapshot.credentials.iter().zip(&again.credentials) {
        assert_eq!(new.last, old.last, "{}", old.key.credential_id);
        assert_eq!(new.learned_at, old.learned_at);
    }
    // The writer keeps each time as the migration did.
    let resaved = stored_times(&raw);
    for ((id, migrated), (_, written)) in after.iter().zip(&resaved) {
        for (i, column) in TIME_COLUMNS.iter().enumerate() {
            if *column != "fetched_at" {
                assert_eq!(written[i], migrated[i], "{id} {column}");
            }
        }
    }

    // The discovered id keeps its origin, which still goes with it.
    assert_eq!(store.discovered_origins().unwrap().len(), 1);
    assert!(store.untrack("2CredDiscovered").unwrap());
    assert!(store.discovered_origins().unwrap().is_empty());
}

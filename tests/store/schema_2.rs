//! An inventory written by schema 2 (JSON columns; tests/fixtures/inventory-v2.sqlite3, made
//! with the code of 0010b53) opens in typed columns with every row and journal entry.
//!
//! The expected values come from the file itself, read before the upgrade as schema 2's
//! code read it (each JSON object decoded by the API model, a credential's ids taken from
//! its row), and from what the fixture is known to hold, field by field.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use credboard::api::model::ConnectorStatus;
use credboard::api::{App, Connector, ConnectorCredential};
use credboard::model::{
    Action, CredentialKey, JournalEntry, KnownCredential, Outcome, Snapshot, Source,
};
use credboard::store::{SCHEMA_VERSION, Store, Unadopted};
use rusqlite::Connection;

use super::migrations::inventory_written_by;
use super::{entry, ids, t};

fn time(text: Option<String>) -> Option<DateTime<Utc>> {
    text.map(|t| DateTime::parse_from_rfc3339(&t).unwrap().to_utc())
}

/// What schema 2's code read from the rows of tenant `who`, or with `unadopted`, from the
/// rows schema 1 kept for profile `who`.
fn schema_2_snapshot(conn: &Connection, unadopted: bool, who: &str) -> Snapshot {
    let (prefix, owner) = if unadopted {
        ("unadopted_", "profile")
    } else {
        ("", "tenant")
    };
    let mut st = conn
        .prepare(&format!(
            "SELECT json FROM {prefix}apps WHERE {owner} = ?1 ORDER BY app_id"
        ))
        .unwrap();
    let apps = st
        .query_map([who], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|j| serde_json::from_str::<App>(&j.unwrap()).unwrap())
        .collect();
    let mut st = conn
        .prepare(&format!(
            "SELECT json FROM {prefix}connectors WHERE {owner} = ?1
             ORDER BY app_id, connector_id"
        ))
        .unwrap();
    let connectors = st
        .query_map([who], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|j| serde_json::from_str::<Connector>(&j.unwrap()).unwrap())
        .collect();
    let mut st = conn
        .prepare(&format!(
            "SELECT app_id, connector_id, credential_id, source, learned_at, json, fetched_at,
                    gone
             FROM {prefix}credentials WHERE {owner} = ?1 ORDER BY credential_id"
        ))
        .unwrap();
    let credentials = st
        .query_map([who], |r| {
            let key = CredentialKey::new(
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            );
            let last = r.get::<_, Option<String>>(5)?.map(|json| {
                // Read without its ids: the key holds them.
                let mut c: ConnectorCredential = serde_json::from_str(&json).unwrap();
                c.id = None;
                c.app_id = None;
                c.connector_id = None;
                c
            });
            Ok(KnownCredential {
                source: Source::parse(&r.get::<_, String>(3)?).unwrap(),
                learned_at: time(r.get(4)?).unwrap(),
                last,
                fetched_at: time(r.get(6)?),
                gone: r.get(7)?,
                key,
            })
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    Snapshot {
        apps,
        connectors,
        credentials,
    }
}

/// What schema 2's code read as the journal entries a `WHERE` clause picks, newest first.
fn schema_2_journal(conn: &Connection, clause: &str) -> Vec<JournalEntry> {
    let mut st = conn
        .prepare(&format!(
            "SELECT time, profile, actor_client_id, action, app_id, connector_id,
                    credential_id, outcome, message
             FROM journal WHERE {clause} ORDER BY id DESC"
        ))
        .unwrap();
    st.query_map([], |r| {
        Ok(JournalEntry {
            time: time(r.get(0)?).unwrap(),
            profile: r.get(1)?,
            actor_client_id: r.get(2)?,
            action: match r.get::<_, String>(3)?.as_str() {
                "revoke" => Action::Revoke,
                _ => Action::Rotate,
            },
            app_id: r.get(4)?,
            connector_id: r.get(5)?,
            credential_id: r.get(6)?,
            outcome: Outcome::from_row(&r.get::<_, String>(7)?, r.get(8)?).unwrap(),
        })
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn count(conn: &Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

const TABLES: [&str; 8] = [
    "credentials",
    "apps",
    "connectors",
    "journal",
    "adoptions",
    "unadopted_credentials",
    "unadopted_apps",
    "unadopted_connectors",
];

/// `t` with nanoseconds.
fn tn(secs: i64, nanos: u32) -> DateTime<Utc> {
    Utc.timestamp_opt(1_780_000_000 + secs, nanos).unwrap()
}

#[test]
fn an_inventory_written_by_schema_2_migrates_without_losing_anything() {
    let (_dir, path) = inventory_written_by("inventory-v2.sqlite3");
    let raw = Connection::open(&path).unwrap();
    let version: u32 = raw
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, 2);
    let rows_before: Vec<i64> = TABLES.iter().map(|table| count(&raw, table)).collect();
    assert_eq!(rows_before, [14, 4, 7, 22, 1, 2, 1, 1]);
    let acme_before = schema_2_snapshot(&raw, false, "acme.conductor.one");
    let beta_before = schema_2_snapshot(&raw, false, "beta.conductor.one:8443");
    let prod_before = schema_2_snapshot(&raw, true, "prod");
    let acme_journal = schema_2_journal(
        &raw,
        "tenant = 'acme.conductor.one' OR (tenant IS NULL AND profile = 'default')",
    );
    let beta_journal = schema_2_journal(&raw, "tenant = 'beta.conductor.one:8443'");
    let prod_journal = schema_2_journal(&raw, "tenant IS NULL AND profile = 'prod'");
    drop(raw);

    // Every row, field by field, as schema 2 read it.
    let acme = Store::open_for_profile(&path, "acme.conductor.one", "default").unwrap();
    assert_eq!(acme.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION, 8);
    let acme_now = acme.snapshot().unwrap();
    assert_eq!(acme_now, acme_before);
    assert_eq!(acme.journal().unwrap(), acme_journal);
    let beta = Store::open_for_profile(&path, "beta.conductor.one:8443", "beta").unwrap();
    assert_eq!(beta.snapshot().unwrap(), beta_before);
    assert_eq!(beta.journal().unwrap(), beta_journal);
    for (store, before) in [(&acme, &acme_before), (&beta, &beta_before)] {
        let tracked: Vec<_> = store
            .tracked()
            .unwrap()
            .into_iter()
            .map(|t| (t.ids, t.source, t.learned_at))
            .collect();
        let expected: Vec<_> = before
            .credentials
            .iter()
            .map(|c| (c.key.clone(), c.source, c.learned_at))
            .collect();
        assert_eq!(tracked, expected);
    }
    // Schema 1's rows of profile `prod` still wait, and are adopted whole.
    assert_eq!(
        acme.unadopted().unwrap(),
        [Unadopted {
            profile: "prod".into(),
            credentials: 2,
            journal_entries: 2
        }]
    );
    let prod = Store::open_for_profile(&path, "prod.example.conductor.one", "prod").unwrap();
    assert_eq!(prod.snapshot().unwrap(), prod_before);
    assert_eq!(prod.journal().unwrap(), prod_journal);
    assert!(acme.unadopted().unwrap().is_empty());

    // What the fixture holds, so the comparison above compares something.
    let acme_ids: Vec<_> = acme_now
        .credentials
        .iter()
        .map(|c| c.key.credential_id.as_str())
        .collect();
    assert_eq!(
        acme_ids,
        [
            "2CredAcmeFull",
            "2CredAcmeGone",
            "2CredAcmeGoneNeverFetched",
            "2CredAcmeNeverFetched",
            "2CredAcmeRevoked",
            "2CredAcmeRotated",
            "2CredAwsNeverFetched",
            "2CredOktaImported",
            "2CredOktaManual",
            "2CredOktaRotated",
            "2CredShared",
        ]
    );
    let credential = |id: &str| {
        acme_now
            .credentials
            .iter()
            .find(|c| c.key.credential_id == id)
            .unwrap()
    };
    assert_eq!(
        *credential("2CredAcmeFull"),
        KnownCredential {
            key: ids("2AppOkta", "2ConnOkta", "2CredAcmeFull"),
            source: Source::Import,
            learned_at: credential("2CredAcmeFull").learned_at,
            last: Some(ConnectorCredential {
                id: None,
                app_id: None,
                connector_id: None,
                client_id: Some("deploy-blue@acme.conductor.one/pcc".into()),
                display_name: Some("deploy — prod \"blue\" 日本\n2nd line".into()),
                created_at: Some(tn(-200 * 86400, 123_456_789)),
                updated_at: Some(tn(-86400, 500_000_000)),
                deleted_at: None,
                expires_time: Some(t(30 * 86400)),
                last_used_at: Some(tn(-3600, 654_321_000)),
                client_secret: None,
            }),
            gone: false,
            fetched_at: Some(t(100)),
        }
    );
    let revoked = credential("2CredAcmeRevoked").last.clone().unwrap();
    assert_eq!(revoked.deleted_at, Some(t(-2 * 86400)));
    assert_eq!(revoked.last_used_at, None);
    // Gone keeps its last known state; gone before it was ever fetched has none.
    let gone = credential("2CredAcmeGone");
    assert!(gone.gone);
    assert_eq!(gone.fetched_at, Some(t(120)));
    let gone_state = gone.last.as_ref().unwrap();
    assert_eq!(gone_state.display_name.as_deref(), Some("soon gone"));
    assert_eq!(gone.key.app_id, "2AppOkta");
    let never = credential("2CredAcmeGoneNeverFetched");
    assert!(never.gone && never.last.is_none() && never.fetched_at == Some(t(120)));
    let never = credential("2CredAcmeNeverFetched");
    assert!(!never.gone && never.last.is_none() && never.fetched_at.is_none());
    assert_eq!(credential("2CredAcmeRotated").source, Source::Rotate);

    let app = |id: &str| acme_now.apps.iter().find(|a| a.id.as_deref() == Some(id));
    assert_eq!(
        app("2AppOkta"),
        Some(&App {
            id: Some("2AppOkta".into()),
            display_name: Some("Okta".into()),
            description: Some("the IdP".into()),
            is_directory: true,
            user_count: Some(1234),
            created_at: Some(t(-900 * 86400)),
            updated_at: Some(tn(-5, 1)),
            deleted_at: None,
        })
    );
    assert_eq!(app("2AppRetired").unwrap().user_count, Some(0));
    assert_eq!(app("2AppRetired").unwrap().deleted_at, Some(t(-10 * 86400)));
    assert_eq!(beta.snapshot().unwrap().apps[0].user_count, Some(-1));
    let connector = |id: &str| {
        acme_now
            .connectors
            .iter()
            .find(|c| c.id.as_deref() == Some(id))
            .unwrap()
    };
    assert_eq!(
        *connector("2ConnOkta"),
        Connector {
            id: Some("2ConnOkta".into()),
            app_id: Some("2AppOkta".into()),
            display_name: Some("Okta connector".into()),
            description: Some("syncs users".into()),
            status: Some(ConnectorStatus {
                status: Some("SYNC_STATUS_DONE".into()),
                last_error: None,
                completed_at: Some(tn(-600, 250_000_000)),
            }),
            created_at: Some(t(-800 * 86400)),
            updated_at: Some(t(-600)),
            deleted_at: None,
            sync_disabled_at: None,
            sync_disabled_reason: None,
            user_ids: vec!["u-1".into(), "u-2".into()],
        }
    );
    let broken = connector("2ConnOktaBroken");
    let status = broken.status.as_ref().unwrap();
    assert_eq!(
        status.last_error.as_deref(),
        Some("boom:\n  401 \"unauthorized\"")
    );
    assert_eq!(broken.sync_disabled_at, Some(t(-86400)));
    assert_eq!(
        broken.sync_disabled_reason.as_deref(),
        Some("too many errors")
    );
    assert_eq!(connector("2ConnOktaBare").status, None);
    assert_eq!(
        connector("2ConnOktaBare").app_id.as_deref(),
        Some("2AppOkta")
    );
    assert_eq!(
        connector("2ConnOktaEmptyStatus").status,
        Some(ConnectorStatus::default())
    );
    assert_eq!(connector("2ConnOktaEmptyStatus").user_ids, ["u-3"]);

    let kinds: BTreeSet<_> = acme_journal.iter().map(|e| e.outcome.kind()).collect();
    assert_eq!(
        kinds,
        BTreeSet::from([
            "already_gone",
            "failed",
            "not_found",
            "ok",
            "requested",
            "unknown"
        ])
    );
    assert_eq!(acme_journal.len(), 17);
    assert!(beta_journal.iter().all(|e| e.actor_client_id.is_none()));
    // The writer's process is gone: its request without an outcome is checked at the next
    // start (unless its pid has been taken by a process running now).
    let unanswered: Vec<_> = acme
        .unanswered_requests()
        .unwrap()
        .into_iter()
        .map(|(_, e)| e.credential_id)
        .collect();
    if !Path::new("/proc/25235").exists() {
        assert_eq!(unanswered, [Some("2CredAcmeGone".to_string())]);
    }

    // Every row is still there, in typed columns only; the journal is still append-only and
    // new entries follow the old ones.
    drop((acme, beta, prod));
    let acme = Store::open_for_profile(&path, "acme.conductor.one", "default").unwrap();
    acme.append_journal(&entry("default", Action::Revoke, Outcome::Ok, t(999)))
        .unwrap();
    let raw = Connection::open(&path).unwrap();
    let rows_after: Vec<i64> = TABLES.iter().map(|table| count(&raw, table)).collect();
    // prod's rows moved into the tables of its tenant, and a journal entry was added.
    assert_eq!(rows_after, [16, 5, 8, 23, 2, 0, 0, 0]);
    assert_eq!(
        raw.query_row("SELECT max(id) FROM journal", [], |r| r.get::<_, i64>(0))
            .unwrap(),
        23
    );
    let json_columns: i64 = raw
        .query_row(
            "SELECT count(*) FROM sqlite_schema s, pragma_table_info(s.name) c
             WHERE s.type = 'table' AND (c.name = 'json' OR s.name LIKE '%schema_2')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(json_columns, 0);
    for sql in ["UPDATE journal SET outcome = 'ok'", "DELETE FROM journal"] {
        let err = raw.execute(sql, []).unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
}

//! The change log as a user meets it: `credboard changes` (a refresh, then what the
//! refreshes saw change) run as the real binary against a demo tenant started here, changed
//! in between as someone in the web UI, a connector or the clock would.

use std::collections::BTreeMap;

use std::process::Output;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use credboard::api::ConnectorCredential;
use credboard::demo::DemoServer;
use serde_json::Value;

#[path = "support/tenant.rs"]
mod tenant;

struct Tenant(tenant::Tenant);

impl std::ops::Deref for Tenant {
    type Target = tenant::Tenant;
    fn deref(&self) -> &tenant::Tenant {
        &self.0
    }
}

impl Tenant {
    fn start() -> Self {
        Tenant(tenant::Tenant::start())
    }

    /// `credboard changes -o json` with `args`, which must succeed.
    fn changes(&self, args: &[&str]) -> Vec<Value> {
        let out = self.run(&[&["changes", "-o", "json"], args].concat());
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice::<Value>(&out.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }

    fn track(&self, c: &ConnectorCredential) {
        let out = self.run(&[
            "track",
            c.app_id.as_deref().unwrap(),
            c.connector_id.as_deref().unwrap(),
            c.id.as_deref().unwrap(),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
    }

    fn sql(&self, statement: &str, params: &[&str]) {
        let conn = rusqlite::Connection::open(self.data.join("inventory.sqlite3")).unwrap();
        conn.execute(statement, rusqlite::params_from_iter(params))
            .unwrap();
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// The seen_at of the change log: six fractional digits.
fn seen_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Live credentials with a last use, and without.
fn live(server: &DemoServer, used: bool) -> Vec<ConnectorCredential> {
    let now = Utc::now();
    server
        .credentials()
        .into_iter()
        .filter(|c| {
            c.deleted_at.is_none()
                && c.expires_time.is_none_or(|t| t > now + TimeDelta::days(60))
                && c.last_used_at.is_some() == used
        })
        .collect()
}

/// Changes by credential id, as (kind, before, after), sorted.
fn by_credential(changes: &[Value]) -> BTreeMap<String, Vec<(String, Value, Value)>> {
    let mut out: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for c in changes {
        out.entry(c["credentialId"].as_str().unwrap().to_string())
            .or_default()
            .push((
                c["kind"].as_str().unwrap().to_string(),
                c["before"].clone(),
                c["after"].clone(),
            ));
    }
    for list in out.values_mut() {
        list.sort_by(|a, b| a.0.cmp(&b.0));
    }
    out
}

/// Revoked, first used, last use moved, renamed with its expiry changed, expired by the
/// clock, gone, untouched: each refresh records exactly what it saw change, once.
#[test]
fn each_refresh_records_what_changed_per_credential() {
    let tenant = Tenant::start();
    let server = tenant.server();
    let used = live(server, true);
    let unused = live(server, false);
    let [revoked, moved, renamed, expiring, forgotten, untouched] =
        [0, 1, 2, 3, 4, 5].map(|i| used[i].clone());
    let first_used = unused[0].clone();
    let all = [
        &revoked,
        &moved,
        &renamed,
        &expiring,
        &forgotten,
        &untouched,
        &first_used,
    ];
    for c in all {
        tenant.track(c);
    }
    let id = |c: &ConnectorCredential| c.id.clone().unwrap();

    let first = tenant.changes(&[]);
    let kinds = by_credential(&first);
    assert_eq!(kinds.len(), all.len(), "{kinds:?}");
    for c in all {
        assert_eq!(kinds[&id(c)], [("new".into(), Value::Null, Value::Null)]);
    }

    // Someone revokes one, a connector uses two, someone renames one and moves its expiry,
    // the server forgets one, and one's expiry passes while nobody looks.
    let now = Utc::now();
    assert!(server.revoke(&id(&revoked)));
    let moved_to = now + TimeDelta::seconds(1);
    assert!(server.touch_last_used(&id(&moved), moved_to));
    assert!(server.touch_last_used(&id(&first_used), now));
    let new_expiry = now + TimeDelta::days(30);
    assert!(server.edit_credential(&id(&renamed), |c| {
        c.display_name = Some("deploy (retired)".into());
        c.expires_time = Some(new_expiry);
    }));
    assert!(server.forget(&id(&forgotten)));
    let passed = now - TimeDelta::hours(1);
    assert!(server.edit_credential(&id(&expiring), |c| c.expires_time = Some(passed)));
    tenant.sql(
        "UPDATE credentials SET expires_time = ?1, fetched_at = ?2 WHERE credential_id = ?3",
        &[
            &text(passed),
            &text(now - TimeDelta::hours(2)),
            &id(&expiring),
        ],
    );

    let second = tenant.changes(&[]);
    let seen = by_credential(&second[..second.len() - first.len()]);
    let revoked_at = server
        .credential(&id(&revoked))
        .unwrap()
        .deleted_at
        .unwrap();
    let expected: BTreeMap<String, Vec<(String, Value, Value)>> = [
        (
            id(&revoked),
            vec![("revoked".into(), Value::Null, text(revoked_at).into())],
        ),
        (
            id(&moved),
            vec![(
                "last_use_moved".into(),
                text(moved.last_used_at.unwrap()).into(),
                text(moved_to).into(),
            )],
        ),
        (
            id(&first_used),
            vec![("first_used".into(), Value::Null, text(now).into())],
        ),
        (
            id(&renamed),
            vec![
                (
                    "expiry_changed".into(),
                    renamed.expires_time.map(text).into(),
                    text(new_expiry).into(),
                ),
                (
                    "renamed".into(),
                    renamed.display_name.clone().into(),
                    "deploy (retired)".into(),
                ),
            ],
        ),
        (
            id(&expiring),
            vec![("expired".into(), Value::Null, text(passed).into())],
        ),
        (
            id(&forgotten),
            vec![("gone".into(), Value::Null, Value::Null)],
        ),
    ]
    .into();
    assert_eq!(seen, expected);
    assert!(
        second[..second.len() - first.len()]
            .iter()
            .all(|c| c["seenAt"].as_str() > first[0]["seenAt"].as_str())
    );

    // Nothing changed since: nothing new.
    assert_eq!(tenant.changes(&[]).len(), second.len());
}

/// Changes older than `changes_keep_days` are dropped as the next refresh saves; younger
/// ones stay. A retention of 0 days is refused with the line.
#[test]
fn changes_are_kept_for_the_configured_days() {
    let tenant = Tenant::start();
    for c in live(tenant.server(), true).iter().take(4) {
        tenant.track(c);
    }
    let settings = tenant.home.path().join("settings.toml");
    std::fs::write(&settings, "changes_keep_days = 30\n").unwrap();
    let config = settings.to_str().unwrap();
    let first = tenant.changes(&["--config", config]);
    assert_eq!(first.len(), 4);
    let ids: Vec<&str> = first
        .iter()
        .map(|c| c["credentialId"].as_str().unwrap())
        .collect();
    let now = Utc::now();
    for (i, id) in ids.iter().enumerate() {
        let age = if i < 2 { 40 } else { 10 };
        tenant.sql(
            "UPDATE credential_changes SET seen_at = ?1 WHERE credential_id = ?2",
            &[&seen_text(now - TimeDelta::days(age)), id],
        );
    }
    let kept = tenant.changes(&["--config", config]);
    let mut kept_ids: Vec<&str> = kept
        .iter()
        .map(|c| c["credentialId"].as_str().unwrap())
        .collect();
    kept_ids.sort();
    let mut young = ids[2..].to_vec();
    young.sort();
    assert_eq!(kept_ids, young);

    std::fs::write(&settings, "\nchanges_keep_days = 0\n").unwrap();
    let out = tenant.run(&["changes", "--config", config]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("line 2") && err.contains("changes_keep_days"),
        "{err}"
    );
}

/// `--since` keeps the recent ones; CSV and the table make a hostile name inert and CSV
/// keeps a formula from running; a bad `--since` is a usage error.
#[test]
fn since_filters_and_csv_and_table_are_inert() {
    let tenant = Tenant::start();
    let target = live(tenant.server(), true)[0].clone();
    let other = live(tenant.server(), true)[1].clone();
    tenant.track(&target);
    tenant.track(&other);
    tenant.changes(&[]);
    tenant.sql(
        "UPDATE credential_changes SET seen_at = ?1 WHERE credential_id = ?2",
        &[
            &seen_text(Utc::now() - TimeDelta::days(2)),
            other.id.as_deref().unwrap(),
        ],
    );
    let hostile = "=HYPERLINK(\"http://evil\")\u{1b}[31m\u{7}";
    assert!(
        tenant
            .server()
            .edit_credential(target.id.as_deref().unwrap(), |c| {
                c.display_name = Some(hostile.into())
            })
    );
    let recent = tenant.changes(&["--since", "1d"]);
    assert!(
        recent
            .iter()
            .all(|c| c["credentialId"] == target.id.as_deref().unwrap()),
        "{recent:?}"
    );
    assert!(
        recent
            .iter()
            .any(|c| c["kind"] == "renamed" && c["after"] == hostile)
    );
    assert_eq!(tenant.changes(&["--since", "3d"]).len(), recent.len() + 1);

    let csv = tenant.run(&["changes", "-o", "csv", "--since", "1d"]);
    assert!(csv.status.success(), "{}", stderr(&csv));
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert!(
        csv.starts_with("seen_at,kind,app_id,connector_id,credential_id,"),
        "{csv}"
    );
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(
        !csv.contains(",=HYPERLINK") && !csv.contains("\"=HYPERLINK"),
        "{csv}"
    );
    let table = tenant.run(&["changes"]);
    assert!(table.status.success());
    for (what, bytes) in [("csv", csv.as_bytes()), ("table", &table.stdout[..])] {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{what}: {text}"
        );
    }

    let bad = tenant.run(&["changes", "--since", "yesterday"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("a unit"), "{}", stderr(&bad));
}

//! The inventory: migrations from an empty directory, tracking, last known state, profiles,
//! the journal, no secret on disk, and several writers at once (threads and processes).

mod journal;
mod migrations;
mod schema_2;
mod schema_7;

use std::path::Path;
use std::process::Command;

use chrono::{DateTime, TimeZone, Utc};
use credboard::api::{App, Connector, ConnectorCredential, SecretString};
use credboard::model::{Action, CredentialKey, JournalEntry, Outcome, Source};
use credboard::store::{SCHEMA_VERSION, Store, StoreError};

fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_780_000_000 + secs, 0).unwrap()
}

fn cred(app: &str, conn: &str, id: &str) -> ConnectorCredential {
    ConnectorCredential {
        id: Some(id.into()),
        app_id: Some(app.into()),
        connector_id: Some(conn.into()),
        display_name: Some(format!("credential {id}")),
        created_at: Some(t(-1000)),
        last_used_at: Some(t(-10)),
        ..Default::default()
    }
}

/// What the inventory keeps of a saved credential as its last state: every field but its
/// ids, which the key holds, and its secret, which has no column.
fn kept(c: &ConnectorCredential) -> ConnectorCredential {
    ConnectorCredential {
        id: None,
        app_id: None,
        connector_id: None,
        client_secret: None,
        ..c.clone()
    }
}

fn ids(app: &str, conn: &str, id: &str) -> CredentialKey {
    CredentialKey::new(app, conn, id)
}

#[test]
fn opens_from_an_empty_directory_and_migrates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/inventory.sqlite3");
    let store = Store::open(&path, "default").unwrap();
    assert!(path.exists());
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.path(), path);
    assert_eq!(store.tenant().as_str(), "default");
    assert_eq!(store.profile(), None);
    assert!(store.tracked().unwrap().is_empty());
    assert_eq!(store.snapshot().unwrap(), Default::default());
    assert!(store.journal().unwrap().is_empty());
    store.track(&ids("a1", "k1", "c1"), Source::Manual).unwrap();
    drop(store);
    // Reopening keeps the data and migrates nothing.
    let store = Store::open(&path, "default").unwrap();
    assert_eq!(store.tracked().unwrap().len(), 1);
    let mode: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn default_path_honours_the_override() {
    let p = Store::default_path(Some(Path::new("/tmp/xyz")));
    assert_eq!(p, Path::new("/tmp/xyz").join(Store::FILE_NAME));
    let d = Store::default_path(None);
    assert!(d.ends_with(Store::FILE_NAME), "{}", d.display());
}

#[test]
fn an_unopenable_path_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    // Its parent is a file: the directory cannot be created.
    let err = Store::open(&file.join("inv.sqlite3"), "p").unwrap_err();
    assert!(
        err.to_string().contains(&file.display().to_string()),
        "{err}"
    );
}

#[test]
fn track_untrack_and_conflicts() {
    let store = Store::open_in_memory("default").unwrap();
    assert!(store.track(&ids("a1", "k1", "c1"), Source::Import).unwrap());
    assert!(!store.track(&ids("a1", "k1", "c1"), Source::Manual).unwrap());
    assert!(store.track(&ids("a1", "k2", "c0"), Source::Rotate).unwrap());
    let err = store
        .track(&ids("a9", "k9", "c1"), Source::Manual)
        .unwrap_err();
    assert!(
        matches!(err, StoreError::TrackedElsewhere { ref app_id, .. } if app_id == "a1"),
        "{err:?}"
    );
    let tracked = store.tracked().unwrap();
    assert_eq!(tracked.len(), 2);
    assert_eq!(tracked[0].ids, ids("a1", "k2", "c0"));
    assert_eq!(tracked[0].source, Source::Rotate);
    assert_eq!(tracked[1].source, Source::Import, "the first source stays");
    assert!((Utc::now() - tracked[1].learned_at).num_seconds().abs() < 60);

    assert!(store.untrack("c1").unwrap());
    assert!(!store.untrack("c1").unwrap());
    assert_eq!(store.tracked().unwrap().len(), 1);
}

#[test]
fn tenants_are_kept_apart_and_profiles_of_one_tenant_share_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inv.sqlite3");
    let prod = Store::open_for_profile(&path, "acme.conductor.one", "prod").unwrap();
    // Another profile, another spelling of the same tenant: the same rows.
    let admin = Store::open_for_profile(&path, "https://ACME.conductor.one:443/", "admin").unwrap();
    // The same profile name pointed at another tenant: none of the first tenant's rows.
    let other = Store::open_for_profile(&path, "other.conductor.one", "prod").unwrap();
    prod.track(&ids("a", "k", "c1"), Source::Manual).unwrap();
    // The same credential id in another tenant is independent.
    other.track(&ids("x", "y", "c1"), Source::Manual).unwrap();
    other.track(&ids("x", "y", "c2"), Source::Manual).unwrap();
    prod.save_credential(&cred("a", "k", "c1"), t(0)).unwrap();
    prod.save_apps(
        &[App {
            id: Some("a".into()),
            ..Default::default()
        }],
        t(0),
    )
    .unwrap();
    prod.append_journal(&entry("prod", Action::Revoke, Outcome::Ok, t(1)))
        .unwrap();

    assert_eq!(prod.tenant(), admin.tenant());
    assert_eq!(prod.tracked().unwrap().len(), 1);
    assert_eq!(admin.tracked().unwrap(), prod.tracked().unwrap());
    assert_eq!(admin.snapshot().unwrap(), prod.snapshot().unwrap());
    assert_eq!(admin.journal().unwrap().len(), 1);
    assert_eq!(other.tracked().unwrap().len(), 2);
    let snap = other.snapshot().unwrap();
    assert!(snap.apps.is_empty());
    assert!(snap.credentials.iter().all(|e| e.last.is_none()));
    assert!(other.journal().unwrap().is_empty());
    assert!(other.untrack("c1").unwrap());
    assert_eq!(prod.tracked().unwrap().len(), 1);
}

#[test]
fn last_known_state_round_trips() {
    let store = Store::open_in_memory("p").unwrap();
    store.track(&ids("a1", "k1", "c1"), Source::Manual).unwrap();
    store.track(&ids("a1", "k1", "c2"), Source::Manual).unwrap();
    store.track(&ids("a1", "k1", "c3"), Source::Manual).unwrap();

    let c1 = cred("a1", "k1", "c1");
    assert!(store.save_credential(&c1, t(5)).unwrap());
    assert!(
        !store
            .save_credential(&cred("a1", "k1", "untracked"), t(5))
            .unwrap()
    );
    assert_eq!(
        store
            .save_credentials(&[cred("a1", "k1", "c2"), cred("a1", "k1", "zz")], t(6))
            .unwrap(),
        1
    );
    assert!(store.mark_gone("c2", t(7)).unwrap());
    assert!(!store.mark_gone("nope", t(7)).unwrap());

    let snap = store.snapshot().unwrap();
    let by = |id: &str| {
        snap.credentials
            .iter()
            .find(|e| e.key.credential_id == id)
            .unwrap()
    };
    assert_eq!(by("c1").key, ids("a1", "k1", "c1"));
    assert_eq!(by("c1").last, Some(kept(&c1)));
    assert_eq!(by("c1").fetched_at, Some(t(5)));
    assert!(!by("c1").gone);
    // Gone keeps what it was, with the time of the 404.
    assert_eq!(by("c2").last, Some(kept(&cred("a1", "k1", "c2"))));
    assert_eq!(by("c2").fetched_at, Some(t(7)));
    assert!(by("c2").gone);
    assert_eq!(by("c3").last, None);
    assert_eq!(by("c3").fetched_at, None);

    // Saving again clears the gone flag.
    store
        .save_credential(&cred("a1", "k1", "c2"), t(8))
        .unwrap();
    let snap = store.snapshot().unwrap();
    assert!(!snap.credentials[1].gone);

    let err = store
        .save_credential(&ConnectorCredential::default(), t(9))
        .unwrap_err();
    assert!(matches!(err, StoreError::MissingId { .. }));
}

/// A tenant may send any RFC 3339 time; with its offset, one can fall past year 9999 or
/// before year 0 in UTC. It is stored and read back as it was, and the inventory stays
/// readable (schema 2 wrote such a time into JSON it could not read again).
#[test]
fn a_time_past_year_9999_in_utc_is_stored_and_read_back() {
    let store = Store::open_in_memory("p").unwrap();
    store.track(&ids("a1", "k1", "c1"), Source::Manual).unwrap();
    let sent = |text: &str| Some(DateTime::parse_from_rfc3339(text).unwrap().to_utc());
    let c = ConnectorCredential {
        expires_time: sent("9999-12-31T23:59:59-23:59"),
        created_at: sent("0000-01-01T00:00:00+23:59"),
        ..cred("a1", "k1", "c1")
    };
    store.save_credential(&c, t(1)).unwrap();
    let snap = store.snapshot().unwrap();
    assert_eq!(snap.credentials[0].last, Some(kept(&c)));
}

#[test]
fn apps_and_connectors_are_replaced_per_refresh() {
    let store = Store::open_in_memory("p").unwrap();
    let app = |id: &str| App {
        id: Some(id.into()),
        display_name: Some(format!("App {id}")),
        user_count: Some(3),
        ..Default::default()
    };
    let conn = |id: &str| Connector {
        id: Some(id.into()),
        display_name: Some(format!("Conn {id}")),
        ..Default::default()
    };
    store.save_apps(&[app("a1"), app("a2")], t(0)).unwrap();
    store
        .save_connectors("a1", &[conn("k1"), conn("k2")], t(1))
        .unwrap();
    store.save_connectors("a2", &[conn("k3")], t(1)).unwrap();
    store.save_connectors("a1", &[conn("k2")], t(2)).unwrap();
    let snap = store.snapshot().unwrap();
    assert_eq!(snap.apps.len(), 2);
    assert_eq!(snap.apps[0], app("a1"));
    let ks: Vec<_> = snap
        .connectors
        .iter()
        .map(|k| (k.app_id.clone().unwrap(), k.id.clone().unwrap()))
        .collect();
    assert_eq!(
        ks,
        vec![("a1".into(), "k2".into()), ("a2".into(), "k3".into())]
    );
    // a2 disappears: its connectors go with it.
    store.save_apps(&[app("a1")], t(3)).unwrap();
    let snap = store.snapshot().unwrap();
    assert_eq!(snap.apps.len(), 1);
    assert_eq!(snap.connectors.len(), 1);
}

#[test]
fn no_secret_reaches_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inv.sqlite3");
    let secret = "secret-token:conductorone.com:v1:NEVER-ON-DISK-4242";
    let mut c = cred("a1", "k1", "c1");
    c.client_secret = Some(SecretString::new(secret));
    {
        let store = Store::open(&path, "p").unwrap();
        let request = store
            .append_journal(&entry("p", Action::Rotate, Outcome::Requested, t(0)))
            .unwrap();
        store
            .record_rotation(request, &c, Some("me@acme"), t(0))
            .unwrap();
        store.save_credential(&c, t(1)).unwrap();
        let snap = store.snapshot().unwrap();
        assert_eq!(
            snap.credentials[0].last.as_ref().unwrap().client_secret,
            None
        );
    }
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(
            !bytes.windows(14).any(|w| w == b"NEVER-ON-DISK-"),
            "a secret reached the inventory files"
        );
    }
}

fn entry(profile: &str, action: Action, outcome: Outcome, time: DateTime<Utc>) -> JournalEntry {
    JournalEntry {
        time,
        profile: profile.into(),
        actor_client_id: Some("bot@acme.conductor.one/pcc".into()),
        action,
        app_id: "a1".into(),
        connector_id: "k1".into(),
        credential_id: Some("c1".into()),
        outcome,
    }
}

#[test]
fn bulk_saving_and_loading_many_credentials() {
    let store = Store::open_in_memory("p").unwrap();
    let n = 20_000;
    let creds: Vec<_> = (0..n)
        .map(|i| cred(&format!("a{}", i % 7), "k", &format!("c{i:06}")))
        .collect();
    let parsed = credboard::import::ParsedImport {
        format: credboard::import::ImportFormat::Csv,
        entries: creds
            .iter()
            .enumerate()
            .map(|(i, c)| credboard::import::ImportEntry {
                location: credboard::import::Location::CsvLine(i as u64 + 2),
                ids: CredentialKey::of(c).unwrap(),
            })
            .collect(),
        rejected: vec![],
    };
    let report = store.import(&parsed, Source::Import).unwrap();
    assert_eq!(report.added.len(), n);
    assert_eq!(store.save_credentials(&creds, t(0)).unwrap(), n);
    let snap = store.snapshot().unwrap();
    assert_eq!(snap.credentials.len(), n);
    assert_eq!(snap.credentials[123].last, Some(kept(&creds[123])));
    // Returned in order, each row with its own state.
    assert!(
        snap.credentials
            .windows(2)
            .all(|w| { w[0].key.credential_id < w[1].key.credential_id })
    );
    assert!(snap.credentials.iter().all(|e| {
        e.last.as_ref().and_then(|c| c.display_name.as_deref())
            == Some(format!("credential {}", e.key.credential_id).as_str())
    }));
}

/// An inventory file of `n` fetched credentials (`c00000`...) of connector "k" of app "a",
/// both listed.
fn fetched_inventory(n: usize) -> (tempfile::TempDir, std::path::PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inv.sqlite3");
    let store = Store::open(&path, "p").unwrap();
    let creds: Vec<_> = (0..n)
        .map(|i| cred("a", "k", &format!("c{i:05}")))
        .collect();
    for c in &creds {
        store
            .track(&CredentialKey::of(c).unwrap(), Source::Manual)
            .unwrap();
    }
    store.save_credentials(&creds, t(0)).unwrap();
    let app = App {
        id: Some("a".into()),
        ..Default::default()
    };
    store.save_apps(&[app], t(0)).unwrap();
    let conn = Connector {
        id: Some("k".into()),
        ..Default::default()
    };
    store.save_connectors("a", &[conn], t(0)).unwrap();
    (dir, path, store)
}

/// [`fetched_inventory`], damaged with `damage` (SQL): the snapshot's error.
fn snapshot_after(n: usize, damage: &str) -> (StoreError, std::path::PathBuf) {
    let (_dir, path, store) = fetched_inventory(n);
    let whole = store.snapshot().unwrap();
    assert_eq!((whole.credentials.len(), whole.connectors.len()), (n, 1));
    damage_file(&path, damage);
    (store.snapshot().unwrap_err(), path)
}

fn damage_file(path: &Path, damage: &str) {
    rusqlite::Connection::open(path)
        .unwrap()
        .execute(damage, [])
        .unwrap();
}

/// The dashboard reads the stored inventory in parts at start and makes each part's rows
/// while the next is read: the parts together are the whole inventory, each credential
/// once and in order, the apps and connectors with the first part, before any row that
/// shows their names.
#[test]
fn the_inventory_read_in_parts_is_the_whole_of_it() {
    let (_dir, path, store) = fetched_inventory(7);
    let whole = store.snapshot().unwrap();
    let mut parts = Vec::new();
    let rest = store.snapshot_in_parts(3, |p| parts.push(p)).unwrap();
    let sizes: Vec<_> = parts.iter().map(|p| p.credentials.len()).collect();
    assert_eq!((sizes, rest.credentials.len()), (vec![3, 3], 1));
    assert_eq!((parts[0].apps.len(), parts[0].connectors.len()), (1, 1));
    assert!(parts[1].apps.is_empty() && parts[1].connectors.is_empty() && rest.apps.is_empty());
    let joined: Vec<_> = parts
        .iter()
        .chain([&rest])
        .flat_map(|p| p.credentials.clone())
        .collect();
    assert_eq!(joined, whole.credentials);
    assert_eq!(
        (&parts[0].apps, &parts[0].connectors),
        (&whole.apps, &whole.connectors)
    );

    // An inventory of exactly a part's size: nothing is left after the part.
    let mut parts = Vec::new();
    let rest = store.snapshot_in_parts(7, |p| parts.push(p)).unwrap();
    assert_eq!((parts.len(), rest.credentials.len()), (1, 0));

    // A row that cannot be read after a part was handed over: the read fails, named, so
    // that what was handed over is not taken for the whole.
    damage_file(
        &path,
        "UPDATE credentials SET created_at = 'soon' WHERE credential_id = 'c00004'",
    );
    let mut parts = Vec::new();
    let err = store.snapshot_in_parts(3, |p| parts.push(p)).unwrap_err();
    assert_eq!(parts.len(), 1);
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
}

#[test]
fn an_unreadable_row_is_reported_with_the_path() {
    for n in [3, 5000] {
        let (err, path) = snapshot_after(
            n,
            "UPDATE credentials SET last_used_at = 'yesterday' WHERE credential_id = 'c00002'",
        );
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
    }
}

/// The apps and connectors are read with the credentials; when one of them cannot be read,
/// the snapshot says so, whatever the inventory's size.
#[test]
fn an_unreadable_connector_is_reported_with_the_path() {
    for n in [3, 5000] {
        let (err, path) = snapshot_after(n, "UPDATE connectors SET user_ids = '[1, 2'");
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
        assert!(err.to_string().contains("connector"), "{err}");
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
    }
}

/// Writes `n` credentials and journal entries named after `who`, one transaction each.
fn writer(path: &Path, who: &str, n: usize) {
    let store = Store::open(path, "p").unwrap();
    for i in 0..n {
        let id = format!("{who}-{i}");
        assert!(store.track(&ids("a", "k", &id), Source::Manual).unwrap());
        store
            .save_credential(&cred("a", "k", &id), Utc::now())
            .unwrap();
        let mut e = entry("p", Action::Revoke, Outcome::Ok, Utc::now());
        e.credential_id = Some(id);
        store.append_journal(&e).unwrap();
    }
}

fn check_writers(path: &Path, writers: &[&str], n: usize) {
    let store = Store::open(path, "p").unwrap();
    let tracked = store.tracked().unwrap();
    assert_eq!(tracked.len(), writers.len() * n);
    let snap = store.snapshot().unwrap();
    assert!(snap.credentials.iter().all(|e| e.last.is_some()));
    assert_eq!(store.journal().unwrap().len(), writers.len() * n);
    let ok: String = rusqlite::Connection::open(path)
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

#[test]
fn two_handles_write_at_once_from_threads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inv.sqlite3");
    std::thread::scope(|s| {
        for who in ["t1", "t2"] {
            let path = &path;
            s.spawn(move || writer(path, who, 150));
        }
    });
    check_writers(&path, &["t1", "t2"], 150);
}

const CHILD_ENV: &str = "CREDBOARD_TEST_STORE_CHILD";

#[test]
fn two_processes_write_at_once() {
    // Child mode: this same test binary, run with the path and a name in the environment.
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        let (who, path) = spec.split_once(':').unwrap();
        writer(Path::new(path), who, 150);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // No file yet: the processes also race to create and migrate it.
    let path = dir.path().join("sub/inv.sqlite3");
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = ["p1", "p2"]
        .iter()
        .map(|who| {
            Command::new(&exe)
                .args(["--exact", "two_processes_write_at_once", "--test-threads=1"])
                .env(CHILD_ENV, format!("{who}:{}", path.display()))
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    writer(&path, "main", 150);
    for mut child in children {
        assert!(child.wait().unwrap().success(), "a child writer failed");
    }
    check_writers(&path, &["main", "p1", "p2"], 150);
}

/// Timing of a 100,000-credential save and snapshot; run with
/// `cargo test --release --test store -- --ignored --nocapture`. Not asserted: tests never
/// assert on wall-clock speed.
#[test]
#[ignore]
fn time_100k_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("inv.sqlite3"), "p").unwrap();
    let creds: Vec<_> = (0..100_000)
        .map(|i| {
            cred(
                &format!("a{}", i % 50),
                &format!("k{}", i % 300),
                &format!("c{i:07}"),
            )
        })
        .collect();
    let parsed = credboard::import::ParsedImport {
        format: credboard::import::ImportFormat::Csv,
        entries: creds
            .iter()
            .map(|c| credboard::import::ImportEntry {
                location: credboard::import::Location::CsvLine(0),
                ids: CredentialKey::of(c).unwrap(),
            })
            .collect(),
        rejected: vec![],
    };
    let start = std::time::Instant::now();
    store.import(&parsed, Source::Import).unwrap();
    eprintln!("import 100k: {:?}", start.elapsed());
    let start = std::time::Instant::now();
    store.save_credentials(&creds, t(0)).unwrap();
    eprintln!("save 100k: {:?}", start.elapsed());
    for _ in 0..3 {
        let start = std::time::Instant::now();
        let snap = store.snapshot().unwrap();
        eprintln!("snapshot {}: {:?}", snap.credentials.len(), start.elapsed());
    }
}

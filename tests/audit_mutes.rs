//! Mutes: from the settings and from `credboard audit mute`, kept in the inventory for the
//! tenant. A muted finding is shown muted and stops failing `--fail-on`; past its last day,
//! or once lifted, it counts again. Bad mutes are refused with what is wrong, and nothing is
//! stored. The inventory keeps every mute (lifted ones too), on the fixture files as well.

use std::path::{Path, PathBuf};

use chrono::{Days, NaiveDate, Utc};
use credboard::store::{Lifting, MuteScope, NewMute, Store};
use serde_json::Value;
use tempfile::TempDir;

#[path = "support/tenant.rs"]
mod tenant;
use tenant::{Tenant, credboard, text};

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The demo tenant's one exposed credential's id (ids are seeded, the same on every start).
fn exposed_id(home: &Path) -> String {
    let out = credboard(home)
        .args(["--demo", "audit", "--check", "CB-1.7", "-o", "json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["findings"][0]["credential_id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn settings_muting(home: &Path, credential: &str, until: NaiveDate) -> PathBuf {
    let path = home.join("mutes.toml");
    std::fs::write(
        &path,
        format!(
            "[[audit.mute]]\ncheck = \"CB-1.7\"\ncredential = \"{credential}\"\n\
             reason = \"test key, revoked by the scanner's vendor\"\nuntil = \"{until}\"\n"
        ),
    )
    .unwrap();
    path
}

#[test]
fn a_settings_mute_holds_through_its_last_day_and_the_day_after_it_counts_again() {
    let home = TempDir::new().unwrap();
    let id = exposed_id(home.path());
    let run = |until: NaiveDate, format: &str| {
        let config = settings_muting(home.path(), &id, until);
        credboard(home.path())
            .args([
                "--demo",
                "audit",
                "--fail-on",
                "critical",
                "-o",
                format,
                "--config",
            ])
            .arg(config)
            .output()
            .unwrap()
    };
    let muted = run(today(), "json");
    assert_eq!(muted.status.code(), Some(0), "{}", text(&muted.stderr));
    let doc: Value = serde_json::from_slice(&muted.stdout).unwrap();
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "CB-1.7")
        .unwrap();
    assert_eq!(f["muted"], true, "shown, marked muted");
    assert_eq!(f["mute"]["origin"], "settings, [[audit.mute]] 1");
    assert_eq!(f["mute"]["until"], today().to_string());
    assert_eq!(doc["counts"]["muted"], 1);
    assert_eq!(doc["counts"]["critical"], 0);
    let table = text(&run(today(), "table").stdout);
    let line = table.lines().find(|l| l.contains("CB-1.7")).unwrap();
    assert!(
        line.contains(&format!("through {}: test key", today())),
        "{line}"
    );
    // Its last day was yesterday: it mutes nothing.
    let expired = run(today() - Days::new(1), "json");
    assert_eq!(expired.status.code(), Some(3));
    let doc: Value = serde_json::from_slice(&expired.stdout).unwrap();
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "CB-1.7")
        .unwrap();
    assert_eq!(f["muted"], false);
}

#[test]
fn bad_mutes_and_thresholds_in_the_settings_are_named_with_their_line() {
    let home = TempDir::new().unwrap();
    let path = home.path().join("bad.toml");
    std::fs::write(
        &path,
        "[audit]\nrotation_days = 0\n\n[[audit.mute]]\ncheck = \"CB-1.8\"\ncredential = \"c\"\nreason = \"x\"\nuntil = \"2027-01-31\"\n\n\
         [[audit.mute]]\ncheck = \"CB-1.2\"\nreason = \" \"\nuntil = \"31/01/2027\"\ncredentail = \"c\"\n",
    )
    .unwrap();
    let out = credboard(home.path())
        .arg("config")
        .arg("--config")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    for expected in [
        "bad.toml, line 2: `audit.rotation_days` must be between 1 and 3650",
        "bad.toml, line 5: `[[audit.mute]]` number 1: there is no check \"CB-1.8\"; did you mean CB-1.",
        "`[[audit.mute]]` number 2: name exactly one of `credential = \"ID\"` and `connector = \"ID\"`",
        "bad.toml, line 12: `[[audit.mute]]` number 2: `reason` must say why",
        "bad.toml, line 13: `[[audit.mute]]` number 2: `until` must be its last day",
    ] {
        assert!(stderr.contains(expected), "{expected}\nin: {stderr}");
    }
    // Every command stops on it, before anything else.
    let audit = credboard(home.path())
        .args(["--demo", "audit", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(audit.status.code(), Some(2));
    assert!(audit.stdout.is_empty());

    // A key a mute does not have is a warning with its line and a suggestion.
    std::fs::write(
        &path,
        "[[audit.mute]]\ncheck = \"CB-1.2\"\nconnector = \"k\"\nreason = \"r\"\nuntil = 2027-01-31\nuntill = 1\n",
    )
    .unwrap();
    let out = credboard(home.path())
        .arg("config")
        .arg("--config")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "a TOML date is a date too: {}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr)
            .contains("line 6: unknown key `audit.mute.untill` (did you mean `audit.mute.until`?)")
    );
}

/// The mutes the binary lists for a tenant started here.
fn mutes_json(t: &Tenant) -> Vec<Value> {
    let out = t.run(&["audit", "mutes", "-o", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn a_mute_set_by_command_is_kept_shown_and_lifted_by_unmute() {
    let t = Tenant::with_ids_imported();
    let exposed = t
        .server()
        .credentials()
        .into_iter()
        .find(|c| c.display_name.as_deref() == Some("baton-github dev (jdoe laptop)"))
        .unwrap();
    let id = exposed.id.unwrap();
    let until = (today() + Days::new(30)).to_string();
    assert_eq!(
        t.run(&["audit", "--fail-on", "critical"]).status.code(),
        Some(3)
    );

    let muted = t.run(&[
        "audit",
        "mute",
        "CB-1.7",
        "--credential",
        &id,
        "--reason",
        "rotating today (SEC-9)",
        "--until",
        &until,
    ]);
    assert!(muted.status.success(), "{}", text(&muted.stderr));
    let said = text(&muted.stderr);
    assert!(
        said.contains(&format!(
            "muted CB-1.7 for credential {id} through {until} (UTC) as mute #1"
        )),
        "{said}"
    );
    assert!(
        said.contains("in the inventory of tenant 127.0.0.1:"),
        "{said}"
    );

    let audited = t.run(&["audit", "--fail-on", "critical", "-o", "json"]);
    assert_eq!(audited.status.code(), Some(0), "{}", text(&audited.stderr));
    let doc: Value = serde_json::from_slice(&audited.stdout).unwrap();
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "CB-1.7")
        .unwrap();
    assert_eq!(f["mute"]["origin"], "inventory mute #1");
    assert_eq!(f["mute"]["reason"], "rotating today (SEC-9)");
    let listed = mutes_json(&t);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["state"], "active");
    assert_eq!(listed[0]["target"], format!("credential {id}"));
    assert!(listed[0]["set_at"].is_string());

    let lifted = t.run(&["audit", "unmute", "1"]);
    assert!(lifted.status.success());
    assert!(text(&lifted.stderr).contains("lifted mute #1"));
    assert_eq!(
        t.run(&["audit", "--fail-on", "critical"]).status.code(),
        Some(3),
        "counts again"
    );
    let again = t.run(&["audit", "unmute", "1"]);
    assert!(again.status.success());
    assert!(text(&again.stderr).contains("mute #1 was already lifted at"));
    let listed = mutes_json(&t);
    assert_eq!(listed.len(), 1, "kept for the record");
    assert!(
        listed[0]["state"]
            .as_str()
            .unwrap()
            .starts_with("lifted 20")
    );
    let missing = t.run(&["audit", "unmute", "7"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("has no mute #7"));

    // A connector mute covers each of its credentials.
    let connector = exposed.connector_id.unwrap();
    assert!(
        t.run(&[
            "audit",
            "mute",
            "CB-1.7",
            "--connector",
            &connector,
            "--reason",
            "lab",
            "--until",
            &until
        ])
        .status
        .success()
    );
    assert_eq!(
        t.run(&["audit", "--fail-on", "critical"]).status.code(),
        Some(0)
    );
}

#[test]
fn a_bad_mute_is_refused_with_why_and_nothing_is_stored() {
    let t = Tenant::with_ids_imported();
    let (_, _, id) = t.server().tracked()[0].clone();
    let later = (today() + Days::new(3)).to_string();
    let yesterday = (today() - Days::new(1)).to_string();
    let secret = t.secret.clone();
    for (args, said) in [
        (
            vec![
                "--credential",
                "2NotTrackedAnywhere",
                "--reason",
                "r",
                "--until",
                &later,
            ],
            "is not in the inventory of tenant",
        ),
        (
            vec!["--credential", &id, "--reason", "r", "--until", &yesterday],
            "is past",
        ),
        (
            vec!["--credential", &id, "--reason", "   ", "--until", &later],
            "--reason must say why",
        ),
        (
            vec![
                "--credential",
                &id,
                "--connector",
                "k",
                "--reason",
                "r",
                "--until",
                &later,
            ],
            "cannot be used with",
        ),
        (vec!["--reason", "r", "--until", &later], "--credential"),
        (
            vec![
                "--credential",
                &id,
                "--reason",
                "r",
                "--until",
                "31/01/2027",
            ],
            "YYYY-MM-DD",
        ),
        (
            vec!["--credential", &id, "--reason", &secret, "--until", &later],
            "a client secret",
        ),
    ] {
        let mut full = vec!["audit", "mute", "CB-1.2"];
        full.extend(args.iter().copied());
        let out = t.run(&full);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{full:?}: {}",
            text(&out.stderr)
        );
        let stderr = text(&out.stderr);
        assert!(stderr.contains(said), "{said} in: {stderr}");
        assert!(
            !stderr.contains(&secret),
            "the secret is never printed back"
        );
    }
    let unknown = t.run(&[
        "audit",
        "mute",
        "CB-7",
        "--credential",
        &id,
        "--reason",
        "r",
        "--until",
        &later,
    ]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(mutes_json(&t).is_empty(), "nothing was stored");
}

fn fixture(name: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
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

fn count(path: &Path, table: &str) -> i64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn the_fixture_inventories_migrate_and_keep_mutes_apart_per_tenant_for_good() {
    for name in ["inventory-v1.sqlite3", "inventory-v2.sqlite3"] {
        let (_dir, path) = fixture(name);
        let journal_before = count(&path, "journal");
        let acme = Store::open_for_profile(&path, "acme.conductor.one", "default").unwrap();
        let beta = Store::open_for_profile(&path, "beta.conductor.one:8443", "beta").unwrap();
        assert_eq!(
            count(&path, "journal"),
            journal_before,
            "{name}: every journal entry kept"
        );
        let tracked = acme.tracked().unwrap().len();
        assert!(tracked > 0, "{name}");
        let mute = NewMute {
            check_id: "CB-1.2".into(),
            scope: MuteScope::Credential(acme.tracked().unwrap()[0].ids.credential_id.clone()),
            reason: "break-glass".into(),
            until: today() + Days::new(10),
        };
        let id = acme.add_mute(&mute, Utc::now()).unwrap();
        assert_eq!(acme.mutes().unwrap().len(), 1);
        assert_eq!(acme.mutes().unwrap()[0].profile, "default");
        assert!(beta.mutes().unwrap().is_empty(), "{name}: keyed by tenant");
        assert_eq!(beta.lift_mute(id, Utc::now()).unwrap(), Lifting::NotFound);
        assert_eq!(acme.lift_mute(id, Utc::now()).unwrap(), Lifting::Lifted);
        assert!(matches!(
            acme.lift_mute(id, Utc::now()).unwrap(),
            Lifting::AlreadyLifted(_)
        ));
        assert_eq!(acme.tracked().unwrap().len(), tracked);
        // Nothing can delete or rewrite a mute, nor lift one twice.
        let raw = rusqlite::Connection::open(&path).unwrap();
        for sql in [
            "DELETE FROM audit_mutes",
            "UPDATE audit_mutes SET reason = 'changed'",
            "UPDATE audit_mutes SET until = '2099-01-01'",
            "UPDATE audit_mutes SET lifted_at = '2030-01-01T00:00:00Z'",
            "INSERT INTO audit_mutes (tenant, check_id, credential_id, connector_id, reason, until, muted_at, profile) \
             VALUES ('t', 'CB-1.2', 'a', 'b', 'r', '2030-01-01', '2026-01-01T00:00:00Z', 'p')",
            "INSERT INTO audit_mutes (tenant, check_id, reason, until, muted_at, profile) \
             VALUES ('t', 'CB-1.2', 'r', '2030-01-01', '2026-01-01T00:00:00Z', 'p')",
        ] {
            assert!(raw.execute(sql, []).is_err(), "{name}: {sql}");
        }
        assert_eq!(acme.mutes().unwrap()[0].mute, mute);
    }
}

//! `list --filter` and `audit --filter` run as the binary against the demo tenant: the same
//! language as the dashboard's `/`, a bad filter a usage error with a pointer, and one
//! definition of the statuses shared with the dashboard.

use std::collections::HashSet;

use assert_cmd::Command;
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use tempfile::TempDir;

fn credboard(home: &TempDir) -> Command {
    let mut cmd = Command::cargo_bin("credboard").unwrap();
    cmd.env_clear()
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env("XDG_DATA_HOME", home.path().join(".local/share"))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    cmd
}

fn json(home: &TempDir, args: &[&str]) -> Value {
    let out = credboard(home).args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: {e}\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn list(home: &TempDir, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["list", "--demo", "-o", "json"];
    args.extend_from_slice(extra);
    json(home, &args).as_array().unwrap().clone()
}

fn time(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str().map(|s| s.parse().unwrap())
}

#[test]
fn list_filter_finds_the_okta_credentials_unused_for_90_days() {
    let home = TempDir::new().unwrap();
    let rows = list(
        &home,
        &["--filter", "app:okta lastused>90d !status:revoked"],
    );
    assert!(!rows.is_empty());
    let all = list(&home, &[]);
    let expected: Vec<&Value> = all
        .iter()
        .filter(|r| {
            let old = time(&r["lastUsedAt"]).is_none_or(|t| t < Utc::now() - Duration::days(90));
            r["appName"] == "Okta" && old && r["status"] != "revoked" && r["status"] != "gone"
        })
        .collect();
    let got: Vec<&Value> = rows.iter().map(|r| &r["id"]).collect();
    let want: Vec<&Value> = expected.iter().map(|r| &r["id"]).collect();
    assert_eq!(
        got, want,
        "exactly the Okta rows idle 90 days or never used"
    );
    let never_used = rows.iter().filter(|r| r["lastUsedAt"].is_null()).count();
    assert!(never_used > 0, "never used counts as older than 90 days");
}

#[test]
fn list_filter_words_excludes_and_regexes() {
    let home = TempDir::new().unwrap();
    let okta = list(&home, &["--filter", "app:okta"]);
    let not_revoked = list(&home, &["--filter", "app:okta !revoked"]);
    assert!(
        not_revoked.len() < okta.len(),
        "the demo has revoked Okta credentials"
    );
    assert!(not_revoked.iter().all(|r| r["status"] != "revoked"));
    let regex = list(&home, &["--filter", "name:/^okta-connector/"]);
    assert!(!regex.is_empty());
    assert!(regex.iter().all(|r| {
        r["displayName"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .starts_with("okta-connector")
    }));
}

#[test]
fn a_bad_filter_is_a_usage_error_that_points_at_the_mistake() {
    let home = TempDir::new().unwrap();
    let out = credboard(&home)
        .args(["list", "--demo", "--filter", "app:okta conector:baton"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown field `conector`, did you mean `connector`?"),
        "{err}"
    );
    assert!(
        err.contains("  app:okta conector:baton\n           ^^^^^^^^"),
        "{err}"
    );
    let out = credboard(&home)
        .args(["audit", "--demo", "--filter", "status:expird"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did you mean `expired`?"), "{err}");
}

#[test]
fn audit_filter_keeps_the_findings_of_the_credentials_it_matches() {
    let home = TempDir::new().unwrap();
    let findings = |filter: Option<&str>| -> Vec<Value> {
        let mut args = vec!["audit", "--demo", "-o", "json", "--fail-on", "critical"];
        if let Some(f) = filter {
            args.extend(["--filter", f]);
        }
        json(&home, &args)["findings"].as_array().unwrap().clone()
    };
    let all = findings(None);
    let okta = findings(Some("app:okta"));
    assert!(!okta.is_empty() && okta.len() < all.len());
    assert!(okta.iter().all(|f| f["app_name"] == "Okta"));
    // finding:CB-1.2: every finding of the credentials with an unused finding.
    let unused: HashSet<&Value> = all
        .iter()
        .filter(|f| f["check"] == "CB-1.2")
        .map(|f| &f["credential_id"])
        .collect();
    let by_check = findings(Some("finding:CB-1.2"));
    assert!(!by_check.is_empty());
    assert!(
        by_check
            .iter()
            .all(|f| unused.contains(&f["credential_id"]))
    );
    let expected = all
        .iter()
        .filter(|f| unused.contains(&f["credential_id"]))
        .count();
    assert_eq!(by_check.len(), expected);
}

#[test]
fn list_and_its_filter_count_the_statuses_as_the_dashboard_does() {
    let home = TempDir::new().unwrap();
    let by_flag = list(&home, &["--status", "never-used"]);
    let by_filter = list(&home, &["--filter", "status:never-used"]);
    assert_eq!(by_flag.len(), by_filter.len());
    assert!(
        by_flag
            .iter()
            .all(|r| r["status"] != "revoked" && r["status"] != "gone"),
        "a revoked credential is only revoked"
    );
    // The dashboard's header counts from the same rule.
    let all = list(&home, &[]);
    let mut counts = credboard::audit::Counts::default();
    for r in &all {
        let words: Vec<&str> = r["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_str().unwrap())
            .collect();
        let mut f = credboard::audit::Flags::empty();
        for (w, flag) in [
            ("revoked", credboard::audit::Flags::REVOKED),
            ("gone", credboard::audit::Flags::GONE),
            ("expired", credboard::audit::Flags::EXPIRED),
            ("expiring", credboard::audit::Flags::EXPIRING),
            ("never used", credboard::audit::Flags::NEVER_USED),
            ("idle", credboard::audit::Flags::IDLE),
            ("not fetched", credboard::audit::Flags::UNKNOWN),
        ] {
            f.set(flag, words.contains(&w));
        }
        counts.add(f);
    }
    assert_eq!(counts.never_used, by_flag.len());
}

#[test]
fn the_table_words_every_status_as_the_dashboard() {
    let home = TempDir::new().unwrap();
    let out = credboard(&home)
        .args(["list", "--demo", "--filter", "status:active lastused<1d"])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<&str> = table.lines().skip(1).collect();
    assert!(!rows.is_empty(), "{table}");
    let status_at = table.lines().next().unwrap().find("STATUS").unwrap();
    for r in rows {
        let cell: String = r.chars().skip(status_at).take(8).collect();
        assert!(
            ["active  ", "expiring", "expired "]
                .iter()
                .any(|w| cell == *w),
            "not blank, the dashboard's word: {cell:?} in {r}"
        );
    }
}

//! `credboard audit` as the real binary: its exit codes, each output format, the Findings
//! API on a tenant that has it and one that does not, a refresh that fails, and `--offline`.
//! Against `--demo`, or a demo tenant started here and reached as a real one is (cone's
//! environment variables, an inventory in a data directory that outlives each run).

use std::collections::BTreeSet;

use credboard::demo::{FaultKind, FaultRule, Faults, RouteFilter, RouteKind};
use serde_json::Value;
use tempfile::TempDir;

#[path = "support/tenant.rs"]
mod tenant;
use tenant::{Tenant, credboard, text};

fn demo(args: &[&str]) -> std::process::Output {
    let home = TempDir::new().unwrap();
    credboard(home.path())
        .arg("--demo")
        .args(args)
        .output()
        .unwrap()
}

/// A character that could drive or fool a terminal (newline aside).
fn unsafe_chars(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| c != '\n' && (c.is_control() || credboard::text::is_unsafe(c)))
        .collect()
}

const EXPOSED: &str = "baton-github dev (jdoe laptop)";
const HOSTILE: &str = "<img src=x onerror=alert(1)>";

#[test]
fn the_demo_tenant_breaks_the_default_policy_exit_3() {
    let out = demo(&["audit"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let exposed = stdout.lines().find(|l| l.contains("CB-1.7")).unwrap();
    assert!(
        exposed.starts_with("critical  CB-1.7  baton-github dev (jdoe laptop)"),
        "{exposed}"
    );
    assert!(
        stdout
            .lines()
            .next()
            .unwrap()
            .starts_with("SEVERITY  CHECK")
    );
    let last = stdout.lines().last().unwrap();
    assert!(last.contains("findings: 1 critical"), "{last}");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("unmuted findings at medium or above (--fail-on medium)"),
        "{stderr}"
    );
    for stream in [&stdout, &stderr] {
        assert!(
            unsafe_chars(stream).is_empty(),
            "a hostile name reached the terminal"
        );
    }
}

#[test]
fn exit_0_when_nothing_reaches_fail_on_and_3_when_something_does() {
    // The demo's only CB-3.1 findings are info.
    let low = demo(&["audit", "--check", "CB-3.1", "--fail-on", "low"]);
    assert_eq!(low.status.code(), Some(0), "{}", text(&low.stderr));
    assert!(text(&low.stdout).contains("0 fail --fail-on low"));
    let info = demo(&["audit", "--check", "cb-3.1", "--fail-on", "info"]);
    assert_eq!(info.status.code(), Some(3));
    // The one critical finding decides alone.
    let critical = demo(&["audit", "--fail-on", "critical"]);
    assert_eq!(critical.status.code(), Some(3));
    assert!(text(&critical.stderr).contains("1 unmuted finding at critical or above"));
    let only_expiry = demo(&["audit", "--check", "CB-1.6", "--fail-on", "critical"]);
    assert_eq!(
        only_expiry.status.code(),
        Some(0),
        "{}",
        text(&only_expiry.stderr)
    );
}

#[test]
fn usage_errors_exit_2_and_name_what_is_wrong() {
    let unknown = demo(&["audit", "--check", "CB-1.2,CB-1.9"]);
    assert_eq!(unknown.status.code(), Some(2));
    let stderr = text(&unknown.stderr);
    assert!(
        stderr.contains("there is no check \"CB-1.9\"; did you mean CB-1."),
        "{stderr}"
    );
    assert!(stderr.contains("CB-3.1"), "the checks are listed: {stderr}");
    assert_eq!(
        demo(&["audit", "--fail-on", "urgent"]).status.code(),
        Some(2)
    );
    assert_eq!(demo(&["audit", "-o", "xml"]).status.code(), Some(2));
    assert_eq!(
        demo(&["report", "--since", "ninety"]).status.code(),
        Some(2)
    );
}

#[test]
fn json_has_a_schema_version_and_every_string_exactly() {
    let out = demo(&["audit", "-o", "json"]);
    assert_eq!(out.status.code(), Some(3));
    let stdout = text(&out.stdout);
    assert!(unsafe_chars(&stdout).is_empty(), "escaped, not raw");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["fail_on"], "medium");
    assert_eq!(doc["inventory"]["state"], "refreshed");
    assert_eq!(doc["policy"]["rotation_days"], 90);
    assert_eq!(doc["not_available"], serde_json::json!([]));
    let findings = doc["findings"].as_array().unwrap();
    let failing = findings
        .iter()
        .filter(|f| {
            f["muted"] == false
                && ["medium", "high", "critical"].contains(&f["severity"].as_str().unwrap())
        })
        .count();
    assert_eq!(doc["failing"], failing);
    let exposed = findings.iter().find(|f| f["check"] == "CB-1.7").unwrap();
    assert_eq!(exposed["severity"], "critical");
    assert_eq!(exposed["credential_name"], EXPOSED);
    assert!(exposed["client_id"].as_str().unwrap().contains('@'));
    // A hostile name comes back exactly, escape sequence and markup included.
    let hostile = findings
        .iter()
        .filter_map(|f| f["credential_name"].as_str())
        .find(|n| n.contains(HOSTILE))
        .unwrap();
    assert!(hostile.contains('\u{1b}'), "{hostile:?}");
    assert_eq!(doc["checks"].as_array().unwrap().len(), 9);
}

#[test]
fn csv_is_inert_and_md_escapes_markup() {
    let csv_out = demo(&["audit", "-o", "csv"]);
    let stdout = text(&csv_out.stdout);
    assert!(unsafe_chars(&stdout).is_empty());
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(header[..3], ["check", "severity", "muted"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert!(rows.len() > 100);
    let name_col = header.iter().position(|h| h == "credential_name").unwrap();
    assert!(
        rows.iter()
            .any(|r| r[name_col].contains(HOSTILE) && r[name_col].contains('\u{fffd}'))
    );

    let md = text(&demo(&["audit", "-o", "md"]).stdout);
    assert!(
        md.starts_with("# credboard audit: 127.0.0.1:"),
        "{}",
        &md[..80]
    );
    assert!(md.contains("| Severity | Check | Credential | App | Connector | Reason | Muted |"));
    assert!(!md.contains("<img"), "markup escaped");
    assert!(md.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(unsafe_chars(&md).is_empty());
    // Every findings row has the table's seven cells (a `|` in a name is escaped).
    for row in md
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Severity"))
    {
        let cells = row.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 8, "{row}");
    }
}

/// The attributes OCSF 1.3.0 defines for a Detection Finding (class 2004: base_event,
/// classification, occurrence, finding and detection_finding, without profiles), and for
/// the objects credboard fills (from ocsf-schema at tag 1.3.0).
const OCSF_EVENT: &[&str] = &[
    "activity_id",
    "activity_name",
    "category_name",
    "category_uid",
    "class_name",
    "class_uid",
    "comment",
    "confidence",
    "confidence_id",
    "confidence_score",
    "count",
    "device",
    "duration",
    "end_time",
    "enrichments",
    "evidences",
    "finding_info",
    "impact",
    "impact_id",
    "impact_score",
    "message",
    "metadata",
    "observables",
    "raw_data",
    "remediation",
    "resources",
    "risk_details",
    "risk_level",
    "risk_level_id",
    "risk_score",
    "severity",
    "severity_id",
    "start_time",
    "status",
    "status_code",
    "status_detail",
    "status_id",
    "time",
    "timezone_offset",
    "type_name",
    "type_uid",
    "unmapped",
    "vulnerabilities",
];
const OCSF_FINDING_INFO: &[&str] = &[
    "analytic",
    "attacks",
    "created_time",
    "data_sources",
    "desc",
    "first_seen_time",
    "kill_chain",
    "last_seen_time",
    "modified_time",
    "product_uid",
    "related_analytics",
    "related_events",
    "src_url",
    "title",
    "types",
    "uid",
];
const OCSF_METADATA: &[&str] = &[
    "correlation_uid",
    "event_code",
    "extension",
    "extensions",
    "labels",
    "log_level",
    "log_name",
    "log_provider",
    "log_version",
    "logged_time",
    "loggers",
    "modified_time",
    "original_time",
    "processed_time",
    "product",
    "profiles",
    "sequence",
    "tenant_uid",
    "uid",
    "version",
];
const OCSF_PRODUCT: &[&str] = &[
    "cpe_name",
    "feature",
    "lang",
    "name",
    "path",
    "uid",
    "url_string",
    "vendor_name",
    "version",
];
const OCSF_RESOURCE: &[&str] = &[
    "agent_list",
    "cloud_partition",
    "criticality",
    "data",
    "group",
    "labels",
    "name",
    "namespace",
    "owner",
    "region",
    "type",
    "uid",
    "version",
];
const OCSF_ANALYTIC: &[&str] = &[
    "category",
    "desc",
    "name",
    "related_analytics",
    "type",
    "type_id",
    "uid",
    "version",
];

fn only_names(v: &Value, allowed: &[&str], what: &str) {
    for k in v
        .as_object()
        .unwrap_or_else(|| panic!("{what} is an object"))
        .keys()
    {
        assert!(
            allowed.contains(&k.as_str()),
            "{what} has {k}, which OCSF 1.3 does not define"
        );
    }
}

#[test]
fn ocsf_lines_are_detection_findings_with_the_required_fields() {
    let out = demo(&["audit", "-o", "ocsf"]);
    let stdout = text(&out.stdout);
    let mut uids = BTreeSet::new();
    let mut lines = 0;
    for line in stdout.lines() {
        lines += 1;
        let e: Value = serde_json::from_str(line).unwrap();
        only_names(&e, OCSF_EVENT, "the event");
        only_names(&e["finding_info"], OCSF_FINDING_INFO, "finding_info");
        only_names(&e["finding_info"]["analytic"], OCSF_ANALYTIC, "analytic");
        only_names(&e["metadata"], OCSF_METADATA, "metadata");
        only_names(&e["metadata"]["product"], OCSF_PRODUCT, "product");
        for r in e["resources"].as_array().unwrap() {
            only_names(r, OCSF_RESOURCE, "a resource");
            assert!(r["uid"].is_string());
        }
        assert_eq!(e["class_uid"], 2004);
        assert_eq!(e["category_uid"], 2);
        assert_eq!(e["activity_id"], 1);
        assert_eq!(e["type_uid"], 200401);
        assert!(
            e["time"].as_i64().unwrap() > 1_600_000_000_000,
            "epoch milliseconds"
        );
        assert!((1..=5).contains(&e["severity_id"].as_i64().unwrap()));
        assert_eq!(e["status_id"], 1, "nothing is muted here");
        assert_eq!(e["metadata"]["version"], "1.3.0");
        assert_eq!(e["metadata"]["product"]["vendor_name"], "credboard");
        assert!(e["finding_info"]["title"].is_string());
        assert!(
            uids.insert(e["finding_info"]["uid"].as_str().unwrap().to_string()),
            "uids are unique"
        );
        assert!(!line.contains("null"), "OCSF leaves out what has no value");
    }
    assert!(lines > 100);
    let critical: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["severity_id"] == 5)
        .collect();
    assert_eq!(critical.len(), 1);
    assert_eq!(critical[0]["resources"][0]["name"], EXPOSED);
    assert_eq!(critical[0]["finding_info"]["types"][0], "CB-1.7");
}

/// What a tenant started here is made to answer.
trait Faulty {
    fn fault_findings(&self, kind: FaultKind);
}

impl Faulty for Tenant {
    fn fault_findings(&self, kind: FaultKind) {
        self.server().set_faults(
            Faults::none()
                .with(FaultRule::new(kind).routes(RouteFilter::Only(RouteKind::SearchFindings))),
        );
    }
}

#[test]
fn a_tenant_without_the_findings_api_gets_cb_1_7_not_available_not_a_failure() {
    let t = Tenant::with_ids_imported();
    for (status, said) in [(403, "403: permission denied"), (404, "404: Not Found")] {
        t.fault_findings(FaultKind::Status(status));
        let out = t.run(&["audit"]);
        assert_eq!(
            out.status.code(),
            Some(3),
            "still the policy's answer: {}",
            text(&out.stderr)
        );
        let stdout = text(&out.stdout);
        let line = stdout
            .lines()
            .find(|l| l.starts_with("CB-1.7 not available"))
            .unwrap();
        assert!(line.contains(said), "{line}");
        assert!(line.contains("early access"), "{line}");
        assert!(!stdout.contains("critical  CB-1.7"), "no exposure claimed");
        let json: Value = serde_json::from_slice(&t.run(&["audit", "-o", "json"]).stdout).unwrap();
        assert_eq!(json["not_available"][0]["check"], "CB-1.7");
        // Not asked for, not asked: no call reaches the route, nothing is said.
        t.server().reset_stats();
        let other = t.run(&["audit", "--check", "CB-1.1"]);
        assert_eq!(t.server().stats().route(RouteKind::SearchFindings), 0);
        assert!(!text(&other.stdout).contains("not available"));
    }
}

#[test]
fn a_findings_api_that_fails_is_an_operational_failure_exit_1() {
    let t = Tenant::with_ids_imported();
    t.fault_findings(FaultKind::Status(500));
    let out = t.run(&["audit", "--fail-on", "critical"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("warning: CB-1.7 could not be checked: search the findings"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the audit could not see everything"),
        "{stderr}"
    );
    assert!(
        text(&out.stdout).contains("CB-1.7 not available (the Findings API could not be asked")
    );
    t.fault_findings(FaultKind::MalformedBody);
    assert_eq!(t.run(&["audit"]).status.code(), Some(1));
}

#[test]
fn a_refresh_that_fails_exits_1_and_still_shows_what_is_known() {
    let t = Tenant::with_ids_imported();
    assert_eq!(
        t.run(&["audit"]).status.code(),
        Some(3),
        "a first refresh fills the inventory"
    );
    // A status that is not retried, so the test does not wait out the retries.
    t.server().set_faults(Faults::none().with(
        FaultRule::new(FaultKind::Status(400)).routes(RouteFilter::Only(RouteKind::GetCredential)),
    ));
    let out = t.run(&["audit", "-o", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("credentials could not be fetched"),
        "{stderr}"
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["inventory"]["state"], "partly refreshed");
    assert!(
        doc["findings"].as_array().unwrap().len() > 100,
        "the last known state is audited"
    );
}

#[test]
fn offline_uses_the_stored_inventory_says_how_old_and_reaches_nothing() {
    let t = Tenant::with_ids_imported();
    let never = t.run(&["audit", "--offline", "--check", "CB-3.1"]);
    assert!(text(&never.stderr).contains("offline: the inventory as stored, never fetched"));
    assert_eq!(t.run(&["audit"]).status.code(), Some(3));
    t.server().reset_stats();
    let out = t.run(&["audit", "--offline", "-o", "json"]);
    assert_eq!(t.server().stats().total, 0, "nothing reached the tenant");
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains(
            "offline: the inventory as stored, last fetched just now (the oldest row just now)"
        ),
        "{}",
        text(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["inventory"]["state"], "offline");
    assert_eq!(
        doc["not_available"][0]["reason"],
        "--offline does not ask the Findings API"
    );
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["check"] == "CB-1.1")
    );
}

//! `credboard audit -o ocsf`: one OCSF 1.3 Detection Finding (class 2004) per finding, as
//! JSON lines, to land in the same SIEM as ConductorOne's own OCSF system log. Field names
//! and enumerations are the OCSF 1.3.0 schema's (events/findings/detection_finding.json and
//! the objects it uses); the required ones are always set: activity_id, category_uid,
//! class_uid, type_uid, time, severity_id, metadata (product.vendor_name, version) and
//! finding_info (title, uid). A muted finding is status 3 "Suppressed", its reason the
//! comment; the others are status 1 "New".

use serde_json::{Value, json};

use super::Provenance;
use crate::audit::catalog::Severity;
use crate::audit::findings::{Audit, Finding, Subject};

pub const OCSF_VERSION: &str = "1.3.0";
const CLASS_UID: u32 = 2004;
const CATEGORY_UID: u32 = 2;
/// Create: each run reports the findings it finds.
const ACTIVITY_ID: u32 = 1;

/// `severity_id` and its caption.
fn severity(s: Severity) -> (u32, &'static str) {
    match s {
        Severity::Info => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

/// Every finding, one JSON object per line.
pub fn lines(p: &Provenance, audit: &Audit) -> String {
    audit
        .findings
        .iter()
        .map(|f| format!("{}\n", event(p, f)))
        .collect()
}

/// The same finding gets the same uid on every run, so a SIEM can tell a new one from one
/// seen before.
pub fn uid(tenant: &str, f: &Finding) -> String {
    let target = match &f.subject {
        Subject::Credential(k) => format!("credential/{}", k.credential_id),
        Subject::Connector { connector_id, .. } => format!("connector/{connector_id}"),
    };
    format!("credboard:{tenant}:{}:{target}", f.check.id())
}

pub fn event(p: &Provenance, f: &Finding) -> Value {
    let (severity_id, severity_name) = severity(f.severity);
    let (status_id, status) = match f.mute {
        Some(_) => (3, "Suppressed"),
        None => (1, "New"),
    };
    let resource = match &f.subject {
        Subject::Credential(k) => json!({
            "uid": k.credential_id,
            "name": f.labels.credential_name,
            "type": "ConductorOne connector credential",
            "data": {
                "app_id": k.app_id,
                "app_name": f.labels.app_name,
                "connector_id": k.connector_id,
                "connector_name": f.labels.connector_name,
                "client_id": f.labels.client_id,
            },
        }),
        Subject::Connector {
            app_id,
            connector_id,
        } => json!({
            "uid": connector_id,
            "name": f.labels.connector_name,
            "type": "ConductorOne connector",
            "data": { "app_id": app_id, "app_name": f.labels.app_name },
        }),
    };
    let mut event = json!({
        "activity_id": ACTIVITY_ID,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_ID,
        "type_name": "Detection Finding: Create",
        "time": p.generated_at.timestamp_millis(),
        "severity_id": severity_id,
        "severity": severity_name,
        "status_id": status_id,
        "status": status,
        "message": format!("{} {}: {}", f.check.id(), f.name(), f.reason),
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "name": "credboard",
                "vendor_name": "credboard",
                "version": Provenance::version(),
            },
            "tenant_uid": p.tenant,
        },
        "finding_info": {
            "uid": uid(&p.tenant, f),
            "title": f.check.title(),
            "desc": f.reason,
            "types": [f.check.id()],
            "analytic": {
                "uid": f.check.id(),
                "name": f.check.title(),
                "type_id": 1,
                "type": "Rule",
            },
        },
        "resources": [resource],
        "remediation": { "desc": f.check.remedy() },
    });
    if let Some(m) = &f.mute {
        event["comment"] = json!(format!(
            "muted through {} ({}): {}",
            m.until.format("%Y-%m-%d"),
            m.origin_text(),
            m.reason
        ));
    }
    without_nulls(event)
}

/// OCSF leaves an attribute out when it has no value, rather than null.
fn without_nulls(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

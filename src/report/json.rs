//! `credboard audit -o json`: one document with a `schema_version`, for scripts. Every
//! string is kept exactly (JSON escapes it); the caller makes the text inert for a terminal
//! as every JSON output is.

use serde_json::{Value, json};

use super::{Provenance, rfc3339};
use crate::audit::catalog::{CheckId, Severity};
use crate::audit::findings::{Audit, Finding};
use crate::audit::policy::Policy;

/// The version of this document's shape. Raised when a field changes meaning or goes away;
/// new fields may be added without raising it.
pub const SCHEMA_VERSION: u32 = 1;

pub fn findings(p: &Provenance, audit: &Audit, fail_on: Severity) -> Value {
    let checks: Vec<Value> = CheckId::ALL
        .into_iter()
        .map(|c| {
            json!({
                "id": c.id(),
                "title": c.title(),
                "severity": c.severity(),
                "threshold": p.policy.threshold_of(c),
                "setting": Policy::setting_of(c).map(|s| format!("audit.{s}")),
                "ran": audit.ran.contains(&c),
            })
        })
        .collect();
    let unavailable: Vec<Value> = audit
        .unavailable
        .iter()
        .map(|u| json!({ "check": u.check.id(), "reason": u.why }))
        .collect();
    json!({
        "schema_version": SCHEMA_VERSION,
        "generated_at": rfc3339(p.generated_at),
        "credboard_version": Provenance::version(),
        "tenant": p.tenant,
        "profile": p.profile,
        "inventory": {
            "state": p.freshness.word(),
            "detail": p.freshness.sentence(p.generated_at),
        },
        "policy": p.policy,
        "fail_on": fail_on,
        "failing": audit.failing(fail_on),
        "counts": audit.counts(),
        "checks": checks,
        "not_available": unavailable,
        "findings": audit.findings.iter().map(finding).collect::<Vec<_>>(),
    })
}

pub fn finding(f: &Finding) -> Value {
    json!({
        "check": f.check.id(),
        "title": f.check.title(),
        "severity": f.severity,
        "reason": f.reason,
        "subject": f.subject.kind(),
        "app_id": f.subject.app_id(),
        "connector_id": f.subject.connector_id(),
        "credential_id": f.subject.credential_id(),
        "credential_name": f.labels.credential_name,
        "client_id": f.labels.client_id,
        "connector_name": f.labels.connector_name,
        "app_name": f.labels.app_name,
        "muted": f.mute.is_some(),
        "mute": f.mute.as_ref().map(|m| json!({
            "reason": m.reason,
            "until": m.until.format("%Y-%m-%d").to_string(),
            "origin": m.origin_text(),
        })),
        "remedy": f.check.remedy(),
    })
}

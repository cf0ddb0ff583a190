//! The JSON the demo tenant sends, shaped like the real API's (protojson with unpopulated
//! fields emitted): camelCase names, RFC 3339 times with `Z`, int64 as strings, unset strings
//! as `""`, unset times and messages as `null`, unset lists as `[]`, plus some of the many
//! fields credboard does not read, so a client that chokes on unknown fields is caught.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::state::Exposure;
use crate::api::model::{App, Connector, ConnectorCredential};

/// RFC 3339 with 0, 3, 6 or 9 fractional digits and `Z`, as protojson writes a Timestamp.
pub fn time(t: Option<DateTime<Utc>>) -> Value {
    match t {
        Some(t) => Value::String(t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        None => Value::Null,
    }
}

fn text(s: &Option<String>) -> Value {
    Value::String(s.clone().unwrap_or_default())
}

pub fn app(a: &App) -> Value {
    json!({
        "id": text(&a.id),
        "displayName": text(&a.display_name),
        "description": text(&a.description),
        "isDirectory": a.is_directory,
        "userCount": a.user_count.unwrap_or(0).to_string(),
        "createdAt": time(a.created_at),
        "updatedAt": time(a.updated_at),
        "deletedAt": time(a.deleted_at),
        "appAccountId": "",
        "appAccountName": "",
        "appOwners": [],
        "certifyPolicyId": "",
        "defaultRequestCatalogId": "",
        "fieldMask": null,
        "grantPolicyId": "",
        "iconUrl": "",
        "identityMatching": "APP_USER_IDENTITY_MATCHING_UNSPECIFIED",
        "instructions": "",
        "isManuallyManaged": false,
        "logoUri": "",
        "monthlyCostUsd": 0,
        "parentAppId": "",
        "revokePolicyId": "",
        "strictAccessEntitlementProvisioning": false,
    })
}

pub fn connector(c: &Connector) -> Value {
    let status = match &c.status {
        Some(s) => json!({
            "status": s.status.clone().unwrap_or_else(|| "SYNC_STATUS_UNSPECIFIED".into()),
            "lastError": text(&s.last_error),
            "completedAt": time(s.completed_at),
            "startedAt": time(s.completed_at.map(|t| t - chrono::Duration::minutes(7))),
            "updatedAt": time(s.completed_at),
        }),
        None => Value::Null,
    };
    json!({
        "id": text(&c.id),
        "appId": text(&c.app_id),
        "displayName": text(&c.display_name),
        "description": text(&c.description),
        "status": status,
        "createdAt": time(c.created_at),
        "updatedAt": time(c.updated_at),
        "deletedAt": time(c.deleted_at),
        "syncDisabledAt": time(c.sync_disabled_at),
        "syncDisabledReason": text(&c.sync_disabled_reason),
        "syncDisabledCategory": "",
        "userIds": c.user_ids,
        "canResumeSync": false,
        "catalogId": "",
        "config": null,
        "configUpdatedAt": null,
        "connectorApiVersion": 0,
        "connectorSyncCronSchedule": null,
        "disableCheckBadSync": false,
        "downloadUrl": "",
        "oauthAuthorizedAs": null,
        "parallelSyncWorkerCount": null,
        "profileAllowList": [],
        "profileIgnoreList": [],
        "syncConfig": null,
    })
}

/// The list item that wraps a connector in the list-connectors reply. The real server fills
/// the JSON paths only when an expand mask asks for them.
pub fn connector_view(c: &Connector) -> Value {
    json!({
        "connector": connector(c),
        "appPath": "",
        "capabilitiesPath": "",
        "usersPath": "",
    })
}

/// A credential; `secret` is the new client secret, only in the reply that minted it.
pub fn credential(c: &ConnectorCredential, secret: Option<&str>) -> Value {
    json!({
        "id": text(&c.id),
        "appId": text(&c.app_id),
        "connectorId": text(&c.connector_id),
        "clientId": text(&c.client_id),
        "clientSecret": secret.unwrap_or(""),
        "displayName": text(&c.display_name),
        "createdAt": time(c.created_at),
        "updatedAt": time(c.updated_at),
        "deletedAt": time(c.deleted_at),
        "expiresTime": time(c.expires_time),
        "lastUsedAt": time(c.last_used_at),
    })
}

/// A `credentialPubliclyExposed` finding of the Findings API (`c1.api.finding.v1.Finding`):
/// open while the credential is live, resolved once it is revoked. Of each oneof (finding
/// type, target, evidence) only the member set is sent, as protojson does.
pub fn exposure_finding(e: &Exposure, c: &ConnectorCredential) -> Value {
    let revoked = c.deleted_at.is_some();
    let seen = time(Some(e.first_observed));
    json!({
        "id": e.finding_id,
        "appId": text(&c.app_id),
        "annotations": {},
        "assignedOwner": null,
        "computedOwner": null,
        "connectorTarget": { "appId": text(&c.app_id), "connectorId": text(&c.connector_id) },
        "createdAt": seen,
        "credentialPubliclyExposed": {
            "connectorClientId": text(&c.client_id),
            "credentialDisplayName": text(&c.display_name),
        },
        "credentialPubliclyExposedEvidence": {
            "credentialRevoked": revoked,
            "fingerprintPrefix": "",
            "firstObservedAt": seen,
            "firstScannerId": "github-secret-scanning",
            "reportingScanners": ["github-secret-scanning"],
            "revokedAt": time(c.deleted_at),
            "sourceKind": "gist",
            "sourceUrl": e.source_url,
        },
        "customSubType": "",
        "customTags": {},
        "dedupKeyParts": [],
        "description": "",
        "fingerprint": "",
        "firstObservedAt": seen,
        "lastAppearedAt": seen,
        "lastObservedAt": seen,
        "recurrenceCount": 1,
        "remediationDescription": "Revoke the credential and rotate the connector onto a new one.",
        "resolvedAt": time(c.deleted_at),
        "riskAcceptanceExpiresAt": null,
        "riskAcceptanceJustification": "",
        "riskScore": null,
        "severity": "FINDING_SEVERITY_CRITICAL",
        "snoozeReason": "",
        "snoozeUntil": null,
        "sourceDetectorId": "credential-exposure",
        "sourceKind": "FINDING_SOURCE_KIND_DETECTOR",
        "state": if revoked { "FINDING_STATE_RESOLVED" } else { "FINDING_STATE_OPEN" },
        "stateUpdatedById": "",
        "suppressReason": "",
        "taskId": "",
        "updatedAt": time(Some(c.deleted_at.unwrap_or(e.first_observed))),
    })
}

/// `{"list":[...],"nextPageToken":".."}` (connectors also carry an empty `expanded`).
pub fn page(list: Vec<Value>, next: &str, expanded: bool) -> Value {
    let mut v = json!({ "list": list, "nextPageToken": next });
    if expanded {
        v["expanded"] = json!([]);
    }
    v
}

/// A gRPC-status error body, as grpc-gateway writes it.
pub fn status(code: i32, message: &str) -> Value {
    json!({ "code": code, "message": message, "details": [] })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_fields_are_emitted_like_protojson() {
        let v = credential(&ConnectorCredential::default(), None);
        assert_eq!(v["id"], "");
        assert_eq!(v["clientSecret"], "");
        assert_eq!(v["deletedAt"], Value::Null);
        let a = app(&App {
            user_count: Some(42),
            ..App::default()
        });
        assert_eq!(a["userCount"], "42");
        assert_eq!(a["isDirectory"], false);
        let c = connector(&Connector::default());
        assert_eq!(c["userIds"], json!([]));
    }

    #[test]
    fn times_are_rfc3339_utc_with_z() {
        let t = DateTime::parse_from_rfc3339("2026-01-02T03:04:05.120+00:00")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(time(Some(t)), "2026-01-02T03:04:05.120Z");
    }
}

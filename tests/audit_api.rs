//! The Findings API client against the demo tenant on 127.0.0.1: the one exposed credential
//! it serves (in the spec's shape), paging and its bounds, and the answers of a tenant
//! without the feature (403, 404) told apart from failures (500, garbage).

use std::collections::BTreeSet;
use std::time::Duration;

use credboard::api::findings::not_offered;
use credboard::api::retry::RetryPolicy;
use credboard::api::{Client, ClientOptions};
use credboard::demo::{
    DemoOptions, DemoServer, FaultKind, FaultRule, Faults, RouteFilter, RouteKind,
};
use serde_json::{Value, json};

fn client_for(server: &DemoServer) -> Client {
    Client::new(ClientOptions {
        client_id: Some(server.client_id()),
        client_secret: Some(server.client_secret()),
        retry: RetryPolicy {
            max_tries: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            budget: Duration::from_secs(5),
        },
        ..Default::default()
    })
    .unwrap()
}

fn on_findings(kind: FaultKind) -> Faults {
    Faults::none().with(FaultRule::new(kind).routes(RouteFilter::Only(RouteKind::SearchFindings)))
}

const EXPOSED_NAME: &str = "baton-github dev (jdoe laptop)";

#[tokio::test]
async fn the_demo_tenant_reports_one_exposed_credential_by_its_client_id() {
    let server = DemoServer::start(DemoOptions::default()).await.unwrap();
    let client = client_for(&server);
    let leaked = server
        .credentials()
        .into_iter()
        .find(|c| c.display_name.as_deref() == Some(EXPOSED_NAME))
        .unwrap();
    let found = client.exposed_credential_findings().await.unwrap();
    assert_eq!(found.len(), 1);
    let f = &found[0];
    assert_eq!(
        f.credential_publicly_exposed
            .as_ref()
            .unwrap()
            .connector_client_id,
        leaked.client_id
    );
    assert_eq!(f.state.as_deref(), Some("FINDING_STATE_OPEN"));
    let evidence = f.credential_publicly_exposed_evidence.as_ref().unwrap();
    assert!(
        evidence
            .source_url
            .as_deref()
            .unwrap()
            .starts_with("https://")
    );
    assert!(!evidence.credential_revoked);

    // Revoked in the web UI: ConductorOne resolves the finding.
    assert!(server.revoke(leaked.id.as_deref().unwrap()));
    let after = client.exposed_credential_findings().await.unwrap();
    assert_eq!(after[0].state.as_deref(), Some("FINDING_STATE_RESOLVED"));
    assert!(
        after[0]
            .credential_publicly_exposed_evidence
            .as_ref()
            .unwrap()
            .credential_revoked
    );
    server.shutdown().await;
}

/// The names the spec (`c1.api.finding.v1.Finding` and the objects it holds, in
/// ConductorOne's openapi.yaml) gives their properties.
const FINDING: &[&str] = &[
    "annotations",
    "appId",
    "appResourceTarget",
    "appUserTarget",
    "assignedOwner",
    "computedOwner",
    "connectorAnomalyDetectionDisabled",
    "connectorTarget",
    "createdAt",
    "credentialExpiring",
    "credentialExpiringEvidence",
    "credentialPubliclyExposed",
    "credentialPubliclyExposedEvidence",
    "custom",
    "customSubType",
    "customTags",
    "deactivatedOwner",
    "deactivatedOwnerEvidence",
    "decoyCredentialUsed",
    "decoyPubliclyExposed",
    "decoyPubliclyExposedEvidence",
    "decoyTarget",
    "dedupKeyParts",
    "description",
    "fingerprint",
    "firstObservedAt",
    "id",
    "identityUserTarget",
    "lastAppearedAt",
    "lastObservedAt",
    "nhiUnowned",
    "recurrenceCount",
    "remediationDescription",
    "resolvedAt",
    "riskAcceptanceExpiresAt",
    "riskAcceptanceJustification",
    "riskScore",
    "serviceAccountMisclassification",
    "serviceAccountMisclassificationEvidence",
    "serviceAccountUnowned",
    "severity",
    "similarUsernameMatch",
    "similarUsernameMatchEvidence",
    "snoozeReason",
    "snoozeUntil",
    "sourceDetectorId",
    "sourceKind",
    "state",
    "stateUpdatedById",
    "suppressReason",
    "taskId",
    "tenantTarget",
    "unusedSecret",
    "unusedSecretEvidence",
    "updatedAt",
];
const EXPOSED_TYPE: &[&str] = &[
    "connectorClientId",
    "connectorManagedCredentialId",
    "credentialDisplayName",
    "functionClientId",
    "userClientId",
];
const EXPOSED_EVIDENCE: &[&str] = &[
    "credentialRevoked",
    "fingerprintPrefix",
    "firstObservedAt",
    "firstScannerId",
    "reportingScanners",
    "revokedAt",
    "sourceKind",
    "sourceUrl",
];
const CONNECTOR_TARGET: &[&str] = &["appId", "connectorId"];
const SEVERITIES: &[&str] = &[
    "FINDING_SEVERITY_UNSPECIFIED",
    "FINDING_SEVERITY_INFO",
    "FINDING_SEVERITY_LOW",
    "FINDING_SEVERITY_MEDIUM",
    "FINDING_SEVERITY_HIGH",
    "FINDING_SEVERITY_CRITICAL",
];
const STATES: &[&str] = &[
    "FINDING_STATE_UNSPECIFIED",
    "FINDING_STATE_OPEN",
    "FINDING_STATE_IN_PROGRESS",
    "FINDING_STATE_RESOLVED",
    "FINDING_STATE_SNOOZED",
    "FINDING_STATE_RISK_ACCEPTED",
    "FINDING_STATE_SUPPRESSED",
];
/// The oneofs of a Finding: at most one member of each may be set.
const ONEOFS: &[&[&str]] = &[
    &[
        "similarUsernameMatch",
        "serviceAccountMisclassification",
        "nhiUnowned",
        "serviceAccountUnowned",
        "decoyCredentialUsed",
        "custom",
        "connectorAnomalyDetectionDisabled",
        "deactivatedOwner",
        "unusedSecret",
        "credentialPubliclyExposed",
        "decoyPubliclyExposed",
        "credentialExpiring",
    ],
    &[
        "identityUserTarget",
        "appUserTarget",
        "decoyTarget",
        "appResourceTarget",
        "tenantTarget",
        "connectorTarget",
    ],
    &[
        "similarUsernameMatchEvidence",
        "serviceAccountMisclassificationEvidence",
        "deactivatedOwnerEvidence",
        "unusedSecretEvidence",
        "credentialPubliclyExposedEvidence",
        "decoyPubliclyExposedEvidence",
        "credentialExpiringEvidence",
    ],
];

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

fn assert_names(v: &Value, allowed: &[&str], what: &str) {
    let extra: Vec<&str> = keys(v)
        .into_iter()
        .filter(|k| !allowed.contains(k))
        .collect();
    assert!(
        extra.is_empty(),
        "{what} has names the spec does not: {extra:?}"
    );
}

/// What a client that knows nothing of credboard gets: the token endpoint, then the search
/// as the spec documents it.
async fn search_raw(server: &DemoServer, body: Value) -> (u16, Value) {
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{}/auth/v1/token", server.endpoint()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", server.client_id().as_str()),
            ("client_secret", server.client_secret().expose()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let reply = http
        .post(format!("{}/api/v1/findings/search", server.endpoint()))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .json(&body)
        .send()
        .await
        .unwrap();
    (reply.status().as_u16(), reply.json().await.unwrap())
}

#[tokio::test]
async fn the_search_reply_has_the_shape_of_the_spec() {
    let server = DemoServer::start(DemoOptions::default()).await.unwrap();
    let (status, page) = search_raw(&server, json!({"pageSize": 10})).await;
    assert_eq!(status, 200);
    assert_names(&page, &["list", "nextPageToken"], "FindingSearchResponse");
    assert_eq!(page["nextPageToken"], "");
    let list = page["list"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    let f = &list[0];
    assert_names(f, FINDING, "Finding");
    assert_names(
        &f["credentialPubliclyExposed"],
        EXPOSED_TYPE,
        "CredentialPubliclyExposedType",
    );
    assert_names(
        &f["credentialPubliclyExposedEvidence"],
        EXPOSED_EVIDENCE,
        "CredentialPubliclyExposedEvidence",
    );
    assert_names(&f["connectorTarget"], CONNECTOR_TARGET, "ConnectorTarget");
    assert!(SEVERITIES.contains(&f["severity"].as_str().unwrap()));
    assert!(STATES.contains(&f["state"].as_str().unwrap()));
    for oneof in ONEOFS {
        let set: Vec<&&str> = oneof.iter().filter(|m| !f[**m].is_null()).collect();
        assert!(set.len() <= 1, "one member of a oneof at most: {set:?}");
    }
    // The oneof `credential` of CredentialPubliclyExposedType: one member, the connector's.
    let set: Vec<&&str> = [
        "connectorClientId",
        "connectorManagedCredentialId",
        "functionClientId",
        "userClientId",
    ]
    .iter()
    .filter(|m| !f["credentialPubliclyExposed"][**m].is_null())
    .collect();
    assert_eq!(set, [&"connectorClientId"]);
    for t in ["createdAt", "firstObservedAt", "updatedAt"] {
        assert!(
            chrono::DateTime::parse_from_rfc3339(f[t].as_str().unwrap()).is_ok(),
            "{t}"
        );
    }
    assert_eq!(f["recurrenceCount"], 1, "uint32 is a JSON number");

    // The type filter: another type finds nothing; the state filter likewise.
    let (_, other) = search_raw(
        &server,
        json!({"findingTypes": ["FINDING_TYPE_UNUSED_SECRET"]}),
    )
    .await;
    assert_eq!(other["list"], json!([]));
    let (_, resolved) = search_raw(&server, json!({"states": ["FINDING_STATE_RESOLVED"]})).await;
    assert_eq!(resolved["list"], json!([]));
    server.shutdown().await;
}

#[tokio::test]
async fn a_tenant_without_the_feature_is_told_apart_from_a_failure() {
    let server = DemoServer::start(DemoOptions::default()).await.unwrap();
    let client = client_for(&server);
    for status in [403, 404] {
        server.set_faults(on_findings(FaultKind::Status(status)));
        let e = client.exposed_credential_findings().await.unwrap_err();
        assert!(not_offered(&e), "{status}: {e}");
        assert_eq!(e.status(), Some(status));
    }
    for fault in [
        FaultKind::Status(500),
        FaultKind::MalformedBody,
        FaultKind::TruncatedBody,
    ] {
        server.set_faults(on_findings(fault.clone()));
        let e = client.exposed_credential_findings().await.unwrap_err();
        assert!(!not_offered(&e), "{fault:?} is a failure: {e}");
        assert!(e.to_string().starts_with("search the findings"), "{e}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn paging_stops_on_a_repeated_or_endless_token() {
    let server = DemoServer::start(DemoOptions::default()).await.unwrap();
    let client = client_for(&server);
    server.set_faults(on_findings(FaultKind::RepeatPageToken));
    let e = client.exposed_credential_findings().await.unwrap_err();
    assert!(e.to_string().contains("repeated page token"), "{e}");
    server.set_faults(on_findings(FaultKind::EndlessPages));
    let e = client.exposed_credential_findings().await.unwrap_err();
    assert!(e.to_string().contains("past 1000 pages"), "{e}");
    server.shutdown().await;
}

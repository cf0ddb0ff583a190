//! The demo tenant's system log events, as OCSF 1.3 JSON.
//!
//! **The shape is our assumption.** ConductorOne documents that its system log holds OCSF
//! events, every API call as API Activity (class 6003) and token operations as
//! Authentication (class 3002) carrying the client id, but nobody here has seen a real event
//! for the credential calls. So these follow the OCSF classes (`metadata.uid`, `time` in epoch
//! milliseconds, `api.operation`, `http_request.url.path`, `resources`, `user.uid`) and vary
//! where the ids sit: a credential's creation names it in the response payload or as typed
//! resources, a Get or revoke only in the request path. Discovery must not depend on any of
//! it; `credboard discover --save-raw` is how a real tenant's shape is learned.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::faults::RouteKind;
use super::render;
use crate::api::model::ConnectorCredential;

/// A ConductorOne-shaped secret that is no key (base64url of "demo, not a key"): a noise
/// event carries it so `--save-raw` can be seen taking out what looks like a secret.
const FAKE_CLIENT_SECRET: &str = "secret-token:conductorone.com:v1:ZGVtbywgbm90IGEga2V5";
/// A JWT-shaped value that signs nothing, for the same reason.
const FAKE_BEARER: &str = "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJkZW1vIn0.bm90LWEtc2lnbmF0dXJl";

/// What every event carries.
fn envelope(uid: &str, time: DateTime<Utc>, class: (i64, &str), activity: (i64, &str)) -> Value {
    let ms = time.timestamp_millis();
    json!({
        "metadata": {
            "uid": uid,
            "version": "1.3.0",
            "product": {"name": "ConductorOne", "vendor_name": "ConductorOne"},
            "logged_time": ms,
        },
        "time": ms,
        "class_uid": class.0,
        "class_name": class.1,
        "category_uid": class.0 / 1000,
        "activity_id": activity.0,
        "activity_name": activity.1,
        "type_uid": class.0 * 100 + activity.0,
        "severity_id": 1,
        "src_endpoint": {"ip": "127.0.0.1"},
        "unmapped": {"tenant": "demo"},
    })
}

fn status(event: &mut Value, ok: bool) {
    event["status_id"] = json!(if ok { 1 } else { 2 });
    event["status"] = json!(if ok { "Success" } else { "Failure" });
}

const CREATE: (i64, &str) = (1, "Create");
const READ: (i64, &str) = (2, "Read");
const UPDATE: (i64, &str) = (3, "Update");
const DELETE: (i64, &str) = (4, "Delete");
const OTHER: (i64, &str) = (99, "Other");
const API_ACTIVITY: (i64, &str) = (6003, "API Activity");
const AUTHENTICATION: (i64, &str) = (3002, "Authentication");

/// An API call: its operation, method, path and HTTP status.
pub(crate) fn api_call(
    uid: &str,
    time: DateTime<Utc>,
    route: RouteKind,
    method: &str,
    path: &str,
    http_status: u16,
) -> Value {
    let (operation, activity) = match route {
        RouteKind::ListApps => ("c1.api.app.v1.Apps.List", READ),
        RouteKind::ListConnectors => ("c1.api.app.v1.ConnectorService.List", READ),
        RouteKind::GetCredential => ("c1.api.app.v1.ConnectorService.GetCredentials", READ),
        RouteKind::RevokeCredential => ("c1.api.app.v1.ConnectorService.RevokeCredential", DELETE),
        RouteKind::RotateCredential => ("c1.api.app.v1.ConnectorService.RotateCredential", CREATE),
        RouteKind::ListSystemLogEvents => ("c1.api.systemlog.v1.SystemLogService.ListEvents", READ),
        RouteKind::SearchFindings => ("c1.api.finding.v1.FindingSearchService.Search", READ),
        RouteKind::Token | RouteKind::Other => ("", OTHER),
    };
    let mut event = envelope(uid, time, API_ACTIVITY, activity);
    event["api"] = json!({
        "operation": operation,
        "service": {"name": operation.rsplit_once('.').map_or("", |(s, _)| s)},
        "request": {"uid": format!("req-{uid}")},
        "response": {"code": http_status},
    });
    event["http_request"] = json!({"http_method": method, "url": {"path": path}});
    status(&mut event, (200..300).contains(&http_status));
    event
}

/// A rotate: the new credential in the response, as the API returns it (never its secret).
pub(crate) fn rotated(uid: &str, time: DateTime<Utc>, credential: &ConnectorCredential) -> Value {
    let mut event = api_call(
        uid,
        time,
        RouteKind::RotateCredential,
        "POST",
        "/api/v1/apps/connectors/credentials",
        200,
    );
    event["api"]["request"]["data"] = json!({
        "appId": credential.app_id, "connectorId": credential.connector_id,
    });
    event["api"]["response"]["data"] = json!({"credential": render::credential(credential, None)});
    event
}

/// A seeded credential's creation, long before the demo started. Every other one names it
/// as OCSF resources instead of in the payload.
pub(crate) fn created(
    uid: &str,
    time: DateTime<Utc>,
    index: usize,
    credential: &ConnectorCredential,
) -> Value {
    if index.is_multiple_of(2) {
        return rotated(uid, time, credential);
    }
    let mut event = api_call(
        uid,
        time,
        RouteKind::RotateCredential,
        "POST",
        "/api/v1/apps/connectors/credentials",
        200,
    );
    event["api"]["request"]["data"] = json!({
        "appId": credential.app_id, "connectorId": credential.connector_id,
    });
    event["resources"] = json!([
        {"type": "app", "uid": credential.app_id},
        {"type": "connector", "uid": credential.connector_id},
        {"type": "connector_credential", "uid": credential.id, "name": credential.display_name},
    ]);
    event
}

/// A seeded credential's revoke: the ids only in the request path.
pub(crate) fn revoked(uid: &str, time: DateTime<Utc>, credential: &ConnectorCredential) -> Value {
    let path = format!(
        "/api/v1/apps/{}/connectors/{}/credentials/{}",
        credential.app_id.as_deref().unwrap_or(""),
        credential.connector_id.as_deref().unwrap_or(""),
        credential.id.as_deref().unwrap_or("")
    );
    let mut event = api_call(uid, time, RouteKind::RevokeCredential, "POST", &path, 200);
    event["api"]["request"]["data"] = json!({});
    event
}

/// A token grant (`POST /auth/v1/token`) to `client_id`, or its refusal.
pub(crate) fn signed_in(uid: &str, time: DateTime<Utc>, client_id: &str, ok: bool) -> Value {
    let mut event = envelope(uid, time, AUTHENTICATION, (1, "Logon"));
    event["auth_protocol"] = json!("OAuth 2.0");
    event["auth_protocol_id"] = json!(99);
    event["user"] = json!({"uid": client_id, "name": client_id, "type": "Service", "type_id": 99});
    event["service"] = json!({"name": "c1.api.auth.v1.Auth.Token"});
    event["http_request"] = json!({"http_method": "POST", "url": {"path": "/auth/v1/token"}});
    event["is_mfa"] = json!(false);
    status(&mut event, ok);
    event
}

/// The `n`th event that has nothing to do with credentials, about `app` and `connector`
/// (ids), at `time`: people signing in, apps and connectors edited, users listed, a webhook
/// made with its signing secret, a refused client. Some carry secrets (fakes) and objects
/// that look almost like credentials, so a reader that takes too much is caught.
pub(crate) fn noise(
    uid: &str,
    time: DateTime<Utc>,
    n: usize,
    app: &str,
    connector: &str,
    host: &str,
) -> Value {
    match n % 6 {
        0 => {
            let mut event = envelope(uid, time, AUTHENTICATION, (1, "Logon"));
            event["auth_protocol"] = json!("SAML");
            event["user"] = json!({
                "uid": format!("2User{n:022}"),
                "email_addr": format!("person{n}@example.com"),
                "type": "User",
            });
            status(&mut event, true);
            event
        }
        1 => {
            let path = format!("/api/v1/apps/{app}");
            let mut event = api_call(uid, time, RouteKind::Other, "POST", &path, 200);
            event["api"]["operation"] = json!("c1.api.app.v1.Apps.Update");
            event["activity_id"] = json!(UPDATE.0);
            event["api"]["request"]["data"] = json!({"app": {"id": app, "displayName": "renamed"}});
            event
        }
        2 => {
            let path = format!("/api/v1/apps/{app}/connectors/{connector}");
            let mut event = api_call(uid, time, RouteKind::Other, "POST", &path, 200);
            event["api"]["operation"] = json!("c1.api.app.v1.ConnectorService.Update");
            event["activity_id"] = json!(UPDATE.0);
            // A connector has an id and an app id, and is no credential.
            event["api"]["request"]["data"] =
                json!({"connector": {"id": connector, "appId": app, "displayName": "edited"}});
            event
        }
        3 => {
            let mut event = api_call(uid, time, RouteKind::Other, "GET", "/api/v1/users", 200);
            event["api"]["operation"] = json!("c1.api.user.v1.UserService.List");
            event["activity_id"] = json!(READ.0);
            event
        }
        4 => {
            let mut event = api_call(uid, time, RouteKind::Other, "POST", "/api/v1/webhooks", 200);
            event["api"]["operation"] = json!("c1.api.webhooks.v1.WebhooksService.Create");
            event["activity_id"] = json!(CREATE.0);
            event["api"]["request"]["data"] = json!({
                "displayName": "audit sink",
                "url": "https://hooks.example.com/c1",
                "signingSecret": "demo-webhook-signing-secret",
                "note": FAKE_CLIENT_SECRET,
            });
            event["http_request"]["http_headers"] = json!([
                {"name": "Authorization", "value": FAKE_BEARER},
                {"name": "Accept", "value": "application/json"},
            ]);
            event
        }
        _ => signed_in(uid, time, &format!("rogue-client-{n}@{host}/pcc"), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_carry_their_class_uid_and_time() {
        let t: DateTime<Utc> = "2026-05-01T10:00:00.250Z".parse().unwrap();
        let e = signed_in("evt-1", t, "a-b-1@127.0.0.1:1/pcc", true);
        assert_eq!(e["class_uid"], 3002);
        assert_eq!(e["type_uid"], 300201);
        assert_eq!(e["metadata"]["uid"], "evt-1");
        assert_eq!(e["time"], t.timestamp_millis());
        assert_eq!(e["status_id"], 1);
        let c = api_call("evt-2", t, RouteKind::GetCredential, "GET", "/p", 404);
        assert_eq!(
            c["api"]["operation"],
            "c1.api.app.v1.ConnectorService.GetCredentials"
        );
        assert_eq!(c["status_id"], 2);
    }
}

//! Reading one system log event for what discovery needs: its uid and time, the
//! (app id, connector id, credential id) triples it names, and, in an authentication event,
//! the client ids it shows signing in.
//!
//! Nobody here has seen a real event for the credential calls, so nothing depends on one
//! shape. A triple is found wherever it shows:
//! - in any string holding `apps/{app}/connectors/{connector}/credentials/{id}` (a request
//!   path, a URL, a resource name), also inside a string that holds JSON;
//! - in an object at any depth that has a credential id (`credentialId`, or `id` in an object
//!   that also has `appId` and `connectorId`, or `id` in an object under a key naming a
//!   credential) with an app id and a connector id on itself, on a sibling `app` or
//!   `connector` object, or on an enclosing object;
//! - in a list of OCSF resources (`{"type", "uid"}`) with one app, one connector and
//!   credentials.
//!
//! Keys are matched without regard to case, `_` or `-` (`appId`, `app_id`, `AppID`). Unknown
//! fields are walked like any other and anything that is no id is skipped: an event can only
//! yield fewer candidates, never an error. Every candidate is still only a guess until a Get
//! confirms it.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Map, Value};

use crate::import::check_id;
use crate::model::CredentialKey;

/// OCSF's Authentication class.
const AUTHENTICATION_CLASS: i64 = 3002;
/// OCSF's `status_id` for a failure.
const STATUS_FAILURE: i64 = 2;
/// How deep objects are walked; serde_json parses no deeper than 128 anyway.
const MAX_DEPTH: usize = 64;
/// The longest string read as JSON of its own.
const MAX_EMBEDDED_JSON: usize = 1 << 20;
/// The most triples (and client ids) one event may yield: more is a broken or hostile event.
const MAX_CANDIDATES: usize = 100;
/// The longest client id taken from an event.
const MAX_CLIENT_ID: usize = 256;

/// What one event holds for discovery.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    /// The event's uid (`metadata.uid`, else a top-level `uid`), when it is a plausible id.
    pub uid: Option<String>,
    /// The event's time (`time`, OCSF's epoch milliseconds, or `time_dt`).
    pub time: Option<DateTime<Utc>>,
    /// The distinct triples it names whose three ids are plausible ids.
    pub candidates: Vec<CredentialKey>,
    /// Triples it names with an id that is no id (odd characters, too long): skipped.
    pub rejected: usize,
    /// Client ids seen signing in: in an authentication event that is not a failure.
    pub client_ids: Vec<String>,
}

/// Reads one event. Never fails: what is not understood yields nothing.
pub fn extract(event: &Value) -> Extracted {
    let mut out = Extracted::default();
    let Some(object) = event.as_object() else {
        return out;
    };
    out.uid = event_uid(object);
    out.time = event_time(object);
    let mut walk = Walk::default();
    walk.value(event, Scope::default(), "", 0);
    out.candidates = walk.candidates;
    out.rejected = walk.rejected;
    if number(object, "classuid") == Some(AUTHENTICATION_CLASS)
        && number(object, "statusid") != Some(STATUS_FAILURE)
    {
        let mut ids = Vec::new();
        client_ids(event, 0, &mut ids);
        out.client_ids = ids;
    }
    out
}

/// A key as it is compared: lower case, letters and digits only.
fn norm(key: &str) -> String {
    key.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The value of the first key of `object` that normalises to `want`.
fn field<'v>(object: &'v Map<String, Value>, want: &str) -> Option<&'v Value> {
    object.iter().find(|(k, _)| norm(k) == want).map(|(_, v)| v)
}

fn text<'v>(object: &'v Map<String, Value>, want: &str) -> Option<&'v str> {
    field(object, want)?
        .as_str()
        .filter(|s| !s.trim().is_empty())
}

/// An integer field, also when sent as a string (int64 travels as one).
fn number(object: &Map<String, Value>, want: &str) -> Option<i64> {
    match field(object, want)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn event_uid(object: &Map<String, Value>) -> Option<String> {
    let from_metadata = field(object, "metadata")
        .and_then(Value::as_object)
        .and_then(|m| text(m, "uid"));
    let uid = from_metadata.or_else(|| text(object, "uid"))?;
    check_id("event uid", uid).ok().map(str::to_string)
}

fn event_time(object: &Map<String, Value>) -> Option<DateTime<Utc>> {
    let time = match field(object, "time") {
        Some(Value::Number(n)) => n.as_i64().and_then(epoch),
        Some(Value::String(s)) => s.trim().parse().ok().and_then(epoch).or_else(|| rfc3339(s)),
        _ => None,
    };
    time.or_else(|| text(object, "timedt").and_then(rfc3339))
        .filter(|t| (1970..=9999).contains(&chrono::Datelike::year(t)))
}

/// OCSF times are epoch milliseconds; a value too small for that is read as seconds.
fn epoch(n: i64) -> Option<DateTime<Utc>> {
    if n.abs() < 100_000_000_000 {
        Utc.timestamp_opt(n, 0).single()
    } else {
        Utc.timestamp_millis_opt(n).single()
    }
}

fn rfc3339(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The app and connector ids in force where an object sits.
#[derive(Debug, Clone, Copy, Default)]
struct Scope<'v> {
    app: Option<&'v str>,
    connector: Option<&'v str>,
}

#[derive(Default)]
struct Walk {
    candidates: Vec<CredentialKey>,
    rejected: usize,
}

impl Walk {
    fn value<'v>(&mut self, value: &'v Value, scope: Scope<'v>, key: &str, depth: usize) {
        if depth > MAX_DEPTH || self.candidates.len() >= MAX_CANDIDATES {
            return;
        }
        match value {
            Value::String(s) => self.string(s, depth),
            Value::Array(items) => {
                self.resources(items);
                for item in items {
                    self.value(item, scope, key, depth + 1);
                }
            }
            Value::Object(object) => self.object(object, scope, key, depth),
            _ => {}
        }
    }

    fn object<'v>(
        &mut self,
        object: &'v Map<String, Value>,
        outer: Scope<'v>,
        key: &str,
        depth: usize,
    ) {
        let sibling_id = |name: &str| {
            field(object, name)
                .and_then(Value::as_object)
                .and_then(|o| text(o, "id"))
        };
        let own_app = text(object, "appid");
        let own_connector = text(object, "connectorid");
        let scope = Scope {
            app: own_app.or_else(|| sibling_id("app")).or(outer.app),
            connector: own_connector
                .or_else(|| sibling_id("connector"))
                .or(outer.connector),
        };
        let id = text(object, "id");
        let credential = text(object, "credentialid")
            .or_else(|| text(object, "connectorcredentialid"))
            .or(id.filter(|_| own_app.is_some() && own_connector.is_some()))
            .or(id.filter(|_| key.contains("credential")));
        if let (Some(app), Some(connector), Some(credential)) =
            (scope.app, scope.connector, credential)
        {
            self.add(app, connector, credential);
        }
        for (k, v) in object {
            self.value(v, scope, &norm(k), depth + 1);
        }
    }

    /// A list of OCSF resources, `[{"type": "app", "uid": ...}, ...]`: with exactly one app
    /// and one connector, each credential in it.
    fn resources(&mut self, items: &[Value]) {
        let (mut apps, mut connectors, mut credentials) = (Vec::new(), Vec::new(), Vec::new());
        for item in items.iter().filter_map(Value::as_object) {
            let (Some(kind), Some(uid)) = (text(item, "type"), text(item, "uid")) else {
                continue;
            };
            let kind = norm(kind);
            if kind.contains("credential") {
                credentials.push(uid);
            } else if kind.contains("connector") {
                connectors.push(uid);
            } else if kind == "app" || kind == "application" {
                apps.push(uid);
            }
        }
        if let ([app], [connector]) = (apps.as_slice(), connectors.as_slice()) {
            for credential in credentials {
                self.add(app, connector, credential);
            }
        }
    }

    fn string(&mut self, s: &str, depth: usize) {
        for (app, connector, credential) in paths(s) {
            self.add(&app, &connector, &credential);
        }
        let trimmed = s.trim_start();
        if s.len() <= MAX_EMBEDDED_JSON
            && (trimmed.starts_with('{') || trimmed.starts_with('['))
            && let Ok(inner) = serde_json::from_str::<Value>(s)
        {
            // A document of its own: the ids around the string do not reach into it.
            let mut nested = Walk::default();
            nested.value(&inner, Scope::default(), "", depth + 1);
            for key in nested.candidates {
                self.push(key);
            }
            self.rejected += nested.rejected;
        }
    }

    fn add(&mut self, app: &str, connector: &str, credential: &str) {
        match (
            check_id("app id", app),
            check_id("connector id", connector),
            check_id("credential id", credential),
        ) {
            (Ok(a), Ok(k), Ok(c)) => self.push(CredentialKey::new(a, k, c)),
            _ => self.rejected += 1,
        }
    }

    fn push(&mut self, key: CredentialKey) {
        if self.candidates.len() < MAX_CANDIDATES && !self.candidates.contains(&key) {
            self.candidates.push(key);
        }
    }
}

/// Every `apps/{app}/connectors/{connector}/credentials/{id}` in `s`, its segments
/// percent-decoded (not yet checked as ids).
fn paths(s: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = s[from..].find("apps/") {
        let start = from + at;
        from = start + "apps/".len();
        // "apps/" must begin a path segment, not end a word ("myapps/").
        if s[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        {
            continue;
        }
        let mut segments = s[from..]
            .split('/')
            .map(|seg| seg.split(['?', '#', '"', '\'', '\\', ' ', '<', '>']).next());
        let mut next = || segments.next().flatten();
        let (Some(app), Some("connectors"), Some(connector), Some("credentials"), Some(id)) =
            (next(), next(), next(), next(), next())
        else {
            continue;
        };
        out.push((decode(app), decode(connector), decode(id)));
    }
    out
}

fn decode(segment: &str) -> String {
    url::form_urlencoded::parse(format!("x={segment}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Every string in `value` shaped like a client id (`name@host/suffix`), once each.
fn client_ids(value: &Value, depth: usize, out: &mut Vec<String>) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::String(s) => {
            let s = s.trim();
            if out.len() < MAX_CANDIDATES && is_client_id(s) && !out.iter().any(|c| c == s) {
                out.push(s.to_string());
            }
        }
        Value::Array(items) => items.iter().for_each(|v| client_ids(v, depth + 1, out)),
        Value::Object(object) => object.values().for_each(|v| client_ids(v, depth + 1, out)),
        _ => {}
    }
}

/// `name@host[:port]/suffix`, as ConductorOne mints them
/// (`strange-hydra-68836@acme.conductor.one/pcc`), and nothing else.
pub fn is_client_id(s: &str) -> bool {
    let word = |w: &str, extra: &[char]| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || extra.contains(&c))
    };
    let Some((name, rest)) = s.split_once('@') else {
        return false;
    };
    let Some((host, suffix)) = rest.split_once('/') else {
        return false;
    };
    s.len() <= MAX_CLIENT_ID
        && word(name, &['-', '_', '.'])
        && word(host, &['-', '.', ':'])
        && host.contains('.')
        && word(suffix, &['-', '_', '.'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(a: &str, k: &str, c: &str) -> CredentialKey {
        CredentialKey::new(a, k, c)
    }

    fn found(event: Value) -> Vec<CredentialKey> {
        extract(&event).candidates
    }

    #[test]
    fn the_id_only_in_a_path() {
        let event = json!({
            "class_uid": 6003,
            "http_request": {"url": {"path": "/api/v1/apps/2App/connectors/2Conn/credentials/2Cred"}},
        });
        assert_eq!(found(event), [key("2App", "2Conn", "2Cred")]);
        let url = json!({"message": "GET https://acme.conductor.one/api/v1/apps/A1/connectors/K1/credentials/C1?x=1 done"});
        assert_eq!(found(url), [key("A1", "K1", "C1")]);
        let encoded = json!({"p": "/api/v1/apps/A%2D1/connectors/K1/credentials/C1/"});
        assert_eq!(found(encoded), [key("A-1", "K1", "C1")]);
        // Rotate's own path names no credential; "myapps/" is not "apps/".
        let none = json!({"a": "/api/v1/apps/connectors/credentials", "b": "myapps/A/connectors/K/credentials/C"});
        assert_eq!(found(none), []);
    }

    #[test]
    fn the_id_only_in_a_payload() {
        // A ConnectorCredential as the API returns it.
        let event = json!({
            "api": {"response": {"data": {"credential": {
                "id": "C2", "appId": "A2", "connectorId": "K2", "clientId": "x@h.example/pcc"
            }}}},
        });
        assert_eq!(found(event), [key("A2", "K2", "C2")]);
        // A request naming the three ids, in snake case.
        let request = json!({"api": {"request": {"data": {"app_id": "A3", "connector_id": "K3", "credential_id": "C3"}}}});
        assert_eq!(found(request), [key("A3", "K3", "C3")]);
    }

    #[test]
    fn the_id_nested_one_level_deeper() {
        // The credential's own object holds only its id; the ids around it name the rest.
        let inherited =
            json!({"request": {"appId": "A4", "connectorId": "K4", "credential": {"id": "C4"}}});
        assert_eq!(found(inherited), [key("A4", "K4", "C4")]);
        let siblings = json!({"data": {
            "app": {"id": "A5"}, "connector": {"id": "K5"},
            "connectorCredentials": [{"id": "C5"}, {"id": "C6"}],
        }});
        assert_eq!(
            found(siblings),
            [key("A5", "K5", "C5"), key("A5", "K5", "C6")]
        );
        let resources = json!({"resources": [
            {"type": "app", "uid": "A7"},
            {"type": "Connector", "uid": "K7"},
            {"type": "connector_credential", "uid": "C7"},
        ]});
        assert_eq!(found(resources), [key("A7", "K7", "C7")]);
        let in_a_json_string = json!({"api": {"response": {"data": "{\"credential\":{\"id\":\"C8\",\"appId\":\"A8\",\"connectorId\":\"K8\"}}"}}});
        assert_eq!(found(in_a_json_string), [key("A8", "K8", "C8")]);
    }

    #[test]
    fn unknown_fields_are_walked_and_ignored() {
        let event = json!({
            "somethingNew": {"deeper": [{"x": 1}, null, true, 2.5]},
            "wrapper": {"AppID": "A9", "Connector-Id": "K9", "payload": {"CREDENTIAL_ID": "C9"}},
            "connector": {"id": "K0", "appId": "A0"},
        });
        // A connector (id and appId, no connectorId) is no credential.
        assert_eq!(found(event), [key("A9", "K9", "C9")]);
    }

    #[test]
    fn garbage_yields_nothing_and_never_fails() {
        for event in [
            json!(null),
            json!("apps/A/connectors/K/credentials/C"),
            json!([1, 2, 3]),
            json!({"time": "yesterday", "metadata": 7, "class_uid": {"x": 1}}),
            json!({"appId": 5, "connectorId": ["K"], "credentialId": {"id": "C"}}),
            json!({"p": "apps/"}),
            json!({"p": "apps/A/connectors/"}),
            json!({"p": "{not json"}),
        ] {
            let got = extract(&event);
            assert!(got.candidates.is_empty(), "{event}: {got:?}");
        }
        // A string that is an event (a bare string at the top) is no event.
        assert_eq!(extract(&json!("x")).candidates, Vec::<CredentialKey>::new());
    }

    #[test]
    fn ids_that_are_no_ids_are_rejected() {
        let event = json!({
            "a": {"appId": "A", "connectorId": "K", "credentialId": "=HYPERLINK(\"x\")"},
            "b": "/api/v1/apps/A/connectors/K/credentials/x%0Ay",
            "c": {"appId": "A", "connectorId": "K", "credentialId": "secret-token:conductorone.com:v1:abc"},
        });
        let got = extract(&event);
        assert_eq!(got.candidates, []);
        assert_eq!(got.rejected, 3);
    }

    #[test]
    fn a_huge_event_yields_at_most_the_cap() {
        let many: Vec<Value> = (0..500)
            .map(|i| json!({"appId": "A", "connectorId": "K", "credentialId": format!("C{i}")}))
            .collect();
        let got = extract(&json!({ "list": many }));
        assert_eq!(got.candidates.len(), MAX_CANDIDATES);
    }

    #[test]
    fn uid_and_time() {
        let e = extract(&json!({"metadata": {"uid": "ev-1"}, "time": 1_767_225_600_123_i64}));
        assert_eq!(e.uid.as_deref(), Some("ev-1"));
        assert_eq!(
            e.time.unwrap().to_rfc3339(),
            "2026-01-01T00:00:00.123+00:00"
        );
        let e = extract(&json!({"uid": "ev-2", "time_dt": "2026-01-01T00:00:00Z"}));
        assert_eq!(e.uid.as_deref(), Some("ev-2"));
        assert!(e.time.is_some());
        let e = extract(&json!({"metadata": {"uid": "bad uid\u{1b}"}, "time": 1_767_225_600}));
        assert_eq!(e.uid, None);
        assert_eq!(e.time.unwrap().to_rfc3339(), "2026-01-01T00:00:00+00:00");
        assert_eq!(extract(&json!({"time": i64::MAX})).time, None);
        assert_eq!(
            extract(&json!({"time": "9999999-01-01T00:00:00Z"})).time,
            None
        );
    }

    #[test]
    fn client_ids_of_successful_authentication_events() {
        let auth = |status: Value| {
            json!({
                "class_uid": 3002, "status_id": status,
                "user": {"uid": "brave-otter-1@acme.conductor.one/pcc", "name": "brave-otter-1@acme.conductor.one/pcc"},
                "actor": {"user": {"email_addr": "ada@example.com"}},
                "http_request": {"url": {"url_string": "https://acme.conductor.one/auth/v1/token"}},
            })
        };
        assert_eq!(
            extract(&auth(json!(1))).client_ids,
            ["brave-otter-1@acme.conductor.one/pcc"]
        );
        assert_eq!(extract(&auth(json!(null))).client_ids.len(), 1);
        assert!(extract(&auth(json!(2))).client_ids.is_empty(), "a failure");
        let mut api = auth(json!(1));
        api["class_uid"] = json!("6003");
        assert!(extract(&api).client_ids.is_empty(), "not an authentication");
    }

    #[test]
    fn client_id_shape() {
        assert!(is_client_id("strange-hydra-68836@acme.conductor.one/pcc"));
        assert!(is_client_id("credboard-demo@127.0.0.1:4000/pcc"));
        for no in [
            "ada@example.com",
            "a@b/c",
            "@acme.conductor.one/pcc",
            "x@acme.conductor.one/",
            "x y@acme.conductor.one/pcc",
            "https://u@acme.conductor.one/p",
        ] {
            assert!(!is_client_id(no), "{no}");
        }
    }
}

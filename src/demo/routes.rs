//! The HTTP surface: exactly the ConductorOne calls credboard makes, plus the token endpoint.
//! Every call that reaches a handler is logged in the system log (see `inject`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde_json::{Value, json};

use super::inject::{self, RepeatPageToken};
use super::reply;
use super::shared::Shared;
use super::state::{self, Missing};
use super::systemlog::{CallNote, EventsRequest};
use super::{mint, render};
use crate::api::auth::{ClientSecret, verify_assertion};

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/auth/v1/token", post(token))
        .route("/api/v1/apps", get(list_apps))
        .route("/api/v1/apps/connectors/credentials", post(rotate))
        .route("/api/v1/apps/{app_id}/connectors", get(list_connectors))
        .route("/api/v1/findings/search", post(search_findings))
        .route(
            "/api/v1/apps/{app_id}/connectors/{connector_id}/credentials/{id}",
            get(get_credential).post(revoke),
        )
        .route("/api/v1/systemlog/events", post(list_events))
        .fallback(|| async {
            reply::status(StatusCode::NOT_FOUND, reply::code::NOT_FOUND, "Not Found")
        })
        .method_not_allowed_fallback(|| async {
            reply::status(
                StatusCode::METHOD_NOT_ALLOWED,
                reply::code::UNIMPLEMENTED,
                "Method Not Allowed",
            )
        })
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            inject::inject,
        ))
        .with_state(shared)
}

// ---------------------------------------------------------------------------------------------
// POST /auth/v1/token

async fn token(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let mut response = grant(&shared, &form);
    // The system log records which client asked, granted or not.
    if let Some(client_id) = form.get("client_id").filter(|v| !v.is_empty()) {
        response
            .extensions_mut()
            .insert(CallNote::Client(client_id.clone()));
    }
    response
}

fn grant(shared: &Shared, form: &HashMap<String, String>) -> Response {
    let field = |k: &str| form.get(k).map(String::as_str).filter(|v| !v.is_empty());
    use StatusCode as S;
    if field("grant_type") != Some("client_credentials") {
        return reply::oauth(
            S::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be client_credentials",
        );
    }
    let Some(client_id) = field("client_id") else {
        return reply::oauth(S::BAD_REQUEST, "invalid_request", "client_id is required");
    };
    let now = state::now();
    let (minted, key) = if client_id == shared.client_id {
        (None, shared.client_secret.public_key())
    } else {
        match shared.read_tenant().client(client_id, now) {
            Some((id, key)) => (Some(id.to_string()), key),
            None => {
                return reply::oauth(S::UNAUTHORIZED, "invalid_client", "unknown client");
            }
        }
    };
    if let Some(assertion) = field("client_assertion") {
        if field("client_assertion_type") != Some(JWT_BEARER) {
            return reply::oauth(
                S::BAD_REQUEST,
                "invalid_request",
                "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            );
        }
        if let Err(why) = verify_assertion(assertion, &key, client_id, &shared.audience, now) {
            return reply::oauth(S::UNAUTHORIZED, "invalid_client", &why);
        }
    } else if let Some(secret) = field("client_secret") {
        let matches = ClientSecret::parse(secret).is_ok_and(|s| s.public_key() == key);
        if !matches {
            return reply::oauth(
                S::UNAUTHORIZED,
                "invalid_client",
                "client authentication failed",
            );
        }
    } else {
        return reply::oauth(
            S::BAD_REQUEST,
            "invalid_request",
            "client_assertion or client_secret is required",
        );
    }
    if let Some(id) = minted {
        shared.write_tenant().touch_last_used(&id, now);
    }
    let token = shared.issue_token();
    let mut r = Json(json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": shared.token_ttl.as_secs(),
    }))
    .into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

// ---------------------------------------------------------------------------------------------
// Bearer authentication for /api/

/// Proof that the request carried a token this server issued and still honours.
struct Authenticated;

impl FromRequestParts<Arc<Shared>> for Authenticated {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        shared: &Arc<Shared>,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim());
        match token {
            Some(t) if shared.token_is_valid(t) => Ok(Authenticated),
            _ => Err(reply::unauthenticated()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Paging

const DEFAULT_PAGE_SIZE: usize = 25;
const MIN_PAGE_SIZE: usize = 10;
const MAX_PAGE_SIZE: usize = 100;

/// The page asked for: where it starts and how long it is.
struct PageRequest {
    offset: usize,
    size: usize,
}

/// Reads `page_size` (or `pageSize`) and `page_token` (or `pageToken`). Page tokens are
/// opaque to clients: base64url of the list they belong to and an offset.
fn page_request(
    q: &HashMap<String, String>,
    scope: &str,
    len: usize,
) -> Result<PageRequest, &'static str> {
    let get = |a: &str, b: &str| {
        q.get(a)
            .or_else(|| q.get(b))
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let size = match get("page_size", "pageSize") {
        None => DEFAULT_PAGE_SIZE,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n <= 0 => DEFAULT_PAGE_SIZE,
            Ok(n) => (n as usize).clamp(MIN_PAGE_SIZE, MAX_PAGE_SIZE),
            Err(_) => return Err("page_size must be an integer"),
        },
    };
    let offset = match get("page_token", "pageToken") {
        None => 0,
        Some(t) => decode_page_token(t, scope)
            .filter(|o| *o <= len)
            .ok_or("invalid page token")?,
    };
    Ok(PageRequest { offset, size })
}

fn encode_page_token(scope: &str, offset: usize) -> String {
    B64.encode(format!("v1|{scope}|{offset}"))
}

fn decode_page_token(token: &str, scope: &str) -> Option<usize> {
    let text = String::from_utf8(B64.decode(token).ok()?).ok()?;
    let rest = text.strip_prefix("v1|")?;
    let (s, offset) = rest.rsplit_once('|')?;
    (s == scope).then_some(())?;
    offset.parse().ok()
}

/// One page of `items` and the reply's `nextPageToken` ("" on the last page; with the
/// repeat fault, a token that leads back to this very page).
fn page_of<T>(
    items: &[T],
    req: &PageRequest,
    scope: &str,
    repeat: bool,
) -> (std::ops::Range<usize>, String) {
    let end = (req.offset + req.size).min(items.len());
    let next = if repeat {
        encode_page_token(scope, req.offset)
    } else if end < items.len() {
        encode_page_token(scope, end)
    } else {
        String::new()
    };
    (req.offset..end, next)
}

// ---------------------------------------------------------------------------------------------
// /api/v1/apps...

async fn list_apps(
    _: Authenticated,
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
    repeat: Option<axum::Extension<RepeatPageToken>>,
) -> Response {
    let tenant = shared.read_tenant();
    let req = match page_request(&q, "apps", tenant.apps.len()) {
        Ok(r) => r,
        Err(e) => return reply::invalid_argument(e),
    };
    let (range, next) = page_of(&tenant.apps, &req, "apps", repeat.is_some());
    let list = tenant.apps[range].iter().map(render::app).collect();
    Json(render::page(list, &next, false)).into_response()
}

async fn list_connectors(
    _: Authenticated,
    State(shared): State<Arc<Shared>>,
    Path(app_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    repeat: Option<axum::Extension<RepeatPageToken>>,
) -> Response {
    let tenant = shared.read_tenant();
    let Some(connectors) = tenant.connectors_of(&app_id) else {
        return reply::not_found("app");
    };
    let scope = format!("connectors:{app_id}");
    let req = match page_request(&q, &scope, connectors.len()) {
        Ok(r) => r,
        Err(e) => return reply::invalid_argument(e),
    };
    let (range, next) = page_of(connectors, &req, &scope, repeat.is_some());
    let list = connectors[range]
        .iter()
        .map(render::connector_view)
        .collect();
    Json(render::page(list, &next, true)).into_response()
}

fn missing(m: Missing) -> Response {
    reply::not_found(match m {
        Missing::App => "app",
        Missing::Connector => "connector",
        Missing::Credential => "connector credential",
    })
}

async fn get_credential(
    _: Authenticated,
    State(shared): State<Arc<Shared>>,
    Path((app_id, connector_id, id)): Path<(String, String, String)>,
) -> Response {
    match shared
        .read_tenant()
        .credential_at(&app_id, &connector_id, &id)
    {
        Ok(c) => Json(json!({ "credential": render::credential(c, None) })).into_response(),
        Err(m) => missing(m),
    }
}

async fn revoke(
    _: Authenticated,
    State(shared): State<Arc<Shared>>,
    Path((app_id, connector_id, id)): Path<(String, String, String)>,
) -> Response {
    match shared
        .write_tenant()
        .revoke(&app_id, &connector_id, &id, state::now())
    {
        Ok(()) => Json(json!({})).into_response(),
        Err(m) => missing(m),
    }
}

async fn rotate(_: Authenticated, State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let body: Value = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(_) => return reply::invalid_argument("the request body is not valid JSON"),
        }
    };
    let field = |a: &str, b: &str| {
        body.get(a)
            .or_else(|| body.get(b))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (Some(app_id), Some(connector_id)) = (
        field("appId", "app_id"),
        field("connectorId", "connector_id"),
    ) else {
        return reply::invalid_argument("appId and connectorId are required");
    };
    let mut tenant = shared.write_tenant();
    if let Err(m) = tenant.connector(&app_id, &connector_id) {
        return missing(m);
    }
    let (credential, secret) = mint::credential(&tenant, &app_id, &connector_id, &shared.host);
    let reply =
        json!({ "credential": render::credential(&credential.credential, Some(secret.expose())) });
    if let (Some(delay), Some(id)) = (shared.first_use_after, credential.credential.id.clone()) {
        first_use_later(&shared, id, delay);
    }
    let logged = CallNote::Minted(Box::new(credential.credential.clone()));
    tenant.add_credential(credential);
    let mut response = Json(reply).into_response();
    response.extensions_mut().insert(logged);
    response
}

// ---------------------------------------------------------------------------------------------
// POST /api/v1/systemlog/events

async fn list_events(
    _: Authenticated,
    State(shared): State<Arc<Shared>>,
    repeat: Option<axum::Extension<RepeatPageToken>>,
    body: Bytes,
) -> Response {
    let request: EventsRequest = if body.is_empty() {
        EventsRequest::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(_) => return reply::invalid_argument("the request body is not a valid request"),
        }
    };
    let page = {
        let tenant = shared.read_tenant();
        shared.lock_log().page(&request, &tenant, repeat.is_some())
    };
    match page {
        Ok((list, next)) => {
            shared.counters.events_served(list.len() as u64);
            Json(render::page(list, &next, false)).into_response()
        }
        Err(e) => reply::invalid_argument(&e),
    }
}

/// After `delay`, the connector "uses" the credential `id`: its `lastUsedAt` is set, as when
/// a connector that switched to it mints a token. Holds the server weakly: a stopped server
/// is left alone.
fn first_use_later(shared: &Arc<Shared>, id: String, delay: std::time::Duration) {
    let shared = Arc::downgrade(shared);
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        if let Some(shared) = shared.upgrade() {
            shared.write_tenant().touch_last_used(&id, state::now());
        }
    });
}

// ---------------------------------------------------------------------------------------------
// POST /api/v1/findings/search

/// The Findings API's search, as far as the demo has findings: exposed credentials. Filters
/// by `findingTypes` and `states` when given; pages with `pageSize` and `pageToken` in the
/// body.
async fn search_findings(
    _: Authenticated,
    State(shared): State<Arc<Shared>>,
    repeat: Option<axum::Extension<RepeatPageToken>>,
    body: Bytes,
) -> Response {
    let body: Value = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(_) => return reply::invalid_argument("the request body is not valid JSON"),
        }
    };
    let wanted = |field: &str, value: &str| match body.get(field).and_then(Value::as_array) {
        Some(list) if !list.is_empty() => list.iter().any(|v| v.as_str() == Some(value)),
        _ => true,
    };
    let exposures_wanted = wanted("findingTypes", "FINDING_TYPE_CREDENTIAL_PUBLICLY_EXPOSED");
    let tenant = shared.read_tenant();
    let found: Vec<Value> = tenant
        .exposures
        .iter()
        .filter(|_| exposures_wanted)
        .filter_map(|e| {
            Some(render::exposure_finding(
                e,
                tenant.credential(&e.credential_id)?,
            ))
        })
        .filter(|f| wanted("states", f["state"].as_str().unwrap_or_default()))
        .collect();
    let mut q = HashMap::new();
    for (from, to) in [("pageSize", "page_size"), ("pageToken", "page_token")] {
        match body.get(from) {
            Some(Value::String(s)) => q.insert(to.to_string(), s.clone()),
            Some(Value::Number(n)) => q.insert(to.to_string(), n.to_string()),
            _ => None,
        };
    }
    let req = match page_request(&q, "findings", found.len()) {
        Ok(r) => r,
        Err(e) => return reply::invalid_argument(e),
    };
    let (range, next) = page_of(&found, &req, "findings", repeat.is_some());
    Json(render::page(found[range].to_vec(), &next, false)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_tokens_round_trip_and_are_scoped() {
        let t = encode_page_token("apps", 25);
        assert_eq!(decode_page_token(&t, "apps"), Some(25));
        assert_eq!(decode_page_token(&t, "connectors:x"), None);
        assert_eq!(decode_page_token("garbage!", "apps"), None);
    }

    #[test]
    fn page_size_is_clamped() {
        let q = |v: &str| HashMap::from([("page_size".to_string(), v.to_string())]);
        let size = |v: &str| page_request(&q(v), "apps", 0).ok().unwrap().size;
        assert_eq!(size("1"), 10);
        assert_eq!(size("1000"), 100);
        assert_eq!(size("0"), 25);
        assert_eq!(size("50"), 50);
        assert_eq!(
            page_request(&HashMap::new(), "apps", 0).ok().unwrap().size,
            25
        );
        assert!(page_request(&q("ten"), "apps", 0).is_err());
    }
}

//! The middleware every request passes: it counts the request, waits the injected latency and
//! applies the injected fault, if any, before or after the real handler.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt as _;

use super::faults::{FaultKind, RetryAfter, RouteKind};
use super::reply::{self, code};
use super::shared::Shared;

/// Put in the request's extensions when a list reply must carry a page token that repeats.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RepeatPageToken;

/// The page tokens of [`FaultKind::EndlessPages`]: this prefix and the page's number.
const ENDLESS_TOKEN: &str = "endless-";

/// Which call a request is, from its method and path (independent of the router's matching,
/// so a request that the router refuses is still counted and can still be faulted).
pub(crate) fn classify(method: &Method, path: &str) -> RouteKind {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        (&Method::POST, ["auth", "v1", "token"]) => RouteKind::Token,
        (&Method::GET, ["api", "v1", "apps"]) => RouteKind::ListApps,
        (&Method::POST, ["api", "v1", "apps", "connectors", "credentials"]) => {
            RouteKind::RotateCredential
        }
        (&Method::GET, ["api", "v1", "apps", _, "connectors"]) => RouteKind::ListConnectors,
        (&Method::POST, ["api", "v1", "findings", "search"]) => RouteKind::SearchFindings,
        (&Method::GET, ["api", "v1", "apps", _, "connectors", _, "credentials", _]) => {
            RouteKind::GetCredential
        }
        (&Method::POST, ["api", "v1", "apps", _, "connectors", _, "credentials", _]) => {
            RouteKind::RevokeCredential
        }
        (&Method::POST, ["api", "v1", "systemlog", "events"]) => RouteKind::ListSystemLogEvents,
        _ => RouteKind::Other,
    }
}

pub(crate) async fn inject(
    State(shared): State<Arc<Shared>>,
    mut request: Request,
    next: Next,
) -> Response {
    let route = classify(request.method(), request.uri().path());
    let _in_flight = shared.counters.enter(route);
    let decision = shared.lock_faults().decide(route);
    if let Some(delay) = decision.delay {
        tokio::time::sleep(delay).await;
    }
    let Some(fault) = decision.fault else {
        let (method, path) = (request.method().clone(), request.uri().path().to_string());
        let response = next.run(request).await;
        shared.record_call(route, &method, &path, &response);
        return response;
    };
    shared.counters.fault();
    match fault {
        FaultKind::TooManyRequests(retry_after) => too_many_requests(&retry_after),
        FaultKind::Status(status) => server_error(status),
        FaultKind::ErrorBody { code, message } => reply::status(StatusCode::OK, code, &message),
        FaultKind::HugeBody(bytes) => huge_body(shared.clone(), bytes),
        FaultKind::TokenExpiresIn(raw) => with_expires_in(next.run(request).await, &raw).await,
        FaultKind::EndlessPages => endless_pages(request, next).await,
        FaultKind::RepeatPageToken => {
            request.extensions_mut().insert(RepeatPageToken);
            next.run(request).await
        }
        FaultKind::MalformedBody => {
            let (parts, _) = next.run(request).await.into_parts();
            let mut r = Response::from_parts(
                parts,
                Body::from(r#"{"list": [{"id": "2x", "displayName": ]], nextPageToken: oops"#),
            );
            r.headers_mut().remove(header::CONTENT_LENGTH);
            r
        }
        FaultKind::TruncatedBody => {
            let (mut parts, body) = next.run(request).await.into_parts();
            let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
            let cut = bytes.len() / 2;
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(bytes.slice(..cut)))
        }
        FaultKind::ConnectionReset => {
            let (mut parts, body) = next.run(request).await.into_parts();
            let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
            let head = bytes.slice(..bytes.len() / 2);
            // Send half, give hyper a moment to flush it, then fail the body: hyper aborts
            // the connection because the promised Content-Length was not delivered.
            let stream = futures::stream::iter([Ok::<Bytes, std::io::Error>(head)]).chain(
                futures::stream::once(async {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    Err(std::io::Error::new(
                        std::io::ErrorKind::ConnectionReset,
                        "demo tenant: injected connection reset",
                    ))
                }),
            );
            Response::from_parts(parts, Body::from_stream(stream))
        }
    }
}

fn too_many_requests(retry_after: &RetryAfter) -> Response {
    let mut r = reply::status(
        StatusCode::TOO_MANY_REQUESTS,
        code::RESOURCE_EXHAUSTED,
        "rate limit exceeded, slow down",
    );
    let value = retry_after.header_value(SystemTime::now());
    if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

/// A 200 list page that goes on for about `bytes`, made of one piece sent over and over, so
/// the server holds one piece however long the reply. Counts what the connection takes.
fn huge_body(shared: Arc<Shared>, bytes: u64) -> Response {
    const HEAD: &[u8] = br#"{"list":["#;
    const ITEM: &[u8] = br#"{"id":"huge","displayName":"a reply that goes on and on"},"#;
    const TAIL: &[u8] = br#"{}],"nextPageToken":""}"#;
    let piece = Bytes::from(ITEM.repeat(64 * 1024 / ITEM.len()));
    let pieces = usize::try_from(bytes / piece.len() as u64).unwrap_or(usize::MAX);
    let parts = std::iter::once(Bytes::from_static(HEAD))
        .chain(std::iter::repeat_n(piece, pieces))
        .chain(std::iter::once(Bytes::from_static(TAIL)));
    let stream = futures::stream::iter(parts).map(move |part| {
        shared.counters.streamed(part.len() as u64);
        Ok::<_, std::io::Error>(part)
    });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(stream),
    )
        .into_response()
}

/// The real token reply with `expires_in` replaced by `raw`, written as is (it may be no
/// number serde_json would write, such as 1e999).
async fn with_expires_in(response: Response, raw: &str) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let mut reply = match serde_json::from_slice(&bytes) {
        Ok(serde_json::Value::Object(reply)) if parts.status.is_success() => reply,
        _ => return Response::from_parts(parts, Body::from(bytes)),
    };
    reply.remove("expires_in");
    let text = serde_json::Value::Object(reply).to_string();
    let open = text.strip_suffix('}').unwrap_or("{");
    let comma = if open.len() > 1 { "," } else { "" };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(
        parts,
        Body::from(format!("{open}{comma}\"expires_in\":{raw}}}")),
    )
}

/// Serves the list's first page, then empty pages, each with a page token never sent
/// before: a listing that never ends. The handler never sees these tokens.
async fn endless_pages(mut request: Request, next: Next) -> Response {
    let mut page: u64 = 0;
    let query = request.uri().query().unwrap_or_default().to_string();
    let kept: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .filter(|(key, value)| {
            let endless = (key == "page_token" || key == "pageToken")
                .then(|| value.strip_prefix(ENDLESS_TOKEN)?.parse().ok())
                .flatten();
            if let Some(n) = endless {
                page = n;
            }
            endless.is_none()
        })
        .collect();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&kept)
        .finish();
    if let Ok(uri) = format!("{}?{query}", request.uri().path()).parse::<Uri>() {
        *request.uri_mut() = uri;
    }
    // The Findings API's search pages through its JSON body.
    if request.method() == Method::POST {
        let (mut parts, body) = request.into_parts();
        parts.headers.remove(header::CONTENT_LENGTH);
        let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
        let mut json: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        let endless = json
            .get("pageToken")
            .and_then(|t| t.as_str()?.strip_prefix(ENDLESS_TOKEN)?.parse().ok());
        let bytes = match (endless, json.as_object_mut()) {
            (Some(n), Some(fields)) => {
                page = n;
                fields.remove("pageToken");
                Bytes::from(json.to_string())
            }
            _ => bytes,
        };
        request = Request::from_parts(parts, Body::from(bytes));
    }
    let (mut parts, body) = next.run(request).await.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let mut reply = match serde_json::from_slice(&bytes) {
        Ok(serde_json::Value::Object(reply)) if parts.status.is_success() => reply,
        _ => return Response::from_parts(parts, Body::from(bytes)),
    };
    reply.insert(
        "nextPageToken".into(),
        format!("{ENDLESS_TOKEN}{}", page.saturating_add(1)).into(),
    );
    if page > 0 {
        reply.insert("list".into(), serde_json::Value::Array(Vec::new()));
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(
        parts,
        Body::from(serde_json::Value::Object(reply).to_string()),
    )
}

/// 500 and 503 come from the service (gRPC-status JSON); 502 and 504 from the load balancer
/// in front of it (an HTML page), as in production. 403 and 404 are the service refusing (a
/// role missing, a feature the tenant does not have).
fn server_error(status: u16) -> Response {
    let http = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match http.as_u16() {
        502 | 504 => {
            let reason = http.canonical_reason().unwrap_or("Error");
            let page = format!(
                "<html>\r\n<head><title>{n} {reason}</title></head>\r\n<body>\r\n<center><h1>{n} {reason}</h1></center>\r\n</body>\r\n</html>\r\n",
                n = http.as_u16()
            );
            (http, [(header::CONTENT_TYPE, "text/html")], page).into_response()
        }
        503 => reply::status(http, code::UNAVAILABLE, "service unavailable, try again"),
        // What a tenant without a feature, or a client without the role, is told.
        403 => reply::status(http, code::PERMISSION_DENIED, "permission denied"),
        404 => reply::status(http, code::NOT_FOUND, "Not Found"),
        501 => reply::status(http, code::UNIMPLEMENTED, "not implemented"),
        _ => reply::status(http, code::INTERNAL, "internal error"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_classified_by_method_and_path() {
        use RouteKind::*;
        let cases = [
            (Method::POST, "/auth/v1/token", Token),
            (Method::GET, "/api/v1/apps", ListApps),
            (Method::GET, "/api/v1/apps/a/connectors", ListConnectors),
            (
                Method::POST,
                "/api/v1/apps/connectors/credentials",
                RotateCredential,
            ),
            (
                Method::GET,
                "/api/v1/apps/a/connectors/c/credentials/x",
                GetCredential,
            ),
            (
                Method::POST,
                "/api/v1/apps/a/connectors/c/credentials/x",
                RevokeCredential,
            ),
            (
                Method::DELETE,
                "/api/v1/apps/a/connectors/c/credentials/x",
                Other,
            ),
            (Method::GET, "/api/v1/users", Other),
            (
                Method::POST,
                "/api/v1/systemlog/events",
                ListSystemLogEvents,
            ),
        ];
        for (m, p, want) in cases {
            assert_eq!(classify(&m, p), want, "{m} {p}");
        }
    }
}

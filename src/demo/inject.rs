//! The middleware every request passes: it counts the request, waits the injected latency and
//! applies the injected fault, if any, before or after the real handler.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt as _;

use super::faults::{FaultKind, RetryAfter, RouteKind};
use super::reply::{self, code};
use super::server::Shared;

/// Put in the request's extensions when a list reply must carry a page token that repeats.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RepeatPageToken;

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
        (&Method::GET, ["api", "v1", "apps", _, "connectors", _, "credentials", _]) => {
            RouteKind::GetCredential
        }
        (&Method::POST, ["api", "v1", "apps", _, "connectors", _, "credentials", _]) => {
            RouteKind::RevokeCredential
        }
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
        return next.run(request).await;
    };
    shared.counters.fault();
    match fault {
        FaultKind::TooManyRequests(retry_after) => too_many_requests(&retry_after),
        FaultKind::Status(status) => server_error(status),
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
    let value = match retry_after {
        RetryAfter::Absent => None,
        RetryAfter::Seconds(s) => Some(s.to_string()),
        RetryAfter::HttpDate(d) => Some(httpdate::fmt_http_date(SystemTime::now() + *d)),
    };
    if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

/// 500 and 503 come from the service (gRPC-status JSON); 502 and 504 from the load balancer
/// in front of it (an HTML page), as in production.
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
        ];
        for (m, p, want) in cases {
            assert_eq!(classify(&m, p), want, "{m} {p}");
        }
    }
}

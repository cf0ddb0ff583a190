//! Error replies in the two shapes the real service uses: gRPC-status JSON on /api/ and
//! OAuth errors on the token endpoint.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::render;

/// gRPC status codes used here.
pub mod code {
    pub const INVALID_ARGUMENT: i32 = 3;
    pub const NOT_FOUND: i32 = 5;
    pub const PERMISSION_DENIED: i32 = 7;
    pub const RESOURCE_EXHAUSTED: i32 = 8;
    pub const UNIMPLEMENTED: i32 = 12;
    pub const INTERNAL: i32 = 13;
    pub const UNAVAILABLE: i32 = 14;
    pub const UNAUTHENTICATED: i32 = 16;
}

/// `{"code":..,"message":..,"details":[]}` with an HTTP status.
pub fn status(http: StatusCode, code: i32, message: &str) -> Response {
    (http, Json(render::status(code, message))).into_response()
}

pub fn not_found(what: &str) -> Response {
    status(
        StatusCode::NOT_FOUND,
        code::NOT_FOUND,
        &format!("{what} not found"),
    )
}

pub fn invalid_argument(message: &str) -> Response {
    status(StatusCode::BAD_REQUEST, code::INVALID_ARGUMENT, message)
}

pub fn unauthenticated() -> Response {
    let mut r = status(
        StatusCode::UNAUTHORIZED,
        code::UNAUTHENTICATED,
        "unauthenticated: missing, unknown or expired bearer token",
    );
    r.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    r
}

/// An OAuth 2.0 error from the token endpoint (RFC 6749 section 5.2).
pub fn oauth(http: StatusCode, error: &str, description: &str) -> Response {
    let mut r = (
        http,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

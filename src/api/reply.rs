//! One try of a request: sending it, reading the reply's body a chunk at a time up to its
//! cap, and telling a success from each kind of failure (and whether sending it again could
//! help). The bytes read are wiped when dropped, whatever the path: a rotate reply holds the
//! new secret, a token reply the access token.

use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use super::error::{ApiError, ErrorKind, error_status, server_message};
use super::retry::{Failed, retry_after_delay};

/// The most of an error reply's body that is read: enough for its message or page title.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;

/// A try that failed: what went wrong, and what that says about trying again.
pub(super) struct TryFailed {
    pub kind: ErrorKind,
    pub failed: Failed,
}

/// One try: the body of a 2xx (at most `max_reply` bytes), or what went wrong.
pub(super) async fn send(
    req: reqwest::RequestBuilder,
    max_reply: u64,
) -> Result<Zeroizing<Vec<u8>>, TryFailed> {
    let response = req.send().await.map_err(transport_failure)?;
    let status = response.status();
    let retry_after = retry_after(response.headers());
    let limit = if status.is_success() {
        max_reply
    } else {
        max_reply.min(ERROR_BODY_LIMIT)
    };
    let (body, complete) = read_body(response, limit).await.map_err(|e| TryFailed {
        kind: ErrorKind::Transport {
            what: if e.is_timeout() {
                "the reply did not arrive in time".into()
            } else {
                "the connection broke while the reply was being read".into()
            },
            source: Some(e),
        },
        failed: Failed {
            retryable: true,
            not_received: false,
            retry_after: None,
        },
    })?;
    // Neither is worth sending again: the server acted on the request, and would answer
    // the same.
    let final_failure = |kind| TryFailed {
        kind,
        failed: Failed {
            retryable: false,
            not_received: false,
            retry_after: None,
        },
    };
    if status.is_success() && !complete {
        return Err(final_failure(ErrorKind::TooLarge { limit: max_reply }));
    }
    if status.is_success() {
        // An error in a 2xx's clothing: a listing must not be taken for an empty page, nor
        // a revoke for done.
        if let Some((code, message)) = error_status(&body) {
            return Err(final_failure(ErrorKind::ErrorBody {
                status: status.as_u16(),
                code,
                message,
            }));
        }
        return Ok(body);
    }
    let (code, message) = server_message(&body);
    Err(TryFailed {
        kind: ErrorKind::Status {
            status: status.as_u16(),
            code,
            message,
        },
        failed: Failed {
            retryable: matches!(
                status,
                StatusCode::TOO_MANY_REQUESTS
                    | StatusCode::INTERNAL_SERVER_ERROR
                    | StatusCode::BAD_GATEWAY
                    | StatusCode::SERVICE_UNAVAILABLE
                    | StatusCode::GATEWAY_TIMEOUT
            ),
            not_received: status == StatusCode::TOO_MANY_REQUESTS,
            retry_after,
        },
    })
}

/// The body of a 2xx as `T`, or why it could not be read, naming `call`.
pub(super) fn decode<T: DeserializeOwned>(call: &str, body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            call,
            ErrorKind::Decode {
                what: describe_json_error(&e),
            },
        )
    })
}

/// Reads a body a chunk at a time, keeping at most `limit` bytes, so a huge reply costs no
/// more than the limit; `false` when there was more. Every buffer it outgrows is wiped.
async fn read_body(
    mut response: reqwest::Response,
    limit: u64,
) -> Result<(Zeroizing<Vec<u8>>, bool), reqwest::Error> {
    let hint = response.content_length().unwrap_or(0).min(limit);
    let mut body = Zeroizing::new(Vec::with_capacity(usize::try_from(hint).unwrap_or(0)));
    while let Some(chunk) = response.chunk().await? {
        let room = usize::try_from(limit.saturating_sub(body.len() as u64)).unwrap_or(usize::MAX);
        if chunk.len() > room {
            return Ok((body, false));
        }
        append_wiping(&mut body, &chunk);
    }
    Ok((body, true))
}

/// `buffer.extend_from_slice(more)`, except that the buffer left behind when it grows is
/// wiped instead of freed as is.
fn append_wiping(buffer: &mut Zeroizing<Vec<u8>>, more: &[u8]) {
    if buffer.capacity() - buffer.len() < more.len() {
        let wanted = (buffer.len() + more.len()).max(buffer.capacity() * 2);
        let mut grown = Zeroizing::new(Vec::with_capacity(wanted));
        grown.extend_from_slice(buffer);
        *buffer = grown;
    }
    buffer.extend_from_slice(more);
}

fn transport_failure(e: reqwest::Error) -> TryFailed {
    let what = if e.is_connect() {
        "could not connect to the server".to_string()
    } else if e.is_timeout() {
        "the server did not answer in time".to_string()
    } else {
        "the connection failed".to_string()
    };
    TryFailed {
        failed: Failed {
            retryable: true,
            not_received: e.is_connect(),
            retry_after: None,
        },
        kind: ErrorKind::Transport {
            what,
            source: Some(e),
        },
    }
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    retry_after_delay(value, SystemTime::now())
}

fn describe_json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Eof => "the reply was cut short".to_string(),
        Category::Syntax => format!("the reply is not valid JSON ({e})"),
        Category::Data => format!("the reply does not have the expected shape ({e})"),
        Category::Io => format!("the reply could not be read ({e})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checked by the compiler: the bytes one attempt reads are handed over wiped on drop.
    #[test]
    fn the_bytes_read_for_a_reply_are_wiped_on_drop() {
        fn wiped<T: zeroize::ZeroizeOnDrop, E, F: Future<Output = Result<T, E>>>(
            _: impl FnOnce() -> F,
        ) {
        }
        wiped(|| send(reqwest::Client::new().get("http://127.0.0.1:9/"), 1024));
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("retry-after", "3".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        let later = std::time::SystemTime::now() + Duration::from_secs(20);
        h.insert(
            "retry-after",
            httpdate::fmt_http_date(later).parse().unwrap(),
        );
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(15) && d <= Duration::from_secs(20),
            "{d:?}"
        );
        h.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn a_growing_body_keeps_every_byte() {
        let mut body = Zeroizing::new(Vec::new());
        for piece in [&b"ab"[..], b"", b"cdefg", &[b'h'; 100]] {
            append_wiping(&mut body, piece);
        }
        assert_eq!(body.len(), 107);
        assert!(body.starts_with(b"abcdefgh"));
    }
}

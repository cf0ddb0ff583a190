//! One error for every API call: which call, what went wrong, and the cause.

use std::time::Duration;

use super::retry::LONGEST_RETRY_AFTER;

/// What failed, in words a person can act on. `call` names the request
/// ("get credential cred-1 of connector k-1"), `kind` the failure.
#[derive(Debug, thiserror::Error)]
#[error("{call}: {kind}")]
pub struct ApiError {
    pub call: String,
    #[source]
    pub kind: ErrorKind,
}

#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    /// The request never got an HTTP answer: refused, reset, DNS, TLS, or a timeout.
    #[error("{what}")]
    Transport {
        what: String,
        #[source]
        source: Option<reqwest::Error>,
    },
    /// The server answered with an error status. `message` is its `{"message"}` when it sent
    /// one, else the start of the raw body.
    #[error("the server answered {status}{}", message_suffix(.message))]
    Status {
        status: u16,
        code: Option<i64>,
        message: String,
    },
    /// A 2xx whose body is an error (a `google.rpc.Status` with a non-zero code): the call
    /// failed, whatever the status says. `code` is said in words, `message` is the server's.
    #[error("the server answered {status} with an error: {message} ({code})")]
    ErrorBody {
        status: u16,
        code: String,
        message: String,
    },
    /// A 200 whose body is not what the API documents.
    #[error("the reply could not be read: {what}")]
    Decode { what: String },
    /// The credentials were refused, or could not be used.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// The configuration cannot work (a plain-http remote endpoint, a client id without host).
    #[error("{0}")]
    Config(String),
    /// The server sent the same page token twice: following it would loop for ever.
    #[error("the server repeated page token {0:?}; stopped instead of looping")]
    RepeatedPageToken(String),
    /// A 2xx reply's body went past the size limit; the rest was not read.
    #[error("the reply was larger than {}; stopped reading", size_text(*.limit))]
    TooLarge { limit: u64 },
    /// A listing still named a next page after the most pages a listing may have.
    #[error("the listing went on past {pages} pages, each naming a new next page; stopped")]
    TooManyPages { pages: u32 },
    /// Retries ran out of their time budget.
    #[error(
        "gave up after {tries} tries over {:.1}s{}: {last}",
        .elapsed.as_secs_f64(),
        asked_suffix(.asked_to_wait)
    )]
    GaveUp {
        tries: u32,
        elapsed: Duration,
        last: Box<ErrorKind>,
        /// The server's Retry-After, when waiting it out would pass the retry budget.
        asked_to_wait: Option<Duration>,
    },
}

fn asked_suffix(asked: &Option<Duration>) -> String {
    match asked {
        Some(d) if *d >= LONGEST_RETRY_AFTER => {
            " (the server asked to wait a day or more, past the retry budget)".to_string()
        }
        Some(d) => format!(
            " (the server asked to wait {}s more, past the retry budget)",
            d.as_secs()
        ),
        None => String::new(),
    }
}

/// `8 MiB`, `64 KiB` or `1000 bytes`.
fn size_text(bytes: u64) -> String {
    const KIB: u64 = 1024;
    match bytes {
        b if b >= KIB * KIB && b % (KIB * KIB) == 0 => format!("{} MiB", b / (KIB * KIB)),
        b if b >= KIB && b % KIB == 0 => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}

fn message_suffix(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    }
}

impl ApiError {
    pub fn new(call: impl Into<String>, kind: ErrorKind) -> Self {
        Self {
            call: call.into(),
            kind,
        }
    }

    /// The HTTP status of the final answer, if there was one.
    pub fn status(&self) -> Option<u16> {
        self.kind.status()
    }

    /// No HTTP answer came at all (refused, reset, timed out), even after retries: the tenant
    /// may be down or unreachable.
    pub fn is_unanswered(&self) -> bool {
        match &self.kind {
            ErrorKind::Transport { .. } => true,
            ErrorKind::GaveUp { last, .. } => matches!(**last, ErrorKind::Transport { .. }),
            _ => false,
        }
    }
}

impl ErrorKind {
    /// The same error without its transport source (which cannot be cloned): the text is
    /// unchanged. For handing one failure to several callers.
    pub fn detached(&self) -> ErrorKind {
        match self {
            ErrorKind::Transport { what, .. } => ErrorKind::Transport {
                what: what.clone(),
                source: None,
            },
            ErrorKind::Status {
                status,
                code,
                message,
            } => ErrorKind::Status {
                status: *status,
                code: *code,
                message: message.clone(),
            },
            ErrorKind::ErrorBody {
                status,
                code,
                message,
            } => ErrorKind::ErrorBody {
                status: *status,
                code: code.clone(),
                message: message.clone(),
            },
            ErrorKind::Decode { what } => ErrorKind::Decode { what: what.clone() },
            ErrorKind::Auth(m) => ErrorKind::Auth(m.clone()),
            ErrorKind::Config(m) => ErrorKind::Config(m.clone()),
            ErrorKind::RepeatedPageToken(t) => ErrorKind::RepeatedPageToken(t.clone()),
            ErrorKind::TooLarge { limit } => ErrorKind::TooLarge { limit: *limit },
            ErrorKind::TooManyPages { pages } => ErrorKind::TooManyPages { pages: *pages },
            ErrorKind::GaveUp {
                tries,
                elapsed,
                last,
                asked_to_wait,
            } => ErrorKind::GaveUp {
                tries: *tries,
                elapsed: *elapsed,
                last: Box::new(last.detached()),
                asked_to_wait: *asked_to_wait,
            },
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ErrorKind::Status { status, .. } => Some(*status),
            ErrorKind::GaveUp { last, .. } => last.status(),
            _ => None,
        }
    }
}

/// Longest server body kept in an error: enough to read, not enough to flood a screen.
pub const BODY_EXCERPT: usize = 300;

/// The message of an error body: `{"code","message"}` when present (gRPC status JSON), an
/// OAuth `{"error","error_description"}`, else the raw body cut to a sane length.
pub fn server_message(body: &[u8]) -> (Option<i64>, String) {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
        let code = v.get("code").and_then(|c| c.as_i64());
        for key in ["message", "error_description", "error"] {
            if let Some(m) = v
                .get(key)
                .and_then(|m| m.as_str())
                .filter(|m| !m.is_empty())
            {
                return (code, excerpt(m));
            }
        }
        return (code, excerpt(&String::from_utf8_lossy(body)));
    }
    let text = String::from_utf8_lossy(body);
    if let Some(page) = html_text(&text) {
        return (None, excerpt(&page));
    }
    (None, excerpt(&text))
}

/// The code and message of a body shaped like a `google.rpc.Status` error,
/// `{"code":7,"message":"permission denied","details":[]}`: a code that is a non-zero
/// integer (or a name other than OK, as some gateways write it) and a message. `None` for
/// anything else, a status of code 0 (OK) included.
pub fn error_status(body: &[u8]) -> Option<(String, String)> {
    #[derive(serde::Deserialize)]
    struct StatusShape {
        code: Option<serde_json::Value>,
        message: Option<serde_json::Value>,
    }
    let shape: StatusShape = serde_json::from_slice(body).ok()?;
    let serde_json::Value::String(message) = shape.message? else {
        return None;
    };
    let code = match shape.code? {
        serde_json::Value::Number(n) if n.as_f64().is_some_and(|c| c != 0.0) => {
            match n.as_u64().and_then(grpc_code_name) {
                Some(name) => format!("code {n}, {name}"),
                None => format!("code {n}"),
            }
        }
        serde_json::Value::String(name)
            if !name.is_empty() && name != "0" && !name.eq_ignore_ascii_case("ok") =>
        {
            format!("code {}", excerpt(&name))
        }
        _ => return None,
    };
    let message = match excerpt(&message) {
        m if m.is_empty() => "no message".to_string(),
        m => m,
    };
    Some((code, message))
}

/// The name of a gRPC status code (google.rpc.Code).
fn grpc_code_name(code: u64) -> Option<&'static str> {
    const NAMES: [&str; 16] = [
        "CANCELLED",
        "UNKNOWN",
        "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION",
        "ABORTED",
        "OUT_OF_RANGE",
        "UNIMPLEMENTED",
        "INTERNAL",
        "UNAVAILABLE",
        "DATA_LOSS",
        "UNAUTHENTICATED",
    ];
    NAMES
        .get(usize::try_from(code.checked_sub(1)?).ok()?)
        .copied()
}

/// The words of an HTML error page (a load balancer's 502 or 504): its title, else its text
/// without tags. `None` if the body is not HTML.
fn html_text(body: &str) -> Option<String> {
    let body = body.trim_start();
    if !body.starts_with('<') {
        return None;
    }
    // ASCII lower-casing keeps byte offsets, so positions found in `lower` cut `body`.
    let lower = body.to_ascii_lowercase();
    if let (Some(start), Some(end)) = (lower.find("<title>"), lower.find("</title>"))
        && start + "<title>".len() <= end
    {
        let title = collapse(&body[start + "<title>".len()..end]);
        if !title.is_empty() {
            return Some(title);
        }
    }
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    Some(collapse(&text))
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most BODY_EXCERPT characters, cut on a character boundary, with an ellipsis when cut.
pub fn excerpt(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(BODY_EXCERPT) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_status_json_gives_its_message() {
        let (code, m) =
            server_message(br#"{"code":5,"message":"credential not found","details":[]}"#);
        assert_eq!(code, Some(5));
        assert_eq!(m, "credential not found");
    }

    #[test]
    fn an_error_shaped_body_is_an_error_and_a_reply_is_not() {
        let status = |body: &str| error_status(body.as_bytes());
        assert_eq!(
            status(r#"{"code":7,"message":"permission denied","details":[]}"#),
            Some((
                "code 7, PERMISSION_DENIED".to_string(),
                "permission denied".to_string()
            ))
        );
        assert_eq!(
            status(r#"{"code":"permission_denied","message":""}"#),
            Some((
                "code permission_denied".to_string(),
                "no message".to_string()
            ))
        );
        assert_eq!(
            status(r#"{"code":99,"message":"odd"}"#).unwrap().0,
            "code 99"
        );
        for reply in [
            r#"{"code":0,"message":""}"#,
            r#"{"code":"OK","message":"fine"}"#,
            r#"{"code":7}"#,
            r#"{"code":7,"message":null}"#,
            r#"{"list":[],"nextPageToken":""}"#,
            r#"{}"#,
            r#"[{"code":7,"message":"x"}]"#,
            "not json",
        ] {
            assert_eq!(status(reply), None, "{reply}");
        }
    }

    #[test]
    fn an_html_error_page_gives_its_title_or_its_words() {
        let page = b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";
        assert_eq!(server_message(page), (None, "502 Bad Gateway".to_string()));
        let untitled = b"<HTML><BODY><H1>Gateway\n Timeout</H1> try later</BODY></HTML>";
        assert_eq!(
            server_message(untitled).1,
            "Gateway Timeout try later".to_string()
        );
        assert_eq!(server_message(b"<<<>").1, "");
        assert_eq!(server_message("<p>caf\u{e9}</p>".as_bytes()).1, "caf\u{e9}");
    }

    #[test]
    fn a_raw_body_is_cut() {
        let body = "x".repeat(10_000);
        let (_, m) = server_message(body.as_bytes());
        assert_eq!(m.chars().count(), BODY_EXCERPT + 1);
    }

    #[test]
    fn sizes_are_said_in_the_largest_whole_unit() {
        assert_eq!(size_text(8 * 1024 * 1024), "8 MiB");
        assert_eq!(size_text(64 * 1024), "64 KiB");
        assert_eq!(size_text(1536 * 1024), "1536 KiB");
        assert_eq!(size_text(1000), "1000 bytes");
    }

    #[test]
    fn the_display_names_call_status_and_message() {
        let e = ApiError::new(
            "get credential c1",
            ErrorKind::Status {
                status: 503,
                code: None,
                message: "overloaded".into(),
            },
        );
        assert_eq!(
            e.to_string(),
            "get credential c1: the server answered 503: overloaded"
        );
        assert_eq!(e.status(), Some(503));
    }
}

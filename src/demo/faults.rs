//! Fault injection: what the demo tenant does wrong, on purpose, and to which requests.
//!
//! A [`Faults`] value is a latency setting plus an ordered list of [`FaultRule`]s. For each
//! request the first rule whose [`RouteFilter`] matches and whose [`Share`] picks the request
//! decides the fault; later rules are not consulted. Shares are decided by per-rule counters
//! (or a PRNG seeded per rule), so a test always sees the same sequence of faults.
//!
//! ```
//! use credboard::demo::{Faults, FaultKind, FaultRule, RetryAfter, RouteFilter, RouteKind, Share};
//! // The first two credential gets answer 429 with `Retry-After: 1`, then all is well.
//! let faults = Faults::none().with(
//!     FaultRule::new(FaultKind::TooManyRequests(RetryAfter::Seconds(1)))
//!         .share(Share::FirstN(2))
//!         .routes(RouteFilter::Only(RouteKind::GetCredential)),
//! );
//! assert_eq!(faults.rules.len(), 1);
//! ```

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The calls the demo tenant serves, for statistics and for aiming faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RouteKind {
    /// `POST /auth/v1/token`
    Token,
    /// `GET /api/v1/apps`
    ListApps,
    /// `GET /api/v1/apps/{app_id}/connectors`
    ListConnectors,
    /// `GET /api/v1/apps/{app_id}/connectors/{connector_id}/credentials/{id}`
    GetCredential,
    /// `POST /api/v1/apps/{app_id}/connectors/{connector_id}/credentials/{id}`
    RevokeCredential,
    /// `POST /api/v1/apps/connectors/credentials`
    RotateCredential,
    /// `POST /api/v1/findings/search`
    SearchFindings,
    /// `POST /api/v1/systemlog/events`
    ListSystemLogEvents,
    /// Anything else (answered 404 or 405).
    Other,
}

impl RouteKind {
    pub const ALL: [RouteKind; 9] = [
        RouteKind::Token,
        RouteKind::ListApps,
        RouteKind::ListConnectors,
        RouteKind::GetCredential,
        RouteKind::RevokeCredential,
        RouteKind::RotateCredential,
        RouteKind::SearchFindings,
        RouteKind::ListSystemLogEvents,
        RouteKind::Other,
    ];

    /// List endpoints, where a repeated page token can be injected.
    pub fn is_list(self) -> bool {
        matches!(
            self,
            RouteKind::ListApps | RouteKind::ListConnectors | RouteKind::SearchFindings
        )
    }
}

/// The latest time an injected `Retry-After` date may name: an HTTP date cannot be written
/// past year 9999.
const LATEST_RETRY_DATE: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// Which requests a rule (or the latency) applies to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum RouteFilter {
    #[default]
    All,
    /// Every call except `POST /auth/v1/token`: the client can always get a token.
    ApiOnly,
    Only(RouteKind),
    Except(RouteKind),
    /// Any of these.
    AnyOf(Vec<RouteKind>),
}

impl RouteFilter {
    pub fn matches(&self, route: RouteKind) -> bool {
        match self {
            RouteFilter::All => true,
            RouteFilter::ApiOnly => route != RouteKind::Token,
            RouteFilter::Only(r) => *r == route,
            RouteFilter::Except(r) => *r != route,
            RouteFilter::AnyOf(rs) => rs.contains(&route),
        }
    }
}

/// How long to wait before answering. Counted in "in flight".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Latency {
    #[default]
    None,
    Fixed(Duration),
    /// Uniform between the two bounds (inclusive), from a seeded PRNG.
    Random {
        min: Duration,
        max: Duration,
    },
}

/// The `Retry-After` header sent with an injected 429.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryAfter {
    /// No header at all: the client must fall back to its own backoff.
    Absent,
    /// `Retry-After: N` (delay in seconds).
    Seconds(u64),
    /// `Retry-After: <HTTP date>` this far in the future (rounded to whole seconds; at
    /// most a hundred years).
    HttpDate(Duration),
    /// `Retry-After: <exactly this text>`: a negative number, a fraction, a date in year
    /// 9999, garbage. Text that cannot be a header value sends no header.
    Raw(String),
}

impl RetryAfter {
    /// The header's value, if one is sent.
    pub(crate) fn header_value(&self, now: std::time::SystemTime) -> Option<String> {
        match self {
            RetryAfter::Absent => None,
            RetryAfter::Seconds(s) => Some(s.to_string()),
            RetryAfter::HttpDate(d) => {
                Some(httpdate::fmt_http_date(now + (*d).min(LATEST_RETRY_DATE)))
            }
            RetryAfter::Raw(text) => Some(text.clone()),
        }
    }
}

/// What an injected fault does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// 429 with a gRPC RESOURCE_EXHAUSTED body.
    TooManyRequests(RetryAfter),
    /// A 5xx (500, 502, 503, 504 are the interesting ones; any status is accepted). 500 and
    /// 503 carry a gRPC-status JSON body; 502 and 504 an HTML page, as a load balancer sends;
    /// 403 and 404 a gRPC-status refusal (PERMISSION_DENIED, NOT_FOUND).
    Status(u16),
    /// The real status, with a body that is not JSON at all (syntax error).
    MalformedBody,
    /// The real status and headers, with the body cut in the middle (a valid JSON prefix).
    TruncatedBody,
    /// The real status and a Content-Length for the whole body, then part of the body and
    /// the connection is aborted.
    ConnectionReset,
    /// On list endpoints: the reply carries a `nextPageToken` that leads back to the same
    /// page, forever. Ignored on other routes.
    RepeatPageToken,
    /// On list endpoints: every page carries a `nextPageToken` never sent before, so the
    /// listing never ends; the pages after the first are empty. Ignored on other routes.
    EndlessPages,
    /// A 200 whose body is a `google.rpc.Status` error,
    /// `{"code":code,"message":message,"details":[]}`; the request is not carried out.
    ErrorBody { code: i32, message: String },
    /// A 200 of about this many bytes, the start of a list that goes on and on, generated
    /// as it is sent (never held in memory), without a Content-Length.
    HugeBody(u64),
    /// On the token endpoint: the real reply, with `expires_in` replaced by this JSON text
    /// (`18446744073709551615`, `-1`, `"3600"`, `null`...). Ignored on other routes.
    TokenExpiresIn(String),
}

impl FaultKind {
    /// Whether this fault can happen on `route` at all: a rule does not count requests it
    /// cannot apply to.
    fn applies_to(&self, route: RouteKind) -> bool {
        match self {
            // The system log pages through its body, which the endless fault cannot rewrite.
            FaultKind::RepeatPageToken => {
                route.is_list() || route == RouteKind::ListSystemLogEvents
            }
            FaultKind::EndlessPages => route.is_list(),
            FaultKind::TokenExpiresIn(_) => route == RouteKind::Token,
            _ => true,
        }
    }
}

/// Which of the matching requests a rule picks. Counting starts when faults are set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Share {
    Always,
    /// The first N matching requests, then none: "fail twice, then succeed".
    FirstN(u32),
    /// Matching requests number 1, N+1, 2N+1...: the first fails, the next N-1 succeed.
    /// `EveryNth(1)` is `Always`; `EveryNth(0)` never fires.
    EveryNth(u32),
    /// About this percentage (0..=100), from a PRNG seeded by the rule's position.
    Percent(u8),
}

/// One fault and the requests it applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    pub kind: FaultKind,
    pub share: Share,
    pub routes: RouteFilter,
}

impl FaultRule {
    /// A rule that applies to every request of every route; narrow it with
    /// [`share`](Self::share) and [`routes`](Self::routes).
    pub fn new(kind: FaultKind) -> Self {
        Self {
            kind,
            share: Share::Always,
            routes: RouteFilter::All,
        }
    }

    pub fn share(mut self, share: Share) -> Self {
        self.share = share;
        self
    }

    pub fn routes(mut self, routes: RouteFilter) -> Self {
        self.routes = routes;
        self
    }
}

/// Everything the demo tenant does wrong on purpose. The default does nothing wrong.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Faults {
    pub latency: Latency,
    /// Which requests the latency applies to.
    pub latency_routes: RouteFilter,
    /// Tried in order; the first rule that picks a request decides its fault.
    pub rules: Vec<FaultRule>,
}

impl Faults {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn with(mut self, rule: FaultRule) -> Self {
        self.rules.push(rule);
        self
    }

    pub fn with_latency(mut self, latency: Latency) -> Self {
        self.latency = latency;
        self
    }

    pub fn is_none(&self) -> bool {
        self.latency == Latency::None && self.rules.is_empty()
    }
}

/// The faults of a server and the counters that decide shares. Reset by `set_faults`.
pub(crate) struct FaultState {
    faults: Faults,
    counters: Vec<u64>,
    rngs: Vec<StdRng>,
    latency_rng: StdRng,
}

/// What to do with one request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Decision {
    pub delay: Option<Duration>,
    pub fault: Option<FaultKind>,
}

impl FaultState {
    pub fn new(faults: Faults) -> Self {
        let n = faults.rules.len();
        Self {
            counters: vec![0; n],
            rngs: (0..n as u64)
                .map(|i| StdRng::seed_from_u64(0xfa01_7000 + i))
                .collect(),
            latency_rng: StdRng::seed_from_u64(0x01a7_e0c7),
            faults,
        }
    }

    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    pub fn decide(&mut self, route: RouteKind) -> Decision {
        let delay = if self.faults.latency_routes.matches(route) {
            match &self.faults.latency {
                Latency::None => None,
                Latency::Fixed(d) => Some(*d),
                Latency::Random { min, max } => {
                    let (lo, hi) = (min.as_micros() as u64, max.as_micros() as u64);
                    let us = if hi > lo {
                        self.latency_rng.gen_range(lo..=hi)
                    } else {
                        lo
                    };
                    Some(Duration::from_micros(us))
                }
            }
        } else {
            None
        };
        let mut fault = None;
        for (i, rule) in self.faults.rules.iter().enumerate() {
            if !rule.routes.matches(route) {
                continue;
            }
            if !rule.kind.applies_to(route) {
                continue;
            }
            self.counters[i] += 1;
            let k = self.counters[i];
            let picked = match rule.share {
                Share::Always => true,
                Share::FirstN(n) => k <= u64::from(n),
                Share::EveryNth(0) => false,
                Share::EveryNth(n) => (k - 1).is_multiple_of(u64::from(n)),
                Share::Percent(p) => self.rngs[i].gen_range(0..100u8) < p.min(100),
            };
            if picked {
                fault = Some(rule.kind.clone());
                break;
            }
        }
        Decision { delay, fault }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picks(share: Share, n: usize) -> Vec<bool> {
        let mut st = FaultState::new(
            Faults::none().with(FaultRule::new(FaultKind::Status(503)).share(share)),
        );
        (0..n)
            .map(|_| st.decide(RouteKind::ListApps).fault.is_some())
            .collect()
    }

    #[test]
    fn shares_are_counted() {
        assert_eq!(picks(Share::FirstN(2), 4), [true, true, false, false]);
        assert_eq!(
            picks(Share::EveryNth(3), 7),
            [true, false, false, true, false, false, true]
        );
        assert_eq!(picks(Share::EveryNth(0), 3), [false; 3]);
        assert_eq!(picks(Share::Always, 2), [true, true]);
        let p = picks(Share::Percent(30), 1000);
        let hits = p.iter().filter(|x| **x).count();
        assert!((200..400).contains(&hits), "{hits}");
        assert_eq!(p, picks(Share::Percent(30), 1000), "deterministic");
    }

    #[test]
    fn routes_filter_and_first_rule_wins() {
        let mut st = FaultState::new(
            Faults::none()
                .with(
                    FaultRule::new(FaultKind::Status(500))
                        .routes(RouteFilter::Only(RouteKind::GetCredential)),
                )
                .with(FaultRule::new(FaultKind::RepeatPageToken))
                .with(FaultRule::new(FaultKind::MalformedBody).routes(RouteFilter::ApiOnly)),
        );
        assert_eq!(
            st.decide(RouteKind::GetCredential).fault,
            Some(FaultKind::Status(500))
        );
        assert_eq!(
            st.decide(RouteKind::ListApps).fault,
            Some(FaultKind::RepeatPageToken)
        );
        assert_eq!(
            st.decide(RouteKind::RevokeCredential).fault,
            Some(FaultKind::MalformedBody)
        );
        assert_eq!(st.decide(RouteKind::Token).fault, None);
    }

    #[test]
    fn route_bound_faults_skip_other_routes_without_counting_them() {
        let mut st = FaultState::new(
            Faults::none()
                .with(FaultRule::new(FaultKind::EndlessPages).share(Share::FirstN(1)))
                .with(
                    FaultRule::new(FaultKind::TokenExpiresIn("-1".into())).share(Share::FirstN(1)),
                ),
        );
        assert_eq!(st.decide(RouteKind::GetCredential).fault, None);
        assert_eq!(
            st.decide(RouteKind::Token).fault,
            Some(FaultKind::TokenExpiresIn("-1".into()))
        );
        assert_eq!(
            st.decide(RouteKind::ListConnectors).fault,
            Some(FaultKind::EndlessPages)
        );
        assert_eq!(st.decide(RouteKind::ListApps).fault, None);
    }

    #[test]
    fn retry_after_dates_stay_writable() {
        let now = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let far = RetryAfter::HttpDate(Duration::MAX)
            .header_value(now)
            .unwrap();
        assert!(httpdate::parse_http_date(&far).is_ok(), "{far}");
        assert_eq!(
            RetryAfter::Seconds(u64::MAX).header_value(now).as_deref(),
            Some("18446744073709551615")
        );
        assert_eq!(RetryAfter::Absent.header_value(now), None);
    }

    #[test]
    fn random_latency_stays_in_bounds() {
        let mut st = FaultState::new(Faults::none().with_latency(Latency::Random {
            min: Duration::from_millis(5),
            max: Duration::from_millis(9),
        }));
        for _ in 0..100 {
            let d = st.decide(RouteKind::Token).delay.unwrap();
            assert!(d >= Duration::from_millis(5) && d <= Duration::from_millis(9));
        }
    }
}

//! The demo tenant's system log: its seeded history (each seeded credential's creation, its
//! revoke, its latest sign-in, with unrelated events beside them) and every call made
//! against the server since it started, served by `POST /api/v1/systemlog/events`, oldest
//! first, paged, from `since` / `sinceEventUid`.
//!
//! The log holds small records and renders each event when it is served (`ocsf`), so a
//! tenant of 100,000 credentials keeps its history in a few MB. It keeps the latest
//! [`RETAINED`] events, as a real log keeps a retention window.

use std::collections::VecDeque;

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use serde_json::Value;

use super::faults::RouteKind;
use super::ocsf;
use super::state::Tenant;
use crate::api::model::ConnectorCredential;

/// The most events kept; older ones are dropped first.
pub(crate) const RETAINED: usize = 200_000;

/// How far back the seeded unrelated events reach.
const NOISE_DAYS: i64 = 400;

/// What the handler of a call tells the log about it, beyond its route and status.
#[derive(Debug, Clone)]
pub(crate) enum CallNote {
    /// A token request for this client id.
    Client(String),
    /// A rotate minted this credential (its record, never its secret).
    Minted(Box<ConnectorCredential>),
}

#[derive(Debug)]
struct Record {
    seq: u64,
    time: DateTime<Utc>,
    what: What,
}

#[derive(Debug)]
enum What {
    /// The seeded history of the credential at this index in the tenant's order.
    Created(u32),
    Revoked(u32),
    SignedIn(u32),
    /// The `n`th seeded event about nothing discovery wants.
    Noise(u32),
    Call(Box<Call>),
    /// An event added as is (`DemoServer::log_event`), for tests of other shapes.
    Custom(Box<Value>),
}

#[derive(Debug)]
struct Call {
    route: RouteKind,
    method: String,
    path: String,
    status: u16,
    note: Option<CallNote>,
}

pub(crate) struct SystemLog {
    records: VecDeque<Record>,
    next_seq: u64,
    host: String,
    /// The most records kept: [`RETAINED`].
    retained: usize,
}

/// `POST /api/v1/systemlog/events`'s body; unknown fields are ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct EventsRequest {
    page_size: Option<i64>,
    page_token: Option<String>,
    since: Option<String>,
    until: Option<String>,
    since_event_uid: Option<String>,
    until_event_uid: Option<String>,
    sort_direction: Option<String>,
}

const DEFAULT_PAGE_SIZE: i64 = 25;

impl SystemLog {
    /// A log with nothing in it yet, of the server at `host`.
    pub fn empty(host: &str) -> SystemLog {
        SystemLog {
            records: VecDeque::new(),
            next_seq: 1,
            host: host.to_string(),
            retained: RETAINED,
        }
    }

    /// The seeded history of `tenant` (built at `now` for `host`), oldest first.
    pub fn seeded(tenant: &Tenant, host: &str, now: DateTime<Utc>, seed: u64) -> SystemLog {
        let mut history: Vec<(DateTime<Utc>, What)> = Vec::new();
        for (i, c) in tenant.credentials().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            let past = |t: Option<DateTime<Utc>>| t.filter(|t| *t <= now);
            if let Some(t) = past(c.created_at) {
                history.push((t, What::Created(i)));
            }
            if let Some(t) = past(c.deleted_at) {
                history.push((t, What::Revoked(i)));
            }
            if let Some(t) = past(c.last_used_at) {
                history.push((t, What::SignedIn(i)));
            }
        }
        let mut rng = StdRng::seed_from_u64(seed ^ 0x5157_10c0);
        let noise = tenant.credential_count().max(30);
        for n in 0..noise {
            let ago = Duration::seconds(rng.gen_range(0..NOISE_DAYS * 86_400));
            history.push((now - ago, What::Noise(u32::try_from(n).unwrap_or(u32::MAX))));
        }
        history.sort_by_key(|(t, _)| *t);
        let mut log = SystemLog::empty(host);
        log.records.reserve(history.len().min(RETAINED));
        for (time, what) in history {
            log.push(time, what);
        }
        log
    }

    fn push(&mut self, time: DateTime<Utc>, what: What) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.records.push_back(Record { seq, time, what });
        if self.records.len() > self.retained {
            self.records.pop_front();
        }
    }

    /// Records a call that reached a handler.
    pub fn record_call(
        &mut self,
        time: DateTime<Utc>,
        route: RouteKind,
        method: &str,
        path: &str,
        status: u16,
        note: Option<CallNote>,
    ) {
        let call = Call {
            route,
            method: method.to_string(),
            path: path.to_string(),
            status,
            note,
        };
        self.push(time, What::Call(Box::new(call)));
    }

    /// Appends an event exactly as given, logged at `time`.
    pub fn record_custom(&mut self, time: DateTime<Utc>, event: Value) {
        self.push(time, What::Custom(Box::new(event)));
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// One page of events and the next page's token ("" after the last). With `repeat`,
    /// the token leads back to this same page (the repeated-token fault).
    pub fn page(
        &self,
        request: &EventsRequest,
        tenant: &Tenant,
        repeat: bool,
    ) -> Result<(Vec<Value>, String), String> {
        let descending = match request.sort_direction.as_deref().unwrap_or("") {
            "" | "SORT_DIRECTION_UNSPECIFIED" | "SORT_DIRECTION_ASC" => false,
            "SORT_DIRECTION_DESC" => true,
            other => return Err(format!("unknown sortDirection {other:?}")),
        };
        let since = time_field("since", &request.since)?;
        let until = time_field("until", &request.until)?;
        let after = uid_field("sinceEventUid", &request.since_event_uid)?;
        let before = uid_field("untilEventUid", &request.until_event_uid)?;
        let size = match request.page_size.unwrap_or(0) {
            n if n <= 0 => DEFAULT_PAGE_SIZE,
            n => n.clamp(10, 100),
        } as usize;
        let from = match request.page_token.as_deref().filter(|t| !t.is_empty()) {
            None => None,
            Some(t) => Some(decode_token(t, descending).ok_or("invalid page token")?),
        };
        let admits = |r: &&Record| {
            since.is_none_or(|s| r.time >= s)
                && until.is_none_or(|u| r.time <= u)
                && after.is_none_or(|a| r.seq > a)
                && before.is_none_or(|b| r.seq < b)
                && from.is_none_or(|f| if descending { r.seq < f } else { r.seq > f })
        };
        // Records are in seq order: start the walk where the page token points.
        let start = match (from, descending) {
            (Some(f), false) => self.records.partition_point(|r| r.seq <= f),
            _ => 0,
        };
        let mut matching: Box<dyn Iterator<Item = &Record>> = if descending {
            Box::new(self.records.iter().rev().filter(admits))
        } else {
            Box::new(self.records.range(start..).filter(admits))
        };
        let page: Vec<&Record> = matching.by_ref().take(size).collect();
        let more = matching.next().is_some();
        let next = match (repeat, page.last()) {
            (true, _) => encode_token(
                from.unwrap_or(if descending { u64::MAX } else { 0 }),
                descending,
            ),
            (false, Some(last)) if more => encode_token(last.seq, descending),
            _ => String::new(),
        };
        let events = page.iter().map(|r| self.render(r, tenant)).collect();
        Ok((events, next))
    }

    fn render(&self, r: &Record, tenant: &Tenant) -> Value {
        let uid = uid_of(r.seq);
        let seeded = |i: &u32| tenant.credential_in_order(*i as usize);
        match &r.what {
            What::Created(i) => match seeded(i) {
                Some(c) => ocsf::created(&uid, r.time, *i as usize, &as_created(c)),
                None => ocsf::noise(&uid, r.time, 3, "", "", &self.host),
            },
            What::Revoked(i) => match seeded(i) {
                Some(c) => ocsf::revoked(&uid, r.time, c),
                None => ocsf::noise(&uid, r.time, 3, "", "", &self.host),
            },
            What::SignedIn(i) => {
                let client = seeded(i).and_then(|c| c.client_id.clone());
                ocsf::signed_in(&uid, r.time, client.as_deref().unwrap_or(""), true)
            }
            What::Noise(n) => {
                let n = *n as usize;
                let app = tenant.apps.get(n % tenant.apps.len().max(1));
                let connector = tenant
                    .connectors
                    .get(n % tenant.apps.len().max(1))
                    .and_then(|k| k.first());
                let id =
                    |id: Option<&Option<String>>| id.and_then(|i| i.clone()).unwrap_or_default();
                ocsf::noise(
                    &uid,
                    r.time,
                    n,
                    &id(app.map(|a| &a.id)),
                    &id(connector.map(|k| &k.id)),
                    &self.host,
                )
            }
            What::Call(call) => match (&call.note, call.route) {
                (Some(CallNote::Client(client_id)), RouteKind::Token) => {
                    ocsf::signed_in(&uid, r.time, client_id, call.status == 200)
                }
                (Some(CallNote::Minted(credential)), _) => ocsf::rotated(&uid, r.time, credential),
                _ => ocsf::api_call(
                    &uid,
                    r.time,
                    call.route,
                    &call.method,
                    &call.path,
                    call.status,
                ),
            },
            What::Custom(event) => (**event).clone(),
        }
    }
}

/// A seeded credential as its creation's reply showed it: not yet used, revoked or changed.
fn as_created(c: &ConnectorCredential) -> ConnectorCredential {
    ConnectorCredential {
        updated_at: c.created_at,
        deleted_at: None,
        last_used_at: None,
        ..c.clone()
    }
}

/// Event uids are `evt-` and the event's number in the log.
fn uid_of(seq: u64) -> String {
    format!("evt-{seq:012}")
}

fn uid_field(name: &str, value: &Option<String>) -> Result<Option<u64>, String> {
    match value.as_deref().filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .strip_prefix("evt-")
            .and_then(|n| n.parse().ok())
            .map(Some)
            .ok_or_else(|| format!("{name} names no event of this log")),
    }
}

fn time_field(name: &str, value: &Option<String>) -> Result<Option<DateTime<Utc>>, String> {
    match value.as_deref().filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => DateTime::parse_from_rfc3339(v)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| format!("{name} is not an RFC 3339 time")),
    }
}

/// Page tokens are opaque to clients: base64url of the direction and the last event served.
fn encode_token(seq: u64, descending: bool) -> String {
    use base64::Engine;
    let dir = if descending { "desc" } else { "asc" };
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("v1|events|{dir}|{seq}"))
}

fn decode_token(token: &str, descending: bool) -> Option<u64> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let dir = if descending { "desc" } else { "asc" };
    text.strip_prefix(&format!("v1|events|{dir}|"))?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_of(n: usize) -> (SystemLog, Tenant) {
        let tenant = Tenant::default();
        let mut log = SystemLog::seeded(&tenant, "127.0.0.1:1", Utc::now(), 1);
        log.records.clear();
        let t0: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
        for i in 0..n {
            log.record_custom(
                t0 + Duration::seconds(i as i64),
                serde_json::json!({"n": i}),
            );
        }
        (log, tenant)
    }

    fn numbers(events: &[Value]) -> Vec<u64> {
        events.iter().map(|e| e["n"].as_u64().unwrap()).collect()
    }

    #[test]
    fn pages_ascending_from_since_and_after_an_event() {
        let (log, tenant) = log_of(30);
        let mut request = EventsRequest {
            page_size: Some(10),
            since: Some("2026-01-01T00:00:05Z".into()),
            ..Default::default()
        };
        let (first, next) = log.page(&request, &tenant, false).unwrap();
        assert_eq!(numbers(&first), (5..15).collect::<Vec<_>>());
        request.page_token = Some(next);
        let (second, _) = log.page(&request, &tenant, false).unwrap();
        assert_eq!(numbers(&second), (15..25).collect::<Vec<_>>());
        let first_seq = log.records[0].seq;
        let after = EventsRequest {
            since_event_uid: Some(uid_of(first_seq + 27)),
            ..Default::default()
        };
        let (rest, next) = log.page(&after, &tenant, false).unwrap();
        assert_eq!(numbers(&rest), [28, 29]);
        assert_eq!(next, "");
    }

    #[test]
    fn descending_and_refusals() {
        let (log, tenant) = log_of(12);
        let desc = EventsRequest {
            page_size: Some(10),
            sort_direction: Some("SORT_DIRECTION_DESC".into()),
            ..Default::default()
        };
        let (events, next) = log.page(&desc, &tenant, false).unwrap();
        assert_eq!(numbers(&events), (2..12).rev().collect::<Vec<_>>());
        assert!(!next.is_empty());
        for bad in [
            EventsRequest {
                since: Some("yesterday".into()),
                ..Default::default()
            },
            EventsRequest {
                since_event_uid: Some("nope".into()),
                ..Default::default()
            },
            EventsRequest {
                page_token: Some("garbage!".into()),
                ..Default::default()
            },
        ] {
            assert!(log.page(&bad, &tenant, false).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_oldest_events_go_past_the_retention() {
        let (mut log, tenant) = log_of(0);
        log.retained = 20;
        for i in 0..25 {
            log.record_custom(Utc::now(), serde_json::json!({ "n": i }));
        }
        assert_eq!(log.len(), 20);
        let (events, _) = log.page(&EventsRequest::default(), &tenant, false).unwrap();
        assert_eq!(numbers(&events), (5..25).collect::<Vec<_>>());
    }
}

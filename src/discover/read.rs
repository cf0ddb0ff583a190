//! Reading the system log for a run: page by page, each event read for candidates and
//! client ids (`extract`) and, with `--save-raw`, written out (`raw`), holding only what was
//! found, never the events themselves.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::Progress;
use super::extract::extract;
use super::raw::RawEvents;
use crate::api::systemlog::{EventPager, EventQuery, PagerState};
use crate::api::{ApiError, Client};
use crate::model::CredentialKey;
use crate::store::{LogCursor, Origin};

/// The most distinct candidates one run gathers (each costs a Get); past it the run stops
/// reading, as at its event cap, and the next run goes on from there.
const MAX_CANDIDATES: usize = 100_000;

/// A triple named in the log, as first seen in this run.
#[derive(Debug, Clone)]
pub(super) struct Candidate {
    pub key: CredentialKey,
    pub origin: Origin,
    /// Where the log had been read to before the event that named it: a cursor that does
    /// not pass it, so a run that could not verify it reads that event again.
    pub before: Option<LogCursor>,
}

/// A client id seen signing in, and when last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSeen {
    pub client_id: String,
    pub events: u64,
    pub last_seen: Option<LogCursor>,
}

/// How reading ended.
#[derive(Debug)]
pub(super) enum ReadEnd {
    /// The log was read to its end.
    Complete,
    /// The run's event, candidate or page cap was reached with more to read.
    Capped,
    /// A page could not be read; the pages before it were.
    Failed(ApiError),
}

/// What reading the log found.
#[derive(Debug)]
pub(super) struct Findings {
    pub events_read: u64,
    /// Events the server sent again that an earlier run had read (the cursor's own event).
    pub events_skipped: u64,
    pub candidates: Vec<Candidate>,
    pub rejected: usize,
    pub clients: Vec<ClientSeen>,
    /// The latest place read (events without a time cannot mark one).
    pub last: Option<LogCursor>,
    pub end: ReadEnd,
}

/// Reads the log as `query` asks, at most `max_events` events (and [`MAX_CANDIDATES`]). `read_before` is where an
/// earlier run stopped when the query continues from it: events at or before it are counted,
/// not read again. Fails only when the first page does, with nothing read.
pub(super) async fn read_log(
    client: &Client,
    query: EventQuery,
    read_before: Option<&LogCursor>,
    max_events: u64,
    mut raw: Option<&mut RawEvents>,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<Findings, ReadFailure> {
    let mut pager = EventPager::new(client, query);
    let mut found = Findings {
        events_read: 0,
        events_skipped: 0,
        candidates: Vec::new(),
        rejected: 0,
        clients: Vec::new(),
        last: None,
        end: ReadEnd::Complete,
    };
    let mut by_key: HashSet<CredentialKey> = HashSet::new();
    let mut clients: HashMap<String, usize> = HashMap::new();
    loop {
        let events = match pager.next_page(client).await {
            Ok(Some(events)) => events,
            Ok(None) => break,
            Err(e) if pager.pages() == 0 => return Err(ReadFailure::Api(e)),
            Err(e) => {
                found.end = ReadEnd::Failed(e);
                return Ok(found);
            }
        };
        for event in &events {
            if found.events_read >= max_events || found.candidates.len() >= MAX_CANDIDATES {
                found.end = ReadEnd::Capped;
                return Ok(found);
            }
            found.events_read += 1;
            if let Some(raw) = raw.as_deref_mut() {
                raw.write(event).map_err(ReadFailure::SaveRaw)?;
            }
            read_event(event, read_before, &mut found, &mut by_key, &mut clients);
        }
        progress(Progress::Read {
            events: found.events_read,
            pages: pager.pages(),
        });
    }
    if pager.state() == PagerState::Capped {
        found.end = ReadEnd::Capped;
    }
    Ok(found)
}

/// Why nothing could be read.
#[derive(Debug)]
pub(super) enum ReadFailure {
    Api(ApiError),
    SaveRaw(std::io::Error),
}

fn read_event(
    event: &Value,
    read_before: Option<&LogCursor>,
    found: &mut Findings,
    by_key: &mut HashSet<CredentialKey>,
    clients: &mut HashMap<String, usize>,
) {
    let e = extract(event);
    let here = e.time.map(|time| LogCursor {
        time,
        uid: e.uid.clone(),
    });
    if let (Some(here), Some(before)) = (&here, read_before)
        && (here.time < before.time || (here.time == before.time && here.uid == before.uid))
    {
        found.events_skipped += 1;
        return;
    }
    found.rejected += e.rejected;
    let origin = Origin {
        event_uid: e.uid.clone(),
        event_time: e.time,
    };
    for key in e.candidates {
        if by_key.insert(key.clone()) {
            found.candidates.push(Candidate {
                key,
                origin: origin.clone(),
                before: found.last.clone(),
            });
        }
    }
    for client_id in e.client_ids {
        let i = *clients.entry(client_id.clone()).or_insert_with(|| {
            found.clients.push(ClientSeen {
                client_id,
                events: 0,
                last_seen: None,
            });
            found.clients.len() - 1
        });
        let seen = &mut found.clients[i];
        seen.events += 1;
        if here.is_some() && here > seen.last_seen {
            seen.last_seen = here.clone();
        }
    }
    if here.is_some() && here > found.last {
        found.last = here;
    }
}

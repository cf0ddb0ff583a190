//! Request counting: how many requests each route served and how many were in flight at once.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::faults::RouteKind;

/// A snapshot of what the server has served since it started or since `reset_stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Requests received, every route included.
    pub total: u64,
    /// Requests received per route; routes never called are absent.
    pub by_route: BTreeMap<RouteKind, u64>,
    /// Requests being handled right now (injected latency included).
    pub in_flight: u64,
    /// The most requests in flight at once (injected latency included).
    pub peak_in_flight: u64,
    /// Requests answered with an injected fault (latency alone does not count).
    pub faults_injected: u64,
    /// Body bytes of injected huge replies handed to the connection: how much the client
    /// let the server send before it stopped reading.
    pub streamed_bytes: u64,
    /// System log events sent in replies to `POST /api/v1/systemlog/events`.
    pub system_log_events: u64,
}

impl Stats {
    /// Requests received on one route.
    pub fn route(&self, route: RouteKind) -> u64 {
        self.by_route.get(&route).copied().unwrap_or(0)
    }
}

#[derive(Default)]
pub(crate) struct Counters {
    inner: Mutex<Stats>,
}

impl Counters {
    /// Counts a request in; the guard counts it out when dropped.
    pub fn enter(&self, route: RouteKind) -> InFlight<'_> {
        let mut s = self.lock();
        s.total += 1;
        *s.by_route.entry(route).or_default() += 1;
        s.in_flight += 1;
        s.peak_in_flight = s.peak_in_flight.max(s.in_flight);
        InFlight { counters: self }
    }

    pub fn fault(&self) {
        self.lock().faults_injected += 1;
    }

    pub fn streamed(&self, bytes: u64) {
        self.lock().streamed_bytes += bytes;
    }

    pub fn events_served(&self, events: u64) {
        self.lock().system_log_events += events;
    }

    pub fn snapshot(&self) -> Stats {
        self.lock().clone()
    }

    /// Zeroes the counts; requests still in flight stay counted as in flight.
    pub fn reset(&self) {
        let mut s = self.lock();
        let in_flight = s.in_flight;
        *s = Stats {
            in_flight,
            peak_in_flight: in_flight,
            ..Stats::default()
        };
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Stats> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub(crate) struct InFlight<'a> {
    counters: &'a Counters,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut s = self.counters.lock();
        s.in_flight = s.in_flight.saturating_sub(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_peak() {
        let c = Counters::default();
        let a = c.enter(RouteKind::ListApps);
        let b = c.enter(RouteKind::GetCredential);
        drop(a);
        let _d = c.enter(RouteKind::GetCredential);
        drop(b);
        let s = c.snapshot();
        assert_eq!(s.total, 3);
        assert_eq!(s.route(RouteKind::GetCredential), 2);
        assert_eq!(s.route(RouteKind::Token), 0);
        assert_eq!(s.peak_in_flight, 2);
        assert_eq!(s.in_flight, 1);
        c.reset();
        let s = c.snapshot();
        assert_eq!((s.total, s.in_flight, s.peak_in_flight), (0, 1, 1));
    }
}

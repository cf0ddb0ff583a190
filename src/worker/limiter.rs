//! The worker's bound on requests in flight: served by priority, and adaptive to the server's
//! pushback (AIMD, as TCP does with congestion).
//!
//! - At most [`LimiterStats::limit`] permits are out at once. The limit starts at the
//!   configured maximum and never leaves `1..=max`.
//! - Waiters are served by [`Priority`], first come first served within one priority. A
//!   waiter that gives up (its future is dropped, e.g. a superseded refresh) leaves the queue
//!   and never keeps a permit.
//! - Pushback: when the pushback count (the 429 and 503 replies the client has seen, retried
//!   ones included) goes up, the limit halves. Once per burst: requests already granted when
//!   the limit was cut are part of that burst, so further pushback is ignored until one
//!   request granted after the cut has finished.
//! - Recovery: each time as many requests granted after the last cut have finished as the
//!   limit allows at once (about one round trip's worth), the limit goes up by one, back to
//!   the maximum.
//!
//! The rule itself is [`Aimd`]: plain state, no clock, no I/O, tested step by step.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::oneshot;

/// Who is waiting for a permit; earlier variants are served first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    /// Something the user asked for and is watching: revoke, rotate, a one-off fetch.
    User = 0,
    /// The pages of apps: a chain that the connector listings hang off.
    Apps = 1,
    /// An app's connectors: few, and they name what the credential rows belong to.
    Connectors = 2,
    /// Credential Gets: the bulk of a refresh.
    Credentials = 3,
}

impl Priority {
    const COUNT: usize = 4;
}

/// The additive-increase, multiplicative-decrease rule, by itself.
#[derive(Debug, Clone)]
pub struct Aimd {
    max: usize,
    limit: usize,
    in_flight: usize,
    /// The number the next grant gets; grants are numbered from 0.
    next: u64,
    /// Grants numbered below this were made before the last cut.
    cut_at: u64,
    /// A grant made after the last cut has finished: new pushback is a new burst.
    heard_since_cut: bool,
    /// Grants made after the last cut that finished since the limit last changed.
    earned: usize,
    lowest: usize,
    cuts: u64,
    raises: u64,
}

impl Aimd {
    pub fn new(max: usize) -> Self {
        let max = max.max(1);
        Self {
            max,
            limit: max,
            in_flight: 0,
            next: 0,
            cut_at: 0,
            heard_since_cut: true,
            earned: 0,
            lowest: max,
            cuts: 0,
            raises: 0,
        }
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    pub fn has_room(&self) -> bool {
        self.in_flight < self.limit
    }

    /// Hands out a permit and returns its number. Call only when [`has_room`](Self::has_room).
    pub fn grant(&mut self) -> u64 {
        debug_assert!(self.has_room());
        self.in_flight += 1;
        self.next += 1;
        self.next - 1
    }

    /// The request holding grant `n` has finished.
    pub fn finish(&mut self, n: u64) {
        self.in_flight = self.in_flight.saturating_sub(1);
        if n < self.cut_at {
            return;
        }
        self.heard_since_cut = true;
        self.earned += 1;
        if self.earned >= self.limit {
            self.earned = 0;
            if self.limit < self.max {
                self.limit += 1;
                self.raises += 1;
            }
        }
    }

    /// A grant was made but never used (its waiter had gone): only the slot comes back.
    pub fn return_unused(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    /// The server pushed back. Returns whether the limit was cut (false: same burst).
    pub fn pushback(&mut self) -> bool {
        if !self.heard_since_cut {
            return false;
        }
        self.limit = (self.limit / 2).max(1);
        self.lowest = self.lowest.min(self.limit);
        self.cut_at = self.next;
        self.heard_since_cut = false;
        self.earned = 0;
        self.cuts += 1;
        true
    }
}

/// What the limiter is doing, for tests, benchmarks and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimiterStats {
    /// The configured maximum.
    pub max: usize,
    /// Permits allowed out at once right now.
    pub limit: usize,
    pub in_flight: usize,
    /// The lowest limit so far.
    pub lowest: usize,
    /// How many times pushback cut the limit.
    pub cuts: u64,
    /// How many times the limit went back up by one.
    pub raises: u64,
    /// The pushback count last seen.
    pub pushback: u64,
}

/// A bound on requests in flight, shared by clones.
#[derive(Clone)]
pub struct Limiter {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<State>,
    /// A count that goes up each time the server pushes back.
    pushback: Box<dyn Fn() -> u64 + Send + Sync>,
}

struct State {
    aimd: Aimd,
    pushback_seen: u64,
    /// One queue per priority; a waiter is sent its grant's number.
    waiting: [VecDeque<oneshot::Sender<u64>>; Priority::COUNT],
}

impl Limiter {
    /// A fixed bound of `max` (at least 1), never cut.
    pub fn new(max: usize) -> Self {
        Self::with_pushback(max, || 0)
    }

    /// A bound of `max` at most, cut when `pushback()` goes up (see the module's rules).
    pub fn with_pushback(max: usize, pushback: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        let pushback_seen = pushback();
        Self {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    aimd: Aimd::new(max),
                    pushback_seen,
                    waiting: Default::default(),
                }),
                pushback: Box::new(pushback),
            }),
        }
    }

    /// Waits for a permit; the request it covers is in flight until the permit is dropped.
    /// Cancel-safe: dropping the future gives up the place in the queue.
    pub async fn acquire(&self, priority: Priority) -> Permit {
        let rx = {
            let mut state = self.lock();
            self.listen(&mut state);
            if state.aimd.has_room() {
                let n = state.aimd.grant();
                return Permit {
                    limiter: self.clone(),
                    n,
                };
            }
            let (tx, rx) = oneshot::channel();
            state.waiting[priority as usize].push_back(tx);
            rx
        };
        let mut waiting = Waiting {
            limiter: self,
            rx,
            granted: false,
        };
        let n = (&mut waiting.rx)
            .await
            .expect("a live limiter answers every waiter");
        waiting.granted = true;
        Permit {
            limiter: self.clone(),
            n,
        }
    }

    pub fn stats(&self) -> LimiterStats {
        let mut state = self.lock();
        self.listen(&mut state);
        let a = &state.aimd;
        LimiterStats {
            max: a.max,
            limit: a.limit,
            in_flight: a.in_flight,
            lowest: a.lowest,
            cuts: a.cuts,
            raises: a.raises,
            pushback: state.pushback_seen,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes in pushback that happened since the last look.
    fn listen(&self, state: &mut State) {
        let now = (self.inner.pushback)();
        if now > state.pushback_seen {
            state.pushback_seen = now;
            if state.aimd.pushback() {
                tracing::debug!(
                    limit = state.aimd.limit,
                    "the server pushed back; fewer requests at once"
                );
            }
        }
    }

    fn finish(&self, n: u64) {
        let mut state = self.lock();
        self.listen(&mut state);
        state.aimd.finish(n);
        Self::hand_out(&mut state);
    }

    fn return_unused(&self) {
        let mut state = self.lock();
        state.aimd.return_unused();
        Self::hand_out(&mut state);
    }

    /// Grants permits to waiters, most urgent first, while there is room.
    fn hand_out(state: &mut State) {
        'room: while state.aimd.has_room() {
            for queue in &mut state.waiting {
                while let Some(tx) = queue.pop_front() {
                    if tx.is_closed() {
                        continue;
                    }
                    let n = state.aimd.grant();
                    if tx.send(n).is_err() {
                        state.aimd.return_unused();
                        continue;
                    }
                    continue 'room;
                }
            }
            break;
        }
    }
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Limiter").field(&self.stats()).finish()
    }
}

/// Leave to have one request in flight; dropping it ends the request's turn.
#[derive(Debug)]
pub struct Permit {
    limiter: Limiter,
    n: u64,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.limiter.finish(self.n);
    }
}

/// A place in the queue. If it is dropped after a grant was sent but before it was taken,
/// the grant goes back.
struct Waiting<'a> {
    limiter: &'a Limiter,
    rx: oneshot::Receiver<u64>,
    granted: bool,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        if self.granted {
            return;
        }
        self.rx.close();
        if self.rx.try_recv().is_ok() {
            self.limiter.return_unused();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    use futures::FutureExt as _;

    /// Grants `k` permits, returning their numbers.
    fn grant(a: &mut Aimd, k: usize) -> Vec<u64> {
        (0..k).map(|_| a.grant()).collect()
    }

    #[test]
    fn never_more_than_the_limit() {
        let mut a = Aimd::new(3);
        let g = grant(&mut a, 3);
        assert!(!a.has_room());
        a.finish(g[0]);
        assert!(a.has_room());
        assert_eq!(a.in_flight(), 2);
        assert_eq!(Aimd::new(0).limit(), 1, "at least one");
    }

    #[test]
    fn a_burst_halves_the_limit_once() {
        let mut a = Aimd::new(16);
        let burst = grant(&mut a, 16);
        // Every request in flight is told to slow down: one cut, not four.
        assert!(a.pushback());
        assert!(!a.pushback());
        assert!(!a.pushback());
        assert_eq!(a.limit(), 8);
        // The old requests finishing neither reopen the window nor earn growth.
        for n in &burst[..12] {
            a.finish(*n);
        }
        assert!(!a.pushback());
        assert_eq!(a.limit(), 8);
        assert_eq!(a.in_flight(), 4);
        // A request granted after the cut finishes: the next pushback is a new burst.
        let fresh = a.grant();
        a.finish(fresh);
        assert!(a.pushback());
        assert_eq!(a.limit(), 4);
    }

    #[test]
    fn the_limit_never_drops_below_one() {
        let mut a = Aimd::new(2);
        for _ in 0..5 {
            assert!(a.pushback());
            assert_eq!(a.limit(), 1);
            assert!(a.has_room(), "one request at a time still goes");
            let n = a.grant();
            a.finish(n);
            // At 1, one completion is a round trip's worth: back to 2.
            assert_eq!(a.limit(), 2);
        }
        assert_eq!((a.lowest, a.cuts, a.raises), (1, 5, 5));
    }

    #[test]
    fn it_recovers_one_step_per_limit_completions_up_to_the_max() {
        let mut a = Aimd::new(8);
        grant(&mut a, 8);
        a.pushback();
        a.in_flight = 0; // the burst is over
        assert_eq!(a.limit(), 4);
        let mut finished = 0;
        let mut steps = vec![];
        while a.limit() < 8 {
            let n = a.grant();
            a.finish(n);
            finished += 1;
            steps.push((finished, a.limit()));
            assert!(finished < 100, "stuck at {}", a.limit());
        }
        // 4 completions to reach 5, 5 more to reach 6, then 6 more, then 7.
        let raised: Vec<_> = steps
            .windows(2)
            .filter(|w| w[1].1 > w[0].1)
            .map(|w| w[1])
            .collect();
        assert_eq!(raised, vec![(4, 5), (9, 6), (15, 7), (22, 8)]);
        for _ in 0..50 {
            let n = a.grant();
            a.finish(n);
        }
        assert_eq!(a.limit(), 8, "never above the max");
        assert_eq!(a.raises, 4);
    }

    #[test]
    fn unused_grants_only_return_the_slot() {
        let mut a = Aimd::new(2);
        a.pushback();
        assert_eq!(a.limit(), 1);
        a.grant();
        a.return_unused();
        assert_eq!(a.in_flight(), 0);
        assert!(
            !a.pushback(),
            "an unused grant says nothing about the server"
        );
    }

    /// Polls a future once; it must be pending.
    fn pending<F: std::future::Future + Unpin>(f: &mut F) {
        assert!(f.now_or_never().is_none(), "expected to wait");
    }

    #[tokio::test]
    async fn waiters_are_served_by_priority_then_in_order() {
        let limiter = Limiter::new(1);
        let first = limiter.acquire(Priority::Credentials).await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for (name, priority) in [
            ("get 1", Priority::Credentials),
            ("connectors 1", Priority::Connectors),
            ("get 2", Priority::Credentials),
            ("user", Priority::User),
            ("connectors 2", Priority::Connectors),
            ("apps", Priority::Apps),
        ] {
            let (limiter, order) = (limiter.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                let _permit = limiter.acquire(priority).await;
                order.lock().unwrap().push(name);
                assert_eq!(limiter.stats().in_flight, 1);
            }));
            // Let it reach the queue before the next one.
            tokio::task::yield_now().await;
        }
        drop(first);
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(
            *order.lock().unwrap(),
            [
                "user",
                "apps",
                "connectors 1",
                "connectors 2",
                "get 1",
                "get 2"
            ]
        );
        assert_eq!(limiter.stats().in_flight, 0);
    }

    #[tokio::test]
    async fn a_waiter_that_gives_up_keeps_no_permit() {
        let limiter = Limiter::new(1);
        let held = limiter.acquire(Priority::Credentials).await;
        let mut quitter = Box::pin(limiter.acquire(Priority::User));
        pending(&mut quitter);
        let mut next = Box::pin(limiter.acquire(Priority::Credentials));
        pending(&mut next);
        // The grant goes to the quitter, which never takes it: it must pass on.
        drop(held);
        drop(quitter);
        let permit = next.now_or_never().expect("the permit was passed on");
        assert_eq!(limiter.stats().in_flight, 1);
        drop(permit);
        // Quitting before any grant: nothing to return, and no one is left waiting.
        let held = limiter.acquire(Priority::Credentials).await;
        let mut quitter = Box::pin(limiter.acquire(Priority::User));
        pending(&mut quitter);
        drop(quitter);
        drop(held);
        assert_eq!(limiter.stats().in_flight, 0);
        let _again = limiter
            .acquire(Priority::Credentials)
            .now_or_never()
            .unwrap();
    }

    #[tokio::test]
    async fn pushback_cuts_the_limit_and_it_recovers() {
        let count = Arc::new(AtomicU64::new(0));
        let signal = count.clone();
        let limiter = Limiter::with_pushback(8, move || signal.load(Ordering::SeqCst));
        let mut held = Vec::new();
        for _ in 0..8 {
            held.push(limiter.acquire(Priority::Credentials).await);
        }
        // Three 429s during the burst.
        count.fetch_add(3, Ordering::SeqCst);
        drop(held.pop());
        let s = limiter.stats();
        assert_eq!((s.limit, s.cuts, s.pushback), (4, 1, 3));
        // Room only once fewer than 4 are out.
        let mut waiter = Box::pin(limiter.acquire(Priority::Credentials));
        pending(&mut waiter);
        held.truncate(4);
        pending(&mut waiter);
        held.pop();
        let w = waiter.now_or_never().expect("room at 3 of 4");
        drop(w);
        held.clear();
        // Requests keep succeeding: back to 8.
        for _ in 0..100 {
            drop(limiter.acquire(Priority::Credentials).await);
        }
        let s = limiter.stats();
        assert_eq!((s.limit, s.lowest, s.raises), (8, 4, 4));
    }
}

//! When a refresh stops trying: after [`UNANSWERED_IN_A_ROW`] calls in a row got no reply at
//! all, the tenant is taken to have stopped answering, and the rest of the refresh is not
//! sent (each call would cost its full timeout and retries). Plain state, tested step by
//! step; the refresh shares one behind a lock.

/// Calls in a row that get no answer at all before a refresh stops trying the rest: a tenant
/// that accepts connections but never answers would otherwise cost every remaining call its
/// full timeout and retries (minutes per hundred credentials).
pub const UNANSWERED_IN_A_ROW: usize = 8;

#[derive(Debug, Default)]
pub struct Breaker {
    unanswered: usize,
    open: bool,
}

impl Breaker {
    /// Records a call's outcome (`unanswered`: no reply came at all); true when this call
    /// opened the breaker, so that it is said once.
    pub fn record(&mut self, unanswered: bool) -> bool {
        if !unanswered {
            self.unanswered = 0;
            return false;
        }
        self.unanswered += 1;
        let opens = self.unanswered >= UNANSWERED_IN_A_ROW && !self.open;
        self.open |= opens;
        opens
    }

    pub fn is_open(&self) -> bool {
        self.open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_once_after_enough_unanswered_calls_in_a_row() {
        let mut b = Breaker::default();
        for _ in 1..UNANSWERED_IN_A_ROW {
            assert!(!b.record(true));
        }
        assert!(!b.is_open());
        assert!(b.record(true), "the eighth opens it");
        assert!(b.is_open());
        assert!(!b.record(true), "said once");
        assert!(
            !b.record(false) && b.is_open(),
            "an answer later does not close it"
        );
    }

    #[test]
    fn an_answer_starts_the_count_again() {
        let mut b = Breaker::default();
        for _ in 1..UNANSWERED_IN_A_ROW {
            b.record(true);
        }
        b.record(false);
        for _ in 1..UNANSWERED_IN_A_ROW {
            assert!(!b.record(true));
        }
        assert!(!b.is_open());
    }
}

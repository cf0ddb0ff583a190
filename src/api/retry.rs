//! When a failed request is sent again: the rule as plain data ([`Retries`]: no clock, no
//! I/O, tested step by step), and how long a `Retry-After` asks to wait. The client's loop
//! around it sends, sleeps and counts the time.
//!
//! - What may be sent again depends on the request ([`Replay`]): a rotate mints a credential,
//!   so it is sent again only when the server certainly did not act on it.
//! - The wait is the server's `Retry-After` when it sent one, else exponential backoff with
//!   jitter; a wait that would end past the time budget gives up at once instead of sleeping.

use std::time::{Duration, SystemTime};

/// The longest `Retry-After` taken as said; a longer one counts as this long. Far past any
/// retry budget, so the call gives up either way.
pub const LONGEST_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Backoff for retried calls: `base`, 2×, 4×... capped at `max_delay`, with jitter; at most
/// `max_tries` tries and `budget` in all. The defaults follow ConductorOne's Terraform
/// provider (1 s doubling to 30 s, 5 tries).
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_tries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    pub budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_tries: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            budget: Duration::from_secs(90),
        }
    }
}

/// Whether a request may be sent again after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Replay {
    /// Reads, revoke (revoking twice is harmless) and token minting: retried on 429, 5xx
    /// and transport errors.
    Safe,
    /// Rotate mints a credential: sending it twice could mint two. Retried only when the
    /// server certainly did not act on it: the connection was never made, or it answered 429.
    OnlyIfNotReceived,
}

/// What one failed try says about trying again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Failed {
    /// Worth sending again if the request is safe to replay (429, 5xx, a broken connection).
    pub retryable: bool,
    /// The server certainly did not act on the request.
    pub not_received: bool,
    /// The server's `Retry-After`, if it sent one that is a delay.
    pub retry_after: Option<Duration>,
}

/// What to do after a failed try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Next {
    /// Send it again after this wait.
    Retry(Duration),
    /// Sending it again cannot help, or is not safe.
    Fail,
    /// The tries or the time budget ran out; `asked_to_wait` is the server's wait when it
    /// was what would have passed the budget.
    GiveUp { asked_to_wait: Option<Duration> },
}

/// One request's retries so far.
#[derive(Debug, Clone)]
pub(super) struct Retries {
    policy: RetryPolicy,
    replay: Replay,
    tries: u32,
}

impl Retries {
    pub fn new(policy: RetryPolicy, replay: Replay) -> Self {
        Self {
            policy,
            replay,
            tries: 0,
        }
    }

    /// Tries made so far.
    pub fn tries(&self) -> u32 {
        self.tries
    }

    /// After a try that failed as `failed`, `elapsed` since the first try began: whether and
    /// when to send it again. `jitter` (0.5 to 1) scales the backoff, so that many clients
    /// backing off together spread out; the server's `Retry-After` is taken as said.
    pub fn after_failure(&mut self, failed: Failed, elapsed: Duration, jitter: f64) -> Next {
        self.tries += 1;
        let may_resend = match self.replay {
            Replay::Safe => failed.retryable,
            Replay::OnlyIfNotReceived => failed.not_received,
        };
        if !may_resend {
            return Next::Fail;
        }
        let delay = failed
            .retry_after
            .unwrap_or_else(|| backoff(self.policy, self.tries, jitter));
        let past_budget = |wait: Duration| elapsed.saturating_add(wait) > self.policy.budget;
        if self.tries >= self.policy.max_tries || past_budget(delay) {
            return Next::GiveUp {
                asked_to_wait: failed.retry_after.filter(|d| past_budget(*d)),
            };
        }
        Next::Retry(delay)
    }
}

/// `base × 2^(tries-1)`, capped, times `jitter` ("equal jitter" when it is drawn from 0.5
/// to 1: between half and all of it).
fn backoff(policy: RetryPolicy, tries: u32, jitter: f64) -> Duration {
    policy
        .base_delay
        .saturating_mul(1u32 << (tries - 1).min(16))
        .min(policy.max_delay)
        .mul_f64(jitter.clamp(0.0, 1.0))
}

/// A jitter for [`Retries::after_failure`]: drawn from 0.5 to 1.
pub(super) fn jitter() -> f64 {
    rand::random::<f64>() * 0.5 + 0.5
}

/// The wait a `Retry-After` value asks for at `now`: whole seconds (digits only, as RFC 9110
/// writes them) or an HTTP date (a past one is no wait), at most [`LONGEST_RETRY_AFTER`].
/// `None` for anything else (negative, fractions, words), so the client backs off on its own.
pub fn retry_after_delay(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let wait = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits for a u64 is still a number of seconds: the longest wait.
        value
            .parse::<u64>()
            .map_or(LONGEST_RETRY_AFTER, Duration::from_secs)
    } else {
        let when = httpdate::parse_http_date(value).ok()?;
        when.duration_since(now).unwrap_or(Duration::ZERO)
    };
    Some(wait.min(LONGEST_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_tries: 4,
            base_delay: S,
            max_delay: 5 * S,
            budget: 60 * S,
        }
    }

    const SERVER_ERROR: Failed = Failed {
        retryable: true,
        not_received: false,
        retry_after: None,
    };

    #[test]
    fn backoff_doubles_with_jitter_and_caps() {
        let p = RetryPolicy::default();
        for tries in 1..=10 {
            let d = backoff(p, tries, jitter());
            let full = p
                .base_delay
                .saturating_mul(1 << (tries - 1))
                .min(p.max_delay);
            assert!(d >= full / 2 && d <= full, "{tries}: {d:?}");
        }
    }

    #[test]
    fn a_failing_request_backs_off_step_by_step_then_gives_up() {
        let mut retries = Retries::new(policy(), Replay::Safe);
        let steps: Vec<Next> = (0..4)
            .map(|_| retries.after_failure(SERVER_ERROR, Duration::ZERO, 1.0))
            .collect();
        assert_eq!(
            steps,
            [
                Next::Retry(S),
                Next::Retry(2 * S),
                Next::Retry(4 * S),
                Next::GiveUp {
                    asked_to_wait: None
                }
            ]
        );
        assert_eq!(retries.tries(), 4);
        let mut retries = Retries::new(policy(), Replay::Safe);
        assert_eq!(
            retries.after_failure(SERVER_ERROR, Duration::ZERO, 0.5),
            Next::Retry(S / 2)
        );
    }

    #[test]
    fn the_backoff_is_capped() {
        let mut retries = Retries::new(
            RetryPolicy {
                max_tries: 10,
                ..policy()
            },
            Replay::Safe,
        );
        let waits: Vec<Next> = (0..5)
            .map(|_| retries.after_failure(SERVER_ERROR, Duration::ZERO, 1.0))
            .collect();
        assert_eq!(waits[3..], [Next::Retry(5 * S), Next::Retry(5 * S)]);
    }

    #[test]
    fn the_servers_wait_is_taken_as_said_unless_it_passes_the_budget() {
        let asked = |seconds| Failed {
            retry_after: Some(seconds * S),
            ..SERVER_ERROR
        };
        let mut retries = Retries::new(policy(), Replay::Safe);
        assert_eq!(
            retries.after_failure(asked(7), 10 * S, 1.0),
            Next::Retry(7 * S)
        );
        // 50 s in, a wait of 20 s would end past the 60 s budget: give up now, and say why.
        assert_eq!(
            retries.after_failure(asked(20), 50 * S, 1.0),
            Next::GiveUp {
                asked_to_wait: Some(20 * S)
            }
        );
        // Our own backoff passing the budget is not the server's asking.
        let mut retries = Retries::new(policy(), Replay::Safe);
        assert_eq!(
            retries.after_failure(SERVER_ERROR, 60 * S, 1.0),
            Next::GiveUp {
                asked_to_wait: None
            }
        );
    }

    #[test]
    fn a_rotate_is_sent_again_only_when_the_server_never_received_it() {
        let mut rotate = Retries::new(policy(), Replay::OnlyIfNotReceived);
        assert_eq!(
            rotate.after_failure(SERVER_ERROR, Duration::ZERO, 1.0),
            Next::Fail
        );
        let refused = Failed {
            not_received: true,
            ..SERVER_ERROR
        };
        let mut rotate = Retries::new(policy(), Replay::OnlyIfNotReceived);
        assert_eq!(
            rotate.after_failure(refused, Duration::ZERO, 1.0),
            Next::Retry(S)
        );
        let not_retryable = Failed {
            retryable: false,
            ..SERVER_ERROR
        };
        let mut read = Retries::new(policy(), Replay::Safe);
        assert_eq!(
            read.after_failure(not_retryable, Duration::ZERO, 1.0),
            Next::Fail
        );
    }

    #[test]
    fn a_retry_after_is_clamped_and_only_digits_or_a_date_count() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let wait = |v: &str| retry_after_delay(v, now);
        assert_eq!(wait(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(wait(&u64::MAX.to_string()), Some(LONGEST_RETRY_AFTER));
        assert_eq!(wait("99999999999999999999999"), Some(LONGEST_RETRY_AFTER));
        assert_eq!(
            wait("Fri, 31 Dec 9999 23:59:59 GMT"),
            Some(LONGEST_RETRY_AFTER)
        );
        assert_eq!(wait("Thu, 01 Jan 1970 00:00:00 GMT"), Some(Duration::ZERO));
        for no_delay in ["-1", "+3", "1.5", "", "soon", "0x10"] {
            assert_eq!(wait(no_delay), None, "{no_delay:?}");
        }
    }
}

//! One whole refresh from the command line, by the dashboard's own worker, so `list`,
//! `changes` and the dashboard fetch and store alike (and the change log records what every
//! refresh saw), and what it could not do, in words.

use std::sync::Arc;

use tokio::sync::mpsc;

use crate::app::{Effect, Fetched, WorkerMsg};
use crate::ops::Ops;
use crate::worker::Worker;

use super::Context;

/// What a refresh could not do, in words: each failed credential Get, each other call.
#[derive(Debug, Default)]
pub struct Failures {
    credentials: Vec<String>,
    others: Vec<String>,
}

impl Failures {
    pub fn is_empty(&self) -> bool {
        self.credentials.is_empty() && self.others.is_empty()
    }

    /// One line per kind of failure, in the order they first happened: "120 credentials
    /// could not be fetched: could not connect to the server". A failure of its own kind
    /// is said in full.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (cause, n) in by_cause(&self.credentials) {
            let what = if n == 1 { "credential" } else { "credentials" };
            out.push(format!("{n} {what} could not be fetched: {cause}"));
        }
        for (cause, n) in by_cause(&self.others) {
            match n {
                1 => {
                    let whole = self.others.iter().find(|m| failure_cause(m) == cause);
                    out.push(whole.map_or(cause, String::as_str).to_string());
                }
                n => out.push(format!("{n} calls of the refresh failed: {cause}")),
            }
        }
        out
    }

    /// The last line: how much of the list is not current.
    pub fn summary(&self, tracked: usize) -> String {
        if self.credentials.is_empty() {
            return match self.others.len() {
                1 => "1 call of the refresh failed; every credential was fetched".to_string(),
                n => format!("{n} calls of the refresh failed; every credential was fetched"),
            };
        }
        let others = match self.others.len() {
            0 => String::new(),
            1 => ", and 1 other call failed".to_string(),
            n => format!(", and {n} other calls failed"),
        };
        format!(
            "{} of {tracked} credentials could not be fetched{others}; the list shows the last \
             known state for those",
            self.credentials.len()
        )
    }
}

/// Failures counted by their cause, in the order each cause first came.
fn by_cause(messages: &[String]) -> Vec<(&str, usize)> {
    let mut out: Vec<(&str, usize)> = Vec::new();
    for m in messages {
        let cause = failure_cause(m);
        match out.iter_mut().find(|(c, _)| *c == cause) {
            Some((_, n)) => *n += 1,
            None => out.push((cause, 1)),
        }
    }
    out
}

/// Calls a failure is reported under, each followed by ": " and the failure; those ending
/// in a space name an id first.
const CALLS: [&str; 5] = [
    "get credential ",
    "list the connectors of app ",
    "list apps: ",
    "get an access token: ",
    "not fetched: ",
];

/// What failures of many calls share: the message without the call it befell and without
/// the retries it took (their count and time differ from call to call).
fn failure_cause(message: &str) -> &str {
    let mut rest = message;
    loop {
        let before = rest;
        for call in CALLS {
            if let Some(r) = rest.strip_prefix(call) {
                rest = match call.strip_suffix(' ') {
                    Some(_) => r.split_once(": ").map_or(r, |(_, r)| r),
                    None => r,
                };
            }
        }
        if let Some((_, r)) = rest
            .strip_prefix("gave up after ")
            .and_then(|r| r.split_once(": "))
        {
            rest = r;
        }
        if rest == before {
            return rest;
        }
    }
}

/// Refreshes every tracked credential, the apps and their connectors, read-only (a refresh
/// changes nothing on the tenant), and returns what failed.
pub async fn refresh(ctx: &Context) -> Failures {
    let (effects, effects_rx) = mpsc::unbounded_channel();
    let (results_tx, mut results) = mpsc::unbounded_channel();
    let actions = Arc::new(Ops::new(ctx.client.clone(), ctx.store.clone(), true));
    let worker = Worker::new(
        ctx.client.clone(),
        ctx.store.clone(),
        actions,
        ctx.settings.concurrency,
        results_tx,
    );
    let task = tokio::spawn(worker.run(effects_rx));
    let _ = effects.send(Effect::Refresh { generation: 1 });
    let mut failures = Failures::default();
    while let Some(msg) = results.recv().await {
        match msg {
            WorkerMsg::Credential {
                fetched: Fetched::Failed(e),
                ..
            } => failures.credentials.push(e.message),
            WorkerMsg::RefreshError { error, .. } | WorkerMsg::Error(error) => {
                failures.others.push(error.message)
            }
            WorkerMsg::RefreshDone { .. } => break,
            _ => {}
        }
    }
    drop(effects);
    let _ = task.await;
    failures
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::api::{ApiError, ErrorKind};

    fn refused(call: &str, elapsed_ms: u64) -> String {
        ApiError::new(
            call,
            ErrorKind::GaveUp {
                tries: 5,
                elapsed: Duration::from_millis(elapsed_ms),
                last: Box::new(ErrorKind::Transport {
                    what: "could not connect to the server".into(),
                    source: None,
                }),
                asked_to_wait: None,
            },
        )
        .to_string()
    }

    #[test]
    fn failures_alike_share_a_cause_whatever_the_call_and_the_time_it_took() {
        let token = refused("get an access token", 9_100);
        let get = refused("get credential 2abc", 1_200);
        let listing = format!("list apps: {}", refused("get an access token", 300));
        for m in [&token, &get, &listing] {
            assert_eq!(failure_cause(m), "could not connect to the server", "{m}");
        }
        let answered = ApiError::new(
            "get credential 2abc",
            ErrorKind::Status {
                status: 503,
                code: None,
                message: "service unavailable".into(),
            },
        )
        .to_string();
        assert_eq!(
            failure_cause(&answered),
            "the server answered 503: service unavailable"
        );
        assert_eq!(
            failure_cause("not fetched: the refresh stopped after 8 calls"),
            "the refresh stopped after 8 calls"
        );
        assert_eq!(
            failure_cause("the inventory is full"),
            "the inventory is full"
        );
    }

    #[test]
    fn one_line_per_kind_and_a_lone_failure_in_full() {
        let failures = Failures {
            credentials: vec![
                refused("get an access token", 9_100),
                refused("get credential 2abc", 1_200),
                "not fetched: the refresh stopped".into(),
            ],
            others: vec![
                "h is not answering; the refresh stopped".into(),
                format!("list apps: {}", refused("get an access token", 300)),
            ],
        };
        assert_eq!(
            failures.lines(),
            [
                "2 credentials could not be fetched: could not connect to the server".to_string(),
                "1 credential could not be fetched: the refresh stopped".to_string(),
                "h is not answering; the refresh stopped".to_string(),
                format!("list apps: {}", refused("get an access token", 300)),
            ]
        );
        assert_eq!(
            failures.summary(120),
            "3 of 120 credentials could not be fetched, and 2 other calls failed; the list \
             shows the last known state for those"
        );
    }
}

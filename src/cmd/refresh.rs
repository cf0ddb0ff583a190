//! One refresh by the dashboard's own worker, driven as `list` drives it, for the commands
//! that audit: they fetch and store exactly as the dashboard does.

use std::sync::Arc;

use tokio::sync::mpsc;

use crate::app::{Effect, Fetched, WorkerMsg};
use crate::ops::Ops;
use crate::worker::Worker;

use super::Context;

/// What a refresh could not do, in words.
#[derive(Debug, Default)]
pub(super) struct Refreshed {
    /// Each credential Get that failed.
    pub credentials: Vec<String>,
    /// Each other call that failed (listing apps, a token).
    pub others: Vec<String>,
}

impl Refreshed {
    pub fn is_complete(&self) -> bool {
        self.credentials.is_empty() && self.others.is_empty()
    }

    /// For stderr: the failed Gets in one line with the first cause, then each other
    /// failure (the same one said once).
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(first) = self.credentials.first() {
            let n = self.credentials.len();
            let what = if n == 1 { "credential" } else { "credentials" };
            out.push(format!(
                "{n} {what} could not be fetched; the first: {first}"
            ));
        }
        for (i, other) in self.others.iter().enumerate() {
            if !self.others[..i].contains(other) {
                out.push(other.clone());
            }
        }
        out
    }

    /// One sentence: "3 of 120 credentials could not be fetched, and 1 other call failed".
    pub fn summary(&self, tracked: usize) -> String {
        let others = match self.others.len() {
            0 => String::new(),
            1 => "1 other call failed".to_string(),
            n => format!("{n} other calls failed"),
        };
        match (self.credentials.len(), others.is_empty()) {
            (0, _) => format!("{others}; every credential was fetched"),
            (n, true) => format!("{n} of {tracked} credentials could not be fetched"),
            (n, false) => {
                format!("{n} of {tracked} credentials could not be fetched, and {others}")
            }
        }
    }
}

pub(super) async fn refresh(ctx: &Context) -> Refreshed {
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
    let mut failed = Refreshed::default();
    while let Some(msg) = results.recv().await {
        match msg {
            WorkerMsg::Credential {
                fetched: Fetched::Failed(e),
                ..
            } => failed.credentials.push(e),
            WorkerMsg::RefreshError { error, .. } | WorkerMsg::Error(error) => {
                failed.others.push(error)
            }
            WorkerMsg::RefreshDone { .. } => break,
            _ => {}
        }
    }
    drop(effects);
    let _ = task.await;
    failed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_counted_and_each_other_said_once() {
        let r = Refreshed {
            credentials: vec![
                "get credential a: boom".into(),
                "get credential b: boom".into(),
            ],
            others: vec!["list apps: 503".into(), "list apps: 503".into()],
        };
        assert_eq!(
            r.lines(),
            [
                "2 credentials could not be fetched; the first: get credential a: boom",
                "list apps: 503"
            ]
        );
        assert_eq!(
            r.summary(120),
            "2 of 120 credentials could not be fetched, and 2 other calls failed"
        );
        assert!(!r.is_complete());
    }
}

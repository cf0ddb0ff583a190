//! One whole refresh from the command line, by the dashboard's own worker (as `list` does),
//! so that the change log records what every command's refresh saw alike.

use std::sync::Arc;

use tokio::sync::mpsc;

use crate::app::{Effect, Fetched, WorkerMsg};
use crate::ops::Ops;
use crate::worker::Worker;

use super::Context;

/// What a refresh could not do, in words.
#[derive(Debug, Default)]
pub struct Failures {
    /// Messages of the credential Gets that failed.
    pub credentials: Vec<String>,
    /// Messages of the other calls and store writes that failed.
    pub others: Vec<String>,
}

impl Failures {
    pub fn is_empty(&self) -> bool {
        self.credentials.is_empty() && self.others.is_empty()
    }

    /// One line per kind: the count of failed Gets with the first one's message, then each
    /// other failure.
    pub fn lines(&self) -> Vec<String> {
        let gets = self
            .credentials
            .first()
            .map(|first| match self.credentials.len() {
                1 => format!("1 credential could not be fetched: {first}"),
                n => format!("{n} credentials could not be fetched; the first: {first}"),
            });
        gets.into_iter()
            .chain(self.others.iter().cloned())
            .collect()
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
            } => failures.credentials.push(e),
            WorkerMsg::RefreshError { error, .. } | WorkerMsg::Error(error) => {
                failures.others.push(error)
            }
            WorkerMsg::RefreshDone { .. } => break,
            _ => {}
        }
    }
    drop(effects);
    let _ = task.await;
    failures
}

//! `update` with the worker's part in the audit played here: a test that drives the state
//! without a worker still gets the findings a dashboard shows, run by the same
//! `app::findings::check` the worker runs, answered at once.

use crate::app::findings::{Rows, check};
use crate::app::{AuditJob, Effect, Msg, State, WorkerMsg};

/// The run of the checks `effects` ask the worker for, if any.
pub fn job_in(effects: impl IntoIterator<Item = Effect>) -> Option<Box<AuditJob>> {
    effects.into_iter().find_map(|e| match e {
        Effect::Audit(job) => Some(job),
        _ => None,
    })
}

/// [`crate::app::update`], then every run of the checks it asks for answered; returns the
/// other effects.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let mut out = Vec::new();
    let mut fx = crate::app::update(state, msg);
    loop {
        let mut asked = None;
        for e in fx {
            match e {
                Effect::Audit(job) => asked = Some(job),
                other => out.push(other),
            }
        }
        let Some(job) = asked else {
            return out;
        };
        // The stored inventory, right after its load, is what the rows are.
        let rows = match &job.rows {
            Rows::Stored => state.inventory.snapshot(),
            Rows::Shown(rows) => rows.clone(),
        };
        let checked = WorkerMsg::Checked(Ok(Box::new(check(&job, &rows))));
        fx = crate::app::update(state, Msg::Worker(checked));
    }
}

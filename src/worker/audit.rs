//! What the dashboard's audit needs from outside, fetched with each refresh: the inventory's
//! mutes (`credboard audit mute`) and the Findings API's exposed client ids (CB-1.7), read
//! the way `credboard audit` reads them. A tenant that does not offer the Findings API gets
//! "CB-1.7 not available", not a failure. And the checks themselves, run over the rows the
//! dashboard sends, on a blocking thread so that the event loop never waits on them.

use crate::api::findings::not_offered;
use crate::app::findings::{Rows, check};
use crate::app::{AuditInputs, AuditJob, WorkerMsg};
use crate::audit::checks::Exposure;
use crate::audit::mutes::Mute;
use crate::model::{Failure, FailureKind};
use crate::ops::blocking;
use crate::store::StoredMute;

use super::Worker;
use super::limiter::Priority;

impl Worker {
    /// Loads the mutes and asks the Findings API, then sends both.
    pub(super) async fn audit_inputs(self) {
        let mutes = blocking(&self.store, |s| s.mutes())
            .await
            .map(|stored| stored.iter().filter_map(mute_of).collect())
            .map_err(|e| Failure::from(&e));
        let answer = {
            let _permit = self.limiter.acquire(Priority::Connectors).await;
            self.client.exposed_credential_findings().await
        };
        let (exposure, failure) = match answer {
            Ok(found) => (Exposure::reported(found), None),
            Err(e) if not_offered(&e) => (Exposure::not_offered(&e.kind), None),
            Err(e) => {
                let failure = Failure::from(&e);
                (
                    Exposure::Unavailable(format!(
                        "the Findings API could not be asked: {}",
                        failure.message
                    )),
                    Some(failure),
                )
            }
        };
        self.send(WorkerMsg::Audit(AuditInputs {
            mutes,
            exposure,
            failure,
        }));
    }

    /// Runs the checks over the job's rows (the stored inventory read again, when the job
    /// says so) and sends what they found.
    pub(super) async fn check(self, job: Box<AuditJob>) {
        let store = self.store.clone();
        let checked = tokio::task::spawn_blocking(move || {
            let checked = match &job.rows {
                Rows::Shown(rows) => Box::new(check(&job, rows)),
                Rows::Stored => {
                    let stored = store.snapshot().map_err(|e| Failure::from(&e))?;
                    Box::new(check(&job, &stored))
                }
            };
            // The run freed far more than it keeps (every finding in `credboard audit`'s
            // form, the rows' copy, gone by now): hand it back, here, off the event loop.
            drop(job);
            crate::memory::give_back_freed();
            Ok(checked)
        })
        .await
        .unwrap_or_else(|e| {
            Err(Failure::new(
                FailureKind::Internal,
                format!("the checks stopped: {e}"),
            ))
        });
        self.send(WorkerMsg::Checked(checked));
    }
}

/// An inventory mute as the audit reads it: a lifted one mutes nothing, and one naming a
/// check this build does not know is left out (as `credboard audit` does, which says so).
fn mute_of(s: &StoredMute) -> Option<Mute> {
    s.lifted_at.is_none().then(|| s.mute()).flatten()
}

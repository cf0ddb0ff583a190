//! Discovery from the dashboard: one run of [`crate::discover::run`] in the background,
//! its progress sent as it goes, each credential it verifies and tracks sent as a row at
//! once, and what it did said at the end. It only reads the tenant and tracks: read-only
//! mode allows it.

use chrono::Utc;

use crate::app::{DiscoveryMsg, Fetched, WorkerMsg};
use crate::discover::{self, Progress, Report};
use crate::model::{Failure, FailureKind};

use super::Worker;

/// Gets in flight at once while verifying: few, beside whatever else the dashboard does.
const VERIFY_CONCURRENCY: usize = 4;

impl Worker {
    pub(super) async fn discover(self) {
        let options = discover::Options::new(Utc::now(), VERIFY_CONCURRENCY);
        let tx = self.tx.clone();
        let send = move |msg| {
            let _ = tx.send(msg);
        };
        let result = discover::run(&self.client, &self.store, &options, move |p| match p {
            Progress::Read { events, .. } => {
                send(WorkerMsg::Discovery(DiscoveryMsg::Read { events }))
            }
            Progress::Verifying { done, of } => {
                send(WorkerMsg::Discovery(DiscoveryMsg::Verifying { done, of }))
            }
            Progress::Found {
                key,
                credential,
                tracked: true,
            } => {
                send(WorkerMsg::Credential {
                    generation: None,
                    key,
                    fetched: Fetched::Found(*credential),
                    at: Utc::now(),
                });
                send(WorkerMsg::Discovery(DiscoveryMsg::Found));
            }
            Progress::Found { .. } => {}
        })
        .await;
        let done = result
            .map(|r| (summary(&r), r.newly_tracked))
            .map_err(|e| Failure::new(FailureKind::Server, e.to_string()));
        self.send(WorkerMsg::Discovery(DiscoveryMsg::Done(done)));
    }
}

/// What a run did, in a toast's words: "120 events read, 4 new credentials tracked".
pub fn summary(r: &Report) -> String {
    let mut s = format!(
        "{} events read, {} new credential{} tracked",
        r.events_read,
        r.newly_tracked,
        if r.newly_tracked == 1 { "" } else { "s" }
    );
    if r.already_known > 0 {
        s.push_str(&format!(", {} already known", r.already_known));
    }
    if !r.not_found.is_empty() {
        s.push_str(&format!(
            ", {} not found (404, not tracked)",
            r.not_found.len()
        ));
    }
    if !r.unverified.is_empty() {
        s.push_str(&format!(
            ", {} could not be verified (not tracked; the next run tries again)",
            r.unverified.len()
        ));
    }
    if let Some(e) = &r.read_error {
        s.push_str(&format!("; reading stopped early: {e}"));
    }
    s
}

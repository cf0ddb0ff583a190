//! What the dashboard's audit needs from outside, fetched with each refresh: the inventory's
//! mutes (`credboard audit mute`) and the Findings API's exposed client ids (CB-1.7), read
//! the way `credboard audit` reads them. A tenant that does not offer the Findings API gets
//! "CB-1.7 not available", not a failure.

use crate::api::findings::not_offered;
use crate::app::{AuditInputs, WorkerMsg};
use crate::audit::catalog::CheckId;
use crate::audit::checks::{Exposed, Exposure};
use crate::audit::mutes::{Mute, MuteOrigin, MuteTarget};
use crate::model::Failure;
use crate::ops::blocking;
use crate::store::{MuteScope, StoredMute};

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
            Ok(found) => (
                Exposure::Reported(
                    found
                        .into_iter()
                        .filter_map(|f| {
                            let evidence =
                                f.credential_publicly_exposed_evidence.unwrap_or_default();
                            Some(Exposed {
                                client_id: f.credential_publicly_exposed?.connector_client_id?,
                                state: f.state,
                                first_observed: evidence.first_observed_at,
                                source_url: evidence.source_url,
                            })
                        })
                        .collect(),
                ),
                None,
            ),
            Err(e) if not_offered(&e) => (
                Exposure::Unavailable(format!(
                    "{}; the Findings API is in early access and may not be enabled for this \
                     tenant or for this client",
                    e.kind
                )),
                None,
            ),
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
}

/// An inventory mute as the audit reads it: a lifted one mutes nothing, and one naming a
/// check this build does not know is left out (as `credboard audit` does, which says so).
fn mute_of(s: &StoredMute) -> Option<Mute> {
    if s.lifted_at.is_some() {
        return None;
    }
    Some(Mute {
        check: s.mute.check_id.parse::<CheckId>().ok()?,
        target: match &s.mute.scope {
            MuteScope::Credential(id) => MuteTarget::Credential(id.clone()),
            MuteScope::Connector(id) => MuteTarget::Connector(id.clone()),
        },
        reason: s.mute.reason.clone(),
        until: s.mute.until,
        origin: MuteOrigin::Inventory { id: s.id },
    })
}

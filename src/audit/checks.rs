//! The checks, as pure functions of the inventory, the policy, what the Findings API
//! reported, the mutes and `now`. See the catalog for what each looks for; the rules here
//! say exactly when it holds.
//!
//! - "Live" means fetched, and neither revoked, gone (404) nor expired (`expiresTime` at or
//!   before now). A credential never fetched is not live: nothing is known of it.
//! - A threshold of N days is met once N whole days have passed (an age of exactly 90 days
//!   breaks a rotation age of 90; 89 days and 23 hours does not). Expiring "within N days"
//!   includes an expiry exactly N days ahead.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::catalog::{CheckId, Severity};
use super::findings::{Audit, Finding, Labels, Subject, Unavailable};
use super::mutes::{Mute, muting};
use super::policy::Policy;
use crate::api::{Connector, ConnectorCredential};
use crate::model::{KnownCredential, Snapshot};

/// What ConductorOne's Findings API said about exposed credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exposure {
    /// It answered: every credential it reports publicly exposed.
    Reported(Vec<Exposed>),
    /// It could not be asked, or the tenant does not offer it: why, in words.
    Unavailable(String),
}

impl Exposure {
    /// The Findings API's answer: its `credentialPubliclyExposed` findings that name a
    /// client id.
    pub fn reported(found: Vec<crate::api::model::Finding>) -> Exposure {
        Exposure::Reported(
            found
                .into_iter()
                .filter_map(|f| {
                    let evidence = f.credential_publicly_exposed_evidence.unwrap_or_default();
                    Some(Exposed {
                        client_id: f.credential_publicly_exposed?.connector_client_id?,
                        state: f.state,
                        first_observed: evidence.first_observed_at,
                        source_url: evidence.source_url,
                    })
                })
                .collect(),
        )
    }

    /// A tenant, or a client, the Findings API is not offered to: `why` as the server said.
    pub fn not_offered(why: impl std::fmt::Display) -> Exposure {
        Exposure::Unavailable(format!(
            "{why}; the Findings API is in early access and may not be enabled for this tenant \
             or for this client"
        ))
    }
}

/// A `credentialPubliclyExposed` finding naming a connector credential's client id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposed {
    pub client_id: String,
    /// The finding's state as the server names it (`FINDING_STATE_OPEN`).
    pub state: Option<String>,
    pub first_observed: Option<DateTime<Utc>>,
    /// Where it was seen (server text).
    pub source_url: Option<String>,
}

/// Everything the checks look at.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub snapshot: &'a Snapshot,
    pub policy: Policy,
    pub exposure: &'a Exposure,
    pub mutes: &'a [Mute],
    pub now: DateTime<Utc>,
    /// Run only these checks; every check when empty.
    pub only: &'a [CheckId],
}

/// Runs the checks.
pub fn run(inputs: &Inputs<'_>) -> Audit {
    let ran: Vec<CheckId> = CheckId::ALL
        .into_iter()
        .filter(|c| inputs.only.is_empty() || inputs.only.contains(c))
        .collect();
    let mut run = Run::new(inputs);
    for &check in &ran {
        match check {
            CheckId::RotationAge => run.rotation_age(),
            CheckId::Unused => run.unused(),
            CheckId::NeverUsed => run.never_used(),
            CheckId::Overlap => run.overlap(),
            CheckId::NoExpiry => run.no_expiry(),
            CheckId::Expiry => run.expiry(),
            CheckId::Exposed => run.exposed(),
            CheckId::BrokenSync => run.broken_sync(),
            CheckId::Coverage => run.coverage(),
        }
    }
    let mut audit = Audit {
        findings: run.findings,
        ran,
        unavailable: run.unavailable,
    };
    audit.sort();
    audit
}

/// The server's record of a live credential: fetched, and neither revoked, gone nor
/// expired. (The dashboard's flags say the same; kept here until the two rule sets meet.)
fn live(c: &KnownCredential, now: DateTime<Utc>) -> Option<&ConnectorCredential> {
    let last = c.last.as_ref().filter(|_| !c.gone)?;
    let expired = last.expires_time.is_some_and(|t| t <= now);
    (last.deleted_at.is_none() && !expired).then_some(last)
}

/// "1 day", "214 days".
fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

/// "1 hour", "30 hours".
fn hours(n: i64) -> String {
    if n == 1 {
        "1 hour".into()
    } else {
        format!("{n} hours")
    }
}

/// Whether at least `n` whole days lie between `then` and `now`.
fn at_least_days(then: DateTime<Utc>, now: DateTime<Utc>, n: u32) -> bool {
    now - then >= Duration::days(n.into())
}

struct Run<'a> {
    inputs: &'a Inputs<'a>,
    apps: HashMap<&'a str, &'a str>,
    connectors: HashMap<&'a str, &'a Connector>,
    credentials: HashMap<&'a str, &'a KnownCredential>,
    findings: Vec<Finding>,
    unavailable: Vec<Unavailable>,
}

impl<'a> Run<'a> {
    fn new(inputs: &'a Inputs<'a>) -> Self {
        let apps = inputs
            .snapshot
            .apps
            .iter()
            .filter_map(|a| Some((a.id.as_deref()?, a.display_name.as_deref()?)))
            .collect();
        let connectors = inputs
            .snapshot
            .connectors
            .iter()
            .filter_map(|c| Some((c.id.as_deref()?, c)))
            .collect();
        let credentials = inputs
            .snapshot
            .credentials
            .iter()
            .map(|c| (c.key.credential_id.as_str(), c))
            .collect();
        Self {
            inputs,
            apps,
            connectors,
            credentials,
            findings: Vec::new(),
            unavailable: Vec::new(),
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.inputs.now
    }

    fn policy(&self) -> Policy {
        self.inputs.policy
    }

    /// Every tracked credential that is live, with its last known state.
    fn live(&self) -> impl Iterator<Item = (&'a KnownCredential, &'a ConnectorCredential)> {
        let now = self.now();
        self.inputs
            .snapshot
            .credentials
            .iter()
            .filter_map(move |c| Some((c, live(c, now)?)))
    }

    fn push(&mut self, check: CheckId, severity: Severity, subject: Subject, reason: String) {
        let labels = self.labels(&subject);
        let mute = muting(self.inputs.mutes, check, &subject, self.now()).cloned();
        self.findings.push(Finding {
            check,
            severity,
            subject,
            labels,
            reason,
            mute,
        });
    }

    fn push_credential(
        &mut self,
        check: CheckId,
        severity: Severity,
        c: &KnownCredential,
        why: String,
    ) {
        self.push(check, severity, Subject::Credential(c.key.clone()), why);
    }

    fn labels(&self, subject: &Subject) -> Labels {
        let credential = subject
            .credential_id()
            .and_then(|id| self.credentials.get(id))
            .and_then(|c| c.last.as_ref());
        Labels {
            credential_name: credential.and_then(|c| c.display_name.clone()),
            client_id: credential.and_then(|c| c.client_id.clone()),
            connector_name: self
                .connectors
                .get(subject.connector_id())
                .and_then(|c| c.display_name.clone()),
            app_name: self.apps.get(subject.app_id()).map(|n| n.to_string()),
        }
    }

    /// CB-1.1
    fn rotation_age(&mut self) {
        let (now, limit) = (self.now(), self.policy().rotation_days);
        let found: Vec<_> = self
            .live()
            .filter_map(|(k, c)| {
                let created = c.created_at?;
                at_least_days(created, now, limit).then(|| {
                    let age = (now - created).num_days();
                    (
                        k,
                        format!("created {} ago; policy: {}", days(age), days(limit.into())),
                    )
                })
            })
            .collect();
        for (k, why) in found {
            self.push_credential(CheckId::RotationAge, Severity::Medium, k, why);
        }
    }

    /// CB-1.2
    fn unused(&mut self) {
        let (now, limit) = (self.now(), self.policy().unused_days);
        let found: Vec<_> = self
            .live()
            .filter_map(|(k, c)| {
                let used = c.last_used_at?;
                at_least_days(used, now, limit).then(|| {
                    let idle = (now - used).num_days();
                    (
                        k,
                        format!(
                            "last used {} ago; policy: {}",
                            days(idle),
                            days(limit.into())
                        ),
                    )
                })
            })
            .collect();
        for (k, why) in found {
            self.push_credential(CheckId::Unused, Severity::Medium, k, why);
        }
    }

    /// CB-1.3
    fn never_used(&mut self) {
        let (now, grace) = (self.now(), self.policy().never_used_grace_days);
        let found: Vec<_> = self
            .live()
            .filter(|(_, c)| c.last_used_at.is_none())
            .filter_map(|(k, c)| {
                let created = c.created_at?;
                at_least_days(created, now, grace).then(|| {
                    let age = (now - created).num_days();
                    let why = format!(
                        "never used, created {} ago; policy: used within {}",
                        days(age),
                        days(grace.into())
                    );
                    (k, why)
                })
            })
            .collect();
        for (k, why) in found {
            self.push_credential(CheckId::NeverUsed, Severity::Medium, k, why);
        }
    }

    /// CB-1.4: a connector with more than one live credential whose newest is at least the
    /// overlap window old: the older ones should have been revoked by now. Only credentials
    /// with a creation time can be ordered; of two created at the same instant, the one
    /// with the greater id counts as the newest.
    fn overlap(&mut self) {
        let (now, window) = (self.now(), self.policy().overlap_days);
        let mut by_connector: HashMap<&str, Vec<(DateTime<Utc>, &KnownCredential)>> =
            HashMap::new();
        for (k, c) in self.live() {
            if let Some(created) = c.created_at {
                by_connector
                    .entry(k.key.connector_id.as_str())
                    .or_default()
                    .push((created, k));
            }
        }
        let mut found = Vec::new();
        for (_, mut list) in by_connector {
            if list.len() < 2 {
                continue;
            }
            list.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.key.cmp(&b.1.key)));
            let (newest, _) = *list.last().expect("two or more");
            if !at_least_days(newest, now, window) {
                continue;
            }
            let live = list.len();
            for (_, k) in &list[..live - 1] {
                let why = format!(
                    "one of {live} live credentials of its connector; the newest was created \
                     {} ago; policy: revoke the older ones within {}",
                    days((now - newest).num_days()),
                    days(window.into())
                );
                found.push((*k, why));
            }
        }
        for (k, why) in found {
            self.push_credential(CheckId::Overlap, Severity::Medium, k, why);
        }
    }

    /// CB-1.5
    fn no_expiry(&mut self) {
        let found: Vec<_> = self
            .live()
            .filter(|(_, c)| c.expires_time.is_none())
            .map(|(k, _)| k)
            .collect();
        for k in found {
            self.push_credential(
                CheckId::NoExpiry,
                Severity::Low,
                k,
                "it never expires".into(),
            );
        }
    }

    /// CB-1.6: high when expired and not revoked (nor gone), low when a live one expires
    /// within the warning window.
    fn expiry(&mut self) {
        let (now, warn) = (self.now(), self.policy().expiry_warning_days);
        let mut found = Vec::new();
        for k in &self.inputs.snapshot.credentials {
            let Some(c) = k.last.as_ref().filter(|_| !k.gone) else {
                continue;
            };
            let (Some(expires), None) = (c.expires_time, c.deleted_at) else {
                continue;
            };
            if expires <= now {
                let why = format!(
                    "expired {} ago and was not revoked",
                    days((now - expires).num_days())
                );
                found.push((Severity::High, k, why));
            } else if expires - now <= Duration::days(warn.into()) {
                let left = match (expires - now).num_days() {
                    0 => "in less than a day".to_string(),
                    n => format!("in {}", days(n)),
                };
                let why = format!("expires {left}; policy: warn {} ahead", days(warn.into()));
                found.push((Severity::Low, k, why));
            }
        }
        for (severity, k, why) in found {
            self.push_credential(CheckId::Expiry, severity, k, why);
        }
    }

    /// CB-1.7
    fn exposed(&mut self) {
        let reported = match self.inputs.exposure {
            Exposure::Reported(list) => list,
            Exposure::Unavailable(why) => {
                self.unavailable.push(Unavailable {
                    check: CheckId::Exposed,
                    why: why.clone(),
                });
                return;
            }
        };
        let now = self.now();
        let mut found = Vec::new();
        for (k, c) in self.live() {
            let Some(client_id) = c.client_id.as_deref() else {
                continue;
            };
            if let Some(e) = reported.iter().find(|e| e.client_id == client_id) {
                let mut why = "ConductorOne reports it publicly exposed".to_string();
                let mut facts = Vec::new();
                if let Some(state) = &e.state {
                    let state = state.strip_prefix("FINDING_STATE_").unwrap_or(state);
                    facts.push(format!("finding {}", state.to_ascii_lowercase()));
                }
                if let Some(t) = e.first_observed {
                    facts.push(format!(
                        "first seen {} ago",
                        days((now - t).num_days().max(0))
                    ));
                }
                if let Some(url) = &e.source_url {
                    facts.push(format!("at {url}"));
                }
                if !facts.is_empty() {
                    why = format!("{why} ({})", facts.join(", "));
                }
                found.push((k, why));
            }
        }
        for (k, why) in found {
            self.push_credential(CheckId::Exposed, Severity::Critical, k, why);
        }
    }

    /// CB-2.1
    fn broken_sync(&mut self) {
        let mut found = Vec::new();
        for (k, _) in self.live() {
            let Some(connector) = self.connectors.get(k.key.connector_id.as_str()) else {
                continue;
            };
            let status = connector.status.as_ref();
            let why = match status.and_then(|s| s.status.as_deref()) {
                Some("SYNC_STATUS_ERROR") => match status.and_then(|s| s.last_error.as_deref()) {
                    Some(error) => format!("its connector's sync is in error: {error}"),
                    None => "its connector's sync is in error".to_string(),
                },
                Some("SYNC_STATUS_DISABLED") => match &connector.sync_disabled_reason {
                    Some(reason) => format!("its connector's sync is disabled: {reason}"),
                    None => "its connector's sync is disabled".to_string(),
                },
                _ => continue,
            };
            found.push((k, why));
        }
        for (k, why) in found {
            self.push_credential(CheckId::BrokenSync, Severity::Low, k, why);
        }
    }

    /// CB-3.1: a connector (not deleted) without a tracked credential that is live or not
    /// yet fetched (one might be live), and a tracked credential that is not known dead and
    /// was not fetched within the window.
    fn coverage(&mut self) {
        let (now, limit) = (self.now(), self.policy().fetch_stale_hours);
        let snapshot = self.inputs.snapshot;
        let mut found = Vec::new();
        // The tracked credentials of each connector, in one pass (not one per connector).
        let mut by_connector: HashMap<&str, Vec<&KnownCredential>> = HashMap::new();
        for c in &snapshot.credentials {
            by_connector
                .entry(c.key.connector_id.as_str())
                .or_default()
                .push(c);
        }
        for connector in snapshot
            .connectors
            .iter()
            .filter(|c| c.deleted_at.is_none())
        {
            let Some(id) = connector.id.as_deref() else {
                continue;
            };
            let tracked: &[&KnownCredential] = by_connector.get(id).map_or(&[], Vec::as_slice);
            let covered = tracked
                .iter()
                .any(|c| live(c, now).is_some() || (c.last.is_none() && !c.gone));
            if covered {
                continue;
            }
            let why = match tracked.len() {
                0 => "no tracked credential: the inventory cannot see what this connector uses"
                    .to_string(),
                n => format!(
                    "none of its {n} tracked credentials is live (revoked, gone or expired): \
                     the one it uses is not tracked"
                ),
            };
            let subject = Subject::Connector {
                app_id: connector.app_id.clone().unwrap_or_default(),
                connector_id: id.to_string(),
            };
            found.push((subject, why));
        }
        for k in &snapshot.credentials {
            let dead = k.gone || k.last.as_ref().is_some_and(|c| c.deleted_at.is_some());
            if dead {
                continue;
            }
            let why = match k.fetched_at {
                None => "never fetched: nothing is known of it".to_string(),
                Some(at) if now - at >= Duration::hours(limit.into()) => {
                    let ago = (now - at).num_hours();
                    format!(
                        "last fetched {} ago; policy: {}",
                        hours(ago),
                        hours(limit.into())
                    )
                }
                Some(_) => continue,
            };
            found.push((Subject::Credential(k.key.clone()), why));
        }
        for (subject, why) in found {
            self.push(CheckId::Coverage, Severity::Info, subject, why);
        }
    }
}

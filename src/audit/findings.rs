//! What the checks find: one [`Finding`] per check and credential (or connector), with the
//! reason in words and the mute that applies, if any; and the whole [`Audit`]: its findings
//! in a stable order, the checks it ran and those that could not run.

use serde::Serialize;

use super::catalog::{CheckId, Severity};
use super::mutes::Mute;
use crate::model::CredentialKey;

/// What a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    Credential(CredentialKey),
    Connector {
        app_id: String,
        connector_id: String,
    },
}

impl Subject {
    pub fn app_id(&self) -> &str {
        match self {
            Subject::Credential(k) => &k.app_id,
            Subject::Connector { app_id, .. } => app_id,
        }
    }

    pub fn connector_id(&self) -> &str {
        match self {
            Subject::Credential(k) => &k.connector_id,
            Subject::Connector { connector_id, .. } => connector_id,
        }
    }

    pub fn credential_id(&self) -> Option<&str> {
        match self {
            Subject::Credential(k) => Some(&k.credential_id),
            Subject::Connector { .. } => None,
        }
    }

    /// "credential" or "connector".
    pub fn kind(&self) -> &'static str {
        match self {
            Subject::Credential(_) => "credential",
            Subject::Connector { .. } => "connector",
        }
    }
}

/// The names the server gave the subject, as last known (server text: sanitise to print).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Labels {
    pub credential_name: Option<String>,
    pub client_id: Option<String>,
    pub connector_name: Option<String>,
    pub app_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub check: CheckId,
    pub severity: Severity,
    pub subject: Subject,
    pub labels: Labels,
    /// Why, with the numbers: "created 214 days ago; policy: 90 days". May quote the server
    /// (a sync error): sanitise to print.
    pub reason: String,
    /// The mute in force that accepts this finding.
    pub mute: Option<Mute>,
}

impl Finding {
    /// The name to show: the credential's, else the connector's, else an id.
    pub fn name(&self) -> &str {
        let l = &self.labels;
        match &self.subject {
            Subject::Credential(k) => l.credential_name.as_deref().unwrap_or(&k.credential_id),
            Subject::Connector { connector_id, .. } => {
                l.connector_name.as_deref().unwrap_or(connector_id)
            }
        }
    }

    /// Unmuted and at or above `fail_on`.
    pub fn fails(&self, fail_on: Severity) -> bool {
        self.mute.is_none() && self.severity >= fail_on
    }
}

/// A check that was asked for and could not run, and why ("the tenant answered 403").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    pub check: CheckId,
    pub why: String,
}

/// Findings by severity, muted ones apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub info: usize,
    pub low: usize,
    pub medium: usize,
    pub high: usize,
    pub critical: usize,
    pub muted: usize,
}

impl Counts {
    pub fn of(&self, severity: Severity) -> usize {
        match severity {
            Severity::Info => self.info,
            Severity::Low => self.low,
            Severity::Medium => self.medium,
            Severity::High => self.high,
            Severity::Critical => self.critical,
        }
    }

    pub fn unmuted(&self) -> usize {
        self.info + self.low + self.medium + self.high + self.critical
    }
}

/// The result of one run of the checks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audit {
    /// Most severe first, then by check, app, connector, name and id: the same order on
    /// every run.
    pub findings: Vec<Finding>,
    /// The checks that ran, in catalog order.
    pub ran: Vec<CheckId>,
    pub unavailable: Vec<Unavailable>,
}

impl Audit {
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for f in &self.findings {
            if f.mute.is_some() {
                c.muted += 1;
                continue;
            }
            *match f.severity {
                Severity::Info => &mut c.info,
                Severity::Low => &mut c.low,
                Severity::Medium => &mut c.medium,
                Severity::High => &mut c.high,
                Severity::Critical => &mut c.critical,
            } += 1;
        }
        c
    }

    /// How many unmuted findings are at or above `fail_on`: any makes `audit` exit 3.
    pub fn failing(&self, fail_on: Severity) -> usize {
        self.findings.iter().filter(|f| f.fails(fail_on)).count()
    }

    /// Findings of one check: (unmuted, muted).
    pub fn by_check(&self, check: CheckId) -> (usize, usize) {
        self.findings
            .iter()
            .filter(|f| f.check == check)
            .fold((0, 0), |(u, m), f| match f.mute {
                Some(_) => (u, m + 1),
                None => (u + 1, m),
            })
    }

    pub(super) fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.check.cmp(&b.check))
                .then_with(|| a.labels.app_name.cmp(&b.labels.app_name))
                .then_with(|| a.labels.connector_name.cmp(&b.labels.connector_name))
                .then_with(|| a.name().cmp(b.name()))
                .then_with(|| a.subject.cmp(&b.subject))
        });
    }
}

//! What the auditor's report shows, gathered once for both of its formats: who and what was
//! audited, the counts, the charts' figures, the findings, the coverage, the mutes and the
//! journal of the period.

use chrono::{DateTime, NaiveDate, Utc};

use super::Provenance;
use crate::audit::catalog::CheckId;
use crate::audit::findings::{Audit, Subject};
use crate::audit::stats::{Figures, figures};
use crate::model::{JournalEntry, Snapshot};

/// How many of each the inventory holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub apps: usize,
    pub connectors: usize,
    pub tracked: usize,
    pub live: usize,
    pub revoked: usize,
    pub gone: usize,
    pub expired: usize,
    pub not_fetched: usize,
}

impl Counts {
    pub fn of(snapshot: &Snapshot, now: DateTime<Utc>) -> Counts {
        let mut c = Counts {
            apps: snapshot.apps.len(),
            connectors: snapshot.connectors.len(),
            tracked: snapshot.credentials.len(),
            ..Counts::default()
        };
        for k in &snapshot.credentials {
            match (&k.last, k.gone) {
                (_, true) => c.gone += 1,
                (None, false) => c.not_fetched += 1,
                (Some(last), false) if last.deleted_at.is_some() => c.revoked += 1,
                (Some(last), false) if last.expires_time.is_some_and(|t| t <= now) => {
                    c.expired += 1
                }
                (Some(_), false) => c.live += 1,
            }
        }
        c
    }
}

/// A connector the inventory cannot audit: no tracked credential is live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uncovered {
    pub app_id: String,
    pub connector_id: String,
    pub app_name: Option<String>,
    pub connector_name: Option<String>,
    pub why: String,
}

/// Where a mute stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MuteState {
    Active,
    /// Past its last day.
    Expired,
    /// Lifted with `credboard audit unmute`, at this time.
    Lifted(DateTime<Utc>),
}

/// One mute, from the settings or the inventory, as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MuteLine {
    /// `CB-1.2`, as written (a stored mute keeps the text it was set with).
    pub check: String,
    /// "credential 2Abc…" or "connector 2Xyz…".
    pub target: String,
    pub reason: String,
    pub until: NaiveDate,
    /// "settings, mute 1 (line 14)", "inventory mute #3".
    pub origin: String,
    /// When and by which profile it was set, for the inventory's.
    pub set: Option<(DateTime<Utc>, String)>,
    pub state: MuteState,
}

/// Everything the report shows.
#[derive(Debug, Clone)]
pub struct Document {
    pub provenance: Provenance,
    pub counts: Counts,
    pub audit: Audit,
    pub figures: Figures,
    pub coverage: Vec<Uncovered>,
    pub mutes: Vec<MuteLine>,
    /// Where the journal's period starts; it ends at `provenance.generated_at`.
    pub since: DateTime<Utc>,
    /// The journal of the period, newest first.
    pub journal: Vec<JournalEntry>,
}

impl Document {
    pub fn new(
        provenance: Provenance,
        snapshot: &Snapshot,
        audit: Audit,
        mutes: Vec<MuteLine>,
        since: DateTime<Utc>,
        journal: &[JournalEntry],
    ) -> Document {
        let now = provenance.generated_at;
        let coverage = audit
            .findings
            .iter()
            .filter(|f| f.check == CheckId::Coverage)
            .filter_map(|f| match &f.subject {
                Subject::Connector {
                    app_id,
                    connector_id,
                } => Some(Uncovered {
                    app_id: app_id.clone(),
                    connector_id: connector_id.clone(),
                    app_name: f.labels.app_name.clone(),
                    connector_name: f.labels.connector_name.clone(),
                    why: f.reason.clone(),
                }),
                Subject::Credential(_) => None,
            })
            .collect();
        Document {
            counts: Counts::of(snapshot, now),
            figures: figures(snapshot, &audit, provenance.policy, now),
            coverage,
            mutes,
            since,
            journal: journal
                .iter()
                .filter(|e| e.time >= since)
                .cloned()
                .collect(),
            audit,
            provenance,
        }
    }
}

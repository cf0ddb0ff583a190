//! The audit in the dashboard: the findings of `credboard audit`'s checks (`audit::checks`,
//! the same code, thresholds and mutes) over the rows, put on each row they are about, with
//! their counts by severity and the overview's figures (`audit::stats`). What needs I/O (the
//! inventory's mutes, the Findings API's exposed client ids for CB-1.7) the worker sends
//! with each refresh ([`AuditInputs`]).
//!
//! The checks run over every row at once, off the event loop: the state hands the worker an
//! [`AuditJob`] (the rows as they are, and the inputs), the worker runs [`check`] on a
//! blocking thread and sends back what it found ([`Checked`]), so keys are answered while
//! they run. One run at a time, asked once a batch of messages has been taken in; while a
//! refresh runs, at most every [`WHILE_REFRESHING`] seconds of `now`, and once more when it
//! ends. The clock moves findings too (an age crosses the policy): they are worked out again
//! at least every [`EVERY`] seconds of ticks.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::audit::catalog::{CheckId, Severity};
use crate::audit::checks::{self, Exposure, Inputs};
use crate::audit::findings::{Counts, Finding, Subject, Unavailable};
use crate::audit::mutes::Mute;
use crate::audit::policy::Policy;
use crate::audit::stats::{self, Figures};
use crate::model::{CredentialKey, Failure, Snapshot};
use crate::text;

use super::msg::{Effect, WorkerMsg};
use super::state::State;

/// While a refresh runs, the findings are worked out again at most this often (seconds).
pub const WHILE_REFRESHING: i64 = 5;
/// The findings are worked out again at least this often while the clock ticks (seconds).
pub const EVERY: i64 = 60;

/// What the checks need that only the worker can get, sent with each refresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditInputs {
    /// The inventory's mutes, lifted ones left out (`credboard audit mute`).
    pub mutes: Result<Vec<Mute>, Failure>,
    /// What the Findings API said about exposed credentials (CB-1.7).
    pub exposure: Exposure,
    /// The Findings API failed (not a tenant that lacks it): for the error history.
    pub failure: Option<Failure>,
}

/// One finding as a row carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowFinding {
    pub check: CheckId,
    pub severity: Severity,
    /// Why, with the numbers ("created 214 days ago; policy: 90 days"); may quote the
    /// server: sanitise to draw. (Shared by every row with the same words: every row keeps
    /// its findings, and a few thousand reasons cover a hundred thousand rows.)
    pub reason: Arc<str>,
    /// The mute in force that accepts it: shown as muted, never hidden. (Boxed: few
    /// findings are muted, and every row keeps its findings.)
    pub mute: Option<Box<Mute>>,
    /// About the row's connector rather than the credential itself (CB-3.1 on a connector
    /// whose tracked credentials are all dead).
    pub of_connector: bool,
}

/// The findings of one row, most severe first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowFindings {
    pub list: Vec<RowFinding>,
}

impl RowFindings {
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The highest severity among the unmuted findings.
    pub fn worst(&self) -> Option<Severity> {
        self.list
            .iter()
            .filter(|f| f.mute.is_none())
            .map(|f| f.severity)
            .max()
    }

    /// How many are muted.
    pub fn muted(&self) -> usize {
        self.list.iter().filter(|f| f.mute.is_some()).count()
    }

    /// Whether a check found something here (muted or not): for filters.
    pub fn has(&self, check: CheckId) -> bool {
        self.list.iter().any(|f| f.check == check)
    }
}

/// The last run of the checks and what it was run with.
#[derive(Debug, Clone)]
pub struct AuditState {
    /// The inventory's mutes, as the worker last loaded them.
    pub stored_mutes: Vec<Mute>,
    /// CB-1.7's input; "not asked yet" until the first refresh's answer.
    pub exposure: Exposure,
    /// The checks that could not run, and why (CB-1.7 on a tenant without the Findings API).
    pub unavailable: Vec<Unavailable>,
    /// Unmuted findings by severity, and the muted ones.
    pub counts: Counts,
    /// The overview's charts.
    pub figures: Option<Figures>,
    /// When the checks last ran (`now` then); `None`: never.
    pub computed_at: Option<DateTime<Utc>>,
    /// Something they read changed since.
    pub(crate) dirty: bool,
    /// A run was asked of the worker and is not answered yet.
    pub checking: bool,
    /// The rows are the stored inventory as loaded, unchanged since.
    pub(crate) rows_as_stored: bool,
}

impl Default for AuditState {
    fn default() -> Self {
        AuditState {
            stored_mutes: Vec::new(),
            exposure: Exposure::Unavailable("not asked yet: the first refresh asks".into()),
            unavailable: Vec::new(),
            counts: Counts::default(),
            figures: None,
            computed_at: None,
            dirty: true,
            checking: false,
            rows_as_stored: false,
        }
    }
}

/// Notes a worker message about to be taken in: the checks are due again if it changes what
/// they read, and the rows are the stored inventory only right after its load.
pub(crate) fn taking(state: &mut State, msg: &WorkerMsg) {
    if touches(msg) {
        state.audit.dirty = true;
        state.audit.rows_as_stored = matches!(msg, WorkerMsg::Inventory(Ok(_)));
    }
}

/// Whether a worker message changes what the checks read.
fn touches(msg: &WorkerMsg) -> bool {
    matches!(
        msg,
        WorkerMsg::Inventory(_)
            | WorkerMsg::Apps { .. }
            | WorkerMsg::Connectors { .. }
            | WorkerMsg::Credential { .. }
            | WorkerMsg::Revoked { .. }
            | WorkerMsg::Rotated { .. }
            | WorkerMsg::RefreshDone { .. }
            | WorkerMsg::Audit(_)
    )
}

/// Takes in what the worker loaded and asked for the checks.
pub(crate) fn on_inputs(state: &mut State, inputs: AuditInputs) {
    match inputs.mutes {
        Ok(mutes) => state.audit.stored_mutes = mutes,
        Err(e) => state.error(format!(
            "the inventory's audit mutes could not be read; the previous ones still apply: {}",
            e.message
        )),
    }
    // A Findings API that failed this time leaves what it last reported, as a credential
    // that could not be fetched keeps its last known state: an exposure does not vanish
    // because a call failed. A tenant that does not offer it is believed at once.
    let keep = inputs.failure.is_some() && matches!(state.audit.exposure, Exposure::Reported(_));
    if let Some(e) = inputs.failure {
        state.error(format!(
            "CB-1.7 could not be checked; its findings are those of the last answer: {}",
            e.message
        ));
    }
    if !keep {
        state.audit.exposure = inputs.exposure;
    }
    state.audit.dirty = true;
}

/// After a clock tick: the findings are due again once [`EVERY`] seconds have passed.
pub(crate) fn on_tick(state: &mut State) {
    let stale = state
        .audit
        .computed_at
        .is_none_or(|at| state.now - at >= Duration::seconds(EVERY) || state.now < at);
    if stale {
        state.audit.dirty = true;
    }
}

/// Asks the worker to run the checks again if something they read changed, none is running,
/// and it is time: the checks at 100,000 rows take long enough that the keys would wait on
/// them here. The job carries the rows as they are now, or, right after the load, says they
/// are the stored inventory.
pub(crate) fn request_if_due(state: &mut State) -> Option<Effect> {
    let a = &state.audit;
    if !a.dirty || !state.loaded || a.checking {
        return None;
    }
    let waiting = state.refresh.running.is_some()
        && a.computed_at
            .is_some_and(|at| state.now - at < Duration::seconds(WHILE_REFRESHING));
    if waiting {
        return None;
    }
    let rows = if std::mem::take(&mut state.audit.rows_as_stored) {
        Rows::Stored
    } else {
        Rows::Shown(state.inventory.snapshot())
    };
    let a = &state.audit;
    let job = AuditJob {
        rows,
        policy: state.options.policy,
        exposure: a.exposure.clone(),
        mutes: state
            .options
            .mutes
            .iter()
            .chain(&a.stored_mutes)
            .cloned()
            .collect(),
        now: state.now,
    };
    let a = &mut state.audit;
    a.checking = true;
    a.dirty = false;
    Some(Effect::Audit(Box::new(job)))
}

/// Which rows a run of the checks reads.
#[derive(Debug, Clone, PartialEq)]
pub enum Rows {
    /// The stored inventory, read again by the worker: right after the load the rows are
    /// exactly that, and copying 100,000 of them here would hold up the first frame.
    Stored,
    /// The rows as they are now, as the inventory's snapshot.
    Shown(Snapshot),
}

/// What one run of the checks reads: the rows, and the rest of their inputs as the state
/// holds them when it asks.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditJob {
    pub rows: Rows,
    pub policy: Policy,
    pub exposure: Exposure,
    pub mutes: Vec<Mute>,
    pub now: DateTime<Utc>,
}

/// A run of the checks, worked out for the rows: the findings of each row, their counts, the
/// checks that could not run and the overview's figures, as of `at`. (The findings as
/// `credboard audit` lists them stay on the worker: the rows carry them.)
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub counts: Counts,
    pub unavailable: Vec<Unavailable>,
    pub figures: Figures,
    pub by_row: ByRow,
    pub at: DateTime<Utc>,
}

/// Each row's findings, by the row's key (a coverage row's has an empty credential id).
pub type ByRow = HashMap<CredentialKey, RowFindings, foldhash::fast::RandomState>;

/// Runs the checks of `credboard audit` over `rows`, the job's (on the worker's thread pool).
pub fn check(job: &AuditJob, rows: &Snapshot) -> Checked {
    let audit = checks::run(&Inputs {
        snapshot: rows,
        policy: job.policy,
        exposure: &job.exposure,
        mutes: &job.mutes,
        now: job.now,
        only: &[],
    });
    let figures = stats::figures(rows, &audit, job.policy, job.now);
    let counts = audit.counts();
    let by_row = by_row(rows, audit.findings);
    Checked {
        counts,
        unavailable: audit.unavailable,
        figures,
        by_row,
        at: job.now,
    }
}

/// Takes in a run of the checks (or why it could not run). Says whether a row's findings
/// changed.
pub(crate) fn on_checked(state: &mut State, checked: Result<Box<Checked>, Failure>) -> bool {
    state.audit.checking = false;
    let checked = match checked {
        Ok(c) => *c,
        Err(e) => {
            state.error(format!(
                "the policy checks could not run; the findings shown are those of the last run: {}",
                e.message
            ));
            return false;
        }
    };
    let change = state.inventory.set_findings(checked.by_row);
    state.unsettled.merge(change);
    let a = &mut state.audit;
    a.counts = checked.counts;
    a.unavailable = checked.unavailable;
    a.figures = Some(checked.figures);
    a.computed_at = Some(checked.at);
    change.any()
}

/// Each finding on the row it is about: a credential's on its row; a connector's on its
/// coverage row (a connector with no tracked credential has one), or, when the connector has
/// tracked credentials (all dead), on each of them.
fn by_row(snapshot: &Snapshot, findings: Vec<Finding>) -> ByRow {
    let mut out = ByRow::default();
    let mut tracked: HashMap<(&str, &str), Vec<&CredentialKey>> = HashMap::new();
    for c in &snapshot.credentials {
        tracked
            .entry((c.key.app_id.as_str(), c.key.connector_id.as_str()))
            .or_default()
            .push(&c.key);
    }
    let mut reasons: HashMap<String, Arc<str>> = HashMap::new();
    for f in findings {
        // The mute moves onto the row (cloned only when a connector's finding lands on
        // several); the reason is each row's share of one copy of its words.
        let reason = match reasons.get(&f.reason) {
            Some(shared) => shared.clone(),
            None => {
                let shared: Arc<str> = Arc::from(f.reason.as_str());
                reasons.insert(f.reason, shared.clone());
                shared
            }
        };
        let one = RowFinding {
            check: f.check,
            severity: f.severity,
            reason,
            mute: f.mute.map(Box::new),
            of_connector: !matches!(f.subject, Subject::Credential(_)),
        };
        match f.subject {
            Subject::Credential(key) => out.entry(key).or_default().list.push(one),
            Subject::Connector {
                app_id,
                connector_id,
            } => match tracked.get(&(app_id.as_str(), connector_id.as_str())) {
                None => out
                    .entry(CredentialKey::new(
                        app_id.as_str(),
                        connector_id.as_str(),
                        "",
                    ))
                    .or_default()
                    .list
                    .push(one),
                // On each of the connector's tracked credentials (all dead).
                Some(keys) => {
                    for key in keys {
                        out.entry((*key).clone())
                            .or_default()
                            .list
                            .push(one.clone());
                    }
                }
            },
        }
    }
    // Kept by every row for as long as it shows them: no spare room.
    for row in out.values_mut() {
        row.list.shrink_to_fit();
    }
    out
}

/// The symbol drawn before a severity's word, so that it reads without colour.
pub fn severity_symbol(s: Severity) -> char {
    match s {
        Severity::Critical => '✖',
        Severity::High => '▲',
        Severity::Medium => '◆',
        Severity::Low => '◇',
        Severity::Info => '·',
    }
}

/// The symbol of a muted finding (accepted until its date): shown, never hidden.
pub const MUTED_SYMBOL: char = '◌';

/// One finding as the detail pane lists it: "◆ CB-1.1 medium: created 214 days ago; policy:
/// 90 days", and for a muted one, its mute's reason, last day and where it was set.
pub fn detail_text(f: &RowFinding) -> String {
    let about = if f.of_connector {
        "its connector: "
    } else {
        ""
    };
    let head = match &f.mute {
        None => format!("{} {} {}", severity_symbol(f.severity), f.check, f.severity),
        Some(_) => format!("{MUTED_SYMBOL} {} {} (muted)", f.check, f.severity),
    };
    let mut out = format!("{head}: {about}{}", text::sanitize(&f.reason));
    if let Some(m) = &f.mute {
        out.push_str(&format!(
            " — muted until {}: {} ({})",
            m.until.format("%Y-%m-%d"),
            text::sanitize(&m.reason),
            m.origin_text()
        ));
    }
    out
}

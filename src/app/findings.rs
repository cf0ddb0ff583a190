//! The audit in the dashboard: the findings of `credboard audit`'s checks (`audit::checks`,
//! the same code, thresholds and mutes) over the rows, put on each row they are about, with
//! their counts by severity and the overview's figures (`audit::stats`). Pure: what needs
//! I/O (the inventory's mutes, the Findings API's exposed client ids for CB-1.7) the worker
//! sends with each refresh ([`AuditInputs`]).
//!
//! The checks run over every row at once, so they run once a batch of messages has been
//! taken in, not per row; while a refresh runs, at most every [`WHILE_REFRESHING`] seconds of
//! `now`, and once more when it ends. The clock moves findings too (an age crosses the
//! policy): they are worked out again at least every [`EVERY`] seconds of ticks.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use crate::audit::catalog::{CheckId, Severity};
use crate::audit::checks::{self, Exposure, Inputs};
use crate::audit::findings::{Audit, Counts, Subject, Unavailable};
use crate::audit::mutes::Mute;
use crate::audit::stats::{self, Figures};
use crate::model::{CredentialKey, Failure};
use crate::text;

use super::msg::WorkerMsg;
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
    /// server: sanitise to draw.
    pub reason: String,
    /// The mute in force that accepts it: shown as muted, never hidden.
    pub mute: Option<Mute>,
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
    /// The findings, in `credboard audit`'s order.
    pub audit: Audit,
    /// Unmuted findings by severity, and the muted ones.
    pub counts: Counts,
    /// The overview's charts.
    pub figures: Option<Figures>,
    /// When the checks last ran (`now` then); `None`: never.
    pub computed_at: Option<DateTime<Utc>>,
    /// Something they read changed since.
    pub(crate) dirty: bool,
}

impl Default for AuditState {
    fn default() -> Self {
        AuditState {
            stored_mutes: Vec::new(),
            exposure: Exposure::Unavailable("not asked yet: the first refresh asks".into()),
            audit: Audit::default(),
            counts: Counts::default(),
            figures: None,
            computed_at: None,
            dirty: true,
        }
    }
}

impl AuditState {
    /// The checks that could not run, and why (CB-1.7 on a tenant without the Findings API).
    pub fn unavailable(&self) -> &[Unavailable] {
        &self.audit.unavailable
    }
}

/// Whether a worker message changes what the checks read.
pub(crate) fn touches(msg: &WorkerMsg) -> bool {
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

/// Runs the checks again if something they read changed, and it is time. Says whether a
/// row's findings changed.
pub(crate) fn recompute_if_due(state: &mut State) -> bool {
    let a = &state.audit;
    if !a.dirty || !state.loaded {
        return false;
    }
    let waiting = state.refresh.running.is_some()
        && a.computed_at
            .is_some_and(|at| state.now - at < Duration::seconds(WHILE_REFRESHING));
    if waiting {
        return false;
    }
    recompute(state)
}

/// Runs the checks over the rows now. Says whether a row's findings changed.
pub(crate) fn recompute(state: &mut State) -> bool {
    let now = state.now;
    let policy = state.options.policy;
    let snapshot = state.inventory.snapshot();
    let mutes: Vec<Mute> = state
        .options
        .mutes
        .iter()
        .chain(&state.audit.stored_mutes)
        .cloned()
        .collect();
    let audit = checks::run(&Inputs {
        snapshot: &snapshot,
        policy,
        exposure: &state.audit.exposure,
        mutes: &mutes,
        now,
        only: &[],
    });
    let figures = stats::figures(&snapshot, &audit, policy, now);
    let by_row = by_row(state, &audit);
    let change = state.inventory.set_findings(by_row);
    state.unsettled.merge(change);
    let a = &mut state.audit;
    a.counts = audit.counts();
    a.audit = audit;
    a.figures = Some(figures);
    a.computed_at = Some(now);
    a.dirty = false;
    change.any()
}

/// Each finding on the row it is about: a credential's on its row; a connector's on its
/// coverage row, or, when the connector has tracked credentials (all dead), on each of them.
fn by_row(state: &State, audit: &Audit) -> HashMap<CredentialKey, RowFindings> {
    let inv = &state.inventory;
    let mut out: HashMap<CredentialKey, RowFindings> = HashMap::new();
    let mut of_connector: Option<HashMap<(&str, &str), Vec<&CredentialKey>>> = None;
    for f in &audit.findings {
        let one = |of_connector| RowFinding {
            check: f.check,
            severity: f.severity,
            reason: f.reason.clone(),
            mute: f.mute.clone(),
            of_connector,
        };
        match &f.subject {
            Subject::Credential(key) => out.entry(key.clone()).or_default().list.push(one(false)),
            Subject::Connector {
                app_id,
                connector_id,
            } => {
                let row = CredentialKey::new(app_id, connector_id, "");
                if inv.position(&row).is_some() {
                    out.entry(row).or_default().list.push(one(true));
                    continue;
                }
                let keys = of_connector.get_or_insert_with(|| {
                    let mut m: HashMap<(&str, &str), Vec<&CredentialKey>> = HashMap::new();
                    for e in inv.entries() {
                        m.entry((e.key.app_id.as_str(), e.key.connector_id.as_str()))
                            .or_default()
                            .push(e.key);
                    }
                    m
                });
                for key in keys
                    .get(&(app_id.as_str(), connector_id.as_str()))
                    .into_iter()
                    .flatten()
                {
                    out.entry((*key).clone()).or_default().list.push(one(true));
                }
            }
        }
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

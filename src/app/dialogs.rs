//! Every dialog's data and how it moves: the revoke confirmation (typed for a risky one),
//! the rotate confirmation, the bulk plan (each risky row confirmed with its own text, then
//! the word) and its run, the help, journal and error windows, and the new secret's window.
//! A destructive dialog captures its target's ids when it opens; nothing that arrives while
//! it is open can change them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::api::SecretString;
use crate::audit::{self, Flags, Status};
use crate::model::{CredentialKey, Failure};

use super::confirm::{self, TextOf};
use super::inventory::{Entry, EntryKind, Inventory, Pending};
use super::msg::JournalLine;

/// The revoke confirm dialog. Everything it acts on is captured when it opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokeDialog {
    pub key: CredentialKey,
    pub name: Option<String>,
    pub client_id: Option<String>,
    pub last_used: Option<DateTime<Utc>>,
    pub app_name: String,
    pub connector_name: String,
    /// It had expired when the dialog opened: revoking it stops nothing that works now.
    pub expired: bool,
    /// Set when the revoke is risky: the user must type the credential's own text, then Enter.
    pub typed: Option<TypedConfirm>,
    /// Opened from the rotations window: the old credential of this rotation.
    pub rotation: Option<crate::rotation::RotationId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedConfirm {
    /// Text that tells this credential apart from every other (see `confirm::confirmation_text`).
    pub expected: String,
    pub expected_of: TextOf,
    pub input: String,
    /// Why a typed confirmation is needed ("used 2 days ago", "last live credential").
    pub reasons: Vec<String>,
    /// Enter was pressed with the wrong text.
    pub mismatch: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotateDialog {
    pub app_id: String,
    pub connector_id: String,
    pub app_name: String,
    pub connector_name: String,
    /// Tracked credentials of the connector a rotation would replace now: live, not expired.
    pub live: usize,
}

/// A credential in a bulk plan or run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanItem {
    pub key: CredentialKey,
    pub name: Option<String>,
    pub client_id: Option<String>,
    pub flags: Flags,
    pub status: Status,
    /// Why revoking it is risky, in words ("used 18m ago"); empty when it is not.
    pub risks: Vec<String>,
    /// For a risky item: the text it must be confirmed with, as its single revoke would be.
    pub confirm: Option<(TextOf, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkPlan {
    /// The risky targets first (each confirmed with its own text), then the others.
    pub targets: Vec<PlanItem>,
    /// Marked but not revoked: already revoked or gone, or being revoked.
    pub skipped: Vec<(PlanItem, &'static str)>,
    pub input: String,
    pub mismatch: bool,
    pub scroll: usize,
    /// How many risky targets have been confirmed so far.
    pub confirmed: usize,
}

impl BulkPlan {
    pub fn risky(&self) -> usize {
        self.targets.iter().filter(|t| t.confirm.is_some()).count()
    }

    /// Lines of the plan's list: one per target, one more under each risky target for its
    /// reasons, then a blank line and the skipped.
    pub fn list_lines(&self) -> usize {
        let skipped = match self.skipped.len() {
            0 => 0,
            n => n + 1,
        };
        self.targets.len() + self.risky() + skipped
    }

    /// The list line target `i` starts on.
    pub fn line_of(&self, i: usize) -> usize {
        i + i.min(self.risky())
    }

    /// What the input must match now: the next unconfirmed risky target (its index) and its
    /// text, or, once every risky one is confirmed, `None` and the word for the whole plan.
    pub fn expected(&self) -> (Option<usize>, &str) {
        match self
            .targets
            .get(self.confirmed)
            .and_then(|t| t.confirm.as_ref())
        {
            Some((_, text)) => (Some(self.confirmed), text),
            None => (None, BULK_WORD),
        }
    }
}

/// The word a bulk revoke must be confirmed with.
pub const BULK_WORD: &str = "revoke";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkOutcome {
    Pending,
    Revoked,
    AlreadyGone,
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkRun {
    pub items: Vec<(PlanItem, BulkOutcome)>,
    pub skipped: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BulkSummary {
    pub pending: usize,
    pub revoked: usize,
    pub already_gone: usize,
    pub failed: usize,
}

impl BulkRun {
    pub fn summary(&self) -> BulkSummary {
        let mut s = BulkSummary::default();
        for (_, o) in &self.items {
            match o {
                BulkOutcome::Pending => s.pending += 1,
                BulkOutcome::Revoked => s.revoked += 1,
                BulkOutcome::AlreadyGone => s.already_gone += 1,
                BulkOutcome::Failed(_) => s.failed += 1,
            }
        }
        s
    }

    pub fn finished(&self) -> bool {
        self.summary().pending == 0
    }
}

/// A new credential's secret, shown once. Dropping this zeroizes the secret.
#[derive(Debug)]
pub struct SecretView {
    pub app_id: String,
    pub connector_id: String,
    pub credential_id: String,
    pub client_id: Option<String>,
    pub name: Option<String>,
    pub(crate) secret: SecretString,
    pub revealed: bool,
    /// A close key was pressed once: the next one closes for good.
    pub close_armed: bool,
    /// Why the inventory has not recorded this credential yet; `None` once it has.
    pub unrecorded: Option<Failure>,
}

impl SecretView {
    /// What the modal shows: masked (`secret-token:conductorone.com:v1:••••••••`, never
    /// revealing the length) unless revealed.
    pub fn shown(&self) -> String {
        let s = self.secret.expose();
        if self.revealed {
            return s.to_string();
        }
        let prefix = if s.starts_with("secret-token:") {
            s.rfind(':').map(|i| &s[..=i]).unwrap_or("")
        } else {
            ""
        };
        format!("{prefix}••••••••")
    }
}

#[derive(Debug)]
pub enum Modal {
    Help {
        scroll: usize,
    },
    Errors {
        scroll: usize,
    },
    Journal {
        lines: Option<Vec<JournalLine>>,
        scroll: usize,
    },
    Revoke(RevokeDialog),
    Rotate(RotateDialog),
    BulkPlan(BulkPlan),
    /// The progress and summary of the current bulk run (`State::bulk`).
    Bulk {
        scroll: usize,
    },
    /// The audit's charts (`State::audit`'s figures); it fits the screen, nothing scrolls.
    Overview,
    /// Every rotation (`State::rotations`).
    Rotations(super::rotations::RotationsWindow),
    /// The change log (`State::changes`).
    Changes {
        scroll: usize,
    },
    /// Abandon a rotation? y/n.
    Abandon(super::rotations::AbandonDialog),
}

/// Why an open dialog cannot revoke this row, in words; `None` when it can.
pub fn not_revocable(e: &Entry) -> Option<&'static str> {
    if e.kind == EntryKind::Connector {
        Some("this connector has no tracked credential, nothing to revoke")
    } else if e.flags.contains(Flags::GONE) {
        Some("this credential is gone (404): nothing to revoke")
    } else if e.flags.contains(Flags::REVOKED) {
        Some("this credential is already revoked")
    } else if e.pending == Some(Pending::Revoking) {
        Some("this credential is being revoked")
    } else {
        None
    }
}

impl RevokeDialog {
    /// The dialog for revoking `e`, its ids captured now. A risky revoke (see
    /// `audit::risks`) asks for the credential's own text.
    pub fn open(inv: &Inventory, e: &Entry, now: DateTime<Utc>, recent_use_days: i64) -> Self {
        let key = e.key.clone();
        let last_used = e.last.as_ref().and_then(|c| c.last_used_at);
        let client_id = e.client_id().map(str::to_string);
        let connector_name = inv
            .connector_name(&key.app_id, &key.connector_id)
            .to_string();
        let leaves = audit::Leaves {
            may_work: e.flags.may_work(),
            live: inv.live_credentials(&key.app_id, &key.connector_id),
            together: 1,
        };
        let risks = audit::risks(last_used, now, recent_use_days, &connector_name, leaves);
        let typed = (!risks.is_empty()).then(|| {
            let (expected_of, expected) =
                confirm::confirmation_text(client_id.as_deref(), &key.credential_id);
            TypedConfirm {
                expected,
                expected_of,
                input: String::new(),
                reasons: risks.iter().map(|r| r.describe(now)).collect(),
                mismatch: false,
            }
        });
        RevokeDialog {
            name: e.display_name().map(str::to_string),
            client_id,
            last_used,
            app_name: inv.app_name(&key.app_id).to_string(),
            connector_name,
            key,
            expired: e.flags.contains(Flags::EXPIRED),
            typed,
            rotation: None,
        }
    }
}

impl TypedConfirm {
    pub fn push(&mut self, c: char) {
        if self.input.chars().count() < confirm::input_limit(&self.expected) {
            self.input.push(c);
            self.mismatch = false;
        }
    }

    pub fn pop(&mut self) {
        self.input.pop();
        self.mismatch = false;
    }

    pub fn clear(&mut self) {
        self.input.clear();
        self.mismatch = false;
    }
}

impl RotateDialog {
    pub fn open(inv: &Inventory, app_id: &str, connector_id: &str) -> Self {
        RotateDialog {
            app_name: inv.app_name(app_id).to_string(),
            connector_name: inv.connector_name(app_id, connector_id).to_string(),
            app_id: app_id.to_string(),
            connector_id: connector_id.to_string(),
            // As the rotation judges them: an expired credential is not replaced.
            live: inv.live_credentials(app_id, connector_id),
        }
    }
}

impl PlanItem {
    fn of(e: &Entry) -> PlanItem {
        PlanItem {
            key: e.key.clone(),
            name: e.display_name().map(str::to_string),
            client_id: e.client_id().map(str::to_string),
            flags: e.flags,
            status: e.status,
            risks: Vec::new(),
            confirm: None,
        }
    }
}

/// What Enter did in a bulk plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanStep {
    /// Nothing to confirm (empty input or no target), or the text did not match.
    Nothing,
    /// A risky target is confirmed; the next one (or the word) is asked for.
    Confirmed,
    /// Everything is confirmed: run the plan.
    Run,
}

impl BulkPlan {
    /// The plan for the marked credential rows, in the order given: the revocable ones are
    /// targets, the others are skipped with the reason.
    pub fn open<'a>(
        inv: &Inventory,
        marked: impl Iterator<Item = Entry<'a>>,
        now: DateTime<Utc>,
        recent_use_days: i64,
    ) -> BulkPlan {
        let mut targets = Vec::new();
        let mut skipped = Vec::new();
        for e in marked {
            let item = PlanItem::of(&e);
            if e.flags.contains(Flags::GONE) {
                skipped.push((item, "gone (404)"));
            } else if e.flags.contains(Flags::REVOKED) {
                skipped.push((item, "already revoked"));
            } else if e.pending.is_some() {
                skipped.push((item, "being revoked"));
            } else {
                targets.push(item);
            }
        }
        assess(inv, &mut targets, now, recent_use_days);
        BulkPlan {
            targets,
            skipped,
            input: String::new(),
            mismatch: false,
            scroll: 0,
            confirmed: 0,
        }
    }

    pub fn push(&mut self, c: char) {
        if self.input.chars().count() < confirm::input_limit(self.expected().1) {
            self.input.push(c);
            self.mismatch = false;
        }
    }

    pub fn pop(&mut self) {
        self.input.pop();
        self.mismatch = false;
    }

    pub fn clear(&mut self) {
        self.input.clear();
        self.mismatch = false;
    }

    /// Enter: confirms the step asked for when the input matches it. `page`: the lines of
    /// the list shown, to keep the next risky target in view.
    pub fn submit(&mut self, page: usize) -> PlanStep {
        let (step, expected) = self.expected();
        if self.input.is_empty() || self.targets.is_empty() {
            return PlanStep::Nothing;
        }
        if self.input != expected {
            self.mismatch = true;
            return PlanStep::Nothing;
        }
        if step.is_none() {
            return PlanStep::Run;
        }
        self.confirmed += 1;
        self.input.clear();
        self.mismatch = false;
        let line = self.line_of(self.confirmed);
        self.scroll = self.scroll.min(line).max((line + 2).saturating_sub(page));
        PlanStep::Confirmed
    }
}

/// The same rules as a single revoke, for the plan as a whole: a target is risky when it
/// was used recently, or when it is live and the plan takes every live credential of its
/// connector. Risky targets get their confirmation text and go first, keeping the list's
/// order.
fn assess(inv: &Inventory, targets: &mut [PlanItem], now: DateTime<Utc>, recent_use_days: i64) {
    let connector = |t: &PlanItem| (t.key.app_id.clone(), t.key.connector_id.clone());
    let may_work = |t: &PlanItem| inv.get(&t.key).is_some_and(|e| e.flags.may_work());
    let mut per_connector: HashMap<(String, String), usize> = HashMap::new();
    for t in targets.iter() {
        *per_connector.entry(connector(t)).or_default() += usize::from(may_work(t));
    }
    let live = inv.live_by_connector();
    for t in targets.iter_mut() {
        let (app, conn) = (t.key.app_id.as_str(), t.key.connector_id.as_str());
        let entry = inv.get(&t.key);
        let last_used = entry.and_then(|e| e.last.as_ref().and_then(|c| c.last_used_at));
        let leaves = audit::Leaves {
            may_work: entry.is_some_and(|e| e.flags.may_work()),
            live: live.get(&(app, conn)).copied().unwrap_or(0),
            together: per_connector[&connector(t)],
        };
        let risks = audit::risks(
            last_used,
            now,
            recent_use_days,
            inv.connector_name(app, conn),
            leaves,
        );
        t.confirm = (!risks.is_empty())
            .then(|| confirm::confirmation_text(t.client_id.as_deref(), &t.key.credential_id));
        t.risks = risks.iter().map(|r| r.describe(now)).collect();
    }
    targets.sort_by_key(|t| t.confirm.is_none());
}

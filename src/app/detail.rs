//! The detail pane's text: every field of the selected credential, absolute and relative
//! times, the app's and connector's names and ids, the connector's sync state, and each
//! flag's reason, wrapped to the pane's width. Pure, so that `update` scrolls the pane by
//! exactly the lines the drawing shows; the drawing gives each line's role its style.

use chrono::{DateTime, Utc};

use crate::api::ConnectorCredential;
use crate::audit::catalog::Severity;
use crate::audit::{self, Status};
use crate::text;

use super::findings;
use super::inventory::{EntryKind, Pending};
use super::keymap::Action;
use super::state::State;

/// Longest value drawn in the pane; longer ones are cut before wrapping.
const MAX_VALUE: usize = 600;

pub const LABEL_W: usize = 14;

/// What a line says, for its style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Title,
    Plain,
    /// An id or other secondary value.
    Quiet,
    Warning,
    Danger,
    Status(Status),
    /// All is well ("Findings: none").
    Ok,
    /// An audit finding: its severity's, or `None` when muted.
    Finding(Option<Severity>),
    /// What the last refreshes saw change.
    Changed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailLine {
    /// The label, or empty under a wrapped value; `None`: a note across the whole width.
    pub label: Option<&'static str>,
    pub text: String,
    pub role: Role,
}

struct Lines {
    lines: Vec<DetailLine>,
    width: usize,
}

impl Lines {
    fn kv(&mut self, label: &'static str, value: &str, role: Role) {
        let value = text::fit(value, MAX_VALUE);
        let w = self.width.saturating_sub(LABEL_W).max(8);
        for (i, part) in text::wrap(&value, w).into_iter().enumerate() {
            self.lines.push(DetailLine {
                label: Some(if i == 0 { label } else { "" }),
                text: part,
                role,
            });
        }
    }

    fn note(&mut self, value: &str, role: Role) {
        for part in text::wrap(&text::fit(value, MAX_VALUE), self.width.max(8)) {
            self.lines.push(DetailLine {
                label: None,
                text: part,
                role,
            });
        }
    }
}

/// What a table cell shows for a field of a credential of which nothing is known.
pub const UNKNOWN: &str = "unknown";

fn when(t: Option<DateTime<Utc>>, now: DateTime<Utc>, unset: &str) -> String {
    match t {
        Some(t) => format!("{} ({})", text::absolute(t), text::relative(t, now)),
        None => unset.to_string(),
    }
}

/// The pane's lines at `width` (inside its borders); empty with nothing selected.
pub fn detail_lines(state: &State, width: usize) -> Vec<DetailLine> {
    let mut l = Lines {
        lines: Vec::new(),
        width,
    };
    let Some(e) = state.selected_entry() else {
        return l.lines;
    };
    let now = state.now;
    let app_name = state.inventory.app_name(&e.key.app_id);
    let conn_name = state
        .inventory
        .connector_name(&e.key.app_id, &e.key.connector_id);
    // Nothing is known of a credential never fetched (or gone before it was): its fields
    // say so rather than "never" or "no expiry".
    let unset = |fallback: &'static str| match e.last {
        Some(_) => fallback,
        None => UNKNOWN,
    };
    match e.kind {
        EntryKind::Credential => {
            l.kv("Name", e.display_name().unwrap_or(unset("—")), Role::Title);
        }
        EntryKind::Connector => {
            l.kv(
                "",
                &format!(
                    "No tracked credential for this connector: {} mints one.",
                    state.options.keymap.label(Action::Rotate)
                ),
                Role::Warning,
            );
        }
    }
    let reasons = match e.kind {
        EntryKind::Connector => vec![(
            Status::NoCredential,
            "no tracked credential for this connector".to_string(),
        )],
        EntryKind::Credential => {
            audit::reasons(e.last.as_ref(), e.gone, e.flags, now, state.thresholds())
        }
    };
    for (n, (status, reason)) in reasons.into_iter().enumerate() {
        let label = if n == 0 { "Status" } else { "" };
        l.kv(
            label,
            &format!("{} {reason}", status.symbol()),
            Role::Status(status),
        );
    }
    if state.audit.computed_at.is_some() {
        if e.findings.is_empty() {
            l.kv("Findings", "none", Role::Ok);
        }
        for (n, f) in e.findings.list.iter().enumerate() {
            let label = if n == 0 { "Findings" } else { "" };
            let role = Role::Finding(f.mute.is_none().then_some(f.severity));
            l.kv(label, &findings::detail_text(f), role);
        }
    }
    if e.pending == Some(Pending::Revoking) {
        l.kv("In flight", "revoking…", Role::Warning);
    }
    if let Some(err) = e.error.as_ref() {
        let what = if e.error_in_refresh {
            "Not fetched by the last refresh"
        } else {
            "The last fetch failed"
        };
        l.note(&format!("{what}: {err}"), Role::Danger);
    }
    if e.kind == EntryKind::Credential {
        l.kv("Credential id", &e.key.credential_id, Role::Plain);
        l.kv(
            "Client id",
            e.client_id().unwrap_or(unset("—")),
            Role::Plain,
        );
    }
    l.kv("App", app_name, Role::Plain);
    l.kv("App id", &e.key.app_id, Role::Quiet);
    l.kv("Connector", conn_name, Role::Plain);
    l.kv("Connector id", &e.key.connector_id, Role::Quiet);
    if let Some(k) = state
        .inventory
        .connector(&e.key.app_id, &e.key.connector_id)
    {
        if let Some(s) = k.status.as_ref() {
            let sync = s
                .status
                .as_deref()
                .map(|v| v.trim_start_matches("SYNC_STATUS_").to_lowercase())
                .unwrap_or_else(|| "unknown".to_string());
            let done = s
                .completed_at
                .map(|t| format!(", completed {}", text::relative(t, now)))
                .unwrap_or_default();
            let role = if sync == "error" {
                Role::Danger
            } else {
                Role::Plain
            };
            l.kv("Sync", &format!("{sync}{done}"), role);
            if let Some(err) = s.last_error.as_deref() {
                l.kv("Sync error", err, Role::Danger);
            }
        }
        if let Some(t) = k.sync_disabled_at {
            let why = k.sync_disabled_reason.as_deref().unwrap_or("");
            l.kv(
                "Sync disabled",
                &format!("{} {why}", text::relative(t, now)),
                Role::Warning,
            );
        }
    }
    if e.kind == EntryKind::Credential {
        let c = e.last.as_ref();
        let time = |f: fn(&ConnectorCredential) -> Option<DateTime<Utc>>, fallback| {
            when(c.and_then(f), now, unset(fallback))
        };
        l.kv("Created", &time(|c| c.created_at, "—"), Role::Plain);
        l.kv("Updated", &time(|c| c.updated_at, "—"), Role::Plain);
        l.kv("Last used", &time(|c| c.last_used_at, "never"), Role::Plain);
        l.kv(
            "Expires",
            &time(|c| c.expires_time, "no expiry"),
            Role::Plain,
        );
        l.kv("Deleted", &time(|c| c.deleted_at, "—"), Role::Plain);
        l.kv("Fetched", &when(e.fetched_at, now, "never"), Role::Plain);
        let changes = state.changes.marking(e.key, state.marks_from());
        for (n, c) in changes.iter().take(6).enumerate() {
            let value = match (&c.change.before, &c.change.after) {
                (None, None) => String::new(),
                (b, a) => format!(
                    ": {} -> {}",
                    b.as_deref().unwrap_or("none"),
                    a.as_deref().unwrap_or("none")
                ),
            };
            let label = if n == 0 { "Changed △" } else { "" };
            l.kv(
                label,
                &format!(
                    "{}{value} (seen {})",
                    c.change.kind.word(),
                    text::relative(c.seen_at, now)
                ),
                Role::Changed,
            );
        }
        if let Some(r) = state.rotations.of_credential(e.key) {
            let role = if r.new_credential_id == e.key.credential_id {
                "its new credential"
            } else {
                "an old credential it replaces"
            };
            l.kv(
                "Rotation",
                &format!(
                    "{} {}: {role} ({} lists it)",
                    r.id,
                    r.state.word(),
                    state.options.keymap.label(Action::Rotations)
                ),
                Role::Warning,
            );
        }
    }
    l.lines
}

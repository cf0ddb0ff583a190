//! The dialogs' and windows' intents: opening the revoke, rotate and bulk dialogs (refused
//! in read-only mode or with nothing to act on), answering them, scrolling and closing the
//! windows, and the new secret's window.

use super::super::dialogs::{
    self, BulkOutcome, BulkPlan, BulkRun, Modal, PlanItem, PlanStep, RevokeDialog, RotateDialog,
};
use super::super::intent::{Intent, Step};
use super::super::inventory::{EntryKind, Pending};
use super::super::keymap::Action;
use super::super::layout;
use super::super::msg::Effect;
use super::super::state::State;
use super::super::view;
use super::change_credential;
use crate::model::CredentialKey;
use crate::text;

pub(super) fn on_secret(state: &mut State, intent: Intent, fx: &mut Vec<Effect>) {
    let Some(view) = state.secrets.front_mut() else {
        return;
    };
    if intent == Intent::Close {
        if view.close_armed {
            // Dropping the view zeroizes the secret.
            drop(state.secrets.pop_front());
        } else {
            view.close_armed = true;
        }
        return;
    }
    view.close_armed = false;
    match intent {
        Intent::Reveal => view.revealed = !view.revealed,
        Intent::Copy => {
            fx.push(Effect::Copy(view.secret.clone()));
            // Nothing answers OSC 52: whether the terminal took it cannot be known.
            state.toast("secret sent to the terminal's clipboard (OSC 52)");
        }
        _ => {}
    }
}

/// An intent for the open dialog or window; it stays open unless the intent closes it.
pub(super) fn on_modal(state: &mut State, intent: Intent, fx: &mut Vec<Effect>) {
    let Some(mut modal) = state.modal.take() else {
        return;
    };
    let page = layout::modal_page(state.area(), &modal);
    let width = layout::modal_area(state.area(), &modal)
        .width
        .saturating_sub(4) as usize;
    let open = match &mut modal {
        Modal::Revoke(d) => revoke(state, d, intent, fx),
        Modal::Rotate(d) => rotate(state, d, intent, fx),
        Modal::BulkPlan(p) => bulk_plan(state, p, intent, page, fx),
        Modal::Bulk { scroll } => {
            if intent == Intent::Retry {
                retry_failed(state, fx);
            }
            let len = state.bulk.as_ref().map_or(0, |b| b.items.len());
            window(scroll, intent, len, page)
        }
        Modal::Overview => intent != Intent::Close,
        Modal::Help { scroll } => {
            window_filter(state, scroll, intent);
            let len = view::help_shown(
                &state.options.keymap,
                state.options.read_only,
                &state.window_filter,
            )
            .len();
            window(scroll, intent, len, page)
        }
        Modal::Errors { scroll } => {
            let len = view::error_lines(&state.errors, width).len();
            window(scroll, intent, len, page)
        }
        Modal::Journal { lines, scroll } => {
            let typing = state.window_typing;
            window_filter(state, scroll, intent);
            let shown = lines
                .as_ref()
                .map(|l| view::journal_shown(l, &state.inventory, &state.window_filter, width));
            if intent == Intent::Submit && !typing {
                let top = shown.as_ref().and_then(|s| s.get(*scroll)).map(|l| l.entry);
                let target = top
                    .and_then(|i| lines.as_ref()?.get(i))
                    .map(|l| CredentialKey::new(&l.app_id, &l.connector_id, &l.credential_id));
                // Stays open unless it went to the row.
                !go_to(state, target)
            } else {
                let len = shown.map_or(0, |s| s.len());
                window(scroll, intent, len, page)
            }
        }
        Modal::Rotations(w) => super::rotations::rotations_window(state, w, intent, fx),
        Modal::Changes { scroll } => {
            super::rotations::changes_window(state, scroll, intent, width, page)
        }
        Modal::Abandon(d) => super::rotations::abandon(state, d, intent, fx),
    };
    if open && state.modal.is_none() {
        state.modal = Some(modal);
    }
}

/// Enter in the journal: the table's row of the credential on its top line, the journal
/// closed; a credential the table does not show now is said, and the journal stays.
fn go_to(state: &mut State, target: Option<CredentialKey>) -> bool {
    let page = state.page_height();
    let Some(key) = target else {
        state.refuse("no journal line to go to");
        return false;
    };
    if state.table.select_key(&state.inventory, &key, page) {
        return true;
    }
    let shown = text::sanitize(&key.credential_id);
    state.refuse(if state.inventory.get(&key).is_some() {
        format!("{shown} is not in this view or filter: Esc, or Tab to \"all\", shows it")
    } else {
        format!("{shown} is no longer in the inventory")
    });
    false
}

/// `/` in the help, and what is typed into its filter: each keystroke filters again, from
/// the top; Enter keeps the filter, Esc clears it.
fn window_filter(state: &mut State, scroll: &mut usize, intent: Intent) {
    let f = &mut state.window_filter;
    match intent {
        Intent::EditFilter => state.window_typing = true,
        Intent::Submit => state.window_typing = false,
        Intent::Cancel => {
            state.window_typing = false;
            f.clear();
        }
        Intent::Type(c) if f.chars().count() < 40 => f.push(c),
        Intent::DeleteChar => {
            f.pop();
        }
        Intent::ClearInput => f.clear(),
        _ => return,
    }
    *scroll = 0;
}

/// A window's intent: scrolling within `len` lines shown `page` at a time, or closing.
/// Says whether it stays open.
pub(super) fn window(scroll: &mut usize, intent: Intent, len: usize, page: usize) -> bool {
    match intent {
        Intent::Close => false,
        Intent::Scroll(step) => {
            *scroll = scrolled(*scroll, step, len, page);
            true
        }
        _ => true,
    }
}

/// A scroll position moved a step, kept where the last page stays full.
pub(super) fn scrolled(scroll: usize, step: Step, len: usize, page: usize) -> usize {
    let max = len.saturating_sub(page);
    let s = match step {
        Step::Down => scroll + 1,
        Step::Up => scroll.saturating_sub(1),
        Step::PageDown => scroll + page,
        Step::PageUp => scroll.saturating_sub(page),
        Step::Top => 0,
        Step::Bottom => max,
    };
    s.min(max)
}

// ---- revoke ----

pub(super) fn open_revoke(state: &mut State) {
    if state.options.read_only {
        state.refuse("read-only: revoke is disabled");
        return;
    }
    let Some(e) = state.selected_entry() else {
        state.refuse("nothing selected");
        return;
    };
    if e.kind == EntryKind::Connector {
        let rotate = state.options.keymap.label(Action::Rotate);
        state.refuse(format!(
            "this connector has no tracked credential, nothing to revoke ({rotate} mints one)"
        ));
        return;
    }
    if let Some(why) = dialogs::not_revocable(&e) {
        state.refuse(why);
        return;
    }
    let d = RevokeDialog::open(
        &state.inventory,
        &e,
        state.now,
        state.options.recent_use_days,
    );
    state.modal = Some(Modal::Revoke(d));
}

/// The revoke dialog: y/n, or the credential's own text typed and Enter. Says whether it
/// stays open.
fn revoke(state: &mut State, d: &mut RevokeDialog, intent: Intent, fx: &mut Vec<Effect>) -> bool {
    let Some(t) = d.typed.as_mut() else {
        if intent == Intent::Confirm {
            confirm_revoke(state, d, fx);
            return false;
        }
        return intent != Intent::Cancel;
    };
    match intent {
        Intent::Cancel => return false,
        // Enter with nothing typed cancels.
        Intent::Submit if t.input.is_empty() => return false,
        Intent::Submit if t.input == t.expected => {
            let d = d.clone();
            confirm_revoke(state, &d, fx);
            return false;
        }
        Intent::Submit => t.mismatch = true,
        Intent::DeleteChar => t.pop(),
        Intent::ClearInput => t.clear(),
        Intent::Type(c) => t.push(c),
        _ => {}
    }
    true
}

fn confirm_revoke(state: &mut State, d: &RevokeDialog, fx: &mut Vec<Effect>) {
    if state.options.read_only {
        return;
    }
    let key = d.key.clone();
    change_credential(state, &key, |e| e.pending = Some(Pending::Revoking));
    match d.rotation {
        Some(id) => fx.push(Effect::RevokeForRotation { id, key }),
        None => fx.push(Effect::Revoke { key }),
    }
}

// ---- rotate ----

pub(super) fn open_rotate(state: &mut State) {
    if state.options.read_only {
        state.refuse("read-only: rotate is disabled");
        return;
    }
    let Some(e) = state.selected_entry() else {
        state.refuse("nothing selected");
        return;
    };
    let (app_id, connector_id) = (e.key.app_id.clone(), e.key.connector_id.clone());
    if state
        .rotating
        .contains(&(app_id.clone(), connector_id.clone()))
    {
        state.refuse("a rotate of this connector is already running");
        return;
    }
    if let Some(r) = state.rotations.open_of(&app_id, &connector_id) {
        let open = state.options.keymap.label(Action::Rotations);
        let why = format!(
            "rotation {} of this connector is {}: carry it on or abandon it first ({open})",
            r.id,
            r.state.word()
        );
        state.refuse(why);
        return;
    }
    let d = RotateDialog::open(&state.inventory, &app_id, &connector_id);
    state.modal = Some(Modal::Rotate(d));
}

/// The rotate dialog, y/n. Says whether it stays open.
fn rotate(state: &mut State, d: &RotateDialog, intent: Intent, fx: &mut Vec<Effect>) -> bool {
    match intent {
        Intent::Confirm => {
            if !state.options.read_only {
                state
                    .rotating
                    .insert((d.app_id.clone(), d.connector_id.clone()));
                state.info(format!(
                    "minting a new credential for {}…",
                    text::sanitize(&d.connector_name)
                ));
                fx.push(Effect::Rotate {
                    app_id: d.app_id.clone(),
                    connector_id: d.connector_id.clone(),
                });
            }
            false
        }
        Intent::Cancel => false,
        _ => true,
    }
}

// ---- bulk ----

pub(super) fn open_bulk_plan(state: &mut State) {
    if state.options.read_only {
        state.refuse("read-only: revoke is disabled");
        return;
    }
    if state.inventory.marked() == 0 {
        let mark = state.options.keymap.label(Action::Mark);
        let all = state.options.keymap.label(Action::MarkAll);
        state.refuse(format!(
            "nothing marked: {mark} marks a row, {all} every visible row"
        ));
        return;
    }
    let marked = state
        .table
        .sorted_entries(&state.inventory)
        .filter(|e| e.marked && e.kind == EntryKind::Credential);
    let plan = BulkPlan::open(
        &state.inventory,
        marked,
        state.now,
        state.options.recent_use_days,
    );
    state.modal = Some(Modal::BulkPlan(plan));
}

/// The bulk plan: each risky target's text, then the word, typed and Enter. Says whether
/// the plan stays open; once it runs, the run's window is open instead.
fn bulk_plan(
    state: &mut State,
    p: &mut BulkPlan,
    intent: Intent,
    page: usize,
    fx: &mut Vec<Effect>,
) -> bool {
    match intent {
        Intent::Cancel => return false,
        Intent::Submit => match p.submit(page) {
            PlanStep::Run => {
                let targets = std::mem::take(&mut p.targets);
                start_bulk(state, targets, p.skipped.len(), fx);
                return false;
            }
            // Enter with nothing typed, or nothing to revoke, closes the plan.
            PlanStep::Nothing if p.input.is_empty() || p.targets.is_empty() => return false,
            PlanStep::Nothing | PlanStep::Confirmed => {}
        },
        Intent::DeleteChar => p.pop(),
        Intent::ClearInput => p.clear(),
        Intent::Type(c) => p.push(c),
        Intent::Scroll(step) => p.scroll = scrolled(p.scroll, step, p.list_lines(), page),
        _ => {}
    }
    true
}

fn start_bulk(state: &mut State, targets: Vec<PlanItem>, skipped: usize, fx: &mut Vec<Effect>) {
    if state.options.read_only {
        return;
    }
    // The plan consumed the marks, skipped rows included.
    state.inventory.clear_marks();
    for t in &targets {
        change_credential(state, &t.key, |e| e.pending = Some(Pending::Revoking));
        fx.push(Effect::Revoke { key: t.key.clone() });
    }
    state.bulk = Some(BulkRun {
        items: targets
            .into_iter()
            .map(|t| (t, BulkOutcome::Pending))
            .collect(),
        skipped,
    });
    state.modal = Some(Modal::Bulk { scroll: 0 });
}

fn retry_failed(state: &mut State, fx: &mut Vec<Effect>) {
    if state.options.read_only {
        return;
    }
    let Some(b) = state.bulk.as_mut() else { return };
    if !b.finished() {
        return;
    }
    let mut keys = Vec::new();
    for (item, outcome) in b.items.iter_mut() {
        if matches!(outcome, BulkOutcome::Failed(_)) {
            *outcome = BulkOutcome::Pending;
            keys.push(item.key.clone());
        }
    }
    for key in keys {
        change_credential(state, &key, |e| e.pending = Some(Pending::Revoking));
        fx.push(Effect::Revoke { key });
    }
}

//! The rotations and changes windows, the abandon confirmation, discovery, and the worker's
//! rotations, changes and discovery results taken in.

use super::super::changelog::Span;
use super::super::dialogs::{Modal, RevokeDialog};
use super::super::discovery::DiscoveryRun;
use super::super::intent::{Intent, Step, Window};
use super::super::keymap::Action;
use super::super::msg::{DiscoveryMsg, Effect};
use super::super::rotations::{AbandonDialog, NextRevoke, RotationsWindow, next_revoke};
use super::super::state::State;
use super::super::view;
use super::dialogs::{scrolled, window};
use super::{request_refresh, results::said};
use crate::changes::CredentialChange;
use crate::model::Failure;
use crate::rotation::Rotation;
use crate::text;

pub(super) fn open_rotations(state: &mut State) {
    state.modal = Some(Modal::Rotations(RotationsWindow::default()));
}

pub(super) fn open_changes(state: &mut State) {
    state.modal = Some(Modal::Changes { scroll: 0 });
}

/// The rotations window: moving the selection, Enter on a ready rotation opens the revoke
/// dialog of its next old credential, the abandon key asks first. Says whether it stays
/// open (the revoke dialog and the abandon confirmation take its place).
pub(super) fn rotations_window(
    state: &mut State,
    w: &mut RotationsWindow,
    intent: Intent,
    fx: &mut Vec<Effect>,
) -> bool {
    let len = state.rotations.list.len();
    let selected = state
        .rotations
        .list
        .get(w.cursor.min(len.saturating_sub(1)));
    match intent {
        Intent::Close => return false,
        Intent::Scroll(step) => {
            let last = len.saturating_sub(1);
            w.cursor = match step {
                Step::Down => (w.cursor + 1).min(last),
                Step::Up => w.cursor.saturating_sub(1),
                Step::PageDown => (w.cursor + 10).min(last),
                Step::PageUp => w.cursor.saturating_sub(10),
                Step::Top => 0,
                Step::Bottom => last,
            };
        }
        Intent::RevokeOld => {
            let Some(r) = selected.cloned() else {
                state.refuse("no rotation selected");
                return true;
            };
            return !revoke_old(state, &r, fx);
        }
        Intent::Open(Window::Abandon) => {
            let Some(r) = selected else {
                state.refuse("no rotation selected");
                return true;
            };
            if state.options.read_only {
                state.refuse("read-only: abandoning a rotation is disabled");
                return true;
            }
            if !r.state.is_open() {
                let why = format!(
                    "rotation {} is {}: nothing to abandon",
                    r.id,
                    r.state.word()
                );
                state.refuse(why);
                return true;
            }
            let d = AbandonDialog {
                id: r.id,
                connector: state
                    .inventory
                    .connector_name(&r.app_id, &r.connector_id)
                    .to_string(),
                new_credential_id: r.new_credential_id.clone(),
                pending: r.pending().map(|o| o.credential_id.clone()).collect(),
            };
            state.modal = Some(Modal::Abandon(d));
            return false;
        }
        _ => {}
    }
    true
}

/// Opens the revoke dialog for the next old credential of ready rotation `r`; says whether
/// it did (the window then gives way to it).
fn revoke_old(state: &mut State, r: &Rotation, _fx: &mut Vec<Effect>) -> bool {
    if state.options.read_only {
        state.refuse("read-only: revoke is disabled");
        return false;
    }
    match next_revoke(r, &state.inventory, state.now) {
        NextRevoke::Nothing(why) => state.refuse(why),
        NextRevoke::Refused(why) => state.refuse(why),
        NextRevoke::Dialog(key) => {
            let Some(e) = state.inventory.get(&key) else {
                return false;
            };
            if let Some(why) = super::super::dialogs::not_revocable(&e) {
                state.refuse(why);
                return false;
            }
            let mut d = RevokeDialog::open(
                &state.inventory,
                &e,
                state.now,
                state.options.recent_use_days,
            );
            d.rotation = Some(r.id);
            state.modal = Some(Modal::Revoke(d));
            return true;
        }
    }
    false
}

/// The abandon confirmation, y/n. Says whether it stays open.
pub(super) fn abandon(
    state: &mut State,
    d: &AbandonDialog,
    intent: Intent,
    fx: &mut Vec<Effect>,
) -> bool {
    match intent {
        Intent::Confirm => {
            if !state.options.read_only {
                state.info(format!("abandoning rotation {}…", d.id));
                fx.push(Effect::AbandonRotation { id: d.id });
            }
            state.modal = Some(Modal::Rotations(RotationsWindow::default()));
            false
        }
        Intent::Cancel => false,
        _ => true,
    }
}

/// The changes window: scrolling, closing, and the marks' span.
pub(super) fn changes_window(
    state: &mut State,
    scroll: &mut usize,
    intent: Intent,
    width: usize,
    page: usize,
) -> bool {
    if intent == Intent::ToggleChangeSpan {
        toggle_span(state);
        return true;
    }
    let len = view::change_lines(&state.changes.list, &state.inventory, width).len();
    if let Intent::Scroll(step) = intent {
        *scroll = scrolled(*scroll, step, len, page);
        return true;
    }
    window(scroll, intent, len, page)
}

pub(super) fn toggle_span(state: &mut State) {
    state.changes.span = match state.changes.span {
        Span::Lately => Span::Session,
        Span::Session => Span::Lately,
    };
    let words = match state.changes.span {
        Span::Lately => "changed rows are marked for 10 minutes after a refresh saw the change",
        Span::Session => "changed rows are marked for every change since the session began",
    };
    state.info(words);
}

pub(super) fn start_discovery(state: &mut State, fx: &mut Vec<Effect>) {
    if state.discovery.is_some() {
        state.refuse("discovery is already running");
        return;
    }
    state.discovery = Some(DiscoveryRun::default());
    state.info("discovery: reading the tenant's system log (experimental)…");
    fx.push(Effect::Discover);
}

// ---- results ----

pub(super) fn on_rotations(
    state: &mut State,
    result: Result<Vec<Rotation>, Failure>,
    note: Option<String>,
) {
    if let Some(note) = note {
        state.refuse(text::sanitize(&note));
    }
    let list = match result {
        Ok(list) => list,
        Err(e) => {
            state.error(format!("rotations: {}", said(&e)));
            return;
        }
    };
    let first = !state.rotations.loaded;
    let ready = state.rotations.replace(list);
    let km = &state.options.keymap;
    let (open, enter) = (km.label(Action::Rotations), km.label(Action::RevokeOld));
    if first {
        let n = state.rotations.ready();
        if n > 0 {
            state.info(format!(
                "{n} rotation(s) ready to revoke the old credentials: {open} lists them, \
                 {enter} revokes"
            ));
        }
        return;
    }
    for id in ready {
        let Some(r) = state.rotations.get(id) else {
            continue;
        };
        let connector = text::sanitize(state.inventory.connector_name(&r.app_id, &r.connector_id));
        let text = format!(
            "rotation {id}: {connector} uses the new credential; ready to revoke the old ones \
             ({open}, then {enter})"
        );
        state.toast(text);
    }
}

pub(super) fn on_changes(state: &mut State, result: Result<Vec<CredentialChange>, Failure>) {
    match result {
        Ok(list) => state.changes.replace(list),
        Err(e) => state.error(format!("changes: {}", said(&e))),
    }
}

pub(super) fn on_discovery(state: &mut State, msg: DiscoveryMsg, fx: &mut Vec<Effect>) {
    let run = state.discovery.get_or_insert_with(DiscoveryRun::default);
    match msg {
        DiscoveryMsg::Read { events } => run.events = events,
        DiscoveryMsg::Verifying { done, of } => run.verifying = Some((done, of)),
        DiscoveryMsg::Found => run.found += 1,
        DiscoveryMsg::Done(result) => {
            state.discovery = None;
            match result {
                Ok((words, tracked)) => {
                    state.toast(format!("discovery: {}", text::sanitize(&words)));
                    if tracked > 0 {
                        // Names of the apps and connectors, and a full Get of each.
                        request_refresh(state, true, fx);
                    }
                }
                Err(e) => state.error(format!("discovery: {}", said(&e))),
            }
        }
    }
}

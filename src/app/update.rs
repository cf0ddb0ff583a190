//! `update`: the only place the state changes. Keys and clicks (as `input` reads them into
//! intents), ticks and worker results in; effects out. The list's intents are `list.rs`,
//! the dialogs' and windows' `dialogs.rs`, the worker's results `results.rs`.
//!
//! Rows change one message at a time, but the table sorts and filters again only when it
//! must: [`update_all`] takes a batch (the runtime hands over everything that arrived since
//! the last frame) and brings the table up to date once at its end, and before any key or
//! click, which must see the rows where they are drawn.

mod command;
mod dialogs;
mod list;
mod results;
mod rotations;

use super::findings;
pub mod views;

use chrono::{DateTime, Utc};

use super::input;
use super::intent::Intent;
use super::inventory::Row;
use super::keymap::Focus;
use super::msg::{Effect, Msg};
use super::state::State;
use crate::model::CredentialKey;

/// Takes in one message.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    update_all(state, [msg])
}

/// Takes in a batch of messages, in order.
pub fn update_all(state: &mut State, msgs: impl IntoIterator<Item = Msg>) -> Vec<Effect> {
    let mut fx = Vec::new();
    for msg in msgs {
        match msg {
            Msg::Key(key) => {
                state.settle();
                if let Some(intent) = input::key(state, &key) {
                    on_intent(state, intent, &mut fx);
                }
            }
            Msg::Mouse(m) => {
                state.settle();
                if let Some(intent) = input::mouse(state, &m) {
                    on_intent(state, intent, &mut fx);
                }
            }
            Msg::Resize { width, height } => {
                state.width = width;
                state.height = height;
                state.settle();
                list::fix_offset(state);
            }
            Msg::Tick(now) => {
                on_tick(state, now);
                findings::on_tick(state);
            }
            Msg::RefreshDue => request_refresh(state, true, &mut fx),
            Msg::Worker(w) => {
                findings::taking(state, &w);
                results::on_worker(state, w, &mut fx);
            }
        }
    }
    if let Some(job) = findings::request_if_due(state) {
        fx.push(job);
    }
    state.settle();
    fx
}

/// Carries out an intent where the keys are now: quitting and suspending anywhere.
fn on_intent(state: &mut State, intent: Intent, fx: &mut Vec<Effect>) {
    match (intent, input::focus(state)) {
        (Intent::Quit, _) => {
            state.quit = true;
            fx.push(Effect::Quit);
        }
        (Intent::Suspend, _) => fx.push(Effect::Suspend),
        (_, Focus::Secret) => dialogs::on_secret(state, intent, fx),
        (_, Focus::List) => list::on_list(state, intent, fx),
        (_, Focus::Filter) => list::on_filter(state, intent),
        (_, Focus::Command) => command::on_command(state, intent, fx),
        (_, _) => dialogs::on_modal(state, intent, fx),
    }
}

/// Changes one credential's row (adding it when new); the table catches up at the end of
/// the batch.
fn change_credential(state: &mut State, key: &CredentialKey, f: impl FnOnce(&mut Row)) {
    let (now, t) = (state.now, state.thresholds());
    let change = state.inventory.change_credential(key, now, t, f);
    state.unsettled.merge(change);
}

fn on_tick(state: &mut State, now: DateTime<Utc>) {
    let earlier = now < state.now;
    let text_due = state.screen_text_changes_at();
    let unmark_due = state.changes.next_unmark(state.now);
    state.now = now;
    let spinning = state.refresh.running.is_some() || !state.rotating.is_empty();
    if spinning {
        state.spinner = state.spinner.wrapping_add(1);
    }
    let toasts = state.toasts.len();
    state
        .toasts
        .retain(|t| t.expires_at().is_none_or(|at| at > now));
    // A clock set back may change a time comparison's answer too.
    let filter_due = earlier || state.table.filter_due.is_some_and(|due| now >= due);
    if filter_due {
        state.filter_again();
    }
    let due = state.inventory.flags_due.is_some_and(|due| now >= due);
    let mut flags = false;
    if due || earlier {
        let change = state.inventory.rederive_flags(now, state.thresholds());
        flags = change.flags;
        state.unsettled.merge(change);
        state.settle();
    }
    state.tick_changed = spinning
        || flags
        || filter_due
        || state.toasts.len() != toasts
        || earlier
        || text_due.is_some_and(|at| now >= at)
        || unmark_due.is_some_and(|at| now >= at);
}

/// A refresh now, or after the running one.
fn request_refresh(state: &mut State, silent: bool, fx: &mut Vec<Effect>) {
    if state.refresh.running.is_some() {
        if !state.refresh.queued {
            state.refresh.queued = true;
            if !silent {
                state.info("a refresh is running; another will follow it");
            }
        }
        return;
    }
    start_refresh(state, fx);
}

fn start_refresh(state: &mut State, fx: &mut Vec<Effect>) {
    let r = &mut state.refresh;
    r.last_generation += 1;
    let generation = r.last_generation;
    r.running = Some(generation);
    r.queued = false;
    r.total = 0;
    r.done = 0;
    r.fetched = 0;
    r.failed = 0;
    r.first_failure = None;
    r.errors = 0;
    fx.push(Effect::Refresh { generation });
    fx.push(Effect::LoadAuditInputs);
}

//! `update`: the only place the state changes. Keys, ticks and worker results in; effects out.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;

use crate::api::ConnectorCredential;

use super::keymap::{Action, Context};
use super::layout;
use super::msg::{Effect, Fetched, Msg, WorkerMsg};
use super::risk;
use super::rows::{EntryKind, Flags, Pending};
use super::state::{
    BulkOutcome, BulkPlan, BulkRun, Finished, Modal, Outcome, PlanItem, RevokeDialog, RotateDialog,
    SecretView, State, TypedConfirm, absorb, held,
};
use super::view;
use crate::model::CredentialKey;
use crate::model::{Failure, FailureKind, Minted, Revocation, RevokeResult};
use crate::text;

/// The contexts whose keys act on the list.
const LIST_CONTEXTS: &[Context] = &[
    Context::Navigation,
    Context::List,
    Context::Actions,
    Context::Marks,
    Context::Windows,
    Context::General,
];

/// Rows the mouse wheel scrolls.
const WHEEL_STEP: usize = 3;

pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Msg::Key(key) => on_key(state, key, &mut fx),
        Msg::Mouse(m) => on_mouse(state, m),
        Msg::Resize { width, height } => {
            state.width = width;
            state.height = height;
            let page = state.page_height();
            state.offset = state.effective_offset(page);
        }
        Msg::Tick(now) => on_tick(state, now),
        Msg::RefreshDue => request_refresh(state, true, &mut fx),
        Msg::Worker(w) => on_worker(state, w, &mut fx),
    }
    fx
}

fn on_tick(state: &mut State, now: DateTime<Utc>) {
    let earlier = now < state.now;
    let text_due = state.screen_text_changes_at();
    state.now = now;
    let spinning = state.refresh.running.is_some() || !state.rotating.is_empty();
    if spinning {
        state.spinner = state.spinner.wrapping_add(1);
    }
    let toasts = state.toasts.len();
    state.toasts.retain(|t| t.until > now);
    let flags = state.rederive_flags(earlier);
    state.tick_changed = spinning
        || flags
        || state.toasts.len() != toasts
        || earlier
        || text_due.is_some_and(|at| now >= at);
}

// ---- refresh ----

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
}

fn current(state: &State, generation: u64) -> bool {
    state.refresh.running == Some(generation)
}

fn on_worker(state: &mut State, msg: WorkerMsg, fx: &mut Vec<Effect>) {
    match msg {
        WorkerMsg::Inventory(stored) => {
            match stored {
                Ok(inv) => state.load(inv.apps, inv.connectors, inv.credentials),
                Err(e) => state.error(format!(
                    "the stored inventory could not be read, so only what the refresh fetches \
                     is shown: {}",
                    said(&e)
                )),
            }
            state.loaded = true;
            request_refresh(state, true, fx);
        }
        WorkerMsg::RefreshStarted {
            generation,
            credentials,
        } => {
            if current(state, generation) {
                state.refresh.total = credentials;
            }
        }
        WorkerMsg::Apps { generation, apps } => {
            if !current(state, generation) {
                return;
            }
            let mut ids = Vec::new();
            for a in apps {
                let id = a.id.clone();
                if state.set_app(a)
                    && let Some(id) = id
                {
                    ids.push(id);
                }
            }
            state.rename(&ids);
        }
        WorkerMsg::Connectors {
            generation,
            app_id,
            connectors,
        } => {
            if !current(state, generation) {
                return;
            }
            let mut pairs = Vec::new();
            for mut k in connectors {
                let Some(id) = k.id.clone() else { continue };
                let app = k.app_id.clone().unwrap_or_else(|| app_id.clone());
                k.app_id = Some(app.clone());
                pairs.push((app.clone(), id.clone()));
                state.set_connector(&app, k);
            }
            state.cover_connectors(&pairs);
        }
        WorkerMsg::Credential {
            generation,
            key,
            fetched,
            at,
        } => {
            if let Some(g) = generation {
                if !current(state, g) {
                    return;
                }
                state.refresh.done += 1;
            }
            match fetched {
                Fetched::Found(c) => {
                    let stale = generation.is_some()
                        && c.deleted_at.is_none()
                        && state.rows.get(&key).is_some_and(|e| {
                            e.revoked_during.is_some() && e.revoked_during == generation
                        });
                    if generation.is_some() {
                        state.refresh.fetched += 1;
                    }
                    if stale {
                        return;
                    }
                    state.change_credential(&key, |e| {
                        absorb(&mut e.last, c);
                        e.gone = false;
                        e.error = None;
                        e.fetched_at = Some(at);
                    });
                }
                Fetched::Gone => {
                    if generation.is_some() {
                        state.refresh.fetched += 1;
                    }
                    state.change_credential(&key, |e| {
                        e.gone = true;
                        e.error = None;
                        e.fetched_at = Some(at);
                    });
                }
                Fetched::Failed(err) => {
                    let one_off = generation.is_none();
                    let err_for_row = err.clone();
                    state.change_credential(&key, |e| {
                        e.error = Some(err_for_row);
                        e.error_in_refresh = !one_off;
                    });
                    if one_off {
                        state.error(format!(
                            "fetching credential {}: {}",
                            key.credential_id,
                            said(&err)
                        ));
                    } else {
                        state.refresh.failed += 1;
                        state.refresh.first_failure.get_or_insert(err);
                    }
                }
            }
        }
        WorkerMsg::RefreshError { generation, error } => {
            if !current(state, generation) {
                return;
            }
            state.refresh.errors += 1;
            state.error(format!("refresh: {}", said(&error)));
        }
        WorkerMsg::RefreshDone { generation, at } => {
            if !current(state, generation) {
                return;
            }
            state.refresh.running = None;
            let outcome = Outcome::of(&state.refresh);
            if outcome != Outcome::Failed {
                state.refresh.current_at = Some(at);
            } else if state.refresh.current_at.is_none() {
                state.refresh.current_at = state.newest_fetch();
            }
            state.refresh.last = Some(Finished { at, outcome });
            let failed = state.refresh.failed;
            if failed > 0 {
                let total = state.refresh.total.max(state.refresh.done);
                let first = state
                    .refresh
                    .first_failure
                    .take()
                    .map(|f| said(&f))
                    .unwrap_or_default();
                state.error(format!(
                    "{failed} of {total} credentials could not be fetched; their rows keep \
                     the previous data (the detail pane shows each error). The first: {first}"
                ));
            }
            if state.refresh.queued {
                start_refresh(state, fx);
            }
        }
        WorkerMsg::Revoked { key, result } => on_revoked(state, key, result),
        WorkerMsg::Rotated {
            app_id,
            connector_id,
            result,
        } => on_rotated(state, app_id, connector_id, result, fx),
        WorkerMsg::RotationRecord {
            credential_id,
            failure,
        } => {
            let view = state
                .secrets
                .iter_mut()
                .find(|s| s.credential_id == credential_id);
            let was_unrecorded = view.as_ref().is_some_and(|v| v.unrecorded.is_some());
            if let Some(view) = view {
                view.unrecorded = failure.clone();
            }
            if failure.is_none() && was_unrecorded {
                state.toast(format!(
                    "credential {} is now recorded in the inventory",
                    text::sanitize(&credential_id)
                ));
            }
        }
        WorkerMsg::Journal(result) => match result {
            Ok(mut lines) => {
                if let Some(Modal::Journal { lines: slot, .. }) = state.modal.as_mut() {
                    lines.sort_by_key(|l| std::cmp::Reverse(l.at));
                    *slot = Some(lines);
                }
            }
            Err(e) => {
                if matches!(state.modal, Some(Modal::Journal { .. })) {
                    state.modal = None;
                }
                state.error(format!("journal: {}", said(&e)));
            }
        },
        WorkerMsg::Error(e) => state.error(said(&e)),
    }
}

/// A failure in words for the screen: its message, and for an authentication failure what
/// to check (the server's words do not say which of credboard's settings they were).
fn said(f: &Failure) -> String {
    match f.kind {
        FailureKind::Auth => format!(
            "{}; check the client id and secret credboard uses (cone's config.yaml, \
             CONE_CLIENT_ID and CONE_CLIENT_SECRET, or the flags)",
            f.message
        ),
        _ => f.message.clone(),
    }
}

/// A name for messages: the display name, else the credential id.
fn label_of(state: &State, key: &CredentialKey) -> String {
    state
        .rows
        .get(key)
        .and_then(|e| e.display_name())
        .map(text::sanitize)
        .unwrap_or_else(|| text::sanitize(&key.credential_id))
}

fn on_revoked(state: &mut State, key: CredentialKey, result: Result<RevokeResult, Failure>) {
    let name = label_of(state, &key);
    let now = state.now;
    let in_bulk = state.bulk.as_ref().is_some_and(|b| {
        b.items
            .iter()
            .any(|(p, o)| p.key == key && *o == BulkOutcome::Pending)
    });
    let outcome = match result {
        Ok(RevokeResult {
            revocation, fresh, ..
        }) => {
            let already_gone = revocation == Revocation::AlreadyRevoked;
            let running = state.refresh.running;
            state.change_credential(&key, |e| {
                e.pending = None;
                e.error = None;
                e.revoked_during = running;
                match fresh {
                    Some(f) => {
                        let mut f = held(f);
                        if f.deleted_at.is_none() && !already_gone {
                            f.deleted_at = Some(now);
                        }
                        if already_gone && f.deleted_at.is_none() {
                            e.gone = true;
                        }
                        e.last = Some(f);
                    }
                    None if already_gone => e.gone = true,
                    None => {
                        let c = e.last.get_or_insert_with(|| ConnectorCredential {
                            id: Some(key.credential_id.clone()),
                            app_id: Some(key.app_id.clone()),
                            connector_id: Some(key.connector_id.clone()),
                            ..ConnectorCredential::default()
                        });
                        c.deleted_at = Some(now);
                    }
                }
            });
            if !in_bulk {
                if already_gone {
                    state.toast(format!("{name}: already revoked"));
                } else {
                    state.toast(format!("revoked {name}"));
                }
            }
            if already_gone {
                BulkOutcome::AlreadyGone
            } else {
                BulkOutcome::Revoked
            }
        }
        Err(err) => {
            state.change_credential(&key, |e| e.pending = None);
            state.error(format!("revoking {name} failed: {}", said(&err)));
            BulkOutcome::Failed(err.message)
        }
    };
    if in_bulk {
        let mut finished = None;
        if let Some(b) = state.bulk.as_mut() {
            if let Some(item) = b
                .items
                .iter_mut()
                .find(|(p, o)| p.key == key && *o == BulkOutcome::Pending)
            {
                item.1 = outcome;
            }
            if b.finished() {
                finished = Some(b.summary());
            }
        }
        if let Some(s) = finished {
            let text = format!(
                "bulk revoke done: {} revoked, {} already gone, {} failed",
                s.revoked, s.already_gone, s.failed
            );
            if s.failed > 0 {
                state.error(text);
            } else {
                state.toast(text);
            }
        }
    }
}

fn on_rotated(
    state: &mut State,
    app_id: String,
    connector_id: String,
    result: Result<Minted, Failure>,
    fx: &mut Vec<Effect>,
) {
    state
        .rotating
        .remove(&(app_id.clone(), connector_id.clone()));
    let connector = text::sanitize(state.rows.connector_name(&app_id, &connector_id));
    let Minted {
        credential,
        secret,
        record_error,
    } = match result {
        Ok(n) => n,
        Err(e) => {
            state.error(format!("rotating {connector} failed: {}", said(&e)));
            return;
        }
    };
    let credential_id = credential.id.clone().unwrap_or_default();
    let client_id = credential.client_id.clone();
    let name = credential.display_name.clone();
    if credential_id.is_empty() {
        state.error(format!(
            "rotating {connector}: the reply carried no credential id; it is not tracked"
        ));
    } else {
        let key = CredentialKey {
            app_id: app_id.clone(),
            connector_id: connector_id.clone(),
            credential_id: credential_id.clone(),
        };
        let now = state.now;
        let i = state.change_credential(&key, |e| {
            e.last = Some(held(credential));
            e.gone = false;
            e.error = None;
            e.fetched_at = Some(now);
        });
        // Show the new credential beside the connector's older ones, so the user can revoke
        // an old one once the connector uses the new: every row, sorted by connector.
        state.view = super::rows::View::All;
        state.filter_editing = false;
        state.set_filter(String::new());
        state.sort = super::rows::Sort {
            column: super::rows::Column::Connector,
            descending: false,
        };
        state.rebuild();
        state.select_entry(i);
        let keys: Vec<CredentialKey> = state
            .rows
            .credentials_of(&app_id, &connector_id)
            .into_iter()
            .map(|i| state.entry(i).key.clone())
            .collect();
        fx.push(Effect::Fetch { keys });
        state.toast(format!(
            "new credential minted for {connector}; sorted by connector, beside the older ones"
        ));
    }
    state.secrets.push_back(SecretView {
        app_id,
        connector_id,
        credential_id,
        client_id,
        name,
        secret,
        revealed: false,
        close_armed: false,
        unrecorded: record_error.map(|e| Failure::new(FailureKind::Store, e)),
    });
}

// ---- keys ----

fn is_ctrl_c(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL)
        && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('C'))
}

/// A printable character typed into an input (no ctrl or alt).
fn typed_char(key: &KeyEvent) -> Option<char> {
    match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                && !text::is_unsafe(c) =>
        {
            Some(c)
        }
        _ => None,
    }
}

fn quit(state: &mut State, fx: &mut Vec<Effect>) {
    state.quit = true;
    fx.push(Effect::Quit);
}

fn on_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    if key.kind == KeyEventKind::Release {
        return;
    }
    if !state.secrets.is_empty() {
        secret_key(state, key, fx);
    } else if state.modal.is_some() {
        modal_key(state, key, fx);
    } else if state.filter_editing {
        filter_key(state, key, fx);
    } else {
        list_key(state, key, fx);
    }
}

fn secret_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    let km = &state.options.keymap;
    let close = km.is(Action::Close, &key)
        || km.is(Action::Cancel, &key)
        || key.code == KeyCode::Enter
        || is_ctrl_c(&key);
    let reveal = km.is(Action::Reveal, &key);
    let copy = km.is(Action::Copy, &key);
    let Some(view) = state.secrets.front_mut() else {
        return;
    };
    if close {
        if view.close_armed {
            // Dropping the view zeroizes the secret.
            drop(state.secrets.pop_front());
        } else {
            view.close_armed = true;
        }
        return;
    }
    view.close_armed = false;
    if reveal {
        view.revealed = !view.revealed;
    } else if copy {
        fx.push(Effect::Copy(view.secret.clone()));
        // Nothing answers OSC 52: whether the terminal took it cannot be known.
        state.toast("secret sent to the terminal's clipboard (OSC 52)");
    }
}

fn list_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    let km = &state.options.keymap;
    let Some(action) = km.lookup(LIST_CONTEXTS, &key) else {
        if km.is(Action::FilterClear, &key) {
            if !state.filter.is_empty() {
                state.set_filter(String::new());
            } else if state.detail {
                state.detail = false;
                fix_offset(state);
            }
        }
        return;
    };
    let page = state.page_height();
    match action {
        Action::MoveDown => state.select_at(state.cursor + 1),
        Action::MoveUp => state.select_at(state.cursor.saturating_sub(1)),
        Action::Top => state.select_at(0),
        Action::Bottom => state.select_at(usize::MAX),
        Action::PageDown => {
            state.offset += page;
            state.select_at(state.cursor + page)
        }
        Action::PageUp => {
            state.offset = state.offset.saturating_sub(page);
            state.select_at(state.cursor.saturating_sub(page))
        }
        Action::Filter => state.filter_editing = true,
        Action::SortNext => {
            state.sort.column = state.sort.column.next();
            state.sort.descending = false;
            state.rebuild();
        }
        Action::SortReverse => reverse_sort(state),
        Action::ViewNext => {
            state.view = state.view.next();
            state.refilter(false);
        }
        Action::ViewPrev => {
            state.view = state.view.prev();
            state.refilter(false);
        }
        Action::ToggleDetail => {
            state.detail = !state.detail;
            fix_offset(state);
        }
        Action::Refresh => request_refresh(state, false, fx),
        Action::Revoke => open_revoke(state),
        Action::Rotate => open_rotate(state),
        Action::Mark => {
            if let Some(i) = state.selected_index() {
                let e = state.entry(i);
                if e.kind == EntryKind::Connector {
                    state.refuse("a connector row has no credential to mark");
                } else {
                    let m = !e.marked;
                    state.set_marked(i, m);
                    state.select_at(state.cursor + 1);
                }
            }
        }
        Action::MarkAll => {
            let visible = state.rows.visible.clone();
            for i in visible {
                state.set_marked(i, true);
            }
            let n = state.rows.marked;
            state.toast(format!("{n} marked"));
        }
        Action::ClearMarks => {
            for i in 0..state.rows.entries.len() as u32 {
                state.set_marked(i, false);
            }
        }
        Action::BulkRevoke => open_bulk_plan(state),
        Action::Journal => {
            state.modal = Some(Modal::Journal {
                lines: None,
                scroll: 0,
            });
            fx.push(Effect::LoadJournal);
        }
        Action::Errors => state.modal = Some(Modal::Errors { scroll: 0 }),
        Action::Help => state.modal = Some(Modal::Help { scroll: 0 }),
        Action::Quit => quit(state, fx),
        _ => {}
    }
}

fn fix_offset(state: &mut State) {
    let page = state.page_height();
    state.offset = state.effective_offset(page);
}

/// Reverse the order. The order is total, so reversing the cached lists is exact.
fn reverse_sort(state: &mut State) {
    state.sort.descending = !state.sort.descending;
    let line = state.cursor.saturating_sub(state.offset);
    state.rows.sorted.reverse();
    state.rows.visible.reverse();
    if state.follow_top {
        state.select_top();
    } else if !state.rows.visible.is_empty() {
        state.cursor = state.rows.visible.len() - 1 - state.cursor;
        state.offset = state.cursor.saturating_sub(line);
    }
    fix_offset(state);
}

fn filter_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    let km = &state.options.keymap;
    if is_ctrl_c(&key) {
        return quit(state, fx);
    }
    if km.is(Action::FilterClear, &key) {
        state.filter_editing = false;
        state.set_filter(String::new());
        return;
    }
    if km.is(Action::FilterKeep, &key) {
        state.filter_editing = false;
        return;
    }
    match key.code {
        KeyCode::Backspace => {
            let mut f = state.filter.clone();
            f.pop();
            state.set_filter(f);
        }
        KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            state.set_filter(String::new());
        }
        KeyCode::Down => state.select_at(state.cursor + 1),
        KeyCode::Up => state.select_at(state.cursor.saturating_sub(1)),
        _ => {
            if let Some(c) = typed_char(&key)
                && state.filter.chars().count() < risk::MAX_TYPED
            {
                let mut f = state.filter.clone();
                f.push(c);
                state.set_filter(f);
            }
        }
    }
}

// ---- revoke ----

fn open_revoke(state: &mut State) {
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
    if e.flags.contains(Flags::GONE) {
        state.refuse("this credential is gone (404): nothing to revoke");
        return;
    }
    if e.flags.contains(Flags::REVOKED) {
        state.refuse("this credential is already revoked");
        return;
    }
    if e.pending == Some(Pending::Revoking) {
        state.refuse("this credential is being revoked");
        return;
    }
    let key = e.key.clone();
    let last_used = e.last.as_ref().and_then(|c| c.last_used_at);
    let client_id = e.client_id().map(str::to_string);
    let name = e.display_name().map(str::to_string);
    let connector_name = state
        .rows
        .connector_name(&key.app_id, &key.connector_id)
        .to_string();
    let risks = crate::audit::risks(
        last_used,
        state.now,
        state.options.recent_use_days,
        &connector_name,
        state.live_credentials(&key.app_id, &key.connector_id),
        1,
    );
    let typed = if risks.is_empty() {
        None
    } else {
        let (expected_of, expected) =
            risk::confirmation_text(client_id.as_deref(), &key.credential_id);
        Some(TypedConfirm {
            expected,
            expected_of,
            input: String::new(),
            reasons: risks.iter().map(|r| r.describe(state.now)).collect(),
            mismatch: false,
        })
    };
    let app_name = state.rows.app_name(&key.app_id).to_string();
    state.modal = Some(Modal::Revoke(RevokeDialog {
        key,
        name,
        client_id,
        last_used,
        app_name,
        connector_name,
        typed,
    }));
}

fn confirm_revoke(state: &mut State, key: CredentialKey, fx: &mut Vec<Effect>) {
    state.modal = None;
    if state.options.read_only {
        return;
    }
    state.change_credential(&key, |e| e.pending = Some(Pending::Revoking));
    fx.push(Effect::Revoke { key });
}

fn modal_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(modal) = state.modal.take() else {
        return;
    };
    let km = &state.options.keymap;
    let confirm = km.is(Action::Confirm, &key);
    let cancel = km.is(Action::Cancel, &key);
    let esc = key.code == KeyCode::Esc;
    let enter = key.code == KeyCode::Enter;
    if is_ctrl_c(&key) && !matches!(modal, Modal::Revoke(_) | Modal::BulkPlan(_)) {
        return quit(state, fx);
    }
    match modal {
        Modal::Revoke(mut d) => {
            if is_ctrl_c(&key) {
                return quit(state, fx);
            }
            match d.typed.as_mut() {
                Some(t) => {
                    if esc {
                        return;
                    }
                    if enter {
                        if t.input.is_empty() {
                            return;
                        }
                        if t.input == t.expected {
                            let k = d.key.clone();
                            return confirm_revoke(state, k, fx);
                        }
                        t.mismatch = true;
                    } else if key.code == KeyCode::Backspace {
                        t.input.pop();
                        t.mismatch = false;
                    } else if let Some(c) = typed_char(&key)
                        && t.input.chars().count() < risk::input_limit(&t.expected)
                    {
                        t.input.push(c);
                        t.mismatch = false;
                    }
                    state.modal = Some(Modal::Revoke(d));
                }
                None => {
                    if confirm {
                        let k = d.key.clone();
                        return confirm_revoke(state, k, fx);
                    }
                    if cancel || esc || enter {
                        return;
                    }
                    state.modal = Some(Modal::Revoke(d));
                }
            }
        }
        Modal::Rotate(d) => {
            if confirm {
                if state.options.read_only {
                    return;
                }
                state
                    .rotating
                    .insert((d.app_id.clone(), d.connector_id.clone()));
                state.info(format!(
                    "minting a new credential for {}…",
                    text::sanitize(&d.connector_name)
                ));
                fx.push(Effect::Rotate {
                    app_id: d.app_id,
                    connector_id: d.connector_id,
                });
                return;
            }
            if cancel || esc || enter {
                return;
            }
            state.modal = Some(Modal::Rotate(d));
        }
        Modal::BulkPlan(mut p) => {
            if is_ctrl_c(&key) {
                return quit(state, fx);
            }
            if esc {
                return;
            }
            let page = layout::modal_page(area(state), &Modal::BulkPlan(p.clone()));
            let lines = p.list_lines();
            let (step, expected) = p.expected();
            let limit = risk::input_limit(expected);
            match key.code {
                KeyCode::Enter => {
                    if p.input.is_empty() || p.targets.is_empty() {
                        return;
                    }
                    if p.input != expected {
                        p.mismatch = true;
                    } else if step.is_some() {
                        p.confirmed += 1;
                        p.input.clear();
                        p.mismatch = false;
                        // Keep the next risky target and its reasons in view.
                        let line = p.line_of(p.confirmed);
                        p.scroll = p.scroll.min(line).max((line + 2).saturating_sub(page));
                    } else {
                        return start_bulk(state, p.targets, p.skipped.len(), fx);
                    }
                }
                KeyCode::Backspace => {
                    p.input.pop();
                    p.mismatch = false;
                }
                KeyCode::Down => p.scroll = (p.scroll + 1).min(lines.saturating_sub(page)),
                KeyCode::Up => p.scroll = p.scroll.saturating_sub(1),
                KeyCode::PageDown => p.scroll = (p.scroll + page).min(lines.saturating_sub(page)),
                KeyCode::PageUp => p.scroll = p.scroll.saturating_sub(page),
                _ => {
                    if let Some(c) = typed_char(&key)
                        && p.input.chars().count() < limit
                    {
                        p.input.push(c);
                        p.mismatch = false;
                    }
                }
            }
            state.modal = Some(Modal::BulkPlan(p));
        }
        Modal::Bulk { mut scroll } => {
            if km.is(Action::Retry, &key) {
                retry_failed(state, fx);
                state.modal = Some(Modal::Bulk { scroll });
                return;
            }
            if cancel || esc || enter || km.is(Action::Close, &key) {
                return;
            }
            let len = state.bulk.as_ref().map_or(0, |b| b.items.len());
            let page = layout::modal_page(area(state), &Modal::Bulk { scroll });
            scroll = scroll_by(km, &key, scroll, len, page);
            state.modal = Some(Modal::Bulk { scroll });
        }
        Modal::Help { scroll } => {
            if cancel || esc || km.is(Action::Close, &key) || km.is(Action::Help, &key) {
                return;
            }
            let len = view::help_lines(km, state.options.read_only).len();
            let page = layout::modal_page(area(state), &Modal::Help { scroll });
            let scroll = scroll_by(km, &key, scroll, len, page);
            state.modal = Some(Modal::Help { scroll });
        }
        Modal::Errors { scroll } => {
            if cancel || esc || km.is(Action::Close, &key) || km.is(Action::Errors, &key) {
                return;
            }
            let m = Modal::Errors { scroll };
            let len = view::error_lines(&state.errors, modal_text_width(state, &m)).len();
            let page = layout::modal_page(area(state), &m);
            let scroll = scroll_by(km, &key, scroll, len, page);
            state.modal = Some(Modal::Errors { scroll });
        }
        Modal::Journal { lines, scroll } => {
            if cancel || esc || km.is(Action::Close, &key) || km.is(Action::Journal, &key) {
                return;
            }
            let m = Modal::Journal {
                lines: None,
                scroll,
            };
            let width = modal_text_width(state, &m);
            let len = lines
                .as_ref()
                .map_or(0, |l| view::journal_lines(l, width).len());
            let page = layout::modal_page(
                area(state),
                &Modal::Journal {
                    lines: None,
                    scroll,
                },
            );
            let scroll = scroll_by(km, &key, scroll, len, page);
            state.modal = Some(Modal::Journal { lines, scroll });
        }
    }
}

fn area(state: &State) -> Rect {
    Rect::new(0, 0, state.width, state.height)
}

/// The width of text inside a modal window (borders and a space each side removed).
pub fn modal_text_width(state: &State, modal: &Modal) -> usize {
    layout::modal_area(area(state), modal)
        .width
        .saturating_sub(4) as usize
}

fn scroll_by(
    km: &super::keymap::Keymap,
    key: &KeyEvent,
    scroll: usize,
    len: usize,
    page: usize,
) -> usize {
    let max = len.saturating_sub(page);
    let s = match km.lookup(&[Context::Navigation], key) {
        Some(Action::MoveDown) => scroll + 1,
        Some(Action::MoveUp) => scroll.saturating_sub(1),
        Some(Action::PageDown) => scroll + page,
        Some(Action::PageUp) => scroll.saturating_sub(page),
        Some(Action::Top) => 0,
        Some(Action::Bottom) => max,
        _ => scroll,
    };
    s.min(max)
}

// ---- rotate ----

fn open_rotate(state: &mut State) {
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
    let live = state.live_credentials(&app_id, &connector_id);
    state.modal = Some(Modal::Rotate(RotateDialog {
        app_name: state.rows.app_name(&app_id).to_string(),
        connector_name: state
            .rows
            .connector_name(&app_id, &connector_id)
            .to_string(),
        app_id,
        connector_id,
        live,
    }));
}

// ---- bulk ----

fn plan_item(state: &State, i: u32) -> PlanItem {
    let e = state.entry(i);
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

fn open_bulk_plan(state: &mut State) {
    if state.options.read_only {
        state.refuse("read-only: revoke is disabled");
        return;
    }
    if state.rows.marked == 0 {
        let mark = state.options.keymap.label(Action::Mark);
        let all = state.options.keymap.label(Action::MarkAll);
        state.refuse(format!(
            "nothing marked: {mark} marks a row, {all} every visible row"
        ));
        return;
    }
    let mut targets = Vec::new();
    let mut skipped = Vec::new();
    for &i in &state.rows.sorted {
        let e = state.entry(i);
        if !e.marked || e.kind != EntryKind::Credential {
            continue;
        }
        let item = plan_item(state, i);
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
    assess_plan(state, &mut targets);
    state.modal = Some(Modal::BulkPlan(BulkPlan {
        targets,
        skipped,
        input: String::new(),
        mismatch: false,
        scroll: 0,
        confirmed: 0,
    }));
}

/// The same rules as a single revoke, for the plan as a whole: a target is risky when it
/// was used recently, or when the plan takes every live credential of its connector. Risky
/// targets get their confirmation text and go first, keeping the list's order.
fn assess_plan(state: &State, targets: &mut [PlanItem]) {
    let connector = |t: &PlanItem| (t.key.app_id.clone(), t.key.connector_id.clone());
    let mut per_connector: HashMap<(String, String), usize> = HashMap::new();
    for t in targets.iter() {
        *per_connector.entry(connector(t)).or_default() += 1;
    }
    for t in targets.iter_mut() {
        let (app, conn) = (t.key.app_id.as_str(), t.key.connector_id.as_str());
        let last_used = state
            .rows
            .get(&t.key)
            .and_then(|e| e.last.as_ref())
            .and_then(|c| c.last_used_at);
        let risks = crate::audit::risks(
            last_used,
            state.now,
            state.options.recent_use_days,
            state.rows.connector_name(app, conn),
            state.live_credentials(app, conn),
            per_connector[&connector(t)],
        );
        t.confirm = (!risks.is_empty())
            .then(|| risk::confirmation_text(t.client_id.as_deref(), &t.key.credential_id));
        t.risks = risks.iter().map(|r| r.describe(state.now)).collect();
    }
    targets.sort_by_key(|t| t.confirm.is_none());
}

fn start_bulk(state: &mut State, targets: Vec<PlanItem>, skipped: usize, fx: &mut Vec<Effect>) {
    if state.options.read_only {
        return;
    }
    // The plan consumed the marks, skipped rows included.
    for i in 0..state.rows.entries.len() as u32 {
        state.set_marked(i, false);
    }
    for t in &targets {
        state.change_credential(&t.key, |e| e.pending = Some(Pending::Revoking));
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
        state.change_credential(&key, |e| e.pending = Some(Pending::Revoking));
        fx.push(Effect::Revoke { key });
    }
}

// ---- mouse ----

fn on_mouse(state: &mut State, m: MouseEvent) {
    if !state.secrets.is_empty() || state.modal.is_some() {
        return;
    }
    let l = layout::layout(area(state), state);
    let page = (l.rows.height as usize).max(1);
    let inside = |r: Rect| {
        m.column >= r.x && m.column < r.x + r.width && m.row >= r.y && m.row < r.y + r.height
    };
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            if inside(l.table_header) {
                if let Some(col) = l.column_at(m.column).and_then(|c| c.column) {
                    if state.sort.column == col {
                        reverse_sort(state);
                    } else {
                        state.sort.column = col;
                        state.sort.descending = false;
                        state.rebuild();
                    }
                }
            } else if inside(l.rows) {
                let pos = state.effective_offset(page) + (m.row - l.rows.y) as usize;
                if pos < state.rows.visible.len() {
                    state.select_at(pos);
                }
            }
        }
        MouseEventKind::ScrollDown => {
            let len = state.rows.visible.len();
            let off = (state.effective_offset(page) + WHEEL_STEP).min(len.saturating_sub(page));
            state.offset = off;
            if state.cursor < off {
                state.select_at(off);
            }
            state.offset = off;
        }
        MouseEventKind::ScrollUp => {
            let off = state.effective_offset(page).saturating_sub(WHEEL_STEP);
            state.offset = off;
            if state.cursor >= off + page {
                state.select_at(off + page - 1);
            }
            state.offset = off;
        }
        _ => {}
    }
}

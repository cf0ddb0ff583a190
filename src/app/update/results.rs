//! The worker's results taken in: refresh progress and answers, revoke and rotate outcomes,
//! the journal's window, errors. Results of a superseded refresh are dropped by generation.

use crate::api::ConnectorCredential;
use crate::model::{CredentialKey, Failure, FailureKind, Minted, Revocation, RevokeResult};
use crate::text;

use super::super::dialogs::{BulkOutcome, Modal, SecretView};
use super::super::msg::{Effect, Fetched, WorkerMsg};
use super::super::state::{Finished, Outcome, State};
use super::super::table::{Column, Sort, View};
use super::{change_credential, request_refresh, start_refresh};

fn current(state: &State, generation: u64) -> bool {
    state.refresh.running == Some(generation)
}

pub(super) fn on_worker(state: &mut State, msg: WorkerMsg, fx: &mut Vec<Effect>) {
    match msg {
        WorkerMsg::Inventory(stored) => {
            match stored {
                Ok(rest) => state.load(rest),
                Err(e) => {
                    state.drop_loading();
                    state.error(format!(
                        "the stored inventory could not be read, so only what the refresh \
                         fetches is shown: {}",
                        said(&e)
                    ))
                }
            }
            state.loaded = true;
            request_refresh(state, true, fx);
        }
        WorkerMsg::InventoryPart(part) => state.load_part(part),
        WorkerMsg::Checked(checked) => {
            if super::super::findings::on_checked(state, checked) {
                state.tick_changed = true;
            }
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
            let (now, t) = (state.now, state.thresholds());
            for a in apps {
                let change = state.inventory.set_app(a, now, t);
                state.unsettled.merge(change);
            }
        }
        WorkerMsg::Connectors {
            generation,
            app_id,
            connectors,
        } => {
            if !current(state, generation) {
                return;
            }
            let (now, t) = (state.now, state.thresholds());
            for k in connectors {
                let change = state.inventory.set_connector(&app_id, k, now, t);
                state.unsettled.merge(change);
            }
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
                        && state.inventory.get(&key).is_some_and(|e| {
                            e.revoked_during.is_some() && e.revoked_during == generation
                        });
                    if generation.is_some() {
                        state.refresh.fetched += 1;
                    }
                    if stale {
                        return;
                    }
                    change_credential(state, &key, |e| {
                        e.last = Some(c);
                        e.gone = false;
                        e.error = None;
                        e.fetched_at = Some(at);
                    });
                }
                Fetched::Gone => {
                    if generation.is_some() {
                        state.refresh.fetched += 1;
                    }
                    change_credential(state, &key, |e| {
                        e.gone = true;
                        e.error = None;
                        e.fetched_at = Some(at);
                    });
                }
                Fetched::Failed(err) => {
                    let one_off = generation.is_none();
                    let err_for_row = err.clone();
                    change_credential(state, &key, |e| {
                        e.error = Some(Box::new(err_for_row));
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
                state.refresh.current_at = state.inventory.newest_fetch();
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
        WorkerMsg::Done { work, said: done } => {
            state.end_work(work);
            match done {
                Ok(what) => state.toast(text::sanitize(&what)),
                Err(e) => state.error(said(&e)),
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
        WorkerMsg::Audit(inputs) => super::super::findings::on_inputs(state, inputs),
        WorkerMsg::Rotations { result, note } => {
            super::rotations::on_rotations(state, result, note)
        }
        WorkerMsg::Changes(result) => super::rotations::on_changes(state, result),
        WorkerMsg::Discovery(msg) => super::rotations::on_discovery(state, msg, fx),
        WorkerMsg::Error(e) => state.error(said(&e)),
        WorkerMsg::CommandHistory(Ok(lines)) => {
            super::super::prompt::restore(&mut state.command_history, lines)
        }
        WorkerMsg::Paths { line, names } => {
            // Typed on since Tab, or closed: the answer is for a line that is not there.
            if let Some(open) = state.command.as_mut().filter(|c| c.input == line) {
                open.complete_path(names);
            }
        }
        WorkerMsg::CommandHistory(Err(e)) => state.error(format!(
            "the command line's history of earlier sessions could not be read: {}",
            said(&e)
        )),
    }
}

/// A failure in words for the screen: its message, and for an authentication failure what
/// to check (the server's words do not say which of credboard's settings they were).
pub(super) fn said(f: &Failure) -> String {
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
        .inventory
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
            change_credential(state, &key, |e| {
                e.pending = None;
                e.error = None;
                e.revoked_during = running;
                match fresh {
                    Some(mut f) => {
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
        Err(err) if err.kind == FailureKind::Refused => {
            // credboard would not send it, and says why: no failure of the server's.
            change_credential(state, &key, |e| e.pending = None);
            state.refuse(text::sanitize(&err.message));
            BulkOutcome::Failed(err.message)
        }
        Err(err) => {
            change_credential(state, &key, |e| e.pending = None);
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
    let connector = text::sanitize(state.inventory.connector_name(&app_id, &connector_id));
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
        change_credential(state, &key, |e| {
            e.last = Some(credential);
            e.gone = false;
            e.error = None;
            e.fetched_at = Some(now);
        });
        state.settle();
        // Show the new credential beside the connector's older ones, so the user can revoke
        // an old one once the connector uses the new: sorted by connector. The user's view
        // and filter stay if they show it; if not, they are cleared, and the toast says so.
        let page = state.page_height();
        let table = &mut state.table;
        table.filter_editing = false;
        let shows_new = state
            .inventory
            .position(&key)
            .is_some_and(|i| table.visible.contains(&i));
        let mut cleared = Vec::new();
        if !shows_new {
            if table.view != View::All {
                cleared.push(format!("view \"{}\"", table.view.name()));
                table.view = View::All;
            }
            if !table.filter.is_empty() {
                cleared.push(format!("filter \"{}\"", table.filter));
                table.clear_filter(&state.inventory, page);
            }
        }
        table.set_sort(
            &state.inventory,
            Sort {
                column: Column::Connector,
                descending: false,
            },
            page,
        );
        table.select_key(&state.inventory, &key, page);
        let keys: Vec<CredentialKey> = state
            .inventory
            .credentials_of(&app_id, &connector_id)
            .map(|e| e.key.clone())
            .collect();
        fx.push(Effect::Fetch { keys });
        let why = match cleared.is_empty() {
            true => String::new(),
            false => format!("; {} cleared to show it", cleared.join(" and ")),
        };
        state.toast(format!(
            "new credential minted for {connector}; sorted by connector, beside the older \
             ones{why}"
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

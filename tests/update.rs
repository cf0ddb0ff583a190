//! `update` driven with synthetic messages: no runtime, no terminal, no network.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use credboard::api::{ConnectorCredential, SecretString};
use credboard::app::dialogs::{BulkOutcome, Modal};
use credboard::app::state::ToastKind;
use credboard::app::table::{Column, View};
use credboard::app::{Effect, Fetched, JournalLine, Msg, Options, State, WorkerMsg};
use credboard::audit::Status;
use credboard::demo::{DemoOptions, DemoServer};
use credboard::model::{CredentialKey, KnownCredential};
use credboard::model::{Minted, Snapshot as Inventory};
use credboard::model::{Revocation, RevokeResult};
use credboard::testkit::checks::update;
use credboard::testkit::fixtures::{self, fixed_now, key, loaded_state, options, refreshed_state};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use proptest::prelude::*;

fn k(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn code(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn send(s: &mut State, msgs: impl IntoIterator<Item = Msg>) -> Vec<Effect> {
    let mut fx = Vec::new();
    for m in msgs {
        fx.extend(update(s, m));
    }
    fx
}

fn typed(s: &mut State, text: &str) -> Vec<Effect> {
    send(s, text.chars().map(k).collect::<Vec<_>>())
}

fn state() -> State {
    refreshed_state(options(), 120, 30)
}

fn ids(s: &State) -> Vec<String> {
    s.visible_ids()
}

fn selected_id(s: &State) -> String {
    s.selected_entry().unwrap().row_id().to_string()
}

/// Select a row by its id (moving from the top).
fn select(s: &mut State, id: &str) {
    send(s, [k('g')]);
    let pos = ids(s)
        .iter()
        .position(|x| x == id)
        .unwrap_or_else(|| panic!("{id} not visible"));
    for _ in 0..pos {
        send(s, [code(KeyCode::Down)]);
    }
    assert_eq!(selected_id(s), id);
}

fn sort_by(s: &mut State, column: Column) {
    for _ in 0..Column::ALL.len() {
        if s.table.sort.column == column && !s.table.sort.descending {
            return;
        }
        send(s, [k('s')]);
    }
    panic!("never reached {column:?}");
}

fn generation(s: &State) -> u64 {
    s.refresh.running.expect("a refresh is running")
}

fn found(generation: Option<u64>, c: ConnectorCredential) -> Msg {
    let key = CredentialKey {
        app_id: c.app_id.clone().unwrap(),
        connector_id: c.connector_id.clone().unwrap(),
        credential_id: c.id.clone().unwrap(),
    };
    Msg::Worker(WorkerMsg::Credential {
        generation,
        key,
        fetched: Fetched::Found(c),
        at: fixed_now(),
    })
}

/// The credential as the server would send it again: what the row holds, and its ids.
fn credential(id: &str) -> ConnectorCredential {
    let s = state();
    let e = s.visible_entries().find(|e| e.row_id() == id).unwrap();
    ConnectorCredential {
        id: Some(e.key.credential_id.clone()),
        app_id: Some(e.key.app_id.clone()),
        connector_id: Some(e.key.connector_id.clone()),
        ..e.last.clone().unwrap()
    }
}

/// The worker's answer to a revoke the server carried out, with no fresh Get after it.
fn revoked_as_asked(key: CredentialKey) -> Msg {
    Msg::Worker(WorkerMsg::Revoked {
        key,
        result: Ok(RevokeResult {
            revocation: Revocation::Revoked,
            fresh: None,
            unrecorded: None,
        }),
    })
}

fn days(d: i64) -> Option<DateTime<Utc>> {
    Some(fixed_now() + Duration::days(d))
}

// ---- start and refresh ----

#[test]
fn the_inventory_is_drawn_at_once_and_asks_for_the_first_refresh() {
    let mut s = State::new(options(), fixed_now());
    assert!(!s.loaded);
    let fx = send(
        &mut s,
        [Msg::Resize {
            width: 100,
            height: 30,
        }],
    );
    assert!(fx.is_empty());
    let fx = send(
        &mut s,
        [Msg::Worker(credboard::app::WorkerMsg::Inventory(Ok(
            fixtures::sample_inventory(),
        )))],
    );
    // With each refresh, the audit's inputs (the inventory's mutes, the Findings API).
    assert_eq!(
        fx,
        vec![Effect::Refresh { generation: 1 }, Effect::LoadAuditInputs]
    );
    assert!(s.loaded);
    assert!(!s.is_current());
    assert_eq!(s.inventory.counts.total, 10);
    // Ten credentials and one connector without one.
    assert_eq!(ids(&s).len(), 11);
    let g = generation(&s);
    send(
        &mut s,
        [Msg::Worker(WorkerMsg::RefreshDone {
            generation: g,
            at: fixed_now(),
        })],
    );
    assert!(s.is_current());
    assert_eq!(s.refresh.running, None);
}

/// The stored inventory as the worker sends it at start: `whole` cut into parts of `size`
/// credentials, the apps and connectors with the first, the rest last.
fn in_parts(whole: Inventory, size: usize) -> Vec<Msg> {
    let mut chunks: Vec<Vec<KnownCredential>> = whole
        .credentials
        .chunks(size)
        .map(<[KnownCredential]>::to_vec)
        .collect();
    let rest = chunks.pop().unwrap_or_default();
    let mut first = Some((whole.apps, whole.connectors));
    let mut part = |credentials| {
        let (apps, connectors) = first.take().unwrap_or_default();
        Inventory {
            apps,
            connectors,
            credentials,
        }
    };
    let mut msgs: Vec<Msg> = chunks
        .into_iter()
        .map(|c| Msg::Worker(WorkerMsg::InventoryPart(part(c))))
        .collect();
    msgs.push(Msg::Worker(WorkerMsg::Inventory(Ok(part(rest)))));
    msgs
}

/// A dashboard at start, sized, before anything came from the worker.
fn resized() -> State {
    let mut s = State::new(options(), fixed_now());
    send(
        &mut s,
        [Msg::Resize {
            width: 120,
            height: 30,
        }],
    );
    s
}

fn started(msgs: Vec<Msg>) -> State {
    let mut s = resized();
    send(&mut s, msgs);
    s
}

#[test]
fn a_stored_inventory_sent_in_parts_shows_the_rows_it_would_show_whole() {
    let whole = fixtures::synthetic_inventory(500, 7);
    let at_once = started(vec![Msg::Worker(WorkerMsg::Inventory(Ok(whole.clone())))]);
    for size in [1, 7, 100, 499, 500] {
        let mut s = resized();
        let mut msgs = in_parts(whole.clone(), size);
        let last = msgs.pop().unwrap();
        // Nothing is shown, and no refresh asked for, before the rest has come.
        assert!(send(&mut s, msgs).is_empty(), "parts of {size}");
        assert!(!s.loaded && s.inventory.is_empty(), "parts of {size}");
        send(&mut s, [last]);
        assert!(s.loaded);
        assert_eq!(ids(&s), ids(&at_once), "parts of {size}");
        assert_eq!(
            s.inventory.counts, at_once.inventory.counts,
            "parts of {size}"
        );
        assert_eq!(s.inventory.flags_due, at_once.inventory.flags_due);
    }
}

/// Rows are judged against the clock when their part came; a tick before the rest moves
/// the clock past an expiry, and the credential is shown expired, not expiring.
#[test]
fn a_tick_between_parts_of_the_stored_inventory_leaves_no_stale_flag() {
    let later = fixed_now() + Duration::days(6);
    let mut msgs = in_parts(fixtures::sample_inventory(), 2);
    msgs.insert(1, Msg::Tick(later));
    let s = started(msgs);
    let e = s
        .inventory
        .get(&key("app-gh", "k-gh", "cred-gh-1"))
        .unwrap();
    assert_eq!(
        e.status,
        Status::Expired,
        "github-sync expired after 5 days"
    );
    let mut whole_later = started(vec![Msg::Tick(later)]);
    send(
        &mut whole_later,
        [Msg::Worker(WorkerMsg::Inventory(Ok(
            fixtures::sample_inventory(),
        )))],
    );
    assert_eq!(s.inventory.counts, whole_later.inventory.counts);
    assert_eq!(ids(&s), ids(&whole_later));
}

/// The read failed after some parts: none of them is shown as if it were the inventory,
/// the error says so, and the next inventory read shows only its own rows.
#[test]
fn a_stored_inventory_whose_read_failed_part_way_shows_none_of_its_parts() {
    let mut msgs = in_parts(fixtures::synthetic_inventory(50, 3), 20);
    msgs.pop();
    msgs.push(Msg::Worker(WorkerMsg::Inventory(Err(
        credboard::model::Failure::new(
            credboard::model::FailureKind::Store,
            "inventory.sqlite3: a row cannot be read".to_string(),
        ),
    ))));
    let mut s = started(msgs);
    assert!(s.inventory.is_empty());
    assert!(
        s.errors
            .iter()
            .any(|e| e.text.contains("stored inventory could not be read")),
        "{:?}",
        s.errors
    );
    send(
        &mut s,
        [Msg::Worker(WorkerMsg::Inventory(Ok(
            fixtures::sample_inventory(),
        )))],
    );
    assert_eq!(ids(&s).len(), 11);
}

#[test]
fn a_refresh_asked_for_during_one_is_coalesced() {
    let mut s = loaded_state(options(), 100, 30);
    let first = generation(&s);
    // Two presses and an interval tick while one runs: nothing now, one queued.
    let fx = send(&mut s, [k('r'), k('r'), Msg::RefreshDue]);
    assert!(fx.is_empty());
    assert!(s.refresh.queued);
    assert_eq!(s.toasts.len(), 1, "one toast for the first press only");
    let fx = send(
        &mut s,
        [Msg::Worker(WorkerMsg::RefreshDone {
            generation: first,
            at: fixed_now(),
        })],
    );
    assert_eq!(
        fx,
        vec![
            Effect::Refresh {
                generation: first + 1
            },
            Effect::LoadAuditInputs
        ]
    );
    assert!(!s.refresh.queued);
    // Nothing more is queued after that one.
    let fx = send(
        &mut s,
        [Msg::Worker(WorkerMsg::RefreshDone {
            generation: first + 1,
            at: fixed_now(),
        })],
    );
    assert!(fx.is_empty());
    // And when idle, r starts one at once.
    assert_eq!(
        send(&mut s, [k('r')]),
        vec![
            Effect::Refresh {
                generation: first + 2
            },
            Effect::LoadAuditInputs
        ]
    );
}

#[test]
fn results_of_a_superseded_generation_are_dropped() {
    let mut s = loaded_state(options(), 100, 30);
    let old = generation(&s);
    send(
        &mut s,
        [
            k('r'),
            Msg::Worker(WorkerMsg::RefreshDone {
                generation: old,
                at: fixed_now(),
            }),
        ],
    );
    let new = generation(&s);
    assert_eq!(new, old + 1);
    let mut c = credential("cred-okta-1");
    c.display_name = Some("renamed by a stale refresh".into());
    send(
        &mut s,
        [
            found(Some(old), c.clone()),
            Msg::Worker(WorkerMsg::RefreshError {
                generation: old,
                error: credboard::model::Failure::new(
                    credboard::model::FailureKind::Server,
                    "late",
                ),
            }),
            Msg::Worker(WorkerMsg::Apps {
                generation: old,
                apps: vec![fixtures::app("app-okta", "Stale")],
            }),
            Msg::Worker(WorkerMsg::RefreshDone {
                generation: old,
                at: fixed_now(),
            }),
        ],
    );
    let e = s
        .inventory
        .get(&key("app-okta", "k-okta", "cred-okta-1"))
        .unwrap();
    assert_eq!(e.display_name(), Some("okta-baton"));
    assert_eq!(s.inventory.app_name("app-okta"), "Okta");
    assert!(s.errors.is_empty());
    assert_eq!(
        s.refresh.running,
        Some(new),
        "a stale done does not end the current refresh"
    );
    // The current generation applies; a one-off fetch (None) always applies.
    send(&mut s, [found(Some(new), c.clone())]);
    assert_eq!(
        s.inventory
            .get(&key("app-okta", "k-okta", "cred-okta-1"))
            .unwrap()
            .display_name(),
        Some("renamed by a stale refresh")
    );
    c.display_name = Some("one-off".into());
    send(&mut s, [found(None, c)]);
    assert_eq!(
        s.inventory
            .get(&key("app-okta", "k-okta", "cred-okta-1"))
            .unwrap()
            .display_name(),
        Some("one-off")
    );
}

#[test]
fn progress_counts_credentials_of_the_current_refresh() {
    let mut s = loaded_state(options(), 100, 30);
    let g = generation(&s);
    send(
        &mut s,
        [
            Msg::Worker(WorkerMsg::RefreshStarted {
                generation: g,
                credentials: 10,
            }),
            found(Some(g), credential("cred-okta-1")),
            found(Some(g), credential("cred-gh-1")),
        ],
    );
    assert_eq!((s.refresh.done, s.refresh.total), (2, 10));
}

#[test]
fn failed_fetches_keep_the_data_and_make_one_toast_at_the_end() {
    let mut s = loaded_state(options(), 100, 30);
    let g = generation(&s);
    let fail = |id: &str| {
        Msg::Worker(WorkerMsg::Credential {
            generation: Some(g),
            key: key("app-okta", "k-okta", id),
            fetched: Fetched::Failed(credboard::model::Failure::new(
                credboard::model::FailureKind::Server,
                "503 Service Unavailable",
            )),
            at: fixed_now(),
        })
    };
    send(&mut s, [fail("cred-okta-1"), fail("cred-okta-2")]);
    assert!(s.toasts.is_empty(), "no toast per row");
    let e = s
        .inventory
        .get(&key("app-okta", "k-okta", "cred-okta-1"))
        .unwrap();
    assert_eq!(e.display_name(), Some("okta-baton"), "previous data kept");
    assert_eq!(
        e.error.as_ref().map(|f| f.message.as_str()),
        Some("503 Service Unavailable")
    );
    send(
        &mut s,
        [Msg::Worker(WorkerMsg::RefreshDone {
            generation: g,
            at: fixed_now(),
        })],
    );
    assert_eq!(s.toasts.len(), 1);
    assert_eq!(s.toasts[0].kind, ToastKind::Error);
    assert!(s.toasts[0].text.starts_with("2 of"), "{}", s.toasts[0].text);
    assert!(
        s.toasts[0]
            .text
            .ends_with("The first: 503 Service Unavailable"),
        "the summary names a cause: {}",
        s.toasts[0].text
    );
    assert_eq!(s.errors.len(), 1);
    // A later success clears the row's error.
    send(&mut s, [found(None, credential("cred-okta-1"))]);
    assert_eq!(
        s.inventory
            .get(&key("app-okta", "k-okta", "cred-okta-1"))
            .unwrap()
            .error,
        None
    );
}

#[test]
fn errors_become_toasts_that_expire_and_stay_in_the_history() {
    let mut s = state();
    let g = {
        send(&mut s, [k('r')]);
        generation(&s)
    };
    send(
        &mut s,
        [
            Msg::Worker(WorkerMsg::RefreshError {
                generation: g,
                error: credboard::model::Failure::new(
                    credboard::model::FailureKind::Server,
                    "listing apps: 500",
                ),
            }),
            Msg::Worker(WorkerMsg::Error(credboard::model::Failure::new(
                credboard::model::FailureKind::Store,
                "the inventory could not be written",
            ))),
        ],
    );
    assert_eq!(s.toasts.len(), 2);
    assert_eq!(s.errors.len(), 2);
    send(&mut s, [Msg::Tick(fixed_now() + Duration::seconds(3))]);
    assert_eq!(s.toasts.len(), 2, "errors stay a while");
    send(&mut s, [Msg::Tick(fixed_now() + Duration::seconds(60))]);
    assert!(s.toasts.is_empty());
    assert_eq!(s.errors.len(), 2, "the history keeps them");
    send(&mut s, [k('E')]);
    assert!(matches!(s.modal, Some(Modal::Errors { .. })));
    send(&mut s, [code(KeyCode::Esc)]);
    assert!(s.modal.is_none());
}

#[test]
fn a_404_keeps_the_row_shown_as_gone() {
    let mut s = state();
    send(&mut s, [k('r')]);
    let g = generation(&s);
    let fx = send(
        &mut s,
        [Msg::Worker(WorkerMsg::Credential {
            generation: Some(g),
            key: key("app-okta", "k-okta", "cred-okta-1"),
            fetched: Fetched::Gone,
            at: fixed_now(),
        })],
    );
    assert!(fx.is_empty());
    let e = s
        .inventory
        .get(&key("app-okta", "k-okta", "cred-okta-1"))
        .unwrap();
    assert_eq!(e.status, Status::Gone);
    assert!(ids(&s).contains(&"cred-okta-1".to_string()));
}

// ---- status ----

#[test]
fn flags_are_derived_against_now_and_the_thresholds() {
    let s = state();
    let status = |id: &str| {
        s.visible_entries()
            .find(|e| e.row_id() == id)
            .unwrap()
            .status
    };
    assert_eq!(status("cred-aws-1"), Status::Expired);
    assert_eq!(status("cred-gh-1"), Status::Expiring);
    assert_eq!(status("cred-gh-2"), Status::NeverUsed);
    assert_eq!(status("cred-okta-2"), Status::Idle);
    assert_eq!(status("cred-okta-1"), Status::Active);
    assert_eq!(status("cred-aws-2"), Status::Revoked);
    assert_eq!(status("cred-gh-0"), Status::Gone);
    assert_eq!(status("cred-okta-new"), Status::Unknown);
    assert_eq!(status("k-sf-uncovered"), Status::NoCredential);
    let c = s.inventory.counts;
    assert_eq!(
        (
            c.total,
            c.active,
            c.expiring,
            c.expired,
            c.revoked,
            c.gone,
            c.never_used,
            c.idle
        ),
        (10, 6, 2, 1, 1, 1, 1, 1),
        "the gone credential is not counted as revoked"
    );
    // Reasons name the flag and the numbers behind it.
    let e = s
        .inventory
        .get(&key("app-gh", "k-gh", "cred-gh-2"))
        .unwrap();
    let reasons =
        credboard::audit::reasons(e.last.as_ref(), e.gone, e.flags, s.now, s.thresholds());
    assert_eq!(reasons[0].1, "never used; created 214d ago");
}

#[test]
fn time_moves_flags_on_ticks() {
    let mut s = state();
    // github-sync expires in 5 days: after 6 days it has expired.
    send(&mut s, [Msg::Tick(fixed_now() + Duration::days(6))]);
    let e = s
        .inventory
        .get(&key("app-gh", "k-gh", "cred-gh-1"))
        .unwrap();
    assert_eq!(e.status, Status::Expired);
    assert_eq!(s.inventory.counts.expired, 3);
}

#[test]
fn status_views_cycle_with_tab() {
    let mut s = state();
    let mut seen = Vec::new();
    for _ in 0..View::ALL.len() {
        seen.push((s.table.view, ids(&s).len()));
        send(&mut s, [code(KeyCode::Tab)]);
    }
    assert_eq!(s.table.view, View::All, "back to the start");
    assert_eq!(
        seen,
        vec![
            (View::All, 11),
            (View::Active, 6),
            (View::Expiring, 2),
            (View::Expired, 1),
            (View::NeverUsed, 1),
            (View::Idle, 1),
            (View::Revoked, 2),
            (View::Findings, 10),
        ]
    );
    send(&mut s, [code(KeyCode::BackTab)]);
    assert_eq!(s.table.view, View::Findings);
    send(&mut s, [code(KeyCode::BackTab)]);
    assert_eq!(s.table.view, View::Revoked);
    let mut r = ids(&s);
    r.sort();
    assert_eq!(r, vec!["cred-aws-2", "cred-gh-0"]);
}

// ---- sort ----

#[test]
fn sort_cycles_through_columns_typed() {
    let mut s = state();
    assert_eq!(s.table.sort.column, Column::Status);
    // Status: by severity, then name.
    assert_eq!(
        ids(&s),
        [
            "cred-aws-1",
            "cred-gh-1",
            "cred-sf-1",
            "cred-gh-2",
            "cred-okta-2",
            "cred-aws-3",
            "cred-okta-1",
            "cred-okta-new",
            "cred-aws-2",
            "cred-gh-0",
            "k-sf-uncovered"
        ]
    );
    sort_by(&mut s, Column::Name);
    assert_eq!(
        ids(&s),
        [
            "cred-aws-1",
            "cred-aws-2",
            "cred-aws-3",
            "cred-gh-0",
            "cred-gh-1",
            "cred-gh-2",
            "cred-okta-1",
            "cred-okta-2",
            "cred-sf-1",
            // unnamed last: a credential, then the connector row
            "cred-okta-new",
            "k-sf-uncovered"
        ]
    );
    sort_by(&mut s, Column::App);
    let apps: Vec<String> = s
        .visible_entries()
        .map(|e| s.inventory.app_name(&e.key.app_id).to_string())
        .collect();
    let mut sorted = apps.clone();
    sorted.sort_by_key(|a| a.to_lowercase());
    assert_eq!(apps, sorted);
    // Times as times: 24h ago < 2d < 3d < 10d (as text "10d" would sort before "2d").
    sort_by(&mut s, Column::LastUsed);
    assert_eq!(
        ids(&s),
        [
            // Never used: the oldest use of all (issue 13).
            "cred-gh-2",
            "cred-gh-0",
            "cred-aws-2",
            "cred-okta-2",
            "cred-aws-3",
            "cred-aws-1",
            "cred-sf-1",
            "cred-gh-1",
            "cred-okta-1",
            // unknown / no credential: unset, last in ascending order
            "cred-okta-new",
            "k-sf-uncovered"
        ]
    );
    sort_by(&mut s, Column::Expires);
    assert_eq!(
        &ids(&s)[..5],
        [
            "cred-aws-1",
            "cred-sf-1",
            "cred-gh-1",
            "cred-gh-2",
            "cred-okta-1"
        ]
    );
    sort_by(&mut s, Column::Created);
    assert_eq!(ids(&s)[0], "cred-gh-0", "oldest first");
    sort_by(&mut s, Column::ClientId);
    assert_eq!(ids(&s)[0], "cred-aws-1", "aws0001@…");
}

#[test]
fn reverse_is_the_exact_reverse_and_back() {
    let mut s = state();
    for column in Column::ALL {
        sort_by(&mut s, column);
        let asc = ids(&s);
        send(&mut s, [k('S')]);
        assert!(s.table.sort.descending);
        let mut desc = ids(&s);
        desc.reverse();
        assert_eq!(asc, desc, "{column:?}");
        send(&mut s, [k('S')]);
        assert_eq!(ids(&s), asc);
    }
}

#[test]
fn equal_keys_fall_back_to_the_id_and_never_swap() {
    let mut s = state();
    sort_by(&mut s, Column::Created);
    // Three credentials alike in every column but the id, arriving in a shuffled order.
    let twin = |id: &str| ConnectorCredential {
        id: Some(id.into()),
        app_id: Some("app-okta".into()),
        connector_id: Some("k-okta".into()),
        display_name: Some("twin".into()),
        client_id: Some("twin@x".into()),
        created_at: days(-1000),
        last_used_at: days(-1),
        ..ConnectorCredential::default()
    };
    send(
        &mut s,
        [
            found(None, twin("cred-t-b")),
            found(None, twin("cred-t-c")),
            found(None, twin("cred-t-a")),
        ],
    );
    assert_eq!(&ids(&s)[..3], ["cred-t-a", "cred-t-b", "cred-t-c"]);
    // The same data again, another order: nothing moves.
    let before = ids(&s);
    send(
        &mut s,
        [
            found(None, twin("cred-t-c")),
            found(None, twin("cred-t-a")),
            found(None, twin("cred-t-b")),
        ],
    );
    assert_eq!(ids(&s), before);
    for col in Column::ALL {
        sort_by(&mut s, col);
        let pos: Vec<usize> = ["cred-t-a", "cred-t-b", "cred-t-c"]
            .iter()
            .map(|id| ids(&s).iter().position(|x| x == id).unwrap())
            .collect();
        assert!(pos[0] < pos[1] && pos[1] < pos[2], "{col:?}: {pos:?}");
    }
}

// ---- filter ----

#[test]
fn filter_is_incremental_case_insensitive_across_fields() {
    let mut s = state();
    send(&mut s, [k('/')]);
    assert!(s.table.filter_editing);
    typed(&mut s, "GITHUB");
    // By app name: three GitHub credentials (one gone).
    assert_eq!(ids(&s).len(), 3);
    send(&mut s, (0..6).map(|_| code(KeyCode::Backspace)));
    assert_eq!(ids(&s).len(), 11);
    typed(&mut s, "okta7f"); // client id
    assert_eq!(ids(&s), ["cred-okta-1"]);
    send(&mut s, [code(KeyCode::Esc)]);
    assert!(!s.table.filter_editing);
    assert_eq!(s.table.filter, "");
    assert_eq!(ids(&s).len(), 11);
    send(&mut s, [k('/')]);
    typed(&mut s, "cred-aws"); // credential id
    assert_eq!(ids(&s).len(), 3);
    typed(&mut s, "-3");
    assert_eq!(ids(&s), ["cred-aws-3"]);
    send(&mut s, [code(KeyCode::Enter)]);
    assert!(!s.table.filter_editing);
    assert_eq!(s.table.filter, "cred-aws-3", "Enter keeps it");
    // Keys work on the list again; Esc there clears the filter.
    send(&mut s, [k('j')]);
    send(&mut s, [code(KeyCode::Esc)]);
    assert_eq!(ids(&s).len(), 11);
    // Connector names and the connector row's id match too.
    send(&mut s, [k('/')]);
    typed(&mut s, "salesforce dev");
    assert_eq!(ids(&s), ["k-sf-uncovered"]);
    // Typed 'q' is text, not quit.
    let fx = typed(&mut s, "q");
    assert!(fx.is_empty() && !s.should_quit());
}

#[test]
fn filter_and_view_combine() {
    let mut s = state();
    send(&mut s, [k('/')]);
    typed(&mut s, "aws");
    send(&mut s, [code(KeyCode::Enter), code(KeyCode::Tab)]);
    assert_eq!(s.table.view, View::Active);
    assert_eq!(ids(&s), ["cred-aws-3"]);
}

// ---- selection ----

#[test]
fn selection_follows_the_credential_across_refresh_and_resort() {
    let mut s = state();
    select(&mut s, "cred-okta-2");
    // Data arrives that moves it (it was idle; now used a minute ago: active).
    send(&mut s, [k('r')]);
    let g = generation(&s);
    let mut c = credential("cred-okta-2");
    c.last_used_at = Some(fixed_now() - Duration::minutes(1));
    let before = ids(&s).iter().position(|x| x == "cred-okta-2").unwrap();
    send(&mut s, [found(Some(g), c)]);
    let after = ids(&s).iter().position(|x| x == "cred-okta-2").unwrap();
    assert_ne!(before, after, "it moved");
    assert_eq!(selected_id(&s), "cred-okta-2");
    // Other rows changing do not move the selection either.
    send(
        &mut s,
        [
            found(Some(g), credential("cred-aws-1")),
            found(Some(g), credential("cred-gh-2")),
        ],
    );
    assert_eq!(selected_id(&s), "cred-okta-2");
    for _ in 0..Column::ALL.len() {
        send(&mut s, [k('s')]);
        assert_eq!(selected_id(&s), "cred-okta-2");
        send(&mut s, [k('S')]);
        assert_eq!(selected_id(&s), "cred-okta-2");
    }
    // A filter puts the cursor on its first match (tests/filter.rs); Esc brings it back.
    send(&mut s, [k('/')]);
    typed(&mut s, "okta");
    assert_eq!(selected_id(&s), ids(&s)[0]);
    send(&mut s, [code(KeyCode::Esc)]);
    assert_eq!(selected_id(&s), "cred-okta-2");
}

#[test]
fn moving_and_scrolling() {
    // 9 rows high: 4 rows of table (below 140 columns the header takes 3).
    let mut s = refreshed_state(options(), 100, 9);
    let page = s.page_height();
    assert_eq!(page, 4);
    send(&mut s, [k('G')]);
    assert_eq!(s.table.cursor, 10);
    assert_eq!(s.effective_offset(page), 7);
    send(&mut s, [k('g')]);
    assert_eq!((s.table.cursor, s.table.offset), (0, 0));
    send(&mut s, [code(KeyCode::PageDown)]);
    assert_eq!(s.table.cursor, 4);
    send(&mut s, [code(KeyCode::PageUp)]);
    assert_eq!(s.table.cursor, 0);
    send(
        &mut s,
        [code(KeyCode::Down), code(KeyCode::Down), code(KeyCode::Up)],
    );
    assert_eq!(s.table.cursor, 1);
    // k at the top stays at the top; j at the bottom stays.
    send(&mut s, [k('k'), k('k')]);
    assert_eq!(s.table.cursor, 0);
}

#[test]
fn scroll_stays_put_when_rows_change_elsewhere() {
    let mut s = refreshed_state(options(), 100, 8);
    select(&mut s, "cred-aws-3");
    let line = s.table.cursor - s.effective_offset(s.page_height());
    // A row above it disappears from the view (the expired one gets revoked elsewhere).
    let mut c = credential("cred-aws-1");
    c.deleted_at = Some(fixed_now());
    send(&mut s, [code(KeyCode::Tab)]); // active view
    send(&mut s, [code(KeyCode::BackTab)]); // back to all
    send(&mut s, [found(None, c)]);
    assert_eq!(selected_id(&s), "cred-aws-3");
    assert_eq!(s.table.cursor - s.effective_offset(s.page_height()), line);
}

#[test]
fn enter_toggles_the_detail_pane() {
    let mut s = state();
    send(&mut s, [code(KeyCode::Enter)]);
    assert!(s.detail);
    send(&mut s, [code(KeyCode::Enter)]);
    assert!(!s.detail);
}

// ---- mouse ----

fn click(x: u16, y: u16) -> Msg {
    Msg::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: x,
        row: y,
        modifiers: KeyModifiers::NONE,
    })
}

#[test]
fn mouse_selects_sorts_and_scrolls() {
    let mut s = refreshed_state(options(), 120, 10);
    let l = credboard::app::layout::layout(ratatui::layout::Rect::new(0, 0, 120, 10), s.detail);
    send(&mut s, [click(5, l.rows.y + 2)]);
    assert_eq!(s.table.cursor, 2);
    let name = l.column(Column::Name).unwrap();
    send(&mut s, [click(name.x + 1, l.table_header.y)]);
    assert_eq!(s.table.sort.column, Column::Name);
    assert!(!s.table.sort.descending);
    send(&mut s, [click(name.x + 1, l.table_header.y)]);
    assert!(s.table.sort.descending, "a second click reverses");
    let wheel = |kind| {
        Msg::Mouse(MouseEvent {
            kind,
            column: 5,
            row: l.rows.y,
            modifiers: KeyModifiers::NONE,
        })
    };
    send(&mut s, [k('g'), wheel(MouseEventKind::ScrollDown)]);
    assert_eq!(s.effective_offset(s.page_height()), 3);
    assert_eq!(s.table.cursor, 3, "the selection stays on screen");
    send(&mut s, [wheel(MouseEventKind::ScrollUp)]);
    assert_eq!(s.effective_offset(s.page_height()), 0);
}

// ---- coverage rows ----

#[test]
fn connectors_without_credentials_get_rows_that_go_when_one_arrives() {
    let mut s = state();
    send(&mut s, [k('r')]);
    let g = generation(&s);
    send(
        &mut s,
        [Msg::Worker(WorkerMsg::Connectors {
            generation: g,
            app_id: "app-gh".into(),
            connectors: vec![
                fixtures::connector("app-gh", "k-gh", "GitHub org (renamed)"),
                fixtures::connector("app-gh", "k-gh-new", "GitHub enterprise"),
            ],
        })],
    );
    assert!(ids(&s).contains(&"k-gh-new".to_string()));
    assert_eq!(s.inventory.counts.connectors_without, 2);
    assert_eq!(
        s.inventory.connector_name("app-gh", "k-gh"),
        "GitHub org (renamed)"
    );
    // The rename is searchable.
    send(&mut s, [k('/')]);
    typed(&mut s, "renamed");
    assert_eq!(ids(&s).len(), 3);
    send(&mut s, [code(KeyCode::Esc)]);
    // A credential for it appears (tracked elsewhere): the connector row goes.
    let c = ConnectorCredential {
        id: Some("cred-gh-new".into()),
        app_id: Some("app-gh".into()),
        connector_id: Some("k-gh-new".into()),
        ..ConnectorCredential::default()
    };
    send(&mut s, [found(None, c)]);
    assert!(!ids(&s).contains(&"k-gh-new".to_string()));
    assert!(ids(&s).contains(&"cred-gh-new".to_string()));
    assert_eq!(s.inventory.counts.connectors_without, 1);
}

// ---- revoke ----

fn revoke_key(fx: &[Effect]) -> Vec<CredentialKey> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Revoke { key } => Some(key.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn revoke_captures_the_row_and_confirms_with_y() {
    let mut s = state();
    select(&mut s, "cred-okta-2"); // idle, its connector has another live credential
    let fx = send(&mut s, [k('d')]);
    assert!(fx.is_empty());
    let Some(Modal::Revoke(d)) = s.modal.as_ref() else {
        panic!("no dialog")
    };
    assert_eq!(d.key, key("app-okta", "k-okta", "cred-okta-2"));
    assert_eq!(d.name.as_deref(), Some("okta-baton-old"));
    assert_eq!(
        d.client_id.as_deref(),
        Some("okta11b2@acme.conductor.one/pcc")
    );
    assert!(d.typed.is_none());
    // d again does not confirm.
    assert!(send(&mut s, [k('d')]).is_empty());
    assert!(s.modal.is_some());
    let fx = send(&mut s, [k('y')]);
    assert_eq!(
        revoke_key(&fx),
        vec![key("app-okta", "k-okta", "cred-okta-2")]
    );
    assert!(s.modal.is_none());
    let e = s
        .inventory
        .get(&key("app-okta", "k-okta", "cred-okta-2"))
        .unwrap();
    assert!(e.pending.is_some(), "the row says revoking");
    // Success without a fresh Get: deletedAt = now.
    send(
        &mut s,
        [revoked_as_asked(key("app-okta", "k-okta", "cred-okta-2"))],
    );
    let e = s
        .inventory
        .get(&key("app-okta", "k-okta", "cred-okta-2"))
        .unwrap();
    assert_eq!(e.status, Status::Revoked);
    assert_eq!(e.pending, None);
    assert_eq!(e.last.as_ref().unwrap().deleted_at, Some(fixed_now()));
    assert!(s.toasts.iter().any(|t| t.text == "revoked okta-baton-old"));
    // d on it now: nothing to do.
    let fx = send(&mut s, [k('d')]);
    assert!(fx.is_empty() && s.modal.is_none());
    assert!(s.toasts.last().unwrap().text.contains("already revoked"));
}

#[test]
fn revoke_cancels_on_n_esc_and_enter() {
    for cancel in [k('n'), code(KeyCode::Esc), code(KeyCode::Enter)] {
        let mut s = state();
        select(&mut s, "cred-okta-2");
        send(&mut s, [k('d')]);
        assert!(s.modal.is_some());
        // Unrelated keys do nothing.
        assert!(send(&mut s, [k('j'), k('s'), k('q')]).is_empty());
        assert!(s.modal.is_some());
        let fx = send(&mut s, [cancel]);
        assert!(fx.is_empty());
        assert!(s.modal.is_none());
        assert_eq!(
            s.inventory
                .get(&key("app-okta", "k-okta", "cred-okta-2"))
                .unwrap()
                .pending,
            None
        );
    }
}

#[test]
fn recently_used_needs_its_own_client_id_typed_and_the_old_four_characters_revoke_nothing() {
    let mut s = state();
    select(&mut s, "cred-okta-1"); // used a day ago
    send(&mut s, [k('d')]);
    let Some(Modal::Revoke(d)) = s.modal.as_ref() else {
        panic!()
    };
    let t = d.typed.as_ref().expect("typed confirmation");
    assert_eq!(t.expected, "okta7f3a", "the part of the client id before @");
    assert!(t.reasons[0].contains("used 24h ago"), "{:?}", t.reasons);
    // y is text here, not a confirmation.
    assert!(send(&mut s, [k('y')]).is_empty());
    send(&mut s, [code(KeyCode::Backspace)]);
    // The old answer, the same for every credential: stays open, says it does not match.
    typed(&mut s, "/pcc");
    assert!(send(&mut s, [code(KeyCode::Enter)]).is_empty());
    let Some(Modal::Revoke(d)) = s.modal.as_ref() else {
        panic!("closed")
    };
    assert!(d.typed.as_ref().unwrap().mismatch);
    // A prefix of the right text is not enough either.
    send(&mut s, (0..4).map(|_| code(KeyCode::Backspace)));
    typed(&mut s, "okta7f3");
    assert!(send(&mut s, [code(KeyCode::Enter)]).is_empty());
    assert!(matches!(s.modal, Some(Modal::Revoke(_))));
    // Right text + Enter: revoke.
    typed(&mut s, "a");
    let fx = send(&mut s, [code(KeyCode::Enter)]);
    assert_eq!(
        revoke_key(&fx),
        vec![key("app-okta", "k-okta", "cred-okta-1")]
    );
}

/// The typed confirmation each visible row's revoke dialog asks for, opening the dialog on
/// every row in turn as a user would (rows that need none are left out).
fn confirmation_texts(s: &mut State) -> Vec<(CredentialKey, String)> {
    let mut out = Vec::new();
    send(s, [k('g')]);
    for _ in 0..s.visible_ids().len() {
        send(s, [k('d')]);
        if let Some(Modal::Revoke(d)) = s.modal.as_ref() {
            if let Some(t) = d.typed.as_ref() {
                out.push((d.key.clone(), t.expected.clone()));
            }
            send(s, [code(KeyCode::Esc)]);
        }
        assert!(s.modal.is_none());
        send(s, [k('j')]);
    }
    out
}

/// Every credential of the demo tenant, loaded as the dashboard loads a stored inventory,
/// with `now` the tenant's own.
async fn demo_state() -> (State, DemoServer) {
    let server = DemoServer::start(DemoOptions::default()).await.unwrap();
    let credentials = server
        .credentials()
        .into_iter()
        .map(|c| KnownCredential {
            source: credboard::model::Source::Import,
            learned_at: chrono::DateTime::UNIX_EPOCH,
            key: CredentialKey {
                app_id: c.app_id.clone().unwrap(),
                connector_id: c.connector_id.clone().unwrap(),
                credential_id: c.id.clone().unwrap(),
            },
            last: Some(c),
            gone: false,
            fetched_at: Some(server.started_at()),
        })
        .collect();
    let mut s = State::new(options(), server.started_at());
    send(
        &mut s,
        [
            Msg::Resize {
                width: 160,
                height: 48,
            },
            Msg::Worker(credboard::app::WorkerMsg::Inventory(Ok(Inventory {
                apps: Vec::new(),
                connectors: Vec::new(),
                credentials,
            }))),
        ],
    );
    (s, server)
}

#[tokio::test]
async fn no_two_demo_credentials_need_the_same_confirmation_text() {
    let (mut s, server) = demo_state().await;
    let texts = confirmation_texts(&mut s);
    assert!(
        texts.len() >= 20,
        "the demo tenant has many recently used credentials: {}",
        texts.len()
    );
    let mut seen: HashMap<&str, &CredentialKey> = HashMap::new();
    for (key, text) in &texts {
        if let Some(other) = seen.insert(text, key) {
            panic!("{key:?} and {other:?} both ask for {text:?}");
        }
    }
    server.shutdown().await;
}

/// A state with two credentials of one connector of one tenant, both used an hour ago, whose
/// client ids are `<a>@acme.conductor.one/pcc` and `<b>@acme.conductor.one/pcc`.
fn two_credentials(a: &str, b: &str) -> State {
    let host = "@acme.conductor.one/pcc";
    let known = |id: &str, name: &str| KnownCredential {
        source: credboard::model::Source::Import,
        learned_at: chrono::DateTime::UNIX_EPOCH,
        key: key("app-1", "k-1", id),
        last: Some(ConnectorCredential {
            client_id: Some(format!("{name}{host}")),
            display_name: Some("baton".into()),
            created_at: days(-30),
            last_used_at: Some(fixed_now() - Duration::hours(1)),
            ..ConnectorCredential::default()
        }),
        gone: false,
        fetched_at: Some(fixed_now()),
    };
    let mut s = State::new(options(), fixed_now());
    send(
        &mut s,
        [
            Msg::Resize {
                width: 120,
                height: 30,
            },
            Msg::Worker(credboard::app::WorkerMsg::Inventory(Ok(Inventory {
                apps: Vec::new(),
                connectors: Vec::new(),
                credentials: vec![
                    known("2AAAAAAAAAAAAAAAAAAAAAAAAAA", a),
                    known("2BBBBBBBBBBBBBBBBBBBBBBBBBB", b),
                ],
            }))),
        ],
    );
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Whatever the random part of two client ids of a tenant (shaped like ConductorOne's,
    /// or any text at all: escapes, `@`, 10,000 characters), two credentials whose client ids
    /// differ ask for different text.
    #[test]
    fn two_credentials_with_different_client_ids_need_different_text(
        a in prop_oneof!["[a-z]{3,8}-[a-z]{3,8}-[0-9]{5}", any::<String>(), "\\PC{60,70}"],
        b in prop_oneof!["[a-z]{3,8}-[a-z]{3,8}-[0-9]{5}", any::<String>(), "\\PC{60,70}"],
    ) {
        prop_assume!(a != b);
        let mut s = two_credentials(&a, &b);
        let texts = confirmation_texts(&mut s);
        prop_assert_eq!(texts.len(), 2, "both were used an hour ago");
        prop_assert_ne!(&texts[0].1, &texts[1].1);
    }
}

#[test]
fn typed_confirmation_cancels_on_esc_and_on_empty_enter() {
    for cancel in [code(KeyCode::Esc), code(KeyCode::Enter)] {
        let mut s = state();
        select(&mut s, "cred-okta-1");
        send(&mut s, [k('d')]);
        let fx = send(&mut s, [cancel]);
        assert!(fx.is_empty());
        assert!(s.modal.is_none());
    }
    // Esc after typing the right text still cancels.
    let mut s = state();
    select(&mut s, "cred-okta-1");
    send(&mut s, [k('d')]);
    typed(&mut s, "okta7f3a");
    assert!(send(&mut s, [code(KeyCode::Esc)]).is_empty());
    assert!(s.modal.is_none());
}

#[test]
fn ctrl_u_clears_what_is_typed_and_backspace_one_character() {
    let mut s = state();
    select(&mut s, "cred-okta-1");
    send(&mut s, [k('d')]);
    typed(&mut s, "okta7f3x");
    send(&mut s, [code(KeyCode::Backspace)]);
    let input = |s: &State| match s.modal.as_ref() {
        Some(Modal::Revoke(d)) => d.typed.as_ref().unwrap().input.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(input(&s), "okta7f3");
    send(&mut s, [ctrl('u')]);
    assert_eq!(input(&s), "", "cleared, the dialog still open");
    typed(&mut s, "okta7f3a");
    let fx = send(&mut s, [code(KeyCode::Enter)]);
    assert_eq!(
        revoke_key(&fx).len(),
        1,
        "typed again after clearing: revoked"
    );
    // The filter too, which stays open for typing.
    send(&mut s, [k('/')]);
    typed(&mut s, "okta");
    send(&mut s, [ctrl('u')]);
    assert_eq!(s.table.filter, "");
    assert!(s.table.filter_editing);
    typed(&mut s, "gh");
    assert_eq!(s.table.filter, "gh");
}

#[test]
fn the_arrows_and_pages_move_the_selection_while_filtering() {
    let mut s = state();
    send(&mut s, [k('/')]);
    send(&mut s, [code(KeyCode::Down), code(KeyCode::Down)]);
    assert_eq!(s.table.cursor, 2);
    send(&mut s, [code(KeyCode::Up)]);
    assert_eq!(s.table.cursor, 1);
    send(&mut s, [code(KeyCode::PageDown)]);
    assert_eq!(
        s.table.cursor,
        ids(&s).len() - 1,
        "a page down: the last of the rows"
    );
    send(&mut s, [code(KeyCode::PageUp)]);
    assert_eq!(s.table.cursor, 0);
    // The letters that move in the list are typed here.
    typed(&mut s, "jk");
    assert_eq!(s.table.filter, "jk");
}

#[test]
fn ctrl_z_suspends_from_anywhere_without_touching_what_is_open() {
    let suspend = || ctrl('z');
    let mut s = state();
    assert_eq!(send(&mut s, [suspend()]), vec![Effect::Suspend]);
    send(&mut s, [k('/')]);
    typed(&mut s, "ok");
    assert_eq!(send(&mut s, [suspend()]), vec![Effect::Suspend]);
    assert_eq!(s.table.filter, "ok", "not typed");
    send(&mut s, [code(KeyCode::Esc)]);
    select(&mut s, "cred-okta-1");
    send(&mut s, [k('d')]);
    assert_eq!(send(&mut s, [suspend()]), vec![Effect::Suspend]);
    assert!(
        matches!(s.modal, Some(Modal::Revoke(_))),
        "the dialog stays"
    );
    assert!(!s.should_quit());
}

#[test]
fn the_last_live_credential_of_a_connector_needs_typing() {
    let mut s = state();
    select(&mut s, "cred-aws-3"); // the only credential of AWS sandbox, used 20 days ago
    send(&mut s, [k('d')]);
    let Some(Modal::Revoke(d)) = s.modal.as_ref() else {
        panic!()
    };
    let t = d.typed.as_ref().expect("typed");
    assert!(
        t.reasons[0].contains("last live credential"),
        "{:?}",
        t.reasons
    );
}

/// The reasons the revoke dialog of `id` asks for its text, or none if `y` does.
fn revoke_reasons(s: &mut State, id: &str) -> Option<Vec<String>> {
    select(s, id);
    send(s, [k('d')]);
    let Some(Modal::Revoke(d)) = s.modal.as_ref() else {
        panic!("no revoke dialog")
    };
    let reasons = d.typed.as_ref().map(|t| t.reasons.clone());
    send(s, [code(KeyCode::Esc)]);
    reasons
}

#[test]
fn the_last_unexpired_credential_needs_typing_and_an_expired_one_is_not_called_the_last() {
    let mut s = state();
    // GitHub org holds cred-gh-1 (used 2 days ago), cred-gh-2 (never used) and a gone one.
    // Once cred-gh-1 has expired, cred-gh-2 is the only one that may work.
    let mut expired = credential("cred-gh-1");
    expired.expires_time = Some(fixed_now() - Duration::days(1));
    send(&mut s, [found(None, expired)]);
    assert_eq!(
        revoke_reasons(&mut s, "cred-gh-2"),
        Some(vec!["last live credential of GitHub org".to_string()])
    );
    // The expired one is asked for because it was used recently, not as the last live one.
    assert_eq!(
        revoke_reasons(&mut s, "cred-gh-1"),
        Some(vec!["used 2d ago".to_string()])
    );
    // AWS payer's only unrevoked credential expired 3 days ago, last used 10 days ago:
    // revoking it leaves nothing less working than it found, and `y` is enough.
    assert_eq!(revoke_reasons(&mut s, "cred-aws-1"), None);
}

#[test]
fn revoke_failure_restores_the_row_and_404_counts_as_done() {
    let mut s = state();
    select(&mut s, "cred-okta-2");
    send(&mut s, [k('d'), k('y')]);
    send(
        &mut s,
        [Msg::Worker(WorkerMsg::Revoked {
            key: key("app-okta", "k-okta", "cred-okta-2"),
            result: Err(credboard::model::Failure::new(
                credboard::model::FailureKind::Server,
                "403 Forbidden",
            )),
        })],
    );
    let e = s
        .inventory
        .get(&key("app-okta", "k-okta", "cred-okta-2"))
        .unwrap();
    assert_eq!(e.status, Status::Idle, "as it was");
    assert_eq!(e.pending, None);
    assert!(s.errors.last().unwrap().text.contains("403 Forbidden"));
    assert_eq!(s.toasts.last().unwrap().kind, ToastKind::Error);
    // Again; this time the server says 404.
    send(&mut s, [k('d'), k('y')]);
    send(
        &mut s,
        [Msg::Worker(WorkerMsg::Revoked {
            key: key("app-okta", "k-okta", "cred-okta-2"),
            result: Ok(RevokeResult {
                revocation: Revocation::AlreadyRevoked,
                fresh: None,
                unrecorded: None,
            }),
        })],
    );
    let e = s
        .inventory
        .get(&key("app-okta", "k-okta", "cred-okta-2"))
        .unwrap();
    assert_eq!(e.status, Status::Gone);
    assert!(s.toasts.last().unwrap().text.contains("already revoked"));
    assert_ne!(s.toasts.last().unwrap().kind, ToastKind::Error);
}

#[test]
fn a_fresh_get_after_revoke_is_used() {
    let mut s = state();
    select(&mut s, "cred-okta-2");
    send(&mut s, [k('d'), k('y')]);
    let mut fresh = credential("cred-okta-2");
    fresh.deleted_at = Some(fixed_now() - Duration::seconds(1));
    send(
        &mut s,
        [Msg::Worker(WorkerMsg::Revoked {
            key: key("app-okta", "k-okta", "cred-okta-2"),
            result: Ok(RevokeResult {
                revocation: Revocation::Revoked,
                fresh: Some(fresh),
                unrecorded: None,
            }),
        })],
    );
    let e = s
        .inventory
        .get(&key("app-okta", "k-okta", "cred-okta-2"))
        .unwrap();
    assert_eq!(
        e.last.as_ref().unwrap().deleted_at,
        Some(fixed_now() - Duration::seconds(1))
    );
}

#[test]
fn revoke_on_a_connector_row_or_a_gone_row_explains() {
    let mut s = state();
    for id in ["k-sf-uncovered", "cred-gh-0", "cred-aws-2"] {
        select(&mut s, id);
        let fx = send(&mut s, [k('d')]);
        assert!(fx.is_empty());
        assert!(s.modal.is_none(), "{id}");
        assert!(!s.toasts.is_empty());
    }
}

#[test]
fn the_dialog_target_survives_data_changes() {
    let mut s = state();
    select(&mut s, "cred-okta-2");
    send(&mut s, [k('d')]);
    // New data re-sorts everything and renames things under the open dialog. (The refresh
    // key goes to the dialog; the interval refresh does not.)
    assert!(send(&mut s, [k('r')]).is_empty());
    send(&mut s, [Msg::RefreshDue]);
    let g = generation(&s);
    let mut c = credential("cred-okta-2");
    c.display_name = Some("zzz".into());
    c.last_used_at = Some(fixed_now());
    send(
        &mut s,
        [
            found(Some(g), c),
            Msg::Worker(WorkerMsg::Apps {
                generation: g,
                apps: vec![fixtures::app("app-okta", "Okta 2")],
            }),
            Msg::Worker(WorkerMsg::Credential {
                generation: Some(g),
                key: key("app-gh", "k-gh", "cred-gh-1"),
                fetched: Fetched::Gone,
                at: fixed_now(),
            }),
            Msg::Worker(WorkerMsg::RefreshDone {
                generation: g,
                at: fixed_now(),
            }),
        ],
    );
    let fx = send(&mut s, [k('y')]);
    assert_eq!(
        revoke_key(&fx),
        vec![key("app-okta", "k-okta", "cred-okta-2")]
    );
}

// ---- bulk ----

#[test]
fn bulk_revoke_shows_a_plan_then_runs_and_sums_up() {
    let mut s = state();
    for id in ["cred-okta-2", "cred-gh-2", "cred-aws-2", "cred-gh-0"] {
        select(&mut s, id);
        send(&mut s, [k(' ')]);
    }
    assert_eq!(s.inventory.marked(), 4);
    let fx = send(&mut s, [k('D')]);
    assert!(fx.is_empty());
    let Some(Modal::BulkPlan(p)) = s.modal.as_ref() else {
        panic!("no plan")
    };
    let targets: Vec<&str> = p
        .targets
        .iter()
        .map(|t| t.key.credential_id.as_str())
        .collect();
    assert_eq!(targets, ["cred-gh-2", "cred-okta-2"]);
    let skipped: Vec<(&str, &str)> = p
        .skipped
        .iter()
        .map(|(t, why)| (t.key.credential_id.as_str(), *why))
        .collect();
    assert_eq!(
        skipped,
        [
            ("cred-aws-2", "already revoked"),
            ("cred-gh-0", "gone (404)")
        ]
    );
    // y and Enter alone do nothing; a wrong word does nothing.
    assert!(send(&mut s, [k('y')]).is_empty());
    send(&mut s, [code(KeyCode::Backspace)]);
    typed(&mut s, "revok");
    assert!(send(&mut s, [code(KeyCode::Enter)]).is_empty());
    assert!(matches!(s.modal, Some(Modal::BulkPlan(ref p)) if p.mismatch));
    typed(&mut s, "e");
    let fx = send(&mut s, [code(KeyCode::Enter)]);
    assert_eq!(
        revoke_key(&fx),
        vec![
            key("app-gh", "k-gh", "cred-gh-2"),
            key("app-okta", "k-okta", "cred-okta-2")
        ]
    );
    assert!(matches!(s.modal, Some(Modal::Bulk { .. })));
    assert_eq!(s.inventory.marked(), 0);
    send(
        &mut s,
        [
            revoked_as_asked(key("app-gh", "k-gh", "cred-gh-2")),
            Msg::Worker(WorkerMsg::Revoked {
                key: key("app-okta", "k-okta", "cred-okta-2"),
                result: Err(credboard::model::Failure::new(
                    credboard::model::FailureKind::Server,
                    "timeout",
                )),
            }),
        ],
    );
    let b = s.bulk.as_ref().unwrap();
    let sum = b.summary();
    assert_eq!(
        (sum.revoked, sum.already_gone, sum.failed, sum.pending),
        (1, 0, 1, 0)
    );
    assert_eq!(b.skipped, 2);
    // Retry the failed one.
    let fx = send(&mut s, [k('t')]);
    assert_eq!(
        revoke_key(&fx),
        vec![key("app-okta", "k-okta", "cred-okta-2")]
    );
    send(
        &mut s,
        [Msg::Worker(WorkerMsg::Revoked {
            key: key("app-okta", "k-okta", "cred-okta-2"),
            result: Ok(RevokeResult {
                revocation: Revocation::AlreadyRevoked,
                fresh: None,
                unrecorded: None,
            }),
        })],
    );
    let b = s.bulk.as_ref().unwrap();
    assert_eq!(b.items[1].1, BulkOutcome::AlreadyGone);
    assert!(
        s.toasts
            .last()
            .unwrap()
            .text
            .contains("1 revoked, 1 already gone, 0 failed")
    );
    send(&mut s, [code(KeyCode::Esc)]);
    assert!(s.modal.is_none());
}

#[test]
fn a_plan_with_a_recently_used_credential_is_not_carried_out_by_the_word_alone() {
    let mut s = state();
    // okta-baton was used a day ago; okta-baton-old long ago, and its connector keeps a
    // live credential (cred-okta-new) after the plan.
    for id in ["cred-okta-1", "cred-okta-2"] {
        select(&mut s, id);
        send(&mut s, [k(' ')]);
    }
    send(&mut s, [k('D')]);
    typed(&mut s, "revoke");
    assert!(
        revoke_key(&send(&mut s, [code(KeyCode::Enter)])).is_empty(),
        "the word alone revokes nothing"
    );
    assert!(
        matches!(s.modal, Some(Modal::BulkPlan(_))),
        "the plan stays"
    );
    // The risky row is confirmed with its own text, as its single revoke would be.
    send(&mut s, (0..6).map(|_| code(KeyCode::Backspace)));
    typed(&mut s, "/pcc");
    assert!(revoke_key(&send(&mut s, [code(KeyCode::Enter)])).is_empty());
    send(&mut s, (0..4).map(|_| code(KeyCode::Backspace)));
    typed(&mut s, "okta7f3a");
    assert!(revoke_key(&send(&mut s, [code(KeyCode::Enter)])).is_empty());
    // Then the word, for the whole plan.
    typed(&mut s, "revoke");
    let fx = send(&mut s, [code(KeyCode::Enter)]);
    assert_eq!(
        revoke_key(&fx),
        vec![
            key("app-okta", "k-okta", "cred-okta-1"),
            key("app-okta", "k-okta", "cred-okta-2")
        ]
    );
}

#[test]
fn bulk_plan_cancels_and_needs_marks() {
    let mut s = state();
    assert!(send(&mut s, [k('D')]).is_empty());
    assert!(s.modal.is_none(), "nothing marked: a toast, no plan");
    send(&mut s, [k('a')]);
    assert_eq!(
        s.inventory.marked(),
        10,
        "every visible credential row (not the connector row)"
    );
    send(&mut s, [k('A')]);
    assert_eq!(s.inventory.marked(), 0);
    send(&mut s, [k('a'), k('D')]);
    typed(&mut s, "revoke");
    assert!(send(&mut s, [code(KeyCode::Esc)]).is_empty());
    assert!(s.modal.is_none());
    send(&mut s, [k('D')]);
    assert!(
        send(&mut s, [code(KeyCode::Enter)]).is_empty(),
        "empty Enter cancels"
    );
    assert!(s.modal.is_none());
}

// ---- rotate ----

fn minted(id: &str, secret: &str) -> Minted {
    credboard::model::Minted {
        record_error: None,
        credential: ConnectorCredential {
            id: Some(id.into()),
            app_id: Some("app-okta".into()),
            connector_id: Some("k-okta".into()),
            client_id: Some("oktanew1@acme.conductor.one/pcc".into()),
            display_name: Some("okta-baton-2026".into()),
            created_at: Some(fixed_now()),
            client_secret: Some(SecretString::new(secret)),
            ..ConnectorCredential::default()
        },
        secret: SecretString::new(secret),
    }
}

#[test]
fn rotate_confirms_mints_and_shows_the_secret_once() {
    let mut s = state();
    select(&mut s, "cred-okta-2");
    assert!(send(&mut s, [k('R')]).is_empty());
    assert!(matches!(s.modal, Some(Modal::Rotate(_))));
    let fx = send(&mut s, [k('y')]);
    assert_eq!(
        fx,
        vec![Effect::Rotate {
            app_id: "app-okta".into(),
            connector_id: "k-okta".into()
        }]
    );
    let secret = "secret-token:conductorone.com:v1:TOPSECRETVALUE";
    let fx = send(
        &mut s,
        [Msg::Worker(WorkerMsg::Rotated {
            app_id: "app-okta".into(),
            connector_id: "k-okta".into(),
            result: Ok(minted("cred-okta-9", secret)),
        })],
    );
    // Old and new are fetched together.
    let Some(Effect::Fetch { keys }) = fx.first() else {
        panic!("{fx:?}")
    };
    let mut got: Vec<&str> = keys.iter().map(|k| k.credential_id.as_str()).collect();
    got.sort();
    assert_eq!(
        got,
        ["cred-okta-1", "cred-okta-2", "cred-okta-9", "cred-okta-new"]
    );
    // The new row is there and selected, beside the connector's older ones; it holds no
    // secret.
    assert_eq!(selected_id(&s), "cred-okta-9");
    assert_eq!(s.table.sort.column, Column::Connector);
    let ids = s.visible_ids();
    let at = |id: &str| ids.iter().position(|x| x == id).unwrap();
    let mut group: Vec<usize> = ["cred-okta-1", "cred-okta-2", "cred-okta-9", "cred-okta-new"]
        .into_iter()
        .map(at)
        .collect();
    group.sort();
    assert_eq!(group[3] - group[0], 3, "adjacent rows: {ids:?}");
    let e = s
        .inventory
        .get(&key("app-okta", "k-okta", "cred-okta-9"))
        .unwrap();
    assert!(e.last.as_ref().unwrap().client_secret.is_none());
    // Masked by default.
    let v = s.secrets.front().unwrap();
    assert_eq!(v.shown(), "secret-token:conductorone.com:v1:••••••••");
    assert!(
        !format!("{s:?}").contains("TOPSECRETVALUE"),
        "Debug never shows it"
    );
    // Reveal, copy.
    send(&mut s, [k('v')]);
    assert_eq!(s.secrets.front().unwrap().shown(), secret);
    let fx = send(&mut s, [k('c')]);
    match fx.as_slice() {
        [Effect::Copy(c)] => assert_eq!(c.expose(), secret),
        other => panic!("{other:?}"),
    }
    // List keys do nothing while it is open.
    assert!(send(&mut s, [k('d'), k('j')]).is_empty());
    // Closing needs two presses.
    send(&mut s, [code(KeyCode::Esc)]);
    assert!(s.secrets.front().unwrap().close_armed);
    send(&mut s, [code(KeyCode::Esc)]);
    assert!(s.secrets.is_empty());
    // q on the list quits again.
    assert_eq!(send(&mut s, [k('q')]), vec![Effect::Quit]);
}

#[test]
fn rotate_on_a_connector_row_covers_it_and_failures_are_errors() {
    let mut s = state();
    select(&mut s, "k-sf-uncovered");
    send(&mut s, [k('R')]);
    let fx = send(&mut s, [k('y')]);
    assert_eq!(
        fx,
        vec![Effect::Rotate {
            app_id: "app-sf".into(),
            connector_id: "k-sf-uncovered".into()
        }]
    );
    assert_eq!(s.rotating.len(), 1);
    let fx = send(
        &mut s,
        [Msg::Worker(WorkerMsg::Rotated {
            app_id: "app-sf".into(),
            connector_id: "k-sf-uncovered".into(),
            result: Err(credboard::model::Failure::new(
                credboard::model::FailureKind::Server,
                "409 Conflict",
            )),
        })],
    );
    assert!(fx.is_empty());
    assert!(s.rotating.is_empty());
    assert!(s.errors.last().unwrap().text.contains("409 Conflict"));
    assert!(s.secrets.is_empty());
    // Cancel paths of the y/n dialog.
    for cancel in [k('n'), code(KeyCode::Esc), code(KeyCode::Enter)] {
        send(&mut s, [k('R')]);
        assert!(send(&mut s, [cancel]).is_empty());
        assert!(s.modal.is_none());
    }
    // Success covers the connector: its row becomes a credential row.
    send(&mut s, [k('R'), k('y')]);
    let mut n = minted("cred-sf-9", "secret-token:x:y:z");
    n.credential.app_id = Some("app-sf".into());
    n.credential.connector_id = Some("k-sf-uncovered".into());
    send(
        &mut s,
        [Msg::Worker(WorkerMsg::Rotated {
            app_id: "app-sf".into(),
            connector_id: "k-sf-uncovered".into(),
            result: Ok(n),
        })],
    );
    assert!(!ids(&s).contains(&"k-sf-uncovered".to_string()));
    assert_eq!(selected_id(&s), "cred-sf-9");
}

#[test]
fn a_new_row_hidden_by_the_filter_is_brought_into_view() {
    let mut s = state();
    select(&mut s, "cred-okta-2");
    send(&mut s, [k('R'), k('y'), k('/')]);
    typed(&mut s, "aws");
    send(&mut s, [code(KeyCode::Enter)]);
    send(
        &mut s,
        [Msg::Worker(WorkerMsg::Rotated {
            app_id: "app-okta".into(),
            connector_id: "k-okta".into(),
            result: Ok(minted("cred-okta-9", "s")),
        })],
    );
    assert_eq!(s.table.filter, "");
    assert_eq!(selected_id(&s), "cred-okta-9");
}

// ---- read-only ----

#[test]
fn read_only_emits_no_revoke_or_rotate() {
    let mut o: Options = options();
    o.read_only = true;
    let mut s = refreshed_state(o, 120, 30);
    for id in ["cred-okta-2", "cred-okta-1", "k-sf-uncovered"] {
        select(&mut s, id);
        let fx = send(&mut s, [k('d'), k('y'), k('R'), k('y'), k(' '), k('D')]);
        let fx2 = typed(&mut s, "revoke");
        let fx3 = send(&mut s, [code(KeyCode::Enter)]);
        for e in fx.iter().chain(&fx2).chain(&fx3) {
            assert!(
                !matches!(e, Effect::Revoke { .. } | Effect::Rotate { .. }),
                "{e:?}"
            );
        }
        // The "o" of "revoke", typed into the list, opened the overview: nothing else.
        assert!(
            matches!(s.modal, None | Some(Modal::Overview)),
            "{:?}",
            s.modal
        );
        send(&mut s, [code(KeyCode::Esc)]);
        assert!(s.modal.is_none());
    }
    assert!(
        s.toasts
            .iter()
            .any(|t| t.text == "read-only: revoke is disabled" && t.kind == ToastKind::Refused)
    );
    assert!(
        s.toasts
            .iter()
            .any(|t| t.text == "read-only: rotate is disabled" && t.kind == ToastKind::Refused)
    );
}

// ---- journal, help, quit ----

#[test]
fn journal_loads_newest_first() {
    let mut s = state();
    let fx = send(&mut s, [k('J')]);
    assert_eq!(fx, vec![Effect::LoadJournal]);
    let line = |mins: i64, id: &str| JournalLine {
        at: fixed_now() - Duration::minutes(mins),
        profile: "default".into(),
        actor: "me".into(),
        action: "revoke".into(),
        app_id: "a".into(),
        connector_id: "k".into(),
        credential_id: id.into(),
        outcome: "ok".into(),
    };
    send(
        &mut s,
        [Msg::Worker(WorkerMsg::Journal(Ok(vec![
            line(30, "old"),
            line(1, "new"),
        ])))],
    );
    let Some(Modal::Journal {
        lines: Some(lines), ..
    }) = s.modal.as_ref()
    else {
        panic!()
    };
    assert_eq!(lines[0].credential_id, "new");
    send(&mut s, [code(KeyCode::Esc)]);
    assert!(s.modal.is_none());
    // An error closes it and lands in the history.
    send(
        &mut s,
        [
            k('J'),
            Msg::Worker(WorkerMsg::Journal(Err(credboard::model::Failure::new(
                credboard::model::FailureKind::Store,
                "locked",
            )))),
        ],
    );
    assert!(s.modal.is_none());
    assert!(s.errors.last().unwrap().text.contains("locked"));
}

#[test]
fn help_opens_scrolls_and_closes() {
    let mut s = refreshed_state(options(), 100, 20);
    send(&mut s, [k('?')]);
    assert!(matches!(s.modal, Some(Modal::Help { scroll: 0 })));
    send(&mut s, [k('j'), k('j')]);
    assert!(matches!(s.modal, Some(Modal::Help { scroll: 2 })));
    send(&mut s, [k('G')]);
    let Some(Modal::Help { scroll }) = s.modal else {
        panic!()
    };
    send(&mut s, [k('j')]);
    assert!(
        matches!(s.modal, Some(Modal::Help { scroll: s2 }) if s2 == scroll),
        "clamped"
    );
    send(&mut s, [k('?')]);
    assert!(s.modal.is_none());
}

#[test]
fn q_and_ctrl_c_quit() {
    let mut s = state();
    assert_eq!(send(&mut s, [k('q')]), vec![Effect::Quit]);
    assert!(s.should_quit());
    let mut s = state();
    send(&mut s, [k('/')]);
    assert_eq!(send(&mut s, [ctrl('c')]), vec![Effect::Quit]);
    assert!(s.should_quit());
}

#[test]
fn until_the_user_moves_the_top_row_stays_selected_as_rows_arrive() {
    let mut s = loaded_state(options(), 100, 10);
    let g = generation(&s);
    assert_eq!(selected_id(&s), "cred-aws-1");
    // The first row stops being expired: it moves down, the view stays at the top.
    let mut c = credential("cred-aws-1");
    c.expires_time = None;
    send(&mut s, [found(Some(g), c)]);
    assert_eq!(s.table.cursor, 0);
    assert_eq!(s.table.offset, 0);
    assert_eq!(selected_id(&s), ids(&s)[0]);
    // Once the user moves, the selection follows its row.
    send(&mut s, [k('j'), k('k')]);
    let chosen = selected_id(&s);
    let mut c = credential(&chosen);
    c.deleted_at = Some(fixed_now());
    send(&mut s, [found(Some(g), c)]);
    assert_eq!(selected_id(&s), chosen);
    assert_ne!(s.table.cursor, 0);
}

#[test]
fn overridden_keys_drive_the_handler_the_help_and_the_footer() {
    use credboard::app::keymap::Keymap;
    use credboard::app::view::{HelpLine, help_lines};
    use std::collections::BTreeMap;
    let mut o = BTreeMap::new();
    o.insert("revoke".to_string(), vec!["x".to_string()]);
    o.insert(
        "move_down".to_string(),
        vec!["n".to_string(), "down".to_string()],
    );
    let (keymap, warnings) = Keymap::with_overrides(&o);
    assert!(warnings.is_empty(), "{warnings:?}");
    let mut opts = options();
    opts.keymap = keymap;
    let mut s = refreshed_state(opts, 120, 30);
    send(&mut s, [k('n')]);
    assert_eq!(s.table.cursor, 1, "n moves down now");
    send(&mut s, [k('j')]);
    assert_eq!(s.table.cursor, 1, "j no longer does");
    select(&mut s, "cred-okta-2");
    send(&mut s, [k('d')]);
    assert!(s.modal.is_none(), "d no longer revokes");
    send(&mut s, [k('x')]);
    assert!(matches!(s.modal, Some(Modal::Revoke(_))));
    // The help and the footer say x.
    let help = help_lines(&s.options.keymap, false);
    assert!(
        help.iter()
            .any(|l| matches!(l, HelpLine::Key { keys, description, .. }
        if keys == "x" && description.contains("revoke the selected")))
    );
    assert!(
        s.options
            .keymap
            .footer()
            .iter()
            .any(|(k, d)| k == "x" && *d == "revoke")
    );
}

#[test]
fn a_get_answered_before_the_revoke_does_not_undo_it() {
    let mut s = state();
    select(&mut s, "cred-okta-2");
    send(&mut s, [k('r')]);
    let g = generation(&s);
    send(&mut s, [k('d'), k('y')]);
    send(
        &mut s,
        [revoked_as_asked(key("app-okta", "k-okta", "cred-okta-2"))],
    );
    // The refresh that was running answers with what it read before the revoke.
    send(&mut s, [found(Some(g), credential("cred-okta-2"))]);
    let status = |s: &State| {
        s.inventory
            .get(&key("app-okta", "k-okta", "cred-okta-2"))
            .unwrap()
            .status
    };
    assert_eq!(status(&s), Status::Revoked);
    // A later refresh is the truth again.
    send(
        &mut s,
        [
            Msg::Worker(WorkerMsg::RefreshDone {
                generation: g,
                at: fixed_now(),
            }),
            k('r'),
        ],
    );
    let g2 = generation(&s);
    send(&mut s, [found(Some(g2), credential("cred-okta-2"))]);
    assert_eq!(status(&s), Status::Idle);
}

//! `c`: from a credential, its connector's credentials (every status), and back to the view
//! shown before, the selection kept.

use credboard::app::table::View;
use credboard::app::{Msg, State};
use credboard::testkit::checks::update;
use credboard::testkit::fixtures::{options, refreshed_state};
use credboard::testkit::keys::event;

fn press(s: &mut State, name: &str) {
    update(s, Msg::Key(event(name)));
}

fn select(s: &mut State, id: &str) {
    press(s, "g");
    while s.selected_entry().unwrap().row_id() != id {
        let before = s.table.cursor;
        press(s, "j");
        assert_ne!(before, s.table.cursor, "{id} is not shown");
    }
}

#[test]
fn c_lists_the_connectors_credentials_and_c_again_goes_back() {
    let mut s = refreshed_state(options(), 120, 30);
    press(&mut s, "tab"); // the active view
    assert_eq!(s.table.view, View::Active);
    let before = s.visible_ids();
    let id = before[0].clone();
    select(&mut s, &id);
    let key = s.selected_entry().unwrap().key.clone();

    press(&mut s, "c");
    let expected: Vec<String> = s
        .inventory
        .entries()
        .filter(|e| e.key.app_id == key.app_id && e.key.connector_id == key.connector_id)
        .map(|e| e.row_id().to_string())
        .collect();
    let mut shown = s.visible_ids();
    shown.sort();
    let mut want = expected.clone();
    want.sort();
    assert_eq!(
        shown, want,
        "every row of the connector, whatever its status"
    );
    assert_eq!(s.table.view, View::All);
    assert_eq!(s.selected_entry().unwrap().key, &key);

    press(&mut s, "c");
    assert_eq!(s.table.view, View::Active);
    assert_eq!(s.visible_ids(), before);
    assert_eq!(s.selected_entry().unwrap().key, &key);

    // Esc goes back too.
    press(&mut s, "c");
    press(&mut s, "esc");
    assert!(s.table.connector.is_none());
    assert_eq!(s.visible_ids(), before);
}

#[test]
fn a_connector_with_revoked_credentials_shows_them_beside_the_live_one() {
    let mut s = refreshed_state(options(), 120, 30);
    // The sample's AWS connector holds a live and a revoked credential.
    let dead: Vec<String> = s
        .inventory
        .entries()
        .filter(|e| e.flags.is_dead())
        .map(|e| e.key.connector_id.clone())
        .collect();
    let live = s
        .inventory
        .entries()
        .find(|e| e.is_live() && dead.contains(&e.key.connector_id))
        .expect("a connector with a live and a dead credential")
        .key
        .credential_id
        .clone();
    press(&mut s, "tab");
    select(&mut s, &live);
    press(&mut s, "c");
    assert!(
        s.visible_entries().any(|e| e.flags.is_dead()),
        "{:?}",
        s.visible_ids()
    );
}

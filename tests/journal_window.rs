//! The journal window: names beside ids (as the inventory knows them), `/` filters as you
//! type, Enter goes to the row of the top line.

use credboard::app::dialogs::Modal;
use credboard::app::state::ToastKind;
use credboard::app::view::journal_shown;
use credboard::app::{JournalLine, Msg, State, WorkerMsg};
use credboard::testkit::checks::update;
use credboard::testkit::fixtures::{fixed_now, options, refreshed_state};
use credboard::testkit::keys::{char_event, event};

fn press(s: &mut State, name: &str) {
    update(s, Msg::Key(event(name)));
}

fn typed(s: &mut State, t: &str) {
    for c in t.chars() {
        update(s, Msg::Key(char_event(c)));
    }
}

fn line(app: &str, connector: &str, id: &str, minutes: i64) -> JournalLine {
    JournalLine {
        at: fixed_now() - chrono::Duration::minutes(minutes),
        profile: "default".into(),
        actor: "me@acme".into(),
        action: "revoke".into(),
        app_id: app.into(),
        connector_id: connector.into(),
        credential_id: id.into(),
        outcome: "ok".into(),
    }
}

/// The journal open on two lines: the last credential shown (newest) and one the inventory
/// does not hold.
fn journal(s: &mut State) -> (String, String) {
    let e = s
        .visible_entries()
        .filter(|e| e.display_name().is_some())
        .last()
        .unwrap();
    let (k, name) = (e.key.clone(), e.display_name().unwrap().to_string());
    press(s, "J");
    let lines = vec![
        line(&k.app_id, &k.connector_id, &k.credential_id, 1),
        line("app-x", "conn-x", "cred-unknown", 2),
    ];
    update(s, Msg::Worker(WorkerMsg::Journal(Ok(lines))));
    (k.credential_id, name)
}

#[test]
fn names_stand_beside_the_ids_the_inventory_knows() {
    let mut s = refreshed_state(options(), 160, 40);
    let (id, name) = journal(&mut s);
    let Some(Modal::Journal {
        lines: Some(lines), ..
    }) = &s.modal
    else {
        panic!("the journal is open");
    };
    let shown = journal_shown(lines, &s.inventory, "", 150);
    assert!(
        shown[0].text.contains(&format!("{name} [{id}]")),
        "{}",
        shown[0].text
    );
    assert!(
        shown[1].text.contains("app-x/conn-x/cred-unknown"),
        "{}",
        shown[1].text
    );
}

#[test]
fn slash_filters_the_journal_and_enter_goes_to_the_row() {
    let mut s = refreshed_state(options(), 160, 40);
    let (id, name) = journal(&mut s);
    press(&mut s, "/");
    typed(&mut s, "unknown");
    let Some(Modal::Journal {
        lines: Some(lines), ..
    }) = &s.modal
    else {
        panic!("the journal is open");
    };
    let shown = journal_shown(lines, &s.inventory, &s.window_filter, 150);
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].entry, 1);
    // Enter keeps the filter; Enter again, on a credential the inventory does not hold,
    // says so and keeps the journal open.
    press(&mut s, "enter");
    press(&mut s, "enter");
    assert!(matches!(s.modal, Some(Modal::Journal { .. })));
    let t = s.toasts.last().unwrap();
    assert_eq!(t.kind, ToastKind::Refused);
    assert!(t.text.contains("no longer in the inventory"), "{}", t.text);
    // Filtered by the name, Enter goes to the row and closes the journal.
    press(&mut s, "/");
    press(&mut s, "ctrl-u");
    typed(&mut s, &name.to_uppercase());
    press(&mut s, "enter");
    press(&mut s, "enter");
    assert!(s.modal.is_none());
    assert_eq!(s.selected_entry().unwrap().key.credential_id, id);
}

//! The dashboard's `/` with the filter language: what the user relies on while typing it
//! (a mistake never applied, the last valid filter kept, the cursor on the first match, Esc
//! back to the row before), the sort of "never" among last-used times, and a rotate that
//! says when it clears the filter.

use chrono::Duration;
use credboard::api::{ConnectorCredential, SecretString};
use credboard::app::state::ToastKind;
use credboard::app::table::Column;
use credboard::app::{Msg, State, WorkerMsg};
use credboard::testkit::checks::update;
use credboard::testkit::fixtures::{fixed_now, options, refreshed_state};
use credboard::testkit::screen::{render, text};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn k(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn code(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn send(s: &mut State, msgs: impl IntoIterator<Item = Msg>) {
    for m in msgs {
        update(s, m);
    }
}

fn typed(s: &mut State, text: &str) {
    send(s, text.chars().map(k).collect::<Vec<_>>());
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

#[test]
fn the_language_filters_the_table() {
    let mut s = state();
    send(&mut s, [k('/')]);
    typed(&mut s, "app:okta lastused>90d");
    assert_eq!(ids(&s), ["cred-okta-2"], "idle for 150 days");
    send(&mut s, [code(KeyCode::Enter)]);
    assert_eq!(s.table.filter, "app:okta lastused>90d");
    // Never used counts as older than anything; a credential never fetched matches no
    // comparison of times.
    send(&mut s, [code(KeyCode::Esc), k('/')]);
    typed(&mut s, "lastused>90d !status:revoked");
    let mut got = ids(&s);
    got.sort();
    assert_eq!(got, ["cred-gh-2", "cred-okta-2"]);
    send(&mut s, [code(KeyCode::Esc), k('/')]);
    typed(&mut s, "status:expired");
    assert_eq!(ids(&s), ["cred-aws-1"]);
}

#[test]
fn a_mistake_is_never_applied_and_the_last_valid_filter_stays() {
    let mut s = state();
    send(&mut s, [k('/')]);
    typed(&mut s, "app:okta");
    let okta = ids(&s);
    assert_eq!(okta.len(), 3);
    typed(&mut s, " !");
    let e = s
        .table
        .filter_error
        .clone()
        .expect("`!` alone is a mistake");
    assert_eq!(e.span, 9..10);
    assert_eq!(ids(&s), okta, "the last valid filter stays applied");
    typed(&mut s, "/gh");
    assert!(s.table.filter_error.is_some(), "an open regex");
    assert_eq!(ids(&s), okta);
    typed(&mut s, "/");
    assert!(s.table.filter_error.is_none());
    assert_eq!(ids(&s), okta, "!/gh/ excludes nothing of okta");
    typed(&mut s, " conector:x");
    let e = s.table.filter_error.clone().unwrap();
    assert_eq!(
        e.message,
        "unknown field `conector`, did you mean `connector`?"
    );
    assert_eq!(e.span, 15..23);
    // Enter keeps what is applied, puts its text back and says what was not applied.
    let applied = ids(&s);
    send(&mut s, [code(KeyCode::Enter)]);
    assert!(!s.table.filter_editing);
    assert_eq!(s.table.filter, "app:okta !/gh/ conector");
    assert!(s.table.filter_error.is_none());
    assert_eq!(ids(&s), applied);
    let t = s.toasts.last().unwrap();
    assert_eq!(t.kind, ToastKind::Refused);
    assert!(
        t.text.contains("did you mean `connector`?") && t.text.contains("kept the filter"),
        "{}",
        t.text
    );
}

#[test]
fn the_cursor_lands_on_the_first_match() {
    let mut s = state();
    select(&mut s, "cred-aws-3");
    send(&mut s, [k('/')]);
    typed(&mut s, "okta");
    assert_eq!(selected_id(&s), ids(&s)[0]);
    assert_eq!(s.table.cursor, 0);
    typed(&mut s, "-baton");
    assert_eq!(
        selected_id(&s),
        ids(&s)[0],
        "each new filter: the first match"
    );
    // Even when the row selected before is among the matches.
    send(&mut s, [code(KeyCode::Esc), k('/')]);
    typed(&mut s, "okta");
    let second = ids(&s)[1].clone();
    send(&mut s, [code(KeyCode::Esc)]);
    select(&mut s, &second);
    send(&mut s, [k('/')]);
    typed(&mut s, "okta");
    assert_eq!(
        selected_id(&s),
        ids(&s)[0],
        "not {second}, the second match"
    );
}

#[test]
fn esc_restores_the_row_selected_before() {
    let mut s = state();
    select(&mut s, "cred-aws-3");
    send(&mut s, [k('/')]);
    typed(&mut s, "okta");
    send(&mut s, [code(KeyCode::Down)]);
    send(&mut s, [code(KeyCode::Esc)]);
    assert_eq!(s.table.filter, "");
    assert_eq!(selected_id(&s), "cred-aws-3");
    // Emptying the filter by hand does too.
    send(&mut s, [k('/')]);
    typed(&mut s, "gh");
    send(&mut s, [code(KeyCode::Backspace), code(KeyCode::Backspace)]);
    assert_eq!(selected_id(&s), "cred-aws-3");
}

#[test]
fn clearing_a_filter_that_matched_nothing_goes_back_to_the_row_before() {
    let mut s = state();
    select(&mut s, "cred-aws-3");
    send(&mut s, [k('/')]);
    typed(&mut s, "o");
    send(&mut s, [code(KeyCode::Down), code(KeyCode::Down)]);
    typed(&mut s, "zzz");
    assert!(ids(&s).is_empty());
    send(&mut s, [code(KeyCode::Enter), code(KeyCode::Esc)]);
    assert_eq!(s.table.filter, "");
    assert_eq!(selected_id(&s), "cred-aws-3", "not an unrelated row");
    // A filter that matched rows, cleared from the list, keeps the row chosen in it.
    send(&mut s, [k('/')]);
    typed(&mut s, "okta");
    send(&mut s, [code(KeyCode::Down), code(KeyCode::Enter)]);
    let chosen = selected_id(&s);
    send(&mut s, [code(KeyCode::Esc)]);
    assert_eq!(selected_id(&s), chosen);
}

#[test]
fn never_used_sorts_with_the_oldest_last_used() {
    let mut s = state();
    for _ in 0..Column::ALL.len() {
        if s.table.sort.column == Column::LastUsed {
            break;
        }
        send(&mut s, [k('s')]);
    }
    assert_eq!(s.table.sort.column, Column::LastUsed);
    let order = ids(&s);
    let at = |id: &str| order.iter().position(|x| x == id).unwrap();
    // cred-gh-2 was never used; cred-gh-0 300 days ago; cred-okta-1 a day ago.
    assert!(at("cred-gh-2") < at("cred-gh-0"), "{order:?}");
    assert!(at("cred-gh-0") < at("cred-okta-1"), "{order:?}");
    // What is not known (never fetched, connector rows) stays after every time.
    assert!(at("cred-okta-1") < at("cred-okta-new"), "{order:?}");
    send(&mut s, [k('S')]);
    let reversed = ids(&s);
    let at = |id: &str| reversed.iter().position(|x| x == id).unwrap();
    assert!(at("cred-okta-1") < at("cred-gh-2"), "the most recent first");
}

fn rotated(s: &mut State) {
    let credential = ConnectorCredential {
        id: Some("cred-okta-9".into()),
        app_id: Some("app-okta".into()),
        connector_id: Some("k-okta".into()),
        client_id: Some("oktanew1@acme.conductor.one/pcc".into()),
        display_name: Some("okta-baton-2026".into()),
        created_at: Some(fixed_now() - Duration::seconds(1)),
        ..ConnectorCredential::default()
    };
    send(
        s,
        [Msg::Worker(WorkerMsg::Rotated {
            app_id: "app-okta".into(),
            connector_id: "k-okta".into(),
            result: Ok(credboard::model::Minted {
                record_error: None,
                credential,
                secret: SecretString::new("s3cr3t"),
            }),
        })],
    );
}

#[test]
fn a_rotate_keeps_a_filter_that_shows_the_new_credential() {
    let mut s = state();
    send(&mut s, [k('/')]);
    typed(&mut s, "app:okta");
    send(&mut s, [code(KeyCode::Enter)]);
    rotated(&mut s);
    assert_eq!(s.table.filter, "app:okta");
    assert_eq!(selected_id(&s), "cred-okta-9");
    let t = &s.toasts.last().unwrap().text;
    assert!(!t.contains("cleared"), "{t}");
}

#[test]
fn a_rotate_that_clears_the_filter_says_so() {
    let mut s = state();
    send(&mut s, [k('/')]);
    typed(&mut s, "app:github");
    send(&mut s, [code(KeyCode::Enter)]);
    rotated(&mut s);
    assert_eq!(s.table.filter, "");
    assert_eq!(selected_id(&s), "cred-okta-9");
    let t = &s.toasts.last().unwrap().text;
    assert!(
        t.contains("filter \"app:github\" cleared to show it"),
        "{t}"
    );
}

/// A credential's time as last fetched, by its id.
fn time_of(
    s: &State,
    id: &str,
    field: fn(&ConnectorCredential) -> Option<chrono::DateTime<chrono::Utc>>,
) -> chrono::DateTime<chrono::Utc> {
    let e = s
        .inventory
        .entries()
        .find(|e| e.key.credential_id == id)
        .unwrap_or_else(|| panic!("{id} is in the inventory"));
    field(e.last.as_ref().expect("fetched")).expect("the time is set")
}

#[test]
fn a_time_filter_takes_rows_in_and_out_as_the_clock_passes() {
    let mut s = state();
    let start = s.now;
    // Idle for 150 days: not yet over 151 days, so not shown.
    let used = time_of(&s, "cred-okta-2", |c| c.last_used_at);
    send(&mut s, [k('/')]);
    typed(&mut s, "lastused>151d");
    send(&mut s, [code(KeyCode::Enter)]);
    assert!(
        !ids(&s).contains(&"cred-okta-2".to_string()),
        "{:?}",
        ids(&s)
    );
    // The dashboard wakes by the time it turns 151 days, and shows it from then on.
    let turns = used + Duration::days(151);
    assert!(turns > start);
    let due = s.next_tick_due().expect("a tick is due for the filter");
    assert!(due <= turns + Duration::seconds(1), "{due} vs {turns}");
    send(&mut s, [Msg::Tick(turns - Duration::seconds(5))]);
    assert!(!ids(&s).contains(&"cred-okta-2".to_string()));
    send(&mut s, [Msg::Tick(turns + Duration::seconds(2))]);
    assert!(
        ids(&s).contains(&"cred-okta-2".to_string()),
        "{:?}",
        ids(&s)
    );

    // Expiring further than a month away: a row leaves once its expiry comes nearer.
    let mut s = state();
    let (id, expires) = s
        .inventory
        .entries()
        .filter_map(|e| {
            let at = e.last.as_ref()?.expires_time?;
            (at > s.now + Duration::days(31)).then(|| (e.key.credential_id.clone(), at))
        })
        .min_by_key(|(_, at)| *at)
        .expect("a credential expiring in more than a month");
    send(&mut s, [k('/')]);
    typed(&mut s, "expires>30d");
    send(&mut s, [code(KeyCode::Enter)]);
    assert!(ids(&s).contains(&id));
    let leaves = expires - Duration::days(30);
    let due = s.next_tick_due().expect("a tick is due for the filter");
    assert!(due <= leaves + Duration::seconds(1), "{due} vs {leaves}");
    send(&mut s, [Msg::Tick(leaves + Duration::seconds(2))]);
    assert!(!ids(&s).contains(&id), "{:?}", ids(&s));
}

#[test]
fn the_footer_shows_a_long_filter_whole_where_the_line_has_room() {
    let mut s = state();
    send(
        &mut s,
        [Msg::Resize {
            width: 160,
            height: 40,
        }],
    );
    let filter = "!app:okta !app:github status:active lastused<30d";
    send(&mut s, [k('/')]);
    typed(&mut s, filter);
    send(&mut s, [code(KeyCode::Enter)]);
    assert_eq!(s.table.filter, filter);
    let shown = text(&render(&s));
    let footer = shown.lines().last().unwrap();
    assert!(footer.contains(&format!("filter \"{filter}\"")), "{footer}");
}

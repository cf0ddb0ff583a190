//! The dashboard's side of the rotation procedure and of the change log, through `update`
//! and `State` (and the drawing, at the sizes the issue names): a rotation resumed from the
//! store, ready -> the revoke dialog with all its protections, a refused old credential,
//! abandoning, change marks, the empty list and discovery.

use chrono::{DateTime, Duration, Utc};
use credboard::app::dialogs::Modal;
use credboard::app::{DiscoveryMsg, Effect, Msg, State, WorkerMsg};
use credboard::changes::{Change, ChangeKind, CredentialChange};
use credboard::model::Snapshot;
use credboard::rotation::{NewRotation, Rotation, RotationId, RotationState};
use credboard::testkit::checks::update;
use credboard::testkit::fixtures::{self, fixed_now, options, refreshed_state};
use credboard::testkit::screen::{render, render_in, text};
use credboard::tui::ui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn code(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn send(s: &mut State, msgs: impl IntoIterator<Item = Msg>) -> Vec<Effect> {
    let mut fx = Vec::new();
    for m in msgs {
        fx.extend(update(s, m));
    }
    fx
}

fn typed(s: &mut State, text: &str) -> Vec<Effect> {
    send(s, text.chars().map(key))
}

/// Rotation 1 of the Okta connector: new credential cred-okta-new, replacing cred-okta-1
/// (okta-baton, used a day ago) and cred-okta-2 (used 150 days ago), started two days ago.
fn rotation() -> Rotation {
    NewRotation {
        app_id: "app-okta".into(),
        connector_id: "k-okta".into(),
        new_credential_id: "cred-okta-new".into(),
        old_credential_ids: vec!["cred-okta-2".into(), "cred-okta-1".into()],
        started_at: fixed_now() - Duration::days(2),
    }
    .numbered(RotationId(1))
}

/// [`rotation`], its new credential first used `ago` before now.
fn ready(ago: Duration) -> Rotation {
    let mut r = rotation();
    r.state = RotationState::Ready;
    r.first_used_at = Some(fixed_now() - ago);
    r
}

fn rotations(list: Vec<Rotation>) -> Msg {
    Msg::Worker(WorkerMsg::Rotations {
        result: Ok(list),
        note: None,
    })
}

fn toasts(s: &State) -> Vec<String> {
    s.toasts.iter().map(|t| t.text.clone()).collect()
}

#[test]
fn a_rotation_resumed_from_the_store_is_listed_and_said_ready() {
    let mut s = refreshed_state(options(), 160, 48);
    send(&mut s, [rotations(vec![ready(Duration::hours(3))])]);
    assert_eq!(s.rotations.list.len(), 1);
    assert!(
        toasts(&s)
            .iter()
            .any(|t| t.contains("1 rotation(s) ready to revoke the old credentials: O lists them")),
        "{:?}",
        toasts(&s)
    );
    send(&mut s, [key('O')]);
    assert!(matches!(s.modal, Some(Modal::Rotations(_))));
    let shown = text(&render(&s));
    assert!(shown.contains("●    1  ready to revoke the old"), "{shown}");
}

/// The list's mark column (the first character) of the row that shows `name`.
fn mark_of(s: &State, name: &str) -> String {
    let shown = text(&render(s));
    let line = shown
        .lines()
        .find(|l| l.contains(&format!(" {name} ")))
        .unwrap_or_else(|| panic!("no {name} row: {shown}"))
        .to_string();
    line.chars().next().unwrap().to_string()
}

#[test]
fn the_old_credentials_of_a_ready_rotation_are_marked_in_the_list_until_revoked() {
    let mut s = refreshed_state(options(), 160, 48);
    // Waiting: nothing to revoke yet, nothing marked.
    send(&mut s, [rotations(vec![rotation()])]);
    assert_eq!(mark_of(&s, "okta-baton"), " ");
    assert_eq!(mark_of(&s, "okta-baton-old"), " ");
    // Ready: both old ones await their revoke; the rest of the list is unmarked.
    send(&mut s, [rotations(vec![ready(Duration::hours(3))])]);
    assert_eq!(mark_of(&s, "okta-baton"), "↻");
    assert_eq!(mark_of(&s, "okta-baton-old"), "↻");
    assert_eq!(mark_of(&s, "github-sync"), " ");
    // One revoked: only the other is still marked.
    let mut r = ready(Duration::hours(3));
    r.old[0].fate = credboard::rotation::Fate::Revoked;
    let revoked = r.old[0].credential_id.clone();
    send(&mut s, [rotations(vec![r])]);
    let (gone, left) = if revoked == "cred-okta-2" {
        ("okta-baton-old", "okta-baton")
    } else {
        ("okta-baton", "okta-baton-old")
    };
    assert_ne!(mark_of(&s, gone), "↻");
    assert_eq!(mark_of(&s, left), "↻");
}

#[test]
fn a_rotation_that_becomes_ready_is_said_once_with_the_keys() {
    let mut s = refreshed_state(options(), 160, 48);
    send(&mut s, [rotations(vec![rotation()])]);
    assert!(
        toasts(&s).is_empty(),
        "waiting is no news: {:?}",
        toasts(&s)
    );
    send(&mut s, [rotations(vec![ready(Duration::hours(3))])]);
    let said: Vec<String> = toasts(&s)
        .into_iter()
        .filter(|t| t.contains("rotation 1: Okta baton uses the new credential"))
        .collect();
    assert_eq!(said.len(), 1, "{:?}", toasts(&s));
    assert!(said[0].contains("(O, then Enter)"), "{said:?}");
    // The same batch again says nothing more.
    send(&mut s, [rotations(vec![ready(Duration::hours(3))])]);
    assert_eq!(
        toasts(&s)
            .iter()
            .filter(|t| t.contains("uses the new credential"))
            .count(),
        1
    );
}

#[test]
fn enter_on_a_ready_rotation_opens_the_revoke_dialog_with_its_typed_confirmation() {
    let mut s = refreshed_state(options(), 160, 48);
    send(&mut s, [rotations(vec![ready(Duration::hours(3))])]);
    send(&mut s, [key('O')]);
    let fx = send(&mut s, [code(KeyCode::Enter)]);
    assert!(fx.is_empty(), "nothing is revoked by opening: {fx:?}");
    let Some(Modal::Revoke(d)) = &s.modal else {
        panic!("the revoke dialog: {:?}", s.modal);
    };
    // The first old credential in id order, captured, for rotation 1; used a day ago, so
    // its own text must be typed.
    assert_eq!(d.key.credential_id, "cred-okta-1");
    assert_eq!(d.rotation, Some(RotationId(1)));
    let shown = text(&render(&s));
    assert!(
        shown.contains("Revoke credential: an old one of rotation 1"),
        "{shown}"
    );
    let t = d.typed.as_ref().expect("a typed confirmation");
    let expected = t.expected.clone();
    // y does not confirm a typed dialog; a wrong text does not either.
    let fx = send(&mut s, [key('y'), code(KeyCode::Enter)]);
    assert!(fx.is_empty(), "{fx:?}");
    assert!(matches!(s.modal, Some(Modal::Revoke(_))));
    send(
        &mut s,
        [Msg::Key(KeyEvent::new(
            KeyCode::Char('u'),
            KeyModifiers::CONTROL,
        ))],
    );
    typed(&mut s, &expected);
    let fx = send(&mut s, [code(KeyCode::Enter)]);
    let key = fixtures::key("app-okta", "k-okta", "cred-okta-1");
    assert_eq!(
        fx,
        vec![Effect::RevokeForRotation {
            id: RotationId(1),
            key
        }]
    );
    assert!(s.modal.is_none());
}

#[test]
fn a_waiting_rotation_offers_no_revoke() {
    let mut s = refreshed_state(options(), 160, 48);
    send(&mut s, [rotations(vec![rotation()])]);
    send(&mut s, [key('O')]);
    let fx = send(&mut s, [code(KeyCode::Enter)]);
    assert!(fx.is_empty());
    assert!(matches!(s.modal, Some(Modal::Rotations(_))));
    assert!(
        toasts(&s)
            .iter()
            .any(|t| t.contains("waiting for the connector to use the new credential")),
        "{:?}",
        toasts(&s)
    );
}

#[test]
fn an_old_credential_used_after_the_switch_is_refused_in_the_dashboard_too() {
    let mut s = refreshed_state(options(), 160, 48);
    // The new credential was first used two days ago; okta-baton was used one day ago.
    send(&mut s, [rotations(vec![ready(Duration::days(2))])]);
    send(&mut s, [key('O')]);
    let fx = send(&mut s, [code(KeyCode::Enter)]);
    assert!(fx.is_empty());
    assert!(
        matches!(s.modal, Some(Modal::Rotations(_))),
        "{:?}",
        s.modal
    );
    assert!(
        toasts(&s)
            .iter()
            .any(|t| t.contains("cred-okta-1") && t.contains("something still uses it")),
        "{:?}",
        toasts(&s)
    );
}

#[test]
fn read_only_opens_no_revoke_and_no_abandon_from_the_rotations() {
    let mut o = options();
    o.read_only = true;
    let mut s = refreshed_state(o, 160, 48);
    send(&mut s, [rotations(vec![ready(Duration::hours(3))])]);
    send(&mut s, [key('O')]);
    let mut fx = send(&mut s, [code(KeyCode::Enter)]);
    fx.extend(send(&mut s, [key('X'), key('y')]));
    assert!(fx.is_empty(), "{fx:?}");
    assert!(matches!(s.modal, Some(Modal::Rotations(_))));
}

#[test]
fn abandon_asks_first_and_only_yes_gives_it_up() {
    let mut s = refreshed_state(options(), 160, 48);
    send(&mut s, [rotations(vec![rotation()])]);
    send(&mut s, [key('O'), key('X')]);
    assert!(matches!(s.modal, Some(Modal::Abandon(_))));
    let shown = text(&render(&s));
    assert!(
        shown.contains("Abandon rotation 1 of Okta baton?"),
        "{shown}"
    );
    // n, Esc and Enter keep it.
    for k in [key('n'), code(KeyCode::Esc), code(KeyCode::Enter)] {
        send(&mut s, [key('O'), key('X')]);
        let fx = send(&mut s, [k]);
        assert!(fx.is_empty(), "{fx:?}");
        assert!(!matches!(s.modal, Some(Modal::Abandon(_))));
        s.modal = None;
    }
    send(&mut s, [key('O'), key('X')]);
    let fx = send(&mut s, [key('y')]);
    assert_eq!(fx, vec![Effect::AbandonRotation { id: RotationId(1) }]);
    // Back in the rotations window, which the worker's answer updates.
    assert!(matches!(s.modal, Some(Modal::Rotations(_))));
    // A finished rotation cannot be abandoned.
    let mut done = rotation();
    done.state = RotationState::Done;
    send(&mut s, [rotations(vec![done])]);
    let fx = send(&mut s, [key('X')]);
    assert!(fx.is_empty());
    assert!(toasts(&s).iter().any(|t| t.contains("nothing to abandon")));
}

#[test]
fn rotate_is_refused_while_the_connector_has_a_rotation_under_way() {
    let mut s = refreshed_state(options(), 160, 48);
    send(&mut s, [rotations(vec![rotation()])]);
    send(&mut s, [key('/')]);
    typed(&mut s, "okta-baton");
    send(&mut s, [code(KeyCode::Enter), key('R')]);
    assert!(s.modal.is_none(), "{:?}", s.modal);
    assert!(
        toasts(&s)
            .iter()
            .any(|t| t.contains("rotation 1 of this connector is waiting for first use")),
        "{:?}",
        toasts(&s)
    );
}

#[test]
fn the_rotate_dialog_counts_only_the_credentials_a_rotation_would_replace() {
    // The rotate dialog on the connector of the first row a filter shows.
    let dialog_on = |filter: &str| {
        let mut s = refreshed_state(options(), 160, 48);
        send(&mut s, [key('/')]);
        typed(&mut s, filter);
        send(&mut s, [code(KeyCode::Enter), key('R')]);
        text(&render(&s))
    };
    // AWS payer: aws-payer expired, aws-payer-2025 revoked. A rotation replaces neither.
    let shown = dialog_on("aws-payer");
    assert!(
        shown.contains("Live now    no live tracked credential: no rotation is"),
        "{shown}"
    );
    // Okta baton: okta-baton active, okta-baton-old idle, cred-okta-new not fetched yet (its
    // Get decides): three.
    let shown = dialog_on("okta-baton");
    assert!(
        shown.contains("Live now    3 live tracked credential(s)"),
        "{shown}"
    );
}

fn change(id: (&str, &str, &str), kind: ChangeKind, seen_at: DateTime<Utc>) -> CredentialChange {
    CredentialChange {
        key: fixtures::key(id.0, id.1, id.2),
        seen_at,
        change: Change {
            kind,
            before: None,
            after: Some("2026-01-01T00:00:00Z".into()),
        },
    }
}

fn changes(list: Vec<CredentialChange>) -> Msg {
    Msg::Worker(WorkerMsg::Changes(Ok(list)))
}

fn row_of(buf: &Buffer, needle: &str) -> u16 {
    text(buf)
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no {needle:?} on screen")) as u16
}

#[test]
fn rows_that_changed_are_marked_for_a_while_and_the_changes_window_lists_them_newest_first() {
    let mut s = refreshed_state(options(), 160, 48);
    let now = fixed_now();
    send(
        &mut s,
        [changes(vec![
            change(("app-gh", "k-gh", "cred-gh-1"), ChangeKind::FirstUsed, now),
            change(
                ("app-aws", "k-aws", "cred-aws-3"),
                ChangeKind::New,
                now - Duration::minutes(1),
            ),
            change(
                ("app-okta", "k-okta", "cred-okta-2"),
                ChangeKind::Revoked,
                now - Duration::hours(2),
            ),
        ])],
    );
    let buf = render(&s);
    let y = row_of(&buf, "github-sync");
    assert_eq!(buf[(0, y)].symbol(), "△");
    assert_eq!(buf[(0, y)].fg, Theme::default().palette.accent);
    // An old change, and a credential merely new to credboard, are not marked.
    for name in ["okta-baton-old", "aws-sandbox"] {
        let y = row_of(&buf, name);
        assert_eq!(buf[(0, y)].symbol(), " ", "{name}");
    }
    // NO_COLOR keeps the symbol, in bold.
    let plain = render_in(
        &s,
        &Theme {
            color: false,
            ..Theme::default()
        },
    );
    assert_eq!(plain[(0, y_of(&plain, "github-sync"))].symbol(), "△");
    assert!(
        plain[(0, y_of(&plain, "github-sync"))]
            .modifier
            .contains(Modifier::BOLD)
    );
    assert_eq!(plain[(0, y_of(&plain, "github-sync"))].fg, Color::Reset);

    // The detail pane says what changed.
    send(&mut s, [key('/')]);
    typed(&mut s, "github-sync");
    send(&mut s, [code(KeyCode::Enter), code(KeyCode::Enter)]);
    let shown = text(&render(&s));
    assert!(shown.contains("Changed △"), "{shown}");
    assert!(
        shown.contains("first used: none -> 2026-01-01T00:00:00Z"),
        "{shown}"
    );

    // Ten minutes later the mark is gone; the tick that takes it redraws.
    send(&mut s, [code(KeyCode::Esc), code(KeyCode::Esc)]);
    assert!(
        s.next_tick_due()
            .is_some_and(|t| t <= now + Duration::minutes(10))
    );
    send(&mut s, [Msg::Tick(now + Duration::minutes(10))]);
    assert!(s.tick_changed_view());
    let buf = render(&s);
    assert_eq!(buf[(0, row_of(&buf, "github-sync"))].symbol(), " ");
    // M: since the session began, it is marked again.
    send(&mut s, [key('M')]);
    let buf = render(&s);
    assert_eq!(buf[(0, row_of(&buf, "github-sync"))].symbol(), "△");

    send(&mut s, [key('C')]);
    let shown = text(&render(&s));
    let first = shown.find("first used").unwrap();
    let revoked = shown.find("revoked      ").unwrap();
    assert!(first < revoked, "newest first: {shown}");
    assert!(
        shown.contains("github-sync · GitHub org (cred-gh-1)"),
        "{shown}"
    );
}

fn y_of(buf: &Buffer, needle: &str) -> u16 {
    row_of(buf, needle)
}

fn empty_state(width: u16, height: u16, read_only: bool) -> State {
    let mut o = options();
    o.read_only = read_only;
    let mut s = State::new(o, fixed_now());
    send(&mut s, [Msg::Resize { width, height }]);
    send(
        &mut s,
        [Msg::Worker(WorkerMsg::Inventory(Ok(Snapshot::default())))],
    );
    s
}

#[test]
fn the_empty_list_says_how_to_fill_it_and_f_runs_discovery_even_read_only() {
    for read_only in [false, true] {
        let mut s = empty_state(160, 48, read_only);
        let shown = text(&render(&s));
        for needle in [
            "Nothing is tracked for this tenant yet",
            "F                                         discover them here, from the tenant's system log",
            "credboard import FILE",
            "credboard track APP CONNECTOR CREDENTIAL",
            "credboard discover",
        ] {
            assert!(shown.contains(needle), "{needle}: {shown}");
        }
        let fx = send(&mut s, [key('F')]);
        assert_eq!(fx, vec![Effect::Discover], "read-only {read_only}");
        // A second press while it runs does not start another.
        assert!(send(&mut s, [key('F')]).is_empty());
        send(
            &mut s,
            [
                Msg::Worker(WorkerMsg::Discovery(DiscoveryMsg::Read { events: 120 })),
                Msg::Worker(WorkerMsg::Discovery(DiscoveryMsg::Verifying {
                    done: 1,
                    of: 4,
                })),
            ],
        );
        let shown = text(&render(&s));
        assert!(
            shown.contains("discovering: 120 events read, verifying 1/4"),
            "{shown}"
        );
        let fx = send(
            &mut s,
            [Msg::Worker(WorkerMsg::Discovery(DiscoveryMsg::Done(Ok((
                "120 events read, 4 new credentials tracked".into(),
                4,
            )))))],
        );
        assert!(s.discovery.is_none());
        assert!(
            toasts(&s)
                .iter()
                .any(|t| t == "discovery: 120 events read, 4 new credentials tracked"),
            "{:?}",
            toasts(&s)
        );
        // What it tracked gets its names and a full Get: a refresh (the first one is still
        // running, so it is queued behind it).
        assert!(
            fx.is_empty() || matches!(fx[..], [Effect::Refresh { .. }]),
            "{fx:?}"
        );
        assert!(s.refresh.queued || fx.len() == 1);
    }
}

#[test]
fn with_nothing_tracked_the_known_connectors_are_listed_below_the_hint_and_the_selection_stays_on_screen()
 {
    let mut s = State::new(options(), fixed_now());
    send(
        &mut s,
        [Msg::Resize {
            width: 160,
            height: 30,
        }],
    );
    // More connectors than fit below the hint.
    let connectors: Vec<_> = (0..40)
        .map(|n| {
            fixtures::connector(
                "app-1",
                &format!("con-{n:02}"),
                &format!("Connector {n:02}"),
            )
        })
        .collect();
    send(
        &mut s,
        [Msg::Worker(WorkerMsg::Inventory(Ok(Snapshot {
            apps: vec![fixtures::app("app-1", "Okta")],
            connectors,
            credentials: Vec::new(),
        })))],
    );
    for n in 0..40 {
        let buf = render(&s);
        let shown = text(&buf);
        assert!(
            shown.contains("Nothing is tracked for this tenant yet"),
            "{shown}"
        );
        assert!(
            shown.contains("40 connector(s) known, none with a tracked credential:"),
            "{shown}"
        );
        let selected = s.selected_entry().expect("a connector row is selected");
        assert_eq!(selected.key.connector_id, format!("con-{n:02}"));
        let hint_ends = y_of(&buf, "connector(s) known");
        let row = y_of(&buf, &format!("Connector {n:02}  "));
        assert!(row > hint_ends, "row {n} drawn below the hint: {shown}");
        send(&mut s, [key('j')]);
    }
    // A click lands on a drawn row, but the table's rows would map it to another: it selects
    // nothing rather than a row the user did not click.
    let before = s.selected_entry().unwrap().key.clone();
    let buf = render(&s);
    let other = y_of(&buf, "Connector 30  ");
    send(
        &mut s,
        [Msg::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: 10,
            row: other,
            modifiers: KeyModifiers::NONE,
        })],
    );
    assert_eq!(*s.selected_entry().unwrap().key, before);
}

// ---- snapshots (reviewed) ----

fn with_rotations() -> State {
    let mut s = refreshed_state(options(), 160, 48);
    let mut done = rotation();
    done.id = RotationId(2);
    done.connector_id = "k-gh".into();
    done.app_id = "app-gh".into();
    done.state = RotationState::Waiting;
    done.new_credential_id = "cred-gh-new".into();
    done.old = vec![];
    send(&mut s, [rotations(vec![done, ready(Duration::hours(3))])]);
    s
}

#[test]
fn rotations_window_snapshots() {
    let mut s = with_rotations();
    send(&mut s, [key('O'), key('j')]);
    insta::assert_snapshot!("rotations_160x48", text(&render(&s)));
    send(
        &mut s,
        [Msg::Resize {
            width: 80,
            height: 24,
        }],
    );
    insta::assert_snapshot!("rotations_80x24", text(&render(&s)));
    send(&mut s, [key('X')]);
    insta::assert_snapshot!("abandon_80x24", text(&render(&s)));
}

#[test]
fn changes_window_snapshots() {
    let mut s = refreshed_state(options(), 160, 48);
    let now = fixed_now();
    send(
        &mut s,
        [changes(vec![
            change(("app-gh", "k-gh", "cred-gh-1"), ChangeKind::FirstUsed, now),
            change(
                ("app-okta", "k-okta", "cred-okta-2"),
                ChangeKind::Revoked,
                now - Duration::hours(2),
            ),
        ])],
    );
    insta::assert_snapshot!("marked_rows_160x48", text(&render(&s)));
    send(&mut s, [key('C')]);
    insta::assert_snapshot!("changes_160x48", text(&render(&s)));
    send(
        &mut s,
        [Msg::Resize {
            width: 80,
            height: 24,
        }],
    );
    insta::assert_snapshot!("changes_80x24", text(&render(&s)));
}

#[test]
fn empty_list_snapshots() {
    let s = empty_state(160, 48, false);
    insta::assert_snapshot!("empty_160x48", text(&render(&s)));
    let mut s = empty_state(80, 24, false);
    send(&mut s, [key('F')]);
    send(
        &mut s,
        [Msg::Worker(WorkerMsg::Discovery(DiscoveryMsg::Read {
            events: 37,
        }))],
    );
    insta::assert_snapshot!("empty_discovering_80x24", text(&render(&s)));
}

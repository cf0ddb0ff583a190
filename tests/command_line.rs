//! The command line (`:`) and the copy keys, through `update`: the commands do what the keys
//! do, a mistake keeps the line open with a suggestion, Tab and the history work, the I/O
//! commands become effects with honest toasts.

use credboard::app::state::ToastKind;
use credboard::app::table::Column;
use credboard::app::view::{HelpLine, help_lines};
use credboard::app::{Effect, Keymap, Msg, State, WorkId, WorkerMsg};
use credboard::model::{CredentialKey, Failure, FailureKind};
use credboard::testkit::checks::update;
use credboard::testkit::fixtures::{options, refreshed_state};
use credboard::testkit::keys::{char_event, event};

fn press(s: &mut State, name: &str) -> Vec<Effect> {
    update(s, Msg::Key(event(name)))
}

fn typed(s: &mut State, text: &str) -> Vec<Effect> {
    let mut fx = Vec::new();
    for c in text.chars() {
        fx.extend(update(s, Msg::Key(char_event(c))));
    }
    fx
}

/// `:` + the line + Enter: every effect, the line's save in the history included.
fn entered(s: &mut State, line: &str) -> Vec<Effect> {
    let mut fx = press(s, ":");
    fx.extend(typed(s, line));
    fx.extend(press(s, "enter"));
    fx
}

/// `:` + the line + Enter: the effects of the command (the line's save left out).
fn command(s: &mut State, line: &str) -> Vec<Effect> {
    entered(s, line)
        .into_iter()
        .filter(|e| !matches!(e, Effect::RememberCommand(_)))
        .collect()
}

#[test]
fn each_line_entered_is_saved_for_the_next_session_once() {
    let mut s = state();
    assert_eq!(
        entered(&mut s, " sort name "),
        [Effect::RememberCommand("sort name".into())]
    );
    // The same line again is not saved twice in a row; a mistake is saved as typed.
    assert!(entered(&mut s, "sort name").is_empty());
    assert_eq!(
        entered(&mut s, "sotr app"),
        [Effect::RememberCommand("sotr app".into())]
    );
    press(&mut s, "esc");
    // A line that holds a client secret is kept nowhere.
    let fx = entered(
        &mut s,
        "filter secret-token:eyJhbGciOiJFZERTQSIsImtpZCI6IngifQ",
    );
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::RememberCommand(_))),
        "{fx:?}"
    );
    assert_eq!(s.command_history, ["sort name", "sotr app"]);
}

fn state() -> State {
    refreshed_state(options(), 120, 30)
}

fn last_toast(s: &State) -> (ToastKind, String) {
    let t = s.toasts.last().expect("a toast");
    (t.kind, t.text.clone())
}

/// The first credential row (not a connector row) selected.
fn select_credential(s: &mut State) -> CredentialKey {
    press(s, "g");
    while s.selected_entry().unwrap().kind != credboard::app::inventory::EntryKind::Credential {
        press(s, "j");
    }
    s.selected_entry().unwrap().key.clone()
}

#[test]
fn sort_on_the_command_line_is_the_sort_the_keys_make() {
    let mut by_keys = state();
    // From Status, `s` goes on to Findings, then Name; `S` reverses it.
    press(&mut by_keys, "s");
    press(&mut by_keys, "s");
    press(&mut by_keys, "S");
    let mut by_command = state();
    command(&mut by_command, "sort name desc");
    assert!(
        by_command.command.is_none(),
        "Enter closes the command line"
    );
    assert_eq!(by_command.table.sort.column, Column::Name);
    assert!(by_command.table.sort.descending);
    assert_eq!(by_command.visible_ids(), by_keys.visible_ids());
    command(&mut by_command, "sort lastused");
    assert_eq!(by_command.table.sort.column, Column::LastUsed);
    assert!(!by_command.table.sort.descending);
}

#[test]
fn filter_on_the_command_line_is_the_filter_slash_makes() {
    let mut by_keys = state();
    press(&mut by_keys, "/");
    typed(&mut by_keys, "okta");
    press(&mut by_keys, "enter");
    let mut by_command = state();
    command(&mut by_command, "filter okta");
    assert_eq!(by_command.table.filter, "okta");
    assert_eq!(by_command.visible_ids(), by_keys.visible_ids());
    assert!(by_command.visible_ids().len() < state().visible_ids().len());
    command(&mut by_command, "filter");
    assert_eq!(by_command.table.filter, "");
}

#[test]
fn an_unknown_command_keeps_the_line_open_with_a_suggestion_and_changes_nothing() {
    let mut s = state();
    let before = s.visible_ids();
    let fx = command(&mut s, "sotr name");
    assert!(fx.is_empty());
    let line = s.command.as_ref().expect("still open");
    assert_eq!(line.input, "sotr name");
    assert_eq!(
        line.error.as_deref(),
        Some("unknown command `sotr`, did you mean `sort`?")
    );
    assert_eq!(s.visible_ids(), before);
    // Fixing it clears the mistake; Esc leaves without running anything.
    press(&mut s, "backspace");
    assert_eq!(s.command.as_ref().unwrap().error, None);
    press(&mut s, "esc");
    assert!(s.command.is_none());
    assert_eq!(s.table.sort.column, Column::Status);
}

#[test]
fn tab_completes_on_the_command_line_and_does_not_switch_the_view() {
    let mut s = state();
    let view = s.table.view;
    press(&mut s, ":");
    typed(&mut s, "so");
    press(&mut s, "tab");
    assert_eq!(s.command.as_ref().unwrap().input, "sort ");
    typed(&mut s, "c");
    press(&mut s, "tab");
    let line = s.command.as_ref().unwrap();
    assert_eq!(line.candidates, vec!["connector", "client", "created"]);
    assert_eq!(s.table.view, view);
}

#[test]
fn up_and_down_walk_the_lines_entered_this_session() {
    let mut s = state();
    command(&mut s, "sort app");
    command(&mut s, "filter okta");
    press(&mut s, ":");
    typed(&mut s, "ex");
    press(&mut s, "up");
    assert_eq!(s.command.as_ref().unwrap().input, "filter okta");
    press(&mut s, "up");
    assert_eq!(s.command.as_ref().unwrap().input, "sort app");
    press(&mut s, "down");
    press(&mut s, "down");
    assert_eq!(s.command.as_ref().unwrap().input, "ex");
    assert_eq!(s.command_history, ["sort app", "filter okta"]);
}

#[test]
fn export_carries_the_rows_shown_in_their_order() {
    let mut s = state();
    command(&mut s, "filter okta");
    command(&mut s, "sort name");
    let fx = command(&mut s, "export csv /tmp/okta.csv");
    let [
        Effect::Export {
            format, path, rows, ..
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?}");
    };
    assert_eq!(format.word(), "csv");
    assert_eq!(path, "/tmp/okta.csv");
    let shown: Vec<String> = s
        .visible_entries()
        .filter(|e| e.kind == credboard::app::inventory::EntryKind::Credential)
        .map(|e| e.key.credential_id.clone())
        .collect();
    let exported: Vec<String> = rows.iter().map(|r| r.ids.credential_id.clone()).collect();
    assert!(!exported.is_empty());
    assert_eq!(exported, shown);
    // Not "exported" before the worker has written it.
    assert_eq!(
        last_toast(&s),
        (
            ToastKind::Info,
            format!("exporting {} rows to /tmp/okta.csv…", shown.len())
        )
    );
}

#[test]
fn track_untrack_and_import_become_effects_for_the_worker() {
    let mut s = state();
    let tracked = CredentialKey::new("app1", "conn1", "cred1");
    let fx = command(&mut s, "track app1 conn1 cred1");
    assert!(
        matches!(fx.as_slice(), [Effect::Track { key, .. }] if *key == tracked),
        "{fx:?}"
    );
    let selected = select_credential(&mut s);
    let fx = command(&mut s, "untrack");
    assert!(
        matches!(fx.as_slice(), [Effect::Untrack { key, .. }] if *key == selected),
        "{fx:?}"
    );
    let fx = command(&mut s, "import state.tfstate");
    assert!(
        matches!(fx.as_slice(), [Effect::Import { path, .. }] if path == "state.tfstate"),
        "{fx:?}"
    );
    assert_eq!(command(&mut s, "quit"), [Effect::Quit]);
    assert!(s.should_quit());
}

#[test]
fn the_workers_word_on_a_command_is_a_toast_a_failure_an_error() {
    let mut s = state();
    update(
        &mut s,
        Msg::Worker(WorkerMsg::Done {
            work: 0,
            said: Ok("exported 3 rows to x.csv (csv)".into()),
        }),
    );
    assert_eq!(
        last_toast(&s),
        (ToastKind::Done, "exported 3 rows to x.csv (csv)".into())
    );
    update(
        &mut s,
        Msg::Worker(WorkerMsg::Done {
            work: 1,
            said: Err(Failure::new(
                FailureKind::Store,
                "nothing was exported: x.csv: permission denied",
            )),
        }),
    );
    assert_eq!(last_toast(&s).0, ToastKind::Error);
    assert_eq!(
        s.errors.last().unwrap().text,
        "nothing was exported: x.csv: permission denied"
    );
}

/// The work an effect names (an export, import, track or untrack), to answer it.
fn work_of(fx: &[Effect]) -> WorkId {
    match fx {
        [
            Effect::Export { work, .. }
            | Effect::Import { work, .. }
            | Effect::Track { work, .. }
            | Effect::Untrack { work, .. },
        ] => *work,
        other => panic!("{other:?}"),
    }
}

fn toast_texts(s: &State) -> Vec<String> {
    s.toasts.iter().map(|t| t.text.clone()).collect()
}

#[test]
fn what_says_a_command_is_under_way_goes_when_that_command_is_done() {
    let mut s = state();
    let export = work_of(&command(&mut s, "export csv /tmp/a.csv"));
    let import = work_of(&command(&mut s, "import ids.txt"));
    assert_ne!(export, import);
    let exporting = toast_texts(&s)
        .into_iter()
        .find(|t| t.starts_with("exporting"))
        .expect("an exporting toast");
    // The import answers first: its "importing…" goes, the export's stays.
    update(
        &mut s,
        Msg::Worker(WorkerMsg::Done {
            work: import,
            said: Ok("ids from ids.txt: 1 added, 0 already known, 0 refused".into()),
        }),
    );
    let texts = toast_texts(&s);
    assert!(
        !texts.iter().any(|t| t.starts_with("importing")),
        "{texts:?}"
    );
    assert!(texts.contains(&exporting), "{texts:?}");
    // A long export: its "exporting…" outlasts a toast's time, as the export does.
    let later = s.now + chrono::Duration::minutes(5);
    update(&mut s, Msg::Tick(later));
    assert!(
        toast_texts(&s).contains(&exporting),
        "{:?}",
        toast_texts(&s)
    );
    // A failed export takes its "exporting…" away too: nothing says it is still going on.
    update(
        &mut s,
        Msg::Worker(WorkerMsg::Done {
            work: export,
            said: Err(Failure::new(
                FailureKind::Store,
                "nothing was exported: /tmp/a.csv: disk full",
            )),
        }),
    );
    let texts = toast_texts(&s);
    assert!(!texts.contains(&exporting), "{texts:?}");
    assert_eq!(
        texts.last().map(String::as_str),
        Some("nothing was exported: /tmp/a.csv: disk full")
    );
}

#[test]
fn the_windows_open_from_the_command_line_as_from_their_keys() {
    let mut s = state();
    command(&mut s, "help");
    assert!(matches!(
        s.modal,
        Some(credboard::app::dialogs::Modal::Help { .. })
    ));
    press(&mut s, "esc");
    let fx = command(&mut s, "journal");
    assert_eq!(fx, [Effect::LoadJournal]);
    press(&mut s, "esc");
    command(&mut s, "errors");
    assert!(matches!(
        s.modal,
        Some(credboard::app::dialogs::Modal::Errors { .. })
    ));
}

#[test]
fn y_copies_the_id_and_capital_y_the_client_id_saying_only_that_they_were_sent() {
    let mut s = state();
    let key = select_credential(&mut s);
    let client = s.selected_entry().unwrap().client_id().unwrap().to_string();
    let fx = press(&mut s, "y");
    let [Effect::Copy(text)] = fx.as_slice() else {
        panic!("{fx:?}");
    };
    assert_eq!(text.expose(), key.credential_id);
    assert_eq!(
        last_toast(&s),
        (
            ToastKind::Done,
            "credential id sent to the terminal's clipboard (OSC 52)".into()
        )
    );
    let fx = press(&mut s, "Y");
    let [Effect::Copy(text)] = fx.as_slice() else {
        panic!("{fx:?}");
    };
    assert_eq!(text.expose(), client);
    assert_eq!(
        last_toast(&s).1,
        "client id sent to the terminal's clipboard (OSC 52)"
    );
}

#[test]
fn copying_from_a_connector_row_is_refused() {
    let mut s = state();
    press(&mut s, "g");
    while s.selected_entry().unwrap().kind != credboard::app::inventory::EntryKind::Connector {
        if s.table.cursor + 1 >= s.table.visible.len() {
            panic!("the sample has a connector row in the all view");
        }
        press(&mut s, "j");
    }
    assert!(press(&mut s, "y").is_empty());
    assert_eq!(last_toast(&s).0, ToastKind::Refused);
}

#[test]
fn every_command_is_in_the_help() {
    let lines = help_lines(&Keymap::default(), false);
    for c in credboard::app::command::COMMANDS {
        assert!(
            lines
                .iter()
                .any(|l| matches!(l, HelpLine::Command { usage, .. }
                if usage.starts_with(&format!(":{}", c.name)))),
            ":{} is not in the help",
            c.name
        );
    }
    assert!(
        lines
            .iter()
            .any(|l| matches!(l, HelpLine::Key { keys, .. } if keys == ":"))
    );
}

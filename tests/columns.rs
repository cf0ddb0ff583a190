//! The table's columns: chosen, ordered and given widths (`[table] columns`, `:columns`, a
//! view's columns); on narrow terminals and in wide mode the sorted column and its indicator
//! always show; `w` shows whole client ids where there is room, and says so where there is
//! not.

use credboard::app::columns::{ColumnSpec, parse_all};
use credboard::app::state::ToastKind;
use credboard::app::table::Column;
use credboard::app::views::SavedView;
use credboard::app::{Msg, Options, State};
use credboard::testkit::checks::update;
use credboard::testkit::fixtures::{options, refreshed_state};
use credboard::testkit::keys::{char_event, event};
use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

fn press(s: &mut State, name: &str) {
    update(s, Msg::Key(event(name)));
}

fn command(s: &mut State, line: &str) {
    press(s, ":");
    for c in line.chars() {
        update(s, Msg::Key(char_event(c)));
    }
    press(s, "enter");
}

fn screen(s: &State) -> String {
    credboard::testkit::screen::text(&credboard::testkit::screen::render(s))
}

/// The columns on screen, in order, with their widths.
fn shown(s: &State) -> Vec<(Column, u16)> {
    s.layout()
        .columns
        .iter()
        .filter_map(|c| Some((c.column?, c.width)))
        .collect()
}

fn titles(s: &State) -> Vec<Column> {
    shown(s).into_iter().map(|(c, _)| c).collect()
}

/// The table's title row as drawn: the line below the header that holds "Status".
fn title_row(s: &State) -> String {
    let top = s.layout().table_header.y as usize;
    screen(s).lines().nth(top).unwrap_or_default().to_string()
}

fn choice(words: &[&str]) -> Vec<ColumnSpec> {
    parse_all(words).unwrap()
}

#[test]
fn columns_shows_the_columns_named_in_their_order_and_widths() {
    let mut s = refreshed_state(options(), 160, 48);
    let before = s.layout();
    command(&mut s, "columns lastused name app:20 status");
    assert_eq!(
        titles(&s),
        [Column::LastUsed, Column::Name, Column::App, Column::Status]
    );
    let widths: Vec<u16> = shown(&s).iter().map(|(_, w)| *w).collect();
    // Last used and Status keep their own widths, App is 20, Name takes the rest.
    assert_eq!(widths, [10, 160 - 1 - 4 - 10 - 20 - 15, 20, 15]);
    let row = title_row(&s);
    let at = |t: &str| row.find(t).unwrap_or_else(|| panic!("{t} not in {row}"));
    assert!(at("Last used") < at("Name") && at("Name") < at("App") && at("App") < at("Status▲"));
    assert!(
        !row.contains("Connector") && !row.contains("Client id"),
        "{row}"
    );
    let t = s.toasts.last().unwrap();
    assert_eq!(t.kind, ToastKind::Done);
    assert_eq!(t.text, "columns: Last used, Name, App, Status");

    // `:columns` alone: every column again, exactly as before.
    command(&mut s, "columns");
    assert_eq!(s.layout(), before);
    assert!(
        s.toasts
            .last()
            .unwrap()
            .text
            .starts_with("every column: Name, App, Connector")
    );
}

#[test]
fn columns_default_goes_back_to_the_settings_choice() {
    let opts = Options {
        columns: Some(choice(&["name", "connector:24", "status"])),
        ..options()
    };
    let mut s = refreshed_state(opts, 160, 48);
    assert_eq!(
        titles(&s),
        [Column::Name, Column::Connector, Column::Status]
    );
    assert_eq!(shown(&s)[1], (Column::Connector, 24));
    command(&mut s, "columns app name");
    assert_eq!(titles(&s), [Column::App, Column::Name, Column::Status]);
    command(&mut s, "columns default");
    assert_eq!(
        titles(&s),
        [Column::Name, Column::Connector, Column::Status]
    );
    assert_eq!(
        s.toasts.last().unwrap().text,
        "the settings' columns: Name, Connector, Status"
    );
}

#[test]
fn a_mistake_in_columns_keeps_the_line_open_and_the_columns() {
    let mut s = refreshed_state(options(), 160, 48);
    let before = s.layout();
    command(&mut s, "columns name app:wide");
    let line = s.command.as_ref().expect("the line stays open");
    assert_eq!(
        line.error.as_deref(),
        Some("columns: `app:wide`: the width `wide` is not a number of cells from 3 to 200")
    );
    assert_eq!(s.layout(), before);
}

#[test]
fn the_sorted_column_stays_last_when_the_choice_leaves_it_out() {
    let mut s = refreshed_state(options(), 80, 24);
    command(&mut s, "sort lastused desc");
    command(&mut s, "columns name app");
    assert_eq!(titles(&s), [Column::Name, Column::App, Column::LastUsed]);
    assert!(
        title_row(&s).trim_end().ends_with("Last used▼"),
        "{}",
        title_row(&s)
    );
    assert_eq!(
        s.toasts.last().unwrap().text,
        "columns: Name, App, Last used (added: sorted on)"
    );
    // Sorting on another column moves the extra one with it.
    command(&mut s, "sort created");
    assert_eq!(titles(&s), [Column::Name, Column::App, Column::Created]);
    assert!(title_row(&s).contains("Created▲"), "{}", title_row(&s));
    // Even where the widths asked for leave no room, and on the narrowest terminal.
    command(&mut s, "columns name:120 app:60 connector:60");
    for (w, h) in [(80, 24), (60, 20), (40, 12)] {
        update(
            &mut s,
            Msg::Resize {
                width: w,
                height: h,
            },
        );
        let row = title_row(&s);
        assert!(row.contains("Created▲"), "{w}x{h}: {row}");
        let last = s.layout().columns.last().copied().unwrap();
        assert!(last.x + last.width <= w, "{w}x{h}: {last:?}");
    }
}

#[test]
fn s_sorts_through_the_chosen_columns_only_in_their_order() {
    let mut s = refreshed_state(options(), 160, 48);
    command(&mut s, "columns lastused name status");
    // Sorted on status (the start), then each chosen column in turn, round again.
    let mut sorted = Vec::new();
    for _ in 0..4 {
        press(&mut s, "s");
        sorted.push(s.table.sort.column);
        assert_eq!(
            titles(&s),
            [Column::LastUsed, Column::Name, Column::Status],
            "no column the choice left out comes onto the screen"
        );
    }
    assert_eq!(
        sorted,
        [
            Column::LastUsed,
            Column::Name,
            Column::Status,
            Column::LastUsed
        ]
    );
    // Sorted on a column the choice leaves out, `s` goes to the first chosen one.
    command(&mut s, "sort app");
    press(&mut s, "s");
    assert_eq!(s.table.sort.column, Column::LastUsed);
    // With no choice, every column in turn.
    command(&mut s, "columns default");
    let mut seen = Vec::new();
    for _ in 0..Column::ALL.len() {
        press(&mut s, "s");
        seen.push(s.table.sort.column);
    }
    seen.sort_by_key(|c| Column::ALL.iter().position(|a| a == c));
    assert_eq!(seen, Column::ALL);
}

#[test]
fn on_a_narrow_terminal_chosen_columns_drop_in_the_usual_order() {
    let mut s = refreshed_state(options(), 160, 48);
    command(&mut s, "columns status created lastused app client name:30");
    assert_eq!(
        titles(&s),
        [
            Column::Status,
            Column::Created,
            Column::LastUsed,
            Column::App,
            Column::ClientId,
            Column::Name
        ]
    );
    update(
        &mut s,
        Msg::Resize {
            width: 80,
            height: 24,
        },
    );
    // Created goes first, then the client id; the rest keep their order.
    assert_eq!(
        titles(&s),
        [Column::Status, Column::LastUsed, Column::App, Column::Name]
    );
    // Then Last used, then App (Name is 30 wide, as asked).
    update(
        &mut s,
        Msg::Resize {
            width: 60,
            height: 20,
        },
    );
    assert_eq!(titles(&s), [Column::Status, Column::Name]);
    assert_eq!(shown(&s)[1], (Column::Name, 30));
    let t = {
        command(&mut s, "columns status created lastused app client name:30");
        s.toasts.last().unwrap().text.clone()
    };
    assert_eq!(
        t,
        "columns: Status, Name; no room for Created, Last used, App, Client id"
    );
}

#[test]
fn a_width_given_to_the_client_id_wins_over_wide_mode() {
    let mut s = refreshed_state(options(), 160, 48);
    command(&mut s, "columns name client:20 status");
    press(&mut s, "w");
    assert_eq!(shown(&s)[1], (Column::ClientId, 20));
    // Wide mode shows the whole id in it, cut where the column ends.
    let id = s
        .visible_entries()
        .find_map(|e| e.client_id())
        .unwrap()
        .to_string();
    let head: String = id.chars().take(19).collect();
    assert!(screen(&s).contains(&format!("{head}…")), "{}", screen(&s));
    // A width that holds whole client ids shows them whole without wide mode.
    press(&mut s, "w");
    command(&mut s, "columns name client:50 status");
    assert!(screen(&s).contains(&id), "{}", screen(&s));
}

#[test]
fn a_click_on_a_title_sorts_by_that_column_in_any_order() {
    let mut s = refreshed_state(options(), 160, 48);
    command(&mut s, "columns expires name connector:25 status");
    for (c, _) in shown(&s) {
        let area = s.layout().column(c).unwrap();
        let row = s.layout().table_header.y;
        update(
            &mut s,
            Msg::Mouse(MouseEvent {
                kind: MouseEventKind::Down(MouseButton::Left),
                column: area.x + area.width / 2,
                row,
                modifiers: KeyModifiers::NONE,
            }),
        );
        assert_eq!(s.table.sort.column, c);
    }
}

#[test]
fn a_view_applies_its_columns_and_one_without_goes_back_to_the_settings() {
    let mut opts = Options {
        columns: Some(choice(&["name", "app", "status"])),
        ..options()
    };
    opts.views.insert(
        "slim".into(),
        SavedView {
            columns: choice(&["connector:30", "lastused", "name"]),
            ..SavedView::default()
        },
    );
    opts.views.insert("plain".into(), SavedView::default());
    let mut s = refreshed_state(opts, 160, 48);
    command(&mut s, "view slim");
    assert_eq!(
        shown(&s)[..2],
        [(Column::Connector, 30), (Column::LastUsed, 10)]
    );
    // Sorted by status (the view's default sort), which the view leaves out: shown last.
    assert_eq!(
        titles(&s),
        [
            Column::Connector,
            Column::LastUsed,
            Column::Name,
            Column::Status
        ]
    );
    assert!(
        s.toasts
            .last()
            .unwrap()
            .text
            .ends_with("columns Connector, Last used, Name, Status (added: sorted on)"),
        "{}",
        s.toasts.last().unwrap().text
    );
    command(&mut s, "view plain");
    assert_eq!(titles(&s), [Column::Name, Column::App, Column::Status]);
    // `--view slim` opens the dashboard through the same path.
    let view = s.options.views["slim"].clone();
    credboard::app::update::views::apply(&mut s, &view);
    assert_eq!(shown(&s)[0], (Column::Connector, 30));
}

#[test]
fn a_chosen_column_set_at_each_size() {
    for (w, h) in [(160, 48), (80, 24), (60, 20)] {
        let mut s = refreshed_state(options(), w, h);
        command(&mut s, "sort lastused");
        command(&mut s, "columns status name app:16 connector expires");
        insta::assert_snapshot!(format!("chosen_columns_{w}x{h}"), screen(&s));
    }
}

#[test]
fn the_sorted_column_and_its_indicator_survive_a_narrow_terminal() {
    for column in Column::ALL {
        for (w, h) in [(60, 20), (80, 24)] {
            let mut s = refreshed_state(options(), w, h);
            let word = credboard::app::views::column_name(column);
            command(&mut s, &format!("sort {word} desc"));
            let l = s.layout();
            assert!(l.column(column).is_some(), "{column:?} dropped at {w}");
            // The table's title row: the one that names the first column.
            let screen = screen(&s);
            let header = screen
                .lines()
                .find(|l| l.trim_start().starts_with("Name"))
                .unwrap_or_default()
                .to_string();
            assert!(
                header.contains(&format!("{}▼", column.title())),
                "{w}x{h} sorted by {column:?}: {header}"
            );
        }
    }
    let mut s = refreshed_state(options(), 60, 20);
    command(&mut s, "sort created");
    insta::assert_snapshot!("sorted_by_created_60x20", screen(&s));
}

#[test]
fn w_shows_whole_client_ids_where_there_is_room() {
    let mut s = refreshed_state(options(), 160, 48);
    let id = s
        .visible_entries()
        .find_map(|e| e.client_id())
        .unwrap()
        .to_string();
    assert!(!screen(&s).contains(&id));
    press(&mut s, "w");
    assert!(screen(&s).contains(&id), "{}", screen(&s));
    insta::assert_snapshot!("wide_160x48", screen(&s));
    press(&mut s, "w");
    assert!(!screen(&s).contains(&id));

    let mut s = refreshed_state(options(), 80, 24);
    press(&mut s, "w");
    let t = s.toasts.last().unwrap();
    assert_eq!(t.kind, ToastKind::Info);
    assert!(
        t.text.contains("need a table 100 columns wide"),
        "{}",
        t.text
    );
}

#[test]
fn at_60_columns_the_summary_drops_whole_counts_not_half_a_word() {
    use credboard::testkit::fixtures::{fixed_now, synthetic_inventory};
    let mut s = State::new(options(), fixed_now());
    update(
        &mut s,
        Msg::Resize {
            width: 60,
            height: 20,
        },
    );
    update(
        &mut s,
        Msg::Worker(credboard::app::WorkerMsg::Inventory(Ok(
            synthetic_inventory(1200, 7),
        ))),
    );
    let summary = screen(&s).lines().nth(1).unwrap().to_string();
    assert!(credboard::text::width(&summary) <= 60, "{summary}");
    // Every word shown is whole: the line ends in a count's word or the ellipsis.
    let words = [
        "total", "active", "expiring", "expired", "revoked", "gone", "unused", "idle", "…",
    ];
    let last = summary.split_whitespace().last().unwrap();
    assert!(words.contains(&last), "cut mid-word: {summary}");
}

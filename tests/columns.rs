//! The table's columns on narrow terminals and in wide mode: the sorted column and its
//! indicator always show; `w` shows whole client ids where there is room, and says so where
//! there is not.

use credboard::app::state::ToastKind;
use credboard::app::table::Column;
use credboard::app::{Msg, State};
use credboard::testkit::checks::update;
use credboard::testkit::fixtures::{options, refreshed_state};
use credboard::testkit::keys::{char_event, event};
use credboard::tui::ui::draw;
use credboard::tui::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

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
    let mut t = Terminal::new(TestBackend::new(s.width, s.height)).unwrap();
    t.draw(|f| draw(f, s, &Theme::default())).unwrap();
    credboard::testkit::text(t.backend().buffer())
        .lines()
        .map(|l| format!("{}\n", l.trim_end()))
        .collect()
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

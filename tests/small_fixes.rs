//! Small things that were wrong, each as the user met it: `--help` naming an unset
//! variable as if set empty, and the read-only footer offering a bulk revoke.

use credboard::app::Msg;
use credboard::testkit::checks::update;
use credboard::testkit::fixtures::{options, refreshed_state};
use credboard::testkit::keys::event;
use credboard::tui::ui::draw;
use credboard::tui::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

#[test]
fn help_names_the_variables_without_an_empty_value_when_they_are_unset() {
    let home = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("credboard")
        .unwrap()
        .env_clear()
        .env("HOME", home.path())
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for var in ["CREDBOARD_DATA_DIR", "CREDBOARD_CONFIG"] {
        assert!(help.contains(&format!("[env: {var}]")), "{help}");
        assert!(!help.contains(&format!("{var}=")), "{help}");
    }
}

#[test]
fn read_only_marks_are_not_offered_to_a_bulk_revoke() {
    for read_only in [false, true] {
        let mut o = options();
        o.read_only = read_only;
        let mut s = refreshed_state(o, 160, 30);
        update(&mut s, Msg::Key(event("space")));
        let mut t = Terminal::new(TestBackend::new(160, 30)).unwrap();
        t.draw(|f| draw(f, &s, &Theme::default())).unwrap();
        let footer = credboard::testkit::text(t.backend().buffer())
            .lines()
            .last()
            .unwrap()
            .to_string();
        assert!(footer.contains("● 1 marked"), "{footer}");
        assert_eq!(
            footer.contains("D revokes them"),
            !read_only,
            "read-only {read_only}: {footer}"
        );
        if read_only {
            assert!(footer.contains("(read-only: not revoked)"), "{footer}");
        }
    }
}

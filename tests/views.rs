//! Saved views: `[views.NAME]` in the settings (mistakes named with their line), applied by
//! name (`update::views::apply_view`, what `--view` and `:view` use), and the dashboard's
//! `--filter` / `--sort` refused as usage errors when wrong.

use std::path::Path;

use credboard::app::State;
use credboard::app::state::ToastKind;
use credboard::app::table::{Column, View};
use credboard::app::update::views::{apply_filter, apply_view};
use credboard::app::views::check;
use credboard::testkit::fixtures::{options, refreshed_state};

fn state_with_views() -> State {
    let mut o = options();
    o.views.insert(
        "stale-okta".into(),
        check(Some("app:okta lastused>90d"), Some("lastused:desc"), None).unwrap(),
    );
    o.views
        .insert("everything".into(), check(None, None, None).unwrap());
    refreshed_state(o, 120, 30)
}

#[test]
fn a_saved_view_applies_its_filter_and_sort_and_says_so() {
    let mut s = state_with_views();
    s.table.view = View::Expired;
    apply_view(&mut s, "stale-okta");
    assert_eq!(s.visible_ids(), ["cred-okta-2"]);
    assert_eq!(s.table.sort.column, Column::LastUsed);
    assert!(s.table.sort.descending);
    assert_eq!(s.table.view, View::All, "every status");
    let t = &s.toasts.last().unwrap().text;
    assert_eq!(
        t,
        "view stale-okta: filter \"app:okta lastused>90d\", sorted by lastused:desc"
    );
    // A view without a filter or a sort: none, and the default sort.
    apply_view(&mut s, "everything");
    assert_eq!(s.table.filter, "");
    assert_eq!(s.table.sort.column, Column::Status);
    assert_eq!(s.visible_ids().len(), 11);
}

#[test]
fn an_unknown_view_is_refused_with_the_nearest() {
    let mut s = state_with_views();
    apply_view(&mut s, "stale-otka");
    let t = s.toasts.last().unwrap();
    assert_eq!(t.kind, ToastKind::Refused);
    assert_eq!(
        t.text,
        "no view `stale-otka`; did you mean `stale-okta`? the views are everything, stale-okta"
    );
    assert_eq!(s.visible_ids().len(), 11, "nothing changed");
}

#[test]
fn a_filter_from_elsewhere_is_applied_like_a_typed_one() {
    let mut s = state_with_views();
    apply_filter(&mut s, "status:expired");
    assert_eq!(s.visible_ids(), ["cred-aws-1"]);
    assert!(!s.table.filter_editing);
    apply_filter(&mut s, "conector:x");
    assert_eq!(
        s.visible_ids(),
        ["cred-aws-1"],
        "the last valid filter stays"
    );
    assert_eq!(s.table.filter, "status:expired");
    let t = s.toasts.last().unwrap();
    assert!(t.text.contains("did you mean `connector`?"), "{}", t.text);
}

fn credboard(home: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("credboard").unwrap();
    cmd.env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    cmd
}

#[test]
fn bad_views_in_the_settings_name_the_line() {
    let home = tempfile::tempdir().unwrap();
    let cases: &[(&str, usize, &str)] = &[
        (
            "[views.okta]\nfilter = \"app:okta conector:x\"\n",
            2,
            "`views.okta.filter`: unknown field `conector`, did you mean `connector`?",
        ),
        (
            "[views.okta]\nfilter = \"app:okta\"\nsort = \"lastusd:desc\"\n",
            3,
            "`views.okta.sort`: no column `lastusd`; did you mean `lastused`?",
        ),
        (
            "[views.okta]\nsort = \"name:up\"\n",
            2,
            "`views.okta.sort`: `up` is not an order",
        ),
        (
            "[views.okta]\n\ncolumns = [\"name\", \"ap\"]\n",
            3,
            "`views.okta.columns`: no column `ap`; did you mean `app`?",
        ),
    ];
    let file = home.path().join("config.toml");
    for (text, line, message) in cases {
        std::fs::write(&file, text).unwrap();
        let out = credboard(home.path())
            .args(["config", "--config"])
            .arg(&file)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{text}: {stderr}");
        let at = format!("{}, line {line}", file.display());
        assert!(
            stderr.contains(&at) && stderr.contains(message),
            "{text}: {stderr}"
        );
    }
    // A good one is taken without a word.
    std::fs::write(
        &file,
        "[views.stale]\nfilter = \"lastused>90d\"\nsort = \"lastused:desc\"\ncolumns = [\"name\", \"lastused\"]\n",
    )
    .unwrap();
    let out = credboard(home.path())
        .args(["config", "--config"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_dashboards_filter_and_sort_flags_are_checked_first() {
    let home = tempfile::tempdir().unwrap();
    let out = credboard(home.path())
        .args(["--demo", "--filter", "lastused>90"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--filter: `90` has no unit") && err.contains("^^"),
        "{err}"
    );
    let out = credboard(home.path())
        .args(["--demo", "--sort", "conector"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--sort: no column `conector`; did you mean `connector`?"),
        "{err}"
    );
    // Before a command, they are the dashboard's.
    let out = credboard(home.path())
        .args(["--filter", "app:okta", "list", "--demo"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--filter before a command is the dashboard's"),
        "{err}"
    );
}

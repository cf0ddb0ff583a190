//! Tab on the file of `:export csv|json FILE` and `:import FILE` completes it from the disk:
//! the worker lists the directory, and the answer is applied only to the line it was asked
//! for. Then the whole dashboard, completing into a temporary directory.

use credboard::app::{Effect, Msg, State, WorkerMsg};
use credboard::testkit::checks::update;
use credboard::testkit::fixtures::{options, refreshed_state};
use credboard::testkit::keys::{char_event, event};
use credboard::testkit::{Seen, Session, SessionOptions};

fn press(s: &mut State, name: &str) -> Vec<Effect> {
    update(s, Msg::Key(event(name)))
}

fn type_text(s: &mut State, text: &str) {
    for c in text.chars() {
        update(s, Msg::Key(char_event(c)));
    }
}

fn input(s: &State) -> &str {
    &s.command.as_ref().expect("the command line is open").input
}

fn names(v: &[&str]) -> Result<Vec<String>, String> {
    Ok(v.iter().map(|s| s.to_string()).collect())
}

#[test]
fn tab_on_a_path_asks_the_worker_and_applies_its_answer_to_that_line_only() {
    let mut s = refreshed_state(options(), 160, 48);
    press(&mut s, ":");
    type_text(&mut s, "export csv ~/rep");
    let fx = press(&mut s, "tab");
    assert_eq!(
        fx,
        [Effect::ListPaths {
            line: "export csv ~/rep".into(),
            path: "~/rep".into()
        }]
    );
    // Nothing changes until the worker answers.
    assert_eq!(input(&s), "export csv ~/rep");
    update(
        &mut s,
        Msg::Worker(WorkerMsg::Paths {
            line: "export csv ~/rep".into(),
            names: names(&["report-a.csv", "report-b.csv", "reports/"]),
        }),
    );
    assert_eq!(input(&s), "export csv ~/report");
    assert_eq!(
        s.command.as_ref().unwrap().candidates,
        ["report-a.csv", "report-b.csv", "reports/"]
    );

    // Typed on before the answer came: the answer is for another line, and is dropped.
    type_text(&mut s, "s");
    press(&mut s, "tab");
    type_text(&mut s, "/x");
    update(
        &mut s,
        Msg::Worker(WorkerMsg::Paths {
            line: "export csv ~/reports".into(),
            names: names(&["reports/"]),
        }),
    );
    assert_eq!(input(&s), "export csv ~/reports/x");
    // And with the line closed, nothing opens it again.
    press(&mut s, "esc");
    update(
        &mut s,
        Msg::Worker(WorkerMsg::Paths {
            line: "export csv ~/reports/x".into(),
            names: names(&["x.csv"]),
        }),
    );
    assert!(s.command.is_none());
}

#[test]
fn tab_before_the_path_still_completes_words_at_once() {
    let mut s = refreshed_state(options(), 160, 48);
    press(&mut s, ":");
    type_text(&mut s, "export j");
    assert!(press(&mut s, "tab").is_empty());
    assert_eq!(input(&s), "export json ");
    // Now at the path (empty): the worker lists the current directory.
    assert_eq!(
        press(&mut s, "tab"),
        [Effect::ListPaths {
            line: "export json ".into(),
            path: String::new()
        }]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_completes_a_path_into_a_temporary_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("exports")).unwrap();
    std::fs::write(dir.path().join("state.tfstate"), "{}").unwrap();
    let root = format!("{}/", dir.path().display());
    let mut d = Session::start(SessionOptions::default()).await;
    d.refreshed(1).await;
    d.press(":");
    d.type_text(&format!("export csv {root}ex"));
    d.press("tab");
    d.wait_for("the listing", |s| matches!(s, Seen::Paths(_)))
        .await;
    d.see(&format!(":export csv {root}exports/▏")).await;
    d.type_text("view.csv");
    d.press("enter");
    d.wait_for("the export", |s| matches!(s, Seen::Done(Ok(_))))
        .await;
    assert!(dir.path().join("exports/view.csv").exists());

    // Two names that start alike: as far as they agree, and both listed.
    std::fs::write(dir.path().join("state.json"), "[]").unwrap();
    d.press(":");
    d.type_text(&format!("import {root}st"));
    d.press("tab");
    let screen = d.see("state.json  state.tfstate").await;
    assert!(
        screen.contains(&format!(":import {root}state.▏")),
        "{screen}"
    );
    d.press("esc");
    d.quit().await;
    d.shutdown().await;
}

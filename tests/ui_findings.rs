//! The audit's findings as drawn: the Findings column (colour on the cell, a symbol and a
//! word without colour), muted findings shown as muted, the detail pane's list, the header's
//! counts, and the overview window at 80×24 and 160×48. States are built through `update`
//! as the runtime would, at the fixtures' fixed `now`.

use chrono::{Duration, NaiveDate};
use credboard::app::findings::AuditInputs;
use credboard::app::table::Column;
use credboard::app::{Msg, Options, State, WorkerMsg};
use credboard::audit::catalog::CheckId;
use credboard::audit::checks::{Exposed, Exposure};
use credboard::audit::mutes::{Mute, MuteOrigin, MuteTarget};
use credboard::testkit::checks::update;
use credboard::testkit::fixtures::{fixed_now, loaded_unchecked, options, refreshed_state};
use credboard::testkit::screen::{render, render_in, text};
use credboard::tui::ui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

fn key(c: char) -> Msg {
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

/// The AWS sandbox credential reported exposed; its no-expiry finding muted.
fn audited(o: Options, width: u16, height: u16) -> State {
    let mut s = refreshed_state(o, width, height);
    send(
        &mut s,
        [Msg::Worker(WorkerMsg::Audit(AuditInputs {
            mutes: Ok(vec![Mute {
                check: CheckId::NoExpiry,
                target: MuteTarget::Credential("cred-aws-3".into()),
                reason: "sandbox, torn down monthly".into(),
                until: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
                origin: MuteOrigin::Inventory { id: 3 },
            }]),
            exposure: Exposure::Reported(vec![Exposed {
                client_id: "awssbx9@acme.conductor.one/pcc".into(),
                state: Some("FINDING_STATE_OPEN".into()),
                first_observed: Some(fixed_now() - Duration::days(2)),
                source_url: Some("https://github.com/acme/infra/blob/main/.env".into()),
            }]),
            failure: None,
        }))],
    );
    s
}

fn row_of(buf: &Buffer, needle: &str) -> u16 {
    let t = text(buf);
    t.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not drawn:\n{t}")) as u16
}

fn findings_x(s: &State) -> u16 {
    s.layout().column(Column::Findings).expect("the column").x
}

#[test]
fn the_findings_column_colours_each_severity_and_names_it() {
    let s = audited(options(), 120, 24);
    let buf = render(&s);
    let x = findings_x(&s);
    let cell = |needle: &str| buf[(x, row_of(&buf, needle))].clone();
    let t = text(&buf);
    let line = |needle: &str| t.lines().find(|l| l.contains(needle)).unwrap().to_string();

    let exposed = cell("aws-sandbox");
    assert_eq!(
        (exposed.fg, exposed.bg),
        (Color::White, Color::Red),
        "critical"
    );
    assert!(
        line("aws-sandbox").ends_with("✖ critical"),
        "{}",
        line("aws-sandbox")
    );
    // aws-payer is the selected first row: the selection's background wins, the colour stays.
    assert_eq!(cell("aws-payer ").fg, Color::Red, "high");
    assert!(line("aws-payer ").ends_with("▲ high"));
    assert_eq!(cell("github-unused").fg, Color::Yellow, "medium");
    assert!(line("github-unused").ends_with("◆ medium"));
    assert_eq!(cell("github-sync").fg, Color::Cyan, "low");
    assert!(line("github-sync").ends_with("◇ low"));
    assert_eq!(cell("cred-okta-new").fg, Color::DarkGray, "info");
    assert!(line("cred-okta-new").ends_with("· info"));
    // Gone, nothing found: the cell is empty.
    assert!(line("github-deleted").ends_with("⊘ gone"));
}

#[test]
fn without_colour_each_severity_keeps_its_symbol_and_word() {
    let s = audited(options(), 120, 24);
    let plain = Theme {
        color: false,
        ..Theme::default()
    };
    let buf = render_in(&s, &plain);
    for c in buf.content() {
        assert_eq!((c.fg, c.bg), (Color::Reset, Color::Reset), "{c:?}");
    }
    let t = text(&buf);
    for word in ["✖ critical", "▲ high", "◆ medium", "◇ low", "· info"] {
        assert!(t.contains(word), "{word} missing:\n{t}");
    }
    let x = findings_x(&s);
    let critical = &buf[(x, row_of(&buf, "aws-sandbox"))];
    assert!(
        critical
            .modifier
            .contains(Modifier::REVERSED | Modifier::BOLD)
    );
}

#[test]
fn a_row_whose_findings_are_all_muted_says_muted() {
    let mut o = options();
    o.mutes = vec![Mute {
        check: CheckId::NoExpiry,
        target: MuteTarget::Credential("cred-aws-3".into()),
        reason: "sandbox".into(),
        until: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
        origin: MuteOrigin::Settings { entry: 1 },
    }];
    let s = refreshed_state(o, 120, 24);
    let buf = render(&s);
    let y = row_of(&buf, "aws-sandbox");
    let t = text(&buf);
    assert!(
        t.lines().nth(y as usize).unwrap().ends_with("◌ muted"),
        "{t}"
    );
    assert_eq!(buf[(findings_x(&s), y)].fg, Color::DarkGray);
    assert!(t.contains("◌ 1 muted"), "the header counts it: {t}");
}

#[test]
fn the_detail_pane_lists_each_finding_with_its_reason_and_mute() {
    let mut s = audited(options(), 160, 40);
    // Select the sandbox credential and open the pane.
    let pos = s
        .visible_ids()
        .iter()
        .position(|id| id == "cred-aws-3")
        .unwrap();
    for _ in 0..pos {
        send(&mut s, [key('j')]);
    }
    send(&mut s, [code(KeyCode::Enter)]);
    let t = text(&render(&s));
    // The pane is 57 columns wide here: each finding wraps under its label.
    for part in [
        "Findings      ✖ CB-1.7 critical: ConductorOne reports",
        "it publicly exposed (finding open, first",
        "◌ CB-1.5 low (muted): it never expires —",
        "muted until 2026-06-30: sandbox, torn",
        "down monthly (inventory mute #3)",
    ] {
        assert!(t.contains(part), "{part}:\n{t}");
    }
    insta::assert_snapshot!("detail_with_findings", t);
}

#[test]
fn the_header_counts_findings_by_severity() {
    // At 200 columns, beside the statuses' counts.
    let s = audited(options(), 200, 40);
    let t = text(&render(&s));
    let line = t.lines().nth(1).unwrap();
    assert!(
        line.ends_with(&format!(
            "│ findings  ✖ 1 critical  ▲ {} high  ◆ {} medium  ◇ {} low  · {} info  ◌ 1 muted",
            s.audit.counts.high, s.audit.counts.medium, s.audit.counts.low, s.audit.counts.info
        )),
        "{line}"
    );
    // Narrower, on a line of its own, the statuses' counts keeping their words.
    let s = audited(options(), 160, 40);
    let t = text(&render(&s));
    assert!(
        t.lines()
            .nth(1)
            .unwrap()
            .starts_with("10 credentials  ✓ 6 active"),
        "{t}"
    );
    assert!(
        t.lines()
            .nth(2)
            .unwrap()
            .starts_with("findings  ✖ 1 critical"),
        "{t}"
    );
    let s = audited(options(), 80, 24);
    let t = text(&render(&s));
    assert!(
        t.lines()
            .nth(2)
            .unwrap()
            .starts_with("findings  ✖ 1 critical"),
        "{t}"
    );
}

#[test]
fn overview_at_80x24() {
    let mut s = audited(options(), 80, 24);
    send(&mut s, [key('o')]);
    let buf = render(&s);
    let t = text(&buf);
    insta::assert_snapshot!("overview_80x24", t);
    // Bars past the policy are marked and coloured as a warning; the others are not.
    let bar_fg = |label: &str| {
        let y = row_of(&buf, label);
        let l = t.lines().nth(y as usize).unwrap();
        let x = l[..l.find('█').expect("a bar")].chars().count() as u16;
        buf[(x, y)].fg
    };
    assert_eq!(bar_fg("! 180–364 days"), Color::Yellow);
    assert_eq!(bar_fg("  30–59 days"), Color::Green, "within the policy");
    // o closes it again; so does Esc.
    send(&mut s, [key('o')]);
    assert!(s.modal.is_none());
    send(&mut s, [key('o'), code(KeyCode::Esc)]);
    assert!(s.modal.is_none());
}

#[test]
fn overview_at_160x48() {
    let mut s = audited(options(), 160, 48);
    send(&mut s, [key('o')]);
    insta::assert_snapshot!("overview_160x48", text(&render(&s)));
}

#[test]
fn overview_says_when_cb_1_7_could_not_run() {
    let mut s = refreshed_state(options(), 80, 24);
    send(&mut s, [key('o')]);
    let t = text(&render(&s));
    assert!(t.contains("CB-1.7 not available: not asked yet"), "{t}");
}

#[test]
fn the_help_overlay_lists_the_overview_key() {
    let mut s = refreshed_state(options(), 120, 40);
    send(&mut s, [key('?'), key('/')]);
    send(&mut s, "overview".chars().map(key));
    let t = text(&render(&s));
    assert!(
        t.contains("overview: charts of ages, expiry, last use, findings"),
        "{t}"
    );
}

/// Until the checks first answer, every row's Findings cell says they are running, or, if
/// they failed, that the findings are unknown, dimmed: a blank would read as "no
/// findings". Once they answer, a row without findings is blank.
#[test]
fn before_the_checks_first_answer_the_findings_column_says_so() {
    let (s, asked) = loaded_unchecked(options(), 120, 40);
    assert!(credboard::testkit::checks::job_in(asked).is_some());
    let x = findings_x(&s);
    let cell_text = |buf: &Buffer, y: u16| -> String {
        (x..x + 10)
            .map(|x| buf[(x, y)].symbol())
            .collect::<String>()
    };
    let buf = render(&s);
    for name in ["aws-sandbox", "github-sync", "(no tracked cred"] {
        let y = row_of(&buf, name);
        assert_eq!(cell_text(&buf, y), "… checking", "{name}");
        assert_eq!(
            Some(buf[(x + 2, y)].fg),
            Theme::default().dim().fg,
            "{name}"
        );
    }

    // The run fails: no findings are known, and the cells say so.
    let mut failed = s;
    credboard::app::update(
        &mut failed,
        Msg::Worker(WorkerMsg::Checked(Err(credboard::model::Failure::new(
            credboard::model::FailureKind::Internal,
            "the checks stopped: task panicked",
        )))),
    );
    let buf = render(&failed);
    let y = row_of(&buf, "aws-sandbox");
    assert_eq!(cell_text(&buf, y).trim_end(), "? unknown");

    let s = audited(options(), 120, 24);
    let buf = render(&s);
    let blank = s
        .visible_entries()
        .find(|e| e.findings.is_empty())
        .map(|e| e.display_name().unwrap_or(e.row_id()).to_string())
        .expect("a row without findings");
    assert_eq!(cell_text(&buf, row_of(&buf, &blank)).trim(), "", "{blank}");
}

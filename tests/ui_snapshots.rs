//! Snapshots of the drawn dashboard at fixed sizes and a fixed `now`. States are built
//! through `update` with synthetic messages, as the runtime would.

use credboard::app::{Msg, State};
use credboard::model::{Revocation, RevokeResult};
use credboard::testkit::checks::update;
use credboard::testkit::fixtures::{self, fixed_now, loaded_state, options, refreshed_state};
use credboard::testkit::screen::{render, render_in, text};
use credboard::tui::ui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;

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

#[test]
fn loading_cached_not_yet_current() {
    let mut s = State::new(options(), fixed_now());
    send(
        &mut s,
        [Msg::Resize {
            width: 120,
            height: 20,
        }],
    );
    insta::assert_snapshot!("before_inventory", text(&render(&s)));
    let s = loaded_state(options(), 120, 20);
    insta::assert_snapshot!("loaded_refresh_running", text(&render(&s)));
}

#[test]
fn loaded_and_current() {
    let s = refreshed_state(options(), 120, 20);
    insta::assert_snapshot!(text(&render(&s)));
}

#[test]
fn at_80x24() {
    let s = refreshed_state(options(), 80, 24);
    insta::assert_snapshot!(text(&render(&s)));
}

#[test]
fn at_200x60_with_detail_beside() {
    let mut s = refreshed_state(options(), 200, 60);
    send(&mut s, [key('j'), key('j'), code(KeyCode::Enter)]);
    insta::assert_snapshot!(text(&render(&s)));
}

#[test]
fn detail_below_when_narrow() {
    let mut s = refreshed_state(options(), 100, 36);
    send(&mut s, [key('j'), key('j'), key('j'), code(KeyCode::Enter)]);
    insta::assert_snapshot!(text(&render(&s)));
}

#[test]
fn filtered() {
    let mut s = refreshed_state(options(), 120, 20);
    send(&mut s, [key('/'), key('a'), key('w'), key('s')]);
    insta::assert_snapshot!("filter_typing", text(&render(&s)));
    send(&mut s, [code(KeyCode::Enter)]);
    insta::assert_snapshot!("filter_kept", text(&render(&s)));
}

#[test]
fn sorted_descending_by_last_used() {
    let mut s = refreshed_state(options(), 120, 20);
    // Status (default) -> name -> app -> connector -> client id -> created -> last used
    send(&mut s, (0..6).map(|_| key('s')));
    send(&mut s, [key('S')]);
    insta::assert_snapshot!(text(&render(&s)));
}

#[test]
fn help_overlay() {
    let mut s = refreshed_state(options(), 100, 40);
    send(&mut s, [key('?')]);
    insta::assert_snapshot!(text(&render(&s)));
}

/// The help's last page: typing, the dialogs, the secret window and the keys that cannot
/// be rebound.
#[test]
fn help_overlay_last_page() {
    let mut s = refreshed_state(options(), 100, 40);
    send(&mut s, [key('?'), key('G')]);
    insta::assert_snapshot!(text(&render(&s)));
}

#[test]
fn help_overlay_read_only() {
    let mut o = options();
    o.read_only = true;
    let mut s = refreshed_state(o, 100, 50);
    send(&mut s, [key('?')]);
    insta::assert_snapshot!(text(&render(&s)));
}

#[test]
fn error_history_wraps_long_errors() {
    use credboard::app::WorkerMsg;
    let mut s = refreshed_state(options(), 80, 24);
    send(
        &mut s,
        [
            Msg::Worker(WorkerMsg::Error(credboard::model::Failure::new(
                credboard::model::FailureKind::Store,
                "the inventory could not be written: disk full",
            ))),
            Msg::Worker(WorkerMsg::Error(credboard::model::Failure::new(
                credboard::model::FailureKind::Store,
                format!(
                    "listing connectors of app-okta: 503 Service Unavailable: {}",
                    "upstream connect error or disconnect/reset before headers. ".repeat(4)
                ),
            ))),
            key('E'),
        ],
    );
    insta::assert_snapshot!(text(&render(&s)));
}

#[test]
fn the_revoke_dialog_of_an_expired_credential_does_not_say_the_connector_will_stop() {
    let mut s = refreshed_state(options(), 100, 30);
    // aws-payer expired 3 days ago; okta-baton-old has not.
    for (filter, said, not_said) in [
        ("aws-payer", "It has expired", "will stop working"),
        ("baton-old", "will stop working", "It has expired"),
    ] {
        send(&mut s, [key('/')]);
        send(&mut s, filter.chars().map(key));
        send(&mut s, [code(KeyCode::Enter), key('d')]);
        let screen = text(&render(&s));
        assert!(screen.contains(said), "{filter}: {screen}");
        assert!(!screen.contains(not_said), "{filter}: {screen}");
        send(&mut s, [code(KeyCode::Esc), code(KeyCode::Esc)]);
    }
}

#[test]
fn revoke_dialog() {
    let mut s = refreshed_state(options(), 100, 30);
    // Select okta-baton-old (idle, used long ago; its connector has another live credential).
    send(&mut s, [key('/')]);
    send(&mut s, "baton-old".chars().map(key));
    send(&mut s, [code(KeyCode::Enter), key('d')]);
    insta::assert_snapshot!("revoke_dialog_plain", text(&render(&s)));
    send(&mut s, [code(KeyCode::Esc), code(KeyCode::Esc)]);
    // okta-baton was used a day ago: typed confirmation.
    send(&mut s, [key('/')]);
    send(&mut s, "okta-baton".chars().map(key));
    send(&mut s, [code(KeyCode::Enter), key('G'), key('d')]);
    // The text to type is okta7f3a: right up to "okta7", wrong from the "x" on.
    send(&mut s, "okta7x".chars().map(key));
    let buf = render(&s);
    insta::assert_snapshot!("revoke_dialog_typed", text(&buf));
    let y = row_of(&buf, "> okta7x");
    let line = text(&buf).lines().nth(y as usize).unwrap().to_string();
    let x = line[..line.find("> okta7x").unwrap()].chars().count() as u16;
    let palette = Theme::default().palette;
    for (i, want) in [palette.ok; 5]
        .into_iter()
        .chain([palette.danger])
        .enumerate()
    {
        assert_eq!(buf[(x + 2 + i as u16, y)].fg, want, "character {i}");
    }
    assert!(text(&buf).contains("✗ does not match"));
    send(&mut s, [code(KeyCode::Backspace)]);
    send(&mut s, "f3a".chars().map(key));
    assert!(text(&render(&s)).contains("> okta7f3a▏  ✓ matches"));
}

#[test]
fn secret_modal_masked() {
    use credboard::api::SecretString;
    use credboard::app::WorkerMsg;
    use credboard::model::Minted;
    let mut s = refreshed_state(options(), 100, 30);
    let mut c = fixtures::Cred {
        key: ("app-okta", "k-okta", "cred-okta-3"),
        name: "okta-baton-2026",
        client_id: "okta9a9a@acme.conductor.one/pcc",
        created_days: Some(0),
        last_used_days: None,
        expires_days: None,
        deleted_days: None,
    }
    .credential();
    c.client_secret = Some(SecretString::new(
        "secret-token:conductorone.com:v1:c2VjcmV0",
    ));
    send(
        &mut s,
        [Msg::Worker(WorkerMsg::Rotated {
            app_id: "app-okta".into(),
            connector_id: "k-okta".into(),
            result: Ok(Minted {
                record_error: None,
                credential: c,
                secret: SecretString::new("secret-token:conductorone.com:v1:c2VjcmV0"),
            }),
        })],
    );
    let shown = text(&render(&s));
    assert!(!shown.contains("c2VjcmV0"), "{shown}");
    insta::assert_snapshot!("secret_masked", shown);
    send(&mut s, [code(KeyCode::Esc)]);
    insta::assert_snapshot!("secret_close_warning", text(&render(&s)));
}

// ---- colours ----

use ratatui::style::{Color, Modifier};

/// The y of the row whose text contains `needle`, and the x of the status column.
fn row_of(buf: &Buffer, needle: &str) -> u16 {
    let t = text(buf);
    t.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not drawn:\n{t}")) as u16
}

fn status_x(s: &State) -> u16 {
    let l = credboard::app::layout::layout(
        ratatui::layout::Rect::new(0, 0, s.width, s.height),
        s.detail,
    );
    l.column(credboard::app::table::Column::Status).unwrap().x
}

#[test]
fn risk_states_are_coloured_and_the_selection_highlighted() {
    let s = refreshed_state(options(), 120, 20);
    let buf = render(&s);
    let x = status_x(&s);
    let fg = |needle: &str| buf[(x, row_of(&buf, needle))].fg;
    assert_eq!(fg("aws-payer "), Color::Red, "expired");
    assert_eq!(fg("github-sync"), Color::Yellow, "expiring");
    assert_eq!(fg("aws-payer-2025"), Color::LightRed, "revoked");
    assert_eq!(fg("github-deleted"), Color::LightRed, "gone");
    assert_eq!(fg("github-unused"), Color::Magenta, "never used");
    assert_eq!(fg("okta-baton-old"), Color::Cyan, "idle");
    assert_eq!(fg("aws-sandbox"), Color::Green, "active");
    // The words are there too: never colour alone.
    assert!(text(&buf).contains("✗ expired"));
    // The first row is selected: its whole line has the selection background.
    let y = row_of(&buf, "aws-payer ");
    for x in 0..s.width {
        assert_eq!(buf[(x, y)].bg, Color::Indexed(237), "x={x}");
    }
    let other = row_of(&buf, "github-sync");
    assert_ne!(buf[(0, other)].bg, Color::Indexed(237));
    // Revoked and connector rows are greyed.
    let revoked = row_of(&buf, "aws-payer-2025");
    assert_eq!(buf[(3, revoked)].fg, Color::DarkGray);
}

#[test]
fn no_color_means_no_colour_anywhere() {
    let mut o = options();
    o.read_only = true;
    let no_color = Theme {
        color: false,
        ..Theme::default()
    };
    let mut s = refreshed_state(o, 160, 40);
    send(&mut s, [code(KeyCode::Enter)]);
    use credboard::app::WorkerMsg;
    send(
        &mut s,
        [Msg::Worker(WorkerMsg::Error(
            credboard::model::Failure::new(credboard::model::FailureKind::Store, "boom"),
        ))],
    );
    let buf = render_in(&s, &no_color);
    for c in buf.content() {
        assert_eq!(c.fg, Color::Reset, "{c:?}");
        assert_eq!(c.bg, Color::Reset, "{c:?}");
    }
    // The selection and the status still show, through modifiers and words.
    let y = row_of(&buf, "aws-payer ");
    assert!(buf[(5, y)].modifier.contains(Modifier::REVERSED));
    assert!(text(&buf).contains("✗ expired"));
    assert!(text(&buf).contains("READ-ONLY"));
    send(&mut s, [key('?')]);
    for c in render_in(&s, &no_color).content() {
        assert_eq!((c.fg, c.bg), (Color::Reset, Color::Reset));
    }
}

// ---- hostile input ----

fn hostile_state(width: u16, height: u16) -> State {
    use credboard::model::KnownCredential;
    use credboard::model::Snapshot as Inventory;
    use credboard::testkit::fixtures::{app, connector, key as ckey};
    let names = [
        "\x1b[31mred\x1b[0m\x1b]0;pwned\x07title",
        "osc8 \x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
        "c0\u{0}\u{7}\u{8}\u{1b}c1\u{85}\u{9b}2J\u{9d}x\u{9c}del\u{7f}",
        "bidi \u{202e}gnp.exe\u{202c} \u{2066}iso\u{2069}",
        "zero\u{200b}width\u{200d}joiner\u{feff}bom",
        "日本語のクレデンシャル名前",
        "emoji 🔑🙂👩‍💻 key",
        "tab\tnew\nline\rcr",
    ];
    let long = "L".repeat(10_000);
    let mut credentials = Vec::new();
    let mut all: Vec<&str> = names.to_vec();
    all.push(&long);
    for (i, n) in all.iter().enumerate() {
        let id = format!("cred-{i:02}");
        let mut c = fixtures::Cred {
            key: ("app-z", "k-z", &id),
            name: n,
            client_id: n,
            created_days: Some(-10),
            last_used_days: Some(-1),
            expires_days: None,
            deleted_days: None,
        }
        .credential();
        c.client_id = Some(format!("{n}@acme"));
        credentials.push(KnownCredential {
            source: credboard::model::Source::Import,
            learned_at: chrono::DateTime::UNIX_EPOCH,
            key: ckey("app-z", "k-z", &id),
            last: Some(c),
            gone: false,
            fetched_at: None,
        });
    }
    let mut k = connector("app-z", "k-z", "conn \x1b[2Jclear\u{202e}rtl");
    k.status.as_mut().unwrap().last_error = Some("\x1b]52;c;ZXZpbA==\x07 clipboard write".into());
    let inv = Inventory {
        apps: vec![app("app-z", "Z-app")],
        connectors: vec![k],
        credentials,
    };
    let mut s = State::new(options(), fixed_now());
    send(
        &mut s,
        [
            Msg::Resize { width, height },
            Msg::Worker(credboard::app::WorkerMsg::Inventory(Ok(inv))),
        ],
    );
    s
}

fn assert_inert(buf: &Buffer) {
    for (i, c) in buf.content().iter().enumerate() {
        for ch in c.symbol().chars() {
            assert!(
                !ch.is_control() && !credboard::text::is_unsafe(ch),
                "cell {i} holds {ch:?}:\n{}",
                text(buf)
            );
        }
    }
}

#[test]
fn hostile_strings_are_drawn_inert_and_aligned() {
    for (w, h) in [(120, 20), (200, 60), (80, 24)] {
        let mut s = hostile_state(w, h);
        // Sort by name so every hostile row is on screen in a known order.
        let buf = render(&s);
        assert_inert(&buf);
        let l = credboard::app::layout::layout(ratatui::layout::Rect::new(0, 0, w, h), s.detail);
        let app = l.column(credboard::app::table::Column::App).unwrap();
        let status = l.column(credboard::app::table::Column::Status).unwrap();
        for y in l.rows.y..l.rows.y + s.table.visible.len() as u16 {
            let at = |x: u16, n: u16| -> String {
                (x..x + n)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect()
            };
            assert_eq!(at(app.x, 5), "Z-app", "row {y} at {w}x{h}:\n{}", text(&buf));
            assert_eq!(
                at(status.x, 8),
                "✓ active",
                "row {y} at {w}x{h}:\n{}",
                text(&buf)
            );
        }
        // The detail pane, the revoke dialog and the error history, with hostile text.
        send(&mut s, [code(KeyCode::Enter)]);
        assert_inert(&render(&s));
        for _ in 0..9 {
            send(&mut s, [key('d')]);
            assert_inert(&render(&s));
            send(&mut s, [code(KeyCode::Esc), key('j')]);
            assert_inert(&render(&s));
        }
        use credboard::app::WorkerMsg;
        send(
            &mut s,
            [
                Msg::Worker(WorkerMsg::Error(credboard::model::Failure::new(
                    credboard::model::FailureKind::Store,
                    "\x1b[31m\u{202e}evil\x1b]0;x\x07",
                ))),
                key('E'),
            ],
        );
        assert_inert(&render(&s));
    }
}

#[test]
fn hostile_snapshot() {
    let s = hostile_state(120, 16);
    insta::assert_snapshot!(text(&render(&s)));
}

// ---- robustness ----

#[test]
fn every_size_and_window_draws_without_panicking() {
    use credboard::api::SecretString;
    use credboard::app::WorkerMsg;
    use credboard::model::Minted;
    type Setup = Box<dyn Fn(&mut State)>;
    let mut setups: Vec<Setup> = vec![
        Box::new(|_| {}),
        Box::new(|s| send(s, [code(KeyCode::Enter)])),
        Box::new(|s| send(s, [key('?')])),
        Box::new(|s| send(s, [key('E')])),
        Box::new(|s| send(s, [key('J')])),
        Box::new(|s| send(s, [key('j'), key('d')])),
        Box::new(|s| {
            send(
                s,
                [key('G'), key('k'), key('k'), key('k'), key('k'), key('d')],
            )
        }),
        Box::new(|s| send(s, [key('R')])),
        Box::new(|s| send(s, [key('a'), key('D')])),
        Box::new(|s| {
            send(
                s,
                [
                    key('a'),
                    key('D'),
                    key('r'),
                    key('e'),
                    key('v'),
                    key('o'),
                    key('k'),
                    key('e'),
                    code(KeyCode::Enter),
                ],
            )
        }),
        Box::new(|s| send(s, [key('/'), key('x')])),
        Box::new(|s| {
            send(
                s,
                [Msg::Worker(WorkerMsg::Rotated {
                    app_id: "app-okta".into(),
                    connector_id: "k-okta".into(),
                    result: Ok(Minted {
                        record_error: None,
                        credential: fixtures::Cred {
                            key: ("app-okta", "k-okta", "cred-n"),
                            name: "n",
                            client_id: "c@x",
                            created_days: Some(0),
                            last_used_days: None,
                            expires_days: None,
                            deleted_days: None,
                        }
                        .credential(),
                        secret: SecretString::new("secret-token:a:b:c"),
                    }),
                })],
            )
        }),
    ];
    setups.push(Box::new(|s| {
        use credboard::app::WorkerMsg;
        send(
            s,
            (0..20).map(|n| {
                Msg::Worker(WorkerMsg::Error(credboard::model::Failure::new(
                    credboard::model::FailureKind::Store,
                    format!("error {n} {}", "x".repeat(n * 37)),
                )))
            }),
        );
    }));
    for setup in &setups {
        for (w, h) in [
            (0, 0),
            (1, 1),
            (2, 5),
            (10, 3),
            (20, 6),
            (39, 10),
            (80, 24),
            (139, 40),
            (140, 12),
            (300, 100),
        ] {
            let mut s = refreshed_state(options(), w, h);
            setup(&mut s);
            let _ = render(&s);
            // And resized after the fact.
            send(
                &mut s,
                [Msg::Resize {
                    width: h,
                    height: w,
                }],
            );
            let _ = render(&s);
        }
    }
}

// ---- more windows ----

fn mark(s: &mut State, names: &[&str]) {
    for n in names {
        send(s, [key('/')]);
        send(s, n.chars().map(key).collect::<Vec<_>>());
        send(
            s,
            [code(KeyCode::Enter), key('g'), key(' '), code(KeyCode::Esc)],
        );
    }
}

#[test]
fn bulk_plan_and_run() {
    use credboard::app::WorkerMsg;
    use credboard::testkit::fixtures::key as ckey;
    let mut s = refreshed_state(options(), 100, 24);
    mark(
        &mut s,
        &[
            "okta-baton-old",
            "github-unused",
            "aws-payer-2025",
            "salesforce",
        ],
    );
    insta::assert_snapshot!("marked_rows", text(&render(&s)));
    send(&mut s, [key('D')]);
    // salesforce was used 3 days ago and is the only credential of its connector: the plan
    // says so, and asks for its own text before the word.
    send(&mut s, "sf5e".chars().map(key).collect::<Vec<_>>());
    let plan = text(&render(&s));
    insta::assert_snapshot!("bulk_plan", plan);
    for reason in ["used 3d ago", "last live credential of Salesforce prod"] {
        assert!(plan.contains(reason), "{reason:?} is not shown:\n{plan}");
    }
    send(&mut s, "5e".chars().map(key).collect::<Vec<_>>());
    send(&mut s, [code(KeyCode::Enter)]);
    let plan = text(&render(&s));
    for line in [
        "REVOKE ✓ salesforce",
        "Every risky one confirmed. Type \"revoke\"",
    ] {
        assert!(plan.contains(line), "{line:?} is not shown:\n{plan}");
    }
    send(&mut s, "revoke".chars().map(key).collect::<Vec<_>>());
    send(&mut s, [code(KeyCode::Enter)]);
    send(
        &mut s,
        [
            Msg::Worker(WorkerMsg::Revoked {
                key: ckey("app-okta", "k-okta", "cred-okta-2"),
                result: Ok(RevokeResult {
                    revocation: Revocation::Revoked,
                    fresh: None,
                    unrecorded: None,
                }),
            }),
            Msg::Worker(WorkerMsg::Revoked {
                key: ckey("app-gh", "k-gh", "cred-gh-2"),
                result: Err(credboard::model::Failure::new(
                    credboard::model::FailureKind::Server,
                    "503 Service Unavailable",
                )),
            }),
        ],
    );
    insta::assert_snapshot!("bulk_running", text(&render(&s)));
    send(
        &mut s,
        [Msg::Worker(WorkerMsg::Revoked {
            key: ckey("app-sf", "k-sf", "cred-sf-1"),
            result: Ok(RevokeResult {
                revocation: Revocation::AlreadyRevoked,
                fresh: None,
                unrecorded: None,
            }),
        })],
    );
    insta::assert_snapshot!("bulk_done", text(&render(&s)));
}

#[test]
fn rotate_dialog_and_journal() {
    use credboard::app::{JournalLine, WorkerMsg};
    let mut s = refreshed_state(options(), 100, 24);
    send(&mut s, [key('G'), key('R')]);
    insta::assert_snapshot!("rotate_dialog", text(&render(&s)));
    send(&mut s, [code(KeyCode::Esc), key('J')]);
    insta::assert_snapshot!("journal_loading", text(&render(&s)));
    let line = |mins: i64, action: &str, id: &str, outcome: &str| JournalLine {
        at: fixed_now() - chrono::Duration::minutes(mins),
        profile: "default".into(),
        actor: "alice@acme.example".into(),
        action: action.into(),
        app_id: "app-okta".into(),
        connector_id: "k-okta".into(),
        credential_id: id.into(),
        outcome: outcome.into(),
    };
    send(
        &mut s,
        [Msg::Worker(WorkerMsg::Journal(Ok(vec![
            line(90, "revoke", "cred-okta-0", "ok"),
            line(30, "rotate", "cred-okta-1", "ok"),
            line(
                5,
                "revoke",
                "cred-okta-2",
                "failed: 503 Service Unavailable",
            ),
            line(4, "revoke", "cred-okta-2", "already gone"),
        ])))],
    );
    insta::assert_snapshot!("journal", text(&render(&s)));
}

#[test]
fn read_only_at_80_columns_with_a_toast() {
    let mut o = options();
    o.read_only = true;
    let mut s = refreshed_state(o, 80, 24);
    send(&mut s, [key('d')]);
    insta::assert_snapshot!(text(&render(&s)));
}

#[test]
fn first_refresh_progress_says_the_rows_are_cached() {
    use credboard::app::WorkerMsg;
    let mut s = loaded_state(options(), 100, 6);
    let g = s.refresh.running.unwrap();
    send(
        &mut s,
        [
            Msg::Worker(WorkerMsg::RefreshStarted {
                generation: g,
                credentials: 1000,
            }),
            Msg::Tick(fixed_now() + chrono::Duration::seconds(1)),
        ],
    );
    for _ in 0..412 {
        send(
            &mut s,
            [Msg::Worker(WorkerMsg::Credential {
                generation: Some(g),
                key: fixtures::key("app-okta", "k-okta", "cred-okta-1"),
                fetched: credboard::app::Fetched::Gone,
                at: fixed_now(),
            })],
        );
    }
    insta::assert_snapshot!(text(&render(&s)));
}

/// Hostile text in every place the server or a file can put it (app, connector and
/// credential names, ids, client ids, sync errors, error messages, the journal, a new
/// credential and its secret) and every window that shows it: the buffer never holds a
/// control or escape character, and the columns stay put.
#[test]
fn hostile_strings_in_every_window_are_drawn_inert() {
    use credboard::api::SecretString;
    use credboard::app::dialogs::Modal;
    use credboard::app::table::Column;
    use credboard::app::{JournalLine, WorkerMsg};
    use credboard::model::KnownCredential;
    use credboard::model::{Minted, Snapshot as Inventory};
    use credboard::testkit::fixtures::{app, connector, key as ckey};
    let long = "W".repeat(10_000);
    let hostile: Vec<String> = [
        "\x1b[31mred\x1b[0m\x1b]0;pwned\x07",
        "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
        "c0\u{0}\u{7}\u{8}c1\u{85}\u{9b}2J\u{9d}0;t\u{9c}\u{7f}",
        "\u{202e}gnp.exe\u{202c}\u{2066}x\u{2069}\u{200f}",
        "pr\u{200b}od\u{200d}\u{feff}\u{2060}\u{e0041}",
        "日本語のクレデンシャル名前とても長い",
        "🔑🙂👩‍💻\u{fe0f}",
        "tab\tnl\ncr\r",
        long.as_str(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut apps = Vec::new();
    let mut connectors = Vec::new();
    let mut credentials = Vec::new();
    for (i, h) in hostile.iter().enumerate() {
        let (a, k) = (format!("app{i}\x1b[2J"), format!("k{i}\u{202e}"));
        apps.push(app(&a, h));
        let mut c = connector(&a, &k, h);
        c.status.as_mut().unwrap().last_error = Some(format!("\x1b]52;c;ZXZpbA==\x07{h}"));
        connectors.push(c);
        for j in 0..2 {
            let id = format!("c{i}-{j}\x1b[0m{}", h.chars().take(6).collect::<String>());
            let mut cred = fixtures::Cred {
                key: (&a, &k, &id),
                name: h,
                client_id: h,
                created_days: Some(-30),
                last_used_days: Some(-20),
                expires_days: None,
                deleted_days: None,
            }
            .credential();
            cred.client_id = Some(format!("{h}@acme\x1b[8m/pcc"));
            credentials.push(KnownCredential {
                source: credboard::model::Source::Import,
                learned_at: chrono::DateTime::UNIX_EPOCH,
                key: ckey(&a, &k, &id),
                last: Some(cred),
                gone: false,
                fetched_at: None,
            });
        }
    }
    for (w, h) in [(80, 24), (120, 30), (200, 60)] {
        let mut s = State::new(options(), fixed_now());
        send(
            &mut s,
            [
                Msg::Resize {
                    width: w,
                    height: h,
                },
                Msg::Worker(credboard::app::WorkerMsg::Inventory(Ok(Inventory {
                    apps: apps.clone(),
                    connectors: connectors.clone(),
                    credentials: credentials.clone(),
                }))),
            ],
        );
        let buf = render(&s);
        assert_inert(&buf);
        // Every row's last-used and status cells sit where the header says.
        let l = credboard::app::layout::layout(ratatui::layout::Rect::new(0, 0, w, h), s.detail);
        let status = l.column(Column::Status).unwrap();
        let shown = (s.table.visible.len() as u16).min(l.rows.height);
        assert!(shown >= 3, "{}", text(&buf));
        for y in l.rows.y..l.rows.y + shown {
            let at = |x: u16, n: u16| -> String {
                (x..x + n)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect()
            };
            assert_eq!(
                at(status.x, 8),
                "✓ active",
                "row {y} at {w}x{h}:\n{}",
                text(&buf)
            );
            if let Some(used) = l.column(Column::LastUsed) {
                assert_eq!(
                    at(used.x, 7),
                    "20d ago",
                    "row {y} at {w}x{h}:\n{}",
                    text(&buf)
                );
            }
        }
        // The detail pane of every row.
        send(&mut s, [code(KeyCode::Enter)]);
        for _ in 0..hostile.len() * 2 {
            assert_inert(&render(&s));
            send(&mut s, [key('j')]);
        }
        send(&mut s, [code(KeyCode::Enter), key('g')]);
        // The rotate dialog, the bulk plan and run with hostile failures, the journal.
        send(&mut s, [key('R')]);
        assert!(s.modal.is_some(), "the rotate dialog is open");
        assert_inert(&render(&s));
        send(&mut s, [code(KeyCode::Esc), key('a'), key('D')]);
        assert!(s.modal.is_some(), "the bulk plan is open");
        assert_inert(&render(&s));
        // Each connector's two credentials are all it has: every target is risky and is
        // confirmed with its own text (as drawn, for the untypeable ones), then the word.
        let mut fx = Vec::new();
        loop {
            let Some(Modal::BulkPlan(p)) = s.modal.as_ref() else {
                panic!("the plan closed")
            };
            let (step, expected) = p.expected();
            let expected = expected.to_string();
            fx.extend(
                expected
                    .chars()
                    .map(key)
                    .chain([code(KeyCode::Enter)])
                    .flat_map(|m| update(&mut s, m)),
            );
            if step.is_none() {
                break;
            }
            assert_inert(&render(&s));
        }
        assert!(!fx.is_empty(), "the bulk revoke started");
        for (n, c) in credentials.iter().enumerate() {
            let result = if n % 2 == 0 {
                Err(credboard::model::Failure::new(
                    credboard::model::FailureKind::Server,
                    format!(
                        "revoke credential {}: \x1b[2J\u{202e}boom",
                        c.key.credential_id
                    ),
                ))
            } else {
                Ok(credboard::model::RevokeResult {
                    revocation: if n % 3 == 0 {
                        credboard::model::Revocation::AlreadyRevoked
                    } else {
                        credboard::model::Revocation::Revoked
                    },
                    fresh: None,
                    unrecorded: None,
                })
            };
            send(
                &mut s,
                [Msg::Worker(WorkerMsg::Revoked {
                    key: c.key.clone(),
                    result,
                })],
            );
            assert_inert(&render(&s));
        }
        send(&mut s, [code(KeyCode::Esc), key('J')]);
        let lines = credentials
            .iter()
            .map(|c| JournalLine {
                at: fixed_now(),
                profile: "p\x1b[1m".into(),
                actor: c.last.as_ref().unwrap().client_id.clone().unwrap(),
                action: "revoke".into(),
                app_id: c.key.app_id.clone(),
                connector_id: c.key.connector_id.clone(),
                credential_id: c.key.credential_id.clone(),
                outcome: "failed: \x1b]0;x\x07\u{9b}31m".into(),
            })
            .collect();
        send(&mut s, [Msg::Worker(WorkerMsg::Journal(Ok(lines)))]);
        assert!(s.modal.is_some(), "the journal is open");
        assert_inert(&render(&s));
        send(&mut s, [code(KeyCode::Esc), key('E')]);
        assert_inert(&render(&s));
        send(&mut s, [code(KeyCode::Esc)]);
        // A new credential with hostile fields and a hostile secret, masked and revealed.
        let c = &credentials[0];
        let mut minted = c.last.clone().unwrap();
        minted.id = Some(format!("new\x1b[2J{}", hostile[3]));
        send(
            &mut s,
            [Msg::Worker(WorkerMsg::Rotated {
                app_id: c.key.app_id.clone(),
                connector_id: c.key.connector_id.clone(),
                result: Ok(Minted {
                    record_error: None,
                    credential: minted,
                    secret: SecretString::new("secret-token:x:v1:\x1b]52;c;ZXZpbA==\x07\u{202e}"),
                }),
            })],
        );
        assert_eq!(s.secrets.len(), 1, "the secret window is open");
        assert_inert(&render(&s));
        send(&mut s, [key('v')]);
        assert_inert(&render(&s));
        // A filter typed in CJK.
        send(
            &mut s,
            [
                code(KeyCode::Esc),
                code(KeyCode::Esc),
                key('/'),
                key('日'),
                key('本'),
            ],
        );
        assert_inert(&render(&s));
    }
}

// ---- toasts ----

#[test]
fn a_refusal_is_never_marked_as_a_success() {
    let mut o = options();
    o.read_only = true;
    let mut s = refreshed_state(o, 120, 20);
    send(&mut s, [key('d')]);
    let screen = text(&render(&s));
    let line = screen
        .lines()
        .find(|l| l.contains("read-only: revoke is disabled"))
        .unwrap_or_else(|| panic!("the refusal is not drawn:\n{screen}"));
    assert!(!line.contains('✓'), "{line}");
}

/// The table: its title line and every row line.
fn table_area(s: &State, buf: &Buffer) -> Vec<String> {
    let l = credboard::app::layout::layout(
        ratatui::layout::Rect::new(0, 0, s.width, s.height),
        s.detail,
    );
    (l.table_header.y..l.rows.y + l.rows.height)
        .map(|y| {
            (0..s.width)
                .map(|x| format!("{}{:?}", buf[(x, y)].symbol(), buf[(x, y)].style()))
                .collect()
        })
        .collect()
}

#[test]
fn a_toast_never_covers_the_rows() {
    use credboard::app::WorkerMsg;
    for (w, h) in [(120, 20), (80, 24), (200, 14)] {
        let mut s = refreshed_state(options(), w, h);
        let before = table_area(&s, &render(&s));
        // An error, and a note that a refresh will follow the one running.
        send(
            &mut s,
            [
                Msg::Worker(WorkerMsg::Error(credboard::model::Failure::new(
                    credboard::model::FailureKind::Store,
                    "the inventory could not be written: disk full",
                ))),
                key('r'),
                key('r'),
            ],
        );
        assert_eq!(s.toasts.len(), 2);
        let buf = render(&s);
        assert_eq!(
            table_area(&s, &buf),
            before,
            "a toast covered the table at {w}x{h}:\n{}",
            text(&buf)
        );
        let screen = text(&buf);
        assert!(screen.contains("another will follow it"), "{screen}");
    }
}

#[test]
fn a_long_error_toast_points_to_the_history_which_shows_it_whole() {
    use credboard::app::WorkerMsg;
    let mut s = refreshed_state(options(), 120, 30);
    // 500 characters of numbered words, each to be found again.
    let words: Vec<String> = (0..100).map(|n| format!("w{n:03}")).collect();
    let message = words.join(" ");
    assert!(message.len() >= 499);
    send(
        &mut s,
        [Msg::Worker(WorkerMsg::Error(
            credboard::model::Failure::new(credboard::model::FailureKind::Store, message),
        ))],
    );
    let screen = text(&render(&s));
    assert!(
        screen.contains("(E for the whole message)"),
        "the toast says where the rest is:\n{screen}"
    );
    send(&mut s, [key('E')]);
    let history = text(&render(&s));
    for w in &words {
        assert!(history.contains(w.as_str()), "{w} is not shown:\n{history}");
    }
}

// ---- freshness ----

/// After the first refresh (which ended 12 s before `now`): a second one in which the Gets
/// of the credentials named in `failing` fail (every credential, for `None`) and, with
/// `listing_fails`, the app listing too; drawn 5 s after it ended.
fn after_a_second_refresh(failing: Option<&[&str]>, listing_fails: bool) -> State {
    use credboard::app::{Fetched, WorkerMsg};
    let mut s = refreshed_state(options(), 140, 24);
    send(&mut s, [key('r')]);
    let generation = s.refresh.running.expect("r started a refresh");
    let credentials = fixtures::sample_inventory().credentials;
    send(
        &mut s,
        [Msg::Worker(WorkerMsg::RefreshStarted {
            generation,
            credentials: credentials.len(),
        })],
    );
    for c in credentials {
        let fails = failing.is_none_or(|ids| ids.contains(&c.key.credential_id.as_str()));
        let fetched = match (fails, c.last) {
            (true, _) => Fetched::Failed(credboard::model::Failure::new(
                credboard::model::FailureKind::Server,
                "get an access token: gave up after 3 tries over 1.0s: could not connect to the \
                 server",
            )),
            (false, Some(last)) => Fetched::Found(last),
            (false, None) => Fetched::Gone,
        };
        send(
            &mut s,
            [Msg::Worker(WorkerMsg::Credential {
                generation: Some(generation),
                key: c.key,
                fetched,
                at: fixed_now(),
            })],
        );
    }
    if listing_fails {
        send(
            &mut s,
            [Msg::Worker(WorkerMsg::RefreshError {
                generation,
                error: credboard::model::Failure::new(
                    credboard::model::FailureKind::Server,
                    "list apps: could not connect to the server",
                ),
            })],
        );
    }
    send(
        &mut s,
        [
            Msg::Worker(WorkerMsg::RefreshDone {
                generation,
                at: fixed_now(),
            }),
            Msg::Tick(fixed_now() + chrono::Duration::seconds(5)),
        ],
    );
    s
}

/// The header's first line, and the mark column of each credential row by name.
fn freshness(s: &State) -> (String, Vec<(String, String)>) {
    let buf = render(s);
    let screen = text(&buf);
    let header = screen.lines().next().unwrap().to_string();
    let l = credboard::app::layout::layout(
        ratatui::layout::Rect::new(0, 0, s.width, s.height),
        s.detail,
    );
    let name = l.column(credboard::app::table::Column::Name).unwrap();
    let rows = (l.rows.y..l.rows.y + l.rows.height)
        .map(|y| {
            let cells =
                |x: u16, n: u16| -> String { (x..x + n).map(|x| buf[(x, y)].symbol()).collect() };
            (cells(name.x, name.width).trim().to_string(), cells(0, 1))
        })
        .filter(|(name, _)| !name.is_empty() && !name.starts_with('('))
        .collect();
    (header, rows)
}

#[test]
fn a_refresh_whose_calls_all_failed_says_so_and_how_old_the_data_is() {
    let mut s = after_a_second_refresh(None, true);
    let (header, rows) = freshness(&s);
    assert!(header.contains("refresh failed 5s ago"), "{header}");
    assert!(header.contains("data from 11:59 UTC"), "{header}");
    assert!(!header.contains("refreshed"), "{header}");
    assert_eq!(rows.len(), 10, "{rows:?}");
    for (name, mark) in &rows {
        assert_eq!(mark, "!", "{name} is marked as not fetched");
    }
    send(&mut s, [code(KeyCode::Enter)]);
    let screen = text(&render(&s));
    assert!(
        screen.contains("Not fetched by the last refresh: get an access"),
        "{screen}"
    );
}

#[test]
fn a_partly_failed_refresh_says_how_much_is_current() {
    let s = after_a_second_refresh(Some(&["cred-okta-1", "cred-gh-1", "cred-aws-3"]), false);
    let (header, rows) = freshness(&s);
    assert!(header.contains("7 of 10 current"), "{header}");
    assert!(!header.starts_with("refreshed"), "{header}");
    for (name, mark) in &rows {
        let failed = ["okta-baton", "github-sync", "aws-sandbox"].contains(&name.as_str());
        assert_eq!(mark == "!", failed, "{name}: {mark:?}");
    }
}

#[test]
fn a_refresh_that_worked_says_refreshed() {
    let s = after_a_second_refresh(Some(&[]), false);
    let (header, rows) = freshness(&s);
    assert!(header.ends_with("refreshed 5s ago"), "{header}");
    assert!(rows.iter().all(|(_, mark)| mark == " "), "{rows:?}");
}

// ---- gone ----

/// The detail pane's lines (the right part of the screen at 200 columns), trimmed.
fn detail_pane(buf: &Buffer) -> Vec<String> {
    let t = text(buf);
    t.lines()
        .filter_map(|l| {
            let start = l.char_indices().find(|(_, c)| *c == '│').map(|(i, _)| i)?;
            Some(
                l[start..]
                    .trim_matches(|c| c == '│' || c == ' ')
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn a_gone_credential_shows_what_is_known_and_unknown_where_nothing_is() {
    use credboard::app::{Fetched, WorkerMsg};
    let mut s = refreshed_state(options(), 200, 40);
    // Tracked, never fetched, and now the server does not know it: nothing is known.
    send(
        &mut s,
        [Msg::Worker(WorkerMsg::Credential {
            generation: None,
            key: fixtures::key("app-okta", "k-okta", "cred-okta-new"),
            fetched: Fetched::Gone,
            at: fixed_now(),
        })],
    );
    send(&mut s, [key('/')]);
    send(&mut s, "cred-okta-new".chars().map(key));
    send(&mut s, [code(KeyCode::Enter), code(KeyCode::Enter)]);
    let buf = render(&s);
    let screen = text(&buf);
    let row = screen
        .lines()
        .find(|l| l.contains("cred-okta-new") && l.contains("gone"))
        .unwrap_or_else(|| panic!("no gone row:\n{screen}"));
    assert!(!row.contains("never"), "{row}");
    assert!(row.contains("unknown"), "{row}");
    let pane = detail_pane(&buf);
    for label in ["Last used", "Expires", "Created"] {
        let line = pane
            .iter()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("no {label} line: {pane:#?}"));
        assert!(line.ends_with("unknown"), "{line}");
    }
    let pane = pane.join("\n");
    for invented in ["never", "no expiry"] {
        assert!(!pane.contains(invented), "{invented:?} in\n{pane}");
    }
    // The counts do not call the gone credentials revoked: one is, two are gone.
    let counts = screen.lines().nth(1).unwrap();
    assert!(
        counts.contains("1 revoked") && counts.contains("2 gone"),
        "{counts}"
    );
    // A gone credential with a last known state shows it, and says it is the last known.
    send(&mut s, [code(KeyCode::Esc), key('/')]);
    send(&mut s, "github-deleted".chars().map(key));
    send(&mut s, [code(KeyCode::Enter)]);
    let pane = detail_pane(&render(&s)).join("\n");
    assert!(pane.contains("300d ago"), "{pane}");
    assert!(pane.contains("last known"), "{pane}");
}

//! Snapshots of the drawn dashboard at fixed sizes and a fixed `now`. States are built
//! through `update` with synthetic messages, as the runtime would.

use credboard::app::fixtures::{self, fixed_now, loaded_state, options, refreshed_state};
use credboard::app::{Msg, State, update};
use credboard::tui::ui::draw;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

fn render(state: &State) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(state.width, state.height)).unwrap();
    t.draw(|f| draw(f, state)).unwrap();
    t.backend().buffer().clone()
}

/// The buffer as text, one line per row, wide characters counted once.
fn text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut skip = 0;
        let mut line = String::new();
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

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
            Msg::Worker(WorkerMsg::Error(
                "the inventory could not be written: disk full".into(),
            )),
            Msg::Worker(WorkerMsg::Error(format!(
                "listing connectors of app-okta: 503 Service Unavailable: {}",
                "upstream connect error or disconnect/reset before headers. ".repeat(4)
            ))),
            key('E'),
        ],
    );
    insta::assert_snapshot!(text(&render(&s)));
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
    send(&mut s, [code(KeyCode::Enter), key('G'), key('d'), key('x')]);
    insta::assert_snapshot!("revoke_dialog_typed", text(&render(&s)));
}

#[test]
fn secret_modal_masked() {
    use credboard::api::SecretString;
    use credboard::app::{NewCredential, WorkerMsg};
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
            result: Ok(NewCredential {
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

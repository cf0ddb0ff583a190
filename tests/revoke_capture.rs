//! Property: whatever happens while a revoke dialog is open (refresh results, new and
//! renamed data, re-sorts and filters attempted, clicks, resizes, ticks), the Revoke effect
//! carries exactly the ids captured when the dialog opened, which are the selected row's.

use chrono::Duration;
use credboard::api::ConnectorCredential;
use credboard::app::dialogs::Modal;
use credboard::app::{Effect, Fetched, Msg, State, WorkerMsg};
use credboard::model::CredentialKey;
use credboard::testkit::checks::update;
use credboard::testkit::fixtures::{self, fixed_now, synthetic_inventory};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use proptest::prelude::*;

const N: usize = 60;

#[derive(Debug, Clone)]
enum Op {
    Char(char),
    Key(KeyCode),
    Found {
        idx: usize,
        name: u8,
        used_days: i64,
        deleted: bool,
    },
    Gone(usize),
    Failed(usize),
    NewCredential {
        n: u32,
        connector: usize,
    },
    RenameApp {
        idx: usize,
        name: u8,
    },
    NewConnector {
        app: usize,
        n: u32,
    },
    RefreshDone,
    RefreshDue,
    Tick(i64),
    Click {
        x: u16,
        y: u16,
    },
    Wheel(bool),
    Resize {
        w: u16,
        h: u16,
    },
}

fn worker_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (
            0..N,
            any::<u8>(),
            prop_oneof![-6i64..0, -400i64..0],
            prop::bool::weighted(0.2)
        )
            .prop_map(|(idx, name, used_days, deleted)| Op::Found {
                idx,
                name,
                used_days,
                deleted
            }),
        (0..N).prop_map(Op::Gone),
        (0..N).prop_map(Op::Failed),
        (any::<u32>(), 0..N / 3).prop_map(|(n, connector)| Op::NewCredential { n, connector }),
        (0..N / 6, any::<u8>()).prop_map(|(idx, name)| Op::RenameApp { idx, name }),
        (0..N / 6, any::<u32>()).prop_map(|(app, n)| Op::NewConnector { app, n }),
        Just(Op::RefreshDone),
        Just(Op::RefreshDue),
        (1i64..100_000).prop_map(Op::Tick),
        (0u16..200, 0u16..60).prop_map(|(x, y)| Op::Click { x, y }),
        any::<bool>().prop_map(Op::Wheel),
        (20u16..220, 5u16..70).prop_map(|(w, h)| Op::Resize { w, h }),
    ]
}

/// Anything, before the dialog opens: list keys that sort, filter, change views, mark.
fn before_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => prop::sample::select(vec!['j', 'k', 'g', 'G', 's', 'S', '/', 'a', 'o', 'k', '1', '-', ' ', 'e'])
            .prop_map(Op::Char),
        1 => prop::sample::select(vec![
            KeyCode::Tab, KeyCode::BackTab, KeyCode::Enter, KeyCode::Esc,
            KeyCode::Backspace, KeyCode::PageDown, KeyCode::Down,
        ])
        .prop_map(Op::Key),
        6 => worker_op(),
    ]
}

/// While the dialog is open: data arrives, and the user presses keys that would sort,
/// filter or move in the list (never the confirm or cancel keys).
fn during_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => prop::sample::select(vec!['j', 'k', 'g', 'G', 's', 'S', '/', 'a', 'd', 'r', ' ', 'D', 'R', '?'])
            .prop_map(Op::Char),
        1 => prop::sample::select(vec![
            KeyCode::Tab, KeyCode::BackTab, KeyCode::Backspace, KeyCode::PageDown, KeyCode::Down,
        ])
        .prop_map(Op::Key),
        4 => worker_op(),
    ]
}

fn credential(s: &State, idx: usize) -> (CredentialKey, ConnectorCredential) {
    let inv = synthetic_inventory(N, 7);
    let k = inv.credentials[idx].key.clone();
    let c = s
        .inventory
        .get(&k)
        .and_then(|e| e.last.clone())
        .unwrap_or_else(|| inv.credentials[idx].last.clone().unwrap());
    (k, c)
}

fn apply(s: &mut State, op: &Op) -> Vec<Effect> {
    let g = s.refresh.running;
    let msg = match op.clone() {
        Op::Char(c) => Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        Op::Key(k) => Msg::Key(KeyEvent::new(k, KeyModifiers::NONE)),
        Op::Found {
            idx,
            name,
            used_days,
            deleted,
        } => {
            let (key, mut c) = credential(s, idx);
            c.display_name = Some(format!("name {name}"));
            c.last_used_at = Some(fixed_now() + Duration::days(used_days));
            if deleted {
                c.deleted_at = Some(fixed_now());
            }
            Msg::Worker(WorkerMsg::Credential {
                generation: g,
                key,
                fetched: Fetched::Found(c),
                at: s.now,
            })
        }
        Op::Gone(idx) => Msg::Worker(WorkerMsg::Credential {
            generation: g,
            key: credential(s, idx).0,
            fetched: Fetched::Gone,
            at: s.now,
        }),
        Op::Failed(idx) => Msg::Worker(WorkerMsg::Credential {
            generation: g,
            key: credential(s, idx).0,
            fetched: Fetched::Failed(credboard::model::Failure::new(
                credboard::model::FailureKind::Server,
                "503",
            )),
            at: s.now,
        }),
        Op::NewCredential { n, connector } => {
            let inv = synthetic_inventory(N, 7);
            let k = &inv.connectors[connector];
            let key = CredentialKey {
                app_id: k.app_id.clone().unwrap(),
                connector_id: k.id.clone().unwrap(),
                credential_id: format!("new-{n}"),
            };
            let c = ConnectorCredential {
                id: Some(key.credential_id.clone()),
                app_id: Some(key.app_id.clone()),
                connector_id: Some(key.connector_id.clone()),
                display_name: Some(format!("aaa new {n}")),
                ..ConnectorCredential::default()
            };
            Msg::Worker(WorkerMsg::Credential {
                generation: None,
                key,
                fetched: Fetched::Found(c),
                at: s.now,
            })
        }
        Op::RenameApp { idx, name } => Msg::Worker(WorkerMsg::Apps {
            generation: g.unwrap_or(0),
            apps: vec![fixtures::app(
                &format!("app-{idx:06}"),
                &format!("renamed {name}"),
            )],
        }),
        Op::NewConnector { app, n } => {
            let app_id = format!("app-{app:06}");
            Msg::Worker(WorkerMsg::Connectors {
                generation: g.unwrap_or(0),
                connectors: vec![fixtures::connector(
                    &app_id,
                    &format!("new-conn-{n}"),
                    "a new one",
                )],
                app_id,
            })
        }
        Op::RefreshDone => match g {
            Some(generation) => Msg::Worker(WorkerMsg::RefreshDone {
                generation,
                at: s.now,
            }),
            None => Msg::RefreshDue,
        },
        Op::RefreshDue => Msg::RefreshDue,
        Op::Tick(secs) => Msg::Tick(s.now + Duration::seconds(secs)),
        Op::Click { x, y } => Msg::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: x,
            row: y,
            modifiers: KeyModifiers::NONE,
        }),
        Op::Wheel(down) => Msg::Mouse(MouseEvent {
            kind: if down {
                MouseEventKind::ScrollDown
            } else {
                MouseEventKind::ScrollUp
            },
            column: 3,
            row: 5,
            modifiers: KeyModifiers::NONE,
        }),
        Op::Resize { w, h } => Msg::Resize {
            width: w,
            height: h,
        },
    };
    update(s, msg)
}

fn press(s: &mut State, code: KeyCode) -> Vec<Effect> {
    update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn the_revoke_effect_always_carries_the_captured_ids(
        before in prop::collection::vec(before_op(), 0..40),
        pick in 0usize..N,
        during in prop::collection::vec(during_op(), 0..60),
        typed in any::<bool>(),
    ) {
        let mut options = fixtures::options();
        if typed {
            // Every used credential counts as recently used: the typed confirmation path.
            options.recent_use_days = 100_000;
        }
        let mut s = State::new(options, fixed_now());
        update(&mut s, Msg::Resize { width: 120, height: 30 });
        update(&mut s, Msg::Worker(credboard::app::WorkerMsg::Inventory(Ok(synthetic_inventory(N, 7)))));
        for op in &before {
            apply(&mut s, op);
        }
        // Back to the list, then select a row and press d.
        while s.modal.is_some() || !s.secrets.is_empty() {
            press(&mut s, KeyCode::Esc);
        }
        if s.table.filter_editing {
            press(&mut s, KeyCode::Enter);
        }
        press(&mut s, KeyCode::Char('g'));
        for _ in 0..pick {
            press(&mut s, KeyCode::Char('j'));
        }
        let selected = s.selected_entry().map(|e| e.key.clone());
        press(&mut s, KeyCode::Char('d'));
        let Some(Modal::Revoke(d)) = s.modal.as_ref() else {
            // Nothing revocable there (connector row, revoked, gone): no dialog, fine.
            return Ok(());
        };
        let captured = d.key.clone();
        prop_assert_eq!(Some(&captured), selected.as_ref());
        let mut effects = Vec::new();
        for op in &during {
            effects.extend(apply(&mut s, op));
            prop_assert!(matches!(s.modal, Some(Modal::Revoke(_))), "the dialog closed by itself");
        }
        prop_assert!(!effects.iter().any(|e| matches!(e, Effect::Revoke { .. })), "revoked without confirmation");
        // Confirm.
        let Some(Modal::Revoke(d)) = s.modal.as_ref() else { unreachable!() };
        prop_assert_eq!(&d.key, &captured);
        let fx = match d.typed.as_ref() {
            Some(t) => {
                let expected = t.expected.clone();
                for _ in 0..80 {
                    press(&mut s, KeyCode::Backspace);
                }
                for c in expected.chars() {
                    press(&mut s, KeyCode::Char(c));
                }
                press(&mut s, KeyCode::Enter)
            }
            None => press(&mut s, KeyCode::Char('y')),
        };
        let revokes: Vec<&CredentialKey> = fx
            .iter()
            .filter_map(|e| match e { Effect::Revoke { key } => Some(key), _ => None })
            .collect();
        prop_assert_eq!(revokes, vec![&captured]);
    }
}

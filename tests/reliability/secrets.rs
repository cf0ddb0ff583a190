//! Secrets stay in memory: a whole dashboard session that authenticates, rotates, copies,
//! re-authenticates and fails on purpose leaves neither the client secret nor the new
//! secret in the log file, the inventory (database, WAL and SHM), the journal, stdout or
//! stderr. Debug output of every type that holds one is redacted, and the holders zeroize.
//!
//! tracing's global subscriber can be set once per process, so the session runs in a child
//! process: this test binary, run again with `CREDBOARD_RELIABILITY_CHILD=secrets`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use credboard::api::client::Rotated;
use credboard::api::model::CredentialReply;
use credboard::api::{ClientOptions, ClientSecret, ConnectorCredential, SecretString};
use credboard::app::{Effect, Msg, Options, State, WorkerMsg};
use credboard::demo::{
    DemoOptions, DemoServer, FaultKind, FaultRule, Faults, RouteFilter, RouteKind,
};
use credboard::model::Minted;
use credboard::testkit::checks::update;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::harness::{Seen, Session, SessionOptions, real_errors};

pub const CHILD: &str = "CREDBOARD_RELIABILITY_CHILD";
const CHILD_DIR: &str = "CREDBOARD_RELIABILITY_DIR";

/// In a child run for `role`, its directory; `None` in a normal test run.
pub fn child(role: &str) -> Option<PathBuf> {
    (std::env::var(CHILD).ok()? == role).then(|| PathBuf::from(std::env::var(CHILD_DIR).unwrap()))
}

/// This test binary, to run one test as a child process in `dir`.
pub fn child_command(test: &str, role: &str, dir: &Path) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CHILD, role)
        .env(CHILD_DIR, dir);
    cmd
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> String {
    let bytes: Vec<u8> = (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect();
    String::from_utf8(bytes).unwrap()
}

fn only(route: RouteKind, kind: FaultKind) -> Faults {
    Faults::none().with(FaultRule::new(kind).routes(RouteFilter::Only(route)))
}

/// The child: a dashboard session with logging to a file at trace level.
#[test]
fn child_dashboard_session() {
    let Some(dir) = child("secrets") else { return };
    let guard = credboard::logging::to_file(&dir).expect("the log file");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let server = DemoServer::start(DemoOptions::default()).await.unwrap();
        // Hex, so that the secret itself never reaches this process's output.
        println!("CLIENT-SECRET {}", hex(server.client_secret().expose()));
        let data = dir.join("data");
        // New secrets as the worker hands them to the dashboard, for the searches below.
        let minted = Arc::new(Mutex::new(Vec::new()));
        let tapped = minted.clone();
        let mut d = Session::on(
            server,
            SessionOptions {
                data_dir: Some(data.clone()),
                tap: Some(Box::new(move |msg| {
                    if let WorkerMsg::Rotated { result: Ok(n), .. } = msg {
                        tapped.lock().unwrap().push(n.secret.expose().to_string());
                    }
                })),
                ..Default::default()
            },
        )
        .await;
        d.refreshed(1).await;
        d.settle().await;

        // Rotate the selected row's connector; reveal, copy and close the secret.
        d.press("R");
        d.press("y");
        let rotated = d
            .wait_for("the rotate", |s| matches!(s, Seen::Rotated(_)))
            .await;
        assert!(matches!(rotated, Seen::Rotated(Ok(_))), "{rotated:?}");
        d.settle().await;
        d.press("v");
        d.press("c");
        d.see("sent to the terminal's clipboard").await;
        d.press("esc");
        d.press("esc");
        let new_secret = minted.lock().unwrap()[0].clone();
        println!("NEW-SECRET {}", hex(&new_secret));
        // Compared, never printed.
        assert!(
            d.copied() == [new_secret.clone()],
            "the copy key did not copy the new secret"
        );

        // The token expires: authenticate again.
        d.server().expire_tokens();
        d.press("r");
        d.refreshed(2).await;

        // Fail on purpose: a rotate the server refuses, a revoke that keeps failing, and
        // credentials the token endpoint refuses.
        // The first rotate started a rotation of that connector, and a second one is refused
        // while it is under way: give it up first (asked, then confirmed).
        if d.store
            .rotations()
            .unwrap()
            .iter()
            .any(|r| r.state.is_open())
        {
            d.press("O");
            d.press("X");
            d.press("y");
            d.wait_for("the abandoned rotation", |s| {
                matches!(s, Seen::Rotations(Ok(l)) if l.iter().any(|(_, st)| st == "abandoned"))
            })
            .await;
            // The worker said so; wait until the dashboard shows it too, or `R` could still
            // meet the rotation under way (and `y` then copy an id instead).
            d.see("abandoned").await;
            d.press("esc");
        }
        d.server()
            .set_faults(only(RouteKind::RotateCredential, FaultKind::Status(500)));
        d.press("R");
        d.press("y");
        d.wait_for("the failed rotate", |s| matches!(s, Seen::Rotated(Err(_))))
            .await;
        d.server()
            .set_faults(only(RouteKind::RevokeCredential, FaultKind::Status(503)));
        let id = crate::faults::simple_revoke_target(d.server());
        d.press("/");
        d.type_text(&id);
        d.press("enter");
        d.press("d");
        d.press("y");
        d.wait_for("the failed revoke", |s| {
            matches!(s, Seen::Revoked { result: Err(_), .. })
        })
        .await;
        d.press("esc");
        d.server()
            .set_faults(only(RouteKind::Token, FaultKind::Status(401)));
        d.server().expire_tokens();
        d.press("r");
        d.refreshed(3).await;
        d.server().set_faults(Faults::none());
        // Past the client's hold on a failed mint, then a refresh that authenticates again.
        tokio::time::sleep(Duration::from_millis(2100)).await;
        d.press("r");
        d.refreshed(4).await;
        d.settle().await;
        let state = d.quit().await;
        let errors = real_errors(&state);
        for expected in ["rotating", "revoking", "authentication failed"] {
            assert!(
                errors.iter().any(|e| e.contains(expected)),
                "{expected}: {errors:#?}"
            );
        }

        // The journal as text, and the database files as they are while the inventory is
        // open (the WAL and SHM go away when it closes).
        let journal = d.store.journal().unwrap();
        assert!(journal.len() >= 3, "{journal:#?}");
        std::fs::write(
            dir.join("journal.json"),
            serde_json::to_vec_pretty(&journal).unwrap(),
        )
        .unwrap();
        std::fs::create_dir_all(dir.join("open-copy")).unwrap();
        for entry in std::fs::read_dir(&data).unwrap().flatten() {
            std::fs::copy(entry.path(), dir.join("open-copy").join(entry.file_name())).unwrap();
        }
        drop(d);
    });
    drop(rt);
    drop(guard);
}

/// The forms a secret could leak in: the whole text, its key part, and the private key
/// inside it.
fn needles(secret: &str) -> Vec<String> {
    let key = secret.rsplit(':').next().unwrap().to_string();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let jwk: serde_json::Value =
        serde_json::from_slice(&b64.decode(key.trim_end_matches('=')).unwrap()).unwrap();
    let d = jwk["d"].as_str().unwrap().to_string();
    vec![secret.to_string(), key, d]
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn a_dashboard_session_leaves_no_secret_in_the_log_the_inventory_the_journal_or_the_output() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = child_command("secrets::child_dashboard_session", "secrets", dir.path())
        .env("CREDBOARD_LOG", "trace")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let line = |tag: &str| {
        stdout
            .lines()
            .find_map(|l| l.split_once(tag))
            .and_then(|(_, h)| h.split_whitespace().next())
            .map(unhex)
            .unwrap_or_else(|| panic!("the child printed no {tag}; it exited {:?}", out.status))
    };
    let secrets = [line("CLIENT-SECRET "), line("NEW-SECRET ")];
    assert!(
        out.status.success(),
        "the child session failed:\n{}",
        redact(&format!("{stdout}\n{stderr}"), &secrets)
    );

    let files = files(dir.path());
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for expected in [
        "credboard.log",
        "journal.json",
        "inventory.sqlite3",
        "inventory.sqlite3-wal",
        "inventory.sqlite3-shm",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    let log = std::fs::read_to_string(dir.path().join(credboard::logging::FILE_NAME)).unwrap();
    assert!(
        log.contains("token refused; minting a new one"),
        "the log was written:\n{log}"
    );

    let mut places: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|f| (f.display().to_string(), std::fs::read(f).unwrap()))
        .collect();
    places.push(("stdout".into(), out.stdout.clone()));
    places.push(("stderr".into(), out.stderr.clone()));
    for secret in &secrets {
        for needle in needles(secret) {
            for (place, bytes) in &places {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                    "a secret ({} characters) is in {place}",
                    needle.len()
                );
            }
        }
    }
}

fn redact(text: &str, secrets: &[String]) -> String {
    let mut text = text.to_string();
    for s in secrets {
        for n in needles(s) {
            text = text.replace(&n, "[SECRET]");
        }
    }
    text
}

#[test]
fn debug_output_of_every_type_holding_a_secret_is_redacted() {
    let client = ClientSecret::from_signing_key(ed25519_dalek::SigningKey::from_bytes(&[3; 32]));
    let new = SecretString::new("secret-token:conductorone.com:v1:NEWSECRETVALUE");
    let credential = ConnectorCredential {
        id: Some("c9".into()),
        app_id: Some("a1".into()),
        connector_id: Some("k1".into()),
        client_secret: Some(new.clone()),
        ..Default::default()
    };
    let reply: CredentialReply = serde_json::from_str(
        r#"{"credential":{"id":"c9","clientSecret":"secret-token:conductorone.com:v1:NEWSECRETVALUE"},"clientSecret":"secret-token:conductorone.com:v1:NEWSECRETVALUE"}"#,
    )
    .unwrap();
    let mut debug = vec![
        format!("{new:?} {new}"),
        format!("{client:?}"),
        format!("{credential:?}"),
        format!("{reply:?}"),
        format!(
            "{:?}",
            Rotated {
                credential: credential.clone(),
                secret: new.clone()
            }
        ),
        format!(
            "{:?}",
            Minted {
                credential: credential.clone(),
                secret: new.clone(),
                record_error: None
            }
        ),
        format!("{:?}", Effect::Copy(new.clone())),
        format!(
            "{:?}",
            ClientOptions {
                client_id: Some("x@acme/pcc".into()),
                client_secret: Some(client.clone()),
                access_token: Some(new.clone()),
                ..Default::default()
            }
        ),
    ];
    // The dashboard's whole state while the secret window is open, masked and revealed.
    let mut state = State::new(Options::new("acme", "default"), chrono::Utc::now());
    let msg = Msg::Worker(WorkerMsg::Rotated {
        app_id: "a1".into(),
        connector_id: "k1".into(),
        result: Ok(Minted {
            record_error: None,
            credential,
            secret: new.clone(),
        }),
    });
    debug.push(format!("{msg:?}"));
    update(&mut state, msg);
    assert_eq!(state.secrets.len(), 1, "the secret window is open");
    debug.push(format!("{state:?}"));
    let effects = update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::Char('v'), KeyModifiers::NONE)),
    );
    debug.push(format!("{state:?} {effects:?}"));
    let effects = update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE)),
    );
    assert!(
        matches!(effects.as_slice(), [Effect::Copy(_)]),
        "{effects:?}"
    );
    debug.push(format!("{state:?} {effects:?}"));

    let client_key = client.expose().rsplit(':').next().unwrap().to_string();
    for text in &debug {
        assert!(!text.contains("NEWSECRETVALUE"), "{text}");
        assert!(!text.contains(&client_key), "{text}");
        assert!(!text.contains("secret-token:"), "{text}");
    }
}

/// What zeroizes its bytes when dropped: checked by the compiler.
#[test]
fn secret_holders_zeroize_on_drop() {
    fn zeroize_on_drop<T: zeroize::ZeroizeOnDrop>() {}
    // ClientSecret holds a SigningKey (ed25519-dalek's default "zeroize" feature) and a
    // SecretString; SecretString holds a Zeroizing<String>.
    zeroize_on_drop::<ed25519_dalek::SigningKey>();
    zeroize_on_drop::<zeroize::Zeroizing<String>>();
    zeroize_on_drop::<zeroize::Zeroizing<Vec<u8>>>();
}

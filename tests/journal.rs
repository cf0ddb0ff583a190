//! The write-ahead journal as the dashboard meets it: the real worker (as the binary starts
//! it) against the demo tenant over HTTP, its messages taken in by `update`, the state
//! drawn. A request left without an outcome is checked when the dashboard starts and shown;
//! a rotated credential the inventory refuses to record is shown with its id and a warning
//! until it is recorded.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use credboard::api::{Client, ClientOptions};
use credboard::app::{Effect, Msg, Options, State, update};
use credboard::demo::{DemoOptions, DemoServer};
use credboard::model::{Action, Outcome};
use credboard::store::Store;
use credboard::worker::{self, WorkerLink};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Far longer than any step takes: a hang detector, never a speed assertion.
const HANG: Duration = Duration::from_secs(60);

struct Dashboard {
    server: DemoServer,
    store: Arc<Store>,
    link: WorkerLink,
    worker: tokio::task::JoinHandle<()>,
    state: State,
    _dir: tempfile::TempDir,
}

impl Dashboard {
    /// The demo tenant and an inventory file for it; `before` prepares the file (as an
    /// earlier run or a broken disk left it) before the worker starts.
    async fn start(before: impl FnOnce(&DemoServer, &Path)) -> Dashboard {
        let server = DemoServer::start(DemoOptions::default()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(Store::FILE_NAME);
        drop(Store::open(&path, &server.endpoint()).unwrap());
        before(&server, &path);
        let store = Arc::new(Store::open(&path, &server.endpoint()).unwrap());
        let client = Client::new(ClientOptions {
            client_id: Some(server.client_id()),
            client_secret: Some(server.client_secret()),
            ..Default::default()
        })
        .unwrap();
        let (link, worker) = worker::spawn(&client, &store, false, 4);
        let mut state = State::new(Options::new(client.host(), "default"), chrono::Utc::now());
        update(
            &mut state,
            Msg::Resize {
                width: 110,
                height: 32,
            },
        );
        Dashboard {
            server,
            store,
            link,
            worker,
            state,
            _dir: dir,
        }
    }

    fn screen(&self) -> String {
        let mut t = Terminal::new(TestBackend::new(self.state.width, self.state.height)).unwrap();
        t.draw(|f| credboard::tui::ui::draw(f, &self.state, &Default::default()))
            .unwrap();
        credboard::testkit::text(t.backend().buffer())
    }

    /// Takes in the worker's messages until `done` holds for the state and what is drawn.
    async fn until(&mut self, what: &str, done: impl Fn(&State, &str) -> bool) -> String {
        let waited = tokio::time::timeout(HANG, async {
            loop {
                let screen = self.screen();
                if done(&self.state, &screen) {
                    return screen;
                }
                let msg = self.link.results.recv().await.expect("the worker runs");
                update(&mut self.state, Msg::Worker(msg));
            }
        })
        .await;
        waited.unwrap_or_else(|_| panic!("hang: no {what}; drawn:\n{}", self.screen()))
    }

    async fn stop(self) {
        self.worker.abort();
        self.server.shutdown().await;
    }
}

/// Journal entries as a process killed after writing its requests leaves them: requests of
/// a process no longer running, with no outcome.
fn write_unanswered(server: &DemoServer, inventory: &Path, requests: &[(&str, &str, &str)]) {
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    gone.wait().unwrap();
    let conn = rusqlite::Connection::open(inventory).unwrap();
    for (app, connector, id) in requests {
        conn.execute(
            "INSERT INTO journal (tenant, profile, time, actor_client_id, action, app_id,
                                  connector_id, credential_id, outcome, pid)
             VALUES (?1, 'default', '2026-01-02T03:04:05Z', ?2, 'revoke', ?3, ?4, ?5,
                     'requested', ?6)",
            rusqlite::params![
                server.endpoint().replace("http://", ""),
                server.client_id(),
                app,
                connector,
                id,
                gone.id()
            ],
        )
        .unwrap();
    }
}

#[tokio::test]
async fn a_request_left_without_an_outcome_is_checked_when_the_dashboard_starts() {
    let mut target = None;
    let mut d = Dashboard::start(|server, inventory| {
        let live = server
            .credentials()
            .into_iter()
            .find(|c| c.deleted_at.is_none())
            .unwrap();
        let (app, connector, id) = (
            live.app_id.unwrap(),
            live.connector_id.unwrap(),
            live.id.unwrap(),
        );
        write_unanswered(server, inventory, &[(&app, &connector, &id)]);
        // It reached the tenant before its process died.
        assert!(server.revoke(&id));
        target = Some(id);
    })
    .await;
    let id = target.unwrap();
    let expected = format!(
        "journal: the revoke of credential {id}, requested at 2026-01-02 03:04:05 UTC, had no \
         outcome in the journal: the server says it is revoked; journaled as done"
    );
    d.until("the check in the error history", |s, _| {
        s.errors.iter().any(|e| e.text == expected)
    })
    .await;
    let journal = d.store.journal().unwrap();
    assert_eq!(journal[0].credential_id.as_deref(), Some(id.as_str()));
    assert_eq!(journal[0].outcome, Outcome::Ok);
    assert_eq!(journal[1].outcome, Outcome::Requested);
    assert!(d.store.unanswered_requests().unwrap().is_empty());
    d.stop().await;
}

/// Makes the inventory refuse new rows of `table`, as a full disk would.
fn refuse_inserts(inventory: &Path, table: &str) {
    rusqlite::Connection::open(inventory)
        .unwrap()
        .execute_batch(&format!(
            "CREATE TRIGGER disk_full_{table} BEFORE INSERT ON {table}
             BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;"
        ))
        .unwrap();
}

#[tokio::test]
async fn a_rotated_credential_the_inventory_refuses_is_shown_with_its_id_until_recorded() {
    let mut inventory = None;
    let mut d = Dashboard::start(|_, path| {
        refuse_inserts(path, "credentials");
        inventory = Some(path.to_path_buf());
    })
    .await;
    let (app, connector, _) = d.server.tracked()[0].clone();
    d.link
        .effects
        .send(Effect::Rotate {
            app_id: app,
            connector_id: connector,
        })
        .unwrap();
    let screen = d
        .until(
            "the warning in the secret window and the history",
            |s, screen| {
                !s.secrets.is_empty()
                    && screen.contains("NOT RECORDED")
                    && s.errors.iter().any(|e| e.text.contains("could not record"))
            },
        )
        .await;
    let id = d.state.secrets[0].credential_id.clone();
    assert!(!id.is_empty());
    let warning: String = screen
        .lines()
        .skip_while(|l| !l.contains("NOT RECORDED"))
        .take(3)
        .collect();
    assert!(warning.contains(&id), "the id is in the warning:\n{screen}");
    assert!(
        d.state
            .errors
            .iter()
            .any(|e| e.text.contains(&id) && e.text.contains("database or disk is full")),
        "the error history says why: {:#?}",
        d.state.errors
    );
    assert!(d.store.tracked().unwrap().is_empty());
    let journal = d.store.journal().unwrap();
    assert_eq!(
        (journal.len(), journal[0].action, &journal[0].outcome),
        (1, Action::Rotate, &Outcome::Requested),
        "the rotate's request is journaled, its outcome not yet"
    );

    // The disk has room again: the worker's next try records it, and the warning goes.
    rusqlite::Connection::open(inventory.unwrap())
        .unwrap()
        .execute_batch("DROP TRIGGER disk_full_credentials;")
        .unwrap();
    let screen = d
        .until("the credential recorded", |s, screen| {
            s.secrets.front().is_some_and(|v| v.unrecorded.is_none())
                && !screen.contains("NOT RECORDED")
        })
        .await;
    assert!(screen.contains("secret is shown once"), "{screen}");
    assert!(
        d.state
            .toasts
            .iter()
            .any(|t| t.text == format!("credential {id} is now recorded in the inventory")),
        "{:#?}",
        d.state.toasts
    );
    let tracked: Vec<String> = d
        .store
        .tracked()
        .unwrap()
        .into_iter()
        .map(|t| t.ids.credential_id)
        .collect();
    assert_eq!(tracked, std::slice::from_ref(&id));
    let journal = d.store.journal().unwrap();
    assert_eq!(journal.len(), 2, "the request and its outcome");
    assert_eq!(
        (journal[0].credential_id.as_deref(), &journal[0].outcome),
        (Some(id.as_str()), &Outcome::Ok)
    );
    d.stop().await;
}

//! `:export` and `y` as the user meets them: the whole dashboard against the demo tenant.
//! The file `:export csv|json` writes holds what `credboard list -o csv|json` prints for
//! the same rows, and `y` puts the selected credential's id on the clipboard.

use std::path::Path;

use credboard::demo::{DemoOptions, DemoServer};
use credboard::testkit::{Seen, Session, SessionOptions};

/// `credboard list -o FORMAT` on the same tenant and inventory.
fn list(server_id: &str, secret: &str, home: &Path, data: &Path, format: &str) -> String {
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("credboard"))
        .env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("CONE_CLIENT_ID", server_id)
        .env("CONE_CLIENT_SECRET", secret)
        .arg("--data-dir")
        .arg(data)
        .args(["list", "--status", "all", "-o", format])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

async fn export(s: &Session, line: &str, done_before: usize) -> String {
    s.press(":");
    s.type_text(line);
    s.press("enter");
    let n = done_before + 1;
    s.wait_for("the export's outcome", |_| {
        s.seen()
            .iter()
            .filter(|m| matches!(m, Seen::Done(_)))
            .count()
            >= n
    })
    .await;
    let done: Vec<_> = s
        .seen()
        .into_iter()
        .filter_map(|m| match m {
            Seen::Done(r) => Some(r),
            _ => None,
        })
        .collect();
    done[n - 1].clone().expect("the export worked")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_writes_what_list_prints_and_y_copies_the_id() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let server = DemoServer::start(DemoOptions::default()).await.unwrap();
    let (id, secret) = (
        server.client_id(),
        server.client_secret().expose().to_string(),
    );
    let mut s = Session::on(
        server,
        SessionOptions {
            data_dir: Some(data.clone()),
            ..Default::default()
        },
    )
    .await;
    s.refreshed(1).await;
    let csv = home.path().join("view.csv");
    let json = home.path().join("view.json");
    let said = export(&s, &format!("export csv {}", csv.display()), 0).await;
    assert!(
        said.starts_with("exported ") && said.contains(&csv.display().to_string()),
        "{said}"
    );
    export(&s, &format!("export json {}", json.display()), 1).await;
    s.press("y");
    s.settle().await;
    let state = s.quit().await;

    let listed_csv = list(&id, &secret, home.path(), &data, "csv");
    let listed_json = list(&id, &secret, home.path(), &data, "json");
    s.shutdown().await;

    // The same rows in the dashboard's order: line for line what list prints, and the rows
    // the dashboard showed, in its order.
    let exported = std::fs::read_to_string(&csv).unwrap();
    let mut got: Vec<&str> = exported.lines().collect();
    let mut want: Vec<&str> = listed_csv.lines().collect();
    assert_eq!(got[0], want[0], "the same header");
    let shown: Vec<String> = state
        .visible_entries()
        .filter(|e| e.kind == credboard::app::inventory::EntryKind::Credential)
        .map(|e| e.key.credential_id.clone())
        .collect();
    assert_eq!(got.len() - 1, shown.len());
    assert!(shown.len() > 100, "the demo tenant's rows: {}", shown.len());
    for (line, id) in got[1..].iter().zip(&shown) {
        assert!(line.contains(&format!(",{id},")), "{line} is not {id}");
    }
    got.sort();
    want.sort();
    assert_eq!(got, want);

    let by_id = |text: &str| {
        let mut v: Vec<serde_json::Value> = serde_json::from_str(text).unwrap();
        v.sort_by_key(|r| r["id"].as_str().unwrap().to_string());
        v
    };
    assert_eq!(
        by_id(&std::fs::read_to_string(&json).unwrap()),
        by_id(&listed_json)
    );

    // `y`: the selected credential's id, and only that, went to the clipboard.
    // (Sorted by status, the first row is a credential's, not a connector's.)
    let selected = state.selected_entry().unwrap();
    assert_eq!(
        selected.kind,
        credboard::app::inventory::EntryKind::Credential
    );
    assert_eq!(
        s.copied(),
        std::slice::from_ref(&selected.key.credential_id)
    );
}

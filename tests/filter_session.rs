//! The filter language in the whole dashboard against the demo tenant: the Okta credentials
//! unused for 90 days in one filter, typed as a user would, and the header's never-used
//! count equal to what `list --status never-used` returns.

use chrono::{Duration, Utc};
use credboard::app::inventory::EntryKind;
use credboard::audit::Status;
use credboard::testkit::{Session, SessionOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_okta_credentials_unused_for_90_days_in_one_filter() {
    let mut d = Session::start(SessionOptions {
        width: 160,
        height: 48,
        ..Default::default()
    })
    .await;
    d.refreshed(1).await;
    d.settle().await;
    d.press("/");
    d.type_text("app:okta lastused>90d !status:revoked");
    d.see("match 1/").await;
    d.press("enter");
    let state = d.quit().await;
    let screen = d.screen();
    let rows: Vec<_> = state.visible_entries().collect();
    assert!(!rows.is_empty(), "{screen}");
    let now = Utc::now();
    for e in &rows {
        assert_eq!(e.kind, EntryKind::Credential);
        assert_eq!(state.inventory.app_name(&e.key.app_id), "Okta");
        assert!(!matches!(e.status, Status::Revoked | Status::Gone));
        let used = e.last.as_ref().and_then(|c| c.last_used_at);
        assert!(
            used.is_none_or(|t| t < now - Duration::days(90)),
            "{used:?}"
        );
    }
    // Every such row is there: the same rule over every row of the inventory.
    let expected = state
        .inventory
        .entries()
        .filter(|e| {
            e.kind == EntryKind::Credential
                && state.inventory.app_name(&e.key.app_id) == "Okta"
                && !e.flags.is_dead()
                && e.last
                    .as_ref()
                    .is_some_and(|c| c.last_used_at.is_none_or(|t| t < now - Duration::days(90)))
        })
        .count();
    assert_eq!(rows.len(), expected);
    assert!(
        rows.iter()
            .any(|e| e.last.as_ref().is_some_and(|c| c.last_used_at.is_none())),
        "never used counts as unused for 90 days"
    );
    assert!(
        screen.contains(&format!("match 1/{}", rows.len())),
        "{screen}"
    );

    // The header's count of never used, and `list --status never-used`, agree.
    let counted = state.inventory.counts.never_used;
    assert!(
        screen.contains(&format!("○ {counted} never used")),
        "{screen}"
    );
    let home = tempfile::TempDir::new().unwrap();
    let out = assert_cmd::Command::cargo_bin("credboard")
        .unwrap()
        .env_clear()
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env("XDG_DATA_HOME", home.path().join(".local/share"))
        .args(["list", "--demo", "-o", "json", "--status", "never-used"])
        .output()
        .unwrap();
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), counted);
    d.shutdown().await;
}

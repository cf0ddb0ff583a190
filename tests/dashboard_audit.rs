//! The audit in the whole dashboard, end to end: the real runtime, worker, inventory and API
//! client against the demo tenant, which serves the Findings API with one exposed
//! credential. After a refresh, that credential's row is flagged critical (CB-1.7), the
//! header counts it, the status view of findings keeps it, and a tenant without the Findings
//! API leaves CB-1.7 "not available" rather than failing.

use credboard::audit::catalog::{CheckId, Severity};
use credboard::demo::{DemoOptions, FaultKind, FaultRule, Faults, RouteFilter, RouteKind};
use credboard::testkit::{Seen, Session, SessionOptions, real_errors};

const EXPOSED_NAME: &str = "baton-github dev (jdoe laptop)";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_refresh_the_exposed_credential_is_flagged_critical() {
    let mut d = Session::start(SessionOptions {
        width: 160,
        height: 48,
        ..Default::default()
    })
    .await;
    d.wait_for("the Findings API's answer", |s| {
        matches!(s, Seen::Audit(Ok(1)))
    })
    .await;
    d.refreshed(1).await;
    d.settle().await;
    // The view of rows with findings, sorted by them: the exposed one comes first (under
    // three header lines and the column titles).
    d.press("shift-tab");
    // From the status column, `s` sorts by the next: the findings.
    d.press("s");
    d.see("Findings▲").await;
    let screen = d
        .see_that("the exposed row drawn first, critical", |s| {
            s.lines()
                .nth(4)
                .is_some_and(|l| l.contains(EXPOSED_NAME) && l.contains("✖ critical"))
        })
        .await;
    assert!(screen.contains("✖ 1 critical"), "{screen}");
    assert!(screen.contains("view: with findings"), "{screen}");
    d.press("enter");
    // The pane beside the list wraps each finding under its label.
    let screen = d.see("✖ CB-1.7 critical: ConductorOne reports").await;
    assert!(
        screen.contains("it publicly exposed (finding open"),
        "{screen}"
    );
    assert!(
        screen.contains("https://gist.github.com/jdoe-acme/"),
        "{screen}"
    );
    let state = d.quit().await;
    let exposed: Vec<_> = state
        .inventory
        .entries()
        .filter(|e| e.findings.has(CheckId::Exposed))
        .collect();
    assert_eq!(exposed.len(), 1);
    assert_eq!(exposed[0].display_name(), Some(EXPOSED_NAME));
    assert_eq!(exposed[0].findings.worst(), Some(Severity::Critical));
    assert_eq!(state.audit.counts.critical, 1);
    assert!(real_errors(&state).is_empty(), "{:?}", real_errors(&state));
    d.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_without_the_findings_api_gets_cb_1_7_not_available_not_an_error() {
    let faults = Faults::none().with(
        FaultRule::new(FaultKind::Status(404)).routes(RouteFilter::Only(RouteKind::SearchFindings)),
    );
    let mut d = Session::start(SessionOptions {
        width: 80,
        height: 24,
        demo: DemoOptions {
            faults,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    d.wait_for("the Findings API's refusal", |s| {
        matches!(s, Seen::Audit(Err(_)))
    })
    .await;
    d.refreshed(1).await;
    d.settle().await;
    d.press("o");
    let screen = d.see("CB-1.7 not available").await;
    assert!(screen.contains("Overview"), "{screen}");
    d.press("esc");
    let state = d.quit().await;
    assert!(state.is_current(), "the refresh itself is whole");
    assert_eq!(state.audit.counts.critical, 0);
    assert!(real_errors(&state).is_empty(), "{:?}", real_errors(&state));
    d.shutdown().await;
}

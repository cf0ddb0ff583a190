//! Every fault the demo tenant can inject, through the whole dashboard: it keeps running,
//! names the call and the cause, retries where safe, and keeps every row and every
//! inventory entry.
//!
//! Each case: the dashboard starts on a healthy tenant and finishes its first refresh (the
//! baseline), the fault is switched on, `r` refreshes again, and then the checks run.

use std::time::Duration;

use credboard::api::client::{Limits, Timeouts};
use credboard::app::State;
use credboard::app::inventory::EntryKind;
use credboard::demo::{
    DemoOptions, FaultKind, FaultRule, Faults, Latency, RetryAfter, RouteFilter, RouteKind, Share,
    Stats,
};
use credboard::model::Outcome;
use credboard::model::Snapshot;

use crate::harness::{HANG, Seen, Session, SessionOptions, answers_keys, real_errors};

/// What a faulted refresh left behind.
struct After {
    state: State,
    stats: Stats,
    seen: Vec<Seen>,
    tracked: usize,
    errors: Vec<String>,
}

impl After {
    fn has_error(&self, parts: &[&str]) -> bool {
        self.errors
            .iter()
            .any(|e| parts.iter().all(|p| e.contains(p)))
    }

    fn assert_error(&self, parts: &[&str]) {
        assert!(
            self.has_error(parts),
            "no error with all of {parts:?} in {:#?}",
            self.errors
        );
    }

    /// Errors of the credential rows.
    fn row_errors(&self) -> Vec<String> {
        credential_rows(&self.state)
            .filter_map(|e| e.error.as_ref().map(|f| f.message.clone()))
            .collect()
    }

    fn assert_no_errors(&self) {
        assert!(self.errors.is_empty(), "errors: {:#?}", self.errors);
        assert!(
            self.row_errors().is_empty(),
            "row errors: {:#?}",
            self.row_errors()
        );
    }
}

fn credential_rows(state: &State) -> impl Iterator<Item = credboard::app::inventory::Entry<'_>> {
    state
        .inventory
        .entries()
        .filter(|e| e.kind == EntryKind::Credential)
}

/// The header line with the counts, as drawn.
fn counts(screen: &str) -> String {
    screen
        .lines()
        .find(|l| l.contains(" active") && (l.contains("credentials") || l.contains("total")))
        .unwrap_or_else(|| panic!("no counts in the header:\n{screen}"))
        .trim()
        .to_string()
}

/// Runs the baseline refresh, switches `faults` on, refreshes with `r` and returns what is
/// left once that refresh is over, after checking what every fault must leave intact.
async fn faulted(faults: Faults) -> After {
    faulted_with(SessionOptions::default(), faults, async |_: &Session| {}).await
}

async fn faulted_with(
    opts: SessionOptions,
    faults: Faults,
    during: impl AsyncFnOnce(&Session),
) -> After {
    let mut d = Session::start(opts).await;
    d.refreshed(1).await;
    d.settle().await;
    let before = counts(&d.screen());
    let tracked = d.store.tracked().unwrap().len();
    let snapshot = d.store.snapshot().unwrap();
    assert!(
        snapshot.credentials.iter().all(|c| c.last.is_some()),
        "the baseline refresh fetched every credential"
    );
    let catalog_before = catalog(&snapshot);

    d.server().set_faults(faults);
    d.server().reset_stats();
    d.press("r");
    during(&d).await;
    d.refreshed(2).await;
    d.settle().await;
    let stats = d.server().stats();
    d.server().set_faults(Faults::none());

    // Every row is still there, with the same counts drawn.
    assert_eq!(counts(&d.screen()), before, "the counts drawn changed");
    // The loop still answers keys.
    answers_keys(&d).await;
    let state = d.quit().await;

    // Every inventory entry is kept, with its last known state, and so is every stored app
    // and connector: a listing that failed replaces nothing.
    let snapshot = d.store.snapshot().unwrap();
    assert_eq!(
        catalog(&snapshot),
        catalog_before,
        "stored apps or connectors changed"
    );
    assert_eq!(d.store.tracked().unwrap().len(), tracked);
    assert_eq!(snapshot.credentials.len(), tracked);
    assert!(
        snapshot.credentials.iter().all(|c| c.last.is_some()),
        "an inventory entry lost its last known state"
    );
    // Every credential row is kept, with its data.
    assert_eq!(credential_rows(&state).count(), tracked);
    assert!(
        credential_rows(&state).all(|e| e.last.is_some()),
        "a row lost its data"
    );
    After {
        errors: real_errors(&state),
        seen: d.seen(),
        state,
        stats,
        tracked,
    }
}

/// The ids of the stored apps and connectors (app id, connector id).
fn catalog(snapshot: &Snapshot) -> (Vec<String>, Vec<(String, String)>) {
    let mut apps: Vec<String> = snapshot.apps.iter().filter_map(|a| a.id.clone()).collect();
    let mut connectors: Vec<(String, String)> = snapshot
        .connectors
        .iter()
        .filter_map(|k| Some((k.app_id.clone()?, k.id.clone()?)))
        .collect();
    apps.sort();
    connectors.sort();
    assert!(
        !apps.is_empty() && !connectors.is_empty(),
        "a stored catalog"
    );
    (apps, connectors)
}

fn on(route: RouteKind, kind: FaultKind, share: Share) -> FaultRule {
    FaultRule::new(kind)
        .share(share)
        .routes(RouteFilter::Only(route))
}

/// The first `gets` credential Gets fail with `kind`, and so do `route`'s calls as `share`
/// says.
fn gets_and(kind: FaultKind, gets: u32, route: RouteKind, share: Share) -> Faults {
    Faults::none()
        .with(on(
            RouteKind::GetCredential,
            kind.clone(),
            Share::FirstN(gets),
        ))
        .with(on(route, kind, share))
}

fn apps(after: &After) -> u64 {
    after
        .state
        .inventory
        .known_apps()
        .try_into()
        .expect("a small number")
}

// ---- 429 ----

#[tokio::test]
async fn too_many_requests_with_retry_after_seconds_is_retried_after_the_wait() {
    let a = faulted(Faults::none().with(on(
        RouteKind::GetCredential,
        FaultKind::TooManyRequests(RetryAfter::Seconds(1)),
        Share::FirstN(2),
    )))
    .await;
    a.assert_no_errors();
    assert_eq!(a.stats.faults_injected, 2);
    assert_eq!(
        a.stats.route(RouteKind::GetCredential),
        a.tracked as u64 + 2,
        "each 429 retried once"
    );
}

#[tokio::test]
async fn too_many_requests_with_retry_after_as_a_date_is_retried_after_the_wait() {
    let a = faulted(Faults::none().with(on(
        RouteKind::GetCredential,
        FaultKind::TooManyRequests(RetryAfter::HttpDate(Duration::from_secs(1))),
        Share::FirstN(2),
    )))
    .await;
    a.assert_no_errors();
    assert_eq!(
        a.stats.route(RouteKind::GetCredential),
        a.tracked as u64 + 2
    );
}

#[tokio::test]
async fn too_many_requests_without_retry_after_backs_off_then_gives_up_and_says_so() {
    let a = faulted(gets_and(
        FaultKind::TooManyRequests(RetryAfter::Absent),
        3,
        RouteKind::ListApps,
        Share::Always,
    ))
    .await;
    assert_eq!(
        a.stats.route(RouteKind::GetCredential),
        a.tracked as u64 + 3
    );
    assert_eq!(a.stats.route(RouteKind::ListApps), 3, "three tries");
    a.assert_error(&[
        "list apps",
        "gave up after 3 tries",
        "the server answered 429",
        "rate limit",
    ]);
    assert!(a.row_errors().is_empty(), "{:#?}", a.row_errors());
}

#[tokio::test]
async fn a_retry_after_beyond_the_budget_gives_up_at_once_instead_of_hanging() {
    let a = faulted(Faults::none().with(on(
        RouteKind::ListApps,
        FaultKind::TooManyRequests(RetryAfter::Seconds(3600)),
        Share::Always,
    )))
    .await;
    assert_eq!(a.stats.route(RouteKind::ListApps), 1);
    a.assert_error(&[
        "list apps",
        "gave up after 1 tries",
        "asked to wait 3600s more",
        "429",
    ]);
}

/// A slow 429 whose `Retry-After` is the largest number a header can carry: once the time
/// spent passed a second, adding the two overflowed and the refresh task panicked, so the
/// refresh never ended.
#[tokio::test]
async fn a_retry_after_too_large_to_add_gives_up_at_once_instead_of_panicking() {
    let a = faulted(slow_429(RetryAfter::Seconds(u64::MAX))).await;
    assert_eq!(a.stats.route(RouteKind::ListApps), 1);
    a.assert_error(&[
        "list apps",
        "gave up after 1 tries",
        "past the retry budget",
        "429",
    ]);
    assert!(a.row_errors().is_empty(), "{:#?}", a.row_errors());
}

/// Every apps listing answers 429 after 1.1 s, asking to wait `retry_after`.
fn slow_429(retry_after: RetryAfter) -> Faults {
    let mut faults = Faults::none()
        .with(on(
            RouteKind::ListApps,
            FaultKind::TooManyRequests(retry_after),
            Share::Always,
        ))
        .with_latency(Latency::Fixed(Duration::from_millis(1100)));
    faults.latency_routes = RouteFilter::Only(RouteKind::ListApps);
    faults
}

// ---- 5xx ----

/// A status on a few credential Gets (retried, recovered) and on every connector listing
/// (retried, then reported).
async fn server_error(status: u16, cause: &str) {
    let a = faulted(gets_and(
        FaultKind::Status(status),
        3,
        RouteKind::ListConnectors,
        Share::Always,
    ))
    .await;
    assert_eq!(
        a.stats.route(RouteKind::GetCredential),
        a.tracked as u64 + 3,
        "the failed Gets were retried once each"
    );
    assert_eq!(
        a.stats.route(RouteKind::ListConnectors),
        3 * apps(&a),
        "every listing tried three times"
    );
    assert!(a.row_errors().is_empty(), "{:#?}", a.row_errors());
    a.assert_error(&[
        "list the connectors of app",
        "gave up after 3 tries",
        &format!("the server answered {status}: {cause}"),
    ]);
    assert!(
        !a.errors.iter().any(|e| e.contains('<')),
        "no markup: {:#?}",
        a.errors
    );
}

#[tokio::test]
async fn internal_server_error_is_retried_and_reported() {
    server_error(500, "internal error").await;
}

#[tokio::test]
async fn bad_gateway_is_retried_and_reported() {
    server_error(502, "502 Bad Gateway").await;
}

#[tokio::test]
async fn service_unavailable_is_retried_and_reported() {
    server_error(503, "service unavailable, try again").await;
}

#[tokio::test]
async fn gateway_timeout_is_retried_and_reported() {
    server_error(504, "504 Gateway Timeout").await;
}

#[tokio::test]
async fn a_credential_get_that_keeps_failing_keeps_the_row_and_says_why_in_the_detail_pane() {
    let mut d = Session::start(SessionOptions::default()).await;
    d.refreshed(1).await;
    d.server().set_faults(Faults::none().with(on(
        RouteKind::GetCredential,
        FaultKind::Status(503),
        Share::Always,
    )));
    d.press("r");
    d.refreshed(2).await;
    d.settle().await;
    let (_, _, id) = d.server().tracked()[0].clone();
    // Filter down to the one credential and open its detail pane.
    d.press("/");
    d.type_text(&id);
    d.press("enter");
    d.press("enter");
    let screen = d.see("Not fetched by the last refresh").await;
    // The pane wraps the message: the call and the cause, in words.
    for part in [
        "get credential",
        id.as_str(),
        "gave up",
        "after 3 tries",
        "answered 503",
        "service unavailable",
    ] {
        assert!(screen.contains(part), "{part:?} is not shown:\n{screen}");
    }
    answers_keys(&d).await;
    let state = d.quit().await;
    let errors = real_errors(&state);
    assert!(
        errors.iter().any(|e| e.contains("could not be fetched")),
        "{errors:#?}"
    );
    assert!(credential_rows(&state).all(|e| e.last.is_some()));
    assert!(credential_rows(&state).all(|e| {
        e.error
            .as_ref()
            .map(|f| f.message.as_str())
            .is_some_and(|m| m.contains("gave up after 3 tries") && m.contains("503"))
    }));
}

// ---- transport ----

#[tokio::test]
async fn a_request_timeout_is_retried_and_reported() {
    let opts = SessionOptions {
        timeouts: Timeouts {
            connect: Duration::from_secs(5),
            request: Duration::from_millis(300),
        },
        ..Default::default()
    };
    let mut faults = Faults::none().with_latency(Latency::Fixed(Duration::from_secs(3)));
    faults.latency_routes = RouteFilter::Only(RouteKind::ListApps);
    let a = faulted_with(opts, faults, async |_: &Session| {}).await;
    assert_eq!(a.stats.route(RouteKind::ListApps), 3, "three tries");
    a.assert_error(&[
        "list apps",
        "gave up after 3 tries",
        "did not answer in time",
    ]);
    assert!(a.row_errors().is_empty(), "{:#?}", a.row_errors());
}

#[tokio::test]
async fn a_connection_reset_mid_body_is_retried_and_reported() {
    let a = faulted(gets_and(
        FaultKind::ConnectionReset,
        3,
        RouteKind::ListApps,
        Share::Always,
    ))
    .await;
    assert_eq!(
        a.stats.route(RouteKind::GetCredential),
        a.tracked as u64 + 3
    );
    assert_eq!(a.stats.route(RouteKind::ListApps), 3);
    assert!(a.row_errors().is_empty(), "{:#?}", a.row_errors());
    a.assert_error(&[
        "list apps",
        "gave up after 3 tries",
        "the connection broke while the reply was being read",
    ]);
}

// ---- bodies ----

#[tokio::test]
async fn malformed_json_is_not_retried_and_is_reported() {
    let a = faulted(gets_and(
        FaultKind::MalformedBody,
        2,
        RouteKind::ListApps,
        Share::Always,
    ))
    .await;
    // A 200 with a body that cannot be read is not sent again: the server acted on it.
    assert_eq!(a.stats.route(RouteKind::GetCredential), a.tracked as u64);
    assert_eq!(a.stats.route(RouteKind::ListApps), 1);
    a.assert_error(&["list apps", "the reply is not valid JSON"]);
    let rows = a.row_errors();
    assert_eq!(rows.len(), 2, "{rows:#?}");
    assert!(
        rows.iter()
            .all(|e| e.contains("get credential") && e.contains("not valid JSON")),
        "{rows:#?}"
    );
    a.assert_error(&["2 of", "could not be fetched"]);
}

#[tokio::test]
async fn a_truncated_body_is_reported() {
    let a = faulted(gets_and(
        FaultKind::TruncatedBody,
        2,
        RouteKind::ListConnectors,
        Share::FirstN(1),
    ))
    .await;
    a.assert_error(&["list the connectors of app", "the reply was cut short"]);
    let rows = a.row_errors();
    assert_eq!(rows.len(), 2, "{rows:#?}");
    assert!(
        rows.iter()
            .all(|e| e.contains("get credential") && e.contains("cut short")),
        "{rows:#?}"
    );
}

#[tokio::test]
async fn a_repeating_page_token_stops_the_walk_instead_of_looping() {
    let a = faulted(Faults::none().with(on(
        RouteKind::ListApps,
        FaultKind::RepeatPageToken,
        Share::Always,
    )))
    .await;
    assert_eq!(
        a.stats.route(RouteKind::ListApps),
        2,
        "the first page, then the repeated token once"
    );
    a.assert_error(&["list apps", "repeated page token", "instead of looping"]);
    assert!(a.row_errors().is_empty(), "{:#?}", a.row_errors());
}

// ---- bounded replies ----

const MIB: u64 = 1024 * 1024;

/// A 64 MiB reply to two Gets and to one app's connector listing: reading stops past the
/// cap (8 MiB by default) with the call named; the rows and the stored connectors stay.
#[tokio::test]
async fn a_huge_reply_is_cut_off_at_the_cap_and_keeps_everything() {
    let a = faulted(gets_and(
        FaultKind::HugeBody(64 * MIB),
        2,
        RouteKind::ListConnectors,
        Share::FirstN(1),
    ))
    .await;
    let cut = "the reply was larger than 8 MiB; stopped reading";
    a.assert_error(&["list the connectors of app", cut]);
    let rows = a.row_errors();
    assert_eq!(rows.len(), 2, "{rows:#?}");
    assert!(
        rows.iter()
            .all(|e| e.contains("get credential") && e.contains(cut)),
        "{rows:#?}"
    );
    assert!(
        a.stats.streamed_bytes < 3 * 32 * MIB,
        "{} MiB sent for three replies: read on past the cap",
        a.stats.streamed_bytes / MIB
    );
}

/// Every apps page names a new next page: the walk stops at the page cap with the call
/// named, and the stored apps stay. (A cap of 50 pages instead of 1000 keeps the test
/// short; `tests/api_client.rs` walks to the default.)
#[tokio::test]
async fn an_endless_listing_stops_at_the_page_cap_and_keeps_everything() {
    let opts = SessionOptions {
        limits: Limits {
            max_pages: 50,
            ..Default::default()
        },
        ..Default::default()
    };
    let endless = Faults::none().with(on(
        RouteKind::ListApps,
        FaultKind::EndlessPages,
        Share::Always,
    ));
    let a = faulted_with(opts, endless, async |_: &Session| {}).await;
    assert_eq!(a.stats.route(RouteKind::ListApps), 50);
    a.assert_error(&["list apps", "went on past 50 pages", "stopped"]);
}

// ---- a 2xx error body ----

fn denied() -> FaultKind {
    FaultKind::ErrorBody {
        code: 7,
        message: "permission denied".into(),
    }
}

const DENIED: &str = "the server answered 200 with an error: permission denied";

/// A 200 `{"code":7,"message":"permission denied"}` on every apps listing. It decoded as an
/// empty page, and the refresh deleted every stored app and connector.
#[tokio::test]
async fn a_2xx_error_body_on_the_apps_listing_deletes_nothing_and_says_why() {
    let a = faulted(Faults::none().with(on(RouteKind::ListApps, denied(), Share::Always))).await;
    assert_eq!(a.stats.route(RouteKind::ListApps), 1, "not retried");
    a.assert_error(&["list apps", DENIED]);
    assert!(a.row_errors().is_empty(), "{:#?}", a.row_errors());
}

/// The same on every connector listing (each decoded as an empty list and deleted its app's
/// stored connectors) and on two Gets (each a row error naming the call).
#[tokio::test]
async fn a_2xx_error_body_on_connector_listings_and_gets_deletes_nothing_and_says_why() {
    let a = faulted(gets_and(
        denied(),
        2,
        RouteKind::ListConnectors,
        Share::Always,
    ))
    .await;
    a.assert_error(&["list the connectors of app", DENIED]);
    let rows = a.row_errors();
    assert_eq!(rows.len(), 2, "{rows:#?}");
    assert!(
        rows.iter()
            .all(|e| e.contains("get credential") && e.contains(DENIED)),
        "{rows:#?}"
    );
}

/// A 200 error body on revoke is a failed revoke: said, journaled as failed, never `ok`.
#[tokio::test]
async fn a_2xx_error_body_on_revoke_is_a_failure_not_a_revoke() {
    let mut d = Session::start(SessionOptions::default()).await;
    d.refreshed(1).await;
    d.settle().await;
    let id = simple_revoke_target(d.server());
    d.server().set_faults(Faults::none().with(on(
        RouteKind::RevokeCredential,
        denied(),
        Share::Always,
    )));
    d.press("/");
    d.type_text(&id);
    d.press("enter");
    d.press("d");
    d.see("Revoke").await;
    d.press("y");
    let seen = d
        .wait_for("the revoke's answer", |s| matches!(s, Seen::Revoked { .. }))
        .await;
    let Seen::Revoked {
        result: Err(error), ..
    } = &seen
    else {
        panic!("taken as revoked: {seen:?}");
    };
    assert!(
        error.contains(&format!("revoke credential {id}")) && error.contains(DENIED),
        "{error}"
    );
    d.settle().await;
    answers_keys(&d).await;
    d.quit().await;
    let journal = d.store.journal().unwrap();
    assert!(
        !journal.iter().any(|e| e.outcome == Outcome::Ok),
        "{journal:#?}"
    );
    assert!(
        journal
            .iter()
            .any(|e| matches!(&e.outcome, Outcome::Failed(m) if m.contains(DENIED))),
        "{journal:#?}"
    );
    assert!(d.server().credential(&id).unwrap().deleted_at.is_none());
}

// ---- auth ----

#[tokio::test]
async fn a_token_that_expires_mid_refresh_is_reminted_once() {
    let opts = SessionOptions {
        concurrency: 4,
        ..Default::default()
    };
    let mut faults = Faults::none().with_latency(Latency::Fixed(Duration::from_millis(20)));
    faults.latency_routes = RouteFilter::Only(RouteKind::GetCredential);
    let a = faulted_with(opts, faults, async |d: &Session| {
        d.wait_for("a credential of refresh 2", |s| {
            matches!(
                s,
                Seen::Credential {
                    generation: Some(2),
                    ..
                }
            )
        })
        .await;
        d.server().expire_tokens();
    })
    .await;
    a.assert_no_errors();
    assert_eq!(
        a.stats.route(RouteKind::Token),
        1,
        "one new token for every request refused"
    );
    // Whichever calls were refused (Gets, or connector listings, which go first) were sent
    // again: more requests than one clean walk of one app page, every app and every Get.
    let api = a.stats.route(RouteKind::GetCredential)
        + a.stats.route(RouteKind::ListConnectors)
        + a.stats.route(RouteKind::ListApps);
    assert!(
        api > a.tracked as u64 + apps(&a) + 1,
        "the refused requests were sent again ({:?})",
        a.stats
    );
    let gets = a
        .seen
        .iter()
        .filter(|s| {
            matches!(
                s,
                Seen::Credential {
                    generation: Some(2),
                    error: None,
                    ..
                }
            )
        })
        .count();
    assert_eq!(gets, a.tracked, "every credential fetched");
}

/// The token minted mid-refresh says it lives `u64::MAX` seconds: adding that to the clock
/// panicked.
#[tokio::test]
async fn a_token_that_claims_to_live_for_ever_is_used_without_panicking() {
    let faults = Faults::none().with(FaultRule::new(FaultKind::TokenExpiresIn(
        u64::MAX.to_string(),
    )));
    let a = faulted_with(SessionOptions::default(), faults, async |d: &Session| {
        d.server().expire_tokens();
    })
    .await;
    a.assert_no_errors();
    assert_eq!(a.stats.route(RouteKind::Token), 1, "one new token");
}

#[tokio::test]
async fn a_token_endpoint_that_keeps_failing_is_tried_once_per_refresh_not_once_per_call() {
    let mut d = Session::start(SessionOptions::default()).await;
    d.refreshed(1).await;
    d.server().set_faults(Faults::none().with(on(
        RouteKind::Token,
        FaultKind::Status(503),
        Share::Always,
    )));
    d.server().expire_tokens();
    d.server().reset_stats();
    d.press("r");
    d.refreshed(2).await;
    d.settle().await;
    let stats = d.server().stats();
    answers_keys(&d).await;
    let state = d.quit().await;
    // The first call to find the token refused mints again (three tries); every call that
    // waited for that mint shares its failure instead of minting again in turn.
    assert!(
        stats.route(RouteKind::Token) <= 2 * 3,
        "{} token requests",
        stats.route(RouteKind::Token)
    );
    let errors = real_errors(&state);
    assert!(
        errors.iter().any(|e| e.contains("could not be fetched")),
        "{errors:#?}"
    );
    assert!(credential_rows(&state).all(|e| e.last.is_some()));
    assert!(
        credential_rows(&state).all(
            |e| e
                .error
                .as_ref()
                .map(|f| f.message.as_str())
                .is_some_and(
                    |m| m.contains("get an access token") && m.contains("the server answered 503")
                )
        ),
        "{:#?}",
        credential_rows(&state)
            .map(|e| e.error.clone())
            .collect::<Vec<_>>()
    );
}

// ---- revoke ----

/// Opens the revoke dialog on credential `id` and confirms it; returns the revoke's answer.
async fn revoke_from_the_dashboard(d: &Session, id: &str) -> Seen {
    d.press("/");
    d.type_text(id);
    d.press("enter");
    d.press("d");
    d.see("Revoke").await;
    d.press("y");
    d.wait_for("the revoke's answer", |s| matches!(s, Seen::Revoked { .. }))
        .await
}

/// A 404 to the revoke of a credential the server still holds live is no proof it was
/// revoked: the dashboard says what happened and the row stays as it was.
#[tokio::test]
async fn a_404_on_revoke_of_a_live_credential_is_not_called_revoked() {
    let mut d = Session::start(SessionOptions::default()).await;
    d.refreshed(1).await;
    d.settle().await;
    let id = simple_revoke_target(d.server());
    d.server().set_faults(Faults::none().with(on(
        RouteKind::RevokeCredential,
        FaultKind::Status(404),
        Share::Always,
    )));
    d.server().reset_stats();
    let seen = revoke_from_the_dashboard(&d, &id).await;
    assert!(
        matches!(&seen, Seen::Revoked { result: Err(e), .. } if e.contains("404")),
        "{seen:?}"
    );
    d.settle().await;
    assert_eq!(
        d.server().stats().route(RouteKind::RevokeCredential),
        1,
        "a 404 is an answer, not retried"
    );
    d.press("esc");
    d.see("active").await;
    answers_keys(&d).await;
    let state = d.quit().await;
    let errors = real_errors(&state);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("still holds the credential live")),
        "{errors:#?}"
    );
    assert!(
        !state
            .toasts
            .iter()
            .any(|t| t.text.contains("already revoked")),
        "{:#?}",
        state.toasts
    );
    let journal = d.store.journal().unwrap();
    assert_eq!(journal[0].credential_id.as_deref(), Some(id.as_str()));
    assert!(
        matches!(&journal[0].outcome, Outcome::Failed(m) if m.contains("404")),
        "{journal:#?}"
    );
}

/// A credential the server no longer knows (404 to the Get and the revoke) is shown gone,
/// with what is known; it is not called revoked, and no revoke is sent.
#[tokio::test]
async fn revoking_a_credential_the_server_no_longer_knows_says_gone_and_sends_nothing() {
    let mut d = Session::start(SessionOptions::default()).await;
    d.refreshed(1).await;
    d.settle().await;
    let id = simple_revoke_target(d.server());
    d.server().set_faults(
        Faults::none().with(
            FaultRule::new(FaultKind::Status(404)).routes(RouteFilter::AnyOf(vec![
                RouteKind::GetCredential,
                RouteKind::RevokeCredential,
            ])),
        ),
    );
    d.server().reset_stats();
    let seen = revoke_from_the_dashboard(&d, &id).await;
    assert!(
        matches!(&seen, Seen::Revoked { result: Err(e), .. } if e.contains("gone: the server no longer knows this id")),
        "{seen:?}"
    );
    d.settle().await;
    assert_eq!(d.server().stats().route(RouteKind::RevokeCredential), 0);
    d.server().set_faults(Faults::none());
    d.press("esc");
    let state = d.quit().await;
    let row = credential_rows(&state)
        .find(|e| e.key.credential_id == id)
        .unwrap();
    assert!(row.gone, "the row is shown gone");
    assert!(row.last.is_some(), "with its last known values");
    assert!(
        !state
            .toasts
            .iter()
            .any(|t| t.text.contains("already revoked") || t.text.starts_with("revoked ")),
        "{:#?}",
        state.toasts
    );
    let journal = d.store.journal().unwrap();
    assert_eq!(journal.len(), 1);
    assert!(
        matches!(&journal[0].outcome, Outcome::NotFound(_)),
        "{journal:#?}"
    );
}

/// A live credential whose revoke needs only `y`: not used in the last week, and not the
/// last live credential of its connector.
pub fn simple_revoke_target(server: &credboard::demo::DemoServer) -> String {
    let creds = server.credentials();
    let week_ago = chrono::Utc::now() - chrono::Duration::days(8);
    creds
        .iter()
        .filter(|c| c.deleted_at.is_none())
        .filter(|c| c.expires_time.is_none_or(|t| t > chrono::Utc::now()))
        .filter(|c| c.last_used_at.is_none_or(|t| t < week_ago))
        .filter(|c| {
            creds
                .iter()
                .filter(|o| {
                    o.deleted_at.is_none()
                        && o.connector_id == c.connector_id
                        && o.app_id == c.app_id
                })
                .count()
                >= 2
        })
        .filter_map(|c| c.id.clone())
        .filter(|id| id.is_ascii())
        .find(|id| {
            creds
                .iter()
                .filter(|o| o.id.as_deref().is_some_and(|o| o.contains(id.as_str())))
                .count()
                == 1
        })
        .expect("a credential that needs no typed confirmation")
}

// ---- the server goes away ----

#[tokio::test]
async fn the_server_going_away_mid_refresh_ends_the_refresh_with_errors_and_keeps_everything() {
    let opts = SessionOptions {
        concurrency: 4,
        ..Default::default()
    };
    let mut d = Session::start(opts).await;
    d.refreshed(1).await;
    d.settle().await;
    let before = counts(&d.screen());
    let tracked = d.store.tracked().unwrap().len();
    let mut faults = Faults::none().with_latency(Latency::Fixed(Duration::from_millis(20)));
    faults.latency_routes = RouteFilter::Only(RouteKind::GetCredential);
    d.server().set_faults(faults);
    d.press("r");
    d.wait_for("a credential of refresh 2", |s| {
        matches!(
            s,
            Seen::Credential {
                generation: Some(2),
                ..
            }
        )
    })
    .await;
    d.shutdown().await;
    d.refreshed(2).await;
    // And once more, with nobody there from the start.
    d.settle().await;
    d.press("r");
    d.refreshed(3).await;
    d.settle().await;
    assert_eq!(counts(&d.screen()), before);
    answers_keys(&d).await;
    let state = d.quit().await;
    let errors = real_errors(&state);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("refresh: list apps") && e.contains("could not connect")),
        "{errors:#?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("could not be fetched")),
        "{errors:#?}"
    );
    let rows: Vec<_> = credential_rows(&state).collect();
    assert_eq!(rows.len(), tracked);
    assert!(rows.iter().all(|e| e.last.is_some()));
    // Each row says why: its own failure, or that the refresh stopped trying once the
    // tenant had not answered several calls in a row.
    assert!(
        rows.iter().all(|e| e
            .error
            .as_ref()
            .map(|f| f.message.as_str())
            .is_some_and(
                |m| (m.contains("get credential") && m.contains("could not connect"))
                    || m.starts_with("not fetched: the refresh stopped")
            )),
        "{:#?}",
        rows.iter().map(|e| &e.error).collect::<Vec<_>>()
    );
    assert_eq!(d.store.tracked().unwrap().len(), tracked);
    assert!(
        d.store
            .snapshot()
            .unwrap()
            .credentials
            .iter()
            .all(|c| c.last.is_some())
    );
}

// ---- dead endpoints and quitting ----

/// A port where nothing listens.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn short_timeouts() -> SessionOptions {
    SessionOptions {
        timeouts: Timeouts {
            connect: Duration::from_millis(300),
            request: Duration::from_millis(300),
        },
        ..Default::default()
    }
}

#[tokio::test]
async fn a_refresh_against_a_refused_endpoint_ends_with_an_error() {
    let mut opts = short_timeouts();
    opts.endpoint = Some(format!("127.0.0.1:{}", closed_port()));
    let mut d = Session::start(opts).await;
    // `refreshed` is the hang detector: it panics if the refresh does not end.
    d.refreshed(1).await;
    d.settle().await;
    answers_keys(&d).await;
    let state = d.quit().await;
    let errors = real_errors(&state);
    assert!(
        errors.iter().any(|e| e.contains("get an access token")
            && e.contains("gave up after 3 tries")
            && e.contains("could not connect")),
        "{errors:#?}"
    );
}

#[tokio::test]
async fn a_refresh_against_an_endpoint_that_never_answers_ends_with_an_error() {
    // Accepts connections (the kernel does, into the backlog) and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut opts = short_timeouts();
    opts.endpoint = Some(silent.local_addr().unwrap().to_string());
    let mut d = Session::start(opts).await;
    d.refreshed(1).await;
    d.settle().await;
    answers_keys(&d).await;
    let state = d.quit().await;
    let errors = real_errors(&state);
    assert!(
        errors.iter().any(|e| e.contains("get an access token")
            && e.contains("gave up after 3 tries")
            && e.contains("did not answer in time")),
        "{errors:#?}"
    );
    drop(silent);
}

#[tokio::test]
async fn quitting_is_instant_while_requests_are_in_flight() {
    let mut faults = Faults::none().with_latency(Latency::Fixed(Duration::from_secs(600)));
    faults.latency_routes = RouteFilter::ApiOnly;
    let mut d = Session::start(SessionOptions {
        demo: DemoOptions {
            faults,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    tokio::time::timeout(HANG, async {
        while d.server().stats().in_flight == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("requests in flight");
    // `finish` is the hang detector.
    let state = d.quit().await;
    assert!(state.should_quit());
    assert!(d.server().stats().in_flight > 0, "still in flight at quit");
    // Do not wait for the slow requests: dropping the server stops it in the background.
    d.abandon_server();
}

// ---- the command line ----

/// Runs `credboard list`, the real binary, against `server` with `settings` as its settings
/// file, and returns its exit code and stderr. `HANG` is the hang detector, not a speed
/// limit: a hung child is killed and has no exit code.
async fn list_against(
    server: &credboard::demo::DemoServer,
    settings: &str,
) -> (Option<i32>, String) {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(&config, settings).unwrap();
    let mut list = assert_cmd::Command::new(env!("CARGO_BIN_EXE_credboard"));
    list.env_clear()
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env("CONE_CLIENT_ID", server.client_id())
        .env("CONE_CLIENT_SECRET", server.client_secret().expose())
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(home.path().join("data"))
        .arg("list")
        .timeout(HANG);
    let out = tokio::task::spawn_blocking(move || list.output().unwrap())
        .await
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn tenant_with(faults: Faults) -> credboard::demo::DemoServer {
    credboard::demo::DemoServer::start(DemoOptions {
        faults,
        ..Default::default()
    })
    .await
    .unwrap()
}

/// A tenant whose slow 429 asks to wait for ever. Before the fix the refresh task panicked
/// and `list` waited for its end for good; now it ends with the reason and exit 1.
#[tokio::test]
async fn list_against_a_tenant_that_asks_to_wait_for_ever_ends_with_an_error() {
    let server = tenant_with(slow_429(RetryAfter::Seconds(u64::MAX))).await;
    let (code, stderr) = list_against(&server, "").await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("list apps") && stderr.contains("past the retry budget"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    server.shutdown().await;
}

/// `max_reply_mib` in the settings is the cap the client reads to.
#[tokio::test]
async fn list_reads_no_more_of_a_reply_than_max_reply_mib() {
    let server = tenant_with(Faults::none().with(on(
        RouteKind::ListApps,
        FaultKind::HugeBody(4 * MIB),
        Share::Always,
    )))
    .await;
    let (code, stderr) = list_against(&server, "max_reply_mib = 1\n").await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("list apps: the reply was larger than 1 MiB; stopped reading"),
        "{stderr}"
    );
    assert!(!stderr.contains("unknown key"), "{stderr}");
    server.shutdown().await;
}

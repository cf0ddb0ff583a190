//! The audit in the dashboard, through `update`: every row carries the findings `credboard
//! audit` would report for it (the same checks, thresholds and mutes), muted ones shown as
//! muted, the status view of rows with findings, the counts, and when they are worked out.

use chrono::{Duration, NaiveDate};
use credboard::api::ConnectorCredential;
use credboard::app::findings::{AuditInputs, RowFinding};
use credboard::app::table::{Column, View};
use credboard::app::{Fetched, Msg, Options, State, WorkerMsg};
use credboard::audit::catalog::{CheckId, Severity};
use credboard::audit::checks::{self, Exposed, Exposure, Inputs};
use credboard::audit::mutes::{Mute, MuteOrigin, MuteTarget};
use credboard::audit::policy::Policy;
use credboard::model::CredentialKey;
use credboard::testkit::checks::update;
use credboard::testkit::fixtures::{
    fixed_now, key, loaded_state, loaded_unchecked, options, refreshed_state, sample_inventory,
};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn send(s: &mut State, msgs: impl IntoIterator<Item = Msg>) {
    for m in msgs {
        update(s, m);
    }
}

fn code(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn row_findings(s: &State, k: &CredentialKey) -> Vec<RowFinding> {
    let i = s.inventory.position(k).expect("a row");
    s.inventory.at(i).findings.list.clone()
}

fn checks_of(s: &State, k: &CredentialKey) -> Vec<(CheckId, Severity, bool)> {
    row_findings(s, k)
        .into_iter()
        .map(|f| (f.check, f.severity, f.mute.is_some()))
        .collect()
}

fn mute(check: CheckId, target: MuteTarget, until: NaiveDate) -> Mute {
    Mute {
        check,
        target,
        reason: "break-glass account, reviewed by J. Doe".into(),
        until,
        origin: MuteOrigin::Settings { entry: 1 },
    }
}

fn inputs(exposure: Exposure, mutes: Vec<Mute>) -> Msg {
    Msg::Worker(WorkerMsg::Audit(AuditInputs {
        mutes: Ok(mutes),
        exposure,
        failure: None,
    }))
}

fn exposed(client_id: &str) -> Exposure {
    Exposure::Reported(vec![Exposed {
        client_id: client_id.into(),
        state: Some("FINDING_STATE_OPEN".into()),
        first_observed: Some(fixed_now() - Duration::days(2)),
        source_url: Some("https://github.com/acme/infra/blob/main/.env".into()),
    }])
}

fn found(generation: Option<u64>, c: ConnectorCredential, k: &CredentialKey) -> Msg {
    Msg::Worker(WorkerMsg::Credential {
        generation,
        key: k.clone(),
        fetched: Fetched::Found(c),
        at: fixed_now(),
    })
}

/// The row's credential as the server would send it again, changed by `f`.
fn changed(
    s: &State,
    k: &CredentialKey,
    f: impl FnOnce(&mut ConnectorCredential),
) -> ConnectorCredential {
    let i = s.inventory.position(k).unwrap();
    let mut c = s.inventory.at(i).last.clone().unwrap();
    f(&mut c);
    c
}

#[test]
fn every_row_carries_the_findings_credboard_audit_reports() {
    let s = refreshed_state(options(), 120, 30);
    // What `credboard audit` runs, over the same inventory, policy and (no) mutes.
    let snapshot = sample_inventory();
    let exposure = Exposure::Unavailable("not asked".into());
    let audit = checks::run(&Inputs {
        snapshot: &snapshot,
        policy: Policy::default(),
        exposure: &exposure,
        mutes: &[],
        now: fixed_now(),
        only: &[],
    });
    assert!(!audit.findings.is_empty());
    assert_eq!(s.audit.counts, audit.counts());
    let on_rows: usize = s.inventory.entries().map(|e| e.findings.list.len()).sum();
    // The connector finding of AWS payer (both its credentials dead) sits on both its rows.
    assert_eq!(on_rows, audit.findings.len() + 1);

    let unused = key("app-gh", "k-gh", "cred-gh-2");
    assert_eq!(
        checks_of(&s, &unused),
        [
            (CheckId::RotationAge, Severity::Medium, false),
            (CheckId::NeverUsed, Severity::Medium, false),
            (CheckId::Overlap, Severity::Medium, false),
        ]
    );
    let reasons: Vec<std::sync::Arc<str>> = row_findings(&s, &unused)
        .into_iter()
        .map(|f| f.reason)
        .collect();
    assert_eq!(&*reasons[0], "created 214 days ago; policy: 90 days");
    let i = s.inventory.position(&unused).unwrap();
    assert_eq!(s.inventory.at(i).findings.worst(), Some(Severity::Medium));

    // Expired and not revoked: high, the row's worst.
    let expired = key("app-aws", "k-aws", "cred-aws-1");
    let i = s.inventory.position(&expired).unwrap();
    assert_eq!(s.inventory.at(i).findings.worst(), Some(Severity::High));
    // The connector without a tracked credential: its coverage row carries CB-3.1.
    let uncovered = key("app-sf", "k-sf-uncovered", "");
    assert_eq!(
        checks_of(&s, &uncovered),
        [(CheckId::Coverage, Severity::Info, false)]
    );
    assert!(row_findings(&s, &uncovered)[0].of_connector);
    // Gone: nothing to find.
    assert!(checks_of(&s, &key("app-gh", "k-gh", "cred-gh-0")).is_empty());
}

#[test]
fn the_settings_policy_is_the_one_in_force() {
    let mut o = options();
    o.policy.rotation_days = 400;
    let s = refreshed_state(o, 120, 30);
    let unused = key("app-gh", "k-gh", "cred-gh-2");
    assert!(
        !checks_of(&s, &unused).contains(&(CheckId::RotationAge, Severity::Medium, false)),
        "214 days is within a rotation age of 400"
    );
    let old = key("app-okta", "k-okta", "cred-okta-2");
    let f = row_findings(&s, &old);
    assert_eq!(&*f[0].reason, "created 400 days ago; policy: 400 days");
}

#[test]
fn a_muted_finding_is_shown_as_muted_and_stops_counting() {
    let expired = key("app-aws", "k-aws", "cred-aws-1");
    let mut o = options();
    o.mutes = vec![mute(
        CheckId::Expiry,
        MuteTarget::Credential("cred-aws-1".into()),
        NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
    )];
    let before = refreshed_state(options(), 120, 30).audit.counts;
    let s = refreshed_state(o, 120, 30);
    let f = row_findings(&s, &expired);
    let muted: Vec<&RowFinding> = f.iter().filter(|f| f.mute.is_some()).collect();
    assert_eq!(muted.len(), 1, "still on the row: {f:?}");
    assert_eq!(muted[0].check, CheckId::Expiry);
    assert_eq!(
        muted[0].mute.as_ref().unwrap().reason,
        "break-glass account, reviewed by J. Doe"
    );
    let i = s.inventory.position(&expired).unwrap();
    // The worst unmuted is its connector's coverage finding now.
    assert_eq!(s.inventory.at(i).findings.worst(), Some(Severity::Info));
    assert_eq!(s.audit.counts.high, before.high - 1);
    assert_eq!(s.audit.counts.muted, before.muted + 1);
}

#[test]
fn a_mute_past_its_last_day_mutes_nothing() {
    let expired = key("app-aws", "k-aws", "cred-aws-1");
    let mut o = options();
    // fixed_now is 2026-03-01 12:00: a mute through 2026-02-28 ended at midnight.
    o.mutes = vec![mute(
        CheckId::Expiry,
        MuteTarget::Credential("cred-aws-1".into()),
        NaiveDate::from_ymd_opt(2026, 2, 28).unwrap(),
    )];
    let s = refreshed_state(o, 120, 30);
    assert!(
        row_findings(&s, &expired).iter().all(|f| f.mute.is_none()),
        "{:?}",
        row_findings(&s, &expired)
    );
    assert_eq!(s.audit.counts.muted, 0);
}

#[test]
fn the_inventory_mutes_and_the_exposed_credentials_come_from_the_worker() {
    let mut s = refreshed_state(options(), 120, 30);
    let sandbox = key("app-aws", "k-aws-2", "cred-aws-3");
    assert_eq!(s.audit.counts.critical, 0);
    assert!(
        s.audit
            .unavailable
            .iter()
            .any(|u| u.check == CheckId::Exposed),
        "CB-1.7 cannot run before the Findings API answers"
    );
    send(
        &mut s,
        [inputs(
            exposed("awssbx9@acme.conductor.one/pcc"),
            vec![mute(
                CheckId::NoExpiry,
                MuteTarget::Connector("k-aws-2".into()),
                NaiveDate::from_ymd_opt(2027, 1, 31).unwrap(),
            )],
        )],
    );
    assert_eq!(
        checks_of(&s, &sandbox),
        [
            (CheckId::Exposed, Severity::Critical, false),
            (CheckId::NoExpiry, Severity::Low, true),
        ]
    );
    let f = row_findings(&s, &sandbox);
    assert!(
        f[0].reason
            .starts_with("ConductorOne reports it publicly exposed"),
        "{}",
        f[0].reason
    );
    assert_eq!(s.audit.counts.critical, 1);
    assert!(s.audit.unavailable.is_empty());
    let i = s.inventory.position(&sandbox).unwrap();
    assert_eq!(s.inventory.at(i).findings.worst(), Some(Severity::Critical));
}

#[test]
fn a_findings_api_that_fails_keeps_the_exposure_it_last_reported() {
    let mut s = refreshed_state(options(), 120, 30);
    send(
        &mut s,
        [inputs(
            exposed("awssbx9@acme.conductor.one/pcc"),
            Vec::new(),
        )],
    );
    assert_eq!(s.audit.counts.critical, 1);
    send(
        &mut s,
        [Msg::Worker(WorkerMsg::Audit(AuditInputs {
            mutes: Ok(Vec::new()),
            exposure: Exposure::Unavailable("the Findings API could not be asked: 500".into()),
            failure: Some(credboard::model::Failure::new(
                credboard::model::FailureKind::Server,
                "500 Internal Server Error",
            )),
        }))],
    );
    assert_eq!(s.audit.counts.critical, 1, "still exposed as last reported");
    assert_eq!(s.errors.len(), 1);
    assert!(
        s.errors[0].text.starts_with("CB-1.7 could not be checked"),
        "{}",
        s.errors[0].text
    );
}

#[test]
fn a_tenant_without_the_findings_api_leaves_cb_1_7_unavailable_not_failed() {
    let mut s = refreshed_state(options(), 120, 30);
    send(
        &mut s,
        [inputs(
            Exposure::Unavailable("the server answered 404".into()),
            Vec::new(),
        )],
    );
    assert_eq!(s.audit.unavailable.len(), 1);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
}

#[test]
fn the_findings_view_shows_only_rows_with_findings_muted_ones_included() {
    let mut o = options();
    // Every finding of the AWS sandbox credential muted: it stays in the view.
    o.mutes = vec![mute(
        CheckId::NoExpiry,
        MuteTarget::Credential("cred-aws-3".into()),
        NaiveDate::from_ymd_opt(2027, 1, 31).unwrap(),
    )];
    let mut s = refreshed_state(o, 120, 30);
    // Shift-Tab from "all" goes to the last view: the one with findings.
    send(&mut s, [code(KeyCode::BackTab)]);
    assert_eq!(s.table.view, View::Findings);
    let shown = s.visible_ids();
    let expected: Vec<String> = s
        .inventory
        .entries()
        .filter(|e| !e.findings.is_empty())
        .map(|e| e.row_id().to_string())
        .collect();
    assert_eq!(shown.len(), expected.len());
    assert!(
        shown.contains(&"cred-aws-3".to_string()),
        "muted only: {shown:?}"
    );
    assert!(
        !shown.contains(&"cred-gh-0".to_string()),
        "gone, no finding: {shown:?}"
    );
    assert!(shown.len() < s.inventory.len());
}

#[test]
fn sorting_by_findings_puts_the_most_severe_first_and_rows_without_last() {
    let mut s = refreshed_state(options(), 120, 30);
    send(
        &mut s,
        [inputs(
            exposed("awssbx9@acme.conductor.one/pcc"),
            Vec::new(),
        )],
    );
    while s.table.sort.column != Column::Findings {
        send(
            &mut s,
            [Msg::Key(KeyEvent::new(
                KeyCode::Char('s'),
                KeyModifiers::NONE,
            ))],
        );
    }
    let ids = s.visible_ids();
    assert_eq!(ids[0], "cred-aws-3", "the exposed one: {ids:?}");
    assert_eq!(ids.last().unwrap(), "cred-gh-0", "no finding: {ids:?}");
}

#[test]
fn during_a_refresh_the_checks_wait_for_its_end_then_run_once() {
    // The refresh the stored inventory asked for is running.
    let mut s = loaded_state(options(), 120, 30);
    let generation = s.refresh.running.unwrap();
    let sandbox = key("app-aws", "k-aws-2", "cred-aws-3");
    assert!(
        !checks_of(&s, &sandbox)
            .iter()
            .any(|c| c.0 == CheckId::RotationAge)
    );
    let older = changed(&s, &sandbox, |c| {
        c.created_at = Some(fixed_now() - Duration::days(100))
    });
    send(&mut s, [found(Some(generation), older, &sandbox)]);
    assert!(
        !checks_of(&s, &sandbox)
            .iter()
            .any(|c| c.0 == CheckId::RotationAge),
        "not per row while the refresh runs"
    );
    send(
        &mut s,
        [Msg::Worker(WorkerMsg::RefreshDone {
            generation,
            at: fixed_now(),
        })],
    );
    assert!(
        checks_of(&s, &sandbox).contains(&(CheckId::RotationAge, Severity::Medium, false)),
        "after the refresh: {:?}",
        checks_of(&s, &sandbox)
    );
}

#[test]
fn outside_a_refresh_a_changed_row_is_checked_at_once() {
    let mut s = refreshed_state(options(), 120, 30);
    let sandbox = key("app-aws", "k-aws-2", "cred-aws-3");
    let revoked = changed(&s, &sandbox, |c| c.deleted_at = Some(fixed_now()));
    send(&mut s, [found(None, revoked, &sandbox)]);
    // Revoked, its own findings go; its connector has no live credential left.
    let f = row_findings(&s, &sandbox);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].check, CheckId::Coverage);
    assert!(f[0].of_connector);
}

#[test]
fn the_clock_moves_findings_once_a_day_has_passed() {
    let mut s = refreshed_state(options(), 120, 30);
    let sandbox = key("app-aws", "k-aws-2", "cred-aws-3");
    // Created 50 days ago; the rotation age of 90 is reached 40 days on.
    send(&mut s, [Msg::Tick(fixed_now() + Duration::days(40))]);
    assert!(
        checks_of(&s, &sandbox).contains(&(CheckId::RotationAge, Severity::Medium, false)),
        "{:?}",
        checks_of(&s, &sandbox)
    );
    let f = row_findings(&s, &sandbox);
    assert_eq!(&*f[0].reason, "created 90 days ago; policy: 90 days");
}

#[test]
fn the_default_options_use_the_default_policy() {
    assert_eq!(Options::default().policy, Policy::default());
}

/// The audit's runs a batch of `update` asked of the worker.
fn asked(fx: &[credboard::app::Effect]) -> Vec<credboard::app::AuditJob> {
    fx.iter()
        .filter_map(|e| match e {
            credboard::app::Effect::Audit(job) => Some((**job).clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_checks_run_off_the_event_loop_and_keys_are_answered_meanwhile() {
    use credboard::app::findings::{Rows, check};
    // As the runtime drives it: `app::update`, the worker's answers only when they come.
    let (mut s, fx) = loaded_unchecked(options(), 120, 30);
    let jobs = asked(&fx);
    assert_eq!(jobs.len(), 1, "the stored rows are checked, by the worker");
    let sandbox = key("app-aws", "k-aws-2", "cred-aws-3");
    assert!(
        row_findings(&s, &sandbox).is_empty() && s.audit.computed_at.is_none(),
        "no findings are made up before the checks answer"
    );
    assert!(s.visible_ids().len() > 1, "the rows are shown meanwhile");
    // A key while the run is out: answered, and no second run is asked on top.
    let before = s.table.cursor;
    let fx = credboard::app::update(&mut s, code(KeyCode::Down));
    assert_eq!(s.table.cursor, before + 1);
    assert!(asked(&fx).is_empty(), "one run at a time");
    // The worker's answer puts the findings on the rows.
    // Right after the load, the rows are the stored inventory: the worker reads it again
    // rather than the loop copying every row into the job.
    assert_eq!(jobs[0].rows, Rows::Stored);
    let checked = check(&jobs[0], &sample_inventory());
    let (with_findings, theirs) = checked
        .by_row
        .iter()
        .find(|(k, _)| !k.credential_id.is_empty())
        .map(|(k, f)| (k.clone(), f.list.clone()))
        .expect("the sample inventory has findings");
    credboard::app::update(
        &mut s,
        Msg::Worker(WorkerMsg::Checked(Ok(Box::new(checked)))),
    );
    assert_eq!(s.audit.computed_at, Some(fixed_now()));
    assert_eq!(row_findings(&s, &with_findings), theirs);
}

#[test]
fn a_run_of_the_checks_that_fails_keeps_the_findings_shown_and_says_so() {
    let mut s = refreshed_state(options(), 120, 30);
    let sandbox = key("app-aws", "k-aws-2", "cred-aws-3");
    let shown = row_findings(&s, &sandbox);
    assert!(!shown.is_empty());
    let counts = s.audit.counts;
    // The clock asks for a run; the worker says it could not.
    let fx = credboard::app::update(&mut s, Msg::Tick(fixed_now() + Duration::minutes(2)));
    let jobs = asked(&fx);
    assert_eq!(jobs.len(), 1);
    assert!(
        matches!(&jobs[0].rows, credboard::app::findings::Rows::Shown(r) if !r.credentials.is_empty()),
        "after the load, a run reads the rows as they are"
    );
    credboard::app::update(
        &mut s,
        Msg::Worker(WorkerMsg::Checked(Err(credboard::model::Failure::new(
            credboard::model::FailureKind::Internal,
            "the checks stopped: task panicked",
        )))),
    );
    assert_eq!(row_findings(&s, &sandbox), shown);
    assert_eq!(s.audit.counts, counts);
    let errors = credboard::testkit::real_errors(&s);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("policy checks could not run")),
        "{errors:?}"
    );
    // And the next change asks again.
    let fx = credboard::app::update(&mut s, Msg::Tick(fixed_now() + Duration::minutes(4)));
    assert_eq!(asked(&fx).len(), 1, "a failed run does not stop the checks");
}

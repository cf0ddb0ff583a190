//! Each check at its boundaries, on an inventory built here: one second either side of a
//! threshold, the overlap window, a mute on its last second and the one after.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use credboard::api::{App, Connector, ConnectorCredential, model::ConnectorStatus};
use credboard::audit::catalog::{CheckId, Severity};
use credboard::audit::checks::{Exposed, Exposure, Inputs, run};
use credboard::audit::findings::{Audit, Subject};
use credboard::audit::mutes::{Mute, MuteOrigin, MuteTarget};
use credboard::audit::policy::Policy;
use credboard::model::{CredentialKey, KnownCredential, Snapshot, Source};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 8, 1, 12, 0, 0).unwrap()
}

fn days(n: i64) -> Duration {
    Duration::days(n)
}

/// A live credential of connector `k1` created `age` ago, used `used` ago (never: None),
/// without expiry.
fn credential(id: &str, age: Duration, used: Option<Duration>) -> KnownCredential {
    KnownCredential {
        key: CredentialKey::new("a1", "k1", id),
        source: Source::Import,
        learned_at: now() - days(400),
        last: Some(ConnectorCredential {
            id: Some(id.into()),
            app_id: Some("a1".into()),
            connector_id: Some("k1".into()),
            client_id: Some(format!("{id}-client@acme.conductor.one/pcc")),
            display_name: Some(format!("name of {id}")),
            created_at: Some(now() - age),
            last_used_at: used.map(|u| now() - u),
            ..Default::default()
        }),
        gone: false,
        fetched_at: Some(now() - Duration::minutes(5)),
    }
}

fn expiring(mut c: KnownCredential, at: DateTime<Utc>) -> KnownCredential {
    c.last.as_mut().unwrap().expires_time = Some(at);
    c
}

fn connector(id: &str, status: &str) -> Connector {
    Connector {
        id: Some(id.into()),
        app_id: Some("a1".into()),
        display_name: Some(format!("connector {id}")),
        status: Some(ConnectorStatus {
            status: Some(status.into()),
            last_error: Some("401 from the app".into()),
            completed_at: None,
        }),
        ..Default::default()
    }
}

fn snapshot(credentials: Vec<KnownCredential>) -> Snapshot {
    Snapshot {
        apps: vec![App {
            id: Some("a1".into()),
            display_name: Some("Okta".into()),
            ..Default::default()
        }],
        connectors: vec![connector("k1", "SYNC_STATUS_DONE")],
        credentials,
    }
}

fn audit_with(s: &Snapshot, check: CheckId, mutes: &[Mute], at: DateTime<Utc>) -> Audit {
    run(&Inputs {
        snapshot: s,
        policy: Policy::default(),
        exposure: &Exposure::Reported(Vec::new()),
        mutes,
        now: at,
        only: &[check],
    })
}

fn audit(s: &Snapshot, check: CheckId) -> Audit {
    audit_with(s, check, &[], now())
}

/// The ids (credential, else connector) a check finds, sorted.
fn found(s: &Snapshot, check: CheckId) -> Vec<String> {
    let mut ids: Vec<String> = audit(s, check)
        .findings
        .iter()
        .map(|f| {
            f.subject
                .credential_id()
                .unwrap_or(f.subject.connector_id())
                .to_string()
        })
        .collect();
    ids.sort();
    ids
}

fn revoked(mut c: KnownCredential) -> KnownCredential {
    c.last.as_mut().unwrap().deleted_at = Some(now() - days(1));
    c
}

fn gone(mut c: KnownCredential) -> KnownCredential {
    c.gone = true;
    c
}

fn on(mut c: KnownCredential, connector: &str) -> KnownCredential {
    c.key.connector_id = connector.into();
    c.last.as_mut().unwrap().connector_id = Some(connector.into());
    c
}

const USED: Option<Duration> = Some(Duration::days(1));

#[test]
fn rotation_age_breaks_at_90_days_not_at_89() {
    let s = snapshot(vec![
        credential("c089", days(89), USED),
        credential("c089b", days(90) - Duration::seconds(1), USED),
        credential("c090", days(90), USED),
        credential("c214", days(214), USED),
        revoked(credential("r300", days(300), USED)),
        gone(credential("g300", days(300), USED)),
        expiring(credential("e300", days(300), USED), now()),
    ]);
    assert_eq!(found(&s, CheckId::RotationAge), ["c090", "c214"]);
    let a = audit(&s, CheckId::RotationAge);
    let f = a
        .findings
        .iter()
        .find(|f| f.name() == "name of c214")
        .unwrap();
    assert_eq!(f.reason, "created 214 days ago; policy: 90 days");
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.labels.app_name.as_deref(), Some("Okta"));
    assert_eq!(f.labels.connector_name.as_deref(), Some("connector k1"));
}

#[test]
fn unused_breaks_at_45_days_and_never_used_is_another_check() {
    let s = snapshot(vec![
        credential("u044", days(300), Some(days(44))),
        credential("u045b", days(300), Some(days(45) - Duration::seconds(1))),
        credential("u045", days(300), Some(days(45))),
        credential("never", days(300), None),
    ]);
    assert_eq!(found(&s, CheckId::Unused), ["u045"]);
    assert_eq!(
        audit(&s, CheckId::Unused).findings[0].reason,
        "last used 45 days ago; policy: 45 days"
    );
}

#[test]
fn never_used_counts_from_creation_past_the_grace_period() {
    let s = snapshot(vec![
        credential("n6", days(6), None),
        credential("n7b", days(7) - Duration::seconds(1), None),
        credential("n7", days(7), None),
        credential("used", days(30), USED),
    ]);
    assert_eq!(found(&s, CheckId::NeverUsed), ["n7"]);
    assert_eq!(
        audit(&s, CheckId::NeverUsed).findings[0].reason,
        "never used, created 7 days ago; policy: used within 7 days"
    );
}

#[test]
fn overlap_flags_the_older_credentials_once_the_newest_is_past_the_window() {
    let within = snapshot(vec![
        credential("old", days(200), USED),
        credential("new", days(7) - Duration::seconds(1), USED),
    ]);
    assert!(found(&within, CheckId::Overlap).is_empty());
    let past = snapshot(vec![
        credential("old", days(200), USED),
        credential("older", days(400), USED),
        credential("new", days(7), USED),
        // Revoked ones and other connectors' do not count.
        revoked(credential("revoked", days(500), USED)),
        on(credential("alone", days(500), USED), "k2"),
    ]);
    assert_eq!(found(&past, CheckId::Overlap), ["old", "older"]);
    assert_eq!(
        audit(&past, CheckId::Overlap).findings[0].reason,
        "one of 3 live credentials of its connector; the newest was created 7 days ago; \
         policy: revoke the older ones within 7 days"
    );
}

#[test]
fn no_expiry_is_low_and_only_for_live_credentials() {
    let s = snapshot(vec![
        credential("forever", days(10), USED),
        expiring(credential("dated", days(10), USED), now() + days(100)),
        revoked(credential("revoked", days(10), USED)),
    ]);
    assert_eq!(found(&s, CheckId::NoExpiry), ["forever"]);
    assert_eq!(
        audit(&s, CheckId::NoExpiry).findings[0].severity,
        Severity::Low
    );
}

#[test]
fn expiry_is_high_once_expired_and_unrevoked_and_low_within_the_warning() {
    let s = snapshot(vec![
        expiring(credential("now", days(10), USED), now()),
        expiring(credential("past", days(10), USED), now() - days(40)),
        revoked(expiring(
            credential("revoked", days(10), USED),
            now() - days(40),
        )),
        gone(expiring(
            credential("gone", days(10), USED),
            now() - days(40),
        )),
        expiring(credential("in30", days(10), USED), now() + days(30)),
        expiring(
            credential("in30b", days(10), USED),
            now() + days(30) + Duration::seconds(1),
        ),
        expiring(
            credential("soon", days(10), USED),
            now() + Duration::hours(5),
        ),
    ]);
    let a = audit(&s, CheckId::Expiry);
    let by_name = |n: &str| {
        a.findings
            .iter()
            .find(|f| f.subject.credential_id() == Some(n))
            .map(|f| (f.severity, f.reason.as_str()))
    };
    assert_eq!(
        by_name("now"),
        Some((Severity::High, "expired 0 days ago and was not revoked"))
    );
    assert_eq!(
        by_name("past"),
        Some((Severity::High, "expired 40 days ago and was not revoked"))
    );
    assert_eq!(
        by_name("in30"),
        Some((
            Severity::Low,
            "expires in 30 days; policy: warn 30 days ahead"
        ))
    );
    assert_eq!(
        by_name("soon"),
        Some((
            Severity::Low,
            "expires in less than a day; policy: warn 30 days ahead"
        ))
    );
    for none in ["revoked", "gone", "in30b"] {
        assert_eq!(by_name(none), None, "{none}");
    }
}

#[test]
fn exposed_matches_the_client_id_of_a_live_credential_and_is_critical() {
    let leaked = credential("leaked", days(10), USED);
    let mut revoked_twin = revoked(credential("twin", days(10), USED));
    revoked_twin.last.as_mut().unwrap().client_id = leaked.last.as_ref().unwrap().client_id.clone();
    let s = snapshot(vec![
        leaked,
        revoked_twin,
        credential("fine", days(10), USED),
    ]);
    let exposure = Exposure::Reported(vec![Exposed {
        client_id: "leaked-client@acme.conductor.one/pcc".into(),
        state: Some("FINDING_STATE_OPEN".into()),
        first_observed: Some(now() - days(3)),
        source_url: Some("https://gist.example/x".into()),
    }]);
    let a = run(&Inputs {
        snapshot: &s,
        policy: Policy::default(),
        exposure: &exposure,
        mutes: &[],
        now: now(),
        only: &[CheckId::Exposed],
    });
    assert_eq!(a.findings.len(), 1);
    let f = &a.findings[0];
    assert_eq!(f.subject.credential_id(), Some("leaked"));
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(
        f.reason,
        "ConductorOne reports it publicly exposed (finding open, first seen 3 days ago, at \
         https://gist.example/x)"
    );
    assert!(a.unavailable.is_empty());
}

#[test]
fn exposed_not_available_is_said_and_finds_nothing() {
    let s = snapshot(vec![credential("c", days(10), USED)]);
    let exposure = Exposure::Unavailable("the tenant answered 403".into());
    let inputs = |only: &'static [CheckId]| Inputs {
        snapshot: &s,
        policy: Policy::default(),
        exposure: &exposure,
        mutes: &[],
        now: now(),
        only,
    };
    let a = run(&inputs(&[]));
    assert_eq!(a.unavailable.len(), 1);
    assert_eq!(a.unavailable[0].check, CheckId::Exposed);
    assert_eq!(a.unavailable[0].why, "the tenant answered 403");
    assert!(a.findings.iter().all(|f| f.check != CheckId::Exposed));
    assert_eq!(a.ran.len(), CheckId::ALL.len());
    // Not asked for, not reported missing.
    let b = run(&inputs(&[CheckId::NoExpiry]));
    assert!(b.unavailable.is_empty());
    assert_eq!(b.ran, [CheckId::NoExpiry]);
    assert!(b.findings.iter().all(|f| f.check == CheckId::NoExpiry));
}

#[test]
fn broken_sync_names_the_connectors_error() {
    let mut s = snapshot(vec![
        credential("c", days(10), USED),
        on(credential("d", days(10), USED), "k2"),
        on(credential("e", days(10), USED), "k3"),
    ]);
    s.connectors = vec![
        connector("k1", "SYNC_STATUS_ERROR"),
        Connector {
            sync_disabled_reason: Some("decommissioned".into()),
            ..connector("k2", "SYNC_STATUS_DISABLED")
        },
        connector("k3", "SYNC_STATUS_DONE"),
    ];
    let a = audit(&s, CheckId::BrokenSync);
    let reasons: Vec<(&str, &str)> = a
        .findings
        .iter()
        .map(|f| (f.subject.credential_id().unwrap(), f.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 2);
    assert!(reasons.contains(&("c", "its connector's sync is in error: 401 from the app")));
    assert!(reasons.contains(&("d", "its connector's sync is disabled: decommissioned")));
}

#[test]
fn coverage_finds_uncovered_connectors_and_stale_fetches() {
    let mut stale = credential("stale", days(10), USED);
    stale.fetched_at = Some(now() - Duration::hours(24));
    let mut fresh = credential("fresh", days(10), USED);
    fresh.fetched_at = Some(now() - Duration::hours(24) + Duration::seconds(1));
    let mut unfetched = on(credential("unfetched", days(10), USED), "k3");
    unfetched.last = None;
    unfetched.fetched_at = None;
    let mut old_gone = on(gone(credential("gone", days(10), USED)), "k2");
    old_gone.fetched_at = Some(now() - days(30));
    let mut s = snapshot(vec![stale, fresh, unfetched, old_gone]);
    s.connectors = vec![
        connector("k1", "SYNC_STATUS_DONE"),
        connector("k2", "SYNC_STATUS_DONE"),
        connector("k3", "SYNC_STATUS_DONE"),
        connector("k4", "SYNC_STATUS_DONE"),
        Connector {
            deleted_at: Some(now()),
            ..connector("k5", "SYNC_STATUS_DONE")
        },
    ];
    let a = audit(&s, CheckId::Coverage);
    let mut got: Vec<(&str, String, &str)> = a
        .findings
        .iter()
        .map(|f| {
            let id = f
                .subject
                .credential_id()
                .unwrap_or(f.subject.connector_id());
            (f.subject.kind(), id.to_string(), f.reason.as_str())
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            (
                "connector",
                "k2".to_string(),
                "none of its 1 tracked credentials is live (revoked, gone or expired): the one it uses is not tracked"
            ),
            (
                "connector",
                "k4".to_string(),
                "no tracked credential: the inventory cannot see what this connector uses"
            ),
            (
                "credential",
                "stale".to_string(),
                "last fetched 24 hours ago; policy: 24 hours"
            ),
            (
                "credential",
                "unfetched".to_string(),
                "never fetched: nothing is known of it"
            ),
        ]
    );
    assert!(a.findings.iter().all(|f| f.severity == Severity::Info));
}

fn mute(check: CheckId, target: MuteTarget, until: NaiveDate) -> Mute {
    Mute {
        check,
        target,
        reason: "accepted until the migration".into(),
        until,
        origin: MuteOrigin::Settings { entry: 1 },
    }
}

#[test]
fn a_mute_holds_to_its_last_second_and_then_the_finding_counts_again() {
    let s = snapshot(vec![
        credential("c", days(200), USED),
        on(credential("d", days(200), USED), "k2"),
    ]);
    let last_day = NaiveDate::from_ymd_opt(2026, 8, 1).unwrap();
    let mutes = [
        mute(
            CheckId::RotationAge,
            MuteTarget::Credential("c".into()),
            last_day,
        ),
        mute(
            CheckId::RotationAge,
            MuteTarget::Connector("k2".into()),
            last_day,
        ),
        mute(
            CheckId::Unused,
            MuteTarget::Credential("c".into()),
            NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(),
        ),
    ];
    let last_second = Utc.with_ymd_and_hms(2026, 8, 1, 23, 59, 59).unwrap();
    let muted = audit_with(&s, CheckId::RotationAge, &mutes, last_second);
    assert_eq!(muted.findings.len(), 2, "still shown");
    assert!(muted.findings.iter().all(|f| f.mute.is_some()));
    assert_eq!(muted.failing(Severity::Info), 0);
    assert_eq!(muted.counts().muted, 2);
    let expired = audit_with(
        &s,
        CheckId::RotationAge,
        &mutes,
        last_second + Duration::seconds(1),
    );
    assert_eq!(expired.findings.len(), 2);
    assert!(expired.findings.iter().all(|f| f.mute.is_none()));
    assert_eq!(expired.failing(Severity::Medium), 2);
    assert_eq!(expired.failing(Severity::High), 0);
    assert_eq!(expired.counts().medium, 2);
}

#[test]
fn findings_come_most_severe_first_in_a_stable_order() {
    let s = snapshot(vec![
        expiring(credential("b", days(200), None), now() - days(2)),
        credential("a", days(200), None),
    ]);
    let a = run(&Inputs {
        snapshot: &s,
        policy: Policy::default(),
        exposure: &Exposure::Reported(Vec::new()),
        mutes: &[],
        now: now(),
        only: &[],
    });
    assert_eq!(a.findings[0].severity, Severity::High);
    let severities: Vec<Severity> = a.findings.iter().map(|f| f.severity).collect();
    let mut sorted = severities.clone();
    sorted.sort_by(|x, y| y.cmp(x));
    assert_eq!(severities, sorted);
    let again = run(&Inputs {
        snapshot: &s,
        policy: Policy::default(),
        exposure: &Exposure::Reported(Vec::new()),
        mutes: &[],
        now: now(),
        only: &[],
    });
    assert_eq!(a, again);
    assert!(matches!(a.findings[0].subject, Subject::Credential(_)));
}

//! `credboard discover`, run as the real binary against a demo tenant started here and
//! reached as a real tenant is (cone's environment variables, an inventory in a data
//! directory that outlives each run): what it tracks, what it reports, what reached the
//! tenant, and what it writes.

use std::collections::BTreeSet;
use std::path::PathBuf;

use assert_cmd::Command;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use credboard::api::ConnectorCredential;
use credboard::demo::{FaultKind, FaultRule, Faults, RouteFilter, RouteKind};
use serde_json::{Value, json};
use tempfile::TempDir;

#[path = "support/tenant.rs"]
mod tenant;

struct Tenant(tenant::Tenant);

impl std::ops::Deref for Tenant {
    type Target = tenant::Tenant;
    fn deref(&self) -> &tenant::Tenant {
        &self.0
    }
}

impl Tenant {
    fn start() -> Self {
        Tenant(tenant::Tenant::start())
    }

    /// `discover -o json ARGS`, which must exit 0: its report.
    fn discover(&self, args: &[&str]) -> Value {
        let out = self.run(&[&["discover", "-o", "json"], args].concat());
        assert!(out.status.success(), "{}", stderr(&out));
        json_of(&out)
    }

    /// The ids `list -o json` shows, as (app, connector, credential).
    fn listed(&self) -> BTreeSet<(String, String, String)> {
        let out = self.run(&["list", "-o", "json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        json_of(&out)
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (text(&c["appId"]), text(&c["connectorId"]), text(&c["id"])))
            .collect()
    }

    /// The time `--since` takes, `days` before the tenant started.
    fn days_before_start(&self, days: i64) -> String {
        (self.server().started_at() - Duration::days(days))
            .to_rfc3339_opts(SecondsFormat::AutoSi, true)
    }

    fn events_served(&self) -> u64 {
        self.server().stats().system_log_events
    }
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(out), stderr(out)))
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn ids_of(c: &ConnectorCredential) -> (String, String, String) {
    (
        c.app_id.clone().unwrap(),
        c.connector_id.clone().unwrap(),
        c.id.clone().unwrap(),
    )
}

/// The ids of a list of the report (`verified`, `notFound`...).
fn ids_in(list: &Value) -> BTreeSet<(String, String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                text(&c["appId"]),
                text(&c["connectorId"]),
                text(&c["credentialId"]),
            )
        })
        .collect()
}

fn at_or_after(t: Option<DateTime<Utc>>, since: DateTime<Utc>) -> bool {
    t.is_some_and(|t| t >= since)
}

/// A new user's first run: an empty inventory, `credboard discover`, then `credboard list`
/// shows the tenant's credentials, each tracked from the event that named it.
#[test]
fn an_empty_inventory_learns_the_tenants_credentials_and_list_shows_them() {
    let tenant = Tenant::start();
    assert!(tenant.listed().is_empty());
    // Older than every seeded credential: the whole history.
    let since = tenant.days_before_start(4 * 365);
    let out = tenant.run(&["discover", "--since", &since]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let all: BTreeSet<_> = tenant.server().credentials().iter().map(ids_of).collect();
    assert_eq!(all.len(), 120);
    assert!(text.contains("newly tracked      120"), "{text}");
    assert!(text.contains("system log, event evt-"), "{text}");
    assert!(!text.contains('\u{1b}'), "hostile names are shown inert");
    assert!(stderr(&out).contains("experimental"), "{}", stderr(&out));
    assert_eq!(tenant.listed(), all);
}

/// With the default window, what the last 90 days name is tracked (created or revoked in
/// them), nothing else; the older credentials still signing in are "in use, not tracked".
#[test]
fn the_window_decides_what_is_found_and_old_credentials_in_use_are_named() {
    let tenant = Tenant::start();
    let since_text = tenant.days_before_start(90);
    let since: DateTime<Utc> = since_text.parse().unwrap();
    let report = tenant.discover(&["--since", &since_text]);
    let credentials = tenant.server().credentials();
    let named: BTreeSet<_> = credentials
        .iter()
        .filter(|c| at_or_after(c.created_at, since) || at_or_after(c.deleted_at, since))
        .map(ids_of)
        .collect();
    assert!(named.len() > 10 && named.len() < 120, "{}", named.len());
    assert_eq!(ids_in(&report["verified"]), named);
    assert_eq!(report["newlyTracked"], named.len());
    assert_eq!(report["candidates"], named.len());
    assert_eq!(report["notFound"], json!([]));
    assert_eq!(tenant.listed(), named);

    let in_use: BTreeSet<String> = credentials
        .iter()
        .filter(|c| !named.contains(&ids_of(c)) && at_or_after(c.last_used_at, since))
        .map(|c| c.client_id.clone().unwrap())
        .collect();
    assert!(!in_use.is_empty());
    let reported: BTreeSet<String> = report["inUseNotTracked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| text(&c["clientId"]))
        .collect();
    // Neither credboard's own client id nor the refused rogue clients are among them.
    assert_eq!(reported, in_use);
    // And as a person reads it.
    let out = tenant.run(&["discover", "--since", &since_text]);
    let shown = stdout(&out);
    assert!(shown.contains("in use, not tracked:"), "{shown}");
    let one = in_use.iter().next().unwrap();
    assert!(shown.contains(one.as_str()), "{shown}");
}

/// Credentials tracked but never fetched (imported ids) have no known client id yet: they
/// are fetched before any client id is called untracked, so their own sign-ins are not.
#[test]
fn imported_ids_never_fetched_are_not_called_untracked() {
    let tenant = Tenant::start();
    let mut csv = String::from("app_id,connector_id,id\n");
    for (a, k, c) in tenant.server().credentials().iter().map(ids_of) {
        csv.push_str(&format!("{a},{k},{c}\n"));
    }
    let file = tenant.home.path().join("ids.csv");
    std::fs::write(&file, csv).unwrap();
    let out = tenant.run(&["import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = tenant.discover(&["--dry-run"]);
    assert!(report["alreadyKnown"].as_u64().unwrap() > 10, "{report}");
    assert_eq!(report["inUseNotTracked"], json!([]), "{report}");
    assert_eq!(report["trackedWithoutClientId"], 0);
}

/// A daily run is cheap: the second run reads only what the log gained since the first
/// (counted by the tenant), and every id it names again is already known.
#[test]
fn a_second_run_reads_only_the_new_events() {
    let tenant = Tenant::start();
    let first = tenant.discover(&[]);
    let served_first = tenant.events_served();
    assert_eq!(first["eventsRead"], served_first);
    assert_eq!(first["fromCursor"], false);
    let log_after_first = tenant.server().system_log_len() as u64;

    let second = tenant.discover(&[]);
    let served_second = tenant.events_served() - served_first;
    assert_eq!(second["eventsRead"], served_second);
    assert_eq!(second["fromCursor"], true);
    assert_eq!(second["eventsAlreadyRead"], 0);
    // What was logged after the first run's last page: its verifying Gets, its last
    // listing call; and this run's own token request and listing calls.
    let new_since_first = log_after_first - position_of(&first["nextFrom"]["event"]);
    assert!(
        served_second >= new_since_first && served_second <= new_since_first + 3,
        "served {served_second}, {new_since_first} were new"
    );
    assert!(
        served_second < served_first / 2,
        "{served_second} of {served_first}"
    );
    // The first run's Gets name every credential it tracked: all already known now.
    assert_eq!(second["candidates"], first["newlyTracked"]);
    assert_eq!(second["alreadyKnown"], first["newlyTracked"]);
    assert_eq!(second["newlyTracked"], 0);
}

/// How many events the log held up to and including the one named `uid` (`evt-N` is the
/// Nth event of the demo's log).
fn position_of(uid: &Value) -> u64 {
    text(uid)
        .strip_prefix("evt-")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("not a demo event uid: {uid}"))
}

/// The calls made against the tenant are in its log: a credential minted by a rotate
/// credboard never saw is found from the rotate's reply, and its first token request is an
/// Authentication event carrying its client id (tracked now, so not "in use, not tracked").
#[test]
fn calls_made_against_the_tenant_are_read_from_its_log() {
    let tenant = Tenant::start();
    let (app, connector, _) = ids_of(&tenant.server().credentials()[0]);
    let client = |id: String, secret| {
        credboard::api::Client::new(credboard::api::ClientOptions {
            client_id: Some(id),
            client_secret: Some(secret),
            ..Default::default()
        })
        .unwrap()
    };
    let demo = client(tenant.server().client_id(), tenant.server().client_secret());
    let minted = tenant.rt.block_on(demo.rotate(&app, &connector)).unwrap();
    let new_client_id = minted.credential.client_id.clone().unwrap();
    let connector_client = client(
        new_client_id.clone(),
        credboard::api::ClientSecret::parse(minted.secret.expose()).unwrap(),
    );
    tenant
        .rt
        .block_on(connector_client.list_apps())
        .expect("the new credential signs in");

    let dir = tenant.home.path().join("raw");
    let since = tenant.days_before_start(0);
    let report = tenant.discover(&["--since", &since, "--save-raw", dir.to_str().unwrap()]);
    let minted_ids = ids_of(&minted.credential);
    assert_eq!(
        ids_in(&report["verified"]),
        BTreeSet::from([minted_ids.clone()])
    );
    assert!(tenant.listed().contains(&minted_ids));
    assert_eq!(report["inUseNotTracked"], json!([]), "{report}");
    let raw = std::fs::read_to_string(text(&report["rawFile"])).unwrap();
    let signed_in = raw
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .any(|e| e["class_uid"] == 3002 && e["user"]["uid"] == new_client_id.as_str());
    assert!(signed_in, "an Authentication event for {new_client_id}");
}

/// Ids in events of other shapes than the demo's own are found too; one the server does
/// not hold (404) is reported and not tracked; garbage is skipped.
#[test]
fn every_shape_is_read_and_a_404_is_not_tracked() {
    let tenant = Tenant::start();
    let creds = tenant.server().credentials();
    let ids: Vec<_> = creds.iter().take(5).map(ids_of).collect();
    let path = |(a, k, c): &(String, String, String)| {
        format!("/api/v1/apps/{a}/connectors/{k}/credentials/{c}")
    };
    let server = tenant.server();
    server.log_event(json!({"metadata": {"uid": "shape-path"}, "class_uid": 6003,
        "http_request": {"url": {"path": path(&ids[0])}}}));
    server.log_event(json!({"metadata": {"uid": "shape-payload"}, "class_uid": 6003,
        "api": {"request": {"data": {"app_id": ids[1].0, "connector_id": ids[1].1, "credential_id": ids[1].2}}}}));
    server.log_event(
        json!({"metadata": {"uid": "shape-deeper"}, "class_uid": 6003,
        "api": {"response": {"data": {"appId": ids[2].0, "connectorId": ids[2].1,
            "credential": {"id": ids[2].2}}}}}),
    );
    server.log_event(
        json!({"metadata": {"uid": "shape-unknown"}, "brandNew": {"v2": [{
        "target": {"app": {"id": ids[3].0}, "connector": {"id": ids[3].1},
                   "connectorCredential": {"id": ids[3].2}}}]}}),
    );
    server.log_event(json!({"metadata": {"uid": "shape-missing"},
        "http_request": {"url": {"path": path(&(ids[4].0.clone(), ids[4].1.clone(), "2NoSuchCredential".into()))}}}));
    server.log_event(json!("not an event"));
    server.log_event(
        json!({"metadata": {"uid": "garbage"}, "appId": 7, "credentialId": [1],
        "p": "/api/v1/apps/\u{1b}[31m/connectors/x/credentials/y"}),
    );

    // Only the events just added: everything after the tenant started.
    let since = tenant.days_before_start(0);
    let report = tenant.discover(&["--since", &since]);
    let want: BTreeSet<_> = ids[..4].iter().cloned().collect();
    assert_eq!(ids_in(&report["verified"]), want);
    assert_eq!(report["newlyTracked"], 4);
    let missing = (
        ids[4].0.clone(),
        ids[4].1.clone(),
        "2NoSuchCredential".to_string(),
    );
    assert_eq!(
        ids_in(&report["notFound"]),
        BTreeSet::from([missing.clone()])
    );
    assert_eq!(report["rejected"], 1, "the path with an escape sequence");
    let origins: BTreeSet<String> = report["verified"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| text(&f["origin"]))
        .collect();
    assert!(
        origins.contains("system log, event shape-unknown"),
        "{origins:?}"
    );
    let listed = tenant.listed();
    assert_eq!(listed, want);
    assert!(!listed.contains(&missing));
}

/// `--dry-run` verifies but tracks nothing, and leaves the log to be read again.
#[test]
fn a_dry_run_verifies_but_tracks_nothing() {
    let tenant = Tenant::start();
    let dry = tenant.discover(&["--dry-run"]);
    assert_eq!(dry["dryRun"], true);
    let verified = dry["verified"].as_array().unwrap().len();
    assert!(verified > 10, "{dry}");
    assert_eq!(dry["newlyTracked"], 0);
    assert_eq!(dry["nextFrom"], Value::Null);
    assert!(tenant.listed().is_empty(), "nothing tracked");
    let gets = tenant.server().stats().route(RouteKind::GetCredential);
    assert_eq!(
        gets as usize, verified,
        "each candidate verified with a Get"
    );

    let real = tenant.discover(&[]);
    assert_eq!(real["fromCursor"], false, "the dry run left no cursor");
    assert_eq!(real["newlyTracked"], verified);
}

/// `--save-raw DIR` writes every event read, with no field named like a secret and no value
/// shaped like one left in the file.
#[test]
fn saved_raw_events_hold_no_secret() {
    let tenant = Tenant::start();
    let fake_secret = tenant.secret.clone();
    tenant.server().log_event(json!({
        "metadata": {"uid": "secrets"},
        "api": {"request": {"data": {
            "client_secret": fake_secret,
            "nested": {"Authorization": "Basic dXNlcjpwYXNz", "deeper": [{"refresh_token": "r1"}]},
            "config": format!("{{\"password\":\"hunter2\",\"note\":\"{fake_secret}\"}}"),
            "harmless": format!("key {fake_secret} pasted here"),
        }}},
        "http_request": {"http_headers": [{"name": "Cookie", "value": "session=abc"}]},
    }));
    let dir = tenant.home.path().join("raw");
    let report = tenant.discover(&["--save-raw", dir.to_str().unwrap()]);
    let file = PathBuf::from(text(&report["rawFile"]));
    assert_eq!(file.parent().unwrap(), dir);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "readable by its owner only: {mode:o}");
    }
    let raw = std::fs::read_to_string(&file).unwrap();
    let events: Vec<Value> = raw
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len() as u64, report["eventsRead"].as_u64().unwrap());
    assert!(
        report["rawValuesRemoved"].as_u64().unwrap() >= 8,
        "{report}"
    );
    for event in &events {
        no_secret_in(event, "");
    }
    for gone in [
        fake_secret.as_str(),
        "secret-token:",
        "hunter2",
        "dXNlcjpwYXNz",
        "session=abc",
        "demo-webhook-signing-secret",
        "Bearer ",
        "eyJhbGciOiJub25l",
    ] {
        assert!(!raw.contains(gone), "{gone} is in {}", file.display());
    }
    // What the extractor needs is kept: the ids, the paths, the shapes.
    assert!(raw.contains("/credentials/"), "paths kept");
    assert!(raw.contains("\"class_uid\":3002"), "classes kept");
}

fn no_secret_in(value: &Value, at: &str) {
    const NAMES: [&str; 6] = [
        "secret",
        "token",
        "password",
        "authorization",
        "assertion",
        "cookie",
    ];
    match value {
        Value::Object(o) => {
            for (k, v) in o {
                let key = k.to_ascii_lowercase().replace(['_', '-'], "");
                assert!(
                    !NAMES.iter().any(|n| key.contains(n)),
                    "field {at}.{k} is named like a secret"
                );
                no_secret_in(v, &format!("{at}.{k}"));
            }
        }
        Value::Array(items) => items.iter().for_each(|v| no_secret_in(v, at)),
        Value::String(s) => {
            assert!(!s.contains("secret-token:"), "{at} holds a client secret");
            assert!(
                !s.to_ascii_lowercase().contains("bearer "),
                "{at} holds a bearer token"
            );
        }
        _ => {}
    }
}

/// A tenant that refuses the system log (the role missing: 403) or does not have it (404)
/// is told so, with the role to grant, and exits 1 with nothing tracked.
#[test]
fn a_refusal_names_the_role_and_exits_1() {
    let tenant = Tenant::start();
    for (status, says) in [
        (403, "\"Read-Only to System Logs\""),
        (404, "this tenant has no system log to read"),
    ] {
        tenant.server().set_faults(
            Faults::none().with(
                FaultRule::new(FaultKind::Status(status))
                    .routes(RouteFilter::Only(RouteKind::ListSystemLogEvents)),
            ),
        );
        let raw = tenant.home.path().join(format!("raw-{status}"));
        let out = tenant.run(&["discover", "--save-raw", raw.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{status}: {}", stderr(&out));
        let left = std::fs::read_dir(&raw).unwrap().count();
        assert_eq!(left, 0, "no empty raw file is left behind");
        let err = stderr(&out);
        assert!(err.contains(says), "{status}: {err}");
        assert!(err.contains("Nothing was read or tracked"), "{err}");
        assert!(err.contains(&status.to_string()), "{err}");
        if status == 403 {
            assert!(
                err.contains(&tenant.server().client_id()),
                "names who: {err}"
            );
        }
        assert!(!err.contains(&tenant.secret), "{err}");
        assert!(stdout(&out).is_empty());
    }
    tenant.server().set_faults(Faults::none());
    assert!(tenant.listed().is_empty());
}

/// A reply that is no JSON, or a page token that repeats after the first page: a clear
/// error and exit 1; what the pages before it named is still verified and tracked.
#[test]
fn a_broken_log_loses_nothing_it_read() {
    let tenant = Tenant::start();
    tenant.server().set_faults(
        Faults::none().with(
            FaultRule::new(FaultKind::MalformedBody)
                .routes(RouteFilter::Only(RouteKind::ListSystemLogEvents)),
        ),
    );
    let out = tenant.run(&["discover"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("the system log could not be read"),
        "{}",
        stderr(&out)
    );

    tenant.server().set_faults(
        Faults::none().with(
            FaultRule::new(FaultKind::RepeatPageToken)
                .routes(RouteFilter::Only(RouteKind::ListSystemLogEvents)),
        ),
    );
    let since = tenant.days_before_start(4 * 365);
    let out = tenant.run(&["discover", "-o", "json", "--since", &since]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("repeated page token"),
        "{}",
        stderr(&out)
    );
    let report = json_of(&out);
    assert_eq!(report["readToEnd"], false);
    let tracked = report["newlyTracked"].as_u64().unwrap();
    assert!(tracked > 0, "the first page's ids: {report}");
    assert_eq!(tenant.listed().len() as u64, tracked);
}

/// Candidates no Get could settle (the tenant answered garbage) are not tracked, the run
/// exits 1, and the cursor stays before their events: the next run reads them again and
/// tracks them once the tenant answers.
#[test]
fn unverified_candidates_are_read_again_by_the_next_run() {
    let tenant = Tenant::start();
    let first_page = tenant.discover(&["--dry-run"]);
    let expected = ids_in(&first_page["verified"]);
    tenant.server().set_faults(
        Faults::none().with(
            FaultRule::new(FaultKind::MalformedBody)
                .routes(RouteFilter::Only(RouteKind::GetCredential)),
        ),
    );
    let out = tenant.run(&["discover", "-o", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("could not be verified"),
        "{}",
        stderr(&out)
    );
    let failed = json_of(&out);
    assert_eq!(ids_in(&failed["unverified"]), expected);
    assert_eq!(failed["newlyTracked"], 0);
    tenant.server().set_faults(Faults::none());
    assert!(tenant.listed().is_empty());

    let again = tenant.discover(&[]);
    assert_eq!(ids_in(&again["verified"]), expected);
    assert_eq!(tenant.listed(), expected);
}

/// `--max-events` stops a run early; the next run goes on from there without a gap.
#[test]
fn a_capped_run_goes_on_where_it_stopped() {
    let tenant = Tenant::start();
    let since = tenant.days_before_start(4 * 365);
    let dry = tenant.run(&[
        "discover",
        "--dry-run",
        "--since",
        &since,
        "--max-events",
        "10",
    ]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(
        stdout(&dry).contains("stopped after 10 events"),
        "{}",
        stdout(&dry)
    );

    let first = tenant.discover(&["--since", &since, "--max-events", "150"]);
    assert_eq!(first["eventsRead"], 150);
    assert_eq!(first["readToEnd"], false);
    let rest = tenant.discover(&[]);
    assert_eq!(rest["fromCursor"], true);
    assert_eq!(rest["readToEnd"], true);
    let all: BTreeSet<_> = tenant.server().credentials().iter().map(ids_of).collect();
    assert_eq!(tenant.listed(), all, "nothing fell between the two runs");
}

/// The configuration is the usual one: without a tenant, exit 2 before anything is sent.
#[test]
fn without_a_configuration_it_says_how_to_configure() {
    let home = TempDir::new().unwrap();
    let out = Command::cargo_bin("credboard")
        .unwrap()
        .env_clear()
        .env("HOME", home.path())
        .arg("discover")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

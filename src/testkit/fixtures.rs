//! Inventories for tests, snapshots and benches: a small hand-made one covering every status,
//! and a synthetic one of any size. Deterministic: same arguments, same inventory.

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::api::model::ConnectorStatus;
use crate::api::{App, Connector, ConnectorCredential};

use crate::model::Snapshot as Inventory;
use crate::model::{CredentialKey, KnownCredential};

/// The `now` the fixtures are written against: 2026-03-01 12:00:00 UTC.
pub fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

pub fn app(id: &str, name: &str) -> App {
    App {
        id: Some(id.to_string()),
        display_name: Some(name.to_string()),
        ..App::default()
    }
}

pub fn connector(app_id: &str, id: &str, name: &str) -> Connector {
    Connector {
        id: Some(id.to_string()),
        app_id: Some(app_id.to_string()),
        display_name: Some(name.to_string()),
        status: Some(ConnectorStatus {
            status: Some("SYNC_STATUS_DONE".to_string()),
            last_error: None,
            completed_at: Some(fixed_now() - Duration::hours(2)),
        }),
        created_at: Some(fixed_now() - Duration::days(400)),
        ..Connector::default()
    }
}

pub fn key(app_id: &str, connector_id: &str, credential_id: &str) -> CredentialKey {
    CredentialKey {
        app_id: app_id.to_string(),
        connector_id: connector_id.to_string(),
        credential_id: credential_id.to_string(),
    }
}

/// A credential, with times given in days relative to [`fixed_now`] (negative = past).
pub struct Cred<'a> {
    pub key: (&'a str, &'a str, &'a str),
    pub name: &'a str,
    pub client_id: &'a str,
    pub created_days: Option<i64>,
    pub last_used_days: Option<i64>,
    pub expires_days: Option<i64>,
    pub deleted_days: Option<i64>,
}

impl Cred<'_> {
    pub fn credential(&self) -> ConnectorCredential {
        let now = fixed_now();
        let at = |d: Option<i64>| d.map(|d| now + Duration::days(d));
        ConnectorCredential {
            id: Some(self.key.2.to_string()),
            app_id: Some(self.key.0.to_string()),
            connector_id: Some(self.key.1.to_string()),
            client_id: Some(self.client_id.to_string()),
            display_name: Some(self.name.to_string()).filter(|s| !s.is_empty()),
            created_at: at(self.created_days),
            updated_at: at(self.created_days),
            deleted_at: at(self.deleted_days),
            expires_time: at(self.expires_days),
            last_used_at: at(self.last_used_days),
            client_secret: None,
        }
    }

    pub fn known(&self) -> KnownCredential {
        KnownCredential {
            source: crate::model::Source::Import,
            learned_at: fixed_now(),
            key: key(self.key.0, self.key.1, self.key.2),
            last: Some(self.credential()),
            gone: false,
            fetched_at: Some(fixed_now() - Duration::hours(20)),
        }
    }
}

const T: &str = "@acme.conductor.one/pcc";

/// Every status at least once: active, expiring, expired, never used, idle, revoked, gone,
/// not fetched, and a connector without any tracked credential.
pub fn sample_inventory() -> Inventory {
    let apps = vec![
        app("app-okta", "Okta"),
        app("app-gh", "GitHub"),
        app("app-aws", "AWS"),
        app("app-sf", "Salesforce"),
    ];
    let mut flaky = connector("app-sf", "k-sf", "Salesforce prod");
    flaky.status = Some(ConnectorStatus {
        status: Some("SYNC_STATUS_ERROR".to_string()),
        last_error: Some("401 Unauthorized: the client credential was rejected".to_string()),
        completed_at: Some(fixed_now() - Duration::days(3)),
    });
    let connectors = vec![
        connector("app-okta", "k-okta", "Okta baton"),
        connector("app-gh", "k-gh", "GitHub org"),
        connector("app-aws", "k-aws", "AWS payer"),
        connector("app-aws", "k-aws-2", "AWS sandbox"),
        flaky,
        connector("app-sf", "k-sf-uncovered", "Salesforce dev"),
    ];
    fn c<'a>(
        key: (&'a str, &'a str, &'a str),
        name: &'a str,
        client_id: &'a str,
        created_days: Option<i64>,
        last_used_days: Option<i64>,
        expires_days: Option<i64>,
        deleted_days: Option<i64>,
    ) -> Cred<'a> {
        Cred {
            key,
            name,
            client_id,
            created_days,
            last_used_days,
            expires_days,
            deleted_days,
        }
    }
    macro_rules! cid {
        ($s:literal) => {
            concat!($s, "@acme.conductor.one/pcc")
        };
    }
    let creds = [
        c(
            ("app-okta", "k-okta", "cred-okta-1"),
            "okta-baton",
            cid!("okta7f3a"),
            Some(-120),
            Some(-1),
            Some(200),
            None,
        ),
        c(
            ("app-okta", "k-okta", "cred-okta-2"),
            "okta-baton-old",
            cid!("okta11b2"),
            Some(-400),
            Some(-150),
            None,
            None,
        ),
        c(
            ("app-gh", "k-gh", "cred-gh-1"),
            "github-sync",
            cid!("gh90ac"),
            Some(-30),
            Some(-2),
            Some(5),
            None,
        ),
        c(
            ("app-gh", "k-gh", "cred-gh-2"),
            "github-unused",
            cid!("gh44de"),
            Some(-214),
            None,
            Some(60),
            None,
        ),
        c(
            ("app-aws", "k-aws", "cred-aws-1"),
            "aws-payer",
            cid!("aws0001"),
            Some(-365),
            Some(-10),
            Some(-3),
            None,
        ),
        c(
            ("app-aws", "k-aws", "cred-aws-2"),
            "aws-payer-2025",
            cid!("aws0002"),
            Some(-500),
            Some(-200),
            None,
            Some(-100),
        ),
        c(
            ("app-aws", "k-aws-2", "cred-aws-3"),
            "aws-sandbox",
            cid!("awssbx9"),
            Some(-50),
            Some(-20),
            None,
            None,
        ),
        c(
            ("app-sf", "k-sf", "cred-sf-1"),
            "salesforce",
            cid!("sf5e5e"),
            Some(-90),
            Some(-3),
            Some(2),
            None,
        ),
    ];
    let mut credentials: Vec<KnownCredential> = creds.iter().map(Cred::known).collect();
    // Gone: the server answered 404 last time.
    let gone = c(
        ("app-gh", "k-gh", "cred-gh-0"),
        "github-deleted",
        cid!("gh0000"),
        Some(-600),
        Some(-300),
        None,
        None,
    );
    let mut g = gone.known();
    g.gone = true;
    credentials.push(g);
    // Tracked but never fetched.
    credentials.push(KnownCredential {
        source: crate::model::Source::Import,
        learned_at: fixed_now(),
        key: key("app-okta", "k-okta", "cred-okta-new"),
        last: None,
        gone: false,
        fetched_at: None,
    });
    Inventory {
        apps,
        connectors,
        credentials,
    }
}

/// splitmix64: a small, fast, deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const WORDS: &[&str] = &[
    "okta",
    "github",
    "aws",
    "azure",
    "gcp",
    "salesforce",
    "slack",
    "jira",
    "workday",
    "zoom",
    "datadog",
    "snowflake",
    "pagerduty",
    "gitlab",
    "box",
    "dropbox",
    "notion",
    "figma",
];

/// `n` tracked credentials spread over about `n / 3` connectors of about `n / 6` apps, with
/// a mix of statuses, relative to [`fixed_now`]. For benches and property tests.
pub fn synthetic_inventory(n: usize, seed: u64) -> Inventory {
    let mut rng = Rng(seed);
    let n_apps = (n / 6).max(1);
    let n_conns = (n / 3).max(1);
    let now = fixed_now();
    let apps: Vec<App> = (0..n_apps)
        .map(|i| {
            let w = WORDS[i % WORDS.len()];
            app(&format!("app-{i:06}"), &format!("{w} {i}"))
        })
        .collect();
    let connectors: Vec<Connector> = (0..n_conns)
        .map(|i| {
            let a = i % n_apps;
            connector(
                &format!("app-{a:06}"),
                &format!("conn-{i:06}"),
                &format!("{} connector {i}", WORDS[(i * 7) % WORDS.len()]),
            )
        })
        .collect();
    let credentials = (0..n)
        .map(|i| {
            let c = (i * 2654435761) % n_conns;
            let a = c % n_apps;
            let key = key(
                &format!("app-{a:06}"),
                &format!("conn-{c:06}"),
                &format!("cred-{i:07}"),
            );
            // A time `extra + rand(0..span)` days from now, at a random minute of the day.
            let day = |rng: &mut Rng, span: u64, future: bool, extra: i64| {
                let minutes = rng.below(1440) as i64;
                let d = rng.below(span) as i64 + extra;
                now + Duration::days(if future { d } else { -d }) + Duration::minutes(minutes)
            };
            let created = day(&mut rng, 900, false, 1);
            let last_used = match rng.below(100) {
                0..15 => None,
                _ => Some(day(&mut rng, 300, false, 0)),
            };
            let expires = match rng.below(10) {
                0 => Some(day(&mut rng, 30, false, 1)),
                1 => Some(day(&mut rng, 7, true, 0)),
                2..=5 => Some(day(&mut rng, 400, true, 8)),
                _ => None,
            };
            let deleted = match rng.below(20) {
                0 => Some(day(&mut rng, 60, false, 0)),
                _ => None,
            };
            let w = WORDS[rng.below(WORDS.len() as u64) as usize];
            let cred = ConnectorCredential {
                id: Some(key.credential_id.clone()),
                app_id: Some(key.app_id.clone()),
                connector_id: Some(key.connector_id.clone()),
                client_id: Some(format!("{w}{:08x}{T}", rng.next() as u32)),
                display_name: Some(format!("{w}-{i}")),
                created_at: Some(created),
                updated_at: Some(created),
                deleted_at: deleted,
                expires_time: expires,
                last_used_at: last_used,
                client_secret: None,
            };
            KnownCredential {
                source: crate::model::Source::Import,
                learned_at: fixed_now(),
                key,
                last: Some(cred),
                gone: rng.below(200) == 0,
                fetched_at: Some(now - Duration::hours(1)),
            }
        })
        .collect();
    Inventory {
        apps,
        connectors,
        credentials,
    }
}

/// Options for tests: the demo tenant's host, profile "default", colour on.
pub fn options() -> crate::app::Options {
    crate::app::Options::new("acme.conductor.one", "default")
}

/// A state built the way the runtime builds it: a resize, then the sample inventory (rows
/// drawn at once, not yet current). The refresh it asks for is still running.
pub fn loaded_state(options: crate::app::Options, width: u16, height: u16) -> crate::app::State {
    use crate::app::{Msg, WorkerMsg};
    let mut s = crate::app::State::new(options, fixed_now());
    crate::testkit::checks::update(&mut s, Msg::Resize { width, height });
    crate::testkit::checks::update(
        &mut s,
        Msg::Worker(WorkerMsg::Inventory(Ok(sample_inventory()))),
    );
    s
}

/// [`loaded_state`] as the runtime takes it in: through `app::update` alone, so the checks'
/// job is left in the effects, unanswered, as it is until the worker answers.
pub fn loaded_unchecked(
    options: crate::app::Options,
    width: u16,
    height: u16,
) -> (crate::app::State, Vec<crate::app::Effect>) {
    use crate::app::{Msg, WorkerMsg, update};
    let mut s = crate::app::State::new(options, fixed_now());
    update(&mut s, Msg::Resize { width, height });
    let fx = update(
        &mut s,
        Msg::Worker(WorkerMsg::Inventory(Ok(sample_inventory()))),
    );
    (s, fx)
}

/// [`loaded_state`], then that refresh finished 12 seconds before `now` with nothing new.
pub fn refreshed_state(options: crate::app::Options, width: u16, height: u16) -> crate::app::State {
    use crate::app::{Msg, WorkerMsg};
    let mut s = loaded_state(options, width, height);
    let generation = s.refresh.running.expect("the inventory asks for a refresh");
    crate::testkit::checks::update(
        &mut s,
        Msg::Worker(WorkerMsg::RefreshDone {
            generation,
            at: fixed_now() - Duration::seconds(12),
        }),
    );
    s
}

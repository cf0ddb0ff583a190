//! The demo tenant's data: read from `assets/demo-tenant.json`, or generated for benchmarks.
//!
//! Both paths produce specs (names and times relative to "now" in days) that one function turns
//! into the tenant, so ids, client ids and times are built the same way. Everything random is
//! drawn from a PRNG seeded by the file's `seed` (and the scale), so the same input gives the
//! same tenant on every start; only the times move with "now".

use chrono::{DateTime, Duration, Utc};
use ed25519_dalek::SigningKey;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;

use super::state::{CredentialRecord, Exposure, Tenant};
use super::{Scale, generate};
use crate::api::model::{App, Connector, ConnectorCredential, ConnectorStatus};

/// The seed file, compiled in.
pub const SEED_FILE: &str = include_str!("../../assets/demo-tenant.json");

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TenantSpec {
    pub seed: u64,
    /// The name part of the demo client's id: `<client>@127.0.0.1:PORT/pcc`.
    pub client: String,
    pub apps: Vec<AppSpec>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct AppSpec {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub users: i64,
    #[serde(default)]
    pub directory: bool,
    /// Days ago.
    pub created: f64,
    #[serde(default)]
    pub connectors: Vec<ConnectorSpec>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ConnectorSpec {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// done | running | error | disabled | unspecified
    pub status: String,
    /// The last sync error, for status "error".
    #[serde(default)]
    pub error: Option<String>,
    /// Why syncing is disabled, for status "disabled".
    #[serde(default, rename = "disabledReason")]
    pub disabled_reason: Option<String>,
    /// Days since the last sync completed; absent: never synced.
    #[serde(default)]
    pub synced: Option<f64>,
    pub created: f64,
    #[serde(default)]
    pub credentials: Vec<CredentialSpec>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CredentialSpec {
    pub name: String,
    /// Days ago.
    pub created: f64,
    /// Days ago; absent: never used.
    #[serde(default)]
    pub used: Option<f64>,
    /// Days from now (negative: expired); absent: never expires.
    #[serde(default)]
    pub expires: Option<f64>,
    /// Days ago; absent: live.
    #[serde(default)]
    pub revoked: Option<f64>,
    /// Found published by a secret scanner: the Findings API reports it.
    #[serde(default)]
    pub exposed: Option<ExposureSpec>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ExposureSpec {
    /// Days since it was first seen.
    pub observed: f64,
    /// Where it was seen.
    pub source: String,
}

/// The parsed seed file. It is compiled in, so a parse failure is a bug caught by the tests.
pub(crate) fn seed_file() -> TenantSpec {
    serde_json::from_str(SEED_FILE).expect("assets/demo-tenant.json is valid")
}

/// What the server is built from: the tenant, and the demo client's key and name.
pub(crate) struct Seeded {
    pub tenant: Tenant,
    pub client_name: String,
    pub client_key: SigningKey,
    /// The PRNG seed it was built from, for what is built beside it (the system log).
    pub seed: u64,
}

/// Builds the tenant of the seed file, or a generated one of the given scale, with client ids
/// on `host` ("127.0.0.1:PORT") and times relative to `now`.
pub(crate) fn build(scale: Option<&Scale>, host: &str, now: DateTime<Utc>) -> Seeded {
    let file = seed_file();
    let spec = match scale {
        Some(s) => generate::generate(s, file.seed),
        None => file,
    };
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let client_key = SigningKey::from_bytes(&rng.r#gen::<[u8; 32]>());
    let mut tenant = Tenant::default();
    for a in &spec.apps {
        let app_id = ksuid(&mut rng);
        let created = ago(now, a.created);
        let ai = tenant.add_app(App {
            id: Some(app_id.clone()),
            display_name: Some(a.name.clone()),
            description: non_empty(&a.description),
            is_directory: a.directory,
            user_count: Some(a.users),
            created_at: Some(created),
            updated_at: Some(between(created, now, &mut rng)),
            deleted_at: None,
        });
        for c in &a.connectors {
            let connector_id = ksuid(&mut rng);
            let created = ago(now, c.created);
            let synced = c.synced.map(|d| ago(now, d));
            let status = match c.status.as_str() {
                "done" => "SYNC_STATUS_DONE",
                "running" => "SYNC_STATUS_RUNNING",
                "error" => "SYNC_STATUS_ERROR",
                "disabled" => "SYNC_STATUS_DISABLED",
                _ => "SYNC_STATUS_UNSPECIFIED",
            };
            let owners = rng.gen_range(0..3);
            tenant.add_connector(
                ai,
                Connector {
                    id: Some(connector_id.clone()),
                    app_id: Some(app_id.clone()),
                    display_name: Some(c.name.clone()),
                    description: non_empty(&c.description),
                    status: Some(ConnectorStatus {
                        status: Some(status.into()),
                        last_error: c.error.clone(),
                        completed_at: synced,
                    }),
                    created_at: Some(created),
                    updated_at: Some(synced.unwrap_or(created).max(created)),
                    deleted_at: None,
                    sync_disabled_at: c.disabled_reason.as_ref().and(synced),
                    sync_disabled_reason: c.disabled_reason.clone(),
                    user_ids: (0..owners).map(|_| ksuid(&mut rng)).collect(),
                },
            );
            for k in &c.credentials {
                let created = ago(now, k.created);
                let deleted = k.revoked.map(|d| ago(now, d));
                let credential = ConnectorCredential {
                    id: Some(ksuid(&mut rng)),
                    app_id: Some(app_id.clone()),
                    connector_id: Some(connector_id.clone()),
                    client_id: Some(client_id(&mut rng, host)),
                    display_name: Some(k.name.clone()),
                    created_at: Some(created),
                    updated_at: Some(deleted.unwrap_or(created)),
                    deleted_at: deleted,
                    expires_time: k.expires.map(|d| ago(now, -d)),
                    last_used_at: k.used.map(|d| ago(now, d)),
                    client_secret: None,
                };
                if let (Some(e), Some(id)) = (&k.exposed, &credential.id) {
                    // Derived from the credential's id, so the PRNG (and every later id)
                    // is not disturbed.
                    tenant.exposures.push(Exposure {
                        finding_id: format!("2F{}", &id[2..]),
                        credential_id: id.clone(),
                        first_observed: ago(now, e.observed),
                        source_url: e.source.clone(),
                    });
                }
                tenant.add_credential(CredentialRecord {
                    credential,
                    public_key: None,
                });
            }
        }
    }
    Seeded {
        tenant,
        client_name: spec.client,
        client_key,
        seed: spec.seed,
    }
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// `days` days before `now` (fractions allowed; negative is in the future), to the millisecond.
fn ago(now: DateTime<Utc>, days: f64) -> DateTime<Utc> {
    now - Duration::milliseconds((days * 86_400_000.0).round() as i64)
}

fn between(a: DateTime<Utc>, b: DateTime<Utc>, rng: &mut StdRng) -> DateTime<Utc> {
    let span = (b - a).num_milliseconds().max(0);
    a + Duration::milliseconds(rng.gen_range(0..=span))
}

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// An id shaped like ConductorOne's (27 base62 characters, like a KSUID).
pub(crate) fn ksuid(rng: &mut impl Rng) -> String {
    let mut s = String::with_capacity(27);
    s.push('2');
    for _ in 1..27 {
        s.push(char::from(BASE62[rng.gen_range(0..BASE62.len())]));
    }
    s
}

const ADJECTIVES: &[&str] = &[
    "strange", "brave", "calm", "eager", "fancy", "gentle", "happy", "jolly", "kind", "lively",
    "nimble", "proud", "quiet", "rapid", "silly", "tidy", "vast", "witty", "zealous", "amber",
    "bold", "crisp", "dusty", "early", "frosty", "golden", "hidden", "icy", "lucky", "misty",
    "noble", "polar",
];
const NOUNS: &[&str] = &[
    "hydra", "falcon", "otter", "badger", "comet", "dragon", "ember", "fjord", "gecko", "heron",
    "island", "jaguar", "kraken", "lemur", "marmot", "nebula", "orca", "panda", "quokka", "raven",
    "salmon", "tiger", "unicorn", "viper", "walrus", "yak", "zebra", "bison", "cobra", "dingo",
    "egret", "ferret",
];

/// A client id shaped like ConductorOne's: `strange-hydra-68836@HOST/pcc`.
pub(crate) fn client_id(rng: &mut impl Rng, host: &str) -> String {
    format!(
        "{}-{}-{:05}@{host}/pcc",
        ADJECTIVES[rng.gen_range(0..ADJECTIVES.len())],
        NOUNS[rng.gen_range(0..NOUNS.len())],
        rng.gen_range(0..100_000)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-08-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    /// The cases an auditor cares about, counted over live (not revoked) credentials.
    #[derive(Debug, Default)]
    struct Cases {
        never_used: usize,
        used_today: usize,
        idle_for_months: usize,
        expired: usize,
        expiring_within_a_week: usize,
        no_expiry: usize,
        revoked: usize,
        connectors_with_several_live: usize,
        connectors_without_credentials: usize,
        long_names: usize,
    }

    fn cases(t: &Tenant, now: DateTime<Utc>) -> Cases {
        let mut c = Cases::default();
        let mut live_per_connector = std::collections::HashMap::<String, usize>::new();
        for k in t.credentials() {
            if k.display_name.as_deref().unwrap_or("").chars().count() > 60 {
                c.long_names += 1;
            }
            if k.deleted_at.is_some() {
                c.revoked += 1;
                continue;
            }
            match k.last_used_at {
                None => c.never_used += 1,
                Some(u) if now - u < Duration::days(1) => c.used_today += 1,
                Some(u) if now - u > Duration::days(90) => c.idle_for_months += 1,
                _ => {}
            }
            match k.expires_time {
                None => c.no_expiry += 1,
                Some(e) if e <= now => c.expired += 1,
                Some(e) if e - now < Duration::days(7) => c.expiring_within_a_week += 1,
                _ => {}
            }
            if k.expires_time.is_none_or(|e| e > now) {
                *live_per_connector
                    .entry(k.connector_id.clone().unwrap())
                    .or_default() += 1;
            }
        }
        c.connectors_with_several_live = live_per_connector.values().filter(|n| **n >= 3).count();
        c.connectors_without_credentials = t
            .connectors
            .iter()
            .flatten()
            .filter(|k| !live_per_connector.contains_key(k.id.as_deref().unwrap()))
            .filter(|k| {
                !t.credentials()
                    .any(|c| c.connector_id.as_deref() == k.id.as_deref())
            })
            .count();
        c
    }

    #[test]
    fn the_seed_file_has_the_expected_size_and_every_case() {
        let s = build(None, "127.0.0.1:4000", now());
        let t = &s.tenant;
        assert!((23..=30).contains(&t.app_count()), "{}", t.app_count());
        assert!(
            (36..=45).contains(&t.connector_count()),
            "{}",
            t.connector_count()
        );
        assert!(
            (110..=130).contains(&t.credential_count()),
            "{}",
            t.credential_count()
        );
        let c = cases(t, now());
        assert!(c.never_used >= 5, "{c:?}");
        assert!(c.used_today >= 10, "{c:?}");
        assert!(c.idle_for_months >= 5, "{c:?}");
        assert!(c.expired >= 5, "{c:?}");
        assert!(c.expiring_within_a_week >= 5, "{c:?}");
        assert!(c.no_expiry >= 10, "{c:?}");
        assert!(c.revoked >= 10, "{c:?}");
        assert!(c.connectors_with_several_live >= 1, "{c:?}");
        assert!(c.connectors_without_credentials >= 3, "{c:?}");
        assert!(c.long_names >= 2, "{c:?}");
        // For the dashboard's sanitiser: a name with escape sequences, and wide characters.
        let names: Vec<String> = t
            .credentials()
            .filter_map(|k| k.display_name.clone())
            .collect();
        assert!(names.iter().any(|n| n.contains('\u{1b}')));
        assert!(names.iter().any(|n| n.contains('東')));
        let statuses: std::collections::BTreeSet<_> = t
            .connectors
            .iter()
            .flatten()
            .filter_map(|k| k.status.as_ref()?.status.clone())
            .collect();
        for s in [
            "SYNC_STATUS_DONE",
            "SYNC_STATUS_RUNNING",
            "SYNC_STATUS_ERROR",
            "SYNC_STATUS_DISABLED",
        ] {
            assert!(statuses.contains(s), "{s} missing");
        }
        for k in t.connectors.iter().flatten() {
            let st = k.status.as_ref().unwrap();
            if st.status.as_deref() == Some("SYNC_STATUS_ERROR") {
                assert!(st.last_error.is_some(), "{:?}", k.display_name);
            }
        }
    }

    #[test]
    fn seeded_times_are_consistent() {
        let s = build(None, "127.0.0.1:4000", now());
        for k in s.tenant.credentials() {
            let created = k.created_at.unwrap();
            assert!(created <= now());
            if let Some(u) = k.last_used_at {
                assert!(u >= created && u <= now(), "{:?}", k.display_name);
            }
            if let Some(d) = k.deleted_at {
                assert!(d >= created && d <= now(), "{:?}", k.display_name);
            }
            if let Some(e) = k.expires_time {
                assert!(e > created, "{:?}", k.display_name);
            }
            assert!(
                k.client_id
                    .as_deref()
                    .unwrap()
                    .ends_with("@127.0.0.1:4000/pcc")
            );
        }
    }

    #[test]
    fn ids_are_unique_and_stable() {
        let a = build(None, "127.0.0.1:4000", now()).tenant.tracked();
        let b = build(None, "127.0.0.1:4000", now() + Duration::days(3))
            .tenant
            .tracked();
        assert_eq!(a, b, "same ids on every start");
        let ids: std::collections::HashSet<_> = a.iter().map(|t| &t.2).collect();
        assert_eq!(ids.len(), a.len());
        assert!(a.iter().all(|t| t.2.len() == 27));
    }

    #[test]
    fn scale_is_deterministic_and_has_every_case() {
        let scale = Scale {
            apps: 40,
            connectors: 300,
            credentials: 3000,
        };
        let a = build(Some(&scale), "127.0.0.1:1", now());
        let b = build(Some(&scale), "127.0.0.1:1", now());
        assert_eq!(a.tenant.app_count(), 40);
        assert_eq!(a.tenant.connector_count(), 300);
        assert_eq!(a.tenant.credential_count(), 3000);
        assert_eq!(a.tenant.tracked(), b.tenant.tracked());
        let names = |s: &Seeded| {
            s.tenant
                .credentials()
                .map(|c| (c.display_name.clone(), c.last_used_at, c.expires_time))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&a), names(&b));
        assert_eq!(a.client_key.to_bytes(), b.client_key.to_bytes());
        let c = cases(&a.tenant, now());
        assert!(c.never_used > 0 && c.used_today > 0 && c.idle_for_months > 0);
        assert!(c.expired > 0 && c.expiring_within_a_week > 0 && c.no_expiry > 0);
        assert!(c.revoked > 0 && c.connectors_with_several_live > 0);
        let other = build(
            Some(&Scale {
                apps: 40,
                connectors: 300,
                credentials: 3001,
            }),
            "127.0.0.1:1",
            now(),
        );
        assert_ne!(a.tenant.tracked()[0], other.tenant.tracked()[0]);
    }

    #[test]
    fn a_big_scale_is_built() {
        let s = build(
            Some(&Scale {
                apps: 500,
                connectors: 5_000,
                credentials: 100_000,
            }),
            "127.0.0.1:1",
            now(),
        );
        assert_eq!(s.tenant.credential_count(), 100_000);
        assert_eq!(s.tenant.connector_count(), 5_000);
    }

    #[test]
    fn the_demo_client_key_is_stable() {
        let a = build(None, "127.0.0.1:1", now());
        let b = build(None, "127.0.0.1:2", now());
        assert_eq!(a.client_key.to_bytes(), b.client_key.to_bytes());
        assert_eq!(a.client_name, "credboard-demo");
    }
}

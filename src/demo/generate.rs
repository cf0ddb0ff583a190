//! Generated demo tenants of any size, for benchmarks: deterministic for given sizes, with
//! every case an auditor cares about spread over them.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::Scale;
use super::seed::{AppSpec, ConnectorSpec, CredentialSpec, TenantSpec};

const PRODUCTS: &[(&str, &str)] = &[
    ("Okta", "okta"),
    ("GitHub", "github"),
    ("AWS", "aws"),
    ("Salesforce", "salesforce"),
    ("Google Workspace", "google-workspace"),
    ("Slack", "slack"),
    ("Jira", "jira"),
    ("Snowflake", "snowflake"),
    ("Workday", "workday"),
    ("Microsoft Entra ID", "microsoft-entra"),
    ("GitLab", "gitlab"),
    ("Google Cloud", "gcp"),
    ("Azure", "azure-infrastructure"),
    ("Confluence", "confluence"),
    ("Zoom", "zoom"),
    ("Box", "box"),
    ("PagerDuty", "pagerduty"),
    ("Datadog", "datadog"),
    ("1Password", "1password"),
    ("Zendesk", "zendesk"),
    ("HubSpot", "hubspot"),
    ("Notion", "notion"),
    ("Databricks", "databricks"),
    ("Tailscale", "tailscale"),
    ("Cloudflare", "cloudflare"),
    ("BambooHR", "bamboohr"),
];
const ENVS: &[&str] = &[
    "prod", "staging", "dev", "eu", "us", "sandbox", "dr", "legacy",
];
const SYNC_ERRORS: &[&str] = &[
    "rpc error: code = Unauthenticated desc = invalid credentials",
    "context deadline exceeded",
    "429 Too Many Requests: rate limited by upstream",
    "dial tcp: lookup api.internal: no such host",
];

/// A deterministic tenant of the given size, with every case an auditor looks for spread
/// over it. Credentials fall on random connectors, so some connectors have none.
pub(crate) fn generate(scale: &Scale, seed: u64) -> TenantSpec {
    let mut rng = StdRng::seed_from_u64(
        seed ^ (scale.apps as u64).rotate_left(40)
            ^ (scale.connectors as u64).rotate_left(20)
            ^ scale.credentials as u64,
    );
    let apps = scale.apps.max(1);
    let mut spec = TenantSpec {
        seed: rng.r#gen(),
        client: "credboard-demo".into(),
        apps: (0..apps)
            .map(|i| {
                let (name, _) = PRODUCTS[i % PRODUCTS.len()];
                let round = i / PRODUCTS.len();
                AppSpec {
                    name: if round == 0 {
                        name.to_string()
                    } else {
                        format!("{name} {}", round + 1)
                    },
                    description: format!("Generated app {}", i + 1),
                    users: rng.gen_range(1..5000),
                    directory: i % PRODUCTS.len() < 2,
                    created: rng.gen_range(30.0..1500.0),
                    connectors: Vec::new(),
                }
            })
            .collect(),
    };
    let mut where_connector = Vec::with_capacity(scale.connectors);
    for j in 0..scale.connectors {
        let ai = if j < apps { j } else { rng.gen_range(0..apps) };
        let (_, slug) = PRODUCTS[ai % PRODUCTS.len()];
        let n = spec.apps[ai].connectors.len() + 1;
        let env = ENVS[rng.gen_range(0..ENVS.len())];
        let roll = rng.gen_range(0..100);
        let (status, error, disabled) = match roll {
            0..80 => ("done", None, None),
            80..88 => ("running", None, None),
            88..95 => (
                "error",
                Some(SYNC_ERRORS[rng.gen_range(0..SYNC_ERRORS.len())].to_string()),
                None,
            ),
            _ => ("disabled", None, Some("Disabled by admin".to_string())),
        };
        let name = format!("{} {env} {n} (baton-{slug})", spec.apps[ai].name);
        spec.apps[ai].connectors.push(ConnectorSpec {
            name,
            description: String::new(),
            status: status.into(),
            error,
            disabled_reason: disabled,
            synced: Some(rng.gen_range(0.0..10.0)),
            created: rng.gen_range(10.0..1000.0),
            credentials: Vec::new(),
        });
        where_connector.push((ai, spec.apps[ai].connectors.len() - 1));
    }
    if where_connector.is_empty() {
        return spec;
    }
    for k in 0..scale.credentials {
        let (ai, ci) = where_connector[rng.gen_range(0..where_connector.len())];
        // Idle credentials are old enough to have been idle for months.
        let created: f64 = if k % 8 == 2 {
            rng.gen_range(400.0..900.0)
        } else {
            rng.gen_range(1.0..900.0)
        };
        let used_ago = |rng: &mut StdRng, max: f64| rng.gen_range(0.0..max.min(created));
        // The cases, in turn, so every kind is present even in a small tenant.
        let (used, expires, revoked) = match k % 8 {
            0 => (None, Some(rng.gen_range(30.0..365.0)), None), // never used
            1 => (
                Some(used_ago(&mut rng, 1.0)),
                Some(rng.gen_range(30.0..365.0)),
                None,
            ), // today
            2 => (Some(rng.gen_range(90.0..400.0)), None, None), // idle, no expiry
            3 => (
                Some(used_ago(&mut rng, 30.0)),
                Some(-rng.gen_range(1.0..300.0)),
                None,
            ), // expired
            4 => (
                Some(used_ago(&mut rng, 2.0)),
                Some(rng.gen_range(0.1..7.0)),
                None,
            ), // expiring
            5 => {
                let revoked = used_ago(&mut rng, 200.0);
                (Some((revoked + 1.0).min(created)), None, Some(revoked)) // revoked
            }
            6 => (Some(used_ago(&mut rng, 5.0)), None, None), // live, no expiry
            _ => (
                Some(used_ago(&mut rng, 60.0)),
                Some(rng.gen_range(7.0..365.0)),
                None,
            ),
        };
        let slug = PRODUCTS[ai % PRODUCTS.len()].1;
        spec.apps[ai].connectors[ci]
            .credentials
            .push(CredentialSpec {
                name: format!("baton-{slug} credential {}", k + 1),
                created,
                used,
                expires,
                revoked,
                exposed: None,
            });
    }
    spec
}

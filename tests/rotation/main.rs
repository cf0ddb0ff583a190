//! Rotation as a procedure, as a user meets it: the real binary (`rotate --replace`,
//! `rotations`, `rotations resume`, `rotations abandon`) against a demo tenant started here
//! and reached through cone's environment variables, with the inventory in a data directory
//! that outlives each run. What reached the tenant is read from the tenant itself.
//!
//! `finishing`: the ways a rotation gets done; `meanwhile`: what others do to the tenant
//! while a rotation is under way; `refusals`: what is refused before anything is minted.

mod finishing;
mod meanwhile;
mod refusals;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use chrono::Utc;
use credboard::api::ConnectorCredential;
use credboard::demo::{DemoOptions, FaultKind, FaultRule, Faults, RouteFilter, RouteKind};
use serde_json::Value;

#[path = "../support/tenant.rs"]
mod tenant;

/// A demo tenant and a credboard configured for it, like a real one.
struct Tenant(tenant::Tenant);

impl std::ops::Deref for Tenant {
    type Target = tenant::Tenant;
    fn deref(&self) -> &tenant::Tenant {
        &self.0
    }
}

impl Tenant {
    fn start(first_use_after: Option<Duration>) -> Self {
        Tenant(tenant::Tenant::start_with(DemoOptions {
            first_use_after,
            ..DemoOptions::default()
        }))
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("HOME", self.home.path().display().to_string()),
            ("PATH", std::env::var("PATH").unwrap_or_default()),
            ("CONE_CLIENT_ID", self.server().client_id()),
            ("CONE_CLIENT_SECRET", self.secret.clone()),
        ]
    }

    fn inventory(&self) -> PathBuf {
        self.data.join("inventory.sqlite3")
    }

    /// The journal, oldest first, as (action, credential id, outcome kind, message).
    fn journal(&self) -> Vec<(String, String, String, String)> {
        let out = self.run(&["journal", "-o", "json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let mut entries: Vec<_> = json(&out)
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let text = |v: &Value| v.as_str().unwrap_or("").to_string();
                (
                    text(&e["action"]),
                    text(&e["credentialId"]),
                    text(&e["outcome"]["kind"]),
                    text(&e["outcome"]["message"]),
                )
            })
            .collect();
        entries.reverse();
        entries
    }

    /// The journal's (action, credential id, outcome kind), oldest first.
    fn journal_kinds(&self) -> Vec<(String, String, String)> {
        self.journal()
            .into_iter()
            .map(|(a, c, k, _)| (a, c, k))
            .collect()
    }

    /// `credboard rotations -o json`, which first gets the credentials of those under way.
    fn rotations(&self) -> Vec<Value> {
        let out = self.run(&["rotations", "-o", "json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        json(&out).as_array().unwrap().clone()
    }

    fn credential(&self, id: &str) -> ConnectorCredential {
        self.server().credential(id).unwrap()
    }

    fn is_live(&self, id: &str) -> bool {
        self.credential(id).deleted_at.is_none()
    }

    /// The connector's credential `id` starts being used, as when the connector switched.
    fn use_credential(&self, id: &str) {
        assert!(self.server().touch_last_used(id, Utc::now()));
    }

    fn revokes_served(&self) -> u64 {
        self.server().stats().route(RouteKind::RevokeCredential)
    }

    fn rotates_served(&self) -> u64 {
        self.server().stats().route(RouteKind::RotateCredential)
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            stderr(out)
        )
    })
}

/// A connector with exactly one live credential, every credential of it tracked: (app id,
/// connector id, the live credentials' ids). With `two`, a second live credential is minted
/// first by a plain rotate, so that the rotation has two to replace.
fn connector(tenant: &Tenant, two: bool) -> (String, String, Vec<String>) {
    let now = Utc::now();
    let live =
        |c: &ConnectorCredential| c.deleted_at.is_none() && c.expires_time.is_none_or(|t| t > now);
    let all = tenant.server().credentials();
    let lone = |c: &&ConnectorCredential| {
        live(c)
            && all
                .iter()
                .filter(|o| o.connector_id == c.connector_id && live(o))
                .count()
                == 1
    };
    let first = all.iter().find(lone).unwrap().clone();
    let (app, conn) = (first.app_id.unwrap(), first.connector_id.unwrap());
    for c in tenant.server().credentials() {
        if c.connector_id.as_deref() == Some(&conn) {
            let out = tenant.run(&["track", &app, &conn, c.id.as_deref().unwrap()]);
            assert!(out.status.success(), "{}", stderr(&out));
        }
    }
    if two {
        let out = tenant.run(&["rotate", &app, &conn]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let mut ids: Vec<String> = tenant
        .server()
        .credentials()
        .into_iter()
        .filter(|c| c.connector_id.as_deref() == Some(&conn) && live(c))
        .map(|c| c.id.unwrap())
        .collect();
    ids.sort();
    (app, conn, ids)
}

/// The id of the credential minted last.
fn newest(tenant: &Tenant) -> String {
    tenant
        .server()
        .credentials()
        .last()
        .unwrap()
        .id
        .clone()
        .unwrap()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn s(parts: &[&str]) -> (String, String, String) {
    (parts[0].into(), parts[1].into(), parts[2].into())
}
